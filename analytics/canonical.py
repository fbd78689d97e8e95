r"""Local-unitary canonical form of a three-qubit pure state and its entanglement class.

Canonical form (A. Acin et al., PRL 85, 1560 (2000), the generalised Schmidt decomposition):

.. math::

    |\psi\rangle = l_0|000\rangle + l_1 e^{i\varphi}|100\rangle + l_2|101\rangle
        + l_3|110\rangle + l_4|111\rangle, \qquad l_i \ge 0,\ \varphi \in (-\pi, \pi].

Construction (:func:`canonical_form`): write ``psi = |0>_A T0 + |1>_A T1`` (T_a 2 x 2 over BC);
a new basis vector ``<0'| = (u, w)/n`` of A with ``det(u T0 + w T1) = 0`` makes the A = 0' part a
product ``l0 |b0 c0>``; B and C take ``b0, c0`` as their first basis vectors, and the phases of
the second basis vectors make ``l2, l3, l4`` real. The two roots of the quadratic give two
canonical forms; we take the one with the larger ``l0`` (any is a valid LU image: the task is
LU invariant, formulation.md section 9). The quadratic's discriminant is Cayley's
hyperdeterminant, so the 3-tangle is ``tau = 4 l0^2 l4^2 = 4 |Det psi|``.

Class (:func:`entanglement_class`), from exact invariants of the given amplitudes
(:class:`analytics.gaussian.GaussianRational` arithmetic, no rounding):

* ``product``: every one-party reduced state is pure (``det rho_p = 0`` for p = A, B, C);
* ``biseparable``: exactly one party p has ``det rho_p = 0``; the other two (``pair``) share
  the entanglement (the state is ``|p> (x) |two-qubit>``);
* ``W``: genuinely entangled and ``Det psi = 0`` (3-tangle 0);
* ``GHZ``: ``Det psi != 0``.

For exact input the class is decided exactly (``class_exact = True``). For float input the
invariants of the binary values are exact too; an invariant that is not exactly zero but below
:data:`CLASS_TOL` (relative to ``|psi|^4``) is taken as zero and ``class_exact = False`` is
reported (the binary rounding of ``1/sqrt(3)`` must not turn |W> into a GHZ-class state).

The W-class form (:func:`w_class_form`) of a W-class state is exact for exact input: the double
root of the quadratic is a Gaussian rational and every squared coefficient a rational, so
``x0 = l1^2, xA = l0^2, xB = l3^2, xC = l2^2`` (after the relabelling ``|0>_A <-> |1>_A``, which
turns ``l0|000> + l1|100> + l2|101> + l3|110>`` into ``sqrt(x0)|000> + sqrt(xA)|100> +
sqrt(xB)|010> + sqrt(xC)|001>``) are exact Fractions.
"""
from __future__ import annotations

import cmath
import math
from dataclasses import dataclass
from fractions import Fraction

import numpy as np

from .errors import InvalidStateError
from .gaussian import ZERO, GaussianRational
from .general_states import ThreeQubitState, three_qubit_state
from .states import PARTIES, WClassState

#: Invariants of float input below this (relative to |psi|^4) count as zero.
CLASS_TOL = 1e-10

CLASSES = ("product", "biseparable", "W", "GHZ")


def _det2(m) -> GaussianRational:
    return m[0][0] * m[1][1] - m[0][1] * m[1][0]


def _party_matrix(psi, party: str) -> list:
    """2 x 4 matrix ``T[a][rest]`` of the bipartition ``party | others`` (GaussianRationals)."""
    k = PARTIES.index(party)
    rows = [[], []]
    for i in range(8):
        bit = (i >> (2 - k)) & 1
        rows[bit].append(psi[i])
    return rows


def reduced_det(psi, party: str) -> Fraction:
    """``det rho_p`` of the unnormalised ``|psi><psi|`` (exact): the Gram determinant
    ``|T0|^2 |T1|^2 - |<T0, T1>|^2`` of the two rows of the ``p | rest`` matrix."""
    r0, r1 = _party_matrix(psi, party)
    n0 = sum((a.abs2() for a in r0), Fraction(0))
    n1 = sum((a.abs2() for a in r1), Fraction(0))
    ip = sum((a.conj() * b for a, b in zip(r0, r1)), ZERO)
    return n0 * n1 - ip.abs2()


def hyperdeterminant(psi) -> GaussianRational:
    """Cayley's hyperdeterminant of the 2 x 2 x 2 amplitude tensor (exact); the 3-tangle of the
    normalised state is ``4 |Det| / |psi|^4`` (Coffman, Kundu, Wootters, PRA 61, 052306)."""
    a = lambda i, j, k: psi[4 * i + 2 * j + k]  # noqa: E731
    d = (a(0, 0, 0) * a(0, 0, 0) * a(1, 1, 1) * a(1, 1, 1)
         + a(0, 0, 1) * a(0, 0, 1) * a(1, 1, 0) * a(1, 1, 0)
         + a(0, 1, 0) * a(0, 1, 0) * a(1, 0, 1) * a(1, 0, 1)
         + a(1, 0, 0) * a(1, 0, 0) * a(0, 1, 1) * a(0, 1, 1))
    d2 = (a(0, 0, 0) * a(0, 0, 1) * a(1, 1, 0) * a(1, 1, 1)
          + a(0, 0, 0) * a(0, 1, 0) * a(1, 0, 1) * a(1, 1, 1)
          + a(0, 0, 0) * a(1, 0, 0) * a(0, 1, 1) * a(1, 1, 1)
          + a(0, 0, 1) * a(0, 1, 0) * a(1, 0, 1) * a(1, 1, 0)
          + a(0, 0, 1) * a(1, 0, 0) * a(0, 1, 1) * a(1, 1, 0)
          + a(0, 1, 0) * a(1, 0, 0) * a(0, 1, 1) * a(1, 0, 1))
    d4 = (a(0, 0, 0) * a(0, 1, 1) * a(1, 0, 1) * a(1, 1, 0)
          + a(0, 0, 1) * a(0, 1, 0) * a(1, 0, 0) * a(1, 1, 1))
    return d - 2 * d2 + 4 * d4


@dataclass(frozen=True)
class EntanglementClass:
    """The SLOCC class of a state.

    ``name`` in :data:`CLASSES`; ``pair`` the entangled pair of a biseparable state (else
    None); ``exact`` True when decided exactly; ``reduced_dets`` the normalised ``det rho_p``
    (exact Fractions, p = A, B, C); ``tangle_sq`` the squared 3-tangle ``16 |Det|^2 / |psi|^8``
    (exact Fraction).
    """

    name: str
    pair: str | None
    exact: bool
    reduced_dets: tuple
    tangle_sq: Fraction

    @property
    def tangle(self) -> float:
        """The 3-tangle ``tau = 4 |Det psi|`` (float)."""
        return math.sqrt(float(self.tangle_sq))

    def describe(self) -> str:
        how = "decided exactly" if self.exact else f"invariants below {CLASS_TOL:g} taken as 0"
        if self.name == "biseparable":
            single = next(p for p in PARTIES if p not in self.pair)
            return f"biseparable {single} | {self.pair} ({how})"
        if self.name == "W":
            return f"W-class ({how})"
        if self.name == "GHZ":
            return f"GHZ-class, 3-tangle {self.tangle:.6g} ({how})"
        return f"product ({how})"


def entanglement_class(state) -> EntanglementClass:
    """The class of ``state`` (module docstring); ``state`` is anything
    :func:`analytics.general_states.three_qubit_state` accepts."""
    st = three_qubit_state(state)
    n2 = st.norm2
    dets = tuple(reduced_det(st.psi, p) / (n2 * n2) for p in PARTIES)
    hd = hyperdeterminant(st.psi)
    t2 = 16 * hd.abs2() / n2 ** 4
    zero_d = [d == 0 for d in dets]
    zero_t = t2 == 0
    exact = True
    if not st.exact_input:
        tol = Fraction(CLASS_TOL)
        near_d = [d <= tol for d in dets]
        near_t = t2 <= tol * tol
        if near_d != zero_d or near_t != zero_t:
            exact = False
        zero_d, zero_t = near_d, near_t
    nz = sum(zero_d)
    if nz >= 2:
        return EntanglementClass("product", None, exact, dets, t2)
    if nz == 1:
        p = PARTIES[zero_d.index(True)]
        return EntanglementClass("biseparable", "".join(q for q in PARTIES if q != p), exact,
                                 dets, t2)
    return EntanglementClass("W" if zero_t else "GHZ", None, exact, dets, t2)


# ---- the canonical form (floats) ----------------------------------------------------------

@dataclass(frozen=True)
class CanonicalForm:
    """``l = (l0, ..., l4)`` (floats >= 0) and ``phi`` of Acin et al.'s form; ``unitaries``
    the 2 x 2 local unitaries ``(U_A, U_B, U_C)`` with ``(U_A x U_B x U_C) psi/|psi| =
    canonical vector`` (checked to 1e-9 when built); ``cls`` the :class:`EntanglementClass`."""

    l: tuple
    phi: float
    unitaries: tuple
    cls: EntanglementClass

    def vector(self) -> np.ndarray:
        """The canonical state as 8 complex amplitudes."""
        v = np.zeros(8, dtype=complex)
        l0, l1, l2, l3, l4 = self.l
        v[0], v[4], v[5], v[6], v[7] = l0, l1 * cmath.exp(1j * self.phi), l2, l3, l4
        return v

    def text(self) -> str:
        l0, l1, l2, l3, l4 = self.l
        return (f"l0 = {l0:.9g}, l1 = {l1:.9g}, l2 = {l2:.9g}, l3 = {l3:.9g}, l4 = {l4:.9g}, "
                f"phi = {self.phi:.9g}")


def _quadratic_roots(T0: np.ndarray, T1: np.ndarray) -> list:
    """Directions ``(u, w)`` (unit vectors) with ``det(u T0 + w T1) = 0``."""
    a = np.linalg.det(T0)
    c = np.linalg.det(T1)
    b = T0[0, 0] * T1[1, 1] + T0[1, 1] * T1[0, 0] - T0[0, 1] * T1[1, 0] - T0[1, 0] * T1[0, 1]
    scale = max(abs(a), abs(b), abs(c))
    if scale == 0:
        return [np.array([1.0, 0.0], dtype=complex)]
    if abs(a) >= abs(c):
        disc = cmath.sqrt(b * b - 4 * a * c)
        roots = [np.array([r, 1.0], dtype=complex) for r in ((-b + disc) / (2 * a), (-b - disc) / (2 * a))] \
            if abs(a) > 1e-15 * scale else [np.array([1.0, 0.0], dtype=complex),
                                            np.array([-c, b], dtype=complex)]
    else:
        disc = cmath.sqrt(b * b - 4 * a * c)
        roots = [np.array([1.0, r], dtype=complex) for r in ((-b + disc) / (2 * c), (-b - disc) / (2 * c))]
    out = []
    for r in roots:
        m = np.max(np.abs(r))
        if not np.isfinite(m) or m == 0:
            continue
        r = r / m  # first to O(1): |r|^2 of a 1e-300 entry underflows
        out.append(r / np.linalg.norm(r))
    return out or [np.array([1.0, 0.0], dtype=complex)]


def _canonical_from_root(psi: np.ndarray, r: np.ndarray):
    T0, T1 = psi[:4].reshape(2, 2), psi[4:].reshape(2, 2)
    u, w = r
    UA = np.array([[u, w], [-np.conj(w), np.conj(u)]])
    M0 = u * T0 + w * T1
    M1 = -np.conj(w) * T0 + np.conj(u) * T1
    U, s, Vh = np.linalg.svd(M0)
    B = U          # kets b_j = U[:, j]
    C = Vh.T       # kets c_k = Vh[k, :]: M0[x, y] = s0 b0[x] c0[y]
    t = B.conj().T @ M1 @ np.conj(C)   # t[j, k] = b_j^dag M1 conj(c_k)
    l0 = float(s[0])
    # phases: alpha (A's |1>), beta (B's |1>), gamma (C's |1>) make t01, t10, t11 real >= 0
    ang = lambda z: cmath.phase(z) if abs(z) > 1e-14 else 0.0  # noqa: E731
    g01, g10, g11 = ang(t[0, 1]), ang(t[1, 0]), ang(t[1, 1])
    if abs(t[1, 1]) > 1e-14:
        alpha = g01 + g10 - g11 if abs(t[0, 1]) > 1e-14 and abs(t[1, 0]) > 1e-14 else None
    else:
        alpha = None
    if alpha is None:  # phi is removable: make t00 real too
        if abs(t[1, 1]) <= 1e-14:
            alpha = ang(t[0, 0])
            gamma = g01 - alpha
            beta = g10 - alpha
        elif abs(t[0, 1]) <= 1e-14:
            alpha = ang(t[0, 0])
            beta = g10 - alpha if abs(t[1, 0]) > 1e-14 else g11 - alpha
            gamma = g11 - alpha - beta
        else:  # t10 == 0
            alpha = ang(t[0, 0])
            gamma = g01 - alpha
            beta = g11 - alpha - gamma
    else:
        gamma, beta = g11 - g10, g11 - g01
    PA = np.diag([1, cmath.exp(-1j * alpha)])
    PB = np.diag([1, cmath.exp(-1j * beta)])
    PC = np.diag([1, cmath.exp(-1j * gamma)])
    UA, UB, UC = PA @ UA, PB @ B.conj().T, PC @ np.conj(C).T
    out = np.einsum("ai,bj,ck,ijk->abc", UA, UB, UC, psi.reshape(2, 2, 2)).reshape(8)
    phi = cmath.phase(out[4]) if abs(out[4]) > 1e-14 else 0.0
    l = (l0, abs(out[4]), float(out[5].real), float(out[6].real), float(out[7].real))
    return l, phi, (UA, UB, UC), out


def canonical_form(state) -> CanonicalForm:
    """Acin et al.'s canonical form of ``state`` (module docstring), in floats, and its class.

    Raises :class:`InvalidStateError` if the numerical construction does not reproduce the
    state to 1e-9 (never seen; a guard, not a tolerance on the result)."""
    st = three_qubit_state(state)
    cls = entanglement_class(st)
    psi = st.vector()
    T0, T1 = psi[:4].reshape(2, 2), psi[4:].reshape(2, 2)
    roots = _quadratic_roots(T0, T1)
    if cls.name == "W" and len(roots) == 2:
        # a double root: take the mean, robust when rounding splits it
        ov = np.vdot(roots[1], roots[0])
        r = roots[0] + roots[1] * (ov / abs(ov) if abs(ov) > 0 else 1)
        roots = [r / np.linalg.norm(r)]
    best = None
    for r in roots:
        cand = _canonical_from_root(psi, r)
        if best is None or cand[0][0] > best[0][0] + 1e-12:
            best = cand
    l, phi, U, out = best
    canon = CanonicalForm(tuple(max(0.0, x) for x in l), phi, U, cls)
    if np.linalg.norm(out - canon.vector()) > 1e-9 or min(l) < -1e-9:
        raise InvalidStateError(f"canonical form construction failed for {st} "
                                f"(residual {np.linalg.norm(out - canon.vector()):.3g})")
    return canon


# ---- the W-class form (exact for exact input) ---------------------------------------------

def _gauss_matrix(psi, a: int) -> list:
    return [[psi[4 * a + 2 * b + c] for c in (0, 1)] for b in (0, 1)]


def _lin(u, A, w, B) -> list:
    return [[u * A[i][j] + w * B[i][j] for j in (0, 1)] for i in (0, 1)]


def w_class_form(state) -> WClassState:
    """The W-class state ``x = (xA, xB, xC)``, ``x0`` local-unitarily equivalent to ``state``
    (module docstring). Exact Fractions for a state whose class was decided exactly; for float
    input that is W-class only within :data:`CLASS_TOL`, the float form of the double root (a
    state within about ``sqrt(CLASS_TOL)`` of the input). Raises :class:`InvalidStateError` if
    the state is not W-class."""
    st = three_qubit_state(state)
    cls = entanglement_class(st)
    if cls.name != "W":
        raise InvalidStateError(f"not a W-class state ({cls.describe()}): {st}")
    if not cls.exact:
        canon = canonical_form(st)
        l0, l1, l2, l3, _ = canon.l
        tot = l0 * l0 + l1 * l1 + l2 * l2 + l3 * l3
        return WClassState(l0 * l0 / tot, l3 * l3 / tot, l2 * l2 / tot, x0=l1 * l1 / tot)
    T0, T1 = _gauss_matrix(st.psi, 0), _gauss_matrix(st.psi, 1)
    a, c = _det2(T0), _det2(T1)
    b = T0[0][0] * T1[1][1] + T0[1][1] * T1[0][0] - T0[0][1] * T1[1][0] - T0[1][0] * T1[0][1]
    if b * b - 4 * a * c != 0:
        raise InvalidStateError("W-class state with a non-zero discriminant (internal error)")
    one = GaussianRational(Fraction(1))
    if a:
        u, w = -b / (2 * a), one
    elif c:
        u, w = one, -b / (2 * c)
    else:
        u, w = one, ZERO
    n2 = u.abs2() + w.abs2()
    M0 = _lin(u, T0, w, T1)
    M1 = _lin(-w.conj(), T0, u.conj(), T1)
    if _det2(M0):
        raise InvalidStateError("W-class form: the A = 0' block is not a product (internal error)")
    # b0 ~ a non-zero column of M0, c0 ~ a non-zero row (as ket amplitudes, M0 = l0 b0 c0^T)
    col = next(j for j in (0, 1) if M0[0][j] or M0[1][j])
    row = next(i for i in (0, 1) if M0[i][0] or M0[i][1])
    b0 = (M0[0][col], M0[1][col])
    c0 = (M0[row][0], M0[row][1])
    b1 = (-b0[1].conj(), b0[0].conj())
    c1 = (-c0[1].conj(), c0[0].conj())
    nb = b0[0].abs2() + b0[1].abs2()
    nc = c0[0].abs2() + c0[1].abs2()

    def coef_sq(bv, cv) -> Fraction:  # |b^dag M1 conj(c)|^2 / (n2 |b|^2 |c|^2)
        z = sum((bv[i].conj() * M1[i][j] * cv[j].conj() for i in (0, 1) for j in (0, 1)), ZERO)
        return z.abs2() / (n2 * nb * nc)

    t11 = coef_sq(b1, c1)
    if t11 != 0:
        raise InvalidStateError("W-class form: l4 != 0 (internal error)")
    l0sq = sum((M0[i][j].abs2() for i in (0, 1) for j in (0, 1)), Fraction(0)) / n2
    x0, xC, xB = coef_sq(b0, c0), coef_sq(b0, c1), coef_sq(b1, c0)
    total = st.norm2
    if l0sq + x0 + xB + xC != total:
        raise InvalidStateError("W-class form: weights do not add up (internal error)")
    return WClassState(l0sq / total, xB / total, xC / total, x0=x0 / total)


def route(state, normalise: bool = False):
    """``(ThreeQubitState, WClassState or None)``: the one routing decision of every state
    (:func:`analytics.lower.sep_lower_bound`, ``sepgap bound --amplitudes/--state-file``, every
    row of a general sweep and its re-derivation by ``sepgap verify``). The exact W-class form
    when the state is W-class and its class was decided exactly (then the form is exactly
    LU-equivalent to the input, so the W machinery's bounds are bounds for the input); None
    otherwise: a float state that is W-class only up to :data:`CLASS_TOL` keeps the general
    engines, which bound the input itself."""
    st = three_qubit_state(state, normalise=normalise)
    c = canonical_form(st)
    return st, (w_class_form(st) if c.cls.name == "W" and c.cls.exact else None)


__all__ = ["CLASSES", "CLASS_TOL", "EntanglementClass", "CanonicalForm", "entanglement_class",
           "canonical_form", "w_class_form", "reduced_det", "hyperdeterminant", "route"]
