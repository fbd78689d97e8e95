"""Turn a floating-point dual solution into an exact certificate (Jansson-Chaykin-Keil style).

1. Each dual PSD block from the solver is projected onto the PSD cone (eigenvalues clipped),
   rounded to the grid ``2^-K`` and given ``n * 2^-K`` on its diagonal, so it is PSD exactly.
2. ``Y = sum_p W_p^{T_p}`` is then exact. The solver's residual lands in the slack blocks
   ``Z_{k,0}``; a shift ``Y += delta I`` (cost ``delta Tr[D^2]``) makes them positive definite on
   the kernel of the exactness operator, and the free multiplier ``t_k`` of the exactness
   equation (it does not enter the bound) makes them PSD everywhere (Schur complement).
3. Every block is checked exactly (:mod:`sdp.exact_psd`); if a check fails, ``delta`` and ``t``
   grow and the check repeats. The certified bound is the exact ``Tr[Y D^2] / scale``.
"""
from __future__ import annotations

import math
from fractions import Fraction

import numpy as np

from analytics.errors import SepgapError

from . import structure as st
from .certificate import DualData, assemble, bound_from_Y
from .exact_psd import is_psd_int
from .frame import Frame
from .relaxation import CompiledRelaxation, output_lift

GRID_BITS = 40


class CertificationFailed(SepgapError):
    """No exact certificate could be built from this dual solution."""


def _psd_round(B: np.ndarray, scale: int) -> np.ndarray:
    w, U = np.linalg.eigh((B + B.T) / 2)
    Bc = (U * np.clip(w, 0, None)) @ U.T
    N = np.rint(Bc * scale).astype(np.int64).astype(object)
    N = (N + N.T) // 2  # exact symmetry (entries agree up to rounding already)
    # margin: rounding moves eigenvalues by at most n/2 grid units, float clipping by ~eps*|B|
    margin = N.shape[0] + int(np.abs(Bc).max() * scale * 1e-13) + 1
    for i in range(N.shape[0]):
        N[i, i] += margin
    return N


def _collect(comp: CompiledRelaxation, y: np.ndarray, scale: int):
    """Rounded dual blocks lifted to the certificate's matrices, over the denominator
    ``2 scale``: ``W_p`` (8 x 8) from the E constraints, ``Z_{k,p} = sum_blocks N (x) 2 O`` (32 x 32)
    from the twirled PT blocks (:data:`sdp.relaxation.OUTPUT_LIFTS`); PSD by construction."""
    W = {p: np.zeros((8, 8), dtype=object) for p in ("id",) + st.PARTIES}
    Z = {pair: {p: np.zeros((32, 32), dtype=object) for p in st.PARTIES} for pair in comp.spec.pairs}
    for tag, B in comp.canonical.dual_blocks(y):
        if tag[0] == "X":
            continue
        idx = np.array(tag[-1])
        N8 = np.zeros((8, 8), dtype=object)
        N8[np.ix_(idx, idx)] = _psd_round(B, scale)
        if tag[0] == "E":
            W[tag[1]] += 2 * N8
        else:
            _, pair, party, name, _ = tag
            Z[pair][party] += st.embed_input_output(N8, output_lift(name), pair)
    return W, Z


def _float(M: np.ndarray, den: int) -> np.ndarray:
    """Float estimate of an exact matrix (only used to size the shifts; never trusted)."""
    # int / int is correctly rounded for integers of any size (``float(int)`` overflows
    # beyond 1e308: states with components near 1e-300 have such numerators and denominators)
    den = int(den)
    return np.array([[int(x) / den for x in row] for row in M], dtype=float)


def _schur_t(M: np.ndarray, idx, V: np.ndarray, P: np.ndarray) -> float:
    """Smallest t with ``M + t P >= 0`` on sector ``idx`` given ``V^T M V > 0`` (float estimate)."""
    Ms, Ps = M[np.ix_(idx, idx)], P[np.ix_(idx, idx)]
    if V.shape[1] == len(idx):
        return 0.0
    full = np.linalg.svd(V, full_matrices=True)[0]
    U = full[:, V.shape[1]:]
    A = V.T @ Ms @ V
    B = V.T @ Ms @ U
    D = U.T @ Ms @ U
    Lam = U.T @ Ps @ U
    S = B.T @ np.linalg.solve(A, B) - D
    lw, lU = np.linalg.eigh(Lam)
    if lw.min() <= 0:
        raise CertificationFailed("exactness operator is not definite off its kernel")
    Li = lU / np.sqrt(lw)
    return float(max(np.linalg.eigvalsh(Li.T @ S @ Li).max(), 0.0))


def build_dual(comp: CompiledRelaxation, frame: Frame, y: np.ndarray, max_tries: int = 6):
    """``(DualData, bound)``, exactly verified, or raise :class:`CertificationFailed`."""
    spec = comp.spec
    scale = 2 ** GRID_BITS
    den = 2 * scale  # the lifts carry a factor 1/2 (OUTPUT_LIFTS)
    W, Z = _collect(comp, y, scale)
    for M in list(W.values()) + [m for per in Z.values() for m in per.values()]:
        if not is_psd_int(M).psd:
            raise CertificationFailed("a rounded dual block is not PSD (solver dual far from feasible)")
    weights = [Fraction(w) for w in spec.weights]
    exact = spec.objective == "exact"
    # slack spectra on the kernel of the exactness operator, in floats, to size delta and t
    base = DualData(den, W, Z, {p: Fraction(0) for p in spec.pairs})
    _, Zk0 = assemble(frame, spec.pairs, weights, spec.objective, base)
    v = frame.v_float()
    P_float = {pair: st.exactness_operator(np.outer(v, v), pair) for pair in spec.pairs}
    lam_min = math.inf
    floats = {}
    for pair in spec.pairs:
        M, L = Zk0[pair]
        Mf = _float(M, L)
        floats[pair] = Mf
        for idx, V in comp.sectors[pair]:
            Q = np.linalg.qr(V)[0]  # orthonormal kernel basis: eigenvalues of the restriction
            lam_min = min(lam_min, float(np.linalg.eigvalsh(Q.T @ Mf[np.ix_(idx, idx)] @ Q).min()))
    delta = max(0.0, -lam_min) * 2 + 64.0 / den
    for attempt in range(max_tries):
        d_int = math.ceil(delta * den)
        Wd = dict(W)
        Wd["id"] = W["id"] + np.diag([d_int] * 8).astype(object)
        t = {}
        for pair in spec.pairs:
            if not exact:
                t[pair] = Fraction(0)
                continue
            Mf = floats[pair] + d_int / den * np.eye(32)
            tt = max((_schur_t(Mf, idx, V, P_float[pair]) for idx, V in comp.sectors[pair]),
                     default=0.0)
            t[pair] = Fraction(math.ceil((2 * tt + 1) * 4 ** attempt))
        dual = DualData(den, Wd, Z, t)
        Y, Zk0 = assemble(frame, spec.pairs, weights, spec.objective, dual)
        if all(is_psd_int(M).psd for M, _ in Zk0.values()):
            return dual, bound_from_Y(Y, den, frame)
        delta *= 10
    raise CertificationFailed(f"slack blocks not provably PSD after {max_tries} attempts "
                              f"(last shift delta = {delta:.3g})")
