"""How results show in a terminal and a notebook: the one place that decides it.

Every public result class (:class:`~analytics.instruments.SepLowerBound`,
:class:`~sdp.ppt.PPTBound`, :class:`~sdp.certificate.VerificationResult`, ...) derives from
:class:`ShortRepr` and lists its headline fields in ``_summary()``: the value, its kind, the
state, a few more. ``repr(result)`` is then one line of at most :data:`MAX_REPR` characters
(never dual matrices, Kraus operators or certificates) and ``result._repr_html_()`` a two-column
HTML table of the same fields, which Jupyter shows for a result left at the end of a cell.

Numbers are written by :func:`show_number`: an exact fraction as itself when short, otherwise
as a decimal rounded *outward* (down for a lower bound, up for an upper bound,
:func:`analytics.claims.decimal_out`) with ``~`` only for a float that is an estimate.

A result class defined with ``@dataclass`` must pass ``repr=False``, or the dataclass's own
``__repr__`` (every field, e.g. a 39,000-character certificate) replaces this one.
"""
from __future__ import annotations

import html
from fractions import Fraction

from .claims import decimal_out

#: Longest ``repr`` of a result (characters); a field that would exceed it is cut with "...".
MAX_REPR = 400
#: Longest text of one field in a ``repr``.
MAX_FIELD = 80
#: An exact fraction longer than this is shown as a decimal rounded outward.
MAX_FRACTION_CHARS = 24
#: Decimals shown for a rounded value (as printed by the CLI and the certificates).
DIGITS = 8


def show_number(q, relation: str | None = None, digits: int = DIGITS) -> str:
    """A short, still-true text for a number.

    * ``None`` -> ``"None"``; bool/str as they are.
    * ``Fraction``: the fraction itself when at most :data:`MAX_FRACTION_CHARS` characters
      (``"7/8"``), else ``digits`` decimals rounded outward for ``relation`` (``">="``: down,
      a lower bound stays a lower bound; ``"<="``: up) and marked with the relation,
      e.g. ``">=0.87133900"``; without a relation ``"~0.87133901"`` (nearest, an approximation).
    * float: 10 significant digits, ``"0.8888525378"`` (an estimate, e.g. a solver's value); with
      a relation (a float that is a bound, e.g. a simulated protocol's probability) 10 decimals
      of its exact binary value rounded outward, ``">=0.8747075968"``.
    """
    if q is None or isinstance(q, (bool, str)):
        return str(q)
    if isinstance(q, int):
        return str(q)
    if isinstance(q, Fraction):
        text = str(q)
        if len(text) <= MAX_FRACTION_CHARS:
            return text
        if relation in ("<=", ">="):
            return f"{relation}{decimal_out(q, relation, digits)}"
        return f"~{float(q):.{digits}f}"
    if isinstance(q, float) and relation in ("<=", ">=") and q == q and abs(q) != float("inf"):
        return f"{relation}{decimal_out(Fraction(q), relation, 10)}"
    try:
        return f"{float(q):.10g}"
    except (TypeError, ValueError):
        return str(q)


def show_interval(low, high, digits: int = DIGITS) -> str:
    """``[low, high]`` as a bracket that still contains the exact one: each end a short exact
    fraction as itself, otherwise ``digits`` decimals rounded outward (``low`` down, ``high``
    up); a missing end is ``n/a``. Floats are taken at their exact binary value."""
    def end(q, relation):
        if q is None:
            return "n/a"
        q = Fraction(q)
        text = str(q)
        return text if len(text) <= MAX_FRACTION_CHARS else decimal_out(q, relation, digits)
    return f"[{end(low, '>=')}, {end(high, '<=')}]"


def _cut(text: str, limit: int) -> str:
    text = " ".join(str(text).split())  # one line
    return text if len(text) <= limit else text[: limit - 3] + "..."


class ShortRepr:
    """Mixin: a one-line ``__repr__`` and an HTML table from ``self._summary()``.

    ``_summary()`` returns ``[(name, value), ...]``; values go through :func:`show_number`
    unless they are already strings. Subclasses never print matrices or certificates there.
    """

    __slots__ = ()

    def _summary(self) -> list:  # pragma: no cover - every subclass defines it
        raise NotImplementedError

    def _summary_texts(self) -> list:
        out = []
        for name, value in self._summary():
            out.append((name, value if isinstance(value, str) else show_number(value)))
        return out

    #: names of the ``_summary`` fields shown by ``repr`` (None: all); the table shows all
    _repr_fields: tuple | None = None

    def __repr__(self) -> str:
        name = type(self).__name__
        fields = self._summary_texts()
        if self._repr_fields is not None:
            fields = [(k, v) for k, v in fields if k in self._repr_fields]
        body = ", ".join(f"{k}{_cut(v, MAX_FIELD)}" if v.startswith(("<=", ">="))
                         else f"{k}={_cut(v, MAX_FIELD)}" for k, v in fields)
        return _cut(f"{name}({body})", MAX_REPR)

    def _repr_html_(self) -> str:
        rows = "".join(
            f"<tr><th style=\"text-align:left\">{html.escape(k)}</th>"
            f"<td style=\"text-align:left\">{html.escape(_cut(v, 200))}</td></tr>"
            for k, v in self._summary_texts())
        return (f"<table><caption style=\"text-align:left\"><b>{html.escape(type(self).__name__)}"
                f"</b></caption><tbody>{rows}</tbody></table>")


__all__ = ["ShortRepr", "show_number", "show_interval", "MAX_REPR", "MAX_FRACTION_CHARS"]
