"""The certified PPT upper bound for any three-qubit pure state with complex amplitudes.

:func:`complex_ppt_upper_bound` follows the path of :func:`sdp.bounds.ppt_upper_bound`. The
relaxation (:mod:`sdp.complex_relaxation`) is built for the canonical form
``c = (U_A x U_B x U_C) psi/|psi|`` of Acin et al. (five amplitudes: a sparser model, the same
value, since the task is LU invariant); the primary solver is SCS on complex PSD cones (8 x 8
Hermitian blocks; measured 2-4x faster than Clarabel on the real embedding, docs/general-states.md),
the fallback Clarabel on the real embedding. The dual is mapped back to the input by the local
unitaries (:func:`sdp.complex_certify.transform_duals`) and certified exactly against the
*input's* exact amplitudes (:mod:`sdp.complex_certify`); the other solver runs when the first was
inaccurate, its certificate failed or is loose; the smaller certified bound is kept, and one
above ``max_k w_k`` is replaced by the exact trivial one.
The result is a :class:`sdp.ppt.PPTBound` whose certificate has kind
``ppt_upper_bound_complex`` (re-checked by ``sepgap verify``). The complex cvxpy model
(:mod:`sdp.cvx`) is an independent cross-check of the same relaxation (tests).
"""
from __future__ import annotations

import time
from dataclasses import dataclass
from fractions import Fraction

import numpy as np

from analytics.canonical import canonical_form
from analytics.errors import InvalidStateError
from analytics.general_states import three_qubit_state

from . import structure as st
from .certify import CertificationFailed
from .complex_certificate import certificate_dict, trivial_dual
from .complex_certify import build_complex_dual
from .complex_relaxation import build_complex_relaxation
from .engine import CLARABEL_DEFAULTS, SCS_DEFAULTS, SOLVERS, ClarabelEngine, SCSEngine, SolverError
from .ppt import PPTBound
from .relaxation import make_spec

#: A certificate more than this above the solver's own value counts as loose.
LOOSE_TOL = 5e-7

#: SCS settings of the complex path: tolerances 1e-9 (measured on 4 random states: certified
#: minus solver value 4e-9..2e-7 at 1e-8, 4e-9..7e-9 at 1e-9, for 0-20% more iterations).
#: At most 2,500 iterations: a few states near the boundary (values 0.92-0.99) took SCS 20,000
#: iterations (60-90 s); capped, their certificate is loose or fails and Clarabel on the real
#: embedding (15-25 iterations) takes over (benchmarks/bench_general.py).
COMPLEX_SCS_DEFAULTS = {**SCS_DEFAULTS, "eps_abs": 1e-9, "eps_rel": 1e-9, "max_iters": 2500}


@dataclass
class _ComplexConeView:
    """What SCSEngine needs: the model with SCS's complex PSD cones (``cs``)."""

    canonical: object


def _solve_once(state, spec, comp, solver: str, options: dict | None, certify: bool,
                unitaries=None) -> PPTBound:
    """One solve: SCS on the complex PSD cones, or Clarabel on the real embedding."""
    name = solver.upper()
    complex_cones = name == "SCS"
    cls, defaults = ((ClarabelEngine, CLARABEL_DEFAULTS) if name == "CLARABEL"
                     else (SCSEngine, COMPLEX_SCS_DEFAULTS))
    theta = np.ones(8)
    model = _ComplexConeView(comp.hermitian) if complex_cones else comp
    try:
        eng = cls(model, theta, {**defaults, **(options or {})})
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
                dual, bound = build_complex_dual(comp, state, raw.y, complex_cones=complex_cones,
                                                 unitaries=unitaries)
                res.certified = bound
                res.certificate = certificate_dict(state, spec, dual, bound, {
                    "solver": raw.solver, "solver_version": raw.solver_version,
                    "solver_status": raw.status, "solver_value": value})
            except CertificationFailed as exc:
                res.certification_error = str(exc)
            except (ArithmeticError, np.linalg.LinAlgError) as exc:  # e.g. 1e-300 amplitudes
                res.certification_error = f"certification failed ({type(exc).__name__}: {exc})"
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
    ["auto" = SCS on complex cones; CLARABEL = the real embedding], fallback ["auto" = the other], solver_options for the first solver,
    certify [True]). Returns a :class:`sdp.ppt.PPTBound` with method ``"ppt-complex"`` (or
    ``"trivial"`` when the cap applies); ``certified`` is exact, ``kind`` says what it is.
    """
    st_ = three_qubit_state(state, normalise=normalise)
    spec = make_spec(pairs, weights, objective)
    first = "SCS" if str(solver).upper() == "AUTO" else str(solver).upper()
    if first not in SOLVERS:
        raise SolverError(f"unknown solver {solver!r} (choose from {', '.join(SOLVERS)} or auto)")
    second = None if fallback is None else (
        next(s for s in SOLVERS if s != first) if str(fallback).upper() == "AUTO"
        else str(fallback).upper())
    if second is not None and second not in SOLVERS:
        raise SolverError(f"unknown fallback solver {fallback!r}")
    t0 = time.perf_counter()
    try:
        canon = canonical_form(st_)
        vec, unitaries = canon.vector(), canon.unitaries
    except InvalidStateError:  # the canonical form's guard: solve on the amplitudes themselves
        vec, unitaries = np.array([complex(a) for a in st_.psi]), None
    comp = build_complex_relaxation(vec, spec)
    build = time.perf_counter() - t0
    res = _solve_once(st_, spec, comp, first, solver_options, certify, unitaries)
    need = not _tight(res) if certify else not res.ok
    if need and second and second != first:
        other = _solve_once(st_, spec, comp, second, None, certify, unitaries)
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
