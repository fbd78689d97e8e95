"""The numbers of one state, derived in one place: :class:`Bracket` and :func:`bracket`.

``bracket(state)`` computes the inputs (kappa and eta, the checked explicit SEP lower bound, the
certified PPT upper bound, the LOCC protocols) and hands them to :func:`derive`, a pure
function that writes every number. ``sepgap bound --json`` prints ``Bracket.to_dict()``; a
sweep row is :func:`sweep_row` of a Bracket; ``sepgap verify`` rebuilds the Bracket of every
row from the state, the *verified* certificate, the recorded solver report and the recorded
options through :func:`derive` and compares every column.

The columns (exact values under ``<key>_exact``; floats rounded outward from them):

* ``locc_upper = min(kappa, cut, sep_upper)`` (LOCC <= kappa by Theorem 1; LOCC <= the cut
  monotone :math:`\\sum_k\\lambda_{\\min}(\\rho_k)` rounded up exactly,
  :func:`analytics.monotone_candidates.cut_upper` and docs/locc-monotones.md; LOCC <= SEP <= PPT),
  ``locc_upper_kind`` says which (``"kappa"``, ``"monotone:cut"``, ``"ppt"``);
* ``gap_lower = sep_lower - locc_upper``: a certified lower bound on ``SEP_opt - LOCC_sup``
  (positive: a certified SEP-LOCC gap); ``gap_certified = sep_lower - kappa`` is the statement
  of a gap certificate (equal to ``gap_lower`` whenever that is positive);
* ``gap_upper = sep_upper - locc_sup_lower``: an upper bound on ``SEP_opt - LOCC_sup``;
* ``sep_width = sep_upper - sep_lower``, ``locc_width = locc_upper - locc_lower``.

Rounding (:data:`DIRECTIONS`): lower bounds (``sep_lower``, ``locc_lower``, ``locc_sup_lower``,
``gap_lower``, ``gap_certified``, ``sep_lower_p_*``) are the largest float <= the exact value;
upper bounds (``kappa``, ``sep_upper``, ``sep_upper_certified``, ``locc_upper``, ``gap_upper``,
``sep_width``, ``locc_width``) the smallest float >= it; state components, ``eta`` and the
solver's own numbers (``sep_upper_numerical``, ``sep_upper_p_pairs``) are not bounds (nearest
float). ``locc_lower`` is a float simulation of an explicit protocol (deterministic): it is
lowered by the relative margin :data:`LOCC_FLOAT_MARGIN` before rounding down, so float error
in the simulator cannot lift it above the protocol's exact value.

The LOCC side (:func:`locc_bounds`): on the plane the Theorem 2 protocol (``locc_lower``) and
kappa itself, the LOCC supremum (``locc_sup_lower``); off the plane the best exact measurement
tree of :func:`analytics.locc_tree.locc_tree_bound` (full trees by value iteration, or the chain
of :mod:`analytics.offplane` when better; docs/locc-trees.md) with the Theorem 2 protocol
(finite) or kappa (supremum) at its plane leaves and Vidal's protocol at its two-party leaves.
"""
from __future__ import annotations

import dataclasses
import time
from dataclasses import dataclass, field
from fractions import Fraction
from functools import lru_cache

from analytics.display import ShortRepr, show_interval, show_number
from analytics.kraus import NoInstrumentError
from analytics.certificates import (float_lower, float_upper, frac_str, gap_certificate_from,
                                    lower_certificate, sep_lower_certificate)
from analytics.claims import ppt_claim
from analytics.errors import SepgapError
from analytics.lower import sep_lower_bound
from analytics.locc import DEFAULT_ROUNDS, theorem2_locc_lower
from analytics.monotones import eta as eta_of
from analytics.monotones import kappa as kappa_of
from analytics.locc_tree import locc_tree_bound
from analytics.monotone_candidates import cut_upper
from analytics.states import PAIRS, WClassState, as_state
import sdp as sdp_pkg  # module attributes looked up at call time (tests patch them)

#: Relative margin taken off the float LOCC protocol value before it is rounded down (the
#: branch-tree simulator's float error is many orders below it; tests compare with exact optima).
LOCC_FLOAT_MARGIN = Fraction(1, 10 ** 12)

#: SEP lower-bound methods :func:`bracket` accepts (``lower=``; :func:`analytics.lower.sep_lower_bound`).
LOWER_METHODS = ("auto", "tree", "lp")

#: Rounding direction of every float that is a bound: ``"down"`` (a lower bound, largest float
#: <= exact), ``"up"`` (an upper bound, smallest float >= exact). Every other float is nearest.
DIRECTIONS = {
    "kappa": "up", "sep_lower": "down", "gap_lower": "down", "gap_certified": "down",
    "locc_sup_lower": "down", "locc_lower": "down", "sep_upper": "up",
    "sep_upper_certified": "up", "locc_upper": "up", "gap_upper": "up", "sep_width": "up",
    "locc_width": "up", "sep_lower_p_AB": "down", "sep_lower_p_AC": "down",
    "sep_lower_p_BC": "down",
}


class BracketError(SepgapError, ValueError):
    """The inputs of a bracket contradict each other (e.g. a report says ``certified`` but no
    verified upper-bound certificate is given), or an option is unknown."""


def _down(q):
    return None if q is None else float_lower(Fraction(q))


def _up(q):
    return None if q is None else float_upper(Fraction(q))


def _near(q):
    return None if q is None else float(q)


@lru_cache(maxsize=256)
def sep_lower_of(st):
    """:func:`analytics.lower.sep_lower_bound` of an exact state with the ``tree`` method (the
    plane instruments on the plane), remembered: off the plane it is a tree search (about a
    second), and ``sepgap verify`` and a resumed sweep ask for the same states again.
    Deterministic, so remembering changes no number."""
    return sep_lower_bound(st, method="tree")


# ---- LOCC -----------------------------------------------------------------------------------------

@lru_cache(maxsize=64)
def _locc_tree(st, rounds: int):
    """One tree search gives both LOCC columns of a state (a row asks for each once): the best
    exact LOCC tree (:func:`analytics.locc_tree.locc_tree_bound`, the chain among the candidates)."""
    return locc_tree_bound(st, rounds=rounds)


def locc_sup_lower(st, rounds: int | None = None) -> tuple:
    """``(value, kind)``: a lower bound on the LOCC supremum: kappa itself for x0 = 0 (Theorem 2,
    exact), otherwise the best exact LOCC tree (kappa at its plane leaves, Vidal's protocol at its
    two-party leaves; its exact value rounded down to a float, kept as a Fraction; it does not
    depend on the rounds, which only pick the cached search to share with :func:`locc_lower`).
    The kind names the tree: ``"tree+kappa (full, depth 4, 12 nodes)"`` or ``(chain, ...)``."""
    if st.x0 == 0:
        return Fraction(kappa_of(st)), "kappa"
    res = _locc_tree(st, DEFAULT_ROUNDS if rounds is None else rounds)
    sup = res.locc_sup_lower
    if not isinstance(sup, Fraction):  # a float protocol value: keep it a lower bound
        sup = Fraction(sup) * (1 - LOCC_FLOAT_MARGIN)
    return sup, res.locc_sup_kind


def locc_lower(st, rounds: int) -> tuple:
    """``(value, protocol, rounds)``: an explicit finite LOCC protocol's success probability as
    an exact rational *lower bound* (the simulator's float lowered by :data:`LOCC_FLOAT_MARGIN`);
    deterministic, so ``sepgap verify`` re-derives it from the state and the rounds."""
    if st.x0 == 0:
        lr = theorem2_locc_lower(st, rounds)
        value, protocol = lr.locc_lower, lr.protocol
    else:
        res = _locc_tree(st, int(rounds))
        value, protocol = res.locc_lower, res.locc_lower_protocol
    q = Fraction(value)
    if not isinstance(value, Fraction):
        q = max(Fraction(0), q * (1 - LOCC_FLOAT_MARGIN))
    return q, protocol, int(rounds)


def locc_inputs(st, rounds: int | None) -> tuple | None:
    """``(locc_lower exact or None, protocol, rounds)`` for :func:`derive` (None without rounds);
    a protocol that fails is recorded as ``"error: ..."`` (deterministic too, so re-derivable)."""
    if rounds is None:
        return None
    try:
        return locc_lower(st, rounds)
    except (SepgapError, ArithmeticError, ValueError) as exc:
        return None, f"error: {type(exc).__name__}: {exc}", int(rounds)


# ---- the solver's report (what the upper-bound path said, beyond the certificate) -----------------

UPPER_KINDS = ("certified", "numerical", "failed", "skipped")


@dataclass(frozen=True)
class UpperReport:
    """What the upper-bound path reported besides its certificate: the solver's own numbers
    and labels (not bounds). ``kind``: ``certified``, ``numerical``, ``failed`` or ``skipped``
    (no SDP). A sweep stores it under ``upper_reports`` so that ``sepgap verify`` can re-derive
    every ``sep_upper_*`` column; the *bound* itself comes only from a verified certificate."""

    kind: str = "skipped"
    method: str | None = None
    status: str | None = None
    numerical: float | None = None
    iterations: int | None = None
    p_pairs: dict | None = None
    note: str | None = None
    objective: str = "exact"
    pairs: str = "AB,AC,BC"
    solver: str | None = None
    solver_version: str | None = None
    solve_time: float | None = None
    certify_time: float | None = None
    attempts: list | None = None
    certification_error: str | None = None

    def to_json(self) -> dict:
        return dataclasses.asdict(self)

    @classmethod
    def from_json(cls, d) -> "UpperReport":
        """Read a stored report; :class:`BracketError` for anything but the known fields."""
        if not isinstance(d, dict):
            raise BracketError("the solver report is not an object")
        names = {f.name for f in dataclasses.fields(cls)}
        extra = sorted(str(k) for k in d if k not in names)
        if extra:
            raise BracketError(f"the solver report has unknown field(s) {', '.join(extra)}")
        rep = cls(**d)
        if rep.kind not in UPPER_KINDS:
            raise BracketError(f"unknown sep_upper_kind {rep.kind!r}")
        return rep

    @classmethod
    def from_result(cls, res, note: str | None = None) -> "UpperReport":
        """The report of a :class:`sdp.PPTBound`."""
        numerical = res.value if res.method != "trivial" or res.solver != "none" else None
        if numerical is not None and numerical != numerical:
            numerical = None
        return cls(kind=res.kind, method=res.method, status=res.status, numerical=numerical,
                   iterations=res.iterations, p_pairs=dict(res.p_pairs) if res.p_pairs else None,
                   note=note, objective=res.objective, pairs=",".join(res.pairs),
                   solver=res.solver, solver_version=res.solver_version,
                   solve_time=res.solve_time, certify_time=res.certify_time,
                   attempts=list(res.attempts) or None,
                   certification_error=res.certification_error)


# ---- the bracket -----------------------------------------------------------------------------------

@dataclass(frozen=True, repr=False)
class Bracket(ShortRepr):
    """Every number ``sepgap bound --json`` prints for one state, typed: ``<key>`` a float
    rounded outward (:data:`DIRECTIONS`), ``<key>_exact`` the exact :class:`~fractions.Fraction`
    (``None`` where there is no such number). ``to_dict()`` is the CLI's JSON. The verified PPT
    certificate is attached (``upper_certificate``); :meth:`lower_certificate` and
    :meth:`gap_certificate` build the analytic ones on demand. Built by :func:`bracket` (or
    :func:`derive` from given inputs); source: Chitambar, Cui, Lo, PRL 108, 240504 (2012),
    Eqs. (3), (4), (7), Theorems 1-2, and formulation.md."""

    x0: float
    x0_exact: Fraction
    xA: float
    xA_exact: Fraction
    xB: float
    xB_exact: Fraction
    xC: float
    xC_exact: Fraction
    kappa: float
    kappa_exact: Fraction
    eta: float
    eta_exact: Fraction
    sep_lower: float | None
    sep_lower_exact: Fraction | None
    sep_lower_kind: str
    sep_lower_p_pairs: dict | None
    sep_lower_p_pairs_exact: dict | None
    sep_lower_checked: bool
    sep_lower_note: str
    gap_certified: float | None
    gap_certified_exact: Fraction | None
    locc_sup_lower: float
    locc_sup_lower_exact: Fraction
    locc_sup_kind: str
    locc_lower: float | None
    locc_lower_exact: Fraction | None
    locc_protocol: str | None
    locc_rounds: int | None
    locc_time: float | None
    sep_upper: float | None
    sep_upper_exact: Fraction | None
    sep_upper_kind: str
    sep_upper_method: str | None
    sep_upper_status: str | None
    sep_upper_numerical: float | None
    sep_upper_certified: float | None
    sep_upper_certified_exact: Fraction | None
    sep_upper_objective: str
    sep_upper_pairs: str
    sep_upper_solver: str | None
    sep_upper_solver_version: str | None
    sep_upper_solve_time: float | None
    sep_upper_certify_time: float | None
    sep_upper_iterations: int | None
    sep_upper_attempts: list | None
    sep_upper_p_pairs: dict | None
    sep_upper_certification_error: str | None
    sep_upper_note: str | None
    sep_upper_claim: str | None
    sep_upper_is_sep: bool
    kappa_exceeds_sep_upper: bool | None
    locc_upper: float
    locc_upper_exact: Fraction
    locc_upper_kind: str
    gap_lower: float | None
    gap_lower_exact: Fraction | None
    gap_upper: float | None
    gap_upper_exact: Fraction | None
    sep_width: float | None
    sep_width_exact: Fraction | None
    locc_width: float | None
    locc_width_exact: Fraction | None
    upper_certificate: dict | None = field(default=None, repr=False, compare=False)
    #: the solver's raw solution (warm start for a sweep's next point); not part of the JSON
    solver_raw: object = field(default=None, repr=False, compare=False)
    #: the :class:`analytics.plane.SepLowerBound` behind ``sep_lower`` (its certificate)
    lower_bound: object = field(default=None, repr=False, compare=False)

    #: attributes that are not part of :meth:`to_dict`
    NOT_IN_DICT = ("upper_certificate", "solver_raw", "lower_bound")

    #: ``repr`` is one line: the state ``x = (x0; xA, xB, xC)``, the brackets and the lower kind
    _repr_fields = ("x", "SEP", "LOCC", "gap", "kappa", "lower")

    def _summary(self) -> list:
        """The brackets rounded outward (:func:`analytics.display.show_interval`), kappa, the
        kinds and the state; never the certificate."""
        return [("x", f"({self.x0_exact}; {self.xA_exact}, {self.xB_exact}, {self.xC_exact})"),
                ("SEP", show_interval(self.sep_lower_exact, self.sep_upper_exact)),
                ("LOCC", show_interval(self.locc_lower_exact, self.locc_upper_exact)),
                ("gap", show_interval(self.gap_lower_exact, self.gap_upper_exact)),
                ("kappa", show_number(self.kappa_exact, "<=")),
                ("lower", self.sep_lower_kind), ("sep_upper_kind", self.sep_upper_kind),
                ("locc_upper_kind", self.locc_upper_kind), ("locc_protocol", str(self.locc_protocol))]

    def kraus_operators(self):
        """The separable instrument behind ``sep_lower`` as product Kraus operators with outcome
        labels (:class:`analytics.kraus.KrausOperators`); raises
        :class:`analytics.kraus.NoInstrumentError` when there is none (or when this Bracket
        was re-derived from a stored LP certificate: the certificate file is the instrument)."""
        lb = self.lower_bound
        if lb is not None and lb.instrument is not None:
            return lb.kraus_operators()  # the very instrument behind sep_lower (no new search)
        if self.sep_lower_kind == "lp":
            raise NoInstrumentError("this Bracket holds no LP instrument (re-derived from a "
                                    "stored certificate): export from that certificate's state "
                                    "with bracket(..., lower='lp')")
        return sep_lower_of(self.state()).kraus_operators()

    def state(self):
        """The exact state, as a :class:`analytics.states.WClassState`."""
        return WClassState.from_components(self.x0_exact, self.xA_exact, self.xB_exact,
                                           self.xC_exact)

    def to_dict(self) -> dict:
        """JSON types: Fractions as ``"p/q"`` strings (also inside dicts), the rest as is."""
        out = {}
        for f in dataclasses.fields(self):
            if f.name in self.NOT_IN_DICT:
                continue
            v = getattr(self, f.name)
            if isinstance(v, Fraction):
                v = frac_str(v)
            elif isinstance(v, dict):
                v = {k: frac_str(x) if isinstance(x, Fraction) else x for k, x in v.items()}
            out[f.name] = v
        return out

    def lower_certificate(self) -> dict | None:
        """The ``sep_lower_bound`` certificate (``SEP >= sep_lower_exact``), or None if no
        explicit instrument applies."""
        if self.sep_lower_exact is None:
            return None
        lb = self.lower_bound
        if lb is not None and lb.instrument is not None:
            return lower_certificate(lb)  # the very instrument behind sep_lower (no new search)
        if self.sep_lower_kind == "lp":
            return None  # re-derived from a stored certificate: that file is the certificate
        return sep_lower_certificate(self.state(), method="tree")

    def gap_certificate(self) -> dict | None:
        """The ``sep_locc_gap`` certificate (``SEP - LOCC_sup >= gap_certified_exact``) when that
        gap is positive (then it equals ``gap_lower``); None otherwise: a gap claim <= 0 is
        vacuous (SEP >= LOCC always) and is never written as a gap certificate."""
        if self.gap_certified_exact is None or self.gap_certified_exact <= 0:
            return None
        lower = self.lower_certificate()
        return None if lower is None else gap_certificate_from(lower)


def derive(state, *, lower, upper_bound: Fraction | None, report: UpperReport,
           locc: tuple | None, upper_certificate: dict | None = None,
           locc_time: float | None = None, solver_raw=None) -> Bracket:
    """The :class:`Bracket` of ``state`` from its inputs; pure (no solver, no search).

    ``lower``: the :class:`analytics.plane.SepLowerBound` of the state (checked exactly).
    ``upper_bound``: the exact bound ``SEP <= upper_bound`` of a *verified* certificate whose
    claim is an upper bound on SEP itself (all pairs, unit weights, exact objective), or None.
    ``report``: the :class:`UpperReport` (labels and solver numbers; must agree with
    ``upper_bound``: ``certified`` exactly when a bound is given). ``locc``: ``(locc_lower exact,
    protocol, rounds)`` or None. Raises :class:`BracketError` when the inputs disagree.
    """
    st = as_state(state).exact()
    k = Fraction(kappa_of(st))
    e = Fraction(eta_of(st))
    low = None if lower.value is None else Fraction(lower.value)
    pp = lower.p_pairs if low is not None and lower.p_pairs else None
    pp_exact = None if pp is None else {p: Fraction(pp.get(p, 0)) for p in PAIRS}
    if (report.kind == "certified") != (upper_bound is not None):
        raise BracketError(f"sep_upper_kind is {report.kind!r} but a verified SEP upper-bound "
                           f"certificate is {'present' if upper_bound is not None else 'missing'}")
    up = None if upper_bound is None else Fraction(upper_bound)
    if report.method == "trivial" and up is not None and up != 1:
        raise BracketError(f"sep_upper_method 'trivial' but the certified bound is {frac_str(up)}")
    is_sep = up is not None and report.pairs == "AB,AC,BC" and report.objective == "exact"
    sep_up = up if is_sep else None  # a bound on SEP itself, or nothing
    claim = None
    if up is not None:
        pl = report.pairs.split(",")
        claim = ppt_claim(pl, (1,) * len(pl), up, report.objective).exact()
    sup, sup_kind = locc_sup_lower(st, None if locc is None else locc[2])
    ll = None if locc is None or locc[0] is None else Fraction(locc[0])
    options = [(k, "kappa"), (cut_upper(st), "monotone:cut")] + \
        ([] if sep_up is None else [(sep_up, "ppt")])
    lu, lu_kind = min(options, key=lambda t: t[0])  # ties: the first listed (kappa)
    gl = None if low is None else low - lu
    gc = None if low is None else low - k
    gu = None if sep_up is None else sep_up - sup
    sw = None if sep_up is None or low is None else sep_up - low
    lw = None if ll is None else lu - ll
    return Bracket(
        x0=_near(st.x0), x0_exact=st.x0, xA=_near(st.xA), xA_exact=st.xA,
        xB=_near(st.xB), xB_exact=st.xB, xC=_near(st.xC), xC_exact=st.xC,
        kappa=_up(k), kappa_exact=k, eta=_near(e), eta_exact=e,
        sep_lower=_down(low), sep_lower_exact=low, sep_lower_kind=lower.kind,
        sep_lower_p_pairs=None if pp_exact is None else {p: _down(q) for p, q in pp_exact.items()},
        sep_lower_p_pairs_exact=pp_exact,
        sep_lower_checked=bool(lower.check is not None and lower.check.ok),
        sep_lower_note=lower.reason,
        gap_certified=_down(gc), gap_certified_exact=gc,
        locc_sup_lower=_down(sup), locc_sup_lower_exact=sup, locc_sup_kind=sup_kind,
        locc_lower=_down(ll), locc_lower_exact=ll,
        locc_protocol=None if locc is None else locc[1],
        locc_rounds=None if locc is None else locc[2], locc_time=locc_time,
        sep_upper=_up(sep_up), sep_upper_exact=sep_up,
        sep_upper_kind=report.kind, sep_upper_method=report.method,
        sep_upper_status=report.status, sep_upper_numerical=report.numerical,
        sep_upper_certified=_up(up), sep_upper_certified_exact=up,
        sep_upper_objective=report.objective, sep_upper_pairs=report.pairs,
        sep_upper_solver=report.solver, sep_upper_solver_version=report.solver_version,
        sep_upper_solve_time=report.solve_time, sep_upper_certify_time=report.certify_time,
        sep_upper_iterations=report.iterations, sep_upper_attempts=report.attempts,
        sep_upper_p_pairs=report.p_pairs,
        sep_upper_certification_error=report.certification_error,
        sep_upper_note=report.note, sep_upper_claim=claim, sep_upper_is_sep=bool(is_sep),
        kappa_exceeds_sep_upper=None if sep_up is None else bool(sep_up < k),
        locc_upper=_up(lu), locc_upper_exact=lu,
        locc_upper_kind=lu_kind,
        gap_lower=_down(gl), gap_lower_exact=gl, gap_upper=_up(gu), gap_upper_exact=gu,
        sep_width=_up(sw), sep_width_exact=sw, locc_width=_up(lw),
        locc_width_exact=lw,
        upper_certificate=upper_certificate, solver_raw=solver_raw, lower_bound=lower,
    )


def bracket(state, *, lower: str = "auto", certify: bool = True, sdp: bool = True,
            locc_rounds: int | None = DEFAULT_ROUNDS, pairs="AB,AC,BC", objective: str = "exact",
            solver: str = "auto", solver_options: dict | None = None, shortcut: bool = True,
            warm_start=None, orbit=None, lower_budget: float | None = None,
            lower_seeds=None) -> Bracket:
    """Every bound of one W-class state in one call (the numbers of ``sepgap bound --json``).

    ``state``: a :class:`analytics.states.WClassState`, ``(xA, xB, xC)`` or ``(x0, xA, xB, xC)``.
    ``lower``: the SEP lower-bound method (:data:`LOWER_METHODS`, :func:`analytics.lower.sep_lower_bound`:
    ``"auto"`` the better of the measurement tree and the LP instrument, ``"tree"``, ``"lp"``;
    the plane instruments on the plane), ``lower_budget`` the LP's seconds, ``lower_seeds`` LP
    warm-start columns. ``certify``: build and
    exactly verify the PPT dual certificate (without it ``sep_upper`` is None and the solver's
    number is only ``sep_upper_numerical``). ``sdp=False``: no upper bound at all (kind
    ``"skipped"``). ``locc_rounds``: Fortescue-Lo rounds of ``locc_lower`` (None: no finite
    protocol). ``pairs``, ``objective``, ``solver``, ``solver_options``, ``shortcut``,
    ``warm_start``: as for :func:`sdp.sep_upper_bound`. ``orbit``: a callable
    ``f(state) -> (PPTBound or None, note)`` tried first (a sweep's relabelled certificates).

    Raises :class:`BracketError` for an unknown ``lower``, the state's errors for a bad state,
    :class:`sdp.SolverError` for bad solver settings; any other failure of the SDP is recorded
    (``sep_upper_kind = "failed"``, ``sep_upper_note``).
    """
    if lower not in LOWER_METHODS:
        raise BracketError(f"lower={lower!r}: choose one of {', '.join(LOWER_METHODS)}")
    st = as_state(state).exact()
    lb = (sep_lower_of(st) if lower == "tree" else
          sep_lower_bound(st, method=lower, budget=lower_budget, seeds=lower_seeds))
    report, up, cert, raw = UpperReport(), None, None, None
    if sdp:
        res, note = None, None
        try:
            if orbit is not None:
                res, note = orbit(st)
            if res is None:
                res = sdp_pkg.sep_upper_bound(st, pairs=pairs, objective=objective, solver=solver,
                                      solver_options=solver_options, certify=certify,
                                      shortcut=shortcut, warm_start=warm_start)
        except sdp_pkg.SolverError:
            raise
        except (SepgapError, ArithmeticError, ValueError, RuntimeError) as exc:
            res, note = None, f"{type(exc).__name__}: {exc}"
        if res is None:
            report = UpperReport(kind="failed", status="error", note=note,
                                 pairs=pairs if isinstance(pairs, str) else ",".join(pairs),
                                 objective=objective)
        else:
            if res.certified is None:
                note = res.certification_error or "not certified"
            elif note is None and res.certification_error:
                note = res.certification_error
            report = UpperReport.from_result(res, note)
            up = res.certified
            cert = res.certificate if up is not None else None
            raw = res.raw
    t0 = time.perf_counter()
    locc = locc_inputs(st, locc_rounds)
    locc_time = None if locc is None else time.perf_counter() - t0
    return derive(st, lower=lb, upper_bound=up, report=report, locc=locc,
                  upper_certificate=cert, locc_time=locc_time, solver_raw=raw)


def lower_certificate_id(point_id: str) -> str:
    """Key (in a sweep's ``certificates``) and file stem of a row's LP lower-bound certificate."""
    return f"{point_id}-lower"


# ---- a sweep row -----------------------------------------------------------------------------------

def sweep_row(point, b: Bracket) -> dict:
    """The sweep row (JSON types, columns of :data:`experiments.evaluate.BASE_COLUMNS`) of
    ``point`` (its ``id``, ``index`` and ``params``) from its Bracket: a pure function, so
    ``sepgap verify`` re-derives every column except the timings (``solve_time``,
    ``certify_time``, ``locc_time``)."""
    def ex(q):
        return None if q is None else frac_str(q)
    row: dict = {"id": point.id, "index": point.index}
    for k, v in point.params.items():
        if isinstance(v, Fraction):
            row[k], row[f"{k}_exact"] = float(v), frac_str(v)
        else:
            row[k], row[f"{k}_exact"] = v, None
    for k in ("x0", "xA", "xB", "xC", "kappa", "sep_lower", "sep_upper_certified",
              "gap_certified", "gap_upper", "locc_sup_lower", "locc_upper", "gap_lower",
              "locc_lower", "sep_width"):
        row[k] = getattr(b, k)
        row[f"{k}_exact"] = ex(getattr(b, f"{k}_exact"))
    pp, ppx = b.sep_lower_p_pairs or {}, b.sep_lower_p_pairs_exact or {}
    sp = b.sep_upper_p_pairs or {}
    for p in PAIRS:
        row[f"sep_lower_p_{p}"] = pp.get(p)
        row[f"sep_lower_p_{p}_exact"] = ex(ppx.get(p))
        v = sp.get(p)
        row[f"sep_upper_p_{p}"] = None if v is None or v != v else float(v)
    row.update({
        "sep_lower_kind": b.sep_lower_kind,
        "sep_upper": b.sep_upper, "sep_upper_status": b.sep_upper_status,
        "sep_upper_kind": b.sep_upper_kind, "sep_upper_method": b.sep_upper_method,
        "sep_upper_numerical": b.sep_upper_numerical,
        "kappa_exceeds_sep_upper": b.kappa_exceeds_sep_upper,
        "locc_protocol": b.locc_protocol,
        "locc_rounds": b.locc_rounds, "iterations": b.sep_upper_iterations,
        "solve_time": b.sep_upper_solve_time, "certify_time": b.sep_upper_certify_time,
        "locc_time": b.locc_time,
        "certificate_file": (f"certificates/{point.id}.json"
                             if b.sep_upper_certified_exact is not None else None),
        "sep_upper_note": b.sep_upper_note, "locc_sup_kind": b.locc_sup_kind,
        "locc_upper_kind": b.locc_upper_kind, "locc_width": b.locc_width,
        "sep_lower_certificate_file": (f"certificates/{lower_certificate_id(point.id)}.json"
                                       if b.sep_lower_kind == "lp" else None),
    })
    return row


def report_of_row(row: dict) -> UpperReport:
    """The :class:`UpperReport` a row repeats (for saved lines of an interrupted run, whose
    report is their row; the finished sweep stores reports separately)."""
    pp = {p: row.get(f"sep_upper_p_{p}") for p in PAIRS}
    return UpperReport(kind=row["sep_upper_kind"], method=row["sep_upper_method"],
                       status=row["sep_upper_status"], numerical=row["sep_upper_numerical"],
                       iterations=row["iterations"],
                       p_pairs=None if all(v is None for v in pp.values()) else pp,
                       note=row["sep_upper_note"], solve_time=row["solve_time"],
                       certify_time=row["certify_time"])


__all__ = ["Bracket", "bracket", "derive", "lower_certificate_id", "UpperReport", "BracketError", "sweep_row",
           "report_of_row", "sep_lower_of", "locc_sup_lower", "locc_lower", "DIRECTIONS",
           "LOCC_FLOAT_MARGIN", "LOWER_METHODS", "UPPER_KINDS", "locc_inputs"]
