"""Size guards: the one place that decides how large an exact number or a grid may be.

Exact arithmetic makes absurd inputs expensive rather than wrong: ``1e-999999999`` parses to a
Fraction whose denominator has a billion digits, and a sweep of ``steps = 100000`` lists
5e9 states before computing any. Both are refused up front, in one line, by these checks.
"""
from __future__ import annotations

import re
from fractions import Fraction

from .errors import InvalidStateError

#: Longest number accepted as text (characters).
MAX_NUMBER_CHARS = 4100
#: Largest decimal exponent accepted (``1e-300`` is fine, ``1e-999999999`` is refused).
MAX_EXPONENT = 400
#: Largest number of decimal digits of the numerator or denominator of an exact number.
MAX_EXACT_DIGITS = 2000
#: Largest number of points of one sweep (about 1 KB of memory each before computing).
MAX_SWEEP_POINTS = 2_000_000

_EXP = re.compile(r"[eE]\s*([+-]?\d+)")


class SizeError(InvalidStateError):
    """An input is absurdly large for exact arithmetic or for memory (the message names it)."""


def _show(text: str, limit: int = 40) -> str:
    """The start of ``text`` for an error message (never echo a 100,000-digit number whole)."""
    return repr(text) if len(text) <= limit else f"{text[:limit]!r}... ({len(text)} characters)"


def check_number_text(text: str, what: str = "number") -> None:
    """Refuse a number written with more than :data:`MAX_NUMBER_CHARS` characters or a decimal
    exponent beyond :data:`MAX_EXPONENT` before it is parsed."""
    s = str(text)
    if len(s) > MAX_NUMBER_CHARS:
        raise SizeError(f"{what}: {_show(s)} is too long (at most {MAX_NUMBER_CHARS} characters)")
    m = _EXP.search(s)
    if m is not None:
        digits = m.group(1).lstrip("+-").lstrip("0")
        if len(digits) > len(str(MAX_EXPONENT)) or (digits and int(digits) > MAX_EXPONENT):
            raise SizeError(f"{what}: exponent of {_show(s)} is beyond +-{MAX_EXPONENT}")


def check_exact_size(q: Fraction, what: str = "number") -> Fraction:
    """Refuse an exact rational whose numerator or denominator has more than
    :data:`MAX_EXACT_DIGITS` decimal digits (bit length is a cheap proxy)."""
    limit_bits = int(MAX_EXACT_DIGITS * 3.33) + 4
    if q.numerator.bit_length() > limit_bits or q.denominator.bit_length() > limit_bits:
        raise SizeError(f"{what}: exact value has more than about {MAX_EXACT_DIGITS} digits")
    return q


def check_sweep_size(n: int, what: str = "sweep") -> int:
    """Refuse a sweep of more than :data:`MAX_SWEEP_POINTS` points (before listing them)."""
    if n > MAX_SWEEP_POINTS:
        # str() of an int beyond 4300 digits raises in Python >= 3.11: never format it whole
        shown = f"{n:,}" if n.bit_length() <= 1000 else "more than 10^300"
        raise SizeError(f"{what} has {shown} points; at most {MAX_SWEEP_POINTS:,} are allowed "
                        "(split it into several sweeps)")
    return n


__all__ = ["MAX_NUMBER_CHARS", "MAX_EXPONENT", "MAX_EXACT_DIGITS", "MAX_SWEEP_POINTS",
           "SizeError", "check_number_text", "check_exact_size", "check_sweep_size"]
