"""The local-measurement simulator (analytics/measurements.py).

Independent sources: the 8-dimensional state vector (Kraus matrices applied to amplitudes),
exact rational arithmetic, and Eq. (2) of PRL 108, 240504 (2012).
"""
from __future__ import annotations

import math
from fractions import Fraction as F

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as hst

from analytics.errors import SepgapError
from analytics.measurements import (
    BranchTree, InvalidMeasurementError, KrausOutcome, LocalMeasurement, apply_local, epr_pair,
    exact_sqrt, is_w_state, measure, measure_statevector, simulate, standard_form_phase,
    to_standard_form, upper_triangular_form,
)
from analytics.states import PARTIES, WClassState


def random_measurement(rng, party, outcomes=None) -> LocalMeasurement:
    """A random complete measurement: a Haar-like isometry C^2 -> C^(2m) cut into m Kraus blocks."""
    m = int(rng.integers(2, 5)) if outcomes is None else outcomes
    z = rng.normal(size=(2 * m, 2)) + 1j * rng.normal(size=(2 * m, 2))
    q, _ = np.linalg.qr(z)
    return LocalMeasurement.from_kraus(party, [q[2 * i:2 * i + 2] for i in range(m)])


def random_state(rng, x0_zero=False) -> WClassState:
    w = rng.dirichlet(np.ones(4))
    if x0_zero:
        w[0] = 0.0
        w = w / w.sum()
    return WClassState.from_components(*w, renormalise=True)


def branch_close(b1, b2, tol=1e-12):
    assert b1.index == b2.index
    assert abs(float(b1.probability) - float(b2.probability)) <= tol
    for name in ("x0", "xA", "xB", "xC"):
        assert abs(float(getattr(b1.state, name)) - float(getattr(b2.state, name))) <= tol, name


# ---- validation -------------------------------------------------------------------------------

@pytest.mark.parametrize("kw, needle", [
    (dict(a=-0.1, c=1), "a = -0.1"),
    (dict(a=F(1, 2), c=F(-1, 3)), "c = -1/3"),
    (dict(a=float("nan"), c=1), "a = nan"),
    (dict(a=1, c=float("inf")), "c = inf"),
    (dict(a="1", c=1), "a = '1'"),
    (dict(a=True, c=1), "a = True"),
    (dict(a=1, c=1, b=complex(1, float("inf"))), "b = "),
    (dict(a=1, c=1, b="x"), "b = 'x'"),
])
def test_outcome_rejects_bad_entries(kw, needle):
    with pytest.raises(InvalidMeasurementError, match=None) as exc:
        KrausOutcome(**kw)
    assert needle in str(exc.value)
    assert isinstance(exc.value, SepgapError)


def test_measurement_rejects_bad_party_and_empty():
    with pytest.raises(InvalidMeasurementError, match="party = 'D'"):
        LocalMeasurement("D", (KrausOutcome(1, 1),))
    with pytest.raises(InvalidMeasurementError, match="at least one outcome"):
        LocalMeasurement("A", ())
    with pytest.raises(InvalidMeasurementError, match="not a KrausOutcome"):
        LocalMeasurement("A", ((1, 1),))


def test_incomplete_exact_measurement_names_residual():
    with pytest.raises(InvalidMeasurementError, match=r"sum of a - 1 = -1/10"):
        LocalMeasurement.diagonal("B", [(F(1, 2), F(1)), (F(2, 5), F(0))])
    with pytest.raises(InvalidMeasurementError, match=r"sum of \|b\|\^2 \+ c - 1 = 1/2"):
        LocalMeasurement.diagonal("B", [(F(1, 2), F(1)), (F(1, 2), F(1, 2))])
    # off-diagonal condition: sum sqrt(a) b = 3/5 * 1/2 != 0
    with pytest.raises(InvalidMeasurementError, match=r"sum of sqrt\(a\) b = 3/10"):
        LocalMeasurement("C", (KrausOutcome(F(9, 25), F(1, 2), F(1, 2)),
                               KrausOutcome(F(16, 25), F(1, 4), 0)))


def test_incomplete_float_measurement_and_kraus():
    with pytest.raises(InvalidMeasurementError, match="not complete"):
        LocalMeasurement.diagonal("A", [(0.5, 1.0), (0.5 + 1e-9, 0.0)])
    with pytest.raises(InvalidMeasurementError, match="not complete"):
        LocalMeasurement.from_kraus("A", [np.eye(2), 0.1 * np.eye(2)])
    with pytest.raises(InvalidMeasurementError, match="2x2"):
        LocalMeasurement.from_kraus("A", [np.eye(3)])


def test_exact_measurement_with_off_diagonal_is_complete_exactly():
    # a = (3/5)^2, (4/5)^2; b = (4/5) beta, -(3/5) beta with beta = 1/2; c fills the rest
    m = LocalMeasurement("A", (KrausOutcome(F(9, 25), F(1, 2), F(2, 5)),
                               KrausOutcome(F(16, 25), F(1, 4), F(-3, 10))))
    assert m.completeness_residuals() == (0, 0, 0)
    assert all(isinstance(r, F) for r in m.completeness_residuals())
    assert m.completeness_error() < 1e-15


def test_exact_sqrt():
    assert exact_sqrt(F(9, 16)) == F(3, 4)
    assert exact_sqrt(F(2)) is None
    assert exact_sqrt(F(-1)) is None
    assert exact_sqrt(F(0)) == 0


# ---- upper-triangular form ---------------------------------------------------------------------

def test_upper_triangular_form_reconstructs_operator():
    rng = np.random.default_rng(7)
    for _ in range(200):
        k = rng.normal(size=(2, 2)) + 1j * rng.normal(size=(2, 2))
        out, q = upper_triangular_form(k)
        m = out.matrix()
        assert np.allclose(q.conj().T @ q, np.eye(2), atol=1e-12)
        assert np.allclose(q @ m, k, atol=1e-12)
        assert m[1, 0] == 0 and m[0, 0].imag == 0 and m[1, 1].imag == 0
        assert m[0, 0].real >= 0 and m[1, 1].real >= 0


def test_random_measurements_are_complete():
    rng = np.random.default_rng(3)
    for _ in range(300):
        meas = random_measurement(rng, PARTIES[int(rng.integers(3))])
        assert meas.completeness_error() <= 1e-12
        ra, rb, rd = meas.completeness_residuals()
        assert abs(ra) <= 1e-12 and abs(rb) <= 1e-12 and abs(rd) <= 1e-12


# ---- the transformation rule against state vectors -------------------------------------------

def test_measure_matches_statevector_random():
    """p_lambda and x_lambda (including the b terms and x0) against 8-dim simulation."""
    rng = np.random.default_rng(11)
    for _ in range(400):
        st = random_state(rng, x0_zero=bool(rng.integers(2)))
        meas = random_measurement(rng, PARTIES[int(rng.integers(3))])
        a, b = measure(st, meas), measure_statevector(st, meas)
        assert len(a) == len(b)
        for b1, b2 in zip(a, b):
            branch_close(b1, b2)
        assert abs(math.fsum(float(x.probability) for x in a) - 1) <= 1e-12


def test_paper_rule_for_b_zero_exact():
    """x_k -> c x_k / p, x_j -> a x_j / p (text above Eq. 2), p = a (1 - x_k) + c x_k, exact."""
    st = WClassState.from_components(F(1, 10), F(2, 5), F(3, 10), F(1, 5))
    meas = LocalMeasurement.diagonal("B", [(F(1, 3), F(1, 4)), (F(2, 3), F(3, 4))])
    branches = measure(st, meas)
    assert sum(br.probability for br in branches) == 1
    for br, (a, c) in zip(branches, [(F(1, 3), F(1, 4)), (F(2, 3), F(3, 4))]):
        p = a * (1 - st.xB) + c * st.xB
        assert br.probability == p
        assert br.state.xB == c * st.xB / p
        assert br.state.xA == a * st.xA / p and br.state.xC == a * st.xC / p
        assert br.state.x0 == a * st.x0 / p
        assert br.state.is_exact
    for b1, b2 in zip(branches, measure_statevector(st, meas)):
        branch_close(b1, b2)


def test_x0_rule_with_b_exact():
    """x0' = |sqrt(a x0) + b sqrt(x_k)|^2 / p, exact when a x0 x_k is a rational square."""
    st = WClassState.from_components(F(1, 4), F(1, 4), F(1, 4), F(1, 4))
    meas = LocalMeasurement("A", (KrausOutcome(F(9, 25), F(1, 2), F(2, 5)),
                                  KrausOutcome(F(16, 25), F(1, 4), F(-3, 10))))
    branches = measure(st, meas)
    # outcome 0: amplitude on |000>: 3/5 * 1/2 + 2/5 * 1/2 = 1/2 -> weight 1/4
    p0 = F(1, 4) + F(1, 2) * F(1, 4) + F(9, 25) * F(1, 2)
    assert branches[0].probability == p0
    assert branches[0].state.x0 == F(1, 4) / p0
    # outcome 1: 4/5 * 1/2 - 3/10 * 1/2 = 1/4 -> weight 1/16
    p1 = F(1, 16) + F(1, 4) * F(1, 4) + F(16, 25) * F(1, 2)
    assert branches[1].probability == p1
    assert p0 + p1 == 1
    assert all(br.state.is_exact for br in branches)
    for b1, b2 in zip(branches, measure_statevector(st, meas)):
        branch_close(b1, b2)


def test_eq2_inequalities_random():
    """Eq. (2): x0 <= sum p x0',  x_i >= sum p x_i' (any measurement, b included)."""
    rng = np.random.default_rng(5)
    for _ in range(300):
        st = random_state(rng)
        meas = random_measurement(rng, PARTIES[int(rng.integers(3))])
        br = measure(st, meas)
        assert math.fsum(float(b.probability * b.state.x0) for b in br) >= float(st.x0) - 1e-12
        for name in ("xA", "xB", "xC"):
            after = math.fsum(float(b.probability * getattr(b.state, name)) for b in br)
            assert after <= float(getattr(st, name)) + 1e-12


@settings(max_examples=300, deadline=None)
@given(hst.integers(0, 2 ** 32 - 1))
def test_post_measurement_vector_is_w_class_in_standard_form(seed):
    """M psi lies on the W-class support with real >= 0 single-excitation amplitudes; the local
    phase unitary diag(1, e^{i theta})^{x3} and a global phase make it real and non-negative."""
    rng = np.random.default_rng(seed)
    st = random_state(rng)
    meas = random_measurement(rng, PARTIES[int(rng.integers(3))])
    psi = st.amplitudes().astype(complex)
    for o in meas.outcomes:
        v = apply_local(psi, meas.party, o.matrix())
        n = np.linalg.norm(v)
        if n < 1e-9:
            continue
        v = v / n
        w = to_standard_form(v, standard_form_phase(v))
        assert np.allclose(np.abs(v), np.abs(w), atol=1e-12)  # a unitary: same moduli here
        assert np.all(np.abs(w.imag) <= 1e-12) and np.all(w.real >= -1e-12)
        for i in (3, 5, 6, 7):
            assert abs(w[i]) <= 1e-12


def test_standard_form_phase_rejects_non_w_vectors():
    v = np.zeros(8, dtype=complex)
    v[7] = 1
    with pytest.raises(InvalidMeasurementError, match="not on the W-class support"):
        standard_form_phase(v)
    v = np.zeros(8, dtype=complex)
    v[4] = -1
    with pytest.raises(InvalidMeasurementError, match="is not >= 0"):
        standard_form_phase(v)


def test_apply_local_acts_on_the_right_qubit():
    x = np.array([[0, 1], [1, 0]])
    e000 = np.zeros(8)
    e000[0] = 1
    assert np.argmax(np.abs(apply_local(e000, "A", x))) == 4
    assert np.argmax(np.abs(apply_local(e000, "B", x))) == 2
    assert np.argmax(np.abs(apply_local(e000, "C", x))) == 1


def test_zero_probability_outcomes_are_dropped():
    st = WClassState(F(1), F(0), F(0))  # |100>: A excited
    meas = LocalMeasurement.diagonal("A", [(F(1), F(0)), (F(0), F(1))])
    br = measure(st, meas)
    assert [b.index for b in br] == [1] and br[0].probability == 1


# ---- EPR recognition ---------------------------------------------------------------------------

def test_epr_pair_exact_and_float():
    assert epr_pair(WClassState(F(1, 2), F(1, 2), 0)) == "AB"
    assert epr_pair(WClassState(F(1, 2), 0, F(1, 2))) == "AC"
    assert epr_pair(WClassState(0, F(1, 2), F(1, 2))) == "BC"
    assert epr_pair(WClassState(F(3, 5), F(2, 5), 0)) is None
    assert epr_pair(WClassState.from_components(F(1, 10), F(9, 20), F(9, 20), 0)) is None
    assert epr_pair(WClassState(1, 0, 0)) is None
    assert epr_pair(WClassState(F(1, 3), F(1, 3), F(1, 3))) is None
    assert epr_pair(WClassState(0.5, 0.5 - 1e-14, 0.0)) == "AB"
    assert epr_pair(WClassState(0.5, 0.5 - 1e-9, 0.0)) is None


def test_epr_state_vector_is_psi_plus():
    """x = (1/2, 0, 1/2), x0 = 0 is (|01> + |10>)/sqrt2 on AC with B in |0>."""
    v = WClassState(F(1, 2), 0, F(1, 2)).amplitudes().reshape(2, 2, 2)
    ac = v[:, 0, :].reshape(4)
    assert np.allclose(ac, np.array([0, 1, 1, 0]) / math.sqrt(2))


def test_is_w_state():
    assert is_w_state(WClassState(F(1, 3), F(1, 3), F(1, 3)))
    assert not is_w_state(WClassState(F(1, 4), F(1, 4), F(1, 4)))
    assert is_w_state(WClassState(1 / 3, 1 / 3, 1 / 3))


# ---- the branch-tree simulator -----------------------------------------------------------------

def test_simulate_two_steps_exact():
    st = WClassState(F(1, 2), F(1, 4), F(1, 4))

    def policy(s, hist):
        if not hist:
            return LocalMeasurement.diagonal("B", [(F(1, 2), F(1)), (F(1, 2), F(0))], ["keep", "drop"])
        if len(hist) == 1 and hist[0].label == "keep":
            return LocalMeasurement.diagonal("C", [(F(1, 2), F(1)), (F(1, 2), F(0))], ["keep", "drop"])
        return None

    tree = simulate(st, policy)
    assert isinstance(tree, BranchTree)
    assert tree.total_probability() == 1
    assert tree.measurements == 2
    # B 'keep' -> (1/4, 1/4, 1/8)/(5/8); then C 'keep' -> |W>, C 'drop' -> EPR on AB
    pairs = tree.pair_probabilities()
    assert pairs["AB"] == F(1, 4) and pairs["AC"] == 0 and pairs["BC"] == 0
    w = tree.leaves_where(lambda lf: is_w_state(lf.state))
    assert len(w) == 1 and w[0].probability == F(3, 8)
    assert tree.success_probability() == F(1, 4)


def test_simulate_rejects_bad_policy_and_runaway():
    st = WClassState(F(1, 3), F(1, 3), F(1, 3))
    with pytest.raises(InvalidMeasurementError, match="policy returned"):
        simulate(st, lambda s, h: "measure")
    weak = LocalMeasurement.diagonal("A", [(F(1, 2), F(1, 2)), (F(1, 2), F(1, 2))])
    with pytest.raises(InvalidMeasurementError, match="max_measurements"):
        simulate(st, lambda s, h: weak, max_measurements=50)


def test_measure_rejects_non_measurement():
    with pytest.raises(InvalidMeasurementError, match="not a LocalMeasurement"):
        measure(WClassState(F(1, 3), F(1, 3), F(1, 3)), [KrausOutcome(1, 1)])
