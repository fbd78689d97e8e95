"""General separable instruments for W-class states: an LP over product Kraus operators.

Floats only: this module *searches*; :mod:`analytics.lp_certificates` turns what it finds into an
exact instrument and proves it. The method is formulation.md, section 8.

**Frame.** :math:`|\\varphi\\rangle = s\\,D|v\\rangle` with :math:`s^2 = x_0` (1 if :math:`x_0 = 0`),
:math:`D = \\bigotimes_k \\mathrm{diag}(1, d_k)`, :math:`d_k^2 = x_k / s^2` (1 if :math:`x_k = 0`) and
:math:`v` the 0/1 vector of the non-zero amplitudes of :math:`|000\\rangle, |100\\rangle, |010\\rangle,
|001\\rangle`. Kraus operators are written :math:`K = K' D^{-1}` with a product :math:`K'`, so
completeness reads :math:`\\sum K'^\\dagger K' = D^2` (rational for rational states).

**Success column** for pair (i, j), third party k: a vector :math:`c'` of party k and a 2x2
matrix :math:`B'` of party j. With :math:`M'` the 2x2 (i, j) matrix of :math:`v` contracted with
:math:`c'` on k, :math:`G' = M'B'^T` and :math:`A' = X\\,\\mathrm{adj}(G')` (X the Pauli X, adj the
adjugate: no inverse, so no conditioning trouble), the operator
:math:`K' = A' \\otimes B' \\otimes |0\\rangle\\langle c'|` maps :math:`v` to
:math:`\\det(G')\\,X \\otimes |0\\rangle`, i.e. :math:`K|\\varphi\\rangle = s\\det(G')\\sqrt2\\,
|\\Psi^+\\rangle_{ij}|0\\rangle_k`: exactly Psi+, success probability :math:`2 s^2 \\det(G')^2`,
completeness contribution :math:`S = D^{-1}(A'^TA' \\otimes B'^TB' \\otimes c'c'^T)D^{-1}`.

**Failure column**: a product projector :math:`|abc\\rangle\\langle abc|` (original frame).

**LP** (real symmetric operators of the form :math:`\\sum P_A \\otimes P_B \\otimes P_C`, a
27-dimensional space with coordinates :math:`(P_{00}, P_{11}, P_{01})` per party): maximise
:math:`\\sum_s w_s p_s` subject to :math:`\\sum_s w_s S_s + \\sum_f u_f F_f = I_8`,
:math:`w, u \\ge 0`. Every feasible point is a separable instrument. HiGHS
(:func:`scipy.optimize.linprog`, ``method="highs"``) solves it; the duals
(``res.eqlin.marginals``) price new columns: success columns maximise the reduced cost
:math:`(p - \\langle y, S\\rangle)/\\mathrm{Tr}\\,S` over :math:`(c', B')` (random sampling, then a
batched compass search), failure columns minimise :math:`\\langle y, |abc\\rangle\\langle abc|\\rangle`
(alternating eigenvectors). Pricing uses a smoothed dual (Wentges: a convex combination of the
new dual and the last pricing point; on a mis-price the plain dual is used).

**Seeds**: the flattened chain tree (:func:`analytics.offplane.sep_lower_tree`), the plane
instruments of the state with its vacuum part dropped, and (in sweeps) the columns of a
neighbouring state's solution (:attr:`LPSolution.columns`, passed as ``seeds``).
"""
from __future__ import annotations

import math
import time
from dataclasses import dataclass, field

import numpy as np

from .errors import SepgapError
from .instruments import eq7_instrument, large_component_instrument
from .offplane import SepLowerTree, sep_lower_tree
from .states import WClassState, as_state
from .tree_certificates import flatten_tree

#: Pairs as (i, j, k) party indices: success on (i, j), k the third party.
PAIR_INDICES = {"AB": (0, 1, 2), "AC": (0, 2, 1), "BC": (1, 2, 0)}
#: Default time budget of one LP search (seconds).
DEFAULT_BUDGET = 20.0
_X = np.array([[0.0, 1.0], [1.0, 0.0]])


class SeparableLPError(SepgapError, ValueError):
    """Bad arguments to the LP search (budget, seeds), or a state it does not handle."""


# ---- frame ---------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Frame:
    """``s2`` (:math:`s^2`), ``d2`` (:math:`d_k^2` for A, B, C) and ``v`` (2x2x2 0/1 array)
    of the module docstring, as floats."""

    s2: float
    d2: tuple
    v: np.ndarray

    @property
    def dinv(self) -> tuple:
        """Per party :math:`D_k^{-1}` as the diagonal ``(1, 1/d_k)``."""
        return tuple(np.array([1.0, 1.0 / math.sqrt(d)]) for d in self.d2)

    @property
    def d(self) -> tuple:
        return tuple(np.array([1.0, math.sqrt(d)]) for d in self.d2)


def float_frame(st: WClassState) -> Frame:
    x0, x = float(st.x0), [float(t) for t in st.x]
    s2 = x0 if x0 > 0 else 1.0
    d2 = tuple(xk / s2 if xk > 0 else 1.0 for xk in x)
    v = np.zeros((2, 2, 2))
    v[0, 0, 0] = 1.0 if x0 > 0 else 0.0
    v[1, 0, 0] = 1.0 if x[0] > 0 else 0.0
    v[0, 1, 0] = 1.0 if x[1] > 0 else 0.0
    v[0, 0, 1] = 1.0 if x[2] > 0 else 0.0
    return Frame(s2, d2, v)


def contract(v: np.ndarray, pair: str, c: np.ndarray) -> np.ndarray:
    """:math:`M'` (batched): ``v`` contracted with ``c`` (shape (..., 2)) on the third party;
    rows: party i, columns: party j."""
    i, j, k = PAIR_INDICES[pair]
    t = np.transpose(v, (i, j, k))
    return np.einsum("abg,...g->...ab", t, c)


def adjugate(g: np.ndarray) -> np.ndarray:
    """2x2 adjugate (batched): ``[[d, -b], [-c, a]]``."""
    out = np.empty_like(g)
    out[..., 0, 0] = g[..., 1, 1]
    out[..., 1, 1] = g[..., 0, 0]
    out[..., 0, 1] = -g[..., 0, 1]
    out[..., 1, 0] = -g[..., 1, 0]
    return out


def _coords(p: np.ndarray) -> np.ndarray:
    """Coordinates (P00, P11, P01) of symmetric 2x2 matrices (batched)."""
    return np.stack([p[..., 0, 0], p[..., 1, 1], 0.5 * (p[..., 0, 1] + p[..., 1, 0])], axis=-1)


def _scaled(p: np.ndarray, dinv: np.ndarray) -> np.ndarray:
    return p * dinv[:, None] * dinv[None, :]


# ---- columns -------------------------------------------------------------------------------------

@dataclass(frozen=True)
class SuccessColumn:
    """Success column of pair ``pair``: ``c`` (party k, primed frame) and ``B`` (party j, primed
    frame). :meth:`factors` gives the primed Kraus factors in A, B, C order."""

    pair: str
    c: tuple
    B: tuple  # row-major 2x2

    def arrays(self):
        return np.array(self.c, float), np.array(self.B, float).reshape(2, 2)


@dataclass(frozen=True)
class FailureColumn:
    """Failure column :math:`|abc\\rangle\\langle abc|` in the *original* frame (unit vectors)."""

    vectors: tuple  # ((a0, a1), (b0, b1), (c0, c1))


def success_data(frame: Frame, pair: str, c: np.ndarray, B: np.ndarray):
    """Batched success columns: ``(coords (N, 3, 3, 3) in A, B, C order, p (N,), trace (N,))``
    in the original frame, for ``c`` (N, 2) and ``B`` (N, 2, 2) in the primed frame."""
    i, j, k = PAIR_INDICES[pair]
    dinv = frame.dinv
    m = contract(frame.v, pair, c)
    g = m @ np.swapaxes(B, -1, -2)
    adj = adjugate(g)
    a = _X @ adj
    det = g[..., 0, 0] * g[..., 1, 1] - g[..., 0, 1] * g[..., 1, 0]
    pi = _scaled(np.swapaxes(a, -1, -2) @ a, dinv[i])
    pj = _scaled(np.swapaxes(B, -1, -2) @ B, dinv[j])
    pk = _scaled(c[..., :, None] * c[..., None, :], dinv[k])
    by = {i: pi, j: pj, k: pk}
    ca, cb, cc = (_coords(by[n]) for n in range(3))
    with np.errstate(over="ignore", invalid="ignore"):  # extreme frames: non-finite columns
        coords = ca[:, :, None, None] * cb[:, None, :, None] * cc[:, None, None, :]  # are dropped
        tr = (np.trace(pi, axis1=-2, axis2=-1) * np.trace(pj, axis1=-2, axis2=-1)
              * np.trace(pk, axis1=-2, axis2=-1))
    p = 2.0 * frame.s2 * det ** 2
    return coords, p, tr


def failure_coords(vecs: np.ndarray) -> np.ndarray:
    """Coordinates (N, 3, 3, 3) of product projectors from unit vectors ``vecs`` (N, 3, 2)."""
    cs = [_coords(vecs[:, n, :, None] * vecs[:, n, None, :]) for n in range(3)]
    return cs[0][:, :, None, None] * cs[1][:, None, :, None] * cs[2][:, None, None, :]


# ---- pricing -------------------------------------------------------------------------------------

def _success_score(frame, pair, y3, params):
    """Normalised reduced cost (p - <y, S>)/Tr S of params rows (theta, B00, B01, B10, B11)."""
    c = np.stack([np.cos(params[:, 0]), np.sin(params[:, 0])], axis=-1)
    B = params[:, 1:5].reshape(-1, 2, 2)
    coords, p, tr = success_data(frame, pair, c, B)
    val = p - np.einsum("abc,nabc->n", y3, coords)
    with np.errstate(divide="ignore", invalid="ignore"):
        out = np.where(tr > 1e-300, val / tr, -np.inf)
        ratio = np.where(tr > 1e-300, p / tr, 0.0)
    out = np.where(np.isfinite(out) & (ratio > 1e-9), out, -np.inf)
    return out


def compass_search(f, pts: np.ndarray, iters: int, h0: float = 0.25) -> tuple:
    """Batched compass search maximising ``f`` (rows of ``pts`` (m, n) -> (m,)) from each row of
    ``pts`` (changed in place): ``(values (m,), points (m, n))``. Shared by the W-class and the
    general LP pricing."""
    m, n = pts.shape
    h = np.full(m, h0)
    val = f(pts)
    e = np.concatenate([np.eye(n), -np.eye(n)])
    for _ in range(iters):
        q = pts[:, None, :] + h[:, None, None] * e[None]
        g = f(q.reshape(-1, n)).reshape(m, 2 * n)
        jbest = g.argmax(1)
        gb = g[np.arange(m), jbest]
        better = gb > val + 1e-14
        pts[better] = q[np.arange(m), jbest][better]
        val[better] = gb[better]
        h[~better] *= 0.5
        if h.max() < 1e-6:
            break
    return val, pts


def price_success(frame, pair, y3, rng, samples: int = 1500, starts: int = 6, iters: int = 40,
                  extra: np.ndarray | None = None):
    """Best success columns of ``pair`` for dual ``y3``: list of ``(score, params)``."""
    pts = np.concatenate([rng.uniform(-math.pi, math.pi, (samples, 1)),
                          rng.normal(size=(samples, 4))], axis=1)
    if extra is not None and len(extra):
        pts = np.vstack([pts, extra])
    val = _success_score(frame, pair, y3, pts)
    order = np.argsort(-val)[:starts]
    start = pts[order].copy()
    f = lambda q: _success_score(frame, pair, y3, q)  # noqa: E731
    val, pts = compass_search(f, start, iters)
    return [(float(v), p) for v, p in zip(val, pts) if np.isfinite(v)]


_FAIL_SUB = ("abc,Nb,Nc->Na", "abc,Na,Nc->Nb", "abc,Na,Nb->Nc")


def price_failure(y3, rng, starts: int = 64, sweeps: int = 12):
    """Product vectors (N, 3, 2) minimising <abc|y|abc> (alternating eigenvectors) and values."""
    vecs = rng.normal(size=(starts, 3, 2))
    vecs /= np.linalg.norm(vecs, axis=-1, keepdims=True)
    for _ in range(sweeps):
        for n in range(3):
            cs = [_coords(vecs[:, m, :, None] * vecs[:, m, None, :]) for m in range(3)]
            yn = np.einsum(_FAIL_SUB[n], y3, *[cs[m] for m in range(3) if m != n])
            mat = np.empty((starts, 2, 2))
            mat[:, 0, 0], mat[:, 1, 1] = yn[:, 0], yn[:, 1]
            mat[:, 0, 1] = mat[:, 1, 0] = 0.5 * yn[:, 2]
            _, ev = np.linalg.eigh(mat)
            vecs[:, n, :] = ev[:, :, 0]
    vals = np.einsum("abc,nabc->n", y3, failure_coords(vecs))
    return vals, vecs


# ---- seeds ---------------------------------------------------------------------------------------

def _rank1_row(m: np.ndarray) -> np.ndarray | None:
    """For a rank-1 2x2 ``m = |e><r|``: ``r`` scaled by |e|; None if ``m`` is not rank 1."""
    u, s, vt = np.linalg.svd(m)
    if s[0] <= 0 or s[1] > 1e-9 * s[0]:
        return None
    return s[0] * vt[0]


def columns_from_instrument(frame: Frame, ops) -> tuple:
    """Seed columns from float product Kraus operators ``[(label, (FA, FB, FC))]`` acting on
    the state (original frame): success operators with a rank-1 factor on the third party give
    a :class:`SuccessColumn`; every operator's :math:`K^\\dagger K` gives failure columns (the
    eigenvector products of its factors)."""
    succ, fail = [], []
    d = frame.d
    for label, facs in ops:
        facs = [np.asarray(f) for f in facs]
        if any(np.iscomplexobj(f) and np.abs(f.imag).max() > 0 for f in facs):
            continue  # real columns only (the state is real)
        facs = [np.real(f).astype(float) for f in facs]
        if label in PAIR_INDICES:
            i, j, k = PAIR_INDICES[label]
            row = _rank1_row(facs[k])
            if row is not None:
                c = row * d[k]  # <c| D_k^{-1}... primed: c' = D_k c
                B = facs[j] * d[j][None, :]
                succ.append(SuccessColumn(label, tuple(c), tuple(B.reshape(-1))))
        vecs = []
        for f in facs:
            w, ev = np.linalg.eigh(f.T @ f)
            vecs.append([ev[:, t] for t in range(2) if w[t] > 1e-12 * max(w.max(), 1e-300)])
        for a in vecs[0]:
            for b in vecs[1]:
                for cvec in vecs[2]:
                    fail.append(FailureColumn((tuple(a), tuple(b), tuple(cvec))))
    return succ, fail


def default_seeds(st: WClassState, tree: SepLowerTree | None = None) -> tuple:
    """Seed columns: the flattened chain tree (``tree``, else :func:`sep_lower_tree`) and the
    plane instruments of the state with its vacuum part dropped (a separable instrument's
    columns stay valid columns on any state)."""
    frame = float_frame(st)
    ops = []
    tree = sep_lower_tree(st) if tree is None else tree
    for op in flatten_tree(tree.tree, tree.state):
        ops.append((op.label, op.factor_matrices()))
    if st.x0 != 0 and sum(1 for t in st.x if t != 0) >= 2:
        rest = 1 - st.x0
        proj = WClassState.from_components(0, st.xA / rest, st.xB / rest, st.xC / rest)
        for build in (eq7_instrument, large_component_instrument):
            try:
                inst = build(proj)
            except SepgapError:
                continue
            for op in inst:
                ops.append((op.label, op.factor_matrices()))
    succ, fail = columns_from_instrument(frame, ops)
    return succ, fail, tree


# ---- the LP --------------------------------------------------------------------------------------

@dataclass
class LPSolution:
    """A float separable instrument found by the LP: ``value`` (LP optimum, float, not a bound),
    ``success`` / ``failure``: lists of ``(column, weight)`` with weight > 0 (weights of the
    trace-normalised columns), ``columns``: every column generated (warm start for a neighbour),
    ``iterations``, ``time`` (s), ``dual_bound``: :math:`\\langle y, I\\rangle` (= value), and
    ``history``: ``[(seconds, value)]``."""

    state: WClassState
    value: float
    success: list
    failure: list
    columns: tuple
    iterations: int
    time: float
    seed_value: float
    history: list = field(default_factory=list, repr=False)
    stopped: str = ""

    def __repr__(self) -> str:
        return (f"LPSolution(value={self.value:.8f} (float, not a bound), columns={len(self.success)}"
                f"+{len(self.failure)}, iterations={self.iterations}, time={self.time:.1f}s, "
                f"stopped={self.stopped!r})")


#: Seconds HiGHS's dual simplex gets before the interior-point method takes over (the simplex
#: can stall on the degenerate LPs of GHZ-type states; seen: no progress for minutes).
SIMPLEX_SECONDS = 2.0
#: Seconds every LP solve may take even when the budget is spent (the seed LP always runs).
MIN_LP_SECONDS = 10.0


def _highs(coords, p, b, time_limit: float, method: str):
    from scipy.optimize import linprog
    opts = {"primal_feasibility_tolerance": 1e-10, "dual_feasibility_tolerance": 1e-10,
            "time_limit": float(time_limit)}
    return linprog(-p, A_eq=coords.T, b_eq=b, bounds=(0, None), method=method, options=opts)


def solve_lp(coords: np.ndarray, p: np.ndarray, b: np.ndarray, time_limit: float):
    """HiGHS: maximise ``p . w`` subject to ``coords.T w = b``, ``w >= 0`` (``coords`` (n, m));
    the scipy result (``res.eqlin.marginals`` are the duals). HiGHS (its own choice of method,
    the dual simplex on these LPs) runs for at most
    :data:`SIMPLEX_SECONDS`; if it has not finished, the interior-point method (with crossover)
    gets the rest of ``time_limit`` seconds. Never runs longer than ``time_limit`` (plus HiGHS's
    own overshoot); raises :class:`SeparableLPError` when neither method solves it in time."""
    t0 = time.perf_counter()
    res = _highs(coords, p, b, min(time_limit, SIMPLEX_SECONDS), "highs")
    if res.status != 0:
        rest = time_limit - (time.perf_counter() - t0)
        if rest > 0:
            res = _highs(coords, p, b, rest, "highs-ipm")
    if res.status != 0:
        raise SeparableLPError(f"the LP failed: {res.message}")
    return res


def check_lp_budget(budget) -> float:
    """A budget in seconds in [0, 86400]; :class:`SeparableLPError` otherwise."""
    if isinstance(budget, bool) or not isinstance(budget, (int, float)) or not math.isfinite(budget) \
            or budget < 0 or budget > 86400:
        raise SeparableLPError(f"budget = {budget!r} must be a number of seconds in [0, 86400]")
    return float(budget)


def solve_separable_lp(state, budget: float = DEFAULT_BUDGET, seeds=None, seed: int = 0,
                       smoothing: float = 0.5, max_iterations: int = 400, tol: float = 1e-9,
                       per_pair: int = 4, tree: SepLowerTree | None = None,
                       use_default_seeds: bool = True) -> LPSolution:
    """Column generation for the best separable instrument (floats; module docstring).

    ``budget``: seconds for the loop (the seeds and the first LP always run); ``seeds``: extra
    columns ``(success, failure)`` (e.g. :attr:`LPSolution.columns` of a neighbouring state);
    the default seeds (from ``tree``, the chain tree of the state if given) are added unless
    ``use_default_seeds`` is False (then the LP starts from the identity instrument). Stops when no column with positive reduced cost
    (> ``tol``) is found, after ``max_iterations`` or when the budget is spent.
    Raises :class:`SeparableLPError` for bad arguments.
    """
    budget = check_lp_budget(budget)
    t0 = time.perf_counter()
    st = as_state(state).exact()
    frame = float_frame(st)
    rng = np.random.default_rng(seed)
    extra_s, extra_f = [], []
    if seeds is not None:
        try:
            s2, f2 = seeds
            extra_s = [c for c in s2 if isinstance(c, SuccessColumn)]
            extra_f = [c for c in f2 if isinstance(c, FailureColumn)]
        except (TypeError, ValueError):
            raise SeparableLPError("seeds must be a pair (success columns, failure columns)") from None
    succ, fail = (default_seeds(st, tree)[:2] if use_default_seeds else ([], []))
    succ, fail = succ + extra_s, fail + extra_f
    # products of |0>, |1>, |+>, |->: the identity instrument (feasible) and a full-rank start
    r = 1 / math.sqrt(2)
    vecs4 = ((1.0, 0.0), (0.0, 1.0), (r, r), (r, -r))
    basis = [FailureColumn((a, b, c)) for a in vecs4 for b in vecs4 for c in vecs4]
    fail = basis + fail
    b = np.zeros((3, 3, 3))
    b[:2, :2, :2] = 1.0
    b = b.reshape(-1)

    scols, sco, sp = [], [], []

    def add_success(cols):
        for pair in PAIR_INDICES:
            group = [c for c in cols if c.pair == pair]
            if not group:
                continue
            cc = np.array([g.c for g in group], float)
            BB = np.array([g.B for g in group], float).reshape(-1, 2, 2)
            coords, p, tr = success_data(frame, pair, cc, BB)
            for g, co, pv, t in zip(group, coords, p, tr):
                if not (t > 1e-300 and np.all(np.isfinite(co)) and pv / t > 1e-12):
                    continue
                scols.append(g)
                sco.append(co.reshape(-1) / t)
                sp.append(pv / t)

    fcols, fco = [], []

    def add_failure(cols):
        if not cols:
            return
        vecs = np.array([c.vectors for c in cols], float)
        vecs /= np.linalg.norm(vecs, axis=-1, keepdims=True)
        co = failure_coords(vecs).reshape(len(cols), -1)
        for c, row, vv in zip(cols, co, vecs):
            fcols.append(FailureColumn(tuple(map(tuple, vv))))
            fco.append(row)

    add_success(succ)
    add_failure(fail)

    def lp():
        A = np.array(sco + fco) if sco else np.array(fco)
        p = np.concatenate([np.array(sp), np.zeros(len(fco))])
        # the first LP always runs (at least MIN_LP_SECONDS), later ones within the budget
        return solve_lp(A, p, b, max(budget - (time.perf_counter() - t0), MIN_LP_SECONDS))

    res = lp()
    sizes = (len(sco), len(fco))  # the columns of the last solved LP
    value = -res.fun
    seed_value = value
    history = [(time.perf_counter() - t0, value)]
    y = -np.asarray(res.eqlin.marginals)
    center = y.copy()
    it, stopped = 0, "budget"
    while it < max_iterations:
        if time.perf_counter() - t0 >= budget:
            stopped = "budget"
            break
        it += 1
        found = False
        for attempt in (0, 1):
            yp = smoothing * center + (1 - smoothing) * y if attempt == 0 else y
            y3 = yp.reshape(3, 3, 3)
            new_s = []
            for pair in PAIR_INDICES:
                cands = price_success(frame, pair, y3, rng)
                cands.sort(key=lambda t: -t[0])
                for score, prm in cands[:per_pair]:
                    if score > tol:
                        new_s.append(SuccessColumn(pair, (math.cos(prm[0]), math.sin(prm[0])),
                                                   tuple(prm[1:5])))
            fv, fvecs = price_failure(y3, rng)
            new_f = [FailureColumn(tuple(map(tuple, fvecs[n]))) for n in np.argsort(fv)[:per_pair]
                     if fv[n] < -tol]
            # a column priced at the smoothed dual must also improve at the true dual
            if new_s or new_f:
                n0s, n0f = len(sco), len(fco)
                add_success(new_s)
                add_failure(new_f)
                yy = y.reshape(-1)
                rc_s = [sp[t] - np.dot(sco[t], yy) for t in range(n0s, len(sco))]
                rc_f = [-np.dot(fco[t], yy) for t in range(n0f, len(fco))]
                if max(rc_s + rc_f, default=-1.0) > tol:
                    found = True
                    break
            center = y.copy()  # mis-price (or nothing found): price at the true dual
        if not found:
            stopped = "optimal (no improving column found)"
            break
        try:
            res_new = lp()
        except SeparableLPError as exc:  # keep the last solved LP (its columns are all kept)
            stopped = f"LP solver failed ({exc}); the last solution is kept"
            break
        res = res_new
        sizes = (len(sco), len(fco))
        new_value = -res.fun
        y_new = -np.asarray(res.eqlin.marginals)
        if new_value > value + 1e-12:
            center = y_new.copy()
        value = max(value, new_value)
        y = y_new
        history.append((time.perf_counter() - t0, value))
    else:
        stopped = "iterations"
    x = res.x
    ns, nf = sizes
    success = [(scols[t], float(x[t])) for t in range(ns) if x[t] > 0]
    failure = [(fcols[t], float(x[ns + t])) for t in range(nf) if x[ns + t] > 0]
    keep_s = [c for c, _ in success]
    keep_f = [c for c, _ in failure]
    return LPSolution(st, float(value), success, failure, (tuple(keep_s), tuple(keep_f)), it,
                      time.perf_counter() - t0, float(seed_value), history, stopped)


__all__ = ["DEFAULT_BUDGET", "SeparableLPError", "Frame", "float_frame", "SuccessColumn",
           "FailureColumn", "LPSolution", "solve_separable_lp", "success_data", "failure_coords",
           "default_seeds", "columns_from_instrument", "contract", "adjugate", "PAIR_INDICES",
           "compass_search", "solve_lp", "check_lp_budget"]
