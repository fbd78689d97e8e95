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
* ``x0 > 0``: ``v = |000> + |100> + |010> + |001>``, ``alpha_p^2 = a_p`` rationals with
  ``a_A a_B a_C = x0`` (balanced near ``x0^{1/3}`` for conditioning), ``beta_p^2 = x_p a_p / x0``.
* a general real state (8 real amplitudes): ``D = I``, ``v = psi`` (floats are exact binary
  rationals); the objective is divided by ``|psi|^2`` (the relaxation is homogeneous in rho).
"""
from __future__ import annotations

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
        return (self.kind, self.active, self.v if self.kind == "real" else None)


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


def _balanced_rational_cube_root(x0: Fraction) -> Fraction:
    r = Fraction(round(float(x0) ** (1 / 3) * 2 ** 20), 2 ** 20)
    return r if r > 0 else Fraction(1, 2 ** 20)


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
    r = _balanced_rational_cube_root(st.x0)
    a = (r, r, st.x0 / (r * r))
    b = tuple(x[p] * a[p] / st.x0 for p in range(3))
    v = tuple(Fraction(1) if i in (0,) + W_SUPPORT else Fraction(0) for i in range(8))
    r = _diag_from_local(a, b)
    return Frame("w", _zero_inactive(v, r), r, Fraction(1), a, b)


def real_amplitude_frame(psi) -> Frame:
    arr = np.asarray(psi)
    if arr.size != 8:
        raise InvalidStateError(f"a three-qubit state has 8 amplitudes, got {arr.size}")
    if np.iscomplexobj(arr):
        if np.any(arr.imag != 0):
            raise InvalidStateError("complex amplitudes: use the cvxpy engine (engine='cvxpy')")
        arr = arr.real
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

