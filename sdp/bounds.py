"""The best certified upper bound on optimal SEP for a state, with cheap shortcuts first.

QETLAB's habit: an analytic answer before any SDP. Every instrument succeeds with
probability at most 1 (trace non-increasing), so where the explicit, exactly checked SEP
instrument of :mod:`analytics.instruments` already reaches 1 (Eq. (7): ``x0 = 0``,
``x_n1 <= 1/2``), SEP_opt = 1 exactly and no SDP is needed. The bound 1 still comes with a
certificate in the common format: the dual point ``W_id = |v><v|`` (all else 0) of the PPT
relaxation, whose objective ``Tr[|v><v| D^2] = xA + xB + xC = 1``; ``sepgap verify`` checks it
like any other. Elsewhere the PPT relaxation is solved and certified.
"""
from __future__ import annotations

import time
from fractions import Fraction

import numpy as np

from analytics.instruments import sep_lower_bound
from analytics.states import WClassState

from .certificate import DualData, assemble, bound_from_Y
from .exact_psd import is_psd_int
from .frame import frame_for
from .ppt import PPTBound, certificate_dict, coerce_state, ppt_upper_bound
from .relaxation import RelaxationSpec


def trivial_upper_bound(state: WClassState) -> PPTBound:
    """The certified bound ``SEP <= 1`` (exact), as a :class:`PPTBound` with method "trivial"."""
    t0 = time.perf_counter()
    frame = frame_for(state)
    spec = RelaxationSpec(weights=(Fraction(1),) * 3)
    d = 1
    for q in frame.v:
        d = max(d, Fraction(q).denominator)
    vnum = np.array([int(Fraction(q) * d) for q in frame.v], dtype=object)
    if any(Fraction(int(a), d) != q for a, q in zip(vnum, frame.v)):
        raise ArithmeticError("frame vector is not on a common denominator")
    dual = DualData(d * d, {"id": np.outer(vnum, vnum)}, {}, {p: Fraction(0) for p in spec.pairs})
    Y, Zk0 = assemble(frame, spec.pairs, spec.weights, spec.objective, dual)
    if not all(is_psd_int(M).psd for M, _ in Zk0.values()) or not is_psd_int(dual.W["id"]).psd:
        raise ArithmeticError("trivial dual point failed its exact check")
    bound = bound_from_Y(Y, dual.den, frame)
    cert = certificate_dict(state, frame, spec, dual, bound, None)
    return PPTBound(value=float(bound), status="analytic", solver="none", solver_version="",
                    solve_time=0.0, iterations=0, objective="exact", pairs=spec.pairs,
                    weights=spec.weights, state=str(state), certified=bound, certificate=cert,
                    certify_time=time.perf_counter() - t0, method="trivial")


def sep_upper_bound(state, *, shortcut: bool = True, certify: bool = True,
                    fallback: str | None = "CLARABEL", **ppt_options) -> PPTBound:
    """Certified upper bound on the optimal SEP probability (all pairs, exact conversion).

    ``shortcut=True`` (default): where the checked explicit SEP lower bound is 1, return the
    exact trivial bound 1 (method "trivial") instead of solving the SDP. ``shortcut=False``
    always solves the PPT relaxation. ``fallback`` (default ``"CLARABEL"``): if the first solve
    is not optimal or not certified (e.g. SCS reaches its iteration limit near ``x0 = 1``),
    solve once more with this solver (no warm start) and keep the smaller certified bound
    (both are valid bounds); None disables it. The result names the solver that produced it. ``ppt_options`` go to
    :func:`sdp.ppt.ppt_upper_bound` (solver, solver_options, warm_start, strict).
    """
    state = coerce_state(state)
    if shortcut and isinstance(state, WClassState):
        lb = sep_lower_bound(state)
        if lb.value is not None and lb.value == 1:
            return trivial_upper_bound(state)
    res = ppt_upper_bound(state, certify=certify, **ppt_options)
    first = str(ppt_options.get("solver", "SCS")).upper()
    if certify and fallback and fallback.upper() != first and (
            res.certified is None or res.status != "optimal"):
        opts = {k: v for k, v in ppt_options.items()
                if k not in ("solver", "solver_options", "warm_start")}
        second = ppt_upper_bound(state, certify=True, solver=fallback, **opts)
        if second.certified is not None and (res.certified is None or second.certified < res.certified):
            second.certification_error = (f"{first} returned {res.status!r}"
                                          f"{'' if res.certified is None else f' (certified {float(res.certified):.9g})'}; "
                                          f"the fallback solver {second.solver} gave the smaller certified bound")
            return second
    return res
