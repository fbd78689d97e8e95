"""Exact complex numbers with rational parts (Gaussian rationals) and their one text syntax.

Syntax (:func:`parse_complex`, used by ``sepgap bound --amplitudes``, state files and
certificates alike): a real part, an imaginary part written with a trailing ``j``, or both
joined by ``+``/``-``; each part is an exact number as :func:`analytics.states.parse_number`
reads it (``1/2``, ``0.25``, ``2.5e-1``). Examples: ``1/2``, ``-3/5j``, ``1/2+1/2j``,
``0.6-0.8j``, ``j``, ``-j``. ``1/2j`` means ``(1/2) j`` (the ``j`` belongs to the whole number
before it, as in ``0.5j``). Spaces are not allowed inside one number. Floats given to the API
are read exactly (a float is a binary rational).
"""
from __future__ import annotations

import math
import numbers
import re
from dataclasses import dataclass
from fractions import Fraction

from .errors import InvalidStateError
from .limits import check_exact_size, check_number_text

_NUM = r"(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?(?:/\d+)?"
_COMPLEX = re.compile(rf"^(?P<re>[+-]?{_NUM})?(?:(?P<isign>[+-])?(?P<im>{_NUM})?j)?$")


@dataclass(frozen=True)
class GaussianRational:
    """``re + i im`` with exact rational parts (``fractions.Fraction``)."""

    re: Fraction
    im: Fraction = Fraction(0)

    def __post_init__(self):
        object.__setattr__(self, "re", Fraction(self.re))
        object.__setattr__(self, "im", Fraction(self.im))

    def __add__(self, o):
        o = gaussian(o)
        return GaussianRational(self.re + o.re, self.im + o.im)

    __radd__ = __add__

    def __sub__(self, o):
        o = gaussian(o)
        return GaussianRational(self.re - o.re, self.im - o.im)

    def __rsub__(self, o):
        return gaussian(o) - self

    def __neg__(self):
        return GaussianRational(-self.re, -self.im)

    def __mul__(self, o):
        o = gaussian(o)
        return GaussianRational(self.re * o.re - self.im * o.im, self.re * o.im + self.im * o.re)

    __rmul__ = __mul__

    def __truediv__(self, o):
        o = gaussian(o)
        d = o.abs2()
        if d == 0:
            raise ZeroDivisionError("division by the Gaussian rational 0")
        n = self * o.conj()
        return GaussianRational(n.re / d, n.im / d)

    def conj(self) -> "GaussianRational":
        return GaussianRational(self.re, -self.im)

    def abs2(self) -> Fraction:
        """``|z|^2``, exact."""
        return self.re * self.re + self.im * self.im

    def __bool__(self) -> bool:
        return bool(self.re) or bool(self.im)

    def __eq__(self, o) -> bool:
        try:
            o = gaussian(o)
        except InvalidStateError:
            return NotImplemented
        return self.re == o.re and self.im == o.im

    def __hash__(self) -> int:
        return hash((self.re, self.im))

    def __complex__(self) -> complex:
        return complex(float(self.re), float(self.im))

    @property
    def is_real(self) -> bool:
        return self.im == 0

    def __str__(self) -> str:
        return complex_str(self)

    def __repr__(self) -> str:
        return f"GaussianRational({complex_str(self)!r})"


ZERO = GaussianRational(Fraction(0))
ONE = GaussianRational(Fraction(1))


def _frac(q: Fraction) -> str:
    return str(q.numerator) if q.denominator == 1 else f"{q.numerator}/{q.denominator}"


def complex_str(z) -> str:
    """The exact text of ``z`` in the syntax of :func:`parse_complex` (``1/2+1/3j``, ``-2j``, ``0``)."""
    z = gaussian(z)
    if z.im == 0:
        return _frac(z.re)
    im = _frac(abs(z.im)) + "j"
    if z.re == 0:
        return ("-" if z.im < 0 else "") + im
    return _frac(z.re) + ("-" if z.im < 0 else "+") + im


def _exact_part(text: str, whole: str) -> Fraction:
    try:
        return check_exact_size(Fraction(text), "amplitude")
    except (ValueError, ZeroDivisionError):
        raise InvalidStateError(f"not a complex number: {whole!r} (use e.g. 1/2, -0.6j or "
                                "1/2+1/2j)") from None


def parse_complex(text) -> GaussianRational:
    """Read ``text`` exactly in the syntax of the module docstring; :class:`InvalidStateError`
    (one line naming the text) otherwise, including ``nan``, ``inf`` and a zero denominator."""
    s = str(text).strip()
    check_number_text(s, "amplitude")
    shown = s if len(s) <= 60 else s[:60] + "..."
    m = _COMPLEX.match(s)
    if not s or m is None or (m.group("re") is None and "j" not in s):
        raise InvalidStateError(f"not a complex number: {shown!r} (use e.g. 1/2, -0.6j or "
                                "1/2+1/2j)")
    re_txt, isign, im_txt = m.group("re"), m.group("isign"), m.group("im")
    if "j" in s:
        if re_txt is not None and isign is None and im_txt is None:
            # '3j' was matched as re='3'? no: the regex puts digits before j in 're' only when
            # no sign separates them; treat 're' + 'j' as a pure imaginary number
            im = _exact_part(re_txt, shown)
            return GaussianRational(Fraction(0), im)
        if re_txt is not None and isign is None:
            raise InvalidStateError(f"not a complex number: {shown!r} (write 1/2+1/2j)")
        im = _exact_part(im_txt, shown) if im_txt is not None else Fraction(1)
        if isign == "-":
            im = -im
        return GaussianRational(_exact_part(re_txt, shown) if re_txt else Fraction(0), im)
    return GaussianRational(_exact_part(re_txt, shown))


def gaussian(value) -> GaussianRational:
    """Any exact or float number (int, Fraction, float, complex, numpy scalar, string in the
    module's syntax, GaussianRational) as a GaussianRational, exactly. NaN/inf and other types
    raise :class:`InvalidStateError`."""
    if isinstance(value, GaussianRational):
        return value
    if isinstance(value, str):
        return parse_complex(value)
    if isinstance(value, bool):
        raise InvalidStateError(f"{value!r} is not an amplitude")
    if isinstance(value, numbers.Rational):
        return GaussianRational(Fraction(int(value.numerator), int(value.denominator)))
    if isinstance(value, numbers.Real):
        v = float(value)
        if not math.isfinite(v):
            raise InvalidStateError(f"amplitude {v} is not finite" if not math.isnan(v)
                                    else "amplitude is NaN")
        return GaussianRational(Fraction(v))
    if isinstance(value, numbers.Complex):
        c = complex(value)
        if math.isnan(c.real) or math.isnan(c.imag):
            raise InvalidStateError("amplitude is NaN")
        if not (math.isfinite(c.real) and math.isfinite(c.imag)):
            raise InvalidStateError(f"amplitude {c} is not finite")
        return GaussianRational(Fraction(c.real), Fraction(c.imag))
    raise InvalidStateError(f"{value!r} is not an amplitude (a number or a string like 1/2+1/2j)")


__all__ = ["GaussianRational", "ZERO", "ONE", "complex_str", "parse_complex", "gaussian"]
