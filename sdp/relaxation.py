"""The PPT relaxation of optimal SEP random-pair distillation, built from small builders.

In the frame of :mod:`sdp.frame` (``rho = |v><v|``, completeness right-hand side ``D^2``):

.. math::

    \\max \\sum_k w_k \\,\\mathrm{Tr}[J_k (\\rho^T \\otimes I_{out})]
    \\quad \\text{s.t.} \\quad
    \\mathrm{Tr}[J_k (\\rho^T \\otimes (I - \\Psi^+_k))] = 0,\\;
    \\sum_k \\mathrm{Tr}_{out} J_k + E = D^2,\\;
    J_k, E \\succeq 0,\\; J_k^{T_p}, E^{T_p} \\succeq 0 \\;(p = A, B, C)

(formulation.md section 4; Chitambar, Cui, Lo, PRL 108, 240504 (2012), Eq. (1) task).
Well-posedness (formulation.md section 5): the exactness equation leaves no strictly feasible
point, so it is imposed by *facial reduction*, ``J_k = sum_b V_b X_b V_b^T`` with ``V_b`` an
orthonormal basis of the kernel of ``rho^T (x) (I - Psi+_k)`` inside symmetry sector ``b``;
``E`` is eliminated through completeness. For ``x0 = 0`` the sectors are the U(1) charges
``n_out - n_in`` (blocks of at most 10 x 10); every PSD constraint is split into its
structural blocks. The data vector ``theta`` is the diagonal of ``D^2``, so one compiled model
serves every state with the same structure.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import scipy.linalg as sla
import scipy.sparse as sp

from . import structure as st
from .frame import Frame
from .model import Canonical, MatExpr, SDPModel

OBJECTIVES = ("exact", "fidelity")


@dataclass(frozen=True)
class RelaxationSpec:
    """What is being bounded: target pairs with weights, and the objective kind.

    ``objective="exact"`` (default): success means the pair is left in exactly Psi+.
    ``objective="fidelity"``: maximise ``sum_k w_k Tr[J_k (rho^T (x) Psi+_k)]`` without the
    exactness equation, a different and looser quantity (reported under its own label).
    """

    pairs: tuple = st.PAIRS
    weights: tuple = (1.0, 1.0, 1.0)
    objective: str = "exact"


# ---- builders ----------------------------------------------------------------------------

def excluded_vectors(frame: Frame, pair: str) -> list:
    """Spanning vectors of the range of ``rho^T (x) (I - Psi+)``: ``v (x) o`` for the output
    states ``o`` in ``|00>, |11>, Psi-`` (unnormalised), in Choi coordinates. Their supports
    are disjoint."""
    labels = st.choi_labels(pair)
    v = frame.v_float()
    outs = ({(0, 0): 1.0}, {(1, 1): 1.0}, {(0, 1): 1.0, (1, 0): -1.0})
    vecs = []
    for o in outs:
        e = np.array([v[st.input_index(ins)] * o.get(out, 0.0) for ins, out in labels])
        if np.any(e):
            vecs.append(e)
    return vecs


def sparse_kernel_basis(idx: list, excluded: list) -> np.ndarray:
    """An orthonormal basis of the orthogonal complement of ``excluded`` (disjoint supports)
    inside the coordinates ``idx``: untouched coordinates, plus on each support an orthonormal
    basis of the complement of that vector. Columns touch one support only, so the canonical
    form stays sparse, and orthonormality keeps the solver well conditioned."""
    pos = {i: r for r, i in enumerate(idx)}
    cols = []
    covered = set()
    for u in excluded:
        supp = [int(i) for i in np.nonzero(u)[0]]
        if not supp:
            continue
        if not all(i in pos for i in supp):
            raise ValueError("excluded vector straddles a symmetry sector")
        covered.update(supp)
        Q = sla.null_space(u[supp][None, :])
        for q in Q.T:
            col = np.zeros(len(idx))
            col[[pos[i] for i in supp]] = q
            cols.append(col)
    for i in idx:
        if i not in covered:
            col = np.zeros(len(idx))
            col[pos[i]] = 1.0
            cols.append(col)
    return np.array(cols).T if cols else np.zeros((len(idx), 0))


def sector_bases(frame: Frame, pair: str, objective: str) -> list:
    """``[(indices, V)]``: sectors of the Choi space of ``pair`` with a kernel basis each.

    Sectors are U(1) charge classes when the frame allows it, else one sector; only labels
    whose input is active (``D^2 > 0``) are kept. ``V`` (sparse, full column rank) spans the
    kernel of the exactness operator restricted to the sector (identity for "fidelity").
    """
    labels = st.choi_labels(pair)
    active = set(frame.active)
    keep = [i for i, (ins, _) in enumerate(labels) if st.input_index(ins) in active]
    if frame.u1_symmetric:
        charge = st.u1_charge(pair)
        groups = [[i for i in keep if charge[i] == q] for q in sorted(set(charge[keep]))]
    else:
        groups = [keep]
    excluded = excluded_vectors(frame, pair) if objective == "exact" else []
    out = []
    for idx in groups:
        if not idx:
            continue
        inside = [u for u in excluded if np.any(u[idx])]
        V = sparse_kernel_basis(idx, inside)
        if V.shape[1]:
            out.append((np.array(idx), V))
    return out


def choi_variable(model: SDPModel, pair: str, sectors: list) -> MatExpr:
    """``J = sum_b V_b X_b V_b^T`` (32 x 32) with ``X_b >= 0`` added to the model."""
    n = st.dim(pair)
    J = None
    for b, (idx, V) in enumerate(sectors):
        X = model.sym_matrix(V.shape[1])
        model.add_psd(X, ("X", pair, b), split=False)
        W = np.zeros((n, V.shape[1]))
        W[idx] = V
        Ws = sp.csr_matrix(W)
        L = sp.kron(Ws, Ws, format="csr")  # vec(W X W^T) = (W (x) W) vec(X), row-major
        term = X.linear_image(L, n)
        J = term if J is None else model.pad(J) + model.pad(term)
    return model.pad(J)


def add_ppt(model: SDPModel, expr: MatExpr, pair: str | None, tag: tuple) -> None:
    """Partial transpose on every party PSD (each a cached index permutation)."""
    for party in st.PARTIES:
        model.add_psd(expr.permuted(st.partial_transpose_perm(pair, party)), tag + (party,))


@lru_cache(maxsize=None)
def trace_out_map(pair: str) -> sp.csr_matrix:
    """Sparse 64 x 1024 map ``vec(J) -> vec(Tr_out J)``."""
    rows, cols = [], []
    n = st.dim(pair)
    for i8, j8, i, j in st.trace_out_pairs(pair):
        rows.append(i8 * 8 + j8)
        cols.append(i * n + j)
    return sp.csr_matrix((np.ones(len(rows)), (rows, cols)), shape=(64, n * n))


def failure_element(model: SDPModel, J: dict) -> MatExpr:
    """``E = D^2 - sum_k Tr_out J_k`` (completeness), with ``D^2 = diag(theta)``."""
    H = sp.csr_matrix((np.ones(8), ([i * 9 for i in range(8)], range(8))), shape=(64, 8))
    E = MatExpr(8, sp.csr_matrix((64, model.nvar)), H, np.zeros(64))
    for pair, Jk in J.items():
        E = E + (-model.pad(Jk).linear_image(trace_out_map(pair), 8))
    return E


def objective_vector(model: SDPModel, frame: Frame, spec: RelaxationSpec, J: dict) -> np.ndarray:
    """``sum_k w_k <C_k, J_k>`` as a vector on the model variables."""
    v = frame.v_float()
    rhoT = np.outer(v, v)
    f = np.zeros(model.nvar)
    for pair, w in zip(spec.pairs, spec.weights):
        C = (st.objective_operator(rhoT, pair) if spec.objective == "exact"
             else st.fidelity_operator(rhoT, pair))
        f += float(w) * (model.pad(J[pair]).G.T @ C.ravel())
    return f


# ---- the relaxation ----------------------------------------------------------------------

@dataclass
class CompiledRelaxation:
    frame_key: tuple
    spec: RelaxationSpec
    canonical: Canonical
    sectors: dict
    J: dict  # pair -> MatExpr (to read the primal Choi operators back)
    nvar: int


def build_ppt_relaxation(frame: Frame, spec: RelaxationSpec) -> CompiledRelaxation:
    model = SDPModel(n_theta=8)
    sectors, J = {}, {}
    for pair in spec.pairs:
        sectors[pair] = sector_bases(frame, pair, spec.objective)
        J[pair] = choi_variable(model, pair, sectors[pair])
        add_ppt(model, J[pair], pair, ("PT", pair))
    E = failure_element(model, J)
    model.add_psd(E, ("E", "id"))
    add_ppt(model, E, None, ("E",))
    model.objective = objective_vector(model, frame, spec, J)
    J = {k: model.pad(v) for k, v in J.items()}
    return CompiledRelaxation(frame.structure_key(), spec, model.canonicalize(), sectors, J,
                              model.nvar)


_CACHE: dict = {}


def compiled_relaxation(frame: Frame, spec: RelaxationSpec) -> CompiledRelaxation:
    """Compile once per structure (frame kind, active inputs, spec); reused across a sweep."""
    key = (frame.structure_key(), spec)
    if key not in _CACHE:
        _CACHE[key] = build_ppt_relaxation(frame, spec)
    return _CACHE[key]
