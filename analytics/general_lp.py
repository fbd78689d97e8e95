"""Separable instruments for ANY three-qubit pure state: an LP over complex product Kraus operators.

Floats only: this module *searches*; :mod:`analytics.general_lp_certificates` turns what it
finds into an exact instrument and proves it (formulation.md, section 8, extended to complex
amplitudes; issue 19).

**Operators.** Kraus operators :math:`K = \\sqrt t\\,(F_A \\otimes F_B \\otimes F_C)` with complex
2x2 factors; :math:`P = K^\\dagger K = t\\,\\bigotimes_p F_p^\\dagger F_p`. A Hermitian 8x8 operator
is written by its 64 Pauli coordinates :math:`\\mathrm{Tr}(P\\,\\sigma_\\mu \\otimes \\sigma_\\nu
\\otimes \\sigma_\\lambda)` (real); for a product they are the products of the 4 coordinates of
each factor. Completeness :math:`\\sum_j t_j P_j = I_8` is 64 real equations (the identity has
coordinate 8 on :math:`I \\otimes I \\otimes I`, 0 elsewhere).

**Success column** of pair (i, j), third party k: a row vector :math:`r` of party k
(:math:`F_k = |0\\rangle\\langle \\bar r|`, i.e. first row ``r``), a 2x2 matrix :math:`B` of
party j. With :math:`M = \\langle \\bar r|_k \\psi` (2x2, rows i, columns j),
:math:`G = M B^T` and :math:`F_i = \\mathrm{adj}(G)` (the adjugate: no inverse),
:math:`(F_i \\otimes F_j)M = \\mathrm{adj}(G)\\,G = \\det(G)\\,I`: the branch is exactly
:math:`\\sqrt2\\det G\\,|\\Phi^+\\rangle_{ij}|0\\rangle_k`, success probability
:math:`2|\\det G|^2` (normalised psi), whatever r and B.

**Failure column**: a rank-one product projector :math:`|abc\\rangle\\langle abc|` (complex unit
vectors).

**LP**: maximise :math:`\\sum_j t_j s_j` subject to :math:`\\sum_j t_j P_j = I_8`, :math:`t \\ge 0`
(columns trace-normalised). Every feasible point is a separable instrument. HiGHS
(:func:`analytics.separable_lp.solve_lp`) solves it; the duals price new columns: success
columns maximise :math:`(s - \\langle y, P\\rangle)/\\mathrm{Tr}\\,P` over (r, B) (12 real
parameters: random sampling, then :func:`analytics.separable_lp.compass_search`), failure
columns minimise :math:`\\langle y, |abc\\rangle\\langle abc|\\rangle` (alternating smallest
eigenvectors).

**Seeds**: the measure + Vidal protocol of :func:`analytics.general_locc.measure_vidal_protocol`
(party k measures in the basis u, u-perp; the pair keeps Vidal's conversion: its success
operator is the column (pair, r = conj(u), B = I), whose adjugate has the same success
probability :math:`2\\lambda_{min}`, and its failure operators are products of eigenvectors),
the computational-basis measurement of every party, and the 216 products of the eigenvectors
of X, Y, Z (the identity instrument lies in their span: the LP is feasible from the start), and
random columns (seeded; they break the degeneracy of the protocol's vertex, which otherwise
stalls the first tens of rounds: on a random state the LP then gains nothing for ~8 s).
"""
from __future__ import annotations

import math
import time
from dataclasses import dataclass, field

import numpy as np

from .general_locc import MeasureVidal, measure_vidal_protocol
from .general_states import ThreeQubitState, three_qubit_state
from .separable_lp import (DEFAULT_BUDGET, PAIR_INDICES, SeparableLPError, adjugate,
                           check_lp_budget, compass_search, solve_lp)
from .states import PARTIES

PAULIS = np.array([[[1, 0], [0, 1]], [[0, 1], [1, 0]], [[0, -1j], [1j, 0]], [[1, 0], [0, -1]]],
                  dtype=complex)
#: HiGHS time limits (s): the first LP (always solved, whatever the budget) and the least any
#: later LP gets (HiGHS can stall on a degenerate LP; a solve past its limit fails and the last
#: solution is kept).
FIRST_LP_SECONDS = 30.0
LP_MIN_SECONDS = 3.0
#: Right-hand side of completeness in Pauli coordinates: Tr(I_8) on I (x) I (x) I.
IDENTITY_COORDS = np.zeros(64)
IDENTITY_COORDS[0] = 8.0


def pauli_coords(p: np.ndarray) -> np.ndarray:
    """``Tr(P sigma_mu)`` (real, (..., 4)) of Hermitian 2x2 matrices ``p`` (..., 2, 2)."""
    return np.einsum("...ij,mji->...m", p, PAULIS).real


def product_coords(pa, pb, pc) -> np.ndarray:
    """The 64 Pauli coordinates (..., 64) of :math:`P_A \\otimes P_B \\otimes P_C`."""
    ca, cb, cc = pauli_coords(pa), pauli_coords(pb), pauli_coords(pc)
    out = ca[..., :, None, None] * cb[..., None, :, None] * cc[..., None, None, :]
    return out.reshape(*out.shape[:-3], 64)


def state_tensor(st: ThreeQubitState) -> np.ndarray:
    """The normalised state as a (2, 2, 2) complex array (A, B, C)."""
    return st.vector().reshape(2, 2, 2)


@dataclass(frozen=True)
class GeneralSuccessColumn:
    """Success column of ``pair``: ``r`` (party k's row, 2 complex) and ``B`` (party j, 2x2
    complex, row-major 4-tuple)."""

    pair: str
    r: tuple
    B: tuple

    def arrays(self):
        return np.array(self.r, complex), np.array(self.B, complex).reshape(2, 2)


@dataclass(frozen=True)
class GeneralFailureColumn:
    """Failure column :math:`|abc\\rangle\\langle abc|`: three complex unit vectors."""

    vectors: tuple


def success_factors(psi: np.ndarray, pair: str, r: np.ndarray, B: np.ndarray) -> tuple:
    """Batched success factors ``(F by party index [A, B, C], det G)`` for rows ``r`` (N, 2) and
    ``B`` (N, 2, 2) on the (2, 2, 2) state ``psi`` (module docstring)."""
    i, j, k = PAIR_INDICES[pair]
    t = np.transpose(psi, (i, j, k))
    m = np.einsum("abg,ng->nab", t, r)
    g = m @ np.swapaxes(B, -1, -2)
    a = adjugate(g)
    det = g[:, 0, 0] * g[:, 1, 1] - g[:, 0, 1] * g[:, 1, 0]
    fk = np.zeros((len(r), 2, 2), complex)
    fk[:, 0, :] = r
    out = [None, None, None]
    out[i], out[j], out[k] = a, B, fk
    return out, det


def _gram(f: np.ndarray) -> np.ndarray:
    return np.conj(np.swapaxes(f, -1, -2)) @ f


def success_data(psi: np.ndarray, pair: str, r: np.ndarray, B: np.ndarray) -> tuple:
    """``(coords (N, 64), success probability (N,), trace (N,))`` of success columns."""
    facs, det = success_factors(psi, pair, r, B)
    grams = [_gram(f) for f in facs]
    with np.errstate(over="ignore", invalid="ignore"):
        coords = product_coords(*grams)
        tr = np.prod([np.trace(g, axis1=-2, axis2=-1).real for g in grams], axis=0)
    return coords, 2.0 * np.abs(det) ** 2, tr


def failure_coords(vecs: np.ndarray) -> np.ndarray:
    """Coordinates (N, 64) of the product projectors of unit vectors ``vecs`` (N, 3, 2)."""
    projs = [vecs[:, n, :, None] * np.conj(vecs[:, n, None, :]) for n in range(3)]
    return product_coords(*projs)


def _params_to_cols(params: np.ndarray) -> tuple:
    r = params[:, 0:2] + 1j * params[:, 2:4]
    B = (params[:, 4:8] + 1j * params[:, 8:12]).reshape(-1, 2, 2)
    return r, B


def _success_score(psi, pair, y, params):
    r, B = _params_to_cols(params)
    coords, p, tr = success_data(psi, pair, r, B)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        out = (p - coords @ y) / tr
        ratio = p / tr
    return np.where(np.isfinite(out) & (tr > 1e-300) & (ratio > 1e-9), out, -np.inf)


def price_success(psi, pair, y, rng, samples: int = 1500, starts: int = 6, iters: int = 40,
                  extra: np.ndarray | None = None) -> list:
    """Best success columns of ``pair`` for the dual ``y`` (64,): ``[(score, params (12,))]``."""
    pts = rng.normal(size=(samples, 12))
    if extra is not None and len(extra):
        pts = np.vstack([pts, extra])
    val = _success_score(psi, pair, y, pts)
    start = pts[np.argsort(-val)[:starts]].copy()
    val, pts = compass_search(lambda q: _success_score(psi, pair, y, q), start, iters)
    return [(float(v), q) for v, q in zip(val, pts) if np.isfinite(v)]


def price_failure(y, rng, starts: int = 64, sweeps: int = 12) -> tuple:
    """Product unit vectors (N, 3, 2) minimising <abc|Y|abc> (alternating smallest eigenvectors)
    and their values; ``y`` the 64 dual coordinates."""
    y3 = y.reshape(4, 4, 4)
    vecs = rng.normal(size=(starts, 3, 2)) + 1j * rng.normal(size=(starts, 3, 2))
    vecs /= np.linalg.norm(vecs, axis=-1, keepdims=True)
    subs = ("abc,Nb,Nc->Na", "abc,Na,Nc->Nb", "abc,Na,Nb->Nc")
    for _ in range(sweeps):
        for n in range(3):
            cs = [pauli_coords(vecs[:, m, :, None] * np.conj(vecs[:, m, None, :])) for m in range(3)]
            w = np.einsum(subs[n], y3, *[cs[m] for m in range(3) if m != n])
            mat = np.einsum("Nm,mij->Nij", w, PAULIS)
            _, ev = np.linalg.eigh(mat)
            vecs[:, n, :] = ev[:, :, 0]
    return failure_coords(vecs) @ y, vecs


# ---- seeds ---------------------------------------------------------------------------------------

def _eigvecs(g: np.ndarray) -> list:
    w, ev = np.linalg.eigh(g)
    return [ev[:, t] for t in range(2) if w[t] > 1e-12 * max(w.max(), 1e-300)]


def _basis_failures() -> list:
    r = 1 / math.sqrt(2)
    six = ((1, 0), (0, 1), (r, r), (r, -r), (r, 1j * r), (r, -1j * r))
    return [GeneralFailureColumn((a, b, c)) for a in six for b in six for c in six]


def measurement_seeds(psi: np.ndarray, party: str, u) -> tuple:
    """Columns of "party measures in the basis u, u-perp, then Vidal on the other two"."""
    k = PARTIES.index(party)
    pair = "".join(p for p in PARTIES if p != party)
    i, j, _ = PAIR_INDICES[pair]
    u = np.array([complex(z) for z in u])
    u = u / np.linalg.norm(u)
    succ, fail = [], []
    e = np.eye(2)
    for vec in (u, np.array([-np.conj(u[1]), np.conj(u[0])])):
        r = np.conj(vec)
        col = GeneralSuccessColumn(pair, tuple(r), tuple(e.reshape(-1).astype(complex)))
        succ.append(col)
        facs, _ = success_factors(psi, pair, r[None], e[None].astype(complex))
        for a in _eigvecs(_gram(facs[i][0])) or [e[0], e[1]]:
            for b in (e[0], e[1]):
                vs = [None, None, None]
                vs[i], vs[j], vs[k] = a, b, vec
                fail.append(GeneralFailureColumn(tuple(tuple(complex(z) for z in v) for v in vs)))
    return succ, fail


def random_columns(rng, n: int) -> tuple:
    """``n`` random success columns per pair and ``n`` random failure columns (complex
    Gaussian parameters): they break the degeneracy of the seed LP, whose optimum is the
    protocol's vertex (without them the first tens of rounds price columns of zero gain)."""
    succ = []
    for pair in PAIR_INDICES:
        r = rng.normal(size=(n, 2)) + 1j * rng.normal(size=(n, 2))
        B = rng.normal(size=(n, 4)) + 1j * rng.normal(size=(n, 4))
        succ += [GeneralSuccessColumn(pair, tuple(a), tuple(b)) for a, b in zip(r, B)]
    v = rng.normal(size=(n, 3, 2)) + 1j * rng.normal(size=(n, 3, 2))
    return succ, [GeneralFailureColumn(tuple(map(tuple, x))) for x in v]


def default_seeds(st: ThreeQubitState, protocol: MeasureVidal | None = None) -> tuple:
    """``(success, failure, protocol)``: the measure + Vidal protocol (``protocol``, else
    :func:`measure_vidal_protocol`), the computational-basis measurement of every party and
    the Pauli-eigenvector basis (module docstring)."""
    psi = state_tensor(st)
    protocol = measure_vidal_protocol(st) if protocol is None else protocol
    succ, fail = measurement_seeds(psi, protocol.party, protocol.u)
    for party in PARTIES:
        s, f = measurement_seeds(psi, party, (1, 0))
        succ += s
        fail += f
    return succ, _basis_failures() + fail, protocol


# ---- the LP --------------------------------------------------------------------------------------

@dataclass
class GeneralLPSolution:
    """A float separable instrument found by the LP for a general state: ``value`` (LP optimum,
    float, NOT a bound), ``success`` / ``failure``: ``[(column, weight)]`` with weight > 0
    (weights of trace-normalised columns), ``seed_value`` (the first LP, on the seeds),
    ``protocol`` (the measure + Vidal seed), ``iterations``, ``time`` (s), ``stopped``."""

    state: ThreeQubitState
    value: float
    success: list
    failure: list
    iterations: int
    time: float
    seed_value: float
    protocol: MeasureVidal | None = field(default=None, repr=False)
    history: list = field(default_factory=list, repr=False)
    stopped: str = ""

    def __repr__(self) -> str:
        return (f"GeneralLPSolution(value={self.value:.8f} (float, not a bound), columns="
                f"{len(self.success)}+{len(self.failure)}, iterations={self.iterations}, "
                f"time={self.time:.1f}s, stopped={self.stopped!r})")


class _Columns:
    """The LP's columns: coordinates (trace-normalised) and success probabilities."""

    def __init__(self, psi):
        self.psi = psi
        self.cols, self.coords, self.p = [], [], []

    def add_success(self, cols) -> int:
        n0 = len(self.cols)
        for pair in PAIR_INDICES:
            group = [c for c in cols if c.pair == pair]
            if not group:
                continue
            r = np.array([g.r for g in group], complex)
            B = np.array([g.B for g in group], complex).reshape(-1, 2, 2)
            coords, p, tr = success_data(self.psi, pair, r, B)
            for g, co, pv, t in zip(group, coords, p, tr):
                if t > 1e-300 and np.all(np.isfinite(co)) and pv / t > 1e-12:
                    self.cols.append(g)
                    self.coords.append(co / t)
                    self.p.append(pv / t)
        return len(self.cols) - n0

    def add_failure(self, cols) -> int:
        if not cols:
            return 0
        vecs = np.array([c.vectors for c in cols], complex)
        vecs /= np.linalg.norm(vecs, axis=-1, keepdims=True)
        for v, co in zip(vecs, failure_coords(vecs)):
            self.cols.append(GeneralFailureColumn(tuple(tuple(complex(z) for z in x) for x in v)))
            self.coords.append(co)
            self.p.append(0.0)
        return len(cols)

    def solve(self, time_limit: float):
        """The LP of the columns so far (:func:`analytics.separable_lp.solve_lp`: dual simplex,
        then the interior-point method if the simplex stalls)."""
        return solve_lp(np.array(self.coords), np.array(self.p), IDENTITY_COORDS, time_limit)


def solve_general_lp(state, budget: float = DEFAULT_BUDGET, seed: int = 0,
                     max_iterations: int = 400, tol: float = 1e-9, per_pair: int = 4,
                     smoothing: float = 0.5, protocol: MeasureVidal | None = None,
                     stall: int = 30, random_seeds: int = 100) -> GeneralLPSolution:
    """Column generation for the best separable instrument of any three-qubit state (floats;
    module docstring). ``state``: anything :func:`analytics.general_states.three_qubit_state`
    accepts. ``budget``: seconds for the loop (the seeds and the first LP always run). Stops
    when no column with reduced cost > ``tol`` is found, after ``max_iterations`` or when the
    budget is spent. Raises :class:`analytics.separable_lp.SeparableLPError` for a bad budget
    or a failed first LP. ``stall``: stop after that many rounds without an improvement of
    the value by more than ``tol`` (a degenerate optimum, e.g. of GHZ-type states, keeps
    pricing columns of zero gain); that stop is deterministic (seeded), not timed.
    ``random_seeds``: random columns per pair added to the seeds (:func:`random_columns`)."""
    budget = check_lp_budget(budget)
    t0 = time.perf_counter()
    st = three_qubit_state(state)
    psi = state_tensor(st)
    rng = np.random.default_rng(seed)
    succ, fail, protocol = default_seeds(st, protocol)
    rs, rf = random_columns(rng, random_seeds)
    succ, fail = succ + rs, fail + rf
    cols = _Columns(psi)
    cols.add_success(succ)
    cols.add_failure(fail)
    res = cols.solve(FIRST_LP_SECONDS)
    size = len(cols.cols)
    value = seed_value = -res.fun
    history = [(time.perf_counter() - t0, value)]
    y = -np.asarray(res.eqlin.marginals)
    center = y.copy()
    it, stopped, last_gain = 0, "iterations", 0
    while it < max_iterations:
        if it - last_gain >= stall:
            stopped = f"stalled (no gain in {stall} rounds)"
            break
        if time.perf_counter() - t0 >= budget:
            stopped = "budget"
            break
        it += 1
        found = False
        for attempt in (0, 1):
            yp = smoothing * center + (1 - smoothing) * y if attempt == 0 else y
            new_s = []
            for pair in PAIR_INDICES:
                cands = sorted(price_success(psi, pair, yp, rng), key=lambda t: -t[0])
                for score, prm in cands[:per_pair]:
                    if score > tol:
                        r, B = _params_to_cols(prm[None])
                        new_s.append(GeneralSuccessColumn(pair, tuple(r[0]), tuple(B[0].reshape(-1))))
            fv, fvecs = price_failure(yp, rng)
            new_f = [GeneralFailureColumn(tuple(map(tuple, fvecs[n])))
                     for n in np.argsort(fv)[:per_pair] if fv[n] < -tol]
            n0 = len(cols.cols)
            cols.add_success(new_s)
            cols.add_failure(new_f)
            rc = [cols.p[t] - float(np.dot(cols.coords[t], y)) for t in range(n0, len(cols.cols))]
            if max(rc, default=-1.0) > tol:  # improves at the true dual too
                found = True
                break
            center = y.copy()
        if not found:
            stopped = "optimal (no improving column found)"
            break
        try:
            res_new = cols.solve(max(LP_MIN_SECONDS, budget - (time.perf_counter() - t0)))
        except SeparableLPError as exc:
            stopped = f"LP solver failed ({exc}); the last solution is kept"
            break
        res, size = res_new, len(cols.cols)
        new_value = -res.fun
        y = -np.asarray(res.eqlin.marginals)
        if new_value > value + 1e-12:
            center = y.copy()
        if new_value > value + tol:
            last_gain = it
        value = max(value, new_value)
        history.append((time.perf_counter() - t0, value))
    x = res.x
    success = [(cols.cols[t], float(x[t])) for t in range(size)
               if x[t] > 0 and isinstance(cols.cols[t], GeneralSuccessColumn)]
    failure = [(cols.cols[t], float(x[t])) for t in range(size)
               if x[t] > 0 and isinstance(cols.cols[t], GeneralFailureColumn)]
    return GeneralLPSolution(st, float(value), success, failure, it, time.perf_counter() - t0,
                             float(seed_value), protocol, history, stopped)


__all__ = ["GeneralSuccessColumn", "GeneralFailureColumn", "GeneralLPSolution",
           "solve_general_lp", "random_columns", "success_factors", "success_data", "failure_coords",
           "product_coords", "pauli_coords", "default_seeds", "PAULIS", "IDENTITY_COORDS"]
