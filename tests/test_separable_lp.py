"""LP separable instruments (issue 17): exact certificates, their verifier, the dispatcher.

Independent sources: the plane optimum min(1, 2(1 - x_max)) (closed form, Eq. 7 and the
large-component instrument); certified PPT bounds (sdp, a second formulation: SEP <= PPT, per pair
too); the chain tree (never above the auto value); the float instrument checker of
analytics.checks on the flattened instrument (independent of the rational verifier); party
relabelling (an exact symmetry of the problem).
"""
from __future__ import annotations

import copy
import json
import math
from fractions import Fraction as F
from pathlib import Path

import numpy as np
import pytest

from analytics.certificates import gap_certificate_from, lower_certificate, verify_analytic
from analytics.checks import check_instrument
from analytics.errors import InstrumentError, InvalidStateError
from analytics.instruments import Instrument, ProductKraus
from analytics.lower import sep_lower_bound
from analytics.lp_certificates import (ExactKraus, LPCertificateError, check_lp_instrument,
                                       exact_frame, exact_lp_instrument, ops_from_json,
                                       verify_lp_lower_certificate)
from analytics.monotones import kappa
from analytics.separable_lp import SeparableLPError, solve_separable_lp
from analytics.states import PAIRS, PARTIES, WClassState
from experiments.cmd_verify import verify_any

SYM = WClassState.from_components(F(1, 10), F(3, 10), F(3, 10), F(3, 10))
ASYM = WClassState.from_components(F(1, 8), F(1, 4), F(1, 4), F(3, 8))
#: An LP certificate written by ``exact_lp_instrument(solve_separable_lp(ASYM, budget=600,
#: max_iterations=15))`` (deterministic; regenerated and compared in
#: :func:`test_fixture_regenerates`, slow): the fast tests check the verifier on it.
STORED = Path(__file__).parent / "data" / "lp_lower_certificate.json"
slow = pytest.mark.slow


def stored():
    return json.loads(STORED.read_text())


def stored_ops():
    return ops_from_json(stored()["instrument"])


# ---- fast: the verifier on a stored certificate -----------------------------------------------------

def test_stored_certificate_verifies():
    cert = stored()
    ok, line = verify_any(cert)  # the sepgap verify dispatcher (VERIFIERS["sep_lower_bound:lp"])
    assert ok and line.startswith("valid: SEP >= ")
    claim_value = F(cert["bound"]["exact"])
    assert claim_value > F(57, 100) and cert["claim"].startswith("SEP >= ")
    assert verify_analytic(cert).valid and verify_analytic(cert).claim.value == claim_value
    with pytest.raises(InstrumentError, match="vacuous"):  # kappa = 0.833 > SEP here
        gap_certificate_from(cert)


@pytest.mark.parametrize("name,fn", [
    ("weight", lambda c: _first_success(c).__setitem__("weight", str(F(_first_success(c)["weight"]) * 2))),
    ("factor", lambda c: _first_success(c)["factors"][0][0].__setitem__(0, "1/3")),
    ("unknown field", lambda c: c.__setitem__("note", "trust me")),
    ("huge number", lambda c: _first_success(c).__setitem__("weight", "9" * 5000)),
])
def test_stored_certificate_tampered_is_rejected(name, fn):
    ok, line = verify_any(_tamper(stored(), fn))
    assert not ok and line.startswith("invalid: "), (name, line)


def test_stored_certificate_float_cross_check():
    """analytics.checks (floats, general 2x2 factors) on K = sqrt(w) F_A (x) F_B (x) F_C D^-1:
    complete, product, every branch Psi+, the same value: independent of the rational verifier."""
    cert = stored()
    fr = exact_frame(ASYM)
    inst = Instrument("lp", tuple(ProductKraus(f"K{n}", op.label, op.float_factors(fr))
                                  for n, op in enumerate(stored_ops())))
    fst = WClassState.from_components(*(float(v) for v in (ASYM.x0, *ASYM.x)), renormalise=True)
    chk = check_instrument(inst, fst, exact=False, atol=1e-8)
    assert chk.ok, chk.reasons[:3]
    assert abs(chk.total - float(F(cert["bound"]["exact"]))) < 1e-9
    for p in PAIRS:
        assert abs(chk.p_pairs[p] - float(F(cert["p_pairs"][p]))) < 1e-9


@pytest.mark.parametrize("perm", [(2, 1, 0), (1, 2, 0)])
def test_stored_certificate_relabelled_parties(perm):
    """Relabelling the parties maps the exact instrument to one for the relabelled state with
    exactly the same value and relabelled per-pair probabilities."""
    cert = stored()
    x = (ASYM.xA, ASYM.xB, ASYM.xC)
    pst = WClassState.from_components(ASYM.x0, *(x[perm[n]] for n in range(3)))
    chk = check_lp_instrument(_permute_ops(stored_ops(), perm), pst)
    assert chk.total == F(cert["bound"]["exact"])
    inv = {PARTIES[perm[n]]: PARTIES[n] for n in range(3)}
    for p, v in cert["p_pairs"].items():
        assert chk.p_pairs["".join(sorted(inv[c] for c in p))] == F(v)
    if perm == (2, 1, 0):  # and it is not valid on the original state (xA != xC)
        with pytest.raises(LPCertificateError):
            check_lp_instrument(_permute_ops(stored_ops(), perm), ASYM)


@slow
def test_fixture_regenerates():
    """The stored certificate is exactly what the code writes: the LP with an iteration limit
    instead of a time budget is deterministic (seeded sampling, HiGHS), so regenerating it gives
    the same certificate, byte for byte (the provenance text aside)."""
    sol = solve_separable_lp(ASYM, budget=600, max_iterations=15)
    fresh = exact_lp_instrument(sol).certificate()
    old = stored()
    old.pop("provenance")
    assert json.loads(json.dumps(fresh)) == old


# ---- slow: LP searches ------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def lp_sym():
    return sep_lower_bound(SYM, method="lp", budget=4)


@pytest.fixture(scope="module")
def lp_asym():
    return sep_lower_bound(ASYM, method="lp", budget=4)


# ---- the exact certificate ------------------------------------------------------------------------

@slow
def test_lp_certificate_verifies_from_the_file(lp_sym):
    cert = json.loads(json.dumps(lower_certificate(lp_sym)))
    st, claim, how = verify_lp_lower_certificate(cert)
    assert st == SYM and claim.value == lp_sym.value and claim.relation == ">="
    assert cert["claim"] == claim.exact() and "LP" in how
    ok, line = verify_any(cert)  # the sepgap verify dispatcher (VERIFIERS["sep_lower_bound:lp"])
    assert ok and line.startswith("valid: SEP >= ")
    # no gap certificate around it: kappa = 9/10 is above SEP here (a vacuous claim)
    with pytest.raises(InstrumentError, match="vacuous"):
        gap_certificate_from(cert)


def _tamper(cert, fn):
    c = copy.deepcopy(cert)
    fn(c)
    return c


def _first_success(c):
    return next(op for op in c["instrument"]["kraus"] if op["label"] != "fail")


@slow
@pytest.mark.parametrize("name,fn", [
    ("weight", lambda c: _first_success(c).__setitem__("weight", str(F(_first_success(c)["weight"]) * 2))),
    ("factor", lambda c: _first_success(c)["factors"][0][0].__setitem__(0, "1/3")),
    ("label", lambda c: _first_success(c).__setitem__("label", "AB" if _first_success(c)["label"] != "AB" else "AC")),
    ("fail weight", lambda c: c["instrument"]["kraus"][-1].__setitem__("weight", "0")),
    ("bound", lambda c: c["bound"].__setitem__("exact", str(F(c["bound"]["exact"]) + F(1, 10 ** 9)))),
    ("float_lower", lambda c: c["bound"].__setitem__("float_lower", c["bound"]["float_lower"] + 1e-6)),
    ("p_pairs", lambda c: c["p_pairs"].__setitem__("AB", str(F(c["p_pairs"]["AB"]) + F(1, 10 ** 12)))),
    ("claim", lambda c: c.__setitem__("claim", c["claim"].replace(">=", "<="))),
    ("state", lambda c: c["state"].__setitem__("x0", "1/11")),
    ("unknown field", lambda c: c.__setitem__("note", "trust me")),
    ("unknown op field", lambda c: _first_success(c).__setitem__("sign", 1)),
    ("unknown instrument field", lambda c: c["instrument"].__setitem__("value", "1")),
    ("arithmetic", lambda c: c.__setitem__("arithmetic", "float")),
    ("dropped op", lambda c: c["instrument"]["kraus"].pop()),
    ("bad label", lambda c: _first_success(c).__setitem__("label", "AA")),
    ("bad factor", lambda c: _first_success(c).__setitem__("factors", [[["1"]]] * 3)),
    ("negative weight", lambda c: _first_success(c).__setitem__("weight", "-1")),
    ("huge number", lambda c: _first_success(c).__setitem__("weight", "9" * 5000)),
    ("float entry", lambda c: _first_success(c)["factors"][1][0].__setitem__(0, 0.5)),
])
def test_tampered_lp_certificate_is_rejected(lp_sym, name, fn):
    cert = json.loads(json.dumps(lower_certificate(lp_sym)))
    bad = _tamper(cert, fn)
    ok, line = verify_any(bad)
    assert not ok and line.startswith("invalid: "), (name, line)
    assert "Traceback" not in line


def test_malformed_lp_certificates_never_raise():
    for bad in ({}, {"kind": "sep_lower_bound", "instrument": {"kind": "lp"}}, [],
                {"format": "sepgap-certificate", "version": 1, "kind": "sep_lower_bound",
                 "instrument": {"kind": "lp", "kraus": "x"}}):
        ok, line = verify_any(bad)
        assert not ok and line.startswith("invalid:")


def test_a_branch_that_is_not_psi_plus_is_caught():
    """The checker itself: |00> component on the pair -> rejected (an operator that keeps the
    state, labelled as a success)."""
    one = F(1)
    eye = ((one, F(0)), (F(0), one))
    ops = (ExactKraus("AB", one, (eye, eye, eye)),)
    with pytest.raises(LPCertificateError, match="not exactly Psi"):
        check_lp_instrument(ops, SYM)


@slow
def test_float_cross_check_of_the_flattened_instrument(lp_sym, lp_asym):
    """analytics.checks (floats, general 2x2 factors) on K = sqrt(w) F_A (x) F_B (x) F_C D^-1:
    complete, product, every branch Psi+, same value: independent of the rational verifier."""
    for lb, st in ((lp_sym, SYM), (lp_asym, ASYM)):
        fr = exact_frame(st)
        inst = Instrument("lp", tuple(ProductKraus(f"K{n}", op.label, op.float_factors(fr))
                                      for n, op in enumerate(lb.instrument.kraus)))
        fst = WClassState.from_components(*(float(v) for v in (st.x0, *st.x)), renormalise=True)
        chk = check_instrument(inst, fst, exact=False, atol=1e-8)
        assert chk.ok, chk.reasons[:3]
        assert abs(chk.total - float(lb.value)) < 1e-9
        for p in PAIRS:
            assert abs(chk.p_pairs[p] - float(lb.p_pairs[p])) < 1e-9


# ---- bounds against independent sources -----------------------------------------------------------

@slow
def test_never_below_the_chain_tree(lp_sym, lp_asym):
    for lb, st in ((lp_sym, SYM), (lp_asym, ASYM)):
        tree = sep_lower_bound(st, method="tree")
        assert lb.value >= tree.value - F(1, 10 ** 6)  # the tree seeds the LP
        auto = sep_lower_bound(st, method="auto", budget=2)
        assert auto.value >= tree.value  # auto keeps the better one, exactly
        assert auto.kind in ("lp", "tree")


@slow
def test_lp_beats_the_tree_at_the_symmetric_state(lp_sym):
    tree = sep_lower_bound(SYM, method="tree")
    assert lp_sym.kind == "lp" and lp_sym.value > tree.value + F(1, 100)


@slow
@pytest.mark.parametrize("st_name", ["sym", "asym"])
def test_never_above_the_certified_ppt_bound_per_pair_too(st_name, lp_sym, lp_asym):
    from sdp import ppt_upper_bound
    lb, st = (lp_sym, SYM) if st_name == "sym" else (lp_asym, ASYM)
    total = ppt_upper_bound(st, certify=True)
    assert total.certified is not None and lb.value <= total.certified
    for p in PAIRS:
        one = ppt_upper_bound(st, pairs=(p,), certify=True)
        assert one.certified is not None
        assert lb.p_pairs[p] <= one.certified
    assert sum(lb.p_pairs.values()) == lb.value


@slow
@pytest.mark.parametrize("x,optimum", [
    ((F(3, 5), F(1, 5), F(1, 5)), F(4, 5)),
    ((F(7, 10), F(1, 5), F(1, 10)), F(3, 5)),
])
def test_plane_optimum_reproduced_without_seeds(x, optimum):
    """On the plane the SEP optimum is min(1, 2(1 - x_max)); the LP started from the identity
    instrument alone (no tree, no plane instrument among its columns) climbs to it."""
    st = WClassState.from_components(0, *x)
    sol = solve_separable_lp(st, budget=8, use_default_seeds=False)
    assert sol.seed_value == 0
    lb = exact_lp_instrument(sol)
    assert lb.value <= optimum                      # it is the optimum
    assert lb.value >= optimum - F(1, 100)          # and the LP gets there


@slow
def test_plane_dispatch_and_lp_on_the_plane():
    st = WClassState.from_components(0, F(1, 2), F(1, 4), F(1, 4))
    assert sep_lower_bound(st).kind == "eq7" and sep_lower_bound(st).value == 1
    lb = sep_lower_bound(st, method="lp", budget=1)  # seeded by Eq. (7): within epsilon of 1
    assert lb.kind == "lp" and 1 - F(1, 10 ** 6) <= lb.value <= 1


def _permute_ops(ops, perm):
    """Relabel parties: new party n is old party perm[n] (factors move, labels follow)."""
    inv = {PARTIES[perm[n]]: PARTIES[n] for n in range(3)}
    out = []
    for op in ops:
        label = op.label if op.label == "fail" else "".join(sorted(inv[c] for c in op.label))
        out.append(ExactKraus(label, op.weight, tuple(op.factors[perm[n]] for n in range(3))))
    return tuple(out)


@slow
@pytest.mark.parametrize("perm", [(1, 0, 2), (2, 1, 0), (1, 2, 0)])
def test_permutation_invariance(lp_asym, perm):
    """Relabelling the parties maps the exact instrument to one for the relabelled state with the
    same value (exactly) and relabelled per-pair probabilities; a fresh LP search on the relabelled
    state gets within 2e-3 of it (a search with a time budget: not bit-identical)."""
    x = (ASYM.xA, ASYM.xB, ASYM.xC)
    px = tuple(x[perm[n]] for n in range(3))
    pst = WClassState.from_components(ASYM.x0, *px)
    chk = check_lp_instrument(_permute_ops(lp_asym.instrument.kraus, perm), pst)
    assert chk.total == lp_asym.value
    inv = {PARTIES[perm[n]]: PARTIES[n] for n in range(3)}
    for p, v in lp_asym.p_pairs.items():
        assert chk.p_pairs["".join(sorted(inv[c] for c in p))] == v
    fresh = sep_lower_bound(pst, method="lp", budget=4)
    assert abs(float(fresh.value) - float(lp_asym.value)) < 2e-3


# ---- bad input --------------------------------------------------------------------------------------

@pytest.mark.parametrize("budget", [-1, float("nan"), float("inf"), 1e9, True, "5"])
def test_bad_budget(budget):
    with pytest.raises(InstrumentError, match="budget"):
        sep_lower_bound(SYM, method="lp", budget=budget)
    with pytest.raises(SeparableLPError, match="budget"):
        solve_separable_lp(SYM, budget=budget)


def test_bad_method_state_and_seeds():
    with pytest.raises(InstrumentError, match="method"):
        sep_lower_bound(SYM, method="sdp")
    with pytest.raises(InstrumentError, match="x0 = 0"):
        sep_lower_bound(SYM, method="plane")
    with pytest.raises(InvalidStateError):
        sep_lower_bound((0.5, 0.5, 0.5), method="lp")
    with pytest.raises(InvalidStateError):
        sep_lower_bound((math.nan, 0.1, 0.1), method="lp")
    with pytest.raises(SeparableLPError, match="seeds"):
        solve_separable_lp(SYM, budget=0, seeds=5)


def test_product_state_is_zero_for_every_method():
    st = WClassState.from_components(F(1, 2), F(1, 2), 0, 0)
    for m in ("auto", "tree", "lp", "plane"):
        lb = sep_lower_bound(st, method=m, budget=1)
        assert lb.value == 0 and lb.kind == "trivial"


@slow
def test_two_party_slice_with_vacuum_stays_below_vidal():
    """x_C = 0: the exact SEP (= LOCC) value is Vidal's 2 lambda_min of the two-qubit state."""
    st = WClassState.from_components(F(1, 10), F(1, 2), F(2, 5), 0)
    lb = sep_lower_bound(st, method="lp", budget=3)
    # two-qubit state sqrt(x0)|00> + sqrt(xA)|10> + sqrt(xB)|01> on A, B: coefficient matrix
    m = np.array([[math.sqrt(0.1), math.sqrt(0.4)], [math.sqrt(0.5), 0.0]])
    lam = np.linalg.svd(m, compute_uv=False) ** 2
    vidal = 2 * lam.min()
    assert float(lb.value) <= vidal + 1e-12
    assert float(lb.value) >= vidal - 1e-2


# ---- the command line and sweeps ------------------------------------------------------------------

@slow
def test_cli_bound_lower_lp_and_its_certificate(tmp_path):
    from cli_helpers import run_cli
    f = tmp_path / "gap.json"
    code, out, err = run_cli(["bound", "1/4", "1/4", "3/8", "--x0", "1/8", "--no-sdp", "--json",
                              "--lower", "lp", "--lower-budget", "2", "--save-lower-cert", str(f)])
    assert code == 0, err
    data = json.loads(out)
    assert data["sep_lower_kind"] == "lp"
    cert = json.loads(f.read_text())  # the gap is negative here: the lower-bound certificate
    assert cert["kind"] == "sep_lower_bound" and cert["instrument"]["kind"] == "lp"
    assert F(cert["bound"]["exact"]) == F(data["sep_lower_exact"])
    code, out, err = run_cli(["verify", str(f)])
    assert code == 0 and out.startswith("valid: SEP >=")


@pytest.mark.parametrize("argv,msg", [
    (["--lower", "sdp"], "invalid choice"),
    (["--lower-budget", "-1"], "outside [0, 86400]"),
    (["--lower-budget", "nan"], "not a number"),
    (["--lower-budget", "1e99"], "outside [0, 86400]"),
    (["--lower-budget", "x"], "not a number"),
])
def test_cli_bad_lower_options_one_line(argv, msg, tmp_path):
    from cli_helpers import run_cli
    for cmd in (["bound", "1/4", "1/4", "1/4", "--x0", "1/4", "--no-sdp"],
                ["robustness", "--out", str(tmp_path / "r")]):
        code, out, err = run_cli(cmd + argv)
        assert code == 2 and msg in err and "Traceback" not in err, err


@slow
def test_sweep_with_lp_rows_verifies_resumes_and_catches_tampering(tmp_path):
    from cli_helpers import run_cli
    from experiments.sweep import run_sweep
    states = [("1/8", "1/4", "1/4", "3/8"), ("1/10", "3/10", "3/10", "3/10")]
    res = run_sweep(states, tmp_path, name="lp", quiet=True, plot=False, locc_rounds=None,
                    lower="lp", lower_budget=1)
    assert [r["sep_lower_kind"] for r in res.rows] == ["lp", "lp"]
    assert (tmp_path / "certificates" / "lp-0000-lower.json").is_file()
    code, out, err = run_cli(["verify", str(tmp_path / "lp.json")])
    assert code == 0, err
    # resume: the saved LP rows are re-checked through their certificates, nothing recomputed
    again = run_sweep(states, tmp_path, name="lp", quiet=True, plot=False, locc_rounds=None,
                      lower="lp", lower_budget=1, resume=True)
    assert again.computed == 0 and again.rows == res.rows
    # a tampered lower certificate in the partial file: that point is computed again
    part = tmp_path / "lp.partial.jsonl"
    lines = part.read_text().splitlines()
    rec = json.loads(lines[1])
    rec["lower_certificate"]["instrument"]["kraus"][0]["weight"] = "1/7"
    part.write_text("\n".join([lines[0], json.dumps(rec)] + lines[2:]) + "\n")
    third = run_sweep(states, tmp_path, name="lp", quiet=True, plot=False, locc_rounds=None,
                      lower="lp", lower_budget=1, resume=True)
    assert third.computed == 1
    # a row whose sep_lower disagrees with its certificate: verify reports the mismatch
    doc = json.loads((tmp_path / "lp.json").read_text())
    doc["rows"][0]["sep_lower_exact"] = str(F(doc["rows"][0]["sep_lower_exact"]) + F(1, 10 ** 9))
    (tmp_path / "lp.json").write_text(json.dumps(doc))
    (tmp_path / "lp.csv").unlink()
    code, out, err = run_cli(["verify", str(tmp_path / "lp.json")])
    assert code == 1 and "sep_lower_exact" in err
