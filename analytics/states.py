"""Three-qubit W-class states.

A W-class state is, up to local unitaries (Kintas and Turgut, J. Math. Phys. 51, 092202 (2010)),

.. math::

    |\\varphi(\\vec x)\\rangle = \\sqrt{x_0}|000\\rangle + \\sqrt{x_A}|100\\rangle
        + \\sqrt{x_B}|010\\rangle + \\sqrt{x_C}|001\\rangle,
    \\qquad x_0 = 1 - x_A - x_B - x_C \\ge 0,

with qubit order A, B, C (``|100>`` means A = 1). The vector ``x = (xA, xB, xC)`` determines
the state.

One argument convention everywhere: positional ``(xA, xB, xC)``, ``x0`` by keyword
(``WClassState(xA, xB, xC, x0=x0)``); a 4-sequence is ``(x0, xA, xB, xC)`` (the order of the
kets above, of :meth:`WClassState.from_components` and of every table column).

Input (:func:`as_state`, the one entrance used by every API function and the CLI): a
:class:`WClassState`; a sequence of 3 or 4 numbers; or a dict with keys ``xA, xB, xC`` and
optionally ``x0``. A number may be an ``int``, a ``fractions.Fraction``, a string read exactly
(``"1/2"``, ``"0.25"``, ``"2.5e-1"``: :func:`parse_number`) or a float, read exactly as its
binary value (``0.1`` is 3602879701896397/36028797018963968). Entering through
:func:`as_state`, every state is exact.

Floats are never renormalised silently: ``WClassState(0.5, 0.25, 0.25 + 1e-12)`` raises
:class:`InvalidStateError` (the weights sum above 1). ``renormalise=True`` divides the weights
by their exact sum explicitly and records ``normalised=True`` (the simulators use it for
post-measurement states). A float state (built directly from floats) keeps float components;
:meth:`WClassState.exact` gives its exact binary value.
"""
from __future__ import annotations

import math
import numbers
from dataclasses import InitVar, dataclass, field
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


def as_number(value, name: str = "number") -> Fraction:
    """One number of a state, exactly: int, Fraction (any ``numbers.Rational``), string
    (:func:`parse_number`) or float (its exact binary value). Raises
    :class:`InvalidStateError` naming ``name`` for anything else, NaN or infinity."""
    if isinstance(value, str):
        try:
            return parse_number(value)
        except InvalidStateError as exc:
            raise InvalidStateError(f"{name}: {str(exc).removeprefix('number: ')}") from None
    v = _check_component(name, value)
    return check_exact_size(Fraction(v) if isinstance(v, float) else v, name)


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
    if isinstance(value, str):  # what the CLI reads: '1/2', '0.25', '2.5e-1' (exact)
        try:
            return parse_number(value)
        except InvalidStateError as exc:
            raise InvalidStateError(f"{name}: {str(exc).removeprefix('number: ')}") from None
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

    Build with ``WClassState(xA, xB, xC, x0=x0)`` (x0 keyword-only, default
    ``1 - xA - xB - xC``), ``WClassState.from_components(x0, xA, xB, xC)`` (the four must then
    sum to 1), :func:`as_state` (sequences, dicts) or :meth:`from_vector` (8 amplitudes).
    Numbers: int, Fraction, exact strings (``"1/2"``) or floats (validated by their exact binary
    values, never renormalised unless ``renormalise=True``).

    Attributes
    ----------
    xA, xB, xC, x0:
        Components; Fractions if every input was exact (int/Fraction/string), floats otherwise.
    normalised:
        True when ``renormalise=True`` divided the weights by their sum (it was not 1).

    Raises :class:`InvalidStateError` (a negative, NaN or infinite weight, a sum above 1, four
    weights not summing to 1); ``TypeError`` for x0 given positionally.
    """

    xA: Fraction | float
    xB: Fraction | float
    xC: Fraction | float
    x0: Fraction | float = field(default=None, kw_only=True)  # type: ignore[assignment]
    normalised: bool = field(default=False, compare=False, kw_only=True)
    renormalise: InitVar[bool] = field(default=False, kw_only=True)

    def __post_init__(self, renormalise: bool = False):
        comps = [_check_component(n, getattr(self, n)) for n in ("xA", "xB", "xC")]
        given_x0 = None if self.x0 is None else _check_component("x0", self.x0)
        for n, v in zip(("xA", "xB", "xC"), comps):
            if v < 0:
                raise InvalidStateError(f"{n} = {_short(v)} is negative")
        if given_x0 is not None and given_x0 < 0:
            raise InvalidStateError(f"x0 = {_short(given_x0)} is negative")
        exact = all(isinstance(v, Fraction) for v in comps) and (
            given_x0 is None or isinstance(given_x0, Fraction))
        fr = [Fraction(v) for v in comps]  # floats: their exact binary values
        f0 = None if given_x0 is None else Fraction(given_x0)
        total = sum(fr, Fraction(0)) + (f0 or 0)
        need = "x0 + xA + xB + xC" if f0 is not None else "xA + xB + xC"
        bad = total != 1 if f0 is not None else total > 1
        normalised = False
        if bad and renormalise and total > 0:
            fr = [f / total for f in fr]
            f0 = None if f0 is None else f0 / total
            normalised = True
        elif bad:
            rel = "must equal 1" if f0 is not None else "exceeds 1"
            hint = ("" if exact else " (floats are read as their exact binary values: give "
                    "exact numbers such as '1/10', or renormalise=True to divide by the sum)")
            raise InvalidStateError(f"{need} = {_short(total)} {rel}{hint}")
        if exact or normalised:
            kind = (lambda q: q) if exact else float
            comps = [kind(f) for f in fr]
            x0 = kind(f0) if f0 is not None else kind(1 - sum(fr, Fraction(0)))
        else:
            comps = [float(v) for v in comps]
            x0 = float(f0) if f0 is not None else float(1 - total)
        object.__setattr__(self, "xA", comps[0])
        object.__setattr__(self, "xB", comps[1])
        object.__setattr__(self, "xC", comps[2])
        object.__setattr__(self, "x0", x0)
        object.__setattr__(self, "normalised", normalised)

    # ---- constructors -------------------------------------------------------------------
    @classmethod
    def from_components(cls, x0, xA, xB, xC, *, renormalise: bool = False) -> "WClassState":
        """All four weights in ket order ``(x0, xA, xB, xC)``; they must sum to 1 exactly
        (``renormalise=True``: divided by their sum, recorded in ``normalised``)."""
        return cls(xA, xB, xC, x0=x0, renormalise=renormalise)

    @classmethod
    def from_sequence(cls, x: Sequence) -> "WClassState":
        """``(xA, xB, xC)`` or ``(x0, xA, xB, xC)``; each number read exactly (:func:`as_number`)."""
        try:
            vals = list(x)
        except TypeError:
            raise InvalidStateError(f"expected a sequence of 3 or 4 numbers, got {x!r}") from None
        if len(vals) == 3:
            return cls(*(as_number(v, n) for v, n in zip(vals, ("xA", "xB", "xC"))))
        if len(vals) == 4:
            return cls.from_components(*(as_number(v, n) for v, n in
                                         zip(vals, ("x0", "xA", "xB", "xC"))))
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
        return cls.from_components(*(v / s for v in w), renormalise=True)

    # ---- views --------------------------------------------------------------------------
    @property
    def x(self) -> tuple:
        """``(xA, xB, xC)``."""
        return (self.xA, self.xB, self.xC)

    @property
    def is_product(self) -> bool:
        """At most one of xA, xB, xC is nonzero: the state is ``(sqrt(x0)|0> + sqrt(x_k)|1>)_k
        |00>``, a product state, from which separable operations make no EPR pair (SEP = 0)."""
        return sum(1 for v in self.x if v != 0) <= 1

    @property
    def is_exact(self) -> bool:
        return isinstance(self.xA, Fraction)

    def exact(self) -> "WClassState":
        """The same state with every component an exact Fraction: a float state's binary values
        (their sum is 1 by construction; a renormalised one is divided by it exactly)."""
        if self.is_exact:
            return self
        fr = [Fraction(v) for v in self.x]
        f0, rest = Fraction(self.x0), 1 - sum(fr, Fraction(0))
        if f0 + sum(fr, Fraction(0)) != 1 and rest >= 0 and float(rest) == self.x0:
            return WClassState(*fr)  # x0 was derived: its exact value is the remainder
        return WClassState.from_components(f0, *fr, renormalise=f0 + sum(fr, Fraction(0)) != 1)

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


#: Keys of a state given as a dict (x0 optional).
STATE_KEYS = ("x0", "xA", "xB", "xC")


def as_state(state) -> WClassState:
    """The one entrance for a state (module docstring): a :class:`WClassState` (returned as
    is); ``(xA, xB, xC)`` or ``(x0, xA, xB, xC)``; or a dict with keys ``xA, xB, xC`` and
    optionally ``x0``. Numbers: int, Fraction, exact string ('1/2', '0.25') or float (its
    binary value); the result is exact. Raises :class:`InvalidStateError` naming what is wrong."""
    if isinstance(state, WClassState):
        return state
    if isinstance(state, dict):
        unknown = [k for k in state if k not in STATE_KEYS]
        missing = [k for k in ("xA", "xB", "xC") if k not in state]
        if unknown or missing:
            raise InvalidStateError(
                "a state dict has keys xA, xB, xC and optionally x0"
                + (f"; unknown: {', '.join(_short(str(k)) for k in unknown[:5])}" if unknown else "")
                + (f"; missing: {', '.join(missing)}" if missing else ""))
        vals = [as_number(state[k], k) for k in ("xA", "xB", "xC")]
        x0 = None if state.get("x0") is None else as_number(state["x0"], "x0")
        return WClassState(*vals, x0=x0)
    if isinstance(state, (str, bytes)):
        raise InvalidStateError(f"a state is 3 or 4 numbers or a dict, not the string "
                                f"{_short(str(state))}")
    return WClassState.from_sequence(state)


def _short(value, limit: int = 40) -> str:
    """A number or text for an error line, never thousands of characters."""
    text = str(value)
    return text if len(text) <= limit else f"{text[:limit]}... ({len(text)} characters)"


def psi_s(s) -> WClassState:
    """The paper's family (Fig. 1): ``sqrt(s)|100> + sqrt((1-s)/2)(|010> + |001>)``.

    ``x = (s, (1-s)/2, (1-s)/2)``, ``x0 = 0``. Meaningful for ``1/3 <= s < 1`` (s in [0, 1] is
    accepted; for s < 1/3 party A is no longer the largest). ``s`` is read like every number of
    a state (:func:`as_number`: ``"1/2"``, Fraction, int, float as its binary value), so the
    state is exact: ``psi_s(0.5)`` has ``xB = 1/4``. Raises :class:`InvalidStateError` outside [0, 1].
    """
    sf = as_number(s, "s")
    if not 0 <= sf <= 1:
        raise InvalidStateError(f"s = {_short(sf)} is outside [0, 1]")
    half = (1 - sf) / 2
    return WClassState(sf, half, half)


def states_from_array(xs: Iterable) -> list[WClassState]:
    """Validate rows ``(xA, xB, xC)`` or ``(x0, xA, xB, xC)``."""
    return [WClassState.from_sequence(r) for r in xs]
