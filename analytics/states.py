"""Three-qubit W-class states.

A W-class state is, up to local unitaries (Kintas and Turgut, J. Math. Phys. 51, 092202 (2010)),

.. math::

    |\\varphi(\\vec x)\\rangle = \\sqrt{x_0}|000\\rangle + \\sqrt{x_A}|100\\rangle
        + \\sqrt{x_B}|010\\rangle + \\sqrt{x_C}|001\\rangle,
    \\qquad x_0 = 1 - x_A - x_B - x_C \\ge 0,

with qubit order A, B, C (``|100>`` means A = 1). The vector ``x = (xA, xB, xC)`` determines
the state. Components may be ``fractions.Fraction`` (everything downstream stays exact),
``int`` or ``float``.

Float inputs: a float is an exact binary rational. Float sums such as ``0.1 + 0.2 + 0.7``
miss 1 by a few ulps; a sum within :data:`FLOAT_SUM_TOL` of 1 is taken to mean ``x0 = 0``: the
components are divided by their exact sum and the state records ``normalised=True``. A sum
above ``1 + FLOAT_SUM_TOL`` is an error. :meth:`WClassState.exact` gives the exact rational
state (for ``x0 = 0`` the binary values re-normalised exactly). Exact inputs (int, Fraction,
or strings parsed with :func:`parse_number`) are never normalised.
"""
from __future__ import annotations

import math
import numbers
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Iterable, Sequence

import numpy as np

from .errors import InvalidStateError
from .limits import check_exact_size, check_number_text

#: Largest excess of a float state's component sum over 1 that is treated as rounding.
FLOAT_SUM_TOL = 1e-12

PARTIES = ("A", "B", "C")
PAIRS = ("AB", "AC", "BC")


def parse_number(text: str) -> Fraction:
    """Parse ``'1/2'``, ``'0.4'``, ``'3e-2'`` exactly into a Fraction.

    Raises :class:`InvalidStateError` for anything else (including 'nan' and 'inf').
    """
    s = str(text).strip()
    check_number_text(s)
    try:
        value = Fraction(s)
    except (ValueError, ZeroDivisionError):
        raise InvalidStateError(f"not a number: {text!r} (use e.g. 0.25, 1/4 or 2.5e-1)") from None
    return check_exact_size(value)


def nonnegative_real(name: str, value, error: type = InvalidStateError) -> Fraction | float:
    """A finite real >= 0: rationals become Fractions (exact), other reals floats; anything
    else raises ``error`` naming ``name`` and the value."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise error(f"{name} = {value!r} is not a real number")
    if isinstance(value, numbers.Rational):
        v = Fraction(int(value.numerator), int(value.denominator))
    else:
        v = float(value)
        if not math.isfinite(v):
            raise error(f"{name} = {v} is not finite")
    if v < 0:
        raise error(f"{name} = {v} is negative (must be >= 0)")
    return v


def _check_component(name: str, value) -> Fraction | float:
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        if isinstance(value, numbers.Complex):
            raise InvalidStateError(f"{name} = {value!r} is not real")
        raise InvalidStateError(f"{name} = {value!r} is not a number")
    if isinstance(value, numbers.Rational):
        # int(): Fraction(numpy.int64) keeps numpy ints inside and overflows in later arithmetic
        return Fraction(int(value.numerator), int(value.denominator))
    v = float(value)
    if math.isnan(v):
        raise InvalidStateError(f"{name} is NaN")
    if math.isinf(v):
        raise InvalidStateError(f"{name} = {v} is not finite")
    return v


@dataclass(frozen=True)
class WClassState:
    """A W-class state given by ``x = (xA, xB, xC)``; ``x0 = 1 - xA - xB - xC``.

    Build with ``WClassState(xA, xB, xC)`` or ``WClassState.from_components(x0, xA, xB, xC)``
    (the four must then sum to 1) or :meth:`from_vector` (8 amplitudes).

    Attributes
    ----------
    xA, xB, xC, x0:
        Components; Fractions if every input was exact (int/Fraction), floats otherwise.
    normalised:
        True when float inputs were divided by their sum because it exceeded 1 by rounding.
    """

    xA: Fraction | float
    xB: Fraction | float
    xC: Fraction | float
    x0: Fraction | float = field(default=None)  # type: ignore[assignment]
    normalised: bool = field(default=False, compare=False)

    def __post_init__(self):
        comps = [_check_component(n, getattr(self, n)) for n in ("xA", "xB", "xC")]
        given_x0 = None if self.x0 is None else _check_component("x0", self.x0)
        for n, v in zip(("xA", "xB", "xC"), comps):
            if v < 0:
                raise InvalidStateError(f"{n} = {v} is negative")
        if given_x0 is not None and given_x0 < 0:
            raise InvalidStateError(f"x0 = {given_x0} is negative")
        exact = all(isinstance(v, Fraction) for v in comps) and (
            given_x0 is None or isinstance(given_x0, Fraction))
        normalised = False
        if exact:
            total = sum(comps, Fraction(0))
            if given_x0 is not None:
                if total + given_x0 != 1:
                    raise InvalidStateError(
                        f"x0 + xA + xB + xC = {total + given_x0} must equal 1")
                x0 = given_x0
            else:
                if total > 1:
                    raise InvalidStateError(f"xA + xB + xC = {total} exceeds 1")
                x0 = 1 - total
        else:
            fr = [Fraction(v) for v in comps]
            total = sum(fr, Fraction(0))
            if given_x0 is not None:
                total4 = total + Fraction(given_x0)
                if abs(total4 - 1) > FLOAT_SUM_TOL:
                    raise InvalidStateError(
                        f"x0 + xA + xB + xC = {float(total4)!r} must equal 1")
                normalised = total4 != 1
                comps = [float(f / total4) for f in fr]
                x0 = float(Fraction(given_x0) / total4)
            elif total > 1 + FLOAT_SUM_TOL:
                raise InvalidStateError(f"xA + xB + xC = {float(total)!r} exceeds 1")
            elif abs(total - 1) <= FLOAT_SUM_TOL:
                # float rounding around 1: the user meant x0 = 0
                normalised = total != 1
                comps = [float(f / total) for f in fr]
                x0 = 0.0
            else:
                comps = [float(v) for v in comps]
                x0 = float(1 - total)
        object.__setattr__(self, "xA", comps[0])
        object.__setattr__(self, "xB", comps[1])
        object.__setattr__(self, "xC", comps[2])
        object.__setattr__(self, "x0", x0)
        object.__setattr__(self, "normalised", normalised)

    # ---- constructors -------------------------------------------------------------------
    @classmethod
    def from_components(cls, x0, xA, xB, xC) -> "WClassState":
        """All four weights; they must sum to 1."""
        return cls(xA, xB, xC, x0=x0)

    @classmethod
    def from_sequence(cls, x: Sequence) -> "WClassState":
        """``(xA, xB, xC)`` or ``(x0, xA, xB, xC)``."""
        try:
            vals = list(x)
        except TypeError:
            raise InvalidStateError(f"expected a sequence of 3 or 4 numbers, got {x!r}") from None
        if len(vals) == 3:
            return cls(*vals)
        if len(vals) == 4:
            return cls.from_components(*vals)
        raise InvalidStateError(f"expected 3 (xA, xB, xC) or 4 (x0, xA, xB, xC) numbers, got {len(vals)}")

    @classmethod
    def from_vector(cls, psi, atol: float = 1e-9) -> "WClassState":
        """Recognise a W-class state given as 8 amplitudes in the computational basis.

        Accepted: vectors supported on ``|000>, |100>, |010>, |001>`` (index ``4a + 2b + c``),
        with any phases on those four amplitudes (removable by the local phase gates
        ``diag(1, e^{i t})`` and a global phase), normalised within ``atol``. A vector with
        weight above ``atol`` elsewhere raises :class:`InvalidStateError`: it may still be
        W-class in another local basis, but that needs a local-unitary search this function
        does not do. Returns a float state; normalisation is applied and recorded.
        """
        arr = np.asarray(psi, dtype=complex).reshape(-1)
        if arr.shape != (8,):
            raise InvalidStateError(f"a three-qubit state has 8 amplitudes, got {arr.size}")
        if not np.all(np.isfinite(arr)):
            raise InvalidStateError("state vector contains NaN or inf")
        norm2 = float(np.vdot(arr, arr).real)
        if abs(norm2 - 1) > atol:
            raise InvalidStateError(f"state vector has squared norm {norm2!r}, not 1")
        support = (0, 4, 2, 1)  # |000>, |100>, |010>, |001>
        off = float(sum(abs(arr[i]) ** 2 for i in range(8) if i not in support))
        if off > atol:
            raise InvalidStateError(
                f"not W-class in the standard form: weight {off:.3g} outside |000>,|100>,|010>,|001>")
        w = [abs(arr[i]) ** 2 for i in support]
        s = sum(w)
        return cls.from_components(*(v / s for v in w))

    # ---- views --------------------------------------------------------------------------
    @property
    def x(self) -> tuple:
        """``(xA, xB, xC)``."""
        return (self.xA, self.xB, self.xC)

    @property
    def is_exact(self) -> bool:
        return isinstance(self.xA, Fraction)

    def exact(self) -> "WClassState":
        """The same state with every component as an exact Fraction (floats converted exactly)."""
        if self.is_exact:
            return self
        fr = [Fraction(v) for v in self.x]
        if self.x0 == 0:
            # x0 = 0 is exact by construction; re-normalise the binary values exactly
            total = sum(fr, Fraction(0))
            return WClassState(*(f / total for f in fr))
        # the stored float x0 is part of the state: normalise all four binary values exactly
        f0 = Fraction(self.x0)
        total = sum(fr, f0)
        return WClassState.from_components(f0 / total, *(f / total for f in fr))

    def as_float(self) -> np.ndarray:
        """``[x0, xA, xB, xC]`` as floats."""
        return np.array([float(self.x0), float(self.xA), float(self.xB), float(self.xC)])

    def sorted(self) -> tuple[tuple, tuple]:
        """``((x_n1, x_n2, x_n3), (n1, n2, n3))`` with ``x_n1 >= x_n2 >= x_n3``; ties keep A, B, C order."""
        order = sorted(range(3), key=lambda i: -self.x[i])
        return tuple(self.x[i] for i in order), tuple(PARTIES[i] for i in order)

    def amplitudes(self) -> np.ndarray:
        """The 8 real amplitudes, index ``4a + 2b + c`` (A most significant)."""
        v = np.zeros(8)
        v[0] = math.sqrt(float(self.x0))
        v[4] = math.sqrt(float(self.xA))
        v[2] = math.sqrt(float(self.xB))
        v[1] = math.sqrt(float(self.xC))
        return v

    def permuted(self, perm: str) -> "WClassState":
        """Relabel parties: ``perm`` like ``'BCA'`` gives the state whose A-weight is the old xB, etc."""
        if sorted(perm) != list(PARTIES):
            raise InvalidStateError(f"not a permutation of ABC: {perm!r}")
        d = dict(zip(PARTIES, self.x))
        return WClassState(*(d[p] for p in perm), x0=self.x0)

    def __str__(self) -> str:
        def f(v):
            return str(v) if isinstance(v, Fraction) else repr(float(v))
        return f"(x0={f(self.x0)}, xA={f(self.xA)}, xB={f(self.xB)}, xC={f(self.xC)})"


def as_state(state) -> WClassState:
    """Coerce a WClassState, or a sequence of 3/4 numbers, into a WClassState."""
    if isinstance(state, WClassState):
        return state
    return WClassState.from_sequence(state)


def psi_s(s) -> WClassState:
    """The paper's family (Fig. 1): ``sqrt(s)|100> + sqrt((1-s)/2)(|010> + |001>)``.

    ``x = (s, (1-s)/2, (1-s)/2)``, ``x0 = 0``. Meaningful for ``1/3 <= s < 1`` (s in [0, 1] is
    accepted; for s < 1/3 party A is no longer the largest). A float s is converted exactly,
    so the state is exact: ``psi_s(0.5)`` has ``xB = 1/4``.
    """
    if isinstance(s, bool) or not isinstance(s, numbers.Real):
        raise InvalidStateError(f"s = {s!r} is not a real number")
    if isinstance(s, float) and not math.isfinite(s):
        raise InvalidStateError(f"s = {s} is not finite")
    sf = Fraction(s)
    if not 0 <= sf <= 1:
        raise InvalidStateError(f"s = {s} is outside [0, 1]")
    half = (1 - sf) / 2
    return WClassState(sf, half, half)


def states_from_array(xs: Iterable) -> list[WClassState]:
    """Validate rows ``(xA, xB, xC)`` or ``(x0, xA, xB, xC)``."""
    return [WClassState.from_sequence(r) for r in xs]
