"""The certified PPT upper bound for any three-qubit pure state with complex amplitudes.

:func:`complex_ppt_upper_bound` follows the path of :func:`sdp.bounds.ppt_upper_bound`: solve
the real-embedded relaxation (:mod:`sdp.complex_relaxation`) with the primary solver
(Clarabel), certify the dual exactly (:mod:`sdp.complex_certify`), solve again with the other
solver when the first was inaccurate, its certificate failed or is loose, keep the smaller
certified bound, and replace a certified bound above ``max_k w_k`` by the exact trivial one.
The result is a :class:`sdp.ppt.PPTBound` whose certificate has kind
``ppt_upper_bound_complex`` (re-checked by ``sepgap verify``). The complex cvxpy model
(:mod:`sdp.cvx`) is an independent cross-check of the same relaxation (tests).
"""
from __future__ import annotations

import time
from fractions import Fraction

import numpy as np

from analytics.general_states import three_qubit_state

from . import structure as st
from .certify import CertificationFailed
from .complex_certificate import certificate_dict, trivial_dual
from .complex_certify import build_complex_dual
from .complex_relaxation import build_complex_relaxation
from .engine import CLARABEL_DEFAULTS, SCS_DEFAULTS, SOLVERS, ClarabelEngine, SCSEngine, SolverError
from .ppt import PPTBound, _spec

#: A certificate more than this above the solver's own value counts as loose.
LOOSE_TOL = 5e-7


def _solve_once(state, spec, comp, solver: str, options: dict | None, certify: bool) -> PPTBound:
    name = solver.upper()
    cls, defaults = (ClarabelEngine, CLARABEL_DEFAULTS) if name == "CLARABEL" else (SCSEngine, SCS_DEFAULTS)
    theta = np.ones(8)
    try:
        eng = cls(comp, theta, {**defaults, **(options or {})})
    except (TypeError, ValueError) as exc:
        raise SolverError(f"bad {name} option ({exc})") from None
    raw = eng.solve(theta)
    scale = comp.scale
    value = raw.pobj / scale if np.isfinite(raw.pobj) else None
    res = PPTBound(value=value, status=raw.status, solver=raw.solver,
                   solver_version=raw.solver_version, solve_time=raw.solve_time,
                   iterations=raw.iterations, objective=spec.objective, pairs=spec.pairs,
                   weights=spec.weights, state="psi=" + str(state),
                   dual_value=raw.dobj / scale if np.isfinite(raw.dobj) else None, raw=raw,
                   method="ppt-complex")
    if certify:
        t0 = time.perf_counter()
        if raw.status in ("optimal", "optimal_inaccurate"):
            try:
                dual, bound = build_complex_dual(comp, state, raw.y)
                res.certified = bound
                res.certificate = certificate_dict(state, spec, dual, bound, {
                    "solver": raw.solver, "solver_version": raw.solver_version,
                    "solver_status": raw.status, "solver_value": value})
            except CertificationFailed as exc:
                res.certification_error = str(exc)
        else:
            res.certification_error = f"solver status {raw.status!r}: no dual to certify"
        res.certify_time = time.perf_counter() - t0
    res.attempts = [res.attempt()]
    return res


def _tight(res: PPTBound) -> bool:
    return (res.certified is not None and res.value is not None
            and res.status in ("optimal", "optimal_inaccurate")
            and float(res.certified) - res.value <= LOOSE_TOL)


def complex_ppt_upper_bound(state, *, pairs=st.PAIRS, weights=None, objective: str = "exact",
                            solver: str = "auto", fallback: str | None = "auto",
                            solver_options: dict | None = None, certify: bool = True,
                            normalise: bool = False) -> PPTBound:
    """Upper bound on ``sum_k w_k p_k`` over PPT (hence SEP) instruments for the pure state with
    amplitudes ``state`` (8 numbers, exact or float, or a ThreeQubitState; see
    :func:`analytics.general_states.three_qubit_state`, ``normalise`` as there).

    Parameters as :func:`sdp.bounds.ppt_upper_bound` (pairs, weights, objective, solver
    ["auto" = CLARABEL], fallback ["auto" = the other], solver_options for the first solver,
    certify [True]). Returns a :class:`sdp.ppt.PPTBound` with method ``"ppt-complex"`` (or
    ``"trivial"`` when the cap applies); ``certified`` is exact, ``kind`` says what it is.
    """
    st_ = three_qubit_state(state, normalise=normalise)
    spec = _spec(pairs, weights, objective)
    first = "CLARABEL" if str(solver).upper() == "AUTO" else str(solver).upper()
    if first not in SOLVERS:
        raise SolverError(f"unknown solver {solver!r} (choose from {', '.join(SOLVERS)} or auto)")
    second = None if fallback is None else (
        next(s for s in SOLVERS if s != first) if str(fallback).upper() == "AUTO"
        else str(fallback).upper())
    if second is not None and second not in SOLVERS:
        raise SolverError(f"unknown fallback solver {fallback!r}")
    t0 = time.perf_counter()
    comp = build_complex_relaxation(np.array([complex(a) for a in st_.psi]), spec)
    build = time.perf_counter() - t0
    res = _solve_once(st_, spec, comp, first, solver_options, certify)
    need = not _tight(res) if certify else not res.ok
    if need and second and second != first:
        other = _solve_once(st_, spec, comp, second, None, certify)
        attempts = res.attempts + other.attempts
        better = (other.certified is not None and (res.certified is None
                                                  or other.certified < res.certified)) \
            if certify else other.ok
        if better:
            other.certification_error = (f"{first} gave status {res.status!r}; {second} gave "
                                         "the smaller bound")
            res = other
        res.attempts = attempts
    res.solve_time += build
    if certify and res.certified is not None:
        cap = max(Fraction(w) for w in spec.weights)
        if res.certified > cap:
            dual, bound = trivial_dual(st_, spec)
            res.certification_error = (f"certified PPT bound {float(res.certified):.9g} exceeds "
                                       f"the trivial bound {cap}; replaced by it")
            res.certified, res.method = bound, "trivial"
            res.certificate = certificate_dict(st_, spec, dual, bound, {"solver": "none"})
    return res


__all__ = ["complex_ppt_upper_bound", "LOOSE_TOL"]
