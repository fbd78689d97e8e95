"""One place chooses the lower bounds: :func:`sep_lower_bound` (SEP) and :func:`locc_lower_bound`.

This module is the top floor of :mod:`analytics`: it imports the methods, none of them imports
it. Floors, bottom to top (each imports only from below)::

    errors, limits, claims, states, monotones
    instruments            (Kraus data, plane builders)
    checks                 (the instrument checker)
    certjson, plane        (certificate JSON helpers; SepLowerBound, the plane method)
    measurements, locc     (local measurements, LOCC protocols on the plane)
    tree_certificates      (measurement trees, checked exactly)
    offplane               (chain search: trees for SEP and LOCC)
    separable_lp           (LP over product Kraus operators, floats)
    lp_certificates        (exact LP instruments and their certificates)
    canonical, general_locc, general_lp, general_lp_certificates
                           (any three-qubit state: class and W-class form, measure + Vidal,
                            the complex LP and its exact certificates)
    lower                  (this module: the dispatchers)
    certificates, headline (certificate kinds and verification; the paper's example)

SEP methods (issue 17):

* ``"plane"``: Eq. (7) / the large-component instrument (:func:`analytics.plane.plane_lower_bound`);
  only for :math:`x_0 = 0` or product states, where it is the SEP optimum.
* ``"tree"``: the best measurement chain (:func:`analytics.offplane.sep_lower_tree`), exact;
  on the plane the same as ``"plane"``.
* ``"lp"``: the LP over product Kraus operators seeded by the tree
  (:func:`analytics.separable_lp.solve_separable_lp`), made exact and checked
  (:func:`analytics.lp_certificates.exact_lp_instrument`); within ``budget`` seconds.
* ``"auto"``: ``"plane"`` on the plane and for product states; otherwise the tree and, if
  ``budget > 0``, the LP; the larger exact value is returned (so never below the tree).

Any three-qubit state (a :class:`~analytics.general_states.ThreeQubitState` or 8 amplitudes;
issue 19) is first routed by :func:`analytics.canonical.route`: a W-class state (decided
exactly) gets the methods above on its exactly LU-equivalent W-class form; any other state:

* ``"tree"``: the one-measurement protocol, measure + Vidal
  (:func:`analytics.general_locc.measure_vidal_protocol`; kind ``locc_protocol``, an LOCC
  protocol, so also a separable instrument);
* ``"lp"``: the LP over complex product Kraus operators seeded by that protocol
  (:func:`analytics.general_lp.solve_general_lp`), made exact and checked
  (:func:`analytics.general_lp_certificates.exact_general_lp_instrument`; kind ``lp_general``);
* ``"auto"``: both (the LP only if ``budget > 0``), the larger exact value;
* ``"plane"`` is refused (it is a W-class method).
"""
from __future__ import annotations

import math
import time

from .canonical import route
from .errors import InstrumentError
from .general_locc import measure_vidal_protocol
from .general_lp import solve_general_lp
from .general_lp_certificates import GeneralLPCertificateError, exact_general_lp_instrument
from .general_states import ThreeQubitState
from .locc import DEFAULT_ROUNDS, LOCCResult, projective_vidal_protocol, theorem2_protocol
from .lp_certificates import LPCertificateError, exact_lp_instrument
from .monotones import kappa
from .offplane import locc_lower_tree, sep_lower_tree
from .plane import METHODS, SepLowerBound, is_product_state, plane_lower_bound
from .separable_lp import DEFAULT_BUDGET, SeparableLPError, solve_separable_lp
from .states import as_state


def check_method(method) -> str:
    if method not in METHODS:
        raise InstrumentError(f"lower-bound method {method!r} is not one of {', '.join(METHODS)}")
    return method


def check_budget(budget) -> float:
    """A time budget in seconds: a finite number in [0, 86400] (None: the default)."""
    if budget is None:
        return DEFAULT_BUDGET
    if isinstance(budget, bool) or not isinstance(budget, (int, float)) or not math.isfinite(budget) \
            or not 0 <= budget <= 86400:
        raise InstrumentError(f"lower-bound budget {budget!r} must be a number of seconds in [0, 86400]")
    return float(budget)


def _tree_bound(st, t0: float, method: str) -> SepLowerBound:
    tree = sep_lower_tree(st)
    return SepLowerBound(tree.value, tree.kind, tree, dict(tree.pairs), tree.evaluation,
                         f"separable instrument from a depth-{tree.depth} measurement tree "
                         f"(local measurements, then the plane's instruments), checked exactly "
                         f"({tree.arithmetic})", method, time.perf_counter() - t0, st)


def _lp_bound(st, budget: float, seeds, t0: float, method: str, tree=None) -> SepLowerBound:
    try:
        sol = solve_separable_lp(st, budget=budget, seeds=seeds, tree=tree)
    except SeparableLPError:
        if seeds is None:
            raise
        # a neighbour's columns made the first LP fail: start from the default seeds alone
        sol = solve_separable_lp(st, budget=budget, tree=tree)
    lb = exact_lp_instrument(sol)
    return SepLowerBound(lb.value, "lp", lb, dict(lb.p_pairs), lb.check(),
                         f"separable instrument from the LP over product Kraus operators "
                         f"({sol.iterations} column-generation rounds, {sol.stopped}; "
                         f"{len(lb.kraus)} Kraus operators), checked exactly ({lb.arithmetic})",
                         method, time.perf_counter() - t0, st)


def _is_amplitude_input(state) -> bool:
    """True for a :class:`ThreeQubitState` or a sequence of 8 amplitudes (a W-class state is
    3 or 4 weights or a dict)."""
    if isinstance(state, ThreeQubitState):
        return True
    if isinstance(state, (str, bytes, dict)) or not hasattr(state, "__len__"):
        return False
    try:
        return len(state) == 8
    except TypeError:
        return False


def _protocol_bound(st, t0: float, method: str, protocol=None) -> SepLowerBound:
    proto = measure_vidal_protocol(st) if protocol is None else protocol
    return SepLowerBound(proto.value, proto.kind, proto, dict(proto.p_pairs), proto,
                         f"LOCC protocol: {proto.describe()} (checked; exact value rounded down)",
                         method, time.perf_counter() - t0, st)


def _general_lp_bound(st, budget: float, t0: float, method: str, protocol=None) -> SepLowerBound:
    sol = solve_general_lp(st, budget=budget, protocol=protocol)
    lb = exact_general_lp_instrument(sol)
    return SepLowerBound(lb.value, "lp_general", lb, dict(lb.p_pairs), lb.check(),
                         f"separable instrument from the LP over complex product Kraus operators "
                         f"({sol.iterations} column-generation rounds, {sol.stopped}; "
                         f"{len(lb.kraus)} Kraus operators), checked exactly ({lb.arithmetic})",
                         method, time.perf_counter() - t0, st)


def general_sep_lower_bound(st: ThreeQubitState, method: str, budget: float,
                            t0: float | None = None) -> SepLowerBound:
    """The SEP lower bound of a state that is not (exactly) W-class (module docstring)."""
    t0 = time.perf_counter() if t0 is None else t0
    if method == "plane":
        raise InstrumentError("lower-bound method 'plane' applies to W-class states only; use "
                              "auto, tree or lp for this state")
    best = _protocol_bound(st, t0, method)
    if method == "tree" or (method == "auto" and budget == 0):
        return best
    try:
        lp = _general_lp_bound(st, budget, t0, method, best.instrument)
    except (SeparableLPError, GeneralLPCertificateError):
        if method == "lp":
            raise
        return best  # the protocol stands
    if method == "auto" and best.value >= lp.value:
        return SepLowerBound(best.value, best.kind, best.instrument, best.p_pairs, best.check,
                             best.reason, method, time.perf_counter() - t0, st)
    return lp


def sep_lower_bound(state, method: str = "auto", budget: float | None = None,
                    seeds=None) -> SepLowerBound:
    """The best certified SEP lower bound by ``method`` (module docstring).

    ``state``: anything :func:`analytics.states.as_state` accepts, or any three-qubit state
    (a :class:`~analytics.general_states.ThreeQubitState` or 8 amplitudes, routed by
    :func:`analytics.canonical.route`). ``budget``: seconds for the
    LP's column generation (default :data:`analytics.separable_lp.DEFAULT_BUDGET`; the tree
    search and the exact rounding come on top, about 1-2 s). ``seeds``: LP warm-start columns
    (``LPSolution.columns`` of a neighbouring state). Returns a :class:`SepLowerBound` whose
    value is exact (Fraction) for exact states and was checked exactly.

    Raises :class:`InstrumentError` for an unknown method, a bad budget, or ``"plane"`` off the
    plane (or for a state that is not W-class); :class:`analytics.errors.InvalidStateError` for
    a bad state (:class:`analytics.general_states.AmplitudeError` for bad amplitudes).
    """
    t0 = time.perf_counter()
    method = check_method(method)
    budget = check_budget(budget)
    if _is_amplitude_input(state):
        amp, w = route(state)
        if w is None:
            if seeds is not None:
                raise InstrumentError("LP seeds (columns of a W-class solution) apply to W-class "
                                      "states only")
            return general_sep_lower_bound(amp, method, budget, t0)
        state = w
    st = as_state(state)
    if method == "plane" or ((st.x0 == 0 or is_product_state(st)) and method != "lp"):
        lb = plane_lower_bound(st)
        return SepLowerBound(lb.value, lb.kind, lb.instrument, lb.p_pairs, lb.check, lb.reason,
                             method, time.perf_counter() - t0, lb.state)
    st = st.exact()
    if is_product_state(st):  # "lp" on a product state: SEP = 0, nothing to search
        lb = plane_lower_bound(st)
        return SepLowerBound(lb.value, lb.kind, lb.instrument, lb.p_pairs, lb.check, lb.reason,
                             method, time.perf_counter() - t0, lb.state)
    if method == "tree":
        return _tree_bound(st, t0, method)
    if method == "lp":
        return _lp_bound(st, budget, seeds, t0, method)
    # auto
    best = _tree_bound(st, t0, method)
    if budget > 0:
        try:
            lp = _lp_bound(st, budget, seeds, t0, method, best.instrument)
        except (SeparableLPError, LPCertificateError):  # the tree stands
            lp = None
        if lp is not None and lp.value > best.value:
            best = lp
    return SepLowerBound(best.value, best.kind, best.instrument, best.p_pairs, best.check,
                         best.reason, method, time.perf_counter() - t0, st)


def locc_lower_bound(state, rounds: int = DEFAULT_ROUNDS) -> LOCCResult:
    """The best implemented LOCC protocol: Theorem 2 for :math:`x_0 = 0`; otherwise the
    measurement tree of :func:`analytics.offplane.locc_lower_tree` (local measurements onto the
    plane, then the Theorem 2 protocol), never below projective+Vidal (it takes the better one)."""
    st = as_state(state)
    if st.x0 == 0:
        return theorem2_protocol(st, rounds)
    t = locc_lower_tree(st, rounds=rounds)  # checks rounds
    if t.locc_lower_protocol == "projective+vidal":
        return projective_vidal_protocol(st)
    pp = t.locc_lower_pairs
    return LOCCResult(t.locc_lower_protocol, st, float(t.locc_lower), kappa(st), rounds,
                      float(pp["AB"]), float(pp["AC"]), float(pp["BC"]), measurements=t.depth,
                      notes=(t.description, "lower bound only: kappa is an upper bound for x0 > 0"))


__all__ = ["METHODS", "SepLowerBound", "sep_lower_bound", "general_sep_lower_bound",
           "locc_lower_bound", "check_method", "check_budget"]
