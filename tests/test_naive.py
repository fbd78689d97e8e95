"""Tests of the naive cvxpy PPT model (sdp/naive.py).

Fast: index bookkeeping (interleaving, embeddings, Choi/partial-trace conventions) against
direct constructions, explicit separable instruments as feasible points of the model, and
two cheap facially reduced solves. Slow (@pytest.mark.slow): solves on the paper's family,
GHZ, a state with x0 > 0, the fidelity objective and complex input.
"""
from __future__ import annotations

import itertools
import math

import numpy as np
import pytest

from analytics.errors import InvalidStateError
from analytics.states import WClassState, psi_s
from sdp.naive import (
    PSI_PLUS, NaiveResult, apply_choi, choi_from_kraus, class_party_dims, constraint_residuals,
    cvx_trace_out, embed, exactness_operator, from_interleaved, interleave_order, kernel_basis,
    naive_ppt_value, objective_operator, partial_transpose_party, state_vector, to_interleaved,
    trace_out_outputs,
)

PAIRS = ("AB", "AC", "BC")
RNG = np.random.default_rng(20120615)


def rand_op(n, m=None):
    m = n if m is None else m
    return RNG.normal(size=(n, m)) + 1j * RNG.normal(size=(n, m))


def rand_state_rho(n=8):
    G = rand_op(n)
    rho = G @ G.conj().T
    return rho / np.trace(rho)


def bits(i, n):
    return [(i >> (n - 1 - k)) & 1 for k in range(n)]


# ---------------------------------------------------------------------------------------
# index bookkeeping
# ---------------------------------------------------------------------------------------
def test_interleave_order():
    assert interleave_order("AB") == [0, 3, 1, 4, 2]
    assert interleave_order("AC") == [0, 3, 1, 2, 4]
    assert interleave_order("BC") == [0, 1, 3, 2, 4]
    assert class_party_dims("AB") == [4, 4, 2]
    assert class_party_dims("AC") == [4, 2, 4]
    assert class_party_dims("BC") == [2, 4, 4]
    with pytest.raises(ValueError):
        interleave_order("CA")


def _direct_embed(op_in, op_out, pair):
    """Build op_in (x) op_out in interleaved order element by element (no kron, no reshape)."""
    order = interleave_order(pair)  # interleaved position -> natural subsystem
    M = np.zeros((32, 32), dtype=complex)
    for r, c in itertools.product(range(32), repeat=2):
        rb, cb = bits(r, 5), bits(c, 5)
        nat_r = [0] * 5
        nat_c = [0] * 5
        for pos, nat in enumerate(order):
            nat_r[nat] = rb[pos]
            nat_c[nat] = cb[pos]
        ir = 4 * nat_r[0] + 2 * nat_r[1] + nat_r[2]
        ic = 4 * nat_c[0] + 2 * nat_c[1] + nat_c[2]
        orr = 2 * nat_r[3] + nat_r[4]
        oc = 2 * nat_c[3] + nat_c[4]
        M[r, c] = op_in[ir, ic] * op_out[orr, oc]
    return M


@pytest.mark.parametrize("pair", PAIRS)
def test_embed_matches_direct_construction(pair):
    op_in, op_out = rand_op(8), rand_op(4)
    assert np.allclose(embed(op_in, op_out, pair), _direct_embed(op_in, op_out, pair))
    M = rand_op(32)
    assert np.allclose(from_interleaved(to_interleaved(M, pair), pair), M)


def test_psi_plus_embedding_AB_by_hand():
    # <a b c; a' b' c'| (I_in (x) Psi+) in interleaved order A_in A_out B_in B_out C_in:
    # delta(inputs) * Psi+[(A_out B_out), (A_out' B_out')]
    P = embed(np.eye(8), PSI_PLUS, "AB")
    for r, c in itertools.product(range(32), repeat=2):
        ai, ao, bi, bo, ci = bits(r, 5)
        aj, ap, bj, bp, cj = bits(c, 5)
        want = (ai == aj) * (bi == bj) * (ci == cj) * PSI_PLUS[2 * ao + bo, 2 * ap + bp]
        assert P[r, c] == pytest.approx(want)
    assert np.allclose(P @ P, P) and np.trace(P) == pytest.approx(8)


@pytest.mark.parametrize("pair", PAIRS)
def test_psi_plus_embedding_acts_on_the_pair_outputs(pair):
    # Psi+ vector on the two outputs, any product input: check via an explicit ket in interleaved order
    i, j = {"AB": (0, 1), "AC": (0, 2), "BC": (1, 2)}[pair]
    P = embed(np.eye(8), PSI_PLUS, pair)
    for inp in range(8):
        a = bits(inp, 3)
        ket = np.zeros(32)
        for oi, oj in ((0, 1), (1, 0)):
            outs = {i: oi, j: oj}
            seq = []
            for p in range(3):
                seq.append(a[p])
                if p in outs:
                    seq.append(outs[p])
            ket[int("".join(map(str, seq)), 2)] = 1 / math.sqrt(2)
        assert np.allclose(P @ ket, ket)


def _partial_trace_choi(pair):
    """Choi operator (interleaved) of L = partial trace of the party not in ``pair``, by definition."""
    drop = {"AB": 2, "AC": 1, "BC": 0}[pair]
    J = np.zeros((32, 32), dtype=complex)
    for i, j in itertools.product(range(8), repeat=2):
        Eij = np.zeros((8, 8))
        Eij[i, j] = 1
        t = Eij.reshape(2, 2, 2, 2, 2, 2)
        if drop == 2:
            L = np.einsum("abcdec->abde", t)
        elif drop == 1:
            L = np.einsum("abcdbf->acdf", t)
        else:
            L = np.einsum("abcaef->bcef", t)
        J += np.kron(Eij, L.reshape(4, 4))
    return to_interleaved(J, pair)


@pytest.mark.parametrize("pair", PAIRS)
def test_choi_of_partial_trace_channel(pair):
    J = _partial_trace_choi(pair)
    rho = rand_state_rho()
    t = rho.reshape(2, 2, 2, 2, 2, 2)
    want = {"AB": np.einsum("abcdec->abde", t), "AC": np.einsum("abcdbf->acdf", t),
            "BC": np.einsum("abcaef->bcef", t)}[pair].reshape(4, 4)
    assert np.allclose(apply_choi(J, rho, pair), want)
    # trace preserving: Tr_out J = I_8, both in numpy and through cvxpy.partial_trace
    assert np.allclose(trace_out_outputs(J, pair), np.eye(8))
    import cvxpy as cp
    assert np.allclose(cvx_trace_out(cp.Constant(J), pair).value, np.eye(8))
    # the same channel from Kraus operators I (x) <c| of the dropped party
    drop = {"AB": 2, "AC": 1, "BC": 0}[pair]
    kraus = []
    for c in range(2):
        bra = np.zeros((1, 2))
        bra[0, c] = 1
        facs = [np.eye(2)] * 3
        facs[drop] = bra
        kraus.append(np.kron(np.kron(facs[0], facs[1]), facs[2]))
    assert np.allclose(choi_from_kraus(kraus, pair), J)


@pytest.mark.parametrize("pair", PAIRS)
def test_choi_conventions_random_map(pair):
    kraus = [rand_op(4, 8) for _ in range(3)]
    J = choi_from_kraus(kraus, pair)
    rho = rand_state_rho()
    assert np.allclose(apply_choi(J, rho, pair), sum(K @ rho @ K.conj().T for K in kraus))
    # with J = sum |i><j| (x) L(|i><j|), Tr_out J = (sum K^dag K)^T (the *transposed* POVM element)
    assert np.allclose(trace_out_outputs(J, pair), sum(K.conj().T @ K for K in kraus).T)
    import cvxpy as cp
    assert np.allclose(cvx_trace_out(cp.Constant(J), pair).value, trace_out_outputs(J, pair))
    # Tr[J (rho^T (x) X)] = Tr[X L(rho)]  (objective and exactness operators)
    Lr = apply_choi(J, rho, pair)
    assert np.trace(objective_operator(rho, pair, "exact") @ J) == pytest.approx(np.trace(Lr))
    assert np.trace(objective_operator(rho, pair, "fidelity") @ J) == pytest.approx(
        np.trace(PSI_PLUS @ Lr))
    assert np.trace(exactness_operator(rho, pair) @ J) == pytest.approx(
        np.trace((np.eye(4) - PSI_PLUS) @ Lr))


@pytest.mark.parametrize("pair", PAIRS)
def test_partial_transpose_matches_cvxpy_and_product_kraus_is_ppt(pair):
    import cvxpy as cp
    pd = class_party_dims(pair)
    M = rand_op(32)
    for axis in range(3):
        assert np.allclose(partial_transpose_party(M, pd, axis),
                           cp.partial_transpose(cp.Constant(M), pd, axis).value)
    # a product Kraus operator gives a Choi operator that is a product across parties -> PPT
    i, j = {"AB": (0, 1), "AC": (0, 2), "BC": (1, 2)}[pair]
    facs = [rand_op(2, 2) if p in (i, j) else rand_op(1, 2) for p in range(3)]
    K = np.kron(np.kron(facs[0], facs[1]), facs[2])
    J = choi_from_kraus([K], pair)
    for axis in range(3):
        assert np.linalg.eigvalsh(partial_transpose_party(J, pd, axis)).min() > -1e-10


# ---------------------------------------------------------------------------------------
# explicit separable instruments are feasible points of the model
# ---------------------------------------------------------------------------------------
def _d(lam):
    return np.diag([lam, 1.0])


BRA0 = np.array([[1.0, 0.0]])


def eq7_kraus(x):
    """Eq. (7) of the paper; x = (xA, xB, xC), x0 = 0, 1/2 >= each component."""
    lam = lambda i, j: math.sqrt((1 - 2 * x[i]) / (2 * x[j]))  # noqa: E731
    A, B, C = 0, 1, 2
    return {
        "AB": [np.kron(np.kron(_d(lam(C, B)), _d(lam(C, A))), BRA0)],
        "AC": [np.kron(np.kron(_d(lam(B, C)), BRA0), _d(lam(B, A)))],
        "BC": [np.kron(np.kron(BRA0, _d(lam(A, C))), _d(lam(A, B)))],
    }


@pytest.mark.parametrize("x", [(1 / 3, 1 / 3, 1 / 3), (0.4, 0.3, 0.3), (0.5, 0.25, 0.25),
                               (0.45, 0.3, 0.25)])
def test_eq7_instrument_is_feasible_with_value_one(x):
    st = WClassState(*x)
    psi = st.amplitudes()
    rho = np.outer(psi, psi)
    J = {p: choi_from_kraus(k, p) for p, k in eq7_kraus([float(v) for v in st.x]).items()}
    r = constraint_residuals(rho, J)
    assert r["completeness"] < 1e-12
    assert r["exactness"] < 1e-12
    assert r["min_eig"] > -1e-12
    assert r["value"] == pytest.approx(1.0, abs=1e-12)


@pytest.mark.parametrize("s", [0.55, 0.6, 0.8, 0.95])
def test_two_pair_instrument_gives_2_1_minus_xn1(s):
    """formulation.md section 3: x0 = 0, x_A > 1/2: M_AB, M_AC with lambda_CA^2 = xB/xA,
    lambda_BA^2 = xC/xA give 2(1 - xA); completion by diagonal (product) terms."""
    st = psi_s(s)
    xA, xB, xC = (float(v) for v in st.x)
    KAB = np.kron(np.kron(np.eye(2), _d(math.sqrt(xB / xA))), BRA0)
    KAC = np.kron(np.kron(np.eye(2), BRA0), _d(math.sqrt(xC / xA)))
    psi = st.amplitudes()
    for K in (KAB, KAC):  # each branch is exactly Psi+ up to normalisation
        out = K @ psi
        assert np.allclose(out / np.linalg.norm(out), np.array([0, 1, 1, 0]) / math.sqrt(2))
    J = {"AB": choi_from_kraus([KAB], "AB"), "AC": choi_from_kraus([KAC], "AC")}
    r = constraint_residuals(np.outer(psi, psi), J)
    assert r["completeness"] < 1e-12 and r["exactness"] < 1e-12 and r["min_eig"] > -1e-12
    assert r["value"] == pytest.approx(2 * (1 - xA), abs=1e-12)


# ---------------------------------------------------------------------------------------
# kernel basis and input handling
# ---------------------------------------------------------------------------------------
@pytest.mark.parametrize("pair", PAIRS)
def test_kernel_basis(pair):
    psi = psi_s(0.5).amplitudes()
    rho = np.outer(psi, psi)
    V = kernel_basis(rho, pair)
    assert V.shape == (32, 29) and np.isrealobj(V)
    assert np.allclose(V.T @ V, np.eye(29))
    assert np.abs(exactness_operator(rho, pair) @ V).max() < 1e-12


def test_input_validation():
    with pytest.raises(InvalidStateError):
        state_vector(np.ones(8))
    with pytest.raises(InvalidStateError):
        state_vector(np.ones(4) / 2)
    with pytest.raises(InvalidStateError):
        state_vector([np.nan] + [0] * 7)
    e0 = np.eye(8)[0]
    with pytest.raises(ValueError):
        naive_ppt_value(e0, pairs=("AB", "CA"))
    with pytest.raises(ValueError):
        naive_ppt_value(e0, objective="fidelity", facial_reduction=True)
    with pytest.raises(ValueError):
        naive_ppt_value(e0, objective="other")
    with pytest.raises(ValueError):
        naive_ppt_value(e0, solver="MOSEK")
    with pytest.raises(ValueError):
        naive_ppt_value(e0, weights=(1, 2))
    assert np.allclose(state_vector(psi_s(0.5)), psi_s(0.5).amplitudes())


# ---------------------------------------------------------------------------------------
# cheap solves (facial reduction; a few seconds each)
# ---------------------------------------------------------------------------------------
def test_product_state_gives_zero():
    r = naive_ppt_value(np.eye(8)[0], facial_reduction=True)
    assert isinstance(r, NaiveResult)
    assert r.status == "optimal" and r.solver == "SCS" and r.objective == "exact"
    assert abs(r.value) < 1e-6
    assert set(r.p_pairs) == set(PAIRS) and all(abs(p) < 1e-6 for p in r.p_pairs.values())


def test_two_qubit_state_gives_vidal():
    st = WClassState(0.7, 0.3, 0)  # kappa = 2 x_n2 = 0.6
    r = naive_ppt_value(st, facial_reduction=True)
    assert r.status == "optimal"
    assert r.value == pytest.approx(0.6, abs=1e-6)
    assert r.p_pairs["AB"] == pytest.approx(0.6, abs=1e-6)
    assert sum(r.p_pairs.values()) == pytest.approx(r.value, abs=1e-7)
    assert r.compile_time > 0 and r.solve_time > 0 and r.solver_version


# ---------------------------------------------------------------------------------------
# slow solves
# ---------------------------------------------------------------------------------------
@pytest.mark.slow
@pytest.mark.parametrize("s", [1 / 3, 0.4, 0.5])
def test_psi_s_sep_region_value_one(s):
    r = naive_ppt_value(psi_s(s), facial_reduction=True)
    assert r.status == "optimal"
    assert r.value == pytest.approx(1.0, abs=1e-6)


@pytest.mark.slow
def test_psi_s_06_at_least_two_pair_instrument():
    r = naive_ppt_value(psi_s(0.6), facial_reduction=True)
    assert r.status == "optimal"
    assert r.value >= 0.8 - 1e-6
    assert r.value <= 1 + 1e-6


@pytest.mark.slow
def test_ghz_gives_one():
    ghz = np.zeros(8)
    ghz[0] = ghz[7] = 1 / math.sqrt(2)
    r = naive_ppt_value(ghz, facial_reduction=True)
    assert r.status == "optimal"
    assert r.value == pytest.approx(1.0, abs=1e-6)


@pytest.mark.slow
def test_two_qubit_weights_and_complex_phases():
    st = WClassState(0.7, 0.3, 0)
    r = naive_ppt_value(st, facial_reduction=True, weights={"AB": 2.0, "AC": 1.0, "BC": 1.0})
    assert r.status == "optimal" and r.value == pytest.approx(1.2, abs=1e-6)
    # local phases make the amplitudes complex; the value is unchanged
    psi = st.amplitudes().astype(complex)
    psi[2] *= np.exp(0.7j)
    r2 = naive_ppt_value(psi, facial_reduction=True)
    assert r2.status == "optimal" and r2.value == pytest.approx(0.6, abs=1e-6)


@pytest.mark.slow
def test_fidelity_objective_is_at_least_exact_value():
    st = WClassState(0.7, 0.3, 0)
    r = naive_ppt_value(st, objective="fidelity", solver_options={"time_limit_secs": 120})
    assert r.objective == "fidelity"
    assert r.status in ("optimal", "optimal_inaccurate")
    assert r.value >= 0.6 - 1e-5


@pytest.mark.slow
def test_x0_positive_state_consistent():
    st = WClassState(0.4, 0.3, 0.2)  # x0 = 0.1
    r = naive_ppt_value(st, facial_reduction=True, solver_options={"time_limit_secs": 300})
    assert r.status == "optimal"
    assert 0 <= r.value <= 1 + 1e-6
    assert sum(r.p_pairs.values()) == pytest.approx(r.value, abs=1e-6)
