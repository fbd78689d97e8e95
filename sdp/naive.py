"""The plain PPT relaxation, written the way a user of a generic modelling toolkit would.

This is the *reference / baseline* model of ``docs/formulation.md`` section 4, built
directly in cvxpy with Hermitian 32x32 variables and ``cvxpy.partial_transpose``. It is
deliberately unoptimised (no symmetry reduction, no compile-once parametrisation) so it can
serve as (a) an independent cross-check of the fast engine on a few points and (b) the
"before" column of the engine benchmark. Its numbers are solver outputs, never bounds:
a rigorous bound needs a dual certificate (formulation.md section 6).

Conventions (formulation.md section 4)
--------------------------------------
Choi operator of a CP map ``L`` from ``H_in`` to ``H_out``::

    J = sum_ij |i><j|_in (x) L(|i><j|),        L(rho) = Tr_in[(rho^T (x) I_out) J].

Subsystems are ordered party by party, ``(A_in A_out)(B_in B_out)(C_in C_out)``. For class
``AB`` the output of ``C`` has dimension 1 and is dropped, so the interleaved order is
``A_in A_out B_in B_out C_in`` (party dimensions ``[4, 4, 2]``); class ``AC`` is
``A_in A_out B_in C_in C_out`` (``[4, 2, 4]``) and ``BC`` is ``A_in B_in B_out C_in C_out``
(``[2, 4, 4]``). Every class Choi operator is 32x32.

The "natural" order used to write down ``X_in (x) Y_out`` is ``(A_in B_in C_in)(out_i out_j)``
with the outputs of the pair in pair order; :func:`to_interleaved` permutes it into the
interleaved order. Input qubit indices follow the package convention ``4a + 2b + c``.

The relaxation, for the pairs ``k`` requested::

    maximise   sum_k w_k Tr[J_k (rho^T (x) I_out)]
    subject to Tr[J_k (rho^T (x) (I - Psi+_k))] = 0        (objective="exact")
               sum_k Tr_out J_k + E = I_8
               J_k >= 0, PT_A(J_k), PT_B(J_k), PT_C(J_k) >= 0  (PT of a party = its in and out)
               E >= 0, PT_A(E), PT_B(E), PT_C(E) >= 0

``objective="fidelity"`` drops the exactness equation and maximises
``sum_k w_k Tr[J_k (rho^T (x) Psi+_k)]`` instead: a different (looser) quantity, labelled as
such in the result. ``facial_reduction=True`` substitutes ``J_k = V_k X_k V_k^dag`` with
``V_k`` an orthonormal floating-point basis of ``ker(rho^T (x) (I - Psi+_k))`` and drops the
(then automatically satisfied) exactness equation.
"""
from __future__ import annotations

import math
import time
from dataclasses import dataclass, field
from importlib import metadata
from typing import Mapping, Sequence

import numpy as np
import scipy.linalg

from analytics.errors import InvalidStateError
from analytics.states import WClassState

__all__ = [
    "NaiveResult", "naive_ppt_value",
    "PAIR_PARTIES", "PSI_PLUS", "class_subsystem_dims", "class_party_dims",
    "interleave_order", "permute_systems", "to_interleaved", "embed",
    "choi_from_kraus", "apply_choi", "trace_out_outputs", "partial_transpose_party",
    "exactness_operator", "objective_operator", "kernel_basis", "state_vector",
    "constraint_residuals", "cvx_trace_out", "from_interleaved", "strict_feasibility_margin",
]

#: Parties (0 = A, 1 = B, 2 = C) that receive the EPR pair in each class.
PAIR_PARTIES = {"AB": (0, 1), "AC": (0, 2), "BC": (1, 2)}

#: |Psi+> = (|01> + |10>)/sqrt(2) on the two outputs of a pair, as a 4x4 projector.
_psi_plus_vec = np.array([0.0, 1.0, 1.0, 0.0]) / math.sqrt(2.0)
PSI_PLUS = np.outer(_psi_plus_vec, _psi_plus_vec)

_OBJECTIVES = ("exact", "fidelity")
_SOLVERS = ("SCS", "CLARABEL")


# ---------------------------------------------------------------------------------------
# Index bookkeeping (pure numpy; unit-tested)
# ---------------------------------------------------------------------------------------
def _check_pair(pair: str) -> tuple[int, int]:
    try:
        return PAIR_PARTIES[pair]
    except KeyError:
        raise ValueError(f"unknown pair {pair!r}; use one of {tuple(PAIR_PARTIES)}") from None


def class_subsystem_dims(pair: str) -> list[int]:
    """Qubit dimensions of the subsystems of class ``pair`` in interleaved order.

    ``AB`` -> ``[2, 2, 2, 2, 2]`` = ``A_in A_out B_in B_out C_in`` (always five qubits).
    """
    _check_pair(pair)
    return [2] * 5


def class_party_dims(pair: str) -> list[int]:
    """Dimension of each party's (in, out) block in interleaved order: AB -> [4, 4, 2]."""
    parties = _check_pair(pair)
    return [4 if p in parties else 2 for p in range(3)]


def interleave_order(pair: str) -> list[int]:
    """Subsystem permutation from natural to interleaved order.

    Natural order: ``A_in, B_in, C_in, out_i, out_j`` (indices 0..4, ``i < j`` the pair).
    Entry ``m`` of the returned list is the natural index of the subsystem at interleaved
    position ``m``. AB -> ``[0, 3, 1, 4, 2]``; AC -> ``[0, 3, 1, 2, 4]``; BC -> ``[0, 1, 3, 2, 4]``.
    """
    parties = _check_pair(pair)
    order = []
    for p in range(3):
        order.append(p)
        if p in parties:
            order.append(3 + parties.index(p))
    return order


def permute_systems(op: np.ndarray, dims: Sequence[int], order: Sequence[int]) -> np.ndarray:
    """Reorder the tensor factors of a square operator.

    ``op`` acts on ``H_{dims[0]} (x) ... (x) H_{dims[n-1]}``; the result acts on
    ``H_{dims[order[0]]} (x) H_{dims[order[1]]} (x) ...`` (new position ``m`` holds old
    subsystem ``order[m]``), i.e. ``P op P^T`` for the corresponding permutation matrix ``P``.
    """
    dims = list(dims)
    n = len(dims)
    D = int(np.prod(dims))
    op = np.asarray(op)
    if op.shape != (D, D) or sorted(order) != list(range(n)):
        raise ValueError(f"shape {op.shape} / order {order} do not match dims {dims}")
    t = op.reshape(dims + dims)
    t = t.transpose(list(order) + [n + o for o in order])
    return t.reshape(D, D)


def to_interleaved(op_natural: np.ndarray, pair: str) -> np.ndarray:
    """A 32x32 operator in natural order ``(A_in B_in C_in)(out_i out_j)`` -> interleaved order."""
    return permute_systems(op_natural, class_subsystem_dims(pair), interleave_order(pair))


def from_interleaved(op: np.ndarray, pair: str) -> np.ndarray:
    """Inverse of :func:`to_interleaved`."""
    order = interleave_order(pair)
    inverse = [order.index(m) for m in range(len(order))]
    return permute_systems(op, class_subsystem_dims(pair), inverse)


def embed(op_in: np.ndarray, op_out: np.ndarray, pair: str) -> np.ndarray:
    """``op_in (x) op_out`` (8x8 on ``A_in B_in C_in``, 4x4 on the pair's outputs) in interleaved order."""
    op_in = np.asarray(op_in)
    op_out = np.asarray(op_out)
    if op_in.shape != (8, 8) or op_out.shape != (4, 4):
        raise ValueError(f"expected 8x8 and 4x4 operators, got {op_in.shape} and {op_out.shape}")
    return to_interleaved(np.kron(op_in, op_out), pair)


def choi_from_kraus(kraus: Sequence[np.ndarray], pair: str) -> np.ndarray:
    """Choi operator (interleaved order) of ``rho -> sum_K K rho K^dag``, ``K`` 4x8 (in -> pair outputs).

    ``J = sum_K |K>><<K|`` with ``|K>> = sum_i |i>_in (x) K|i>``.
    """
    J = np.zeros((32, 32), dtype=complex)
    for K in kraus:
        K = np.asarray(K, dtype=complex)
        if K.shape != (4, 8):
            raise ValueError(f"Kraus operator must be 4x8 (8 inputs -> 2 output qubits), got {K.shape}")
        vec = np.zeros(32, dtype=complex)
        for i in range(8):
            e = np.zeros(8)
            e[i] = 1.0
            vec += np.kron(e, K[:, i])
        J += np.outer(vec, vec.conj())
    return to_interleaved(J, pair)


def apply_choi(J: np.ndarray, rho: np.ndarray, pair: str) -> np.ndarray:
    """``L(rho) = Tr_in[(rho^T (x) I) J]`` for ``J`` in interleaved order; returns 4x4 on the outputs."""
    Jn = from_interleaved(np.asarray(J), pair).reshape(8, 4, 8, 4)
    # (rho^T (x) I) J, then trace over in: sum_{i,j} rho^T[j,i] J[i,a; j,b] = sum rho[i,j] J[i,a,j,b]
    return np.einsum("ij,iajb->ab", np.asarray(rho), Jn)


def trace_out_outputs(J: np.ndarray, pair: str) -> np.ndarray:
    """``Tr_out J`` (8x8 on ``A_in B_in C_in``) for ``J`` in interleaved order (numpy).

    With the convention ``J = sum_ij |i><j| (x) L(|i><j|)`` this is the *transpose* of the
    branch's POVM element: ``Tr_out J = (sum_K K^dag K)^T``. The completeness equation
    ``sum_k Tr_out J_k + E = I`` is therefore the transpose of the usual one, and the model's
    ``E`` is the transposed failure element (same PSD / PPT properties).
    """
    Jn = from_interleaved(np.asarray(J), pair).reshape(8, 4, 8, 4)
    return np.einsum("iaja->ij", Jn)


def partial_transpose_party(J: np.ndarray, party_dims: Sequence[int], party: int) -> np.ndarray:
    """Partial transpose (numpy) of the block of ``party`` for an operator on ``prod(party_dims)``."""
    dims = list(party_dims)
    n = len(dims)
    D = int(np.prod(dims))
    t = np.asarray(J).reshape(dims + dims)
    axes = list(range(2 * n))
    axes[party], axes[n + party] = axes[n + party], axes[party]
    return t.transpose(axes).reshape(D, D)


def state_vector(psi) -> np.ndarray:
    """Normalised three-qubit amplitudes (index ``4a + 2b + c``) from a vector or WClassState."""
    if isinstance(psi, WClassState):
        return psi.amplitudes().astype(complex)
    try:
        arr = np.asarray(psi, dtype=complex).reshape(-1)
    except (TypeError, ValueError):
        raise InvalidStateError(f"expected 8 amplitudes or a WClassState, got {psi!r}") from None
    if arr.shape != (8,):
        raise InvalidStateError(f"a three-qubit state has 8 amplitudes, got {arr.size}")
    if not np.all(np.isfinite(arr)):
        raise InvalidStateError("state vector contains NaN or inf")
    norm2 = float(np.vdot(arr, arr).real)
    if abs(norm2 - 1.0) > 1e-9:
        raise InvalidStateError(f"state vector has squared norm {norm2!r}, not 1")
    return arr


def exactness_operator(rho: np.ndarray, pair: str) -> np.ndarray:
    """``rho^T (x) (I - Psi+)`` on the pair's outputs, interleaved order (32x32, PSD, rank 3 for pure rho)."""
    return embed(np.asarray(rho).T, np.eye(4) - PSI_PLUS, pair)


def objective_operator(rho: np.ndarray, pair: str, objective: str = "exact") -> np.ndarray:
    """``rho^T (x) I_out`` (exact) or ``rho^T (x) Psi+`` (fidelity), interleaved order."""
    out = np.eye(4) if objective == "exact" else PSI_PLUS
    return embed(np.asarray(rho).T, out, pair)


def kernel_basis(rho: np.ndarray, pair: str) -> np.ndarray:
    """Orthonormal basis (columns, floating point) of ``ker(rho^T (x) (I - Psi+))`` in interleaved order.

    Real when ``rho`` is real. For a pure ``rho`` the kernel has dimension 29.
    """
    G = exactness_operator(rho, pair)
    if np.allclose(G.imag, 0.0):
        G = G.real
    return scipy.linalg.null_space(G)


def constraint_residuals(rho: np.ndarray, chois: Mapping[str, np.ndarray], E: np.ndarray | None = None,
                         objective: str = "exact") -> dict:
    """Residuals of the naive SDP's constraints at a candidate primal point (numpy; for tests).

    Returns a dict with ``completeness`` (max |sum Tr_out J + E - I|; E defaults to the
    completion ``I - sum Tr_out J``), ``exactness`` (max_k |Tr[J_k G_k]|), ``min_eig`` (smallest
    eigenvalue over every J_k, E and all party partial transposes), ``value`` (sum_k of the
    objective terms) and ``p_pairs``.
    """
    rho = np.asarray(rho)
    total = np.zeros((8, 8), dtype=complex)
    eigs = []
    exact = 0.0
    p_pairs = {}
    value = 0.0
    for pair, J in chois.items():
        J = np.asarray(J)
        total += trace_out_outputs(J, pair)
        exact = max(exact, abs(np.trace(exactness_operator(rho, pair) @ J)))
        p_pairs[pair] = float(np.trace(objective_operator(rho, pair, "exact") @ J).real)
        value += float(np.trace(objective_operator(rho, pair, objective) @ J).real)
        pd = class_party_dims(pair)
        eigs.append(np.linalg.eigvalsh(J).min())
        for p in range(3):
            eigs.append(np.linalg.eigvalsh(partial_transpose_party(J, pd, p)).min())
    if E is None:
        E = np.eye(8) - total
    for M in [E] + [partial_transpose_party(E, [2, 2, 2], p) for p in range(3)]:
        eigs.append(np.linalg.eigvalsh(M).min())
    return {
        "completeness": float(np.abs(total + E - np.eye(8)).max()),
        "exactness": float(exact),
        "min_eig": float(min(eigs)),
        "value": value,
        "p_pairs": p_pairs,
    }


# ---------------------------------------------------------------------------------------
# The cvxpy model
# ---------------------------------------------------------------------------------------
def cvx_trace_out(J, pair: str):
    """``Tr_out J`` as a cvxpy expression (8x8 on ``A_in B_in C_in``), ``J`` 32x32 interleaved.

    Traces the output qubits with ``cvxpy.partial_trace``, highest position first so the
    remaining positions stay valid; what is left is ``A_in B_in C_in`` in that order.
    """
    import cvxpy as cp

    dims = class_subsystem_dims(pair)
    out_positions = [m for m, nat in enumerate(interleave_order(pair)) if nat >= 3]
    T = J
    for m in sorted(out_positions, reverse=True):
        T = cp.partial_trace(T, dims, axis=m)
        dims = dims[:m] + dims[m + 1:]
    return T


@dataclass(frozen=True)
class NaiveResult:
    """Outcome of one naive solve. ``value`` is the solver's objective, *not* a bound.

    value:          cvxpy's ``problem.value`` (float; None/inf/nan exactly as cvxpy left it,
                    None after a solver error). Meaningful only together with ``status``.
    status:         cvxpy's status string verbatim ('optimal', 'optimal_inaccurate', ...), or
                    'solver_error' when cvxpy raised ``SolverError`` (message in ``message``).
    solver:         'SCS' or 'CLARABEL'.
    solver_version: version of the solver package.
    solve_time:     wall seconds of ``problem.solve`` minus cvxpy's compilation time: the solver
                    call (setup included) plus cvxpy's unpacking of the solution.
    compile_time:   seconds of model construction in Python plus cvxpy's canonicalisation
                    (``problem.compilation_time``).
    p_pairs:        {pair: Re Tr[J_k (rho^T (x) I)]} read off the primal Choi matrices
                    (unweighted success probability per pair); empty after a solver error.
    objective:      'exact' (success probability with exact EPR outputs) or 'fidelity'
                    (sum_k w_k Tr[J_k (rho^T (x) Psi+_k)], a different, looser quantity).
    facial_reduction: whether J_k = V_k X_k V_k^dag was used.
    iterations:     solver iterations (None if unavailable).
    wall_time:      total wall-clock seconds of the call.
    message:        solver error text, otherwise ''.
    solver_reported_time: the solver's own setup + solve time (None if unavailable).
    """

    value: float | None
    status: str
    solver: str
    solver_version: str
    solve_time: float | None
    compile_time: float | None
    p_pairs: dict = field(default_factory=dict)
    objective: str = "exact"
    facial_reduction: bool = False
    iterations: int | None = None
    wall_time: float | None = None
    message: str = ""
    solver_reported_time: float | None = None


def _solver_version(solver: str) -> str:
    pkg = {"SCS": "scs", "CLARABEL": "clarabel"}[solver]
    try:
        return metadata.version(pkg)
    except metadata.PackageNotFoundError:  # pragma: no cover
        return "unknown"


def _weights(pairs: Sequence[str], weights) -> dict:
    if weights is None:
        return {p: 1.0 for p in pairs}
    if isinstance(weights, Mapping):
        missing = [p for p in pairs if p not in weights]
        if missing:
            raise ValueError(f"weights missing for pairs {missing}")
        w = {p: float(weights[p]) for p in pairs}
    else:
        wl = list(weights)
        if len(wl) != len(pairs):
            raise ValueError(f"{len(wl)} weights for {len(pairs)} pairs")
        w = {p: float(v) for p, v in zip(pairs, wl)}
    for p, v in w.items():
        if not math.isfinite(v):
            raise ValueError(f"weight for {p} is not finite: {v}")
    return w


def naive_ppt_value(psi, pairs=("AB", "AC", "BC"), weights=None, objective="exact", solver="SCS",
                    solver_options=None, facial_reduction=False) -> NaiveResult:
    """Solve the plain PPT relaxation of random-pair EPR distillation for the pure state ``psi``.

    Parameters
    ----------
    psi:
        8 complex amplitudes (index ``4a + 2b + c``, A most significant), normalised, or a
        :class:`analytics.states.WClassState`.
    pairs:
        Outcome classes to include, any non-empty subset of ``("AB", "AC", "BC")``.
    weights:
        None (all 1), a sequence aligned with ``pairs``, or a mapping pair -> weight.
    objective:
        ``"exact"`` (exact EPR output enforced, maximise success probability) or
        ``"fidelity"`` (no exactness equation; maximise ``sum_k w_k Tr[J_k (rho^T (x) Psi+_k)]``).
    solver:
        ``"SCS"`` (default; eps_abs = eps_rel = 1e-8, max_iters = 100000 unless overridden) or
        ``"CLARABEL"`` (its own defaults).
    solver_options:
        Extra keyword arguments passed to ``problem.solve`` (override the defaults above).
    facial_reduction:
        Use ``J_k = V_k X_k V_k^dag`` on the kernel of ``rho^T (x) (I - Psi+_k)`` (exact only).

    Returns a :class:`NaiveResult`. The value is whatever the solver returned; it is never a
    certified bound.
    """
    import cvxpy as cp

    t_start = time.perf_counter()
    vec = state_vector(psi)
    rho = np.outer(vec, vec.conj())
    if isinstance(pairs, str):
        pairs = (pairs,)
    pairs = tuple(pairs)
    if not pairs or len(set(pairs)) != len(pairs):
        raise ValueError(f"pairs must be a non-empty set of distinct pairs, got {pairs!r}")
    for p in pairs:
        _check_pair(p)
    w = _weights(pairs, weights)
    if objective not in _OBJECTIVES:
        raise ValueError(f"objective must be one of {_OBJECTIVES}, got {objective!r}")
    solver = str(solver).upper()
    if solver not in _SOLVERS:
        raise ValueError(f"solver must be one of {_SOLVERS}, got {solver!r}")
    if facial_reduction and objective != "exact":
        raise ValueError("facial_reduction applies to objective='exact' only (it imposes exactness)")

    opts = {}
    if solver == "SCS":
        opts = {"eps_abs": 1e-8, "eps_rel": 1e-8, "max_iters": 100000}
    opts.update(dict(solver_options or {}))

    t_build = time.perf_counter()
    constraints = []
    obj_terms = []
    chois = {}
    tr_out_sum = 0
    for pair in pairs:
        pd = class_party_dims(pair)
        if facial_reduction:
            V = kernel_basis(rho, pair)
            r = V.shape[1]
            X = cp.Variable((r, r), hermitian=True, name=f"X_{pair}")
            J = V @ X @ V.conj().T
            constraints.append(X >> 0)
        else:
            J = cp.Variable((32, 32), hermitian=True, name=f"J_{pair}")
            constraints.append(J >> 0)
            if objective == "exact":
                G = exactness_operator(rho, pair)
                constraints.append(cp.real(cp.trace(G @ J)) == 0)
        for axis in range(3):
            constraints.append(cp.partial_transpose(J, pd, axis) >> 0)
        tr_out_sum = tr_out_sum + cvx_trace_out(J, pair)
        C = objective_operator(rho, pair, objective)
        obj_terms.append(w[pair] * cp.real(cp.trace(C @ J)))
        chois[pair] = J
    E = cp.Variable((8, 8), hermitian=True, name="E")
    constraints.append(E >> 0)
    for axis in range(3):
        constraints.append(cp.partial_transpose(E, [2, 2, 2], axis) >> 0)
    constraints.append(tr_out_sum + E == np.eye(8))
    problem = cp.Problem(cp.Maximize(sum(obj_terms)), constraints)
    build_time = time.perf_counter() - t_build

    message = ""
    t_solve = time.perf_counter()
    try:
        problem.solve(solver=solver, **opts)
        status = problem.status
        value = problem.value
    except cp.error.SolverError as exc:
        status = "solver_error"
        value = None
        message = str(exc)
    solve_wall = time.perf_counter() - t_solve
    stats = problem.solver_stats if status != "solver_error" else None
    reported = getattr(stats, "solve_time", None) if stats is not None else None
    if reported is not None and getattr(stats, "setup_time", None) is not None:
        reported += stats.setup_time
    iterations = getattr(stats, "num_iters", None) if stats is not None else None
    comp = problem.compilation_time or 0.0
    compile_time = build_time + comp
    solve_time = max(solve_wall - comp, 0.0)

    p_pairs = {}
    if status != "solver_error":
        for pair, J in chois.items():
            Jv = J.value
            if Jv is not None:
                p_pairs[pair] = float(np.trace(objective_operator(rho, pair, "exact") @ Jv).real)
    if value is not None:
        value = float(value)
    return NaiveResult(
        value=value, status=status, solver=solver, solver_version=_solver_version(solver),
        solve_time=solve_time, compile_time=compile_time, p_pairs=p_pairs,
        objective=objective, facial_reduction=bool(facial_reduction), iterations=iterations,
        wall_time=time.perf_counter() - t_start, message=message,
        solver_reported_time=None if reported is None else float(reported),
    )


def strict_feasibility_margin(psi, pairs=("AB", "AC", "BC"), facial_reduction=True, solver="SCS",
                              solver_options=None) -> dict:
    """Largest ``t`` with every PSD block of the (optionally facially reduced) model ``>= t I``.

    Blocks: ``X_k`` (or ``J_k``), the three party partial transposes of each ``J_k``, ``E`` and its
    three partial transposes; subject to completeness and (without facial reduction) the
    exactness equations. ``t > 0`` means the model has a strictly feasible point (Slater holds);
    ``t <= 0`` (up to solver accuracy) means some block is pinned to a face of the PSD cone.
    Returns ``{"t": ..., "status": ..., "block_min_eigs": {name: min eigenvalue at the optimum}}``.
    The per-block minima identify which blocks cannot be made positive definite together.
    Without facial reduction ``t <= 0`` always (``J_k >= tI`` gives ``Tr[J_k G_k] >= 3t``).
    Default SCS at eps 1e-7 (Clarabel raised a NumericalError on this problem at s = 1/2).
    """
    import cvxpy as cp

    vec = state_vector(psi)
    rho = np.outer(vec, vec.conj())
    t = cp.Variable(name="t")
    cons, blocks, tr_out_sum = [], {}, 0
    for pair in pairs:
        pd = class_party_dims(pair)
        if facial_reduction:
            V = kernel_basis(rho, pair)
            X = cp.Variable((V.shape[1], V.shape[1]), hermitian=True)
            J = V @ X @ V.conj().T
            blocks[f"X_{pair}"] = X
        else:
            J = cp.Variable((32, 32), hermitian=True)
            cons.append(cp.real(cp.trace(exactness_operator(rho, pair) @ J)) == 0)
            blocks[f"J_{pair}"] = J
        for axis in range(3):
            blocks[f"PT{'ABC'[axis]}(J_{pair})"] = cp.partial_transpose(J, pd, axis)
        tr_out_sum = tr_out_sum + cvx_trace_out(J, pair)
    E = cp.Variable((8, 8), hermitian=True)
    blocks["E"] = E
    for axis in range(3):
        blocks[f"PT{'ABC'[axis]}(E)"] = cp.partial_transpose(E, [2, 2, 2], axis)
    cons.append(tr_out_sum + E == np.eye(8))
    for B in blocks.values():
        cons.append(B - t * np.eye(B.shape[0]) >> 0)
    prob = cp.Problem(cp.Maximize(t), cons)
    opts = {"eps_abs": 1e-7, "eps_rel": 1e-7, "max_iters": 50000} if solver.upper() == "SCS" else {}
    opts.update(dict(solver_options or {}))
    prob.solve(solver=solver, **opts)
    mins = {}
    for name, B in blocks.items():
        if B.value is not None:
            M = np.asarray(B.value)
            mins[name] = float(np.linalg.eigvalsh((M + M.conj().T) / 2).min())
    return {"t": None if t.value is None else float(t.value), "status": prob.status, "block_min_eigs": mins}
