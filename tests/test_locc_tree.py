"""LOCC lower bounds from full measurement trees (analytics/locc_tree.py, issue 18).

Independent sources: the branch-tree simulator (analytics.measurements.simulate, floats, its own
closed form), the 8-dimensional state-vector simulation (measure_statevector), Vidal's closed form
(analytics.locc.vidal_probability), the chain of analytics.offplane (the old value), kappa, and the
certified PPT bound (sdp).
"""
from __future__ import annotations

import copy
import json
import math
from fractions import Fraction as F

import pytest

from analytics import WClassState
from analytics.errors import InvalidStateError
from analytics.locc import theorem2_protocol, vidal_probability
from analytics.locc_tree import (LOCCLeaf, LOCCTreeError, below_vidal, evaluate_locc_tree,
                                 finite_pairs, finite_value, locc_tree_bound, locc_tree_certificate,
                                 vidal_subtree, verify_locc_tree_certificate)
from analytics.measurements import (KrausOutcome, LocalMeasurement, epr_pair, measure,
                                    measure_statevector, simulate)
from analytics.monotones import kappa
from analytics.offplane import locc_lower_tree
from analytics.states import PARTIES
from analytics.tree_certificates import TreeLeaf, TreeNode, TreeOutcome

SYM = WClassState.from_components(F(1, 10), F(3, 10), F(3, 10), F(3, 10))
ASYM = WClassState.from_components(F(1, 8), F(1, 4), F(1, 4), F(3, 8))


@pytest.fixture(scope="module")
def sym():
    return locc_tree_bound(SYM)


@pytest.fixture(scope="module")
def asym():
    return locc_tree_bound(ASYM)


# ---- targets: above the chain, below kappa ------------------------------------------------------

@pytest.mark.parametrize("which, st", [("sym", SYM),
                                       pytest.param("asym", ASYM, marks=pytest.mark.slow)])
def test_full_tree_beats_the_chain(which, st, request):
    res = request.getfixturevalue(which)
    chain = locc_lower_tree(st)
    assert res.locc_sup_lower > chain.locc_sup_lower + F(1, 1000)
    assert res.locc_lower > chain.locc_lower + 1e-3
    assert res.source == "full" and res.depth >= 2 and res.nodes >= 3
    assert res.locc_lower <= float(res.locc_sup_lower) <= res.evaluation.total < kappa(st)
    # the value of the chain (searched with the parties sorted by weight) is among the
    # candidates, and the kept tree is the best of them
    _, order = st.sorted()
    cst = st.permuted("".join(order))
    assert res.candidates["chain"] == evaluate_locc_tree(_chain_as_locc(cst), cst).total
    assert res.evaluation.total == max(res.candidates.values())


def _chain_as_locc(st):
    from analytics.locc_tree import chain_tree
    return chain_tree(st)


def test_party_relabelling_changes_nothing(asym_perm=("BCA", "CAB")):
    st = WClassState.from_components(F(1, 4), F(1, 8), F(3, 8), F(1, 4))
    base = locc_tree_bound(st, rounds=10, depth=2)
    for perm in asym_perm:
        res = locc_tree_bound(st.permuted(perm), rounds=10, depth=2)
        assert res.evaluation.total == base.evaluation.total and res.locc_lower == base.locc_lower


def test_issue_numbers(sym):
    # issue 18: chain locc_sup 0.5892 at SYM; the full tree reaches 0.6011
    assert float(sym.locc_sup_lower) > 0.6 and sym.locc_lower > 0.6


@pytest.mark.slow
def test_issue_numbers_asym(asym):
    # chain locc_sup 0.5436 at ASYM; the full tree reaches 0.5453
    assert float(asym.locc_sup_lower) > 0.5445 and asym.locc_lower > 0.5444


# ---- the protocol simulated branch by branch ----------------------------------------------------

def _node_measurement(node: TreeNode, st: WClassState) -> LocalMeasurement:
    x = dict(zip(("0",) + PARTIES, (float(st.x0), *map(float, st.x))))
    r = math.sqrt(x["0"] / x[node.party])
    return LocalMeasurement(node.party, tuple(
        KrausOutcome(float(o.sqrt_a) ** 2, float(o.c), float(o.beta) * r, str(i))
        for i, o in enumerate(node.outcomes)), atol=1e-9)


def _expand_vidal(tree, st):
    """The tree with every Vidal leaf replaced by its explicit one-node protocol."""
    from analytics.tree_certificates import node_branches
    if isinstance(tree, TreeLeaf):
        return vidal_subtree(st) if tree.kind == "vidal" else tree
    outs = []
    for (p, child), o in zip(node_branches(tree, st), tree.outcomes):
        outs.append(TreeOutcome(o.sqrt_a, o.beta, o.c,
                                o.child if child is None else _expand_vidal(o.child, child)))
    return TreeNode(tree.party, tuple(outs))


def _simulate_tree(tree, st, rounds):
    """Float simulation: every node by the simulator, then kappa (sup) or the Theorem 2 protocol
    (finite) at the plane leaves; EPR branches are recognised by the simulator itself."""
    full = _expand_vidal(tree, st)

    def policy(cur, hist):
        t = full
        for h in hist:
            if not isinstance(t, TreeNode):
                return None
            t = t.outcomes[h.index].child
        return _node_measurement(t, cur) if isinstance(t, TreeNode) else None
    fst = WClassState.from_components(*(float(v) for v in (st.x0, *st.x)), renormalise=True)
    sim = simulate(fst, policy, atol=1e-9)
    sup = fin = 0.0
    for lf in sim.leaves:
        t = full
        for h in lf.history:
            t = t.outcomes[h.index].child
        p = float(lf.probability)
        if lf.pair is not None:
            sup += p
            fin += p
        elif t.kind == "kappa":
            assert abs(float(lf.state.x0)) < 1e-12
            plane = WClassState(*(float(v) for v in lf.state.x), renormalise=True)  # x0 residue dropped
            sup += p * float(kappa(plane))
            fin += p * float(theorem2_protocol(plane, rounds).locc_lower)
    return sup, fin, sim


@pytest.mark.parametrize("which", ["sym", pytest.param("asym", marks=pytest.mark.slow)])
def test_tree_simulated_branch_by_branch_agrees_with_exact(which, request):
    res = request.getfixturevalue(which)
    sup, fin, sim = _simulate_tree(res.tree, res.state, res.rounds)
    assert sup == pytest.approx(float(res.evaluation.total), abs=1e-9)
    assert fin == pytest.approx(res.locc_lower, abs=1e-9)
    assert sim.total_probability() == pytest.approx(1.0, abs=1e-12)
    assert sum(finite_pairs(res.evaluation, res.rounds).values()) == pytest.approx(res.locc_lower,
                                                                                    abs=1e-12)


def test_root_node_matches_statevector_simulation(sym):
    node = sym.tree
    meas = _node_measurement(node, sym.state)
    fst = WClassState.from_components(*(float(v) for v in (SYM.x0, *SYM.x)), renormalise=True)
    for a, b in zip(measure(fst, meas), measure_statevector(fst, meas)):
        assert a.probability == pytest.approx(b.probability, abs=1e-12)
        assert a.state.as_float() == pytest.approx(b.state.as_float(), abs=1e-9)
    assert [float(p) for p in (sym.evaluation.cond[(0,)], sym.evaluation.cond[(1,)])] == \
        pytest.approx([float(b.probability) for b in measure(fst, meas)], abs=1e-12)


def test_rounds_tradeoff_increases_towards_the_sup(sym):
    vals = [v for _, v in sym.tradeoff]
    assert all(b >= a for a, b in zip(vals, vals[1:]))
    assert vals[-1] <= float(sym.evaluation.total) and float(sym.evaluation.total) - vals[-1] < 1e-5
    assert dict(sym.tradeoff)[sym.rounds] == sym.locc_lower
    assert finite_value(sym.evaluation, 10) < finite_value(sym.evaluation, 1000)


# ---- two-party slices: Vidal ---------------------------------------------------------------------

@pytest.mark.parametrize("x", [(F(1, 4), F(1, 2), F(1, 4), F(0)), (F(1, 10), F(0), F(3, 10), F(3, 5)),
                               (F(7, 10), F(1, 10), F(0), F(1, 5)), (F(1, 1000), F(0), F(1, 2), F(499, 1000))])
def test_two_party_slices_reach_vidal(x):
    st = WClassState.from_components(*x)
    res = locc_tree_bound(st, rounds=3)
    v = vidal_probability(st)
    assert res.evaluation.leaves[0][3] == "vidal"
    assert below_vidal(st, res.evaluation.total)  # exact: never above Vidal's optimum
    assert v - float(res.evaluation.total) < 1e-15
    assert res.locc_lower == pytest.approx(v, abs=1e-15)  # no rounds needed: one measurement
    # the explicit protocol, simulated in floats, ends in Psi+ with Vidal's probability
    node = vidal_subtree(st)
    fst = WClassState.from_components(*(float(t) for t in x), renormalise=True)
    br = measure(fst, _node_measurement(node, st))
    assert epr_pair(br[0].state, 1e-12) is not None
    assert float(br[0].probability) == pytest.approx(v, abs=1e-12)


def test_vidal_leaves_inside_a_tree_reach_vidal(sym):
    vid = [lf for lf in sym.evaluation.leaves if lf[3] == "vidal"]
    assert vid
    for _, p, lst, _, value in vid:
        assert below_vidal(lst, value) and float(vidal_probability(lst)) - float(value) < 1e-14


def test_plane_state_is_a_kappa_leaf():
    st = WClassState(F(1, 2), F(3, 10), F(1, 5))
    res = locc_tree_bound(st)
    assert res.evaluation.total == kappa(st) and res.locc_sup_lower <= kappa(st)
    assert res.depth == 0 and res.locc_lower == pytest.approx(float(theorem2_protocol(st).locc_lower))


# ---- certificates --------------------------------------------------------------------------------

def test_certificate_round_trip_and_tamper(sym):
    cert = sym.certificate()
    json.loads(json.dumps(cert))
    ok = verify_locc_tree_certificate(cert)
    assert ok.valid and ok.bound == sym.locc_sup_lower and "LOCC_sup >= 0.60" in ok.line()
    bad = copy.deepcopy(cert)
    bad["bound"]["exact"] = str(sym.locc_sup_lower + F(1, 10 ** 6))
    assert not verify_locc_tree_certificate(bad).valid
    bad = copy.deepcopy(cert)
    bad["tree"]["root"]["outcomes"][0]["c"] = "1/3"
    r = verify_locc_tree_certificate(bad)
    assert not r.valid and "not 1" in r.reason
    bad = copy.deepcopy(cert)
    leaf = bad["tree"]["root"]
    while "leaf" not in leaf:
        leaf = leaf["outcomes"][0]["child"]
    leaf["leaf"] = "kappa" if leaf["leaf"] != "kappa" else "vidal"
    assert not verify_locc_tree_certificate(bad).valid
    for mutate in (lambda c: c.update(extra=1), lambda c: c.update(kind="sep_lower_bound"),
                   lambda c: c["bound"].update(float_lower=1.0), lambda c: c.update(claim="LOCC_sup >= 1"),
                   lambda c: c["state"].update(xA="2/10"), lambda c: c.pop("tree")):
        bad = copy.deepcopy(cert)
        mutate(bad)
        res = verify_locc_tree_certificate(bad)
        assert not res.valid and res.reason and "Traceback" not in res.reason
    for junk in (None, [], "x", {"kind": "locc_sup_lower_bound"}):
        assert not verify_locc_tree_certificate(junk).valid


def test_certificate_deep_nesting_is_refused():
    d = {"leaf": "none"}
    for _ in range(5000):
        d = {"party": "A", "outcomes": [{"sqrt_a": "1", "beta": "0", "c": "1", "child": d}]}
    cert = locc_tree_certificate(SYM, LOCCLeaf("none"))
    cert["tree"]["root"] = d
    res = verify_locc_tree_certificate(cert)
    assert not res.valid and "deep" in res.reason


def test_sepgap_verify_checks_the_certificate(sym, tmp_path, capsys):
    from experiments.cli import main
    path = tmp_path / "locc.json"
    path.write_text(json.dumps(sym.certificate()))
    assert main(["verify", str(path)]) == 0
    assert "valid: LOCC_sup >=" in capsys.readouterr().out
    cert = sym.certificate()
    cert["bound"]["exact"] = "9/10"
    cert["bound"]["float_lower"] = 0.9
    path.write_text(json.dumps(cert))
    assert main(["verify", str(path)]) == 1
    assert "exceeds the tree's exact value" in capsys.readouterr().err


# ---- bad input -----------------------------------------------------------------------------------

@pytest.mark.parametrize("kwargs, needle", [
    ({"depth": -1}, "depth"), ({"depth": 99}, "depth"), ({"depth": 2.5}, "depth"),
    ({"rounds": -3}, "rounds"), ({"rounds": "10"}, "rounds"), ({"rounds": True}, "rounds"),
    ({"grid": 2}, "grid"), ({"grid": 10 ** 6}, "grid"),
])
def test_bad_arguments(kwargs, needle):
    with pytest.raises(LOCCTreeError, match=needle):
        locc_tree_bound(SYM, **kwargs)


@pytest.mark.parametrize("x", [(0.5, 0.6, 0.1), (-0.1, 0.5, 0.5), (float("nan"), 0.1, 0.1), (1, 2)])
def test_bad_states(x):
    with pytest.raises(InvalidStateError):
        locc_tree_bound(x)


def test_bad_trees():
    with pytest.raises(LOCCTreeError):
        LOCCLeaf("eq7")
    with pytest.raises(LOCCTreeError, match="kappa leaf needs x0 = 0"):
        evaluate_locc_tree(LOCCLeaf("kappa"), SYM)
    with pytest.raises(LOCCTreeError, match="Vidal leaf"):
        evaluate_locc_tree(LOCCLeaf("vidal"), SYM)
    with pytest.raises(LOCCTreeError, match="not an LOCC leaf"):
        evaluate_locc_tree(TreeLeaf("trivial"), SYM)
    incomplete = TreeNode("A", (TreeOutcome(F(1), F(0), F(1, 2), LOCCLeaf("none")),))
    with pytest.raises(LOCCTreeError, match="not 1"):
        evaluate_locc_tree(incomplete, SYM)


@pytest.mark.slow
def test_no_locc_bound_exceeds_certified_ppt_or_kappa():
    """Random interior states: locc_lower <= locc_sup_lower <= certified PPT and kappa."""
    import random

    from sdp import ppt_upper_bound
    rng = random.Random(3)
    for _ in range(6):
        w = [rng.random() for _ in range(4)]
        q = [F(round(t / sum(w) * 1000), 1000) for t in w[1:]]
        st = WClassState(*q)
        res = locc_tree_bound(st, rounds=100)
        ppt = ppt_upper_bound(st, certify=True).certified
        assert ppt is not None
        assert res.locc_lower <= float(res.locc_sup_lower) and res.evaluation.total <= ppt
        assert res.evaluation.total <= kappa(st)
