"""Turn a floating-point dual of the complex relaxation into an exact certificate.

As :mod:`sdp.certify`, with Hermitian blocks: each Hermitian dual block (from the real
embedding, :func:`sdp.complex_relaxation.dual_hermitian_blocks`) is lifted to the certificate's
``W_p`` / ``Z_{k,p}``, projected onto the PSD cone, rounded to the grid ``2^-K`` (real and
imaginary parts) and given ``n * 2^-K`` on its diagonal, so it is PSD exactly. The residual
lands in the slack ``Z_{k,0}``; a shift ``W_id += delta I`` makes it positive definite on the
kernel of the exactness operator and the multiplier ``t_k`` (Schur complement) everywhere.
Every block is checked exactly (:mod:`sdp.complex_certificate`); on failure delta and t grow.
"""
from __future__ import annotations

import math
from fractions import Fraction

import numpy as np
import scipy.linalg as sla

from . import structure as st
from .certify import CertificationFailed
from .complex_certificate import ComplexDual, GMatrix, assemble, bound_from_Y
from .complex_relaxation import ComplexRelaxation, dual_hermitian_blocks
from .relaxation import output_lift

GRID_BITS = 40


def _round_psd(B: np.ndarray, scale: int) -> GMatrix:
    """PSD projection of a Hermitian float matrix, rounded to integers over ``scale``, plus a
    diagonal margin that keeps it PSD exactly."""
    B = (B + B.conj().T) / 2
    w, U = np.linalg.eigh(B)
    Bc = (U * np.clip(w, 0, None)) @ U.conj().T
    n = B.shape[0]
    R = np.rint(Bc.real * scale).astype(np.int64).astype(object)
    I = np.rint(Bc.imag * scale).astype(np.int64).astype(object)
    iu = np.triu_indices(n, 1)
    R.T[iu] = R[iu]
    I.T[iu] = -I[iu]
    for i in range(n):
        I[i, i] = 0
    margin = 2 * n + int(np.abs(Bc).max() * scale * 1e-13) + 1
    for i in range(n):
        R[i, i] += margin
    return GMatrix(R, I)


def _lift(N8: np.ndarray, name: str, pair: str) -> np.ndarray:
    """``N (x) O`` (32 x 32, interleaved order), O the output projector of block ``name``."""
    two_o = output_lift(name)
    return st.embed_input_output(N8.astype(complex), lambda o1, o2: two_o(o1, o2) / 2, pair)


def float_duals(comp: ComplexRelaxation, y: np.ndarray, complex_cones: bool = False) -> tuple:
    """``(W, Z)``: float Hermitian ``W_p`` (8 x 8) and ``Z_{k,p}`` (32 x 32) from a solver dual."""
    W = {p: np.zeros((8, 8), dtype=complex) for p in ("id",) + st.PARTIES}
    Z = {pair: {p: np.zeros((32, 32), dtype=complex) for p in st.PARTIES}
         for pair in comp.spec.pairs}
    for tag, N in dual_hermitian_blocks(comp, y, complex_cones):
        if tag[0] == "E":
            W[tag[1]] += N
        elif tag[0] == "PT":
            _, pair, party, name = tag
            Z[pair][party] += _lift(N, name, pair)
    return W, Z


def _schur_t(M: np.ndarray, P: np.ndarray) -> float:
    """Smallest t with ``M + t P >= 0`` given M > 0 on ker P (float estimate)."""
    w, U = np.linalg.eigh((P + P.conj().T) / 2)
    tol = 1e-9 * max(1.0, abs(w).max())
    K, R = U[:, w <= tol], U[:, w > tol]
    if R.shape[1] == 0:
        return 0.0
    A = K.conj().T @ M @ K
    B = K.conj().T @ M @ R
    D = R.conj().T @ M @ R
    S = B.conj().T @ np.linalg.solve(A, B) - D
    Li = 1 / np.sqrt(w[w > tol])
    S = (S * Li[None, :]) * Li[:, None]
    return float(max(np.linalg.eigvalsh((S + S.conj().T) / 2).max(), 0.0))


def transform_duals(W: dict, Z: dict, unitaries, factor: float) -> tuple:
    """Dual data of the problem for ``psi`` from those of ``c = (U_A x U_B x U_C) psi / |psi|``.

    With ``K = U^T`` the slack of the c-problem maps to the psi-problem's by the congruence
    ``K (x) I_out`` (``rho^T = |psi|^2 K rho_c^T K^dag``); through a partial transpose on party p
    that is the congruence with ``conj(K_p)`` on p, so ``W_p -> K'_p W_p K'_p^dag``,
    ``Z_{k,p} -> (K'_p (x) I) Z_{k,p} (K'_p (x) I)^dag`` (``K'_p``: K with its p factor
    conjugated), all times ``factor = |psi|^2``."""
    Ks = [np.asarray(U).T for U in unitaries]

    def kron_for(part):
        fs = [np.conj(k) if part == p else k for p, k in zip(st.PARTIES, Ks)]
        return np.kron(np.kron(fs[0], fs[1]), fs[2])
    Wt = {}
    for part, M in W.items():
        K = kron_for(part)
        Wt[part] = factor * (K @ M @ K.conj().T)
    Zt = {}
    for pair, per in Z.items():
        Zt[pair] = {}
        for party, M in per.items():
            L = st.tensor_identity(kron_for(party), pair)
            Zt[pair][party] = factor * (L @ M @ L.conj().T)
    return Wt, Zt


def build_complex_dual(comp: ComplexRelaxation, state, y: np.ndarray, max_tries: int = 6,
                       complex_cones: bool = False, unitaries=None):
    """``(ComplexDual, bound)`` exactly verified for ``state`` (a ThreeQubitState), or raise
    :class:`sdp.certify.CertificationFailed`. ``comp`` may be the relaxation of an LU image
    ``c = (U_A x U_B x U_C) psi/|psi|`` (``unitaries``): the dual is mapped back
    (:func:`transform_duals`) and certified against the exact amplitudes of ``state``."""
    spec = comp.spec
    scale = 2 ** GRID_BITS
    Wf, Zf = float_duals(comp, y, complex_cones)
    if unitaries is not None:
        Wf, Zf = transform_duals(Wf, Zf, unitaries, float(state.norm2))
    W = {p: _round_psd(M, scale) for p, M in Wf.items()}
    Z = {pair: {p: _round_psd(M, scale) for p, M in per.items()} for pair, per in Zf.items()}
    for M in list(W.values()) + [m for per in Z.values() for m in per.values()]:
        if not M.psd().psd:
            raise CertificationFailed("a rounded dual block is not PSD")
    weights = [Fraction(w) for w in spec.weights]
    exact = spec.objective == "exact"
    base = ComplexDual(scale, W, Z, {p: Fraction(0) for p in spec.pairs})
    _, slack = assemble(state.psi, spec.pairs, weights, spec.objective, base)
    psi = np.array([complex(a) for a in state.psi])
    rhoT = np.outer(psi.conj(), psi)
    P_float = {pair: st.exactness_operator(rhoT, pair) for pair in spec.pairs}
    floats, lam_min = {}, math.inf
    for pair in spec.pairs:
        M, L = slack[pair]
        Mf = M.complex(L)
        floats[pair] = Mf
        K = sla.null_space(P_float[pair], rcond=1e-10) if exact else np.eye(32)
        lam_min = min(lam_min, float(np.linalg.eigvalsh(K.conj().T @ Mf @ K).min()))
    delta = max(0.0, -lam_min) * 2 + 64.0 / scale
    for attempt in range(max_tries):
        d_int = math.ceil(delta * scale)
        Wd = dict(W)
        Wd["id"] = W["id"] + GMatrix(np.diag([d_int] * 8).astype(object),
                                     np.zeros((8, 8), dtype=object))
        t = {}
        for pair in spec.pairs:
            if not exact:
                t[pair] = Fraction(0)
                continue
            Mf = floats[pair] + d_int / scale * np.eye(32)
            try:
                tt = _schur_t(Mf, P_float[pair])
            except np.linalg.LinAlgError:
                tt = 1e6
            t[pair] = Fraction(math.ceil((2 * tt + 1) * 4 ** attempt))
        dual = ComplexDual(scale, Wd, Z, t)
        Y, slack = assemble(state.psi, spec.pairs, weights, spec.objective, dual)
        if all(M.psd().psd for M, _ in slack.values()):
            return dual, bound_from_Y(Y, scale, state.norm2)
        delta *= 10
    raise CertificationFailed(f"slack blocks not provably PSD after {max_tries} attempts "
                              f"(last shift delta = {delta:.3g})")


__all__ = ["build_complex_dual", "float_duals", "GRID_BITS"]
