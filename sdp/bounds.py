"""The one path to an upper bound: solve, certify, fall back, keep the best, cap at the trivial bound.

QETLAB's habit first: an analytic answer before any SDP. Every instrument succeeds with
probability at most 1 (trace non-increasing), so ``sum_k w_k p_k <= max_k w_k`` always; where the
explicit, exactly checked SEP instrument of :mod:`analytics.instruments` already reaches 1
(Eq. (7): ``x0 = 0``, ``x_n1 <= 1/2``), SEP_opt = 1 exactly and no SDP is needed. The trivial bound
still comes with a certificate in the common format: the dual point ``W_id = m |v><v|``
(``m = max_k w_k``, all else 0) of the PPT relaxation, whose objective is
``m Tr[|v><v| D^2] = m``; ``sepgap verify`` checks it like any other.

Elsewhere :func:`ppt_upper_bound` runs the path used by ``sepgap bound``, ``fig1``, ``sweep`` and
the Python API alike:

1. solve the relaxation with the primary solver (``solver="auto"``: Clarabel, see
   :func:`primary_solver`) and certify the dual (:mod:`sdp.certify`);
2. if the solver was not accurate, the certificate failed, or it is *loose* (certified bound
   more than :data:`LOOSE_TOL` above the solver's own value), solve again with the other solver
   and certify that too;
3. keep the smallest certified bound (every one is valid); the result lists every attempt;
4. a certified bound above ``max_k w_k`` is replaced by the exact trivial bound (method
   ``"trivial"``).
"""
from __future__ import annotations

import time
from fractions import Fraction

import numpy as np

from analytics.certificates import product_upper_certificate, verify_product_upper
from analytics.plane import is_product_state
from analytics.plane import plane_lower_bound
from analytics.states import WClassState

from . import structure as st
from .certificate import DualData, assemble, bound_from_Y
from .engine import SOLVERS, SolverError, check_solver_options
from .exact_psd import is_psd_int
from .frame import frame_for
from .cvx import ppt_upper_bound_cvx
from .ppt import (PPTBound, SolveFailed, certificate_dict, coerce_state, is_complex_amplitudes,
                  solve_ppt)
from .relaxation import make_spec

#: A certificate more than this above the solver's own value counts as loose (try the other solver).
LOOSE_TOL = 5e-7


def trivial_upper_bound(state, pairs=st.PAIRS, weights=None, objective: str = "exact") -> PPTBound:
    """The certified bound ``sum_k w_k p_k <= max_k w_k`` (``SEP <= 1`` for the default task), exact,
    as a :class:`PPTBound` with method "trivial"."""
    t0 = time.perf_counter()
    state = coerce_state(state)
    spec = make_spec(pairs, weights, objective)
    frame = frame_for(state)
    m = max(Fraction(w) for w in spec.weights)
    d = 1
    for q in frame.v:
        d = max(d, Fraction(q).denominator)
    vnum = np.array([int(Fraction(q) * d) for q in frame.v], dtype=object)
    if any(Fraction(int(a), d) != q for a, q in zip(vnum, frame.v)):
        raise ArithmeticError("frame vector is not on a common denominator")
    W = np.outer(vnum, vnum) * m.numerator
    dual = DualData(d * d * m.denominator, {"id": W}, {}, {p: Fraction(0) for p in spec.pairs})
    Y, Zk0 = assemble(frame, spec.pairs, spec.weights, spec.objective, dual)
    if not all(is_psd_int(M).psd for M, _ in Zk0.values()) or not is_psd_int(W).psd:
        raise ArithmeticError("trivial dual point failed its exact check")
    bound = bound_from_Y(Y, dual.den, frame)
    cert = certificate_dict(state, frame, spec, dual, bound, None)
    sstr = str(state) if isinstance(state, WClassState) else "psi=" + str(list(state))
    res = PPTBound(value=float(bound), status="analytic", solver="none", solver_version="",
                   solve_time=0.0, iterations=0, objective=spec.objective, pairs=spec.pairs,
                   weights=spec.weights, state=sstr, certified=bound, certificate=cert,
                   certify_time=time.perf_counter() - t0, method="trivial")
    return res


def product_upper_bound(state) -> PPTBound:
    """``SEP <= 0`` exactly for a fully product W-class state
    (:func:`analytics.certificates.is_product_state`): no SDP, method "product", with the
    ``sep_upper_product`` certificate (verified here, re-checked by ``sepgap verify``)."""
    t0 = time.perf_counter()
    cert = product_upper_certificate(state)
    ver = verify_product_upper(cert)
    if not ver.valid:
        raise ArithmeticError(f"product-state certificate failed its check: {ver.reason}")
    return PPTBound(value=0.0, status="analytic", solver="none", solver_version="",
                    solve_time=0.0, iterations=0, objective="exact", pairs=tuple(st.PAIRS),
                    weights=(Fraction(1),) * 3, state=str(state), certified=ver.bound,
                    certificate=cert, certify_time=time.perf_counter() - t0, method="product")


def primary_solver(state) -> str:
    """The first solver of the path: Clarabel for every state. Measured (docs/upper-bounds.md):
    on the output-twirled relaxation it needs 11-27 interior-point iterations (about 0.1 s)
    everywhere, while SCS needs hundreds of iterations on the plane and stalls for thousands
    near it (x0 -> 0, or a small component). SCS is the fallback."""
    return "CLARABEL"


def _tight(res: PPTBound) -> bool:
    """Certified, from an accurate-enough solve, and within LOOSE_TOL of the solver's value."""
    return (res.certified is not None and res.value is not None
            and res.status in ("optimal", "optimal_inaccurate")
            and float(res.certified) - res.value <= LOOSE_TOL)


def _solver_name(name, what: str) -> str | None:
    if name is None:
        return None
    if not isinstance(name, str) or (name.upper() not in SOLVERS and name.lower() != "auto"):
        raise SolverError(f"unknown {what} {name!r} (choose from {', '.join(SOLVERS)} or auto)")
    return name.upper()


def ppt_upper_bound(state, *, pairs=st.PAIRS, weights=None, objective: str = "exact",
                    solver: str = "auto", fallback: str | None = "auto",
                    solver_options: dict | None = None, certify: bool = False,
                    strict: bool = False, warm_start=None) -> PPTBound:
    r"""Upper bound on ``sum_k w_k p_k`` over PPT (hence SEP) instruments, by the path of the module
    docstring.

    .. math::

        \max \sum_k w_k \mathrm{Tr}[J_k(\rho^T\otimes I)] \;\text{ s.t. }\;
        \mathrm{Tr}[J_k(\rho^T\otimes(I-\Psi^+_k))] = 0,\;
        \sum_k \mathrm{Tr}_{out}J_k \preceq I,\; J_k \text{ PPT}

    (formulation.md section 4; Chitambar, Cui, Lo, PRL 108, 240504 (2012), task (1)).

    Parameters (defaults in brackets)
    ----------
    state: :class:`WClassState`, ``(xA, xB, xC)`` / ``(x0, xA, xB, xC)``, or 8 amplitudes.
    pairs, weights: target pairs [all three] and non-negative weights [1 each].
    objective: ``"exact"`` [default] or ``"fidelity"`` (a different, looser quantity).
    solver: ``"auto"`` [:func:`primary_solver`], ``"SCS"`` or ``"CLARABEL"``; ``solver_options``
        go to this solver only (:data:`sdp.engine.SCS_DEFAULTS`, :data:`sdp.engine.CLARABEL_DEFAULTS`).
    fallback: ``"auto"`` [the other solver], a solver name, or None (no second solve).
    certify: build and exactly verify a dual certificate [False: the solver's number only,
        ``kind == "numerical"``]. A certified bound above ``max_k w_k`` becomes the trivial one.
    strict: raise :class:`sdp.SolveFailed` unless some solve is optimal [False].
    warm_start: a previous ``RawSolution`` of the same structure, for the primary solver.
    """
    first_name = _solver_name(solver, "solver")
    second_name = _solver_name(fallback, "fallback solver")
    if is_complex_amplitudes(state):  # cvxpy's Hermitian variables: numerical, no certificate
        res = ppt_upper_bound_cvx(state, pairs=pairs, weights=weights, objective=objective,
                                  solver="SCS" if first_name in (None, "AUTO") else first_name,
                                  solver_options=solver_options)
        if strict and not res.ok:
            raise SolveFailed(f"{res.solver} returned status {res.status!r}")
        if certify:
            res.certification_error = ("this path does not certify complex amplitudes: "
                                       "sdp.complex_ppt.complex_ppt_upper_bound does")
        return res
    state = coerce_state(state)
    if first_name == "AUTO":
        first_name = primary_solver(state)
    if second_name == "AUTO":
        second_name = next(s for s in SOLVERS if s != first_name)
    common = dict(pairs=pairs, weights=weights, objective=objective, certify=certify)
    res = solve_ppt(state, solver=first_name, solver_options=solver_options,
                    warm_start=warm_start, **common)
    need = not _tight(res) if certify else not res.ok
    if need and second_name and second_name != first_name:
        other = solve_ppt(state, solver=second_name, **common)
        attempts = res.attempts + other.attempts
        if certify:
            better = other.certified is not None and (res.certified is None
                                                      or other.certified < res.certified)
        else:
            better = other.ok
        why = (f"{first_name} gave status {res.status!r}"
               + ("" if res.certified is None else f", certified {float(res.certified):.9g}")
               + (f" (solver value {res.value:.9g})" if res.value is not None else ""))
        if better:
            other.certification_error = f"{why}; {second_name} gave the smaller bound"
            res = other
        elif certify and res.certified is None:
            res.certification_error = (res.certification_error or "not certified") + \
                f"; {second_name} also failed ({other.status})"
        res.attempts = attempts
    if strict and not any(a["status"] == "optimal" for a in res.attempts):
        raise SolveFailed(f"no solver returned an optimal solution for {res.state}: "
                          + ", ".join(f"{a['solver']} {a['status']}" for a in res.attempts))
    if certify and res.certified is not None:
        cap = max(Fraction(w) for w in res.weights)
        if res.certified > cap:
            triv = trivial_upper_bound(state, res.pairs, res.weights, res.objective)
            res.certification_error = (f"certified PPT bound {float(res.certified):.9g} exceeds "
                                       f"the trivial bound {cap}; replaced by it")
            res.certified, res.certificate, res.method = triv.certified, triv.certificate, "trivial"
    return res


def sep_upper_bound(state, *, shortcut: bool = True, certify: bool = True, **options) -> PPTBound:
    """Certified upper bound on the optimal SEP probability: the analytic shortcut, then
    :func:`ppt_upper_bound` (``options``: pairs, weights, objective, solver, fallback,
    solver_options, strict, warm_start).

    ``shortcut=True`` [default]: for the default task (all pairs, unit weights, exact objective),
    a fully product state gets ``SEP <= 0`` exactly (method "product",
    :func:`product_upper_bound`), and a state where the checked explicit SEP lower bound is 1
    gets the exact trivial bound 1 (method "trivial"), both without solving an SDP.
    """
    state = coerce_state(state)
    first = _solver_name(options.get("solver", "auto"), "solver")
    check_solver_options(primary_solver(state) if first == "AUTO" else first,
                         options.get("solver_options"))  # even if the shortcut skips the SDP
    default_task = (options.get("pairs", st.PAIRS) in (st.PAIRS, list(st.PAIRS), "AB,AC,BC")
                    and options.get("weights") in (None, (1, 1, 1), [1, 1, 1])
                    and options.get("objective", "exact") == "exact")
    if shortcut and default_task and isinstance(state, WClassState) and is_product_state(state):
        return product_upper_bound(state)
    # Eq. (7) reaches 1 only on the plane; off it the lower bound is a measurement tree (a
    # search), which the caller computes anyway: do not run it a second time here
    if shortcut and default_task and isinstance(state, WClassState) and state.x0 == 0:
        lb = plane_lower_bound(state)
        if lb.value is not None and lb.value == 1:
            return trivial_upper_bound(state)
    return ppt_upper_bound(state, certify=certify, **options)
