"""The lower-bound result type and the plane method (:math:`x_0 = 0`, or product states).

:class:`SepLowerBound` is what every SEP lower-bound method returns (:mod:`analytics.lower`
chooses among them). :func:`plane_lower_bound` is the method ``"plane"``: Eq. (7) and the
large-component instrument of :mod:`analytics.instruments`, checked by
:func:`analytics.checks.check_instrument`; on the plane it reaches the SEP optimum
:math:`\\min(1, 2(1 - x_{\\max}))` (PRL 108, 240504, Eq. 7; formulation.md, section 3).
"""
from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

from .checks import check_instrument
from .display import ShortRepr, show_number
from .errors import InstrumentError
from .instruments import (Instrument, eq7_instrument, large_component_instrument,
                          trivial_instrument)
from .kraus import KrausOperators, NoInstrumentError
from .states import WClassState, as_state

#: The lower-bound methods (``auto`` chooses among the others).
METHODS = ("auto", "plane", "tree", "lp")


@dataclass(frozen=True, repr=False)
class SepLowerBound(ShortRepr):
    """An explicit, checked lower bound on the SEP success probability of a state.

    ``value``: total success probability :math:`p_{AB}+p_{AC}+p_{BC}` of the instrument, exact
    (Fraction) for exact states. ``kind``: ``"eq7"``, ``"large_component"``, ``"trivial"``,
    ``"tree"`` or ``"lp"`` (the ``sep_lower_kind`` of rows). ``instrument``: the
    :class:`~analytics.instruments.Instrument`, :class:`~analytics.offplane.SepLowerTree` or
    :class:`~analytics.lp_certificates.LPLowerBound`; ``check`` its exact check; ``method``: the
    method asked for (``auto`` may return another kind); ``time``: seconds spent; ``reason``:
    one line saying how the value was obtained; ``state``: the state it is for.
    """

    value: Fraction | float | None
    kind: str
    instrument: object
    p_pairs: dict | None
    check: object = None
    reason: str = ""
    method: str = ""
    time: float = 0.0
    state: WClassState | None = None

    def _summary(self) -> list:
        pp = "None" if self.p_pairs is None else ", ".join(
            f"{k}: {show_number(v, '>=')}" for k, v in self.p_pairs.items())
        return [("value", show_number(self.value, ">=")), ("kind", self.kind),
                ("state", str(self.state)), ("p_pairs", pp),
                ("checked", str(bool(self.check is not None and getattr(self.check, "ok", True))))]

    def kraus_operators(self) -> KrausOperators:
        """The checked instrument as product Kraus operators with outcome labels
        (:class:`analytics.kraus.KrausOperators`: ``operators`` (n, 8, 8), ``factors``
        (n, 3, 2, 2), ``labels``); a measurement tree flattened, an LP instrument in the
        original frame. Raises :class:`analytics.kraus.NoInstrumentError` when there is no
        instrument (kind ``"none"``)."""
        if self.instrument is None:
            raise NoInstrumentError(f"no explicit instrument to export: {self.reason}")
        if isinstance(self.instrument, Instrument):
            return self.instrument.kraus_operators(self.state, self.value)
        export = getattr(self.instrument, "kraus_operators", None)
        if export is None:  # e.g. the measure + Vidal protocol of a general state
            raise NoInstrumentError(f"the {self.kind} lower bound has no Kraus-operator export")
        return export()


def is_product_state(st: WClassState) -> bool:
    """At most one of xA, xB, xC non-zero: :math:`(\\sqrt{x_0}|0\\rangle+\\sqrt{x_i}|1\\rangle)_i|00\\rangle`."""
    return sum(1 for v in st.x if v != 0) <= 1


def plane_lower_bound(state) -> SepLowerBound:
    """Best plane instrument for ``state``, checked, with its success probability.

    * product states (any :math:`x_0`): kind ``"trivial"``, value 0 (the identity). This is the
      SEP optimum: separable operations keep product states separable.
    * :math:`x_0 = 0`: Eq. (7) if :math:`0 < x_k \\le 1/2` for all k (value 1); the
      large-component instrument if :math:`x_{n_1} \\ge 1/2` (value :math:`2(1-x_{n_1})`); at
      :math:`x_{n_1} = 1/2` both give 1 and Eq. (7) is returned.

    Raises :class:`InstrumentError` for :math:`x_0 > 0` (not a plane state) or if a candidate
    fails its check.
    """
    st = as_state(state)
    if is_product_state(st):
        candidates = [trivial_instrument(st.is_exact)]
    elif st.x0 != 0:
        raise InstrumentError(f"the plane instruments need x0 = 0 (or a product state), got x0 = {st.x0}")
    else:
        candidates = []
        for build in (eq7_instrument, large_component_instrument):
            try:
                candidates.append(build(st))
            except InstrumentError:
                continue  # outside this instrument's domain
        if not candidates:  # x0 = 0 is always covered by one of the two domains
            raise InstrumentError(f"no instrument applies to {st}, which should not happen")
    best = None
    for inst in candidates:
        chk = check_instrument(inst, st)
        if not chk.ok:
            raise InstrumentError(f"{inst.kind} instrument failed its check on {st}: "
                                  + "; ".join(chk.reasons))
        if best is None or chk.total > best[1].total:
            best = (inst, chk)
    inst, chk = best
    how = "exact" if chk.exact else "float"
    return SepLowerBound(chk.total, inst.kind, inst, dict(chk.p_pairs), chk,
                         f"{inst.description} (checked, {how})", "plane", 0.0, st)


__all__ = ["METHODS", "SepLowerBound", "is_product_state", "plane_lower_bound"]
