"""Local measurements on three-qubit W-class states, and a branch-tree simulator.

Kraus form (Chitambar, Cui, Lo, PRL 108, 240504 (2012), text above Eq. (2); Kintas and Turgut,
J. Math. Phys. 51, 092202 (2010)). Up to a unitary applied *after* it, every Kraus operator of
party k is upper triangular in the basis in which the state is in standard form,

.. math::

    M_\\lambda = \\begin{pmatrix} \\sqrt{a_\\lambda} & b_\\lambda \\\\ 0 & \\sqrt{c_\\lambda} \\end{pmatrix},
    \\qquad a_\\lambda, c_\\lambda \\ge 0,\\ b_\\lambda \\in \\mathbb C

(the QR decomposition :math:`K = QR`, see :func:`upper_triangular_form`). Completeness
:math:`\\sum_\\lambda M_\\lambda^\\dagger M_\\lambda = I` reads

.. math::

    \\sum_\\lambda a_\\lambda = 1, \\qquad \\sum_\\lambda \\sqrt{a_\\lambda}\\, b_\\lambda = 0, \\qquad
    \\sum_\\lambda (|b_\\lambda|^2 + c_\\lambda) = 1,

so :math:`\\sum_\\lambda c_\\lambda \\le 1` as stated in the paper.

Transformation of the state (derived here; the paper gives the :math:`b = 0` part). Write
:math:`|\\varphi\\rangle = |0\\rangle_k \\otimes (\\sqrt{x_0}|00\\rangle + \\sum_{j\\ne k}\\sqrt{x_j}|1_j\\rangle)
+ \\sqrt{x_k}|1\\rangle_k|00\\rangle`. Since :math:`M|0\\rangle = \\sqrt a|0\\rangle` and
:math:`M|1\\rangle = b|0\\rangle + \\sqrt c|1\\rangle`,

.. math::

    M_\\lambda^{(k)}|\\varphi\\rangle = (\\sqrt{a x_0} + b\\sqrt{x_k})|000\\rangle
        + \\sqrt{c\\,x_k}\\,|1_k\\rangle + \\sum_{j\\ne k}\\sqrt{a\\,x_j}\\,|1_j\\rangle,

hence

.. math::

    p_\\lambda = |\\sqrt{a x_0} + b\\sqrt{x_k}|^2 + c\\,x_k + a\\sum_{j\\ne 0,k} x_j, \\qquad
    x_{0,\\lambda} = \\frac{|\\sqrt{a x_0} + b\\sqrt{x_k}|^2}{p_\\lambda}, \\quad
    x_{k,\\lambda} = \\frac{c\\,x_k}{p_\\lambda}, \\quad
    x_{j,\\lambda} = \\frac{a\\,x_j}{p_\\lambda}.

The post-measurement vector has the W-class support; only the :math:`|000\\rangle` amplitude can
carry a phase :math:`e^{i\\theta}` (from complex b). The local unitary
:math:`\\mathrm{diag}(1, e^{i\\theta})^{\\otimes 3}` times the global phase :math:`e^{-i\\theta}` makes
every amplitude real and non-negative (each of :math:`|100\\rangle, |010\\rangle, |001\\rangle` has
exactly one excited qubit), so it is again a W-class state in standard form
(:func:`standard_form_phase`). :func:`measure_statevector` recomputes all of this from the
8-dimensional state vector, as an independent cross-check of :func:`measure`.

Exactness: with Fraction states and Fraction (a, c) and b = 0 (or b rational with
:math:`a x_0 x_k` a rational square) every probability and component is an exact Fraction;
otherwise floats. Completeness of a measurement is checked exactly when all entries are
rational (the off-diagonal condition needs :math:`\\sqrt{a_\\lambda}` rational wherever
:math:`b_\\lambda \\ne 0`), else within ``atol``; an incomplete measurement raises
:class:`InvalidMeasurementError`.

The simulator (:func:`simulate`) applies a *policy* (which measurement to make next, given the
current state and the history of outcomes) to every branch until the policy stops or the branch
is an EPR pair, and records each leaf with its probability and final state
(:class:`BranchTree`). A branch succeeds on pair ij when its state is
:math:`|\\Psi^+\\rangle_{ij}` up to local phases: :math:`x_0 = 0`, :math:`x_i = x_j`, :math:`x_k = 0`
(:func:`epr_pair`).
"""
from __future__ import annotations

import cmath
import math
import numbers
from dataclasses import dataclass
from fractions import Fraction
from typing import Callable, Sequence

import numpy as np

from .errors import SepgapError
from .states import PAIRS, PARTIES, WClassState, as_state, nonnegative_real

#: Absolute tolerance of float completeness checks.
COMPLETENESS_ATOL = 1e-12
#: Absolute tolerance used to recognise an EPR pair among float components.
EPR_ATOL = 1e-12

_BIT = {"A": 0, "B": 1, "C": 2}  # tensor axis of each party (A most significant)


class InvalidMeasurementError(SepgapError, ValueError):
    """A local measurement is malformed or incomplete; the message names the bad value."""


# ---- numbers ----------------------------------------------------------------------------------

def _real_entry(name: str, value) -> Fraction | float:
    """A finite real >= 0; rationals become Fractions (exact), others floats."""
    return nonnegative_real(name, value, InvalidMeasurementError)


def _offdiag_entry(name: str, value) -> Fraction | float | complex:
    """The entry b: any finite complex number; rationals stay Fractions."""
    if isinstance(value, bool) or not isinstance(value, numbers.Complex):
        raise InvalidMeasurementError(f"{name} = {value!r} is not a number")
    if isinstance(value, numbers.Rational):
        return Fraction(value)
    if isinstance(value, numbers.Real):
        v = float(value)
        if not math.isfinite(v):
            raise InvalidMeasurementError(f"{name} = {v} is not finite")
        return v
    z = complex(value)
    if not (math.isfinite(z.real) and math.isfinite(z.imag)):
        raise InvalidMeasurementError(f"{name} = {z} is not finite")
    return z.real if z.imag == 0 else z


def exact_sqrt(q: Fraction) -> Fraction | None:
    """:math:`\\sqrt q` as a Fraction when q is the square of a rational, else None."""
    q = Fraction(q)
    if q < 0:
        return None
    n, d = math.isqrt(q.numerator), math.isqrt(q.denominator)
    if n * n == q.numerator and d * d == q.denominator:
        return Fraction(n, d)
    return None


# ---- one outcome, one measurement -------------------------------------------------------------

@dataclass(frozen=True)
class KrausOutcome:
    """One Kraus operator :math:`\\begin{pmatrix}\\sqrt a & b\\\\ 0 & \\sqrt c\\end{pmatrix}` with a label.

    ``a, c`` are the squared diagonal entries (finite, >= 0), ``b`` the off-diagonal entry.
    Rational input stays exact (Fraction).
    """

    a: Fraction | float
    c: Fraction | float
    b: Fraction | float | complex = 0
    label: str = ""

    def __post_init__(self):
        tag = f" (outcome {self.label!r})" if self.label else ""
        object.__setattr__(self, "a", _real_entry("a" + tag, self.a))
        object.__setattr__(self, "c", _real_entry("c" + tag, self.c))
        object.__setattr__(self, "b", _offdiag_entry("b" + tag, self.b))

    @property
    def is_exact(self) -> bool:
        return all(isinstance(v, Fraction) for v in (self.a, self.b, self.c))

    @property
    def is_zero(self) -> bool:
        return self.a == 0 and self.c == 0 and self.b == 0

    def matrix(self) -> np.ndarray:
        """The 2x2 complex matrix (rows: output basis, columns: input basis)."""
        return np.array([[math.sqrt(float(self.a)), complex(self.b)],
                         [0.0, math.sqrt(float(self.c))]], dtype=complex)


def upper_triangular_form(kraus) -> tuple[KrausOutcome, np.ndarray]:
    """Write a 2x2 Kraus operator as :math:`K = Q\\,M` with Q unitary and M upper triangular.

    QR decomposition with the diagonal of M made real and non-negative by moving phases into Q.
    Q acts *after* the measurement on the measuring party's qubit, so it is a local unitary on
    the post-measurement state and leaves its W-class components unchanged. Returns
    ``(KrausOutcome(a=|M_00|^2, c=|M_11|^2, b=M_01), Q)``.
    """
    k = np.asarray(kraus, dtype=complex)
    if k.shape != (2, 2):
        raise InvalidMeasurementError(f"a local Kraus operator is 2x2, got shape {k.shape}")
    if not np.all(np.isfinite(k)):
        raise InvalidMeasurementError(f"Kraus operator {k.tolist()} contains NaN or inf")
    q, r = np.linalg.qr(k)
    phases = np.array([r[i, i] / abs(r[i, i]) if abs(r[i, i]) > 0 else 1.0 for i in range(2)])
    r = np.diag(phases.conj()) @ r
    q = q @ np.diag(phases)
    return KrausOutcome(a=float(r[0, 0].real) ** 2, c=float(r[1, 1].real) ** 2,
                        b=complex(r[0, 1])), q


@dataclass(frozen=True)
class LocalMeasurement:
    """A measurement by one party, every Kraus operator in upper-triangular form.

    Checked on construction: ``party`` is A, B or C; at least one outcome;
    :math:`\\sum a = 1`, :math:`\\sum \\sqrt a\\, b = 0`, :math:`\\sum (|b|^2 + c) = 1` -- exactly
    when the entries are rational, else within ``atol`` (default :data:`COMPLETENESS_ATOL`).
    Raises :class:`InvalidMeasurementError` naming the failed condition and its value.
    """

    party: str
    outcomes: tuple
    atol: float = COMPLETENESS_ATOL

    def __post_init__(self):
        if self.party not in PARTIES:
            raise InvalidMeasurementError(f"party = {self.party!r} is not one of {PARTIES}")
        try:
            outs = tuple(self.outcomes)
        except TypeError:
            raise InvalidMeasurementError(f"outcomes = {self.outcomes!r} is not a sequence") from None
        if not outs:
            raise InvalidMeasurementError("a measurement needs at least one outcome")
        for o in outs:
            if not isinstance(o, KrausOutcome):
                raise InvalidMeasurementError(f"not a KrausOutcome: {o!r}")
        if not (isinstance(self.atol, (int, float)) and math.isfinite(self.atol) and self.atol >= 0):
            raise InvalidMeasurementError(f"atol = {self.atol!r} must be a finite number >= 0")
        object.__setattr__(self, "outcomes", outs)
        self._check_complete()

    # -- completeness ------------------------------------------------------------------------
    def completeness_residuals(self) -> tuple:
        """``(sum a - 1, sum sqrt(a) b, sum(|b|^2 + c) - 1)``; exact Fractions where possible."""
        outs = self.outcomes
        exact = all(o.is_exact for o in outs)
        if exact:
            ra = sum((o.a for o in outs), Fraction(0)) - 1
            rd = sum((o.b * o.b + o.c for o in outs), Fraction(0)) - 1
            rb = Fraction(0)
            for o in outs:
                if o.b == 0:
                    continue
                s = exact_sqrt(o.a)
                if s is None:  # irrational sqrt(a) with b != 0: fall back to floats
                    rb = None
                    break
                rb += s * o.b
            if rb is None:
                rb = sum(math.sqrt(float(o.a)) * complex(o.b) for o in outs)
                rb = rb.real if rb.imag == 0 else rb
            return ra, rb, rd
        ra = math.fsum(float(o.a) for o in outs) - 1.0
        rb = sum(math.sqrt(float(o.a)) * complex(o.b) for o in outs)
        rd = math.fsum(abs(complex(o.b)) ** 2 + float(o.c) for o in outs) - 1.0
        return ra, (rb.real if rb.imag == 0 else rb), rd

    def _check_complete(self):
        ra, rb, rd = self.completeness_residuals()
        names = ("sum of a - 1", "sum of sqrt(a) b", "sum of |b|^2 + c - 1")
        for name, r in zip(names, (ra, rb, rd)):
            ok = (r == 0) if isinstance(r, Fraction) else abs(r) <= self.atol
            if not ok:
                raise InvalidMeasurementError(
                    f"measurement by {self.party} is not complete: {name} = {r}"
                    f" (must be 0{'' if isinstance(r, Fraction) else f' within {self.atol:g}'})")

    def completeness_error(self) -> float:
        """:math:`\\|\\sum_\\lambda M_\\lambda^\\dagger M_\\lambda - I\\|_{\\max}` from the float matrices."""
        tot = sum(o.matrix().conj().T @ o.matrix() for o in self.outcomes)
        return float(np.max(np.abs(tot - np.eye(2))))

    @property
    def is_exact(self) -> bool:
        return all(o.is_exact for o in self.outcomes)

    @property
    def is_trivial(self) -> bool:
        """Every Kraus operator proportional to the identity (a = c, b = 0): nothing changes."""
        return all(o.b == 0 and o.a == o.c for o in self.outcomes)

    # -- constructors ------------------------------------------------------------------------
    @classmethod
    def from_kraus(cls, party: str, operators: Sequence, labels: Sequence[str] | None = None,
                   atol: float = COMPLETENESS_ATOL) -> "LocalMeasurement":
        """From arbitrary 2x2 Kraus operators: each is reduced with :func:`upper_triangular_form`.

        Completeness of the given operators is checked first (float, within ``atol``).
        """
        ops = [np.asarray(k, dtype=complex) for k in operators]
        if labels is None:
            labels = [str(i) for i in range(len(ops))]
        if len(labels) != len(ops):
            raise InvalidMeasurementError(f"{len(labels)} labels for {len(ops)} Kraus operators")
        outs = []
        for k, lab in zip(ops, labels):
            o, _ = upper_triangular_form(k)
            outs.append(KrausOutcome(o.a, o.c, o.b, lab))
        total = sum(k.conj().T @ k for k in ops) if ops else np.zeros((2, 2))
        err = float(np.max(np.abs(total - np.eye(2))))
        if err > atol:
            raise InvalidMeasurementError(
                f"Kraus operators of {party} are not complete: max|sum K^dag K - I| = {err:.3g}")
        return cls(party, tuple(outs), atol)

    @classmethod
    def diagonal(cls, party: str, pairs: Sequence, labels: Sequence[str] | None = None
                 ) -> "LocalMeasurement":
        """Diagonal Kraus operators :math:`\\mathrm{diag}(\\sqrt{a_\\lambda}, \\sqrt{c_\\lambda})`.

        ``pairs`` is a sequence of ``(a, c)``; rational values keep everything exact.
        """
        if labels is None:
            labels = [str(i) for i in range(len(pairs))]
        return cls(party, tuple(KrausOutcome(a, c, 0, lab) for (a, c), lab in zip(pairs, labels)))


# ---- one measurement on one state -------------------------------------------------------------

@dataclass(frozen=True)
class MeasurementBranch:
    """Outcome ``index`` (label ``label``) occurs with ``probability`` and leaves ``state``."""

    index: int
    label: str
    probability: Fraction | float
    state: WClassState


def _as_float_state(st: WClassState) -> tuple:
    return float(st.x0), {p: float(v) for p, v in zip(PARTIES, st.x)}


def _zero_weight(o: KrausOutcome, st: WClassState, party: str) -> tuple:
    """``|sqrt(a x0) + b sqrt(x_k)|^2``, exact when possible, plus an exactness flag."""
    xk = dict(zip(PARTIES, st.x))[party]
    a, b, x0 = o.a, o.b, st.x0
    exact = st.is_exact and o.is_exact
    if exact:
        if b == 0 or xk == 0:
            return a * x0, True
        if x0 == 0 or a == 0:
            return b * b * xk, True
        cross = exact_sqrt(a * x0 * xk)
        if cross is not None:
            return a * x0 + 2 * b * cross + b * b * xk, True
    amp = math.sqrt(float(a) * float(x0)) + complex(b) * math.sqrt(float(xk))
    return abs(amp) ** 2, False


def measure(state, measurement: LocalMeasurement) -> tuple:
    """Apply ``measurement`` to ``state``: the branches with non-zero probability.

    Uses the closed-form transformation in the module docstring:
    :math:`p_\\lambda = |\\sqrt{a x_0} + b\\sqrt{x_k}|^2 + c x_k + a\\sum_{j\\ne k}x_j`,
    :math:`x_{k,\\lambda} = c x_k/p_\\lambda`, :math:`x_{j,\\lambda} = a x_j/p_\\lambda`,
    :math:`x_{0,\\lambda} = |\\sqrt{a x_0} + b\\sqrt{x_k}|^2/p_\\lambda`. Exact (Fractions) for exact
    inputs where the square roots allow it, floats otherwise. Outcomes with probability 0 have
    no post-measurement state and are left out (their indices are skipped).
    """
    st = as_state(state)
    if not isinstance(measurement, LocalMeasurement):
        raise InvalidMeasurementError(f"not a LocalMeasurement: {measurement!r}")
    k = measurement.party
    out = []
    for idx, o in enumerate(measurement.outcomes):
        w0, exact = _zero_weight(o, st, k)
        if exact:
            comps = {p: (o.c if p == k else o.a) * v for p, v in zip(PARTIES, st.x)}
            p_tot = w0 + sum(comps.values(), Fraction(0))
            if p_tot == 0:
                continue
            post = WClassState.from_components(w0 / p_tot, *(comps[p] / p_tot for p in PARTIES))
        else:
            _, xs = _as_float_state(st)
            comps = {p: float(o.c if p == k else o.a) * xs[p] for p in PARTIES}
            p_tot = math.fsum([w0, *comps.values()])
            if p_tot == 0:
                continue
            # floats: the quotients sum to 1 only up to rounding; renormalising is the intent
            post = WClassState.from_components(w0 / p_tot, *(comps[p] / p_tot for p in PARTIES),
                                               renormalise=True)
        out.append(MeasurementBranch(idx, o.label, p_tot, post))
    return tuple(out)


# ---- the same from 8-dimensional state vectors -------------------------------------------------

def apply_local(psi, party: str, operator) -> np.ndarray:
    """:math:`(M \\otimes I \\otimes I)|\\psi\\rangle` with M on ``party``'s qubit (index 4a+2b+c)."""
    if party not in PARTIES:
        raise InvalidMeasurementError(f"party = {party!r} is not one of {PARTIES}")
    t = np.asarray(psi, dtype=complex).reshape(2, 2, 2)
    m = np.asarray(operator, dtype=complex)
    ax = _BIT[party]
    t = np.moveaxis(np.tensordot(m, t, axes=([1], [ax])), 0, ax)
    return t.reshape(8)


def standard_form_phase(psi, atol: float = 1e-9) -> float:
    """The angle θ such that :math:`e^{-i\\theta}\\,\\mathrm{diag}(1,e^{i\\theta})^{\\otimes 3}|\\psi\\rangle`
    has real non-negative amplitudes, for a vector on the W-class support whose
    :math:`|100\\rangle, |010\\rangle, |001\\rangle` amplitudes are real and non-negative.

    Raises :class:`InvalidMeasurementError` when the vector is not of that kind.
    """
    v = np.asarray(psi, dtype=complex).reshape(8)
    for i in (3, 5, 6, 7):
        if abs(v[i]) > atol:
            raise InvalidMeasurementError(f"amplitude {abs(v[i]):.3g} on basis state {i:03b}: "
                                          "not on the W-class support")
    for i in (4, 2, 1):
        if abs(v[i].imag) > atol or v[i].real < -atol:
            raise InvalidMeasurementError(f"amplitude {v[i]} on basis state {i:03b} is not >= 0")
    return cmath.phase(v[0]) if abs(v[0]) > atol else 0.0


def to_standard_form(psi, theta: float) -> np.ndarray:
    """:math:`e^{-i\\theta}\\,\\mathrm{diag}(1,e^{i\\theta})^{\\otimes 3}|\\psi\\rangle` (a local unitary)."""
    u = np.diag([1.0, cmath.exp(1j * theta)])
    v = np.asarray(psi, dtype=complex)
    for p in PARTIES:
        v = apply_local(v, p, u)
    return cmath.exp(-1j * theta) * v


def measure_statevector(state, measurement: LocalMeasurement) -> tuple:
    """Independent cross-check of :func:`measure` from the 8-dimensional state vector.

    Applies each float Kraus matrix to the amplitude vector, takes :math:`p = \\|M\\psi\\|^2`,
    brings the normalised vector to standard form with :func:`standard_form_phase` and reads the
    components off it. Returns float :class:`MeasurementBranch` es (probability-0 outcomes left out,
    as in :func:`measure`).
    """
    st = as_state(state)
    psi = st.amplitudes().astype(complex)
    out = []
    for idx, o in enumerate(measurement.outcomes):
        v = apply_local(psi, measurement.party, o.matrix())
        p = float(np.vdot(v, v).real)
        if p == 0:
            continue
        v = v / math.sqrt(p)
        v = to_standard_form(v, standard_form_phase(v))
        out.append(MeasurementBranch(idx, o.label, p, WClassState.from_vector(v)))
    return tuple(out)


# ---- recognising EPR pairs ---------------------------------------------------------------------

def epr_pair(state, atol: float = EPR_ATOL) -> str | None:
    """``'AB'``, ``'AC'`` or ``'BC'`` if ``state`` is :math:`|\\Psi^+\\rangle` on that pair, else None.

    The standard-form state :math:`\\sqrt{x_i}|1_i\\rangle + \\sqrt{x_j}|1_j\\rangle` is
    :math:`|\\Psi^+\\rangle_{ij}|0\\rangle_k` exactly when :math:`x_0 = x_k = 0`, :math:`x_i = x_j = 1/2`.
    Exact states are compared exactly; float states within ``atol``.
    """
    st = as_state(state)
    vals = dict(zip(PARTIES, st.x))
    if st.is_exact:
        def zero(v): return v == 0
        def equal(u, v): return u == v
    else:
        def zero(v): return abs(float(v)) <= atol
        def equal(u, v): return abs(float(u) - float(v)) <= atol
    if not zero(st.x0):
        return None
    for pair in PAIRS:
        i, j = pair
        k = next(p for p in PARTIES if p not in pair)
        if zero(vals[k]) and equal(vals[i], vals[j]) and not zero(vals[i]):
            return pair
    return None


def is_w_state(state, atol: float = EPR_ATOL) -> bool:
    """True for :math:`|W\\rangle`: :math:`x_0 = 0`, :math:`x_A = x_B = x_C` (= 1/3); exact or within atol."""
    st = as_state(state)
    if st.is_exact:
        return st.x0 == 0 and st.xA == st.xB == st.xC
    return (abs(float(st.x0)) <= atol and abs(float(st.xA) - float(st.xB)) <= atol
            and abs(float(st.xA) - float(st.xC)) <= atol)


# ---- branch trees ------------------------------------------------------------------------------

@dataclass(frozen=True)
class HistoryStep:
    """One measurement along a branch: ``party`` measured and got outcome ``index`` (``label``)."""

    party: str
    index: int
    label: str


@dataclass(frozen=True)
class Leaf:
    """A final branch: reached with ``probability``, in ``state``; ``pair`` is the EPR pair or None."""

    probability: Fraction | float
    state: WClassState
    history: tuple
    pair: str | None


Policy = Callable[[WClassState, tuple], "LocalMeasurement | None"]


@dataclass(frozen=True)
class BranchTree:
    """All leaves of a simulated protocol started on ``initial``.

    ``measurements`` counts the local measurements performed over the whole tree (internal
    nodes). Leaf probabilities are absolute (products along the branch) and sum to 1.
    """

    initial: WClassState
    leaves: tuple
    measurements: int

    def total_probability(self) -> Fraction | float:
        return _sum(lf.probability for lf in self.leaves)

    def pair_probabilities(self) -> dict:
        """``{'AB': p_AB, 'AC': p_AC, 'BC': p_BC}``."""
        return {pair: _sum(lf.probability for lf in self.leaves if lf.pair == pair)
                for pair in PAIRS}

    def success_probability(self) -> Fraction | float:
        """:math:`p_{AB} + p_{AC} + p_{BC}`."""
        return _sum(lf.probability for lf in self.leaves if lf.pair is not None)

    def leaves_where(self, predicate: Callable[[Leaf], bool]) -> tuple:
        return tuple(lf for lf in self.leaves if predicate(lf))

    @property
    def depth(self) -> int:
        return max((len(lf.history) for lf in self.leaves), default=0)


def _sum(values) -> Fraction | float:
    vals = list(values)
    if all(isinstance(v, Fraction) for v in vals):
        return sum(vals, Fraction(0))
    return math.fsum(float(v) for v in vals)


def simulate(state, policy: Policy, max_measurements: int = 1_000_000,
             atol: float = EPR_ATOL) -> BranchTree:
    """Run ``policy`` on every branch, starting from ``state``.

    At each node: if the state is an EPR pair (:func:`epr_pair`) the branch stops as a success;
    otherwise ``policy(state, history)`` returns the next :class:`LocalMeasurement` or None
    (stop: a leaf, success only if EPR). Each measurement is validated on construction
    (complete) and applied with :func:`measure`. Raises :class:`InvalidMeasurementError` if the
    policy returns something else, or after ``max_measurements`` measurements (a runaway policy).
    """
    st = as_state(state)
    one = Fraction(1) if st.is_exact else 1.0
    stack = [(st, one, ())]
    leaves = []
    count = 0
    while stack:
        cur, prob, hist = stack.pop()
        pair = epr_pair(cur, atol)
        meas = None if pair is not None else policy(cur, hist)
        if meas is None:
            leaves.append(Leaf(prob, cur, hist, pair))
            continue
        if not isinstance(meas, LocalMeasurement):
            raise InvalidMeasurementError(f"policy returned {meas!r}, not a LocalMeasurement or None")
        count += 1
        if count > max_measurements:
            raise InvalidMeasurementError(
                f"more than max_measurements = {max_measurements} measurements: runaway policy?")
        for br in reversed(measure(cur, meas)):
            stack.append((br.state, prob * br.probability,
                          hist + (HistoryStep(meas.party, br.index, br.label),)))
    return BranchTree(st, tuple(leaves), count)


__all__ = [
    "COMPLETENESS_ATOL", "EPR_ATOL", "InvalidMeasurementError", "KrausOutcome",
    "LocalMeasurement", "MeasurementBranch", "upper_triangular_form", "exact_sqrt", "measure",
    "apply_local", "standard_form_phase", "to_standard_form", "measure_statevector", "epr_pair",
    "is_w_state", "HistoryStep", "Leaf", "BranchTree", "Policy", "simulate",
]
