"""``ppt_upper_bound``: the PPT relaxation of optimal SEP random distillation, solved and
(optionally) certified.

.. math::

    p_{SEP}(\\varphi) \\le \\max \\sum_k w_k \\mathrm{Tr}[J_k(\\rho^T\\otimes I)] \\;\\text{ s.t. }\\;
    \\mathrm{Tr}[J_k(\\rho^T\\otimes(I-\\Psi^+_k))] = 0,\\;
    \\sum_k \\mathrm{Tr}_{out}J_k \\preceq I,\\; J_k \\text{ PPT}

(formulation.md section 4). A solver's objective value is *not* a bound: :class:`PPTBound`
keeps the numerical value, the solver's status, and, when ``certify=True`` succeeds, the exact
certified upper bound with its certificate (re-checkable by ``sepgap verify``).
"""
from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import datetime, timezone
from fractions import Fraction

import numpy as np

from analytics.display import ShortRepr, show_number
from analytics.errors import InvalidStateError, SepgapError
from analytics.states import WClassState, as_state

from . import structure as st
from analytics.certjson import float_upper, frac_str, state_to_json
from analytics.claims import ppt_claim

from .certificate import FORMAT, VERSION
from .certify import CertificationFailed, build_dual
from .engine import RawSolution, get_engine
from .frame import Frame, frame_for
from .relaxation import RelaxationSpec, compiled_relaxation, make_spec


class SolveFailed(SepgapError):
    """The solver did not return an accurate solution (raised only with ``strict=True``)."""


@dataclass(repr=False)
class PPTBound(ShortRepr):
    """Result of one relaxation solve.

    ``value`` is the solver's primal objective: a *numerical estimate*, not a bound.
    ``certified`` is an exact rational upper bound, present only when its certificate was
    built and verified in exact arithmetic; ``kind`` says which of the two you have.
    """

    value: float | None
    status: str
    solver: str
    solver_version: str
    solve_time: float
    iterations: int
    objective: str
    pairs: tuple
    weights: tuple
    state: str
    dual_value: float | None = None
    certified: Fraction | None = None
    certificate: dict | None = None
    certify_time: float = 0.0
    certification_error: str | None = None
    p_pairs: dict = field(default_factory=dict)
    method: str = "ppt"   # "ppt" (SDP solved) or "trivial" (analytic p <= 1, see sdp.bounds)
    raw: RawSolution | None = field(default=None, repr=False)
    #: every solve made for this bound: ``{"solver", "status", "iterations", "value",
    #: "certified", "seconds"}`` (floats; certified rounded up), in order
    attempts: list = field(default_factory=list)

    def attempt(self) -> dict:
        """This solve as a record for :attr:`attempts`."""
        return {"solver": self.solver, "status": self.status, "iterations": self.iterations,
                "value": self.value,
                "certified": None if self.certified is None else float_upper(self.certified),
                "seconds": round(self.solve_time + self.certify_time, 4)}

    @property
    def ok(self) -> bool:
        return self.status in ("optimal", "analytic")

    @property
    def kind(self) -> str:
        """``"certified"``, ``"numerical"`` (solver optimal, no certificate) or ``"failed"``."""
        if self.certified is not None:
            return "certified"
        return "numerical" if self.ok else "failed"

    def _summary(self) -> list:
        return [("kind", self.kind),
                ("certified", show_number(self.certified, "<=") if self.certified is not None else "None"),
                ("value", show_number(self.value)), ("status", self.status),
                ("method", self.method), ("solver", self.solver), ("state", str(self.state)),
                ("pairs", ",".join(self.pairs)), ("objective", self.objective)]

    @property
    def label(self) -> str:
        if self.method == "trivial":
            return "trivial bound p <= 1 (explicit SEP instrument reaches 1)"
        return "PPT relaxation" + (" (fidelity-weighted objective)" if self.objective == "fidelity" else "")


def is_complex_amplitudes(state) -> bool:
    """True for 8 amplitudes with a nonzero imaginary part (the complex engines' input)."""
    if isinstance(state, WClassState):
        return False
    arr = np.asarray(state)
    return np.iscomplexobj(arr) and arr.size == 8 and bool(np.any(arr.imag != 0))


def coerce_state(state):
    """A W-class state through :func:`analytics.states.as_state` (a :class:`WClassState`, 3 or 4
    numbers, a dict), or a tuple of 8 real amplitudes."""
    if isinstance(state, (WClassState, dict)):
        return as_state(state)
    try:
        n = len(state)
    except TypeError:
        raise InvalidStateError(f"not a state: {state!r}") from None
    if n in (3, 4):
        return WClassState.from_sequence(state)
    if n == 8:
        return tuple(np.asarray(state).reshape(8).tolist())
    raise InvalidStateError(f"a state is 3 or 4 W-class weights or 8 amplitudes, got {n} numbers")


def _state_json(state, frame: Frame) -> dict:
    if isinstance(state, WClassState):
        return state_to_json(state)
    return {"type": "amplitudes", "psi": [frac_str(a) for a in frame.v]}


def _entries(M) -> list:
    n = M.shape[0]
    return [[i, j, int(M[i, j])] for i in range(n) for j in range(i, n) if M[i, j] != 0]


def certificate_dict(state, frame: Frame, spec: RelaxationSpec, dual, bound: Fraction,
                     raw: RawSolution | None) -> dict:
    """The JSON-ready certificate (format documented in docs/certificates.md)."""
    from importlib.metadata import PackageNotFoundError, version
    try:
        ver = version("sepgap")
    except PackageNotFoundError:
        ver = "unknown"
    return {
        "format": FORMAT,
        "version": VERSION,
        "kind": "ppt_upper_bound",
        "claim": ppt_claim(spec.pairs, spec.weights, bound, spec.objective).exact(),
        "state": _state_json(state, frame),
        "relaxation": {"name": "ppt", "pairs": list(spec.pairs),
                       "weights": [frac_str(w) for w in spec.weights], "objective": spec.objective},
        "frame": {"kind": frame.kind, "v": [frac_str(a) for a in frame.v],
                  "alpha_sq": [frac_str(a) for a in frame.alpha_sq],
                  "beta_sq": [frac_str(b) for b in frame.beta_sq], "scale": frac_str(frame.scale)},
        "dual": {"denominator": dual.den,
                 "W": {p: _entries(M) for p, M in dual.W.items() if any(M.flat)},
                 "Z": {pair: {p: _entries(M) for p, M in per.items() if any(M.flat)}
                       for pair, per in dual.Z.items()},
                 "t": {pair: frac_str(t) for pair, t in dual.t.items()}},
        "bound": {"exact": frac_str(bound), "float_upper": float_upper(bound)},
        "provenance": {"sepgap": ver, "solver": raw.solver if raw else None,
                       "solver_version": raw.solver_version if raw else None,
                       "solver_status": raw.status if raw else None,
                       "solver_value": raw.pobj if raw else None,
                       "created": datetime.now(timezone.utc).isoformat(timespec="seconds")},
    }


def solve_ppt(state, *, pairs=st.PAIRS, weights=None, objective: str = "exact",
              solver: str = "SCS", solver_options: dict | None = None,
              certify: bool = False, strict: bool = False,
              warm_start: RawSolution | None = None) -> PPTBound:
    """One solve of the PPT relaxation for ``state`` with one solver, optionally certified
    (no fallback, no cap: :func:`sdp.bounds.ppt_upper_bound` is the path users call).

    Parameters
    ----------
    state:
        :class:`WClassState`, ``(xA, xB, xC)`` / ``(x0, xA, xB, xC)``, or 8 amplitudes (index
        ``4a + 2b + c``), real (the compiled engine). Complex amplitudes raise
        :class:`InvalidStateError`: :func:`sdp.bounds.ppt_upper_bound` routes them.
    pairs, weights:
        Target pairs (non-empty subset of ``AB, AC, BC``; default all) and non-negative weights
        (default 1 each); the objective is ``sum_k w_k p_k``.
    objective:
        ``"exact"`` (default): success leaves the pair in exactly Psi+. ``"fidelity"``: the
        fidelity-weighted objective, a different and looser quantity.
    solver, solver_options:
        ``"SCS"`` (default; :data:`sdp.engine.SCS_DEFAULTS`) or ``"CLARABEL"``
        (:data:`sdp.engine.CLARABEL_DEFAULTS`); options are passed through to the solver.
    certify:
        Build an exact dual certificate (default False). On failure ``certified`` is None and
        ``certification_error`` says why.
    strict:
        Raise :class:`SolveFailed` when the status is not ``"optimal"`` (default False: the
        status is returned and ``kind`` is ``"failed"``).
    warm_start:
        A previous :class:`RawSolution` of the same structure (sweeps).
    """
    spec = make_spec(pairs, weights, objective)
    if is_complex_amplitudes(state):
        raise InvalidStateError("solve_ppt takes real data; complex amplitudes go through "
                                "sdp.ppt_upper_bound (sdp.complex_ppt, sdp.cvx)")
    state = coerce_state(state)
    frame = frame_for(state)
    comp = compiled_relaxation(frame, spec)
    theta = frame.theta()
    engine = get_engine(comp, theta, solver, solver_options)
    raw = engine.solve(theta, warm_start)
    value = raw.pobj / float(frame.scale) if np.isfinite(raw.pobj) else None
    sstr = str(state) if isinstance(state, WClassState) else "psi=" + str(list(state))
    res = PPTBound(value=value, status=raw.status, solver=raw.solver,
                   solver_version=raw.solver_version, solve_time=raw.solve_time,
                   iterations=raw.iterations, objective=spec.objective, pairs=spec.pairs,
                   weights=spec.weights, state=sstr,
                   dual_value=raw.dobj / float(frame.scale) if np.isfinite(raw.dobj) else None,
                   raw=raw)
    if raw.status in ("optimal", "optimal_inaccurate"):
        res.p_pairs = pair_probabilities(comp, frame, raw.x)
    if strict and not res.ok:
        raise SolveFailed(f"{raw.solver} returned status {raw.status!r} for {sstr}")
    if certify:
        t0 = time.perf_counter()
        if raw.status in ("optimal", "optimal_inaccurate"):
            try:
                dual, bound = build_dual(comp, frame, raw.y)
                res.certified = bound
                res.certificate = certificate_dict(state, frame, spec, dual, bound, raw)
            except CertificationFailed as exc:
                res.certification_error = str(exc)
        else:
            res.certification_error = f"solver status {raw.status!r}: no dual to certify"
        res.certify_time = time.perf_counter() - t0
    res.attempts = [res.attempt()]
    return res


def pair_probabilities(comp, frame: Frame, x: np.ndarray) -> dict:
    """``{pair: Tr[J_k (rho^T (x) I)]}`` read off the primal Choi operators (in the frame)."""
    v = frame.v_float()
    rhoT = np.outer(v, v)
    out = {}
    for pair, J in comp.J.items():
        Jm = (J.G @ x + J.g0).reshape(J.n, J.n)
        out[pair] = float(np.sum(st.objective_operator(rhoT, pair) * Jm) / float(frame.scale))
    return out


def primal_choi(comp, frame: Frame, x: np.ndarray) -> dict:
    """Primal Choi operators ``J'_k`` in the frame (``J_k = (D^{-1} (x) I) J'_k (D^{-1} (x) I)``)."""
    return {pair: (J.G @ x + J.g0).reshape(J.n, J.n) for pair, J in comp.J.items()}
