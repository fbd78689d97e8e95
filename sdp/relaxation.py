"""The PPT relaxation of optimal SEP random-pair distillation, built from small builders.

In the frame of :mod:`sdp.frame` (``rho = |v><v|``, completeness right-hand side ``D^2``):

.. math::

    \\max \\sum_k w_k \\,\\mathrm{Tr}[J_k (\\rho^T \\otimes I_{out})]
    \\quad \\text{s.t.} \\quad
    \\mathrm{Tr}[J_k (\\rho^T \\otimes (I - \\Psi^+_k))] = 0,\\;
    \\sum_k \\mathrm{Tr}_{out} J_k + E = D^2,\\;
    J_k, E \\succeq 0,\\; J_k^{T_p}, E^{T_p} \\succeq 0 \\;(p = A, B, C)

(formulation.md section 4; Chitambar, Cui, Lo, PRL 108, 240504 (2012), Eq. (1) task).
Well-posedness and size (formulation.md section 5, docs/upper-bounds.md): the outputs of each
pair are twirled (``U (x) U``, ``U = diag(1, e^{it})``, and ``X (x) X``), so every Choi operator is
``J_+ (x) Psi+ + J_- (x) Psi- + J_0 (x) (|00><00| + |11><11|)`` with 8 x 8 input blocks and every
PSD constraint splits into 8 x 8 blocks; the exactness equation, which leaves no strictly
feasible point, is imposed by *facial reduction*, ``J_- = V X_- V^T``, ``J_0 = V X_0 V^T`` with V
spanning the complement of v; ``E`` is eliminated through completeness. For ``x0 = 0`` the U(1)
charge splits the blocks further by the input excitation number. The data vector ``theta`` is
the diagonal of ``D^2``, so one compiled model serves every state with the same structure.
"""
from __future__ import annotations

import math
from collections import OrderedDict
from dataclasses import dataclass
from fractions import Fraction
from functools import lru_cache

import numpy as np
import scipy.linalg as sla
import scipy.sparse as sp

from analytics.errors import InvalidStateError

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


def make_spec(pairs=st.PAIRS, weights=None, objective: str = "exact") -> RelaxationSpec:
    """The user's task options, checked and converted once: a :class:`RelaxationSpec`.

    ``pairs``: a non-empty subset of ``AB, AC, BC`` (a sequence or ``"AB,BC"``), put in canonical
    order; ``weights``: one non-negative finite number per pair [1 each], kept as exact
    Fractions; ``objective``: one of :data:`OBJECTIVES`. Raises :class:`InvalidStateError`.
    """
    if isinstance(pairs, str):
        pairs = tuple(p.strip().upper() for p in pairs.split(",") if p.strip())
    pairs = tuple(pairs)
    if not pairs or len(set(pairs)) != len(pairs) or any(p not in st.PAIRS for p in pairs):
        raise InvalidStateError(f"pairs must be a non-empty subset of AB, AC, BC, got {pairs!r}")
    pairs = tuple(p for p in st.PAIRS if p in pairs)  # canonical order
    if weights is None:
        weights = (1,) * len(pairs)
    weights = tuple(weights)
    if len(weights) != len(pairs):
        raise InvalidStateError(f"{len(weights)} weights for {len(pairs)} pairs")
    exact_w = []
    for w in weights:
        if isinstance(w, float) and not math.isfinite(w):
            raise InvalidStateError(f"weight {w} is not finite")
        q = Fraction(w)
        if q < 0:
            raise InvalidStateError(f"weight {w} is negative")
        exact_w.append(q)
    if objective not in OBJECTIVES:
        raise InvalidStateError(f"objective must be one of {OBJECTIVES}, got {objective!r}")
    return RelaxationSpec(pairs, tuple(exact_w), objective)


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


def kernel_sectors(frame: Frame, pair: str, objective: str) -> list:
    """``[(indices, V)]``: one sector (the active labels of the 32-dim Choi space) with ``V``
    spanning the kernel of the exactness operator there (identity for "fidelity"). Used by the
    certificate builder to size the shifts; no symmetry is assumed of the dual."""
    labels = st.choi_labels(pair)
    active = set(frame.active)
    idx = [i for i, (ins, _) in enumerate(labels) if st.input_index(ins) in active]
    excluded = excluded_vectors(frame, pair) if objective == "exact" else []
    V = sparse_kernel_basis(idx, [u for u in excluded if np.any(u[idx])])
    return [(np.array(idx), V)] if V.shape[1] else []


# ---- the output-twirled Choi operator ---------------------------------------------------------
#
# The outputs of pair k may be twirled by U (x) U, U = diag(1, e^{it}), and by X (x) X: both leave
# Psi+, the completeness (a trace over the outputs), the objective and PPT-ness (local unitaries)
# unchanged, so an optimal J_k can be taken invariant (docs/upper-bounds.md). Invariant J_k are
#     J = J_+ (x) Psi+ + J_- (x) Psi- + J_0 (x) (|00><00| + |11><11|)
# with 8 x 8 input blocks, exactness reads J_- v = J_0 v = 0, and every PSD condition on J_k or
# a partial transpose splits into 8 x 8 blocks. Output operators below are 4 x 4 over the pair's
# outputs (00, 01, 10, 11), written times 2 so that they are integers.

#: ``name -> 2 O``: the output factor of each block; a block's dual is lifted to the full
#: 32 x 32 certificate as ``B (x) O`` (O a projector, halved where the block has two copies).
OUTPUT_LIFTS = {
    "psi+": ((0, 0, 0, 0), (0, 1, 1, 0), (0, 1, 1, 0), (0, 0, 0, 0)),
    "psi-": ((0, 0, 0, 0), (0, 1, -1, 0), (0, -1, 1, 0), (0, 0, 0, 0)),
    "00,11": ((1, 0, 0, 0), (0, 0, 0, 0), (0, 0, 0, 0), (0, 0, 0, 1)),   # J_0: two copies
    "01,10": ((0, 0, 0, 0), (0, 1, 0, 0), (0, 0, 1, 0), (0, 0, 0, 0)),   # two copies
    "00+11": ((1, 0, 0, 1), (0, 0, 0, 0), (0, 0, 0, 0), (1, 0, 0, 1)),
    "00-11": ((1, 0, 0, -1), (0, 0, 0, 0), (0, 0, 0, 0), (-1, 0, 0, 1)),
}
_OUT_INDEX = {(0, 0): 0, (0, 1): 1, (1, 0): 2, (1, 1): 3}


def output_lift(name: str):
    """``out_op(o1, o2)``: the integer entries of ``2 O`` for :func:`structure.embed_input_output`."""
    M = OUTPUT_LIFTS[name]
    return lambda o1, o2: M[_OUT_INDEX[o1]][_OUT_INDEX[o2]]


@lru_cache(maxsize=None)
def output_embed_map(pair: str, name: str) -> sp.csr_matrix:
    """Sparse 1024 x 64 map ``vec(M) -> vec(M (x) 2 O)`` in the interleaved order."""
    labels = st.choi_labels(pair)
    n = len(labels)
    out = output_lift(name)
    rows, cols, vals = [], [], []
    for i, (ini, oi) in enumerate(labels):
        for j, (inj, oj) in enumerate(labels):
            c = out(oi, oj)
            if c:
                rows.append(i * n + j)
                cols.append(st.input_index(ini) * 8 + st.input_index(inj))
                vals.append(float(c))
    return sp.csr_matrix((vals, (rows, cols)), shape=(n * n, 64))


def _input_pt(e: MatExpr, party: str) -> MatExpr:
    return e.permuted(st.partial_transpose_perm(None, party))


def twirled_blocks(model: SDPModel, frame: Frame, objective: str) -> list:
    """``[(name, J)]`` for ``J_+, J_-, J_0`` (8 x 8 on the active inputs), their PSD variables added.

    ``J_+ = X_+``; for "exact" ``J_- = V X_- V^T``, ``J_0 = V X_0 V^T`` with V an orthonormal basis
    of the complement of v among the active inputs (facial reduction: exactness holds by
    construction). For x0 = 0 the joint U(1) twirl (diag(1, e^{it}) on every qubit, formulation.md
    section 5) also applies, so each X is block diagonal by the input excitation number."""
    active = list(frame.active)
    charge = [bin(i).count("1") if frame.u1_symmetric else 0 for i in range(8)]
    S = np.zeros((8, len(active)))
    S[active, range(len(active))] = 1.0
    if objective == "exact":
        V = np.zeros((8, len(active) - 1))
        V[active] = sparse_kernel_basis(list(range(len(active))), [frame.v_float()[active]])
    else:
        V = S
    out = []
    for B, name in ((S, "psi+"), (V, "psi-"), (V, "00,11")):
        # every column of B lives in one charge sector (unit vectors, or v's support)
        col_charge = [charge[int(np.flatnonzero(B[:, j])[0])] for j in range(B.shape[1])]
        J = MatExpr(8, sp.csr_matrix((64, model.nvar)), sp.csr_matrix((64, model.n_theta)),
                    np.zeros(64))  # stays 0 if B has no columns (e.g. a product state)
        for q in sorted(set(col_charge)):
            Bq = B[:, [j for j, c in enumerate(col_charge) if c == q]]
            X = model.sym_matrix(Bq.shape[1])
            model.add_psd(X, ("X", name, q), split=False)
            L = sp.csr_matrix(sp.kron(sp.csr_matrix(Bq), sp.csr_matrix(Bq)))
            term = X.linear_image(L, 8)
            J = model.pad(J) + model.pad(term)
        out.append(J)
    return out


def add_twirled_pair(model: SDPModel, frame: Frame, pair: str, objective: str) -> tuple:
    """Variables and PSD constraints of one pair; returns ``(J_+, Tr_out J, J)`` (J 32 x 32).

    Constraints (tags ``(kind, pair, party, output block, indices)``): ``X_+, X_-, X_0 >= 0``; for
    each party p of the pair, ``PT_p J >= 0`` is ``(J'_+ + J'_-)/2 >= 0`` (outputs 01 and 10) and
    ``J'_0 +- (J'_+ - J'_-)/2 >= 0`` (outputs (00 +- 11)/sqrt 2), ``J' = PT_{p, in}``; for the third
    party, ``PT J_+, PT J_-, PT J_0 >= 0``."""
    Jp, Jm, J0 = (model.pad(J) for J in twirled_blocks(model, frame, objective))
    for party in st.PARTIES:
        a, b, c = (_input_pt(e, party) for e in (Jp, Jm, J0))
        if party in pair:
            half_diff = (a + (-b)).scaled(0.5)
            cons = (("01,10", (a + b).scaled(0.5)), ("00+11", c + half_diff),
                    ("00-11", c + (-half_diff)))
        else:
            cons = (("psi+", a), ("psi-", b), ("00,11", c))
        for name, e in cons:
            model.add_psd(e, ("PT", pair, party, name))
    Jp, Jm, J0 = (model.pad(e) for e in (Jp, Jm, J0))
    n = st.dim(pair)
    J = (Jp.linear_image(output_embed_map(pair, "psi+"), n).scaled(0.5)
         + Jm.linear_image(output_embed_map(pair, "psi-"), n).scaled(0.5)
         + J0.linear_image(output_embed_map(pair, "00,11"), n))
    return Jp, Jp + Jm + J0.scaled(2.0), J


# ---- the relaxation ----------------------------------------------------------------------

@dataclass
class CompiledRelaxation:
    frame_key: tuple
    spec: RelaxationSpec
    canonical: Canonical
    sectors: dict   # pair -> [(indices, kernel basis)] of the 32-dim Choi space (certificates)
    J: dict  # pair -> MatExpr (to read the primal Choi operators back)
    nvar: int


def build_ppt_relaxation(frame: Frame, spec: RelaxationSpec) -> CompiledRelaxation:
    model = SDPModel(n_theta=8)
    sectors, J, Jplus, tr_sum = {}, {}, {}, None
    for pair in spec.pairs:
        sectors[pair] = kernel_sectors(frame, pair, spec.objective)
        Jplus[pair], tr_out, J[pair] = add_twirled_pair(model, frame, pair, spec.objective)
        tr_sum = tr_out if tr_sum is None else model.pad(tr_sum) + model.pad(tr_out)
    H = sp.csr_matrix((np.ones(8), ([i * 9 for i in range(8)], range(8))), shape=(64, 8))
    E = MatExpr(8, sp.csr_matrix((64, model.nvar)), H, np.zeros(64)) + (-model.pad(tr_sum))
    model.add_psd(E, ("E", "id"))
    for party in st.PARTIES:
        model.add_psd(_input_pt(E, party), ("E", party))
    # objective sum_k w_k v^T J_+ v: J_- and J_0 annihilate v (exact) or carry no Psi+ (fidelity)
    vv = np.outer(frame.v_float(), frame.v_float()).ravel()
    f = np.zeros(model.nvar)
    for pair, w in zip(spec.pairs, spec.weights):
        f += float(w) * (model.pad(Jplus[pair]).G.T @ vv)
    model.objective = f
    J = {k: model.pad(e) for k, e in J.items()}
    return CompiledRelaxation(frame.structure_key(), spec, model.canonicalize(), sectors, J,
                              model.nvar)


#: Compiled models kept (least recently used dropped): x0 > 0 frames compile per state.
CACHE_SIZE = 32
_CACHE: "OrderedDict" = OrderedDict()


def compiled_relaxation(frame: Frame, spec: RelaxationSpec) -> CompiledRelaxation:
    """Compile once per structure (frame kind, active inputs, spec; for x0 > 0 also the
    state's rational amplitudes); reused across a sweep, at most :data:`CACHE_SIZE` kept."""
    key = (frame.structure_key(), spec)
    if key in _CACHE:
        _CACHE.move_to_end(key)
        return _CACHE[key]
    comp = build_ppt_relaxation(frame, spec)
    _CACHE[key] = comp
    while len(_CACHE) > CACHE_SIZE:
        _CACHE.popitem(last=False)
    return comp
