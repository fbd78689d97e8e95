"""One derivation of a state's numbers (experiments.bracket), outward rounding of every bound,
strict certificate fields, and --save-lower-cert (issue 16, items 1-3 and 6)."""
import copy
import json
import math
import random
from fractions import Fraction as F

import pytest

from analytics.certificates import sep_lower_certificate, verify_gap, verify_lower
from analytics.states import WClassState
from experiments import Bracket, bracket
from experiments.brackets import DIRECTIONS, BracketError
from experiments.cli import main

TIMING_KEYS = ("locc_time", "sep_upper_solve_time", "sep_upper_certify_time")


def _strip_timing(d: dict) -> dict:
    d = {k: v for k, v in d.items() if k not in TIMING_KEYS}
    for a in d.get("sep_upper_attempts") or ():
        a.pop("seconds", None)
    return d


def _cli_json(capsys, *args):
    rc = main(["bound", *args, "--json"])
    out, err = capsys.readouterr()
    assert rc == 0, err
    return json.loads(out)


@pytest.mark.parametrize("args, state", [
    (("1/2", "1/4", "1/4"), (F(1, 2), F(1, 4), F(1, 4))),
    (("3/5", "1/5", "1/5"), (F(3, 5), F(1, 5), F(1, 5))),
    (("1/5", "2/5", "1/5", "--x0", "1/5", "--no-sdp", "--lower", "tree"),
     (F(1, 5), F(1, 5), F(2, 5), F(1, 5))),
])
def test_to_dict_is_the_cli_json(capsys, args, state):
    """`sepgap bound --json` prints Bracket.to_dict(), key for key (timings excepted)."""
    b = bracket(state, sdp="--no-sdp" not in args, lower="tree")
    assert isinstance(b, Bracket) and isinstance(b.kappa_exact, F)
    assert _strip_timing(_cli_json(capsys, *args)) == _strip_timing(b.to_dict())
    assert len(repr(b)) < 200


def test_bracket_refuses_unknown_lower_method():
    with pytest.raises(BracketError):
        bracket((F(1, 2), F(1, 4), F(1, 4)), lower="magic", sdp=False)


def _check_outward(d: dict) -> int:
    """Every float that is a bound is the tightest float on the right side of its exact value."""
    n = 0
    for key, how in DIRECTIONS.items():
        if key.startswith("sep_lower_p_"):
            fl = (d.get("sep_lower_p_pairs") or {}).get(key[-2:])
            ex = (d.get("sep_lower_p_pairs_exact") or {}).get(key[-2:])
        else:
            fl, ex = d.get(key), d.get(f"{key}_exact")
        if key == "locc_lower":
            ex = d["locc_lower_exact"]
        if ex is None:
            assert fl is None, key
            continue
        q, f = F(ex), F(fl)
        if how == "down":
            assert f <= q and F(math.nextafter(fl, math.inf)) > q, (key, fl, ex)
        else:
            assert f >= q and F(math.nextafter(fl, -math.inf)) < q, (key, fl, ex)
        n += 1
    return n


def _random_states(seed: int, n: int, off_plane: bool):
    rng = random.Random(seed)
    for _ in range(n):
        w = [F(rng.randint(1, 97), rng.randint(98, 400)) for _ in range(4 if off_plane else 3)]
        tot = sum(w)
        yield tuple(x / tot for x in w)


@pytest.mark.parametrize("state", list(_random_states(1, 30, False)))
def test_outward_rounding_plane(state):
    """Item 3: sep_lower 56/75 must print <= 56/75, kappa >= 521/705, ... on random states."""
    assert _check_outward(bracket(state, sdp=False).to_dict()) >= 8


def test_outward_rounding_examples_of_the_issue():
    b = bracket((F(3, 5), F(1, 5), F(1, 5)), sdp=False)  # sep_lower 4/5: a float above it
    assert F(b.sep_lower) <= F(4, 5) and F(b.kappa) >= b.kappa_exact
    for st in _random_states(7, 40, False):
        b = bracket(st, sdp=False, locc_rounds=None)
        assert F(b.kappa) >= b.kappa_exact and F(b.sep_lower) <= b.sep_lower_exact


@pytest.mark.parametrize("state", list(_random_states(2, 2, True)) + [(F(1, 2), F(1, 4), F(1, 4))])
def test_outward_rounding_with_the_sdp_and_off_plane(state):
    d = bracket(state, lower="tree").to_dict()
    assert _check_outward(d) >= 12


@pytest.mark.parametrize("x0, a, b", [(F(1, 2), F(1, 4), F(1, 4)), (F(1, 3), F(1, 2), F(1, 6)),
                                      (F(1, 10), F(3, 5), F(3, 10))])
def test_locc_lower_at_two_party_vacuum_states_below_the_optimum(x0, a, b):
    """sqrt(x0)|00> + sqrt(a)|10> + sqrt(b)|01> (C idle): the optimum is twice the smaller
    Schmidt coefficient, 1 - sqrt(1 - 4ab) (Vidal); compared exactly: L <= opt iff
    (1 - L)^2 >= 1 - 4ab."""
    d = bracket(WClassState(a, b, F(0), x0=x0), sdp=False, lower="tree").to_dict()
    low = F(d["locc_lower"])
    assert 0 < low <= 1 and (1 - low) ** 2 >= 1 - 4 * a * b
    assert F(d["locc_sup_lower"]) <= F(d["locc_sup_lower_exact"])


# ---- item 2: every certificate field is read or refused ---------------------------------------

@pytest.fixture(scope="module")
def tree_cert():
    cert = sep_lower_certificate(WClassState(F(3, 10), F(3, 10), F(3, 10), x0=F(1, 10)), method="tree")
    assert cert["instrument"]["kind"] == "tree" and verify_lower(cert).valid
    return cert


def _first_leaf(node):
    while "leaf" not in node:
        node = node["outcomes"][0]["child"]
    return node


def _edit_bound(c):
    c["bound"]["float_upper"] = 0.9


def _edit_note(c):
    c["instrument"]["note"] = "SEP <= 0.9"


def _edit_root(c):
    c["instrument"]["root"]["comment"] = "x"


def _edit_outcome(c):
    c["instrument"]["root"]["outcomes"][0]["weight"] = "1"


def _edit_leaf(c):
    _first_leaf(c["instrument"]["root"])["extra"] = 1


def _edit_leaf_party(c):
    leaf = _first_leaf(c["instrument"]["root"])
    leaf["party"] = "A"
    leaf["outcomes"] = [{"sqrt_a": "1", "beta": "0", "c": "1", "probability": "1",
                         "child": {"leaf": "trivial", "value": "0"}}]


def _edit_node_leaf(c):
    c["instrument"]["root"]["leaf"] = "eq7"
    c["instrument"]["root"]["value"] = "1"


def _edit_pairs(c):
    c["p_pairs"]["total"] = c["bound"]["exact"]


def _edit_top(c):
    c["float_bound"] = 0.99


def _edit_state(c):
    c["state"]["note"] = "x"


@pytest.mark.parametrize("edit", [_edit_bound, _edit_note, _edit_root, _edit_outcome, _edit_leaf,
                                  _edit_leaf_party, _edit_node_leaf, _edit_pairs, _edit_top,
                                  _edit_state])
def test_tree_certificate_unknown_fields_and_leaf_node_mix_are_rejected(tree_cert, edit):
    c = copy.deepcopy(tree_cert)
    edit(c)
    res = verify_lower(c)
    assert not res.valid, edit.__name__
    assert "unknown field" in res.reason or "both a leaf and a node" in res.reason, res.reason


def test_gap_certificate_holding_an_edited_tree_is_rejected(tree_cert):
    from analytics.certificates import gap_certificate
    g = gap_certificate((F(1, 2), F(1, 4), F(1, 4)))
    assert verify_gap(g).valid
    g2 = copy.deepcopy(g)
    g2["sep_lower"]["instrument"]["note"] = "x"
    assert not verify_gap(g2).valid


# ---- item 6: the certificate's claim is the printed line; no vacuous gap certificate ------------

def test_save_lower_cert_claim_matches_the_printed_line(capsys, tmp_path):
    from analytics.certificates import gap_certificate
    from analytics.errors import InstrumentError
    f = tmp_path / "c.json"
    rc = main(["bound", "3/10", "3/10", "3/10", "--x0", "1/10", "--no-sdp", "--lower", "tree",
               "--save-lower-cert", str(f)])
    out, _ = capsys.readouterr()
    cert = json.loads(f.read_text())
    assert rc == 0 and cert["kind"] == "sep_lower_bound"  # the gap would be negative
    res = verify_lower(cert)
    assert res.valid and f"lower cert. {f}: {res.claim.text()}" in out
    with pytest.raises(InstrumentError):  # never a vacuous gap certificate
        gap_certificate(WClassState(F(3, 10), F(3, 10), F(3, 10), x0=F(1, 10)), method="tree")
    # a positive gap: the certificate proves exactly the printed gap_lower
    rc = main(["bound", "1/2", "1/4", "1/4", "--save-lower-cert", str(f), "--json", "--force"])
    d = json.loads(capsys.readouterr()[0])
    cert = json.loads(f.read_text())
    assert cert["kind"] == "sep_locc_gap" and cert["gap"]["exact"] == d["gap_lower_exact"] == "1/8"


def test_verify_never_prints_a_long_exact_number_whole(capsys, tmp_path):
    f = tmp_path / "c.json"
    f.write_text(json.dumps(sep_lower_certificate(WClassState(F(3, 10), F(3, 10), F(3, 10),
                                                              x0=F(1, 10)), method="tree")))
    assert main(["verify", str(f)]) == 0
    out = capsys.readouterr()[0]
    assert len(out.strip()) < 400 and "character fraction" in out
