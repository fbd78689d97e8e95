"""eta and kappa (Eqs. 3-4) against the paper's closed forms and their stated properties."""
from fractions import Fraction as F
from itertools import permutations

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

from analytics.errors import InvalidStateError
from analytics.monotones import eta, eta_array, kappa, kappa_array, kappa_psi
from analytics.states import WClassState, psi_s

FLOAT_TOL = 1e-12  # float evaluation of the same rational formulas, a few ulps


def exact_states(max_den=40, x0_zero=False):
    """Exact W-class states x = (a, b, c) / (a + b + c + d), integers."""
    w = st.integers(0, max_den)
    return st.tuples(w, w, w, st.just(0) if x0_zero else w).filter(lambda t: sum(t) > 0).map(
        lambda t: WClassState(*(F(v, sum(t)) for v in t[:3])))


@pytest.mark.parametrize("s, expected", [(F(1, 3), F(1)), (F(1, 2), F(7, 8)), (F(1), F(0))])
def test_kappa_on_paper_family_exact(s, expected):
    value = kappa(psi_s(s))
    assert value == expected and isinstance(value, F)


@pytest.mark.parametrize("s", [F(1, 3) + F(k, 90) for k in range(61)])
def test_kappa_psi_closed_form_equals_kappa(s):
    # Fig. 1 caption: kappa(psi_s) = 2(1-s) - (1-s)^2 / (4s), exact
    assert kappa(psi_s(s)) == kappa_psi(s) == 2 * (1 - s) - (1 - s) ** 2 / (4 * s)


@pytest.mark.parametrize("x", [
    (F(1, 2), F(1, 3), F(1, 6)), (F(1, 5), F(1, 7), F(1, 11)), (F(3, 5), F(1, 5), F(1, 5)),
])
def test_eta_alternative_forms(x):
    # proof of Theorem 1: eta = x_n2 (1 - x_n3/x_n1) + x_n3 = x_n3 (1 - x_n2/x_n1) + x_n2
    a, b, c = sorted(x, reverse=True)
    assert eta(x) == b * (1 - c / a) + c == c * (1 - b / a) + b


@pytest.mark.parametrize("x0, big, small", [
    (F(0), F(1, 2), F(1, 2)), (F(0), F(3, 4), F(1, 4)), (F(0), F(9, 10), F(1, 10)),
    (F(1, 5), F(1, 2), F(3, 10)), (F(0), F(1), F(0)),
])
@pytest.mark.parametrize("slot", [0, 1, 2])
def test_two_qubit_limit_is_vidal(x0, big, small, slot):
    # x_n3 = 0: kappa = 2 x_n2 (text below Eq. 4)
    xs = [big, small]
    xs.insert(slot, F(0))
    assert kappa(WClassState(*xs, x0=x0)) == 2 * small


@pytest.mark.parametrize("x", [
    (F(1, 2), F(1, 3), F(1, 6)), (F(1, 10), F(1, 5), F(1, 3)), (0.45, 0.3, 0.1),
    (F(1, 3), F(1, 3), F(1, 3)), (F(0), F(1, 2), F(1, 4)),
])
def test_symmetric_under_all_permutations(x):
    k, e = kappa(x), eta(x)
    for p in permutations(x):
        assert kappa(p) == k and eta(p) == e


@pytest.mark.parametrize("x", [(F(1, 2), F(1, 4), F(1, 4)), (F(3, 5), F(1, 4), F(3, 20)),
                               (F(1, 3), F(1, 3), F(1, 3)), (F(1, 2), F(1, 2), F(0))])
@pytest.mark.parametrize("t", [F(1), F(9, 10), F(1, 2), F(1, 7), F(1, 1000)])
def test_homogeneous_of_degree_one(x, t):
    # kappa(t x) = t kappa(x), with x0 = 1 - t (xA + xB + xC)
    scaled = WClassState(*(t * v for v in x), x0=1 - t * sum(x))
    assert kappa(scaled) == t * kappa(x) and eta(scaled) == t * eta(x)


@pytest.mark.parametrize("x", [(0, 0, 0), (F(1), 0, 0), (0, F(3, 10), 0), (0, 0, 0.7)])
def test_product_states_have_zero(x):
    assert kappa(x) == 0 and eta(x) == 0


def test_kappa_is_one_iff_top_two_equal_and_x0_zero():
    n = 12
    for i in range(n + 1):
        for j in range(n + 1 - i):
            for d in (0, 1):
                k = n - d - i - j
                if k < 0:
                    continue
                stt = WClassState(F(i, n), F(j, n), F(k, n))
                a, b, _ = stt.sorted()[0]
                assert (kappa(stt) == 1) == (a == b and stt.x0 == 0)
                # kappa <= 1 - x0, equality iff x_n1 = x_n2 (proof of Theorem 1 (B))
                assert kappa(stt) <= 1 - stt.x0
                assert (kappa(stt) == 1 - stt.x0) == (a == b)


def test_float_and_exact_agree_on_grid():
    for s in np.linspace(1 / 3 + 1e-15, 1, 41):  # the float 1/3 is below 1/3: outside kappa_psi
        fl = WClassState.from_components(0.0, s, (1 - s) / 2, (1 - s) / 2, renormalise=True)
        assert abs(kappa(fl) - kappa_psi(s)) <= FLOAT_TOL


def test_arrays_match_scalars():
    xs = np.array([[0.5, 0.25, 0.25], [0.2, 0.3, 0.1], [0, 0, 0], [1 / 3] * 3, [0.6, 0.4, 0]])
    # a tuple of floats is read exactly (binary values): exact results, compared as floats
    assert np.allclose(kappa_array(xs), [float(kappa(tuple(r))) for r in xs], atol=FLOAT_TOL, rtol=0)
    assert np.allclose(eta_array(xs), [float(eta(tuple(r))) for r in xs], atol=FLOAT_TOL, rtol=0)
    with4 = np.c_[1 - xs.sum(axis=1), xs]
    assert np.allclose(kappa_array(with4), kappa_array(xs), atol=FLOAT_TOL, rtol=0)


@pytest.mark.parametrize("x, message", [
    ([[0.6, 0.6, 0.6]], "sum to 1.79"), ([0.1, 0.2], "length 3"), ([[-0.1, 0.2, 0.3]], "non-negative"),
    ([[np.nan, 0.2, 0.3]], "finite"), ([[0.3, 0.2, 0.2, 0.2]], "must equal 1"), (0.5, "length 3"),
])
def test_arrays_reject_bad_input(x, message):
    with pytest.raises(InvalidStateError, match=message):
        kappa_array(x)


@settings(max_examples=300, deadline=None)
@given(exact_states())
def test_ordering_property(stt):
    e, k = eta(stt), kappa(stt)
    assert 0 <= e <= k <= 1 and isinstance(k, F)


@settings(max_examples=200, deadline=None)
@given(exact_states())
def test_float_and_exact_agree(stt):
    fl = WClassState.from_components(*(float(v) for v in (stt.x0, *stt.x)), renormalise=True)
    assert abs(float(kappa(stt)) - kappa(fl)) <= FLOAT_TOL
    assert abs(float(eta(stt)) - eta(fl)) <= FLOAT_TOL
