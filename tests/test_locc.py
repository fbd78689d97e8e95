"""LOCC protocols (analytics/locc.py): Vidal, Fortescue-Lo-type on |W>, Theorem 2, x0 > 0.

Independent sources: closed forms derived by hand (stated in each test), exact rational
arithmetic, the fully unrolled branch tree, kappa of PRL 108, 240504 Eq. (4) and its closed form
on psi_s, and explicit 8-dimensional state-vector simulation of Vidal's measurement.
"""
from __future__ import annotations

import math
from fractions import Fraction as F

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as hst

from analytics.errors import SepgapError
from analytics.lower import locc_lower_bound
from analytics.locc import (
    EPSILON_GRID, LOCCResult, ProtocolError, fl_weak_measurement, fortescue_lo,
    fortescue_lo_round, fortescue_lo_rounds_for, fortescue_lo_tree,
    projective_vidal_protocol, theorem2_locc_lower, theorem2_protocol, vidal_measurement,
    vidal_probability,
)
from analytics.measurements import apply_local, simulate
from analytics.monotones import kappa, kappa_psi
from analytics.states import WClassState, psi_s

PSI_S_TABLE = [F(1, 3), F(7, 20), F(2, 5), F(9, 20), F(1, 2), F(11, 20), F(3, 5), F(7, 10),
               F(4, 5), F(9, 10), F(99, 100)]


# ---- Vidal --------------------------------------------------------------------------------------

@pytest.mark.parametrize("x", [(F(3, 5), F(2, 5), 0), (F(9, 10), 0, F(1, 10)), (0, F(1, 3), F(2, 3)),
                               (F(1, 2), F(1, 2), 0)])
def test_vidal_measurement_gives_two_min(x):
    st = WClassState(*x)
    tree = simulate(st, lambda s, h: None if h else vidal_measurement(s))
    nz = [v for v in x if v != 0]
    assert tree.success_probability() == 2 * min(nz) == vidal_probability(st) == kappa(st)
    assert tree.total_probability() == 1


def test_vidal_measurement_rejects_three_party_or_x0():
    with pytest.raises(ProtocolError, match="x0 = 0 and exactly two"):
        vidal_measurement(WClassState(F(1, 3), F(1, 3), F(1, 3)))
    with pytest.raises(ProtocolError, match="x0 = 0 and exactly two"):
        vidal_measurement(WClassState(F(1, 4), F(1, 4), 0))
    with pytest.raises(ProtocolError, match="not a two-qubit state"):
        vidal_probability(WClassState(F(1, 3), F(1, 3), F(1, 3)))


def _schmidt_vidal_by_statevector(st: WClassState) -> float:
    """Vidal's protocol done explicitly on the 8-dim vector: Schmidt basis of (A, B) (C is |0>),
    A measures sqrt(l2/l1)|u1><u1| + |u2><u2|; the branch must be maximally entangled."""
    v = st.amplitudes().reshape(2, 2, 2)[:, :, 0]  # C = 0; matrix over (A, B)
    u, s, vh = np.linalg.svd(v)
    l1, l2 = s[0] ** 2, s[1] ** 2
    m = math.sqrt(l2 / l1) * np.outer(u[:, 0], u[:, 0].conj()) + np.outer(u[:, 1], u[:, 1].conj())
    out = apply_local(st.amplitudes(), "A", m)
    p = float(np.vdot(out, out).real)
    branch = (out / math.sqrt(p)).reshape(2, 2, 2)[:, :, 0]
    sv = np.linalg.svd(branch, compute_uv=False)
    assert np.allclose(sv ** 2, [0.5, 0.5], atol=1e-12)  # maximally entangled: EPR up to LU
    m2 = math.sqrt(1 - l2 / l1) * np.outer(u[:, 0], u[:, 0].conj())
    assert np.allclose(m.conj().T @ m + m2.conj().T @ m2, np.eye(2), atol=1e-12)
    return p


@pytest.mark.parametrize("x", [(0.3, 0.2, 0.0), (0.45, 0.05, 0.0), (0.1, 0.1, 0.0), (0.7, 0.2, 0.0)])
def test_vidal_probability_with_x0_against_statevector(x):
    st = WClassState(*x)
    assert st.x0 > 0
    assert vidal_probability(st) == pytest.approx(_schmidt_vidal_by_statevector(st), abs=1e-12)
    assert vidal_probability(st) < kappa(st)  # strict below kappa = 2 x_n2 when x0 > 0


# ---- Fortescue-Lo-type protocol -------------------------------------------------------------------

@pytest.mark.parametrize("eps", [F(1, 2), F(1, 7), F(1, 100), F(3, 11)])
def test_fl_round_exact_values(eps):
    """By hand: q = (1-e)^2; p_BC = 2e/3; p_AC = e(2-e)/3 * 2(1-e)/(2-e) = 2e(1-e)/3;
    p_AB = 2e(1-e)/3; fail = e^2/3 (the Vidal branch loses e(2-e)/3 - 2e(1-e)/3)."""
    r = fortescue_lo_round(eps)
    assert r.return_probability == (1 - eps) ** 2
    assert r.pairs == {"BC": 2 * eps / 3, "AC": 2 * eps * (1 - eps) / 3, "AB": 2 * eps * (1 - eps) / 3}
    assert r.fail == eps ** 2 / 3
    assert r.tree.total_probability() == 1


@pytest.mark.parametrize("rounds", [0, 1, 2, 3, 6])
@pytest.mark.parametrize("eps", [F(1, 5), F(1, 13)])
def test_fl_composition_equals_unrolled_tree(rounds, eps):
    tree = fortescue_lo_tree(rounds, eps)
    res = fortescue_lo(rounds, eps, exact=True)
    assert tree.pair_probabilities() == res.pairs
    assert tree.success_probability() == res.success
    assert tree.total_probability() == 1
    assert res.success + res.fail == 1
    assert tree.depth == res.measurements == 3 * rounds + 1  # all null, then the finish


def test_fl_float_composition_matches_exact():
    for n in (0, 1, 10, 200):
        ex, fl = fortescue_lo(n, F(1, 40), exact=True), fortescue_lo(n, F(1, 40))
        assert float(ex.success) == pytest.approx(fl.success, abs=1e-14)


def test_fl_limit_for_fixed_epsilon():
    """P_infinity = s/(1-q) = 1 - e/(3(2-e)) (derived from the exact round values)."""
    eps = F(1, 50)
    lim = 1 - eps / (3 * (2 - eps))
    r = fortescue_lo_round(eps)
    assert sum(r.pairs.values()) / (1 - r.return_probability) == lim
    assert fortescue_lo(20000, eps).success == pytest.approx(float(lim), abs=1e-14)
    assert fortescue_lo(20000, eps).success < float(lim)


def test_fl_reaches_one_minus_1e_3_with_finite_budget():
    res = fortescue_lo(1000)
    assert res.success > 1 - 1e-3
    best = fortescue_lo_rounds_for(1e-3)
    assert 1 - best.success < 1e-3
    assert 1 - fortescue_lo(best.rounds - 1).success >= 1e-3
    assert best.rounds < 1000
    assert fortescue_lo(10 ** 6).success > 1 - 1e-5


def test_fl_monotone_in_budget():
    vals = [fortescue_lo(n).success for n in range(0, 400)]
    vals += [fortescue_lo(n).success for n in (500, 1000, 2000, 5000, 10 ** 4, 10 ** 5, 10 ** 6)]
    assert all(b > a for a, b in zip(vals, vals[1:]))
    assert vals[0] == pytest.approx(2 / 3, abs=1e-15)  # no rounds: A measures, BC share EPR


def test_fl_pairs_sum_and_bad_parameters():
    res = fortescue_lo(50)
    assert math.fsum(res.pairs.values()) == pytest.approx(res.success, abs=1e-15)
    assert res.epsilon in EPSILON_GRID
    for bad in (-1, 1.5, True, "3", 10 ** 400):
        with pytest.raises(ProtocolError, match="rounds"):
            fortescue_lo(bad)
    for bad in (0, 1, F(3, 2), float("nan"), "x"):
        with pytest.raises(ProtocolError, match="epsilon"):
            fl_weak_measurement("A", bad)
    for bad in (0.0, 1.0, -1):
        with pytest.raises(ProtocolError, match="target_loss"):
            fortescue_lo_rounds_for(bad)


def test_fl_measurements_complete_exactly():
    for eps in EPSILON_GRID[:20]:
        m = fl_weak_measurement("B", eps)
        assert m.completeness_residuals() == (0, 0, 0)


# ---- Theorem 2 protocol ------------------------------------------------------------------------

@pytest.mark.parametrize("s", PSI_S_TABLE)
def test_theorem2_on_psi_s_approaches_kappa_from_below(s):
    res = theorem2_protocol(psi_s(s), 1000)
    k = float(kappa_psi(s))
    assert res.kappa == pytest.approx(k, abs=1e-15)
    assert 0 < k - res.locc_lower <= 1e-3
    assert math.fsum([res.p_AB, res.p_AC, res.p_BC]) == pytest.approx(res.locc_lower, abs=1e-15)


def test_theorem2_at_s_half_value():
    res = theorem2_protocol(psi_s(F(1, 2)), 1000)
    assert res.kappa == F(7, 8) or res.kappa == 0.875
    assert 0.8745 < res.locc_lower < 0.875


@pytest.mark.parametrize("x", [(F(1, 2), F(1, 4), F(1, 4)), (F(1, 2), F(1, 3), F(1, 6)),
                               (F(2, 5), F(2, 5), F(1, 5)), (F(1, 5), F(3, 10), F(1, 2)),
                               (F(1, 3), F(1, 3), F(1, 3))])
def test_theorem2_exact_identity(x):
    """kappa - P = 3 (x_n2 x_n3 / x_n1) (1 - P_FL) exactly (rational eps, exact composition), and
    the |W> branch has probability 3 x_n2 x_n3 / x_n1 (proof of Theorem 2)."""
    st = WClassState(*x)
    (a, b, c), _ = st.sorted()
    eps = F(1, 30)
    res = theorem2_protocol(st, 25, epsilon=eps, exact=True)
    fl = fortescue_lo(25, eps, exact=True)
    assert res.exact and isinstance(res.locc_lower, F)
    assert res.w_probability == 3 * b * c / a
    assert kappa(st) - res.locc_lower == 3 * b * c / a * (1 - fl.success)
    assert res.p_AB + res.p_AC + res.p_BC == res.locc_lower


def test_theorem2_per_pair_probabilities_exact():
    """x = (1/2, 1/3, 1/6): p_{n1 n3} = (1 - x_n2/x_n1) 2 x_n3, p_{n1 n2} = (1 - x_n3/x_n1) 2 x_n2
    before the Fortescue-Lo branch; check with rounds = 0 where FL gives p_BC = 2/3 only."""
    st = WClassState(F(1, 2), F(1, 3), F(1, 6))
    res = theorem2_protocol(st, 0, epsilon=F(1, 2), exact=True)
    pw = 3 * F(1, 3) * F(1, 6) / F(1, 2)
    assert res.p_AC == (1 - F(2, 3)) * 2 * F(1, 6)
    assert res.p_AB == (1 - F(1, 3)) * 2 * F(1, 3)
    assert res.p_BC == pw * F(2, 3)


@pytest.mark.parametrize("x", [(F(3, 5), F(2, 5), 0), (0, F(1, 10), F(9, 10)), (F(1, 2), 0, F(1, 2)),
                               (1, 0, 0), ("0.7", "0.3", 0)])
def test_theorem2_two_qubit_is_vidal_and_exact(x):
    st = WClassState(*x)
    res = theorem2_protocol(st, 10)
    assert res.locc_lower == kappa(st)
    assert res.fl_success is None and res.w_probability == 0


def test_theorem2_rejects_x0_and_bad_rounds():
    with pytest.raises(ProtocolError, match="x0 = 0"):
        theorem2_protocol(WClassState(F(1, 4), F(1, 4), F(1, 4)), 10)
    with pytest.raises(ProtocolError, match="rounds = -2"):
        theorem2_protocol(psi_s(F(1, 2)), -2)
    with pytest.raises(SepgapError):
        theorem2_locc_lower(WClassState(0.5, 0.6, 0.0), 10)


def test_theorem2_locc_lower_for_sweeps():
    res = theorem2_locc_lower(psi_s(0.6), 500)
    assert isinstance(res, LOCCResult)
    d = res.as_dict()
    for key in ("locc_lower", "kappa", "rounds", "p_AB", "p_AC", "p_BC", "gap"):
        assert key in d
    assert d["rounds"] == 500 and d["locc_lower"] == pytest.approx(float(res.locc_lower))


def test_theorem2_monotone_in_rounds():
    st = WClassState(F(1, 2), F(3, 10), F(1, 5))
    vals = [float(theorem2_protocol(st, n).locc_lower) for n in (0, 1, 2, 5, 10, 50, 100, 1000, 10000)]
    assert all(b > a for a, b in zip(vals, vals[1:]))


# ---- property: no protocol exceeds kappa -----------------------------------------------------------

@hst.composite
def x0_zero_states(draw):
    exact = draw(hst.booleans())
    if exact:
        w = [draw(hst.integers(0, 1000)) for _ in range(3)]
        assume(sum(w) > 0)
        return WClassState(*(F(v, sum(w)) for v in w))
    w = [draw(hst.floats(0, 1, allow_nan=False)) for _ in range(3)]
    assume(sum(w) > 1e-6)
    t = sum(w)
    return WClassState.from_components(0.0, *(v / t for v in w), renormalise=True)


@settings(max_examples=400, deadline=None)
@given(x0_zero_states(), hst.integers(0, 5000))
def test_theorem2_never_exceeds_kappa(st, rounds):
    res = theorem2_protocol(st, rounds)
    k = float(kappa(st))
    assert float(res.locc_lower) <= k + 1e-12
    assert float(res.locc_lower) >= -1e-15
    for p in (res.p_AB, res.p_AC, res.p_BC):
        assert float(p) >= -1e-15


@settings(max_examples=40, deadline=None)
@given(hst.lists(hst.floats(0, 1, allow_nan=False), min_size=4, max_size=4))
def test_x0_positive_protocol_never_exceeds_kappa(w):
    assume(sum(w) > 1e-3 and w[0] > 1e-6)
    t = sum(w)
    st = WClassState.from_components(*(v / t for v in w), renormalise=True)
    res = locc_lower_bound(st)
    assert res.protocol in ("tree+theorem2", "projective+vidal")
    assert 0 <= res.locc_lower <= float(kappa(st)) + 1e-12
    assert res.locc_lower >= projective_vidal_protocol(st).locc_lower - 1e-12


def test_x0_positive_two_qubit_is_vidal_optimum():
    st = WClassState(0.3, 0.2, 0.0)
    res = projective_vidal_protocol(st)
    assert res.locc_lower == pytest.approx(vidal_probability(st), abs=1e-12)
    assert res.locc_lower < kappa(st)


def test_x0_positive_protocol_branches_by_hand():
    """W-symmetric x = (1/6, 1/6, 1/6), x0 = 1/2, party C projects onto v with <v|-amplitude that
    removes |000>: that branch alone is EPR on AB with probability x_C/(x0+x_C) * (x_A+x_B) = 1/12;
    the optimiser can only do better."""
    st = WClassState(F(1, 6), F(1, 6), F(1, 6))
    res = projective_vidal_protocol(st)
    assert res.locc_lower >= 1 / 12
    assert res.locc_lower <= kappa(st)
