"""Exact rational data for the relaxation: the "frame" of a state.

For a W-class state the amplitudes ``sqrt(x_i)`` are irrational, but a *local diagonal
congruence* removes them. Write ``|phi> = D |v>`` with ``D = D_A (x) D_B (x) D_C``,
``D_p = diag(alpha_p, beta_p)`` and ``v`` a 0/1 vector. A separable (or PPT) instrument
``{J_k, E}`` for ``|phi>`` corresponds to ``J'_k = (D (x) I) J_k (D (x) I)``, ``E' = D E D`` for
``|v>``, with the same objective, the same exactness condition, PPT preserved (D is local,
real and diagonal) and completeness ``sum_k Tr_out J'_k + E' = D^2``. Conversely, a dual point
of the ``v``-problem maps to one of the ``phi``-problem by the same congruence, with the same
objective ``Tr[Y' D^2] = Tr[D Y' D]`` (formulation.md section 6; this holds for singular D
too). So the relaxation is solved and certified with rational data only:

* ``x0 = 0``: ``v = |100> + |010> + |001>``, ``alpha_p = 1``, ``beta_p^2 = x_p``.
* ``x0 > 0``: ``v_i`` a rational close to the amplitude ``sqrt(x_i)`` (i = 000, 100, 010, 001),
  ``alpha_A^2 = alpha_B^2 = 1``, ``alpha_C^2 = x0 / v_000^2``, ``beta_p^2 = x_p / (v_p^2 prod_{q != p} alpha_q^2)``: all
  exact rationals and ``D^2 = I`` up to about ``2^-20``, so the relaxation is as well conditioned as
  the original (``v`` depends on the state, so the model is compiled per state).
* a general real state (8 real amplitudes): ``D = I``, ``v = psi`` (floats are exact binary
  rationals); the objective is divided by ``|psi|^2`` (the relaxation is homogeneous in rho).
"""
from __future__ import annotations

import math
import numbers
from dataclasses import dataclass
from fractions import Fraction

import numpy as np

from analytics.errors import InvalidStateError
from analytics.states import WClassState

W_SUPPORT = (4, 2, 1)  # |100>, |010>, |001>


@dataclass(frozen=True)
class Frame:
    """``kind`` in {"w0", "w", "real"}; ``v`` and ``r_diag`` exact (8 Fractions each)."""

    kind: str
    v: tuple
    r_diag: tuple
    scale: Fraction = Fraction(1)
    alpha_sq: tuple | None = None
    beta_sq: tuple | None = None

    @property
    def u1_symmetric(self) -> bool:
        """The U(1) charge twirl is valid only when every amplitude has one excitation."""
        return self.kind == "w0"

    @property
    def active(self) -> tuple:
        """Input basis states with ``D^2 > 0``; the others carry nothing (facially reduced)."""
        return tuple(i for i in range(8) if self.r_diag[i] != 0)

    def v_float(self) -> np.ndarray:
        return np.array([float(a) for a in self.v])

    def theta(self) -> np.ndarray:
        """The data vector of the compiled model: the diagonal of ``D^2`` as floats."""
        return np.array([float(r) for r in self.r_diag])

    def structure_key(self) -> tuple:
        """What the compiled model depends on besides theta."""
        return (self.kind, self.active, self.v if self.kind in ("real", "w") else None)


def _bits(i: int) -> tuple:
    return ((i >> 2) & 1, (i >> 1) & 1, i & 1)


def _diag_from_local(a: tuple, b: tuple) -> tuple:
    """Diagonal of ``D^2`` from per-party ``alpha^2 = a_p`` and ``beta^2 = b_p``."""
    out = []
    for i in range(8):
        r = Fraction(1)
        for p, bit in enumerate(_bits(i)):
            r *= b[p] if bit else a[p]
        out.append(r)
    return tuple(out)


#: Bits of the rational approximations of the amplitudes in the x0 > 0 frame: D^2 = I to within
#: about 2^-20; any value is exact (D absorbs the difference), only the conditioning depends on it.
FRAME_BITS = 20


def _rational_sqrt(q: Fraction, bits: int = FRAME_BITS) -> Fraction:
    """A positive rational within a relative ``2^-bits`` of ``sqrt(q)`` (q > 0), in integer
    arithmetic (no float underflow for tiny q): ``isqrt(q 4^k) / 2^k`` with ``q 4^k ~ 4^bits``."""
    k = max(0, bits - (q.numerator.bit_length() - q.denominator.bit_length()) // 2 + 1)
    root = math.isqrt(q.numerator * 4 ** k // q.denominator)
    return Fraction(max(root, 1), 2 ** k)


def _zero_inactive(v: tuple, r: tuple) -> tuple:
    """``v_i = 0`` where ``D^2_ii = 0``: D v is unchanged and the data vanish on dead inputs."""
    return tuple(Fraction(0) if ri == 0 else vi for vi, ri in zip(v, r))


def w_class_frame(state: WClassState) -> Frame:
    st = state.exact()
    x = tuple(st.x)
    if st.x0 == 0:
        a = (Fraction(1),) * 3
        b = x
        v = tuple(Fraction(1) if i in W_SUPPORT else Fraction(0) for i in range(8))
        r = _diag_from_local(a, b)
        return Frame("w0", _zero_inactive(v, r), r, Fraction(1), a, b)
    # v carries the amplitudes (rounded to rationals) and D = I up to ~2^-FRAME_BITS: the
    # relaxation keeps the conditioning of the original problem. (A 0/1 vector v would put
    # the amplitudes into D, whose squares then span x0^3 .. 1/x0^2: SCS stalled and Clarabel
    # failed near the plane, docs/upper-bounds.md.)
    v = [Fraction(0)] * 8
    v[0] = _rational_sqrt(st.x0)
    a = (Fraction(1), Fraction(1), st.x0 / (v[0] * v[0]))
    b = []
    for p, i in enumerate(W_SUPPORT):
        if x[p] == 0:  # beta_p = 0: inputs with p excited carry nothing (facially reduced)
            b.append(Fraction(0))
            continue
        v[i] = _rational_sqrt(x[p])
        b.append(x[p] * a[p] / (a[0] * a[1] * a[2] * v[i] * v[i]))  # D^2_i v_i^2 = x_p
    r = _diag_from_local(a, tuple(b))
    return Frame("w", _zero_inactive(tuple(v), r), r, Fraction(1), a, tuple(b))


def real_amplitude_frame(psi) -> Frame:
    arr = np.asarray(psi)
    if arr.size != 8:
        raise InvalidStateError(f"a three-qubit state has 8 amplitudes, got {arr.size}")
    if np.iscomplexobj(arr):
        if np.any(arr.imag != 0):
            raise InvalidStateError("complex amplitudes: use the cvxpy engine (engine='cvxpy')")
        arr = arr.real
    if arr.dtype == object and all(isinstance(a, numbers.Rational) and not isinstance(a, bool)
                                   for a in arr.reshape(-1)):
        # exact rationals stay exact (analytics.general_states: exact input is never rounded)
        v = tuple(Fraction(int(a.numerator), int(a.denominator)) for a in arr.reshape(8))
    else:
        arr = arr.astype(float).reshape(8)
        if not np.all(np.isfinite(arr)):
            raise InvalidStateError("state vector contains NaN or inf")
        v = tuple(Fraction(float(a)) for a in arr)
    norm2 = sum(a * a for a in v)
    if norm2 == 0 or abs(float(norm2) - 1) > 1e-9:
        raise InvalidStateError(f"state vector has squared norm {float(norm2)!r}, not 1")
    return Frame("real", v, (Fraction(1),) * 8, norm2, (Fraction(1),) * 3, (Fraction(1),) * 3)


def frame_for(state) -> Frame:
    """The exact frame of a WClassState, a sequence (xA, xB, xC), or 8 real amplitudes."""
    if isinstance(state, WClassState):
        return w_class_frame(state)
    arr = np.asarray(state) if not isinstance(state, (list, tuple)) or len(state) == 8 else None
    if arr is not None and arr.size == 8:
        return real_amplitude_frame(arr)
    return w_class_frame(WClassState.from_sequence(state))


def check_frame(frame: Frame, state: WClassState) -> None:
    """Exact check that ``D v`` has squared amplitudes ``(x0, xA, xB, xC)`` (used by the verifier)."""
    st = state.exact()
    want = {0: st.x0, 4: st.xA, 2: st.xB, 1: st.xC}
    for i in range(8):
        sq = frame.r_diag[i] * frame.v[i] * frame.v[i]
        if sq != want.get(i, 0):
            raise InvalidStateError(f"frame does not reproduce the state at basis index {i}")
        if frame.v[i] < 0:
            raise InvalidStateError("frame vector must be non-negative")
    if any(r < 0 for r in frame.r_diag):
        raise InvalidStateError("D^2 must be non-negative")

