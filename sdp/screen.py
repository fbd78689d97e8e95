"""The PPT relaxation as a function V of unnormalised W-class weights, for screens (issue 18).

:func:`ppt_screen_value` is the homogeneous extension

.. math::

    V(w) = |w|_1 \\, \\mathrm{PPT}(w / |w|_1), \\qquad w = (w_0, w_A, w_B, w_C) \\ge 0,\\ V(0) = 0,

of the optimal value of the PPT relaxation (formulation.md section 4; Chitambar, Cui, Lo, PRL 108,
240504 (2012), task (1)) with all three pairs and unit weights, the form the monotonicity checker
(:func:`analytics.find_monotone_violation`) takes; :func:`ppt_screen_values` is its vectorised form
(rows of an (n, 4) array). It is the *solver's value*, not a bound: no certificate is built
(``ppt_upper_bound(..., certify=True)`` does that). What it saves against ``ppt_upper_bound``
(``benchmarks/bench_ppt_screen.py`` prints the figures):

* no result object, pair probabilities or attempt records, only the solve;
* Clarabel with :data:`SCREEN_OPTIONS`: iterative refinement of the linear solves off, and
  tolerances of 1e-7 (enough to see an increase above about 1e-6; the screen keeps the
  duality gap of every solve);
* no model building per state: for x0 > 0 the frame carries the state's amplitudes
  (:mod:`sdp.frame`), so :func:`sdp.relaxation.compiled_relaxation` builds a new model for every
  state (about 40 ms); :func:`screen_compiled` instead composes a template compiled once per
  structure with the state's facial reduction (sparse products, about 10 ms) and yields the same
  canonical data (A, b, c, cones; tested). Plane states (x0 = 0) use the compiled model of their
  structure, as everywhere. Solver instances come from :func:`sdp.engine.get_engine`.

A solve that is not ``optimal`` with the screen settings is repeated with the project's default
Clarabel settings, then with SCS; if none is optimal, :class:`ScreenSolveFailed` is raised.
"""
from __future__ import annotations

import math
import time
from dataclasses import dataclass
from fractions import Fraction

import numpy as np
import scipy.sparse as sp

from analytics.errors import SepgapError
from analytics.states import WClassState

from .engine import get_engine
from .frame import Frame, frame_for
from .model import Canonical, svec_matrix
from .relaxation import (CompiledRelaxation, RelaxationSpec, build_ppt_relaxation,
                         compiled_relaxation, make_spec, sparse_kernel_basis)

#: Clarabel settings of the screen (on top of :data:`sdp.engine.CLARABEL_DEFAULTS`).
SCREEN_OPTIONS = {"tol_gap_abs": 1e-7, "tol_gap_rel": 1e-7, "tol_feas": 1e-7,
                  "iterative_refinement_enable": False}
#: (solver, options) tried in order until one returns "optimal".
SCREEN_ATTEMPTS = (("CLARABEL", SCREEN_OPTIONS), ("CLARABEL", None), ("SCS", None))
_SPEC = make_spec()


class ScreenInputError(SepgapError, ValueError):
    """Weights that are not 4 finite non-negative numbers (rows of an (n, 4) array)."""


class ScreenSolveFailed(SepgapError):
    """No solver attempt of :data:`SCREEN_ATTEMPTS` returned an optimal solution."""


@dataclass(frozen=True)
class ScreenValue:
    """One evaluation: ``value`` = V(w) (solver's primal value times |w|_1, numerical),
    ``gap`` = dual minus primal objective times |w|_1, ``solver``/``attempt`` (0 = the screen
    settings), ``iterations``, ``seconds`` (wall, frame + compile + solve)."""

    value: float
    gap: float
    solver: str
    attempt: int
    iterations: int
    seconds: float


# ---- compiling without rebuilding: the x0 > 0 model from a template --------------------------------
#
# For x0 > 0 the frame carries the state's amplitudes v, so every state has its own model. But v
# enters the exact relaxation only through the facially reduced blocks J_- = V X_- V^T,
# J_0 = V X_0 V^T (V: orthonormal basis of the complement of v on the active inputs) and the
# objective v^T J_+ v; every constraint is linear in (J_+, J_-, J_0). The "fidelity" model of the
# same structure has free blocks J_- = X_-, J_0 = X_0 and otherwise the same constraints, in the
# same order. So the exact model is the fidelity template (compiled once per active set) with the
# columns of X_-, X_0 composed with X -> V X V^T, the cones X_-, X_0 >= 0 resized, and the
# objective recomputed: sparse products, no model building. tests/test_ppt_screen.py checks that
# the result equals build_ppt_relaxation's (A, b, c, cones) to rounding.

_TEMPLATES: dict = {}


def _sym_basis(m: int) -> list:
    """The variables of an m x m symmetric matrix in SDPModel.sym_matrix's order."""
    return [(i, j) for i in range(m) for j in range(i, m)]


def _lift(V: np.ndarray) -> np.ndarray:
    """(m(m+1)/2) x (k(k+1)/2): the template variables of ``V X V^T`` as a linear map of X's."""
    m, k = V.shape
    rows = _sym_basis(m)
    out = np.zeros((len(rows), k * (k + 1) // 2))
    for c, (i, j) in enumerate(_sym_basis(k)):
        E = np.outer(V[:, i], V[:, j])
        Y = E + E.T if i != j else E
        out[:, c] = [Y[a, b] for a, b in rows]
    return out


def _template(frame: Frame, spec: RelaxationSpec):
    key = (frame.kind, frame.active, spec.pairs, spec.weights)
    t = _TEMPLATES.get(key)
    if t is None:
        fid = build_ppt_relaxation(frame, RelaxationSpec(spec.pairs, spec.weights, "fidelity"))
        t = _TEMPLATES[key] = fid.canonical
    return t


def screen_compiled(frame: Frame, spec: RelaxationSpec = None) -> CompiledRelaxation:
    """The compiled exact relaxation of ``frame`` (canonical data only: no certificate
    sectors), for x0 > 0 frames from the fidelity template (above); otherwise
    :func:`sdp.relaxation.compiled_relaxation` (compiled once per structure anyway)."""
    spec = spec or _SPEC
    if frame.kind != "w" or spec.objective != "exact":
        return compiled_relaxation(frame, spec)
    active = list(frame.active)
    m = len(active)
    can = _template(frame, spec) if m > 2 else None
    if can is None or can.n_nonneg:  # 1 x 1 cones are sorted first: keep the general path
        return compiled_relaxation(frame, spec)
    v = frame.v_float()[active]
    V = sparse_kernel_basis(list(range(m)), [v])
    L = sp.csr_matrix(_lift(V))
    nx, nr = m * (m + 1) // 2, (m - 1) * m // 2
    npair = len(spec.pairs)
    # column map template variables -> exact variables: per pair X_+ (identity), X_-, X_0 (L)
    blocks = []
    for _ in range(npair):
        blocks += [sp.identity(nx, format="csr"), L, L]
    T = sp.block_diag(blocks, format="csr")
    AT = (can.A @ T).tocsr()
    Bfull = can.B.tocsr()
    Ar, b0, Bt, sizes, tags = [], [], [], [], []
    x_seen, start = 0, 0
    cone = sp.csr_matrix(-svec_matrix(m - 1) @ _sym_matrix_G(m - 1))
    for n, tag, off in zip(can.sizes, can.tags, can.offsets):
        if tag[0] != "X":
            continue
        which, pair_i = x_seen % 3, x_seen // 3
        x_seen += 1
        if not which:
            continue
        # X_- or X_0: the cone of the reduced (m-1) x (m-1) variable replaces the template's
        Ar.append(AT[start:off])
        b0.append(can.b0[start:off])
        Bt.append(Bfull[start:off])
        col0 = pair_i * (nx + 2 * nr) + nx + (which - 1) * nr
        Ar.append(sp.hstack([sp.csr_matrix((nr, col0)), cone,
                             sp.csr_matrix((nr, T.shape[1] - col0 - nr))], format="csr"))
        b0.append(np.zeros(nr))
        Bt.append(sp.csr_matrix((nr, can.B.shape[1])))
        start = off + n * (n + 1) // 2
    Ar.append(AT[start:])
    b0.append(can.b0[start:])
    Bt.append(Bfull[start:])
    sizes = [(m - 1 if (t[0] == "X" and t[1] != "psi+") else n) for n, t in zip(can.sizes, can.tags)]
    tags = list(can.tags)
    if x_seen != 3 * npair:
        raise AssertionError("fidelity template has an unexpected cone layout")
    offsets = list(np.cumsum([0] + [n * (n + 1) // 2 for n in sizes[:-1]]))
    A = sp.vstack(Ar).tocsc()
    A.eliminate_zeros()
    # objective: maximise sum_k w_k v^T J_+ v, J_+ = X_+ on the active inputs
    vv = np.array([v[i] * v[j] * (2.0 if i != j else 1.0) for i, j in _sym_basis(m)])
    c = np.zeros(T.shape[1])
    for p_i, w in enumerate(spec.weights):
        c[p_i * (nx + 2 * nr): p_i * (nx + 2 * nr) + nx] = -float(w) * vv
    canon = Canonical(A=A, b0=np.concatenate(b0), B=sp.vstack(Bt).tocsr(), c=c,
                      n_nonneg=sum(1 for n in sizes if n == 1),
                      psd_sizes=[n for n in sizes if n > 1], tags=tags, sizes=sizes,
                      offsets=[int(o) for o in offsets])
    if any(n == 1 for n in sizes):
        raise AssertionError("a 1 x 1 cone in the composed model")
    return CompiledRelaxation(frame.structure_key(), spec, canon, {}, {}, T.shape[1])


def _sym_matrix_G(m: int) -> sp.csr_matrix:
    """vec (row-major, m^2) of a symmetric m x m matrix from its variables (sym_matrix's G)."""
    rows, cols = [], []
    for k, (i, j) in enumerate(_sym_basis(m)):
        rows.append(i * m + j)
        cols.append(k)
        if i != j:
            rows.append(j * m + i)
            cols.append(k)
    return sp.csr_matrix((np.ones(len(rows)), (rows, cols)), shape=(m * m, m * (m + 1) // 2))


def _check_row(w) -> np.ndarray:
    try:
        row = np.asarray(w, dtype=float)
    except (TypeError, ValueError):
        raise ScreenInputError(f"weights {w!r} are not numbers") from None
    if row.shape != (4,):
        raise ScreenInputError(f"weights must be 4 numbers (w0, wA, wB, wC), got shape {row.shape}")
    if not np.all(np.isfinite(row)):
        raise ScreenInputError(f"weights {row.tolist()} are not finite")
    if np.any(row < 0):
        raise ScreenInputError(f"weights {row.tolist()} are negative")
    return row


def normalised_state(w) -> WClassState:
    """The W-class state ``w / |w|_1`` with exact rational components (the exact binary value of
    each float divided by their exact sum: no further rounding). Raises :class:`ScreenInputError`."""
    row = _check_row(w)
    q = [Fraction(float(t)) for t in row]
    s = sum(q)
    if s == 0:
        raise ScreenInputError("weights are all zero: no state")
    return WClassState.from_components(*(t / s for t in q))


def ppt_screen_value(w) -> ScreenValue:
    """V(w) for one row ``w = (w0, wA, wB, wC)`` (module docstring); V(0) = 0.

    Raises :class:`ScreenInputError` (bad weights) or :class:`ScreenSolveFailed`."""
    row = _check_row(w)
    s = float(math.fsum(row))
    if s == 0:
        return ScreenValue(0.0, 0.0, "none", 0, 0, 0.0)
    t0 = time.perf_counter()
    state = normalised_state(row)
    frame = frame_for(state)
    comp = screen_compiled(frame)
    theta = frame.theta()
    scale = float(frame.scale)
    tried = []
    for i, (solver, options) in enumerate(SCREEN_ATTEMPTS):
        raw = get_engine(comp, theta, solver, options).solve(theta)
        tried.append(f"{raw.solver} {raw.status}")
        if raw.status == "optimal" and math.isfinite(raw.pobj) and math.isfinite(raw.dobj):
            return ScreenValue(s * raw.pobj / scale, s * (raw.dobj - raw.pobj) / scale,
                               raw.solver, i, raw.iterations, time.perf_counter() - t0)
    raise ScreenSolveFailed(f"no optimal solve at weights {row.tolist()}: " + ", ".join(tried))


def ppt_screen_values(W) -> np.ndarray:
    """Vectorised V: an (n, 4) array of unnormalised weights -> shape (n,) values
    (:func:`ppt_screen_value` row by row; the form ``find_monotone_violation`` takes)."""
    arr = np.asarray(W, dtype=float)
    if arr.ndim != 2 or arr.shape[1] != 4:
        raise ScreenInputError(f"expected an (n, 4) array of weights, got shape {arr.shape}")
    return np.array([ppt_screen_value(row).value for row in arr])


__all__ = ["ppt_screen_value", "screen_compiled", "ppt_screen_values", "normalised_state", "ScreenValue",
           "ScreenInputError", "ScreenSolveFailed", "SCREEN_OPTIONS", "SCREEN_ATTEMPTS"]
