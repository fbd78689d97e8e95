"""cvxpy builders for the PPT relaxation (any three-qubit pure state, complex amplitudes too).

The same relaxation as :mod:`sdp.relaxation` (formulation.md section 4), written with cvxpy
so it runs on any cvxpy solver and handles complex Hermitian data. Builders return cvxpy
expressions and constraint lists, so a relaxation is a few lines (see :func:`ppt_problem`):

* :func:`choi_variable` -- ``J = V X V^dag`` with ``X >= 0``: the Choi operator of one outcome
  class, facially reduced onto the kernel of ``rho^T (x) (I - Psi+)`` (the exact-EPR target).
* :func:`partial_transpose` -- one cached sparse permutation of ``vec(J)`` per (pair, party).
* :func:`ppt_constraints`, :func:`completeness` (with the failure element), :func:`objective`.

This path compiles per state (seconds); the default engine (:mod:`sdp.engine`) is faster and
certifies. Results here are numerical (status reported, never called a bound).
"""
from __future__ import annotations

import time
from functools import lru_cache

import numpy as np
import scipy.linalg as sla
import scipy.sparse as sp

from analytics.errors import InvalidStateError
from analytics.states import WClassState

from . import structure as st
from .ppt import PPTBound
from .relaxation import make_spec


@lru_cache(maxsize=None)
def pt_matrix(pair: str | None, party: str) -> sp.csr_matrix:
    """Sparse permutation ``P`` with ``vec_F(J^{T_party}) = P vec_F(J)`` (column-major vec)."""
    n = st.dim(pair)
    perm = st.partial_transpose_perm(pair, party)  # row-major: PT.ravel() = J.ravel()[perm]
    rows, cols = [], []
    for r in range(n * n):
        i, j = divmod(r, n)          # entry (i, j) of the transpose...
        si, sj = divmod(int(perm[r]), n)  # ...comes from entry (si, sj) of J
        rows.append(j * n + i)
        cols.append(sj * n + si)
    return sp.csr_matrix((np.ones(n * n), (rows, cols)), shape=(n * n, n * n))


def partial_transpose(J, pair: str | None, party: str):
    import cvxpy as cp
    n = st.dim(pair)
    return cp.reshape(pt_matrix(pair, party) @ cp.vec(J, order="F"), (n, n), order="F")


def kernel_basis(psi: np.ndarray, pair: str, objective: str) -> np.ndarray:
    """Orthonormal basis of the kernel of ``rho^T (x) (I - Psi+)`` (identity for "fidelity")."""
    n = st.dim(pair)
    if objective != "exact":
        return np.eye(n)
    rhoT = np.outer(psi.conj(), psi)
    P = st.exactness_operator(rhoT, pair)
    return sla.null_space(P, rcond=1e-10)


def choi_variable(psi: np.ndarray, pair: str, objective: str = "exact"):
    """``(J, [X >> 0])`` for one outcome class."""
    import cvxpy as cp
    V = kernel_basis(psi, pair, objective)
    X = cp.Variable((V.shape[1], V.shape[1]), hermitian=True)
    return V @ X @ V.conj().T, [X >> 0]


def ppt_constraints(M, pair: str | None) -> list:
    return [partial_transpose(M, pair, p) >> 0 for p in st.PARTIES]


def trace_out(J, pair: str):
    """``Tr_out J`` (8 x 8) as a cvxpy expression."""
    import cvxpy as cp
    n = st.dim(pair)
    rows, cols = [], []
    for i8, j8, i, j in st.trace_out_pairs(pair):
        rows.append(j8 * 8 + i8)
        cols.append(j * n + i)
    T = sp.csr_matrix((np.ones(len(rows)), (rows, cols)), shape=(64, n * n))
    return cp.reshape(T @ cp.vec(J, order="F"), (8, 8), order="F")


def completeness(J: dict):
    """``(E, constraints)``: the failure element ``E = I - sum_k Tr_out J_k``, PSD and PPT."""
    E = np.eye(8) - sum(trace_out(Jk, pair) for pair, Jk in J.items())
    return E, [E >> 0] + ppt_constraints(E, None)


def objective(psi: np.ndarray, J: dict, spec) -> object:
    import cvxpy as cp
    rhoT = np.outer(psi.conj(), psi)
    terms = []
    for pair, w in zip(spec.pairs, spec.weights):
        C = (st.objective_operator(rhoT, pair) if spec.objective == "exact"
             else st.fidelity_operator(rhoT, pair))
        terms.append(float(w) * cp.real(cp.trace(C @ J[pair])))
    return cp.Maximize(sum(terms))


def ppt_problem(psi: np.ndarray, spec):
    """The PPT relaxation in a few lines from the builders: ``(problem, J)``."""
    import cvxpy as cp
    J, cons = {}, []
    for pair in spec.pairs:
        J[pair], c = choi_variable(psi, pair, spec.objective)
        cons += c + ppt_constraints(J[pair], pair)
    _, c = completeness(J)
    return cp.Problem(objective(psi, J, spec), cons + c), J


def _amplitudes(state) -> np.ndarray:
    if isinstance(state, WClassState):
        return state.amplitudes().astype(complex)
    psi = np.asarray(state, dtype=complex).reshape(-1)
    if psi.size != 8:
        raise InvalidStateError(f"a three-qubit state has 8 amplitudes, got {psi.size}")
    if not np.all(np.isfinite(psi)):
        raise InvalidStateError("state vector contains NaN or inf")
    norm2 = float(np.vdot(psi, psi).real)
    if abs(norm2 - 1) > 1e-9:
        raise InvalidStateError(f"state vector has squared norm {norm2!r}, not 1")
    return psi


def ppt_upper_bound_cvx(state, *, pairs=st.PAIRS, weights=None, objective: str = "exact",
                        solver: str = "SCS", solver_options: dict | None = None) -> PPTBound:
    """Solve the PPT relaxation with cvxpy (numerical value and status; no certificate).

    ``state``: W-class state or 8 complex amplitudes. Defaults as
    :func:`sdp.ppt.ppt_upper_bound`; SCS gets ``eps_abs = eps_rel = 1e-8`` unless overridden.
    """
    import cvxpy as cp
    spec = make_spec(pairs, weights, objective)
    psi = _amplitudes(state)
    prob, J = ppt_problem(psi, spec)
    opts = dict(solver_options or {})
    name = solver.upper()
    if name == "SCS":
        opts = {"eps_abs": 1e-8, "eps_rel": 1e-8, "max_iters": 100_000, **opts}
    t0 = time.perf_counter()
    try:
        prob.solve(solver=name, **opts)
    except cp.error.SolverError as exc:
        status, value = f"solver_error: {exc}", None
    else:
        status, value = prob.status, (float(prob.value) if prob.value is not None else None)
    dt = time.perf_counter() - t0
    p_pairs = {}
    if value is not None:
        rhoT = np.outer(psi.conj(), psi)
        for pair in spec.pairs:
            Jv = J[pair].value
            p_pairs[pair] = float(np.real(np.sum(st.objective_operator(rhoT, pair).T * Jv)))
    ver = cp.installed_solvers() and cp.__version__
    return PPTBound(value=value, status=status, solver=f"{name} via cvxpy", solver_version=str(ver),
                    solve_time=dt, iterations=int(getattr(prob.solver_stats, "num_iters", 0) or 0),
                    objective=spec.objective, pairs=spec.pairs, weights=spec.weights,
                    state=str(state) if not isinstance(state, np.ndarray) else "psi",
                    p_pairs=p_pairs, method="ppt-cvxpy")
