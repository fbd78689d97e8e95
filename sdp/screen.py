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
* the same compiled relaxation (:func:`sdp.relaxation.compiled_relaxation`, its cache) and
  solver instances (:func:`sdp.engine.get_engine`, its cache) as every other path. For x0 > 0 the
  model is compiled per state (the frame carries the state's amplitudes, :mod:`sdp.frame`), so
  each new state costs one compilation.

A solve that is not ``optimal`` with the screen settings is repeated with the project's default
Clarabel settings, then with SCS; if none is optimal, :class:`ScreenSolveFailed` is raised.
"""
from __future__ import annotations

import math
import time
from dataclasses import dataclass
from fractions import Fraction

import numpy as np

from analytics.errors import SepgapError
from analytics.states import WClassState

from .engine import get_engine
from .frame import frame_for
from .relaxation import compiled_relaxation, make_spec

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
    comp = compiled_relaxation(frame, _SPEC)
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


__all__ = ["ppt_screen_value", "ppt_screen_values", "normalised_state", "ScreenValue",
           "ScreenInputError", "ScreenSolveFailed", "SCREEN_OPTIONS", "SCREEN_ATTEMPTS"]
