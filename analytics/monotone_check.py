"""A numerical search for violations of LOCC monotonicity on W-class states (issue 18).

A function V of W-class states, written on unnormalised weights
:math:`w = (w_0, w_A, w_B, w_C)` and homogeneous of degree 1 (:math:`V(t w) = t V(w)`, so
:math:`p\\,V(\\text{normalised branch}) = V(\\text{unnormalised branch})`), is an LOCC monotone iff
no local measurement raises its average: for every party k and measurement
:math:`\\{M_i\\}`, :math:`\\sum_i V(w^{(i)}) \\le V(w)`. By the weak-measurement argument of the proof
of Theorem 1 (Chitambar, Cui, Lo, PRL 108, 240504 (2012); formulation.md section 8) two-outcome
measurements suffice, in the upper-triangular form of section 7 (up to a local unitary after the
measurement, which leaves the W-class weights unchanged):

.. math::

    M_1 = \\begin{pmatrix} s_1 & -u s_1 r \\\\ 0 & \\sqrt{c_1} \\end{pmatrix},\\quad
    M_2 = \\begin{pmatrix} s_2 & u s_1^2 r / s_2 \\\\ 0 & \\sqrt{c_2} \\end{pmatrix},\\quad
    r = \\sqrt{w_0/w_k},\\ s_i = \\sqrt{a_i},\\ a_1 + a_2 = 1,\\
    c_1 + c_2 = 1 - u^2 a_1 w_0 / (a_2 w_k)

(u of either sign; :func:`branches`). :func:`find_monotone_violation` samples states (one given
state, or the tetrahedron, the plane or the two-party slices) and measurements of every party
(strong ones, and weak ones near a multiple of the identity), evaluates the increase
:math:`\\sum_i V(w^{(i)}) - V(w)`, refines the worst ones by a compass search, and returns the
largest increase with the state and measurement causing it. A search finds counterexamples; it
does not prove monotonicity (no violation found is evidence, not a proof).
"""
from __future__ import annotations

import math
import numbers
from dataclasses import dataclass, field

import numpy as np

from .errors import SepgapError
from .measurements import KrausOutcome, LocalMeasurement
from .states import PARTIES, as_state

REGIONS = ("tetrahedron", "plane", "two-party")
#: Largest number of (state, measurement) pairs per party accepted in one call.
MAX_SAMPLES = 10 ** 7


class MonotoneCheckError(SepgapError, ValueError):
    """Bad arguments to the checker, or a function V that does not return finite numbers."""


# ---- measurements --------------------------------------------------------------------------------

def branches(w: np.ndarray, k: int, a1: np.ndarray, u: np.ndarray, v: np.ndarray) -> tuple:
    """Unnormalised branch weights ``(w1, w2, ok)`` of party k's two-outcome measurement.

    ``u`` is in units of its largest admissible magnitude (:math:`|u| \\le 1`: :math:`c_1 + c_2
    \\ge 0`), ``v`` the share :math:`c_1/(c_1+c_2)`; ``ok`` marks rows where party k has weight.
    """
    z, wk = w[:, 0], w[:, 1 + k]
    a2 = 1 - a1
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.where(wk > 0, z / np.where(wk > 0, wk, 1.0), 0.0)
        umax = np.where(a1 * ratio > 0, np.sqrt(a2 / np.where(a1 * ratio > 0, a1 * ratio, 1)), 1e6)
        uu = u * umax
        rho = np.maximum(1 - uu * uu * a1 * ratio / a2, 0.0)
        c1 = v * rho
        c2 = rho - c1
        w1 = w * a1[:, None]
        w1[:, 0] = z * a1 * (1 - uu) ** 2
        w1[:, 1 + k] = c1 * wk
        w2 = w * a2[:, None]
        w2[:, 0] = z * (a2 + uu * a1) ** 2 / a2
        w2[:, 1 + k] = c2 * wk
    return w1, w2, wk > 0, uu


def measurement_of(w: np.ndarray, k: int, a1: float, u: float, v: float) -> LocalMeasurement:
    """The :class:`LocalMeasurement` of one parameter row at weights ``w`` (floats)."""
    z, wk = float(w[0]), float(w[1 + k])
    r = math.sqrt(z / wk) if wk > 0 else 0.0
    a2 = 1 - a1
    w1, w2, _, uu = branches(w[None, :].copy(), k, np.array([a1]), np.array([u]), np.array([v]))
    uu = float(uu[0])
    rho = max(1 - uu * uu * a1 * (z / wk if wk else 0.0) / a2, 0.0)
    s1, s2 = math.sqrt(a1), math.sqrt(a2)
    outs = (KrausOutcome(a1, v * rho, -uu * s1 * r, "1"),
            KrausOutcome(a2, rho - v * rho, uu * s1 * s1 * r / s2, "2"))
    return LocalMeasurement(PARTIES[k], outs, atol=1e-9)


# ---- sampling ------------------------------------------------------------------------------------

def sample_states(n: int, region: str, rng: np.random.Generator, keep: int | None = None) -> np.ndarray:
    """``n`` normalised weight rows (x0, xA, xB, xC): uniform on the tetrahedron (10% of them on
    the plane, 10% on a face x_k = 0), on the plane, or on the two-party slices (x0 > 0).
    ``keep`` (0, 1, 2): a party whose weight is never set to 0 (it is the one measuring)."""
    w = rng.dirichlet(np.ones(4), n)

    def zero_face(rows):
        others = [j for j in range(3) if j != keep]
        w[rows, 1 + np.array(others)[rng.integers(0, len(others), len(rows))]] = 0.0
    if region == "plane":
        w[:, 0] = 0.0
    elif region == "two-party":
        zero_face(np.arange(n))
    else:
        r = rng.random(n)
        w[r < 0.1, 0] = 0.0
        zero_face(np.flatnonzero((r >= 0.1) & (r < 0.2)))
    return w / w.sum(1, keepdims=True)


def sample_measurements(n: int, rng: np.random.Generator) -> np.ndarray:
    """``n`` rows (a1, u, v): half strong (uniform, with u = +-1 and v = 0, 1 on purpose), half
    weak (:math:`M_i \\approx \\sqrt{a_i}\\,I`: v near a1, |u| small, scale log-uniform in
    [1e-5, 1e-1])."""
    p = np.empty((n, 3))
    h = n // 2
    p[:h, 0] = rng.random(h)
    p[:h, 1] = rng.uniform(-1, 1, h)
    p[:h, 2] = rng.random(h)
    p[:h][rng.random(h) < 0.2, 1] = 1.0
    r = rng.random(h)
    p[:h][r < 0.1, 2] = 0.0
    p[:h][(r >= 0.1) & (r < 0.2), 2] = 1.0
    m = n - h
    eps = 10 ** rng.uniform(-5, -1, m)
    a1 = rng.uniform(0.05, 0.95, m)
    p[h:, 0] = a1
    p[h:, 1] = eps * rng.uniform(-1, 1, m)
    p[h:, 2] = np.clip(a1 + eps * rng.uniform(-1, 1, m), 0, 1)
    p[:, 0] = np.clip(p[:, 0], 1e-9, 1 - 1e-9)
    return p


# ---- the check -----------------------------------------------------------------------------------

@dataclass(frozen=True)
class MonotoneViolation:
    """Result of :func:`find_monotone_violation`.

    ``increase``: the largest :math:`\\sum_i V(w^{(i)}) - V(w)` found (per unit weight of the
    normalised state ``state``, given as (x0, xA, xB, xC)); ``found``: ``increase > tol``;
    ``measurement``: the :class:`LocalMeasurement` causing it; ``branches``: the two outcome
    probabilities and normalised states; ``pairs``: (state, measurement) pairs evaluated per party;
    ``violations``: how many of them exceeded ``tol``.
    """

    increase: float
    found: bool
    state: tuple
    measurement: LocalMeasurement | None
    branches: tuple = field(repr=False)
    pairs: dict = field(repr=False)
    violations: int
    tol: float

    def __str__(self) -> str:
        x = ", ".join(f"{v:.6g}" for v in self.state)
        what = "violation" if self.found else "no violation above tol"
        m = "" if self.measurement is None else f" by party {self.measurement.party}"
        return (f"{what}: largest increase {self.increase:.3g} at (x0, xA, xB, xC) = ({x}){m}; "
                f"{sum(self.pairs.values())} pairs checked, {self.violations} above {self.tol:g}")


def _evaluate(V, w: np.ndarray, vectorized: bool) -> np.ndarray:
    if vectorized:
        out = np.asarray(V(w), dtype=float)
        if out.shape != (w.shape[0],):
            raise MonotoneCheckError(f"V returned shape {out.shape} for input shape {w.shape}; "
                                     "expected one value per row (or pass vectorized=False)")
    else:
        out = np.array([float(V(row)) for row in w])
    if not np.all(np.isfinite(out)):
        bad = w[~np.isfinite(out)][0]
        raise MonotoneCheckError(f"V is not finite at weights {bad.tolist()}")
    return out


def _increase(V, w, k, p, vectorized):
    w1, w2, ok, _ = branches(w, k, p[:, 0], p[:, 1], p[:, 2])
    good = ok & np.all(w1 >= 0, 1) & np.all(w2 >= 0, 1) & np.all(np.isfinite(w1), 1) \
        & np.all(np.isfinite(w2), 1)
    inc = np.full(len(w), -np.inf)
    if good.any():
        inc[good] = (_evaluate(V, w1[good], vectorized) + _evaluate(V, w2[good], vectorized)
                     - _evaluate(V, w[good], vectorized))
    return inc


def _check_count(name, v, lo, hi):
    if isinstance(v, bool) or not isinstance(v, numbers.Integral) or not lo <= v <= hi:
        raise MonotoneCheckError(f"{name} = {v!r} must be an integer in [{lo}, {hi}]")
    return int(v)


def find_monotone_violation(V, state=None, *, samples: int = 10_000, parties=PARTIES,
                            region: str = "tetrahedron", tol: float = 1e-9, refine: int = 8,
                            vectorized: bool = True, seed: int = 0) -> MonotoneViolation:
    """Search local two-outcome measurements for an increase of V on average (module docstring).

    Parameters
    ----------
    V: function of unnormalised weights, homogeneous of degree 1. ``vectorized=True``: called with
        an array of shape (n, 4) (columns x0, xA, xB, xC), returns shape (n,); else called with one
        row of shape (4,) and returns a number.
    state: one W-class state (anything :func:`analytics.states.as_state` takes), or None to sample
        ``region`` (``"tetrahedron"``, ``"plane"``, ``"two-party"``).
    samples: (state, measurement) pairs per party; parties: which parties measure.
    tol: increases above it count as violations; refine: how many of the worst pairs per party
        a compass search pushes further (0: none).

    Returns a :class:`MonotoneViolation`. Raises :class:`MonotoneCheckError` for bad arguments
    or a V that returns non-finite values or the wrong shape.
    """
    if not callable(V):
        raise MonotoneCheckError(f"V = {V!r} is not callable")
    samples = _check_count("samples", samples, 1, MAX_SAMPLES)
    refine = _check_count("refine", refine, 0, 1000)
    if region not in REGIONS:
        raise MonotoneCheckError(f"region = {region!r} is not one of {REGIONS}")
    if isinstance(tol, bool) or not isinstance(tol, numbers.Real) or not (math.isfinite(tol) and tol >= 0):
        raise MonotoneCheckError(f"tol = {tol!r} must be a finite number >= 0")
    try:
        ks = [PARTIES.index(p) for p in parties]
    except (ValueError, TypeError):
        raise MonotoneCheckError(f"parties = {parties!r} must be a subset of {PARTIES}") from None
    if not ks:
        raise MonotoneCheckError("parties is empty")
    rng = np.random.default_rng(seed)
    if state is not None:
        st = as_state(state)
        base = np.array([[float(st.x0), float(st.xA), float(st.xB), float(st.xC)]])
    best = (-np.inf, None, None, None)
    count, n_bad = {}, 0
    for k in ks:
        w = np.repeat(base, samples, 0) if state is not None else sample_states(samples, region, rng, keep=k)
        p = sample_measurements(samples, rng)
        inc = _increase(V, w, k, p, vectorized)
        count[PARTIES[k]] = int(np.isfinite(inc).sum())
        n_bad += int((inc > tol).sum())
        order = np.argsort(inc)[::-1][:max(refine, 1)]
        for i in order:
            if not np.isfinite(inc[i]):
                continue
            val, q = float(inc[i]), p[i].copy()
            if refine:
                val, q = _compass(V, w[i], k, q, val, vectorized)
            if val > best[0]:
                best = (val, w[i].copy(), k, q)
    val, w0, k, q = best
    if w0 is None:
        return MonotoneViolation(-math.inf, False, (), None, (), count, 0, float(tol))
    meas = measurement_of(w0, k, *q)
    w1, w2, _, _ = branches(w0[None, :].copy(), k, q[:1], q[1:2], q[2:3])
    brs = tuple((float(b.sum()), tuple(float(t) for t in (b / b.sum()))) if b.sum() > 0 else (0.0, ())
                for b in (w1[0], w2[0]))
    return MonotoneViolation(val, val > tol, tuple(float(t) for t in w0), meas, brs, count,
                             n_bad, float(tol))


def _compass(V, w, k, q, val, vectorized, iters: int = 60):
    """Push one (state, measurement) pair's increase up by a compass search over (a1, u, v)."""
    h = 0.05
    e = np.concatenate([np.eye(3), -np.eye(3)])
    lo, hi = np.array([1e-9, -1.0, 0.0]), np.array([1 - 1e-9, 1.0, 1.0])
    for _ in range(iters):
        cand = np.clip(q[None, :] + h * e, lo, hi)
        g = _increase(V, np.repeat(w[None, :], 6, 0), k, cand, vectorized)
        j = int(np.argmax(g))
        if g[j] > val + 1e-15:
            val, q = float(g[j]), cand[j]
        else:
            h *= 0.5
            if h < 1e-9:
                break
    return val, q


__all__ = ["MonotoneCheckError", "MonotoneViolation", "find_monotone_violation", "branches",
           "sample_states", "sample_measurements", "measurement_of", "REGIONS"]
