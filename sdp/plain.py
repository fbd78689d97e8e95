"""The plain PPT relaxation, for cross-checks: real, facially reduced, no change of frame, no
symmetry reduction: the reference of the tests and of benchmarks/bench_offplane.py. It shares
the engine's model layer (sdp.model, sdp.engine) but none of its reductions.

.. math::

    \\max \\sum_k \\mathrm{Tr}[J_k(\\rho^T \\otimes I)] \\;\\text{ s.t. }\\;
    J_k = V_k X_k V_k^T,\\ X_k \\succeq 0,\\ J_k^{T_p} \\succeq 0,\\
    \\sum_k \\mathrm{Tr}_{out} J_k + E = I_8,\\ E, E^{T_p} \\succeq 0

with ``rho = |phi><phi|`` in floats (``phi`` the real amplitudes) and ``V_k`` an orthonormal basis
of the kernel of ``rho^T (x) (I - Psi+_k)`` (formulation.md sections 4-5: "the plain facially
reduced model"). Partial transposes are permutations of the 32 x 32 Choi matrix, in the
interleaved order of :mod:`sdp.structure`. Its value is a solver's number, never a bound.
"""
from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

from analytics.display import ShortRepr, show_number

from . import structure as st
from .engine import get_engine
from .frame import real_amplitude_frame
from .model import MatExpr, SDPModel
from .relaxation import CompiledRelaxation, RelaxationSpec, excluded_vectors, sparse_kernel_basis


@dataclass(repr=False)
class PlainResult(ShortRepr):
    """The plain model's solver value (numerical, not a bound), status, solver and seconds."""

    value: float | None
    status: str
    solver: str
    seconds: float

    def _summary(self) -> list:
        return [("value", show_number(self.value)), ("kind", "numerical"), ("status", self.status),
                ("solver", self.solver), ("seconds", f"{self.seconds:.3g}")]


def plain_native_value(amplitudes, pairs=st.PAIRS, solver: str = "CLARABEL",
                       solver_options: dict | None = None) -> PlainResult:
    """Solve the plain model for the real amplitudes (index ``4a + 2b + c``), built with
    :mod:`sdp.model` and solved by :mod:`sdp.engine`: ``J_k = V_k X_k V_k^T`` with ``V_k`` an
    orthonormal kernel basis (float data, ``D = I``), every partial transpose a full 32 x 32
    block, ``E`` eliminated through completeness. Nothing of the engine's output twirl or change
    of frame is used. (The same model in cvxpy, with Hermitian variables, is
    :func:`sdp.naive.naive_ppt_value` with ``facial_reduction=True``: minutes per state.)"""
    t0 = time.perf_counter()
    frame = real_amplitude_frame(np.asarray(amplitudes, dtype=float))
    model = SDPModel(n_theta=8)
    rho = np.outer(frame.v_float(), frame.v_float())
    E = MatExpr(8, sp.csr_matrix((64, 0)), sp.csr_matrix(
        (np.ones(8), ([i * 9 for i in range(8)], range(8))), shape=(64, 8)), np.zeros(64))
    f_terms = []
    for pair in pairs:
        V = sparse_kernel_basis(list(range(32)), excluded_vectors(frame, pair))
        X = model.sym_matrix(V.shape[1])
        model.add_psd(X, ("X", pair), split=False)
        L = sp.csr_matrix(sp.kron(sp.csr_matrix(V), sp.csr_matrix(V)))
        J = model.pad(X.linear_image(L, 32))
        for party in st.PARTIES:
            model.add_psd(J.permuted(st.partial_transpose_perm(pair, party)), ("PT", pair, party))
        T = np.zeros((64, 1024))
        for i8, j8, i, j in st.trace_out_pairs(pair):
            T[i8 * 8 + j8, i * 32 + j] = 1.0
        E = model.pad(E) + (-J.linear_image(sp.csr_matrix(T), 8))
        f_terms.append((J, st.objective_operator(rho, pair).ravel()))
    E = model.pad(E)
    model.add_psd(E, ("E", "id"))
    for party in st.PARTIES:
        model.add_psd(E.permuted(st.partial_transpose_perm(None, party)), ("E", party))
    model.objective = sum(model.pad(J).G.T @ c for J, c in f_terms)
    comp = CompiledRelaxation(("plain",), RelaxationSpec(), model.canonicalize(), {}, {}, model.nvar)
    opts = {"tol_gap_abs": 1e-10, "tol_gap_rel": 1e-10, "tol_feas": 1e-10} if solver == "CLARABEL" \
        else {"eps_abs": 1e-9, "eps_rel": 1e-9, "max_iters": 100000}
    opts.update(solver_options or {})
    raw = get_engine(comp, frame.theta(), solver, opts).solve(frame.theta())
    value = raw.pobj if np.isfinite(raw.pobj) else None
    return PlainResult(value, raw.status, solver, time.perf_counter() - t0)
