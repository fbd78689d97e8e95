"""What a certificate proves, in words and numbers: the one place that states a claim.

Every certificate kind proves one inequality; this module writes it, both exactly (fractions,
for re-checking) and as a decimal rounded *outward* (so the printed number is still a bound):

* ``ppt_upper_bound`` with pairs ``K``, weights ``w`` and objective ``exact``:
  ``sum_{k in K} w_k p_k <= b`` for every PPT (hence every separable) instrument, where ``p_k``
  is the probability that the instrument leaves pair ``k`` in exactly ``|Psi+>``. Only for
  ``K = {AB, AC, BC}`` and unit weights is this the statement ``SEP <= b`` about the optimal
  random-pair probability ``SEP = max_SEP (p_AB + p_AC + p_BC)``. With the ``fidelity``
  objective the terms are ``F_k`` (probability of branch ``k`` times the fidelity of its output
  with ``|Psi+>``), a different quantity, never printed as ``SEP``.
* ``sep_lower_bound``: ``SEP >= b`` (an explicit separable instrument reaches ``b``); the note
  names the pairs on which the instrument succeeds.
* ``sep_locc_gap``: ``SEP - LOCC_sup >= g`` with ``g = sep_lower - kappa``.

The certificate's ``claim`` field is :meth:`Claim.exact` and the verifier recomputes it;
printed lines use :meth:`Claim.text` (decimal rounded outward) plus the exact value.
"""
from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

PAIRS = ("AB", "AC", "BC")
OBJECTIVES = ("exact", "fidelity")
DIGITS = 8


def _frac(q) -> str:
    q = Fraction(q)
    return str(q.numerator) if q.denominator == 1 else f"{q.numerator}/{q.denominator}"


def _decimal(q, digits: int, up: bool) -> str:
    """``q`` with ``digits`` digits after the point, rounded toward +inf (``up``) or -inf."""
    q = Fraction(q)
    if isinstance(digits, bool) or not isinstance(digits, int) or digits < 0:
        raise ValueError(f"digits must be an integer >= 0, got {digits!r}")
    scaled = q * 10 ** digits
    n = -((-scaled.numerator) // scaled.denominator) if up else scaled.numerator // scaled.denominator
    sign = "-" if n < 0 else ""
    n = abs(n)
    if digits == 0:
        return f"{sign}{n}"
    whole, frac = divmod(n, 10 ** digits)
    return f"{sign}{whole}.{frac:0{digits}d}"


def decimal_up(q, digits: int = DIGITS) -> str:
    """The exact rational ``q`` as a decimal rounded toward +inf: ``decimal_up(Fraction(2, 3))
    == "0.66666667"``; the printed number is >= q, so it is still an upper bound."""
    return _decimal(q, digits, True)


def decimal_down(q, digits: int = DIGITS) -> str:
    """The exact rational ``q`` as a decimal rounded toward -inf: ``decimal_down(Fraction(1, 15))
    == "0.06666666"``; the printed number is <= q, so it is still a lower bound."""
    return _decimal(q, digits, False)


def decimal_out(q, relation: str, digits: int = DIGITS) -> str:
    """``q`` rounded outward for ``lhs relation q``: up for ``<=``, down for ``>=``."""
    if relation == "<=":
        return decimal_up(q, digits)
    if relation == ">=":
        return decimal_down(q, digits)
    raise ValueError(f"relation must be '<=' or '>=', got {relation!r}")


def approx(q, relation: str, digits: int = 12) -> str:
    """A printable decimal of ``q`` that stays true: ``"= 0.875"`` when ``digits`` decimals are
    exact, else ``"<= 0.466666666667"`` (rounded up, ``relation = "<="``) or ``">= ..."``
    (rounded down). Print it after the exact value: ``7/15 (<= 0.466666666667)``."""
    q = Fraction(q)
    d = decimal_out(q, relation, digits)
    if Fraction(d) == q:
        d = d.rstrip("0").rstrip(".") if "." in d else d
        return f"= {d}"
    return f"{relation} {d}"


#: Longest exact fraction printed whole; longer ones are summarised (:func:`exact_text`).
EXACT_TEXT_LIMIT = 40


def exact_text(q, limit: int = EXACT_TEXT_LIMIT) -> str:
    """``q`` as ``"p/q"`` when that is at most ``limit`` characters, else a summary such as
    ``"a 375-character fraction ~ 0.619430190"`` (a measurement tree's exact value can have
    hundreds of digits; the file holds it whole). Never a line of a thousand characters."""
    text = _frac(q)
    if len(text) <= limit:
        return text
    return f"a {len(text)}-character fraction ~ {float(Fraction(q)):.9f}"


@dataclass(frozen=True)
class Claim:
    """One proved inequality ``lhs relation value`` (``value`` exact), plus a ``note``.

    ``kind`` is ``"upper"`` (ppt_upper_bound), ``"lower"`` (sep_lower_bound) or ``"gap"``;
    ``terms`` are the ``(pair, weight)`` of an upper claim, ``objective`` its objective,
    ``pairs`` of a lower/gap claim the pairs on which its instrument succeeds. A test (or a
    reader) can evaluate the claim against a known optimum from these fields alone.
    """

    kind: str
    lhs: str
    relation: str
    value: Fraction
    note: str = ""
    terms: tuple = ()
    objective: str = "exact"
    pairs: tuple = ()

    @property
    def is_sep(self) -> bool:
        """True if the left-hand side is the optimal SEP probability itself (``SEP <= b``)."""
        return self.lhs == "SEP"

    def _tail(self) -> str:
        return f" ({self.note})" if self.note else ""

    def text(self, digits: int = DIGITS) -> str:
        """The claim with its value rounded outward, e.g. ``SEP <= 0.80000003``."""
        return f"{self.lhs} {self.relation} {decimal_out(self.value, self.relation, digits)}{self._tail()}"

    def exact(self) -> str:
        """The claim with its exact value, e.g. ``p_AB <= 2/3``: the certificate's ``claim``."""
        return f"{self.lhs} {self.relation} {_frac(self.value)}{self._tail()}"

    def __str__(self) -> str:
        return self.text()


def _term(pair: str, w: Fraction, symbol: str) -> str:
    name = f"{symbol}_{pair}"
    if w == 1:
        return name
    if w.numerator == 1:
        return f"{name}/{w.denominator}"
    if w.denominator == 1:
        return f"{w.numerator} {name}"
    return f"({w.numerator}/{w.denominator}) {name}"


def ppt_lhs(pairs, weights, objective: str) -> tuple[str, tuple]:
    """The left-hand side of a PPT claim and its ``(pair, weight)`` terms (zero weights drop
    out: they add nothing to the proved inequality)."""
    pairs = tuple(pairs)
    weights = tuple(Fraction(w) for w in weights)
    if objective not in OBJECTIVES:
        raise ValueError(f"objective must be one of {OBJECTIVES}, got {objective!r}")
    if len(pairs) != len(weights) or any(p not in PAIRS for p in pairs) or len(set(pairs)) != len(pairs):
        raise ValueError(f"pairs {pairs!r} and weights {weights!r} do not match")
    if any(w < 0 for w in weights):
        raise ValueError("weights must be non-negative")
    terms = tuple((p, w) for p, w in sorted(zip(pairs, weights), key=lambda t: PAIRS.index(t[0]))
                  if w != 0)
    if not terms:
        raise ValueError("every weight is 0: the certificate would prove nothing")
    if objective == "exact" and [p for p, _ in terms] == list(PAIRS) and all(w == 1 for _, w in terms):
        return "SEP", terms
    symbol = "p" if objective == "exact" else "F"
    return " + ".join(_term(p, w, symbol) for p, w in terms), terms


def ppt_claim(pairs, weights, bound_q, objective: str = "exact") -> Claim:
    """What a verified ``ppt_upper_bound`` certificate proves: ``sum_k w_k p_k <= bound``
    (``SEP <= bound`` only for all three pairs, unit weights, exact objective)."""
    lhs, terms = ppt_lhs(pairs, weights, objective)
    return Claim("upper", lhs, "<=", Fraction(bound_q), terms=terms, objective=objective)


def _pairs_note(pairs) -> tuple[tuple, str]:
    pairs = tuple(p for p in PAIRS if p in set(pairs))
    return pairs, ", ".join(pairs) if pairs else "no pair"


def lower_claim(pairs_targeted, bound_q) -> Claim:
    """What a verified ``sep_lower_bound`` certificate proves: ``SEP >= bound`` (an explicit
    separable instrument reaches it); the note names the pairs on which it succeeds."""
    pairs, names = _pairs_note(pairs_targeted)
    return Claim("lower", "SEP", ">=", Fraction(bound_q), f"instrument succeeds on {names}",
                 pairs=pairs)


def gap_claim(pairs_targeted, gap_q) -> Claim:
    """What a verified ``sep_locc_gap`` certificate proves: ``SEP - LOCC_sup >= gap``."""
    pairs, names = _pairs_note(pairs_targeted)
    return Claim("gap", "SEP - LOCC_sup", ">=", Fraction(gap_q),
                 f"explicit SEP instrument succeeding on {names}; LOCC_sup <= kappa", pairs=pairs)


__all__ = ["Claim", "decimal_up", "decimal_down", "decimal_out", "approx", "ppt_lhs", "ppt_claim",
           "lower_claim", "gap_claim", "DIGITS", "exact_text", "EXACT_TEXT_LIMIT"]
