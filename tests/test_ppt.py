"""The PPT relaxation against independent values: the paper's closed forms, Vidal's two-qubit
optimum, explicit SEP instruments (lower bounds), symmetry, and a second solver."""
from fractions import Fraction as F

import numpy as np
import pytest

from analytics import WClassState, psi_s
from analytics.lower import sep_lower_bound
from sdp import ppt_upper_bound
from sdp.engine import SolverError

TOL = 1e-6  # solver accuracy asked of every optimal value here


def vidal(x0, xA, xB):
    """Vidal's optimal EPR probability 2*lambda_min for sqrt(x0)|00> + sqrt(xA)|10> + sqrt(xB)|01>."""
    M = np.array([[np.sqrt(x0), np.sqrt(xB)], [np.sqrt(xA), 0.0]])
    return 2 * np.linalg.svd(M, compute_uv=False).min() ** 2


@pytest.mark.parametrize("s", [F(1, 3), F(2, 5), F(9, 20), F(1, 2)])
def test_psi_s_paper_range_is_one(s):
    res = ppt_upper_bound(psi_s(s))
    assert res.status == "optimal"
    assert res.value == pytest.approx(1.0, abs=TOL)


@pytest.mark.parametrize("x", [
    (F(3, 5), F(2, 5), 0), (F(1, 2), F(1, 2), 0), (F(9, 10), F(1, 10), 0), (0, F(7, 10), F(3, 10)),
])
def test_two_qubit_states_give_vidal(x):
    st = WClassState(*x)
    big, small = sorted([v for v in st.x if v], reverse=True)[:2] if sum(1 for v in st.x if v) == 2 else (1, 0)
    res = ppt_upper_bound(st)
    assert res.status == "optimal"
    assert res.value == pytest.approx(2 * float(small), abs=TOL)


@pytest.mark.parametrize("x0,xA,xB", [(F(1, 4), F(1, 4), F(1, 2)), (F(1, 10), F(3, 5), F(3, 10))])
def test_two_qubit_with_vacuum_gives_vidal(x0, xA, xB):
    res = ppt_upper_bound(WClassState.from_components(x0, xA, xB, 0))
    assert res.value == pytest.approx(vidal(float(x0), float(xA), float(xB)), abs=TOL)


def test_product_state_gives_zero():
    res = ppt_upper_bound(WClassState(0, 0, 0))
    assert res.status == "optimal"
    assert res.value == pytest.approx(0.0, abs=TOL)


def test_ghz_gives_one():
    psi = np.zeros(8)
    psi[0] = psi[7] = 1 / np.sqrt(2)
    res = ppt_upper_bound(psi)
    assert res.status == "optimal"
    assert res.value == pytest.approx(1.0, abs=TOL)


GRID = [  # x0 = 0, both regions, the boundary x_n1 = 1/2 and small x_n3
    (F(1, 2), F(1, 4), F(1, 4)), (F(2, 5), F(7, 20), F(1, 4)), (F(1, 2), F(49, 100), F(1, 100)),
    (F(3, 5), F(1, 5), F(1, 5)), (F(7, 10), F(1, 5), F(1, 10)), (F(4, 5), F(19, 100), F(1, 100)),
    (F(1, 4), F(1, 2), F(1, 4)), (F(1, 10), F(1, 5), F(7, 10)),
]


@pytest.mark.parametrize("x", GRID)
def test_never_below_explicit_lower_bound(x):
    st = WClassState(*x)
    lb = sep_lower_bound(st, method="tree")
    res = ppt_upper_bound(st)
    assert res.status == "optimal"
    assert res.value >= float(lb.value) - TOL


@pytest.mark.parametrize("x", [(F(3, 5), F(3, 10), F(1, 10)), (F(1, 10), F(1, 5), F(3, 10), F(2, 5))])
def test_permutation_of_parties_gives_same_value(x):
    st = WClassState.from_sequence(x)
    ref = ppt_upper_bound(st).value
    for perm in ("BCA", "CAB", "ACB"):
        assert ppt_upper_bound(st.permuted(perm)).value == pytest.approx(ref, abs=1e-5)


@pytest.mark.parametrize("x", [(F(1, 2), F(1, 4), F(1, 4)), (F(3, 5), F(3, 10), F(1, 10))])
def test_restricting_pairs_never_increases(x):
    st = WClassState(*x)
    full = ppt_upper_bound(st).value
    for pairs in (("AB", "AC"), ("AB",), ("BC",), ("AC", "BC")):
        assert ppt_upper_bound(st, pairs=pairs).value <= full + TOL


def test_single_pair_on_two_qubit_state_is_vidal():
    # only AB counted; the state is an AB two-qubit state, so AB alone reaches 2 x_n2
    res = ppt_upper_bound(WClassState(F(3, 5), F(2, 5), 0), pairs="AB")
    assert res.value == pytest.approx(0.8, abs=TOL)


def test_fidelity_objective_is_not_below_exact():
    st = psi_s(F(7, 10))
    exact = ppt_upper_bound(st).value
    fid = ppt_upper_bound(st, objective="fidelity")
    assert fid.objective == "fidelity" and "fidelity" in fid.label
    assert fid.value >= exact - TOL


@pytest.mark.parametrize("x", [(F(1, 2), F(1, 4), F(1, 4)), (F(7, 10), F(1, 5), F(1, 10)),
                               (F(1, 10), F(2, 5), F(3, 10), F(1, 5))])
def test_scs_and_clarabel_agree(x):
    st = WClassState.from_sequence(x)
    a = ppt_upper_bound(st, solver="SCS")
    b = ppt_upper_bound(st, solver="CLARABEL")
    if a.status == "optimal" and b.status == "optimal":
        assert a.value == pytest.approx(b.value, abs=1e-5)
    else:  # a solver that did not converge must say so
        assert a.kind == "failed" or b.kind == "failed"


def test_per_pair_probabilities_sum_to_value():
    res = ppt_upper_bound(psi_s(F(3, 5)))
    assert sum(res.p_pairs.values()) == pytest.approx(res.value, abs=1e-7)


def test_failed_solve_is_never_a_bound():
    # 5 iterations cannot converge: the result must not look like a bound
    res = ppt_upper_bound(psi_s(F(3, 5)), solver="SCS", fallback=None,
                          solver_options={"max_iters": 5}, certify=False)
    assert res.status != "optimal"
    assert res.kind == "failed" and res.certified is None


def test_strict_raises_on_failed_solve():
    from sdp import SolveFailed
    with pytest.raises(SolveFailed):
        ppt_upper_bound(psi_s(F(3, 5)), solver="SCS", fallback=None,
                        solver_options={"max_iters": 5}, strict=True)


@pytest.mark.parametrize("kwargs,exc", [
    ({"pairs": ()}, ValueError), ({"pairs": ("AB", "XY")}, ValueError),
    ({"pairs": ("AB", "AB")}, ValueError), ({"weights": (1, -1, 1)}, ValueError),
    ({"weights": (1, 2)}, ValueError), ({"objective": "trace"}, ValueError),
    ({"solver": "MOSEK"}, SolverError), ({"solver_options": {"no_such_option": 1}}, SolverError),
])
def test_bad_options_raise_specific_errors(kwargs, exc):
    with pytest.raises(exc):
        ppt_upper_bound(psi_s(F(1, 2)), **kwargs)


@pytest.mark.parametrize("bad", [(0.5, float("nan"), 0.2), (0.5, 0.6, 0.2), (-0.1, 0.5, 0.5),
                                 (0.1, 0.2), np.ones(8)])
def test_bad_states_raise_invalid_state(bad):
    from analytics import InvalidStateError
    with pytest.raises(InvalidStateError):
        ppt_upper_bound(bad)
