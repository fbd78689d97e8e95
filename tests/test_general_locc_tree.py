"""Multi-step LOCC protocols for any three-qubit state (issue 19): exact trees, their
branch-by-branch simulation, the certificate and the cut monotone for general states."""
import copy
import math
from fractions import Fraction as F

import numpy as np
import pytest

from analytics.gaussian import GaussianRational as G
from analytics.general_locc import ProtocolCheckError, exact_value
from analytics.general_locc_cert import general_locc_certificate, verify_general_locc_certificate
from analytics.general_locc_tree import (GeneralLOCCError, GLeaf, GNode, apply_local, check_node,
                                         evaluate_general_tree, exact_basis, exact_diag,
                                         general_locc_bound, simulate_general_tree)
from analytics.general_states import AmplitudeError, three_qubit_state
from analytics.monotone_candidates import cut_upper, cut_upper_general
from analytics.states import WClassState
from experiments.general import bracket_columns_general, locc_upper_general

RAND = ["0.1", "0.2+0.3j", "-0.4j", "0.5", "0.1-0.2j", "0.3", "0", "0.4+0.1j"]


def _rand():
    return three_qubit_state(RAND, normalise=True)


def _hand_tree():
    """A weak measurement by A, then B's measure+Vidal on one outcome and a projective
    measurement by C followed by Vidal (C product) on the other: exact parameters."""
    proj_c = GNode("C", (G(1), G(0)), ((F(1), F(0)), (F(0), F(1))),
                   (GLeaf("vidal", "C"), GLeaf("vidal", "C")))
    return GNode("A", exact_basis(1.0, 0.5), ((F(3, 5), F(5, 13)), (F(4, 5), F(12, 13))),
                 (GLeaf("measure_vidal", "B", (G(1), G(F(1, 2), F(1, 3)))), proj_c))


def test_exact_parameters_are_complete():
    a, b = exact_basis(2.1, -0.7)
    assert a.abs2() + b.abs2() == 1
    assert abs(complex(a) - math.cos(1.05)) < 1e-5
    for al in (0.0, 0.3, math.pi / 2):
        c, s = exact_diag(al)
        assert c * c + s * s == 1 and c >= 0 and s >= 0
    assert exact_diag(0.0) == (1, 0) and exact_diag(math.pi / 2) == (0, 1)
    check_node(_hand_tree())
    bad = GNode("A", (G(F(3, 5)), G(F(3, 5))), ((F(1), F(1)), (F(0), F(0))),
                (GLeaf("none"), GLeaf("none")))
    with pytest.raises(GeneralLOCCError, match=r"\|a\|\^2"):
        check_node(bad)


def test_hand_tree_simulated_branch_by_branch_equals_exact_value():
    st = _rand()
    tree = _hand_tree()
    ev = evaluate_general_tree(tree, st)
    sim = simulate_general_tree(tree, st)
    assert abs(float(ev.total) - sim) < 1e-12 and float(ev.total) <= sim + 1e-15
    # the leaves' probabilities add up to 1 and each leaf agrees with the one-measurement formula
    assert sum(p for _, p, _, _ in ev.leaves) == 1
    b0 = apply_local(st.psi, "A", tree.kraus(0))
    n2 = sum((x.abs2() for x in b0), F(0))
    assert ev.leaves[0][3] == exact_value(three_qubit_state(b0, normalise=True), "B",
                                          (G(1), G(F(1, 2), F(1, 3))))
    assert ev.leaves[0][1] == n2 / st.norm2


def test_vidal_leaf_needs_a_product_party():
    with pytest.raises(GeneralLOCCError, match="product"):
        evaluate_general_tree(GLeaf("vidal", "A"), _rand())


def test_ghz_gives_one_and_generalised_ghz_two_min():
    ghz = general_locc_bound(["1/2", 0, 0, 0, 0, 0, 0, "1/2"], depth=1, normalise=True)
    assert ghz.value == 1
    ab = general_locc_bound(["3/5", 0, 0, 0, 0, 0, 0, "4/5j"], depth=1)
    assert ab.value == F(18, 25) == ab.one_measurement   # exactly 2 min(|a|^2, |b|^2)
    assert ab.checked and ab.value >= ab.one_measurement


def test_product_party_reaches_vidal():
    """|a>_A (x) (3/5|01> + 4/5 i|10>)_BC, A in a rotated basis: Vidal's 2 * 9/25, exactly."""
    a0, a1 = F(3, 5), F(4, 5)
    pair = {1: G(F(3, 5)), 2: G(0, F(4, 5))}                 # |01>, |10> of BC
    psi = [G(0)] * 8
    for bc, amp in pair.items():
        psi[bc] = amp * a0
        psi[4 + bc] = amp * a1
    res = general_locc_bound(psi, depth=1)
    assert res.value == F(18, 25) and res.tree.kind == "vidal" and res.tree.party == "A"


def test_tree_beats_one_measurement_on_a_random_state_and_stays_below_upper_bounds():
    st = _rand()
    res = general_locc_bound(st, depth=1)
    assert res.source == "tree" and res.nodes >= 1
    assert res.value > res.one_measurement + F(1, 100)       # 0.2950 vs 0.2776
    assert res.value <= res.evaluation.total
    assert abs(simulate_general_tree(res.tree, st) - float(res.evaluation.total)) < 1e-9
    assert res.value <= cut_upper_general(st)
    # the certified PPT bound of this state (docs/general-states.md): 0.31256721
    assert float(res.value) <= 0.31256721


def test_certificate_verifies_and_tampering_is_rejected():
    st = _rand()
    cert = general_locc_certificate(st, _hand_tree())
    ok = verify_general_locc_certificate(cert)
    assert ok.valid, ok.reason
    assert ok.bound == F(cert["bound"]["exact"]) and "LOCC >= " in ok.line()
    node = ["tree", "root"]

    def edit(path, value):
        c = copy.deepcopy(cert)
        d = c
        for k in path[:-1]:
            d = d[k]
        if value is KeyError:
            del d[path[-1]]
        else:
            d[path[-1]] = value
        return verify_general_locc_certificate(c)

    o0 = node + ["outcomes", 0]
    cases = {
        "d": (o0 + ["d", 0], "1/2"),
        "basis": (node + ["basis", 1], "0"),
        "probability": (o0 + ["probability"], "1/2"),
        "leaf value": (o0 + ["child", "value"], "1/2"),
        "leaf party": (o0 + ["child", "party"], "A"),
        "leaf kind": (o0 + ["child", "leaf"], "vidal"),
        "leaf u": (o0 + ["child", "u", 0], "0"),
        "bound": (["bound", "exact"], "1/2"),
        "float": (["bound", "float_lower"], 0.5),
        "claim": (["claim"], "LOCC >= 1/2"),
        "state": (["state", "psi", 0], "1/2"),
        "extra node field": (node + ["note"], 1),
        "extra top field": (["note"], 1),
        "missing bound": (["bound"], KeyError),
        "kind": (["kind"], "locc_sup_lower_bound"),
        "arithmetic": (["arithmetic"], "float"),
        "negative d": (o0 + ["d", 1], "-5/13"),
    }
    for name, (path, value) in cases.items():
        res = edit(path, value)
        assert not res.valid, name
    # a lower bound than the tree proves is a true statement: accepted
    c = copy.deepcopy(cert)
    c["bound"] = {"exact": "1/8", "float_lower": 0.125}
    c["claim"] = c["claim"].replace(cert["bound"]["exact"], "1/8")
    assert verify_general_locc_certificate(c).valid
    assert not verify_general_locc_certificate([1, 2]).valid
    deep = {"leaf": "none"}
    for _ in range(100):
        deep = {"party": "A", "basis": ["1", "0"], "outcomes": [
            {"d": ["1", "0"], "probability": "1", "child": deep},
            {"d": ["0", "1"], "probability": "0", "child": {"leaf": "none"}}]}
    c = copy.deepcopy(cert)
    c["tree"]["root"] = deep
    assert "nested too deeply" in verify_general_locc_certificate(c).reason


def test_bad_input_is_a_specific_exception():
    with pytest.raises(GeneralLOCCError, match="depth"):
        general_locc_bound(RAND, depth=9, normalise=True)
    with pytest.raises(GeneralLOCCError, match="depth"):
        general_locc_bound(RAND, depth=True, normalise=True)
    with pytest.raises(GeneralLOCCError, match="seed"):
        general_locc_bound(RAND, seed=-1, normalise=True)
    with pytest.raises(AmplitudeError):
        general_locc_bound([1, 0, 0])
    with pytest.raises(AmplitudeError):
        general_locc_bound([float("nan")] + [0] * 7)
    with pytest.raises(GeneralLOCCError):
        GLeaf("kappa")
    with pytest.raises(GeneralLOCCError):
        GLeaf("measure_vidal", "B", (G(0), G(0)))
    with pytest.raises(GeneralLOCCError):
        GNode("D", (G(1), G(0)), ((F(1), F(1)), (F(0), F(0))), (GLeaf("none"), GLeaf("none")))


def test_broken_simulation_is_caught():
    """A vidal leaf on a branch where its party is not product fails the float check too."""
    with pytest.raises(ProtocolCheckError):
        simulate_general_tree(GLeaf("vidal", "A"), _rand())


# ---- the cut monotone for any pure state ---------------------------------------------------------

def test_cut_monotone_general_matches_w_class_and_eigenvalues():
    w = WClassState.from_components(F(1, 4), F(1, 4), F(1, 4), F(1, 4))
    psi = ["1/2", "1/2", "1/2", 0, "1/2", 0, 0, 0]            # sqrt(x) on |000>, |001>, |010>, |100>
    assert cut_upper_general(psi) == cut_upper(w)
    rng = np.random.default_rng(3)
    for _ in range(5):
        v = rng.normal(size=8) + 1j * rng.normal(size=8)
        st = three_qubit_state(list(v), normalise=True)
        t = st.vector().reshape(2, 2, 2)
        lam = sum(np.linalg.eigvalsh(np.moveaxis(t, k, 0).reshape(2, 4)
                                     @ np.moveaxis(t, k, 0).reshape(2, 4).conj().T)[0]
                  for k in range(3))
        c = cut_upper_general(st)
        assert float(c) >= lam - 1e-15 and float(c) - lam < 1e-12


def test_locc_upper_is_the_smaller_of_cut_and_ppt():
    assert locc_upper_general(F(1, 2), F(3, 5)) == (F(1, 2), "monotone:cut")
    assert locc_upper_general(F(3, 5), F(1, 2)) == (F(1, 2), "ppt")
    assert locc_upper_general(F(3, 5), None) == (F(3, 5), "monotone:cut")
    assert locc_upper_general(None, None) == (None, "none")
    cols = bracket_columns_general(F(1, 4), None, cut=F(3, 5))
    assert cols["locc_upper_exact"] == "3/5" and cols["locc_upper_kind"] == "monotone:cut"
    assert cols["gap_lower_exact"] == "-7/20" and cols["sep_upper"] is None
    assert cols["gap_upper"] is None and cols["locc_width"] >= 0.35
    cols = bracket_columns_general(F(1, 4), F(1, 2), cut=F(3, 5))
    assert cols["locc_upper_kind"] == "ppt" and cols["gap_upper_exact"] == "1/4"


# ---- slower: depth 2, local-unitary invariance, PPT -------------------------------------------

def _moved(st):
    """``st`` under an exact Gaussian-rational local unitary on each party."""
    psi = st.psi
    for party, (th, ph) in zip("ABC", ((0.7, 0.3), (2.0, -1.1), (1.3, 2.2))):
        a, b = exact_basis(th, ph)
        psi = apply_local(psi, party, [[a, b], [-b.conj(), a.conj()]])
    return three_qubit_state(psi, normalise=True)


def test_local_unitary_invariance_depth_one():
    """The search runs on the canonical form, so LU-equivalent inputs get the same tree value
    up to the leaves' float optimisation."""
    st = _rand()
    a = general_locc_bound(st, depth=1)
    b = general_locc_bound(_moved(st), depth=1)
    assert abs(float(a.value) - float(b.value)) < 1e-6 and (a.depth, a.nodes) == (b.depth, b.nodes)


@pytest.mark.slow
def test_depth_two_never_worse_and_local_unitary_invariance():
    st = _rand()
    d1 = general_locc_bound(st, depth=1)
    d2 = general_locc_bound(st, depth=2)
    assert d2.value >= d2.one_measurement and d2.one_measurement == d1.one_measurement
    moved = general_locc_bound(_moved(st), depth=2)
    assert abs(float(moved.value) - float(d2.value)) < 1e-6
    assert abs(float(moved.one_measurement) - float(d2.one_measurement)) < 1e-6


@pytest.mark.slow
def test_never_above_the_certified_ppt_bound():
    from experiments.general import sep_upper_general
    rng = np.random.default_rng(11)
    for _ in range(3):
        v = rng.normal(size=8) + 1j * rng.normal(size=8)
        st = three_qubit_state(list(v / np.linalg.norm(v)), normalise=True)
        res = general_locc_bound(st)
        up = sep_upper_general(st)
        assert up.certified is not None and res.value <= up.certified
        assert res.value <= cut_upper_general(st)


# ---- command line ---------------------------------------------------------------------------------

def test_save_locc_cert_is_for_general_states_only(tmp_path):
    from tests.cli_helpers import run_cli
    rc, out, err = run_cli(["bound", "1/2", "1/4", "1/4", "--no-sdp", "--save-locc-cert",
                            str(tmp_path / "c.json")])
    assert rc == 2 and "--save-locc-cert: for states beyond the W-class" in err
    assert err.count("\n") == 1 and not (tmp_path / "c.json").exists()
    rc, _, err = run_cli(["bound", "--amplitudes", "3/5", 0, 0, 0, 0, 0, 0, "4/5", "--save-cert",
                          str(tmp_path / "c.json"), "--save-locc-cert", str(tmp_path / "c.json")])
    assert rc == 2 and "name the same file" in err


@pytest.mark.slow
def test_cli_prints_the_tree_and_its_certificate_verifies(tmp_path):
    import json
    from tests.cli_helpers import run_cli
    cert = tmp_path / "locc.json"
    rc, out, err = run_cli(["bound", "--amplitudes", *RAND, "--normalise", "--no-sdp",
                            "--save-locc-cert", str(cert)])
    assert rc == 0 and "protocol    depth 2" in out and "LOCC tree" in out
    assert "locc_upper = min(cut monotone, certified PPT) = the cut monotone" in out
    rc, out, _ = run_cli(["verify", str(cert)])
    assert rc == 0 and "valid: LOCC >= " in out
    doc = json.loads(cert.read_text())
    doc["bound"]["exact"] = "1/2"
    cert.write_text(json.dumps(doc))
    rc, out, err = run_cli(["verify", str(cert)])
    assert rc == 1


@pytest.mark.slow
def test_general_sweep_rows_record_and_verify_the_locc_kinds(tmp_path):
    import json
    from tests.cli_helpers import run_cli
    rc, out, _ = run_cli(["sweep", "wghz", "--tmin", "1/4", "--tmax", "3/10", "--points", "2",
                          "--out", str(tmp_path)])
    assert rc == 0
    doc = json.loads((tmp_path / "wghz.json").read_text())
    for r in doc["rows"]:
        assert r["locc_lower_kind"].endswith("checked") and r["locc_upper_kind"] == "ppt"
        assert F(r["locc_lower_exact"]) <= F(r["locc_upper_exact"])
    rc, out, _ = run_cli(["verify", str(tmp_path / "wghz.json")])
    assert rc == 0 and "all 2 rows re-derived" in out
    doc["rows"][0]["locc_upper_kind"] = "monotone:cut"
    (tmp_path / "bad.json").write_text(json.dumps(doc))
    rc, _, err = run_cli(["verify", str(tmp_path / "bad.json")])
    assert rc == 1 and "locc_upper_kind" in err
