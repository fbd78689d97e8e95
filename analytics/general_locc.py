r"""An explicit LOCC protocol for any three-qubit pure state: measure one party, then Vidal.

Protocol (generalising :func:`analytics.locc.projective_vidal_protocol` from W-class states
with real bases to any state and any basis): party k measures its qubit projectively in the
orthonormal basis ``{|u>, |u_perp>}``, ``u = (u0, u1)``, ``u_perp = (-conj u1, conj u0)``; each
outcome leaves a pure two-qubit state of the other two parties, which they convert to an EPR
pair with Vidal's optimal probability ``2 lambda_min`` (G. Vidal, PRL 83, 1046 (1999)).

Value, exactly. Write ``psi = |0>_k T0 + |1>_k T1`` (T_a 2 x 2 over the other two parties) and
``M = conj(u0) T0 + conj(u1) T1`` for outcome u (``-u1 T0 + u0 T1`` for u_perp), ``N = |u|^2``.
The outcome has probability ``p = |M|_F^2 / (N |psi|^2)`` and squared Schmidt coefficients with
``lambda_1 lambda_2 = |det M|^2 / |M|_F^4``, so ``p * 2 lambda_min = (A - sqrt(A^2 - 4B)) /
(N |psi|^2)`` with ``A = |M|_F^2``, ``B = |det M|^2``. For a basis with Gaussian-rational
entries A, B, N are exact rationals; the square root is exact when it is rational and rounded
*up* otherwise, so :attr:`MeasureVidal.value` is an exact rational lower bound on this
protocol's success probability (hence on LOCC and on SEP).

The basis is optimised numerically (Bloch-sphere grid plus Nelder-Mead, for each party), then
rounded to a Gaussian-rational vector; the computational, X and Y bases of every party are
always among the candidates (X gives 1 for GHZ and ``2 min(|a|^2, |b|^2)`` for
``a|000> + b|111>``). Before it is returned the protocol is checked
(:func:`check_measure_vidal`): Kraus operators built as matrices, completeness, every success
branch maximally entangled on its pair, probabilities summing to the value (to 1e-9).
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from fractions import Fraction

import numpy as np

from .errors import SepgapError
from .gaussian import ZERO, GaussianRational
from .general_states import ThreeQubitState, three_qubit_state
from .measurements import exact_sqrt
from .states import PARTIES

#: Bits of the rational approximation of an optimised basis vector.
BASIS_BITS = 30


class ProtocolCheckError(SepgapError):
    """An explicit protocol failed its check (never expected; the value is then not reported)."""


@dataclass(frozen=True)
class MeasureVidal:
    """One-measurement protocol: ``party`` measures in ``{u, u_perp}``, the pair left uses Vidal.

    ``value`` exact rational lower bound on its success probability; ``p_pairs`` the same per
    target pair (the pair of the two other parties gets everything); ``kind`` =
    ``"locc_protocol"`` (an explicit LOCC protocol, so also a SEP lower bound); ``checked``
    True once :func:`check_measure_vidal` passed.
    """

    party: str
    u: tuple
    value: Fraction
    p_pairs: dict
    checked: bool
    kind: str = "locc_protocol"

    @property
    def pair(self) -> str:
        return "".join(p for p in PARTIES if p != self.party)

    def describe(self) -> str:
        u0, u1 = (complex(z) for z in self.u)
        n = math.sqrt(abs(u0) ** 2 + abs(u1) ** 2)
        return (f"{self.party} measures in the basis u = ({u0 / n:.6g}, {u1 / n:.6g}) and its "
                f"complement, then Vidal's conversion on {self.pair}")


def _split(psi, party: str) -> tuple:
    """``(T0, T1)``: 2 x 2 nested lists (other two parties in order) of GaussianRationals."""
    k = PARTIES.index(party)
    T = ([[ZERO, ZERO], [ZERO, ZERO]], [[ZERO, ZERO], [ZERO, ZERO]])
    for i in range(8):
        bits = ((i >> 2) & 1, (i >> 1) & 1, i & 1)
        rest = [b for j, b in enumerate(bits) if j != k]
        T[bits[k]][rest[0]][rest[1]] = psi[i]
    return T


def sqrt_up(q: Fraction) -> Fraction:
    """A rational >= sqrt(q): exact when q is a rational square."""
    r = exact_sqrt(q)
    if r is not None:
        return r
    # 64 bits beyond the leading bit of sqrt(q), whatever its magnitude (1e-400 too)
    k = max(0, 64 + (q.denominator.bit_length() - q.numerator.bit_length()) // 2 + 1)
    return Fraction(math.isqrt(q.numerator * 4 ** k // q.denominator) + 1, 2 ** k)


def _outcome_terms(T, c0: GaussianRational, c1: GaussianRational) -> tuple:
    M = [[c0 * T[0][i][j] + c1 * T[1][i][j] for j in (0, 1)] for i in (0, 1)]
    A = sum((M[i][j].abs2() for i in (0, 1) for j in (0, 1)), Fraction(0))
    det = M[0][0] * M[1][1] - M[0][1] * M[1][0]
    return A, det.abs2()


def exact_value(state, party: str, u) -> Fraction:
    """Exact rational lower bound on the success probability of the protocol (module docstring)."""
    st = three_qubit_state(state)
    return unnormalised_value(st.psi, party, u) / st.norm2


def unnormalised_value(psi, party: str, u) -> Fraction:
    """The protocol's success probability on ``psi / |psi|`` times ``|psi|^2`` (exact, the
    square roots rounded up): homogeneous of degree 1 in ``|psi|^2``, so a branch of a larger
    protocol contributes ``unnormalised_value(branch) / |root|^2``. ``psi``: 8
    GaussianRationals (any norm, zero allowed), ``u``: 2 GaussianRationals, not both zero."""
    u0, u1 = (z if isinstance(z, GaussianRational) else GaussianRational(*z) for z in u)
    N = u0.abs2() + u1.abs2()
    if N == 0:
        raise ValueError("the basis vector u is zero")
    T = _split(psi, party)
    total = Fraction(0)
    for c0, c1 in ((u0.conj(), u1.conj()), (-u1, u0)):
        A, B = _outcome_terms(T, c0, c1)
        total += A - sqrt_up(max(A * A - 4 * B, Fraction(0)))
    return max(Fraction(0), total / N)


def float_values(T0: np.ndarray, T1: np.ndarray, theta: np.ndarray, phi: np.ndarray) -> np.ndarray:
    """Protocol values for u = (cos(theta/2), e^{i phi} sin(theta/2)) (normalised psi)."""
    c, s = np.cos(theta / 2), np.sin(theta / 2) * np.exp(1j * phi)
    total = 0.0
    for a, b in ((np.conj(c), np.conj(s)), (-s, c)):
        M = a[..., None, None] * T0 + b[..., None, None] * T1
        A = np.sum(np.abs(M) ** 2, axis=(-2, -1))
        B = np.abs(M[..., 0, 0] * M[..., 1, 1] - M[..., 0, 1] * M[..., 1, 0]) ** 2
        total = total + 4 * B / (A + np.sqrt(np.maximum(A * A - 4 * B, 0.0)) + 1e-300)
    return total


def _gauss(z: complex) -> GaussianRational:
    lim = 2 ** BASIS_BITS
    return GaussianRational(Fraction(z.real).limit_denominator(lim),
                            Fraction(z.imag).limit_denominator(lim))


def _candidates(T0, T1) -> list:
    """Optimised ``u`` (complex pairs) for one party: the best grid points refined."""
    from scipy.optimize import minimize
    th, ph = np.meshgrid(np.linspace(0, math.pi, 25), np.linspace(0, 2 * math.pi, 48,
                                                                   endpoint=False))
    vals = float_values(T0, T1, th, ph)
    order = np.argsort(vals.ravel())[::-1][:3]
    out = []
    for idx in order:
        x0 = np.array([th.ravel()[idx], ph.ravel()[idx]])
        res = minimize(lambda x: -float(float_values(T0, T1, np.array(x[0]), np.array(x[1]))),
                       x0, method="Nelder-Mead", options={"xatol": 1e-10, "fatol": 1e-14,
                                                          "maxiter": 400})
        t, p = res.x
        out.append((math.cos(t / 2), complex(math.sin(t / 2) * np.exp(1j * p))))
    return out


FIXED_BASES = ((1, 0), (1, 1), (1, 1j))


def measure_vidal_protocol(state, optimise: bool = True) -> MeasureVidal:
    """The best one-measurement protocol found (module docstring), checked before it is
    returned; ``optimise=False`` tries only the computational, X and Y bases."""
    st = three_qubit_state(state)
    psi = st.vector()
    best = None
    for party in PARTIES:
        T = _split(st.psi, party)
        cands = [(_gauss(complex(a)), _gauss(complex(b))) for a, b in FIXED_BASES]
        if optimise:
            k = PARTIES.index(party)
            t = np.moveaxis(psi.reshape(2, 2, 2), k, 0)
            cands += [(_gauss(a), _gauss(b)) for a, b in _candidates(t[0], t[1])]
        for u in cands:
            v = exact_value(st, party, u)
            if best is None or v > best[0]:
                best = (v, party, u)
    v, party, u = best
    pair = "".join(p for p in PARTIES if p != party)
    res = MeasureVidal(party, u, v, {p: (v if p == pair else Fraction(0)) for p in ("AB", "AC", "BC")},
                       False)
    check_measure_vidal(st, res)
    return MeasureVidal(res.party, res.u, res.value, res.p_pairs, True)


def vidal_kraus(M: np.ndarray) -> tuple:
    """Vidal's two-outcome measurement on the first qubit of the pure two-qubit state ``M``
    (amplitude matrix, normalised): ``(K_success, K_fail)`` (2 x 2) and the success
    probability ``2 lambda_min``."""
    U, s, Vh = np.linalg.svd(M)
    lam = s ** 2
    if lam[0] <= 0:
        return np.eye(2), np.zeros((2, 2)), 0.0
    r = lam[1] / lam[0]
    # in the Schmidt basis of the first qubit: diag(sqrt(r), 1) balances the coefficients
    K1 = U @ np.diag([math.sqrt(r), 1.0]) @ U.conj().T
    K2 = U @ np.diag([math.sqrt(1 - r), 0.0]) @ U.conj().T
    return K1, K2, 2 * lam[1]


def check_measure_vidal(state: ThreeQubitState, res: MeasureVidal, tol: float = 1e-9) -> None:
    """Simulate the protocol with explicit Kraus matrices; raise :class:`ProtocolCheckError`
    unless the measurement is complete, every success branch is maximally entangled on the
    pair and the success probabilities add up to ``res.value`` within ``tol`` (the exact value
    is a rounded-down sqrt, so it may sit below the float sum by ~1e-19, never above it)."""
    psi = state.vector().reshape(2, 2, 2)
    k = PARTIES.index(res.party)
    u = np.array([complex(z) for z in res.u])
    u = u / np.linalg.norm(u)
    up = np.array([-np.conj(u[1]), np.conj(u[0])])
    P = [np.outer(u, u.conj()), np.outer(up, up.conj())]
    if np.linalg.norm(P[0] + P[1] - np.eye(2)) > tol:
        raise ProtocolCheckError("the measurement is not complete")
    total = 0.0
    for vec in (u, up):
        t = np.moveaxis(psi, k, 0)
        M = np.tensordot(vec.conj(), t, axes=(0, 0))  # 2 x 2 over the pair
        p = float(np.sum(np.abs(M) ** 2))
        if p <= 1e-300:
            continue
        K1, K2, pv = vidal_kraus(M / math.sqrt(p))
        if np.linalg.norm(K1.conj().T @ K1 + K2.conj().T @ K2 - np.eye(2)) > 1e-8:
            raise ProtocolCheckError("Vidal's measurement is not complete")
        out = K1 @ M
        ps = float(np.sum(np.abs(out) ** 2))
        if ps > 1e-15:
            red = (out @ out.conj().T) / ps
            if np.linalg.norm(red - np.eye(2) / 2) > 1e-6:
                raise ProtocolCheckError("a success branch is not maximally entangled")
        total += ps
        if abs(ps - p * pv) > 1e-8:
            raise ProtocolCheckError("branch probability disagrees with Vidal's formula")
    if float(res.value) > total + tol or float(res.value) < total - 1e-7:
        raise ProtocolCheckError(f"protocol value {float(res.value)!r} disagrees with the "
                                 f"simulation {total!r}")


__all__ = ["MeasureVidal", "ProtocolCheckError", "measure_vidal_protocol", "exact_value",
           "check_measure_vidal", "unnormalised_value", "sqrt_up", "vidal_kraus", "float_values"]
