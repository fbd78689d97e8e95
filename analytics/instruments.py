"""Explicit separable instruments for random-pair EPR distillation (PRL 108, 240504 (2012)).

An instrument is a finite list of Kraus operators, each a product across the parties,

.. math::

    K_\\lambda = M_{A,\\lambda} \\otimes M_{B,\\lambda} \\otimes M_{C,\\lambda}, \\qquad
    \\sum_\\lambda K_\\lambda^\\dagger K_\\lambda = I_8,

and each carrying an outcome label: ``"AB"``, ``"AC"``, ``"BC"`` (the branch must leave that pair in
:math:`|\\Psi^+\\rangle = (|01\\rangle + |10\\rangle)/\\sqrt 2`, the third party in any state) or
``"fail"``. Qubit order is A, B, C; basis index ``4a + 2b + c``.

For exactness every factor of the instruments built here is diagonal,
:math:`\\mathrm{diag}(\\sigma_0\\sqrt{q_0}, \\sigma_1\\sqrt{q_1})`, stored through its squares
:math:`q_0, q_1` (Fractions for exact states) and signs. Only squares enter completeness and
the branch amplitudes, so :mod:`analytics.checks` verifies them without square roots.

Builders:

* :func:`eq7_instrument` -- Eq. (7): for :math:`x_0 = 0`, :math:`0 < x_k \\le 1/2` for every party,
  success probability 1, :math:`\\lambda_{ij} = \\sqrt{(1-2x_i)/(2x_j)}`.
* :func:`large_component_instrument` -- for :math:`x_0 = 0`, :math:`x_{n_1} \\ge 1/2`: success
  probability :math:`2(1 - x_{n_1})` (formulation.md, section 3; verified by the checker).
* :func:`trivial_instrument` -- the identity, labelled ``"fail"`` (probability 0).

:func:`analytics.plane.plane_lower_bound` picks the best applicable one and checks it;
:func:`analytics.lower.sep_lower_bound` chooses among all lower-bound methods.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from fractions import Fraction

import numpy as np

from .display import ShortRepr, show_number
from .kraus import KrausOperators, NoInstrumentError, from_product_factors

from .errors import InstrumentError
from .states import PAIRS, PARTIES, WClassState, as_state, nonnegative_real

#: Outcome labels: success on a pair, or failure.
OUTCOMES = PAIRS + ("fail",)


def _square(name: str, value) -> Fraction | float:
    """Validate a diagonal entry squared: a finite real >= 0 (Fraction kept exact)."""
    return nonnegative_real(name, value, InstrumentError)


@dataclass(frozen=True)
class DiagonalFactor:
    """A diagonal 2x2 factor :math:`\\mathrm{diag}(\\sigma_0\\sqrt{q_0},\\ \\sigma_1\\sqrt{q_1})`.

    ``q0, q1`` are the squares (Fraction or float, >= 0), ``sign0, sign1`` are +1 or -1.
    """

    q0: Fraction | float
    q1: Fraction | float
    sign0: int = 1
    sign1: int = 1

    def __post_init__(self):
        object.__setattr__(self, "q0", _square("q0", self.q0))
        object.__setattr__(self, "q1", _square("q1", self.q1))
        for name in ("sign0", "sign1"):
            s = getattr(self, name)
            if isinstance(s, bool) or s not in (1, -1):
                raise InstrumentError(f"{name} = {s!r} must be +1 or -1")
            object.__setattr__(self, name, int(s))

    @classmethod
    def identity(cls, exact: bool = True) -> "DiagonalFactor":
        one = Fraction(1) if exact else 1.0
        return cls(one, one)

    @classmethod
    def projector(cls, bit: int, exact: bool = True) -> "DiagonalFactor":
        """:math:`|0\\rangle\\langle 0|` (bit 0) or :math:`|1\\rangle\\langle 1|` (bit 1)."""
        one, zero = (Fraction(1), Fraction(0)) if exact else (1.0, 0.0)
        if bit not in (0, 1):
            raise InstrumentError(f"bit = {bit!r} must be 0 or 1")
        return cls(one, zero) if bit == 0 else cls(zero, one)

    @property
    def squares(self) -> tuple:
        return (self.q0, self.q1)

    @property
    def signs(self) -> tuple:
        return (self.sign0, self.sign1)

    @property
    def is_exact(self) -> bool:
        return isinstance(self.q0, Fraction) and isinstance(self.q1, Fraction)

    def as_float(self) -> "DiagonalFactor":
        return DiagonalFactor(float(self.q0), float(self.q1), self.sign0, self.sign1)

    def to_matrix(self) -> np.ndarray:
        """The 2x2 float matrix."""
        return np.diag([self.sign0 * math.sqrt(float(self.q0)),
                        self.sign1 * math.sqrt(float(self.q1))])


def _check_label(name: str, label) -> str:
    if label not in OUTCOMES:
        raise InstrumentError(f"Kraus operator {name!r}: label {label!r} is not one of {OUTCOMES}")
    return label


def _finite_matrix(what: str, m, shape: tuple) -> np.ndarray:
    try:
        arr = np.array(m, dtype=complex)
    except (TypeError, ValueError):
        raise InstrumentError(f"{what} = {m!r} is not a numeric matrix") from None
    if arr.shape != shape:
        raise InstrumentError(f"{what} has shape {arr.shape}, expected {shape}")
    if not np.all(np.isfinite(arr)):
        raise InstrumentError(f"{what} contains NaN or inf")
    arr.setflags(write=False)
    return arr


@dataclass(frozen=True, eq=False)
class ProductKraus:
    """A Kraus operator given as its three factors (A, B, C) with an outcome label.

    Each factor is a :class:`DiagonalFactor` (exact) or any 2x2 complex matrix (float checks only).
    """

    name: str
    label: str
    factors: tuple

    def __post_init__(self):
        _check_label(self.name, self.label)
        facs = tuple(self.factors)
        if len(facs) != 3:
            raise InstrumentError(
                f"Kraus operator {self.name!r} has {len(facs)} factors, expected 3 (A, B, C)")
        facs = tuple(f if isinstance(f, DiagonalFactor)
                     else _finite_matrix(f"{self.name} factor {p}", f, (2, 2))
                     for p, f in zip(PARTIES, facs))
        object.__setattr__(self, "factors", facs)

    @property
    def is_diagonal(self) -> bool:
        return all(isinstance(f, DiagonalFactor) for f in self.factors)

    @property
    def is_exact(self) -> bool:
        return self.is_diagonal and all(f.is_exact for f in self.factors)

    def factor_matrices(self) -> tuple:
        return tuple(f.to_matrix() if isinstance(f, DiagonalFactor) else f for f in self.factors)

    def to_matrix(self) -> np.ndarray:
        """The 8x8 matrix :math:`M_A \\otimes M_B \\otimes M_C`."""
        a, b, c = self.factor_matrices()
        return np.kron(np.kron(a, b), c)

    def as_float(self) -> "ProductKraus":
        facs = tuple(f.as_float() if isinstance(f, DiagonalFactor) else f for f in self.factors)
        return ProductKraus(self.name, self.label, facs)


@dataclass(frozen=True, eq=False)
class DenseKraus:
    """A Kraus operator given as a full 8x8 matrix; the checker tests whether it is a product."""

    name: str
    label: str
    matrix: np.ndarray

    def __post_init__(self):
        _check_label(self.name, self.label)
        object.__setattr__(self, "matrix", _finite_matrix(f"{self.name} matrix", self.matrix, (8, 8)))

    is_diagonal = False
    is_exact = False

    def to_matrix(self) -> np.ndarray:
        return self.matrix

    def as_float(self) -> "DenseKraus":
        return self


@dataclass(frozen=True, eq=False, repr=False)
class Instrument(ShortRepr):
    """A list of labelled Kraus operators (names unique). ``kind`` says where it comes from."""

    kind: str
    kraus: tuple
    description: str = ""

    def __post_init__(self):
        ops = tuple(self.kraus)
        for op in ops:
            if not isinstance(op, (ProductKraus, DenseKraus)):
                raise InstrumentError(f"not a Kraus operator: {op!r}")
        names = [op.name for op in ops]
        dupes = sorted({n for n in names if names.count(n) > 1})
        if dupes:
            raise InstrumentError(f"Kraus operator names must be unique; repeated: {dupes}")
        object.__setattr__(self, "kraus", ops)

    def __iter__(self):
        return iter(self.kraus)

    def __len__(self) -> int:
        return len(self.kraus)

    @property
    def is_exact(self) -> bool:
        return all(op.is_exact for op in self.kraus)

    def as_float(self) -> "Instrument":
        return Instrument(self.kind, tuple(op.as_float() for op in self.kraus), self.description)

    def to_matrices(self) -> list:
        """``[(name, label, 8x8 matrix), ...]``."""
        return [(op.name, op.label, op.to_matrix()) for op in self.kraus]

    def kraus_operators(self, state=None, value=None, kind: str | None = None) -> KrausOperators:
        """Float matrices of the operators (:class:`analytics.kraus.KrausOperators`); ``state``,
        ``value`` and ``kind`` (default: this instrument's) are recorded with them. Raises :class:`analytics.kraus.NoInstrumentError`
        for an operator given only as a dense matrix (no product factors)."""
        dense = [op.name for op in self.kraus if not isinstance(op, ProductKraus)]
        if dense:
            raise NoInstrumentError(f"operators {dense} have no product factors to export")
        return from_product_factors([op.factor_matrices() for op in self.kraus],
                                    [op.label for op in self.kraus], [op.name for op in self.kraus],
                                    kind or self.kind, "" if state is None else str(state), value)

    def _summary(self) -> list:
        labels: dict = {}
        for op in self.kraus:
            labels[op.label] = labels.get(op.label, 0) + 1
        return [("kind", self.kind), ("operators", str(len(self.kraus))),
                ("labels", ", ".join(f"{k} x{v}" for k, v in labels.items())),
                ("exact", str(self.is_exact))]


# ---- builders -----------------------------------------------------------------------------

def _pair(i: str, j: str) -> str:
    return "".join(sorted((i, j)))


def _third(i: str, j: str) -> str:
    return next(p for p in PARTIES if p not in (i, j))


def _product_op(name: str, label: str, by_party: dict, exact: bool) -> ProductKraus:
    facs = tuple(by_party[p] for p in PARTIES)
    if not exact:
        facs = tuple(f.as_float() for f in facs)
    return ProductKraus(name, label, facs)


def _exact_weights(state: WClassState) -> dict:
    ex = state.exact()
    return {"0": ex.x0, "A": ex.xA, "B": ex.xB, "C": ex.xC}


def lambda_squared(x: dict, i: str, j: str) -> Fraction:
    """:math:`\\lambda_{ij}^2 = (1 - 2x_i)/(2x_j)` (below Eq. 7), from party weights ``x``."""
    return (1 - 2 * x[i]) / (2 * x[j])


def eq7_instrument(state) -> Instrument:
    """The separable instrument of Eq. (7), for any ordering of the parties.

    .. math::

        M_{ij} = (\\lambda_{kj}|0\\rangle\\langle0| + |1\\rangle\\langle1|)_i \\otimes
                 (\\lambda_{ki}|0\\rangle\\langle0| + |1\\rangle\\langle1|)_j \\otimes
                 |0\\rangle\\langle0|_k, \\qquad
        M_{000} = \\Big(1 - \\sum_{k} \\lambda_{ki}^2\\lambda_{kj}^2\\Big)^{1/2}|000\\rangle\\langle000|,
        \\qquad M_{111} = |111\\rangle\\langle111|,

    with :math:`\\lambda_{ij} = \\sqrt{(1-2x_i)/(2x_j)}` labelled by parties, so no sorting is
    needed. Domain: :math:`x_0 = 0` and :math:`0 < x_k \\le 1/2` for k = A, B, C. Then
    :math:`M_{ij}|\\varphi\\rangle = \\sqrt{1-2x_k}\\,|\\Psi^+\\rangle_{ij}|0\\rangle_k`, so
    :math:`p_{ij} = 1 - 2x_k` and the total is 1.

    Float states are converted exactly (:meth:`WClassState.exact`), the squares computed in
    rationals and only then rounded, so no square is negative by rounding.
    Raises :class:`InstrumentError` outside the domain.
    """
    st = as_state(state)
    x = _exact_weights(st)
    if x["0"] != 0:
        raise InstrumentError(f"Eq. (7) needs x0 = 0, got x0 = {st.x0}")
    for p in PARTIES:
        if not 0 < x[p] <= Fraction(1, 2):
            raise InstrumentError(f"Eq. (7) needs 0 < x{p} <= 1/2, got x{p} = {getattr(st, 'x' + p)}")
    ops = []
    completion = Fraction(1)
    for label in PAIRS:
        i, j = label
        k = _third(i, j)
        li, lj = lambda_squared(x, k, j), lambda_squared(x, k, i)
        completion -= li * lj
        ops.append(_product_op(f"M_{label}", label, {
            i: DiagonalFactor(li, 1), j: DiagonalFactor(lj, 1), k: DiagonalFactor.projector(0)},
            st.is_exact))
    if completion < 0:  # cannot happen inside the domain (it equals prod(1-2x_k)/(4 xA xB xC))
        raise InstrumentError(f"Eq. (7) completion coefficient squared is {completion} < 0")
    ops.append(_product_op("M_000", "fail", {
        "A": DiagonalFactor(completion, 0), "B": DiagonalFactor.projector(0),
        "C": DiagonalFactor.projector(0)}, st.is_exact))
    ops.append(_product_op("M_111", "fail", {p: DiagonalFactor.projector(1) for p in PARTIES},
                           st.is_exact))
    return Instrument("eq7", tuple(ops), "PRL 108, 240504, Eq. (7); success probability 1")


def large_component_instrument(state) -> Instrument:
    """Separable instrument for :math:`x_0 = 0`, :math:`x_{n_1} \\ge 1/2` (formulation.md, sec. 3).

    Eq. (7) without :math:`M_{n_2 n_3}`, with :math:`\\lambda_{n_3 n_2} = \\lambda_{n_2 n_3} = 1`,
    :math:`\\lambda_{n_3 n_1}^2 = x_{n_2}/x_{n_1}`, :math:`\\lambda_{n_2 n_1}^2 = x_{n_3}/x_{n_1}`:

    .. math::

        M_{n_1 n_2} = I_{n_1} \\otimes \\mathrm{diag}(\\sqrt{x_{n_2}/x_{n_1}}, 1)_{n_2}
                      \\otimes |0\\rangle\\langle0|_{n_3}, \\qquad
        M_{n_1 n_3} = I_{n_1} \\otimes |0\\rangle\\langle0|_{n_2}
                      \\otimes \\mathrm{diag}(\\sqrt{x_{n_3}/x_{n_1}}, 1)_{n_3},

    completed by the product "fail" operators
    :math:`I_{n_1}\\otimes\\sqrt{1-(x_{n_2}+x_{n_3})/x_{n_1}}\\,|00\\rangle\\langle00|_{n_2n_3}` and
    :math:`I_{n_1}\\otimes|11\\rangle\\langle11|_{n_2n_3}`. The completion coefficient is
    non-negative iff :math:`x_{n_1} \\ge x_{n_2} + x_{n_3} = 1 - x_{n_1}`. Branches:
    :math:`M_{n_1 n_j}|\\varphi\\rangle = \\sqrt{x_{n_j}}(|1\\rangle_{n_1}|0\\rangle_{n_j} +
    |0\\rangle_{n_1}|1\\rangle_{n_j})|0\\rangle`, so :math:`p = 2x_{n_2} + 2x_{n_3} = 2(1-x_{n_1})`.
    Raises :class:`InstrumentError` outside the domain.
    """
    st = as_state(state)
    x = _exact_weights(st)
    if x["0"] != 0:
        raise InstrumentError(f"the large-component instrument needs x0 = 0, got x0 = {st.x0}")
    _, (n1, n2, n3) = st.exact().sorted()  # ties keep A, B, C order
    if x[n1] < Fraction(1, 2):
        raise InstrumentError(
            f"the large-component instrument needs max component >= 1/2, got x{n1} = "
            f"{getattr(st, 'x' + n1)}")
    completion = 1 - (x[n2] + x[n3]) / x[n1]
    one = DiagonalFactor.identity()
    p0, p1 = DiagonalFactor.projector(0), DiagonalFactor.projector(1)
    ops = [
        _product_op(f"M_{_pair(n1, n2)}", _pair(n1, n2),
                    {n1: one, n2: DiagonalFactor(x[n2] / x[n1], 1), n3: p0}, st.is_exact),
        _product_op(f"M_{_pair(n1, n3)}", _pair(n1, n3),
                    {n1: one, n2: p0, n3: DiagonalFactor(x[n3] / x[n1], 1)}, st.is_exact),
        _product_op(f"F_{n2}{n3}_00", "fail",
                    {n1: one, n2: DiagonalFactor(completion, 0), n3: p0}, st.is_exact),
        _product_op(f"F_{n2}{n3}_11", "fail", {n1: one, n2: p1, n3: p1}, st.is_exact),
    ]
    return Instrument("large_component", tuple(ops),
                      f"Eq. (7) without M_{_pair(n2, n3)}; success probability 2(1 - x{n1})")


def trivial_instrument(exact: bool = True) -> Instrument:
    """Do nothing: the single Kraus operator :math:`I_8`, labelled ``"fail"``."""
    one = DiagonalFactor.identity(exact)
    return Instrument("trivial", (ProductKraus("I", "fail", (one, one, one)),),
                      "identity; success probability 0")


__all__ = [
    "OUTCOMES", "DiagonalFactor", "ProductKraus", "DenseKraus", "Instrument", "lambda_squared",
    "eq7_instrument", "large_component_instrument", "trivial_instrument",
]
