"""The monotonicity checker (analytics/monotone_check.py) and the candidate monotones (issue 18).

Independent sources: analytics.measurements.measure (the closed-form branch map, applied to the
measurement the checker reports), the 8-dimensional state-vector simulation, exact rational
recomputation of the cut bound, the certified PPT bound (slow test).
"""
from __future__ import annotations

import math
from fractions import Fraction as F

import numpy as np
import pytest

from analytics import WClassState
from analytics.locc import vidal_probability
from analytics.measurements import measure, measure_statevector
from analytics.monotone_candidates import (CANDIDATES, NON_MONOTONE, cut_monotone, cut_upper,
                                           kappa_weights, min_kappa_cut, vidal_weights)
from analytics.monotone_check import (MonotoneCheckError, branches, find_monotone_violation,
                                      measurement_of, sample_measurements, sample_states)
from analytics.monotones import kappa

PER_PARTY = 10_000


def _clean(res):
    assert not res.found, str(res)
    assert all(n >= PER_PARTY for n in res.pairs.values()) and set(res.pairs) == {"A", "B", "C"}
    assert res.violations == 0


def test_kappa_is_clean():
    _clean(find_monotone_violation(kappa_weights, samples=PER_PARTY))


def test_cut_monotones_are_clean():
    # the cheap certified stand-in for the PPT bound (a proved monotone, docs/locc-monotones.md)
    _clean(find_monotone_violation(cut_monotone, samples=PER_PARTY, seed=1))
    _clean(find_monotone_violation(min_kappa_cut, samples=PER_PARTY, seed=2))


def test_exact_two_party_values_are_clean():
    _clean(find_monotone_violation(vidal_weights, samples=PER_PARTY, region="two-party"))


def test_kappa_clean_on_the_plane_and_at_one_state():
    _clean(find_monotone_violation(kappa_weights, samples=PER_PARTY, region="plane"))
    res = find_monotone_violation(kappa_weights, (F(1, 10), F(3, 10), F(3, 10), F(3, 10)),
                                  samples=PER_PARTY)
    _clean(res)
    assert res.state == pytest.approx((0.1, 0.3, 0.3, 0.3))


def _recheck(V, res):
    """The reported measurement, applied by analytics.measurements.measure, raises V by the
    reported amount (an independent computation of the branches)."""
    st = WClassState.from_components(*res.state, renormalise=True)
    total = 0.0
    for br in measure(st, res.measurement):
        w = np.array([float(br.state.x0), *map(float, br.state.x)])
        total += float(br.probability) * float(V(w[None, :])[0])
    w0 = np.array(res.state)
    return total - float(V(w0[None, :])[0])


@pytest.mark.parametrize("name", sorted(NON_MONOTONE))
def test_known_non_monotones_are_caught(name):
    V = NON_MONOTONE[name]
    res = find_monotone_violation(V, samples=2000)
    assert res.found and res.increase > 1e-3 and res.violations > 0
    assert _recheck(V, res) == pytest.approx(res.increase, abs=1e-9)


def test_the_heuristic_candidates_fail():
    for name in ("kappa_lambda", "kappa_det", "kappa_plane"):
        res = find_monotone_violation(CANDIDATES[name], samples=3000)
        assert res.found and res.increase > 1e-3, name
        assert _recheck(CANDIDATES[name], res) == pytest.approx(res.increase, abs=1e-9)


def test_branches_match_the_simulator():
    rng = np.random.default_rng(5)
    w = sample_states(200, "tetrahedron", rng, keep=1)
    p = sample_measurements(200, rng)
    w1, w2, ok, uu = branches(w.copy(), 1, p[:, 0], p[:, 1], p[:, 2])
    for i in range(0, 200, 7):
        st = WClassState.from_components(*w[i], renormalise=True)
        meas = measurement_of(w[i], 1, *p[i])
        got = {br.index: br for br in measure(st, meas)}
        sv = {br.index: br for br in measure_statevector(st, meas)}
        for j, b in enumerate((w1[i], w2[i])):
            if b.sum() < 1e-12:
                continue
            assert float(got[j].probability) == pytest.approx(b.sum(), abs=1e-9)
            assert got[j].state.as_float() == pytest.approx(b / b.sum(), abs=1e-7)
            assert float(sv[j].probability) == pytest.approx(b.sum(), abs=1e-9)


def test_cut_values_on_the_plane_and_slices():
    # plane: min(1, 2(1 - x_max)) >= kappa; two-party slice: Vidal's value
    for x in [(0.5, 0.3, 0.2), (0.7, 0.2, 0.1), (1 / 3, 1 / 3, 1 / 3)]:
        w = np.array([[0.0, *x]])
        assert cut_monotone(w)[0] == pytest.approx(min(1, 2 * (1 - max(x))), abs=1e-12)
        assert min_kappa_cut(w)[0] == pytest.approx(float(kappa(x)), abs=1e-12)
    for x in [(0.25, 0.5, 0.25, 0.0), (0.1, 0.0, 0.3, 0.6)]:
        v = float(vidal_probability(WClassState.from_components(*x, renormalise=True)))
        assert cut_monotone(np.array([x]))[0] == pytest.approx(v, abs=1e-12)
        assert min_kappa_cut(np.array([x]))[0] == pytest.approx(v, abs=1e-12)


def test_cut_upper_is_exact_and_outward():
    st = WClassState.from_components(F(1, 10), F(3, 10), F(3, 10), F(3, 10))
    q = cut_upper(st)
    lam = (1 - math.sqrt(1 - 4 * 0.3 * 0.6)) / 2
    assert float(q) == pytest.approx(3 * lam, abs=1e-15)
    # each lambda_min = (1 - sqrt(D))/2 with the square root rounded down: q >= the true value
    d = 1 - 4 * F(3, 10) * F(6, 10)
    s = 1 - 2 * q / 3  # the rounded-down square root used
    assert s * s <= d and d - s * s < F(1, 2 ** 100)


def test_monotone_bound_enters_locc_upper_without_certificate():
    from experiments.brackets import bracket
    st = WClassState.from_components(F(1, 10), F(3, 10), F(3, 10), F(3, 10))
    b = bracket(st, sdp=False, locc_rounds=None)
    assert b.locc_upper_kind == "monotone:cut" and 0.706 < b.locc_upper < 0.7063
    assert b.locc_upper_exact == cut_upper(st) and b.sep_upper is None
    plane = WClassState(F(1, 2), F(3, 10), F(1, 5))
    b = bracket(plane, sdp=False, locc_rounds=None)
    assert b.locc_upper_kind == "kappa" and b.locc_upper_exact == kappa(plane)


@pytest.mark.slow
def test_certified_ppt_stays_the_locc_upper_bound_where_it_is_smaller():
    from experiments.brackets import bracket
    b = bracket(WClassState.from_components(F(1, 10), F(3, 10), F(3, 10), F(3, 10)), locc_rounds=None)
    assert b.locc_upper_kind == "ppt" and b.locc_upper_exact == b.sep_upper_exact < F(651, 1000)


@pytest.mark.parametrize("kwargs, needle", [
    ({"samples": 0}, "samples"), ({"samples": 2.5}, "samples"), ({"region": "cube"}, "region"),
    ({"tol": float("nan")}, "tol"), ({"tol": -1}, "tol"), ({"parties": ("D",)}, "parties"),
    ({"parties": ()}, "parties"), ({"refine": -1}, "refine"),
])
def test_bad_arguments(kwargs, needle):
    with pytest.raises(MonotoneCheckError, match=needle):
        find_monotone_violation(kappa_weights, **kwargs)


def test_bad_functions():
    with pytest.raises(MonotoneCheckError, match="not callable"):
        find_monotone_violation(3)
    with pytest.raises(MonotoneCheckError, match="not finite"):
        find_monotone_violation(lambda w: np.full(len(w), np.nan), samples=10)
    with pytest.raises(MonotoneCheckError, match="shape"):
        find_monotone_violation(lambda w: w, samples=10)


def test_scalar_functions():
    res = find_monotone_violation(lambda w: float(kappa_weights(np.asarray(w)[None, :])[0]),
                                  samples=50, vectorized=False, refine=1)
    assert not res.found and sum(res.pairs.values()) == 150


@pytest.mark.slow
def test_certified_ppt_bound_is_clean():
    """The real certified PPT bound (one SDP and certificate per evaluation, ~0.6 s each):
    random states and measurements per party; each state is the exact rational of its float
    weights (no further rounding); tolerance 1e-6 for the certificates' slack."""
    from sdp import ppt_upper_bound

    def ppt(w):
        s = float(np.sum(w))
        q = [F(float(t) / s) for t in w[1:]]
        if sum(q) > 1:
            q[int(np.argmax(q))] -= sum(q) - 1
        res = ppt_upper_bound(WClassState(*q), certify=True)
        assert res.certified is not None
        return s * float(res.certified)
    res = find_monotone_violation(ppt, samples=6, vectorized=False, refine=0, tol=1e-6, seed=4)
    assert not res.found, str(res)
    assert all(n == 6 for n in res.pairs.values())
