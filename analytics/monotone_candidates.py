"""Candidate x0-aware LOCC monotones for random-pair EPR distillation (issue 18; docs/locc-monotones.md).

All functions take unnormalised weights ``w`` of shape (..., 4) (columns x0, xA, xB, xC) and are
homogeneous of degree 1, the form :func:`analytics.monotone_check.find_monotone_violation` checks.

**The cut monotone** (proved in docs/locc-monotones.md). For a pure state and a party k, the
smaller eigenvalue :math:`\\lambda_{\\min}(\\rho_k)` of k's reduced state is the smallest Schmidt
coefficient across the cut k | rest, one of Vidal's monotones :math:`E_2` (G. Vidal, PRL 83, 1046
(1999); J. Mod. Opt. 47, 355 (2000)): non-increasing on average under LOCC. Each success branch
:math:`|\\Psi^+\\rangle_{ij}|\\chi\\rangle_k` has :math:`\\sum_k \\lambda_{\\min}(\\rho_k) = 1/2 + 1/2 + 0 = 1`,
every branch has a sum >= 0, so

.. math::

    P_{\\rm LOCC} \\le C(\\vec x) = \\sum_k \\lambda_{\\min}(\\rho_k)
      = \\sum_k \\frac{1 - \\sqrt{1 - 4 x_k (1 - x_0 - x_k)}}{2}

(for the W-class state, :math:`\\rho_k` has diagonal :math:`(1 - x_k, x_k)` and off-diagonal
:math:`\\sqrt{x_0x_k}`, so :math:`\\det\\rho_k = x_k(1 - x_0 - x_k)`). On the plane C = min(1,
2(1 - x_max)) >= kappa; on a two-party slice :math:`x_k = 0` it is Vidal's :math:`2\\lambda_{\\min}`.
Hence :math:`\\min(\\kappa, C)` is an LOCC monotone (the minimum of two monotones) that equals kappa
on the plane and Vidal's value on two-party slices: the x0-aware bound the issue asks for.

Unproved candidates (heuristics from the paper's construction, for the checker): ``kappa_lambda``
(kappa of the three :math:`\\lambda_{\\min}(\\rho_k)`), ``kappa_det`` (kappa of
:math:`\\det\\rho_k/(1 - x_k)`), ``kappa_plane`` (kappa of the weights with the vacuum removed and
renormalised). Known non-monotones (the checker must catch them): ``vacuum`` (:math:`x_0` itself),
``largest`` (:math:`x_{n_1}`).
"""
from __future__ import annotations

import math
from fractions import Fraction

import numpy as np

from .canonical import reduced_det
from .general_states import three_qubit_state
from .states import PARTIES, as_state


def kappa_weights(w: np.ndarray) -> np.ndarray:
    """:math:`\\kappa` of unnormalised plane weights (the last three entries of ``w``)."""
    ys = -np.sort(-w[..., 1:], axis=-1)
    y1, y2, y3 = ys[..., 0], ys[..., 1], ys[..., 2]
    safe = np.where(y1 > 0, y1, 1.0)
    return 2 * (y2 + y3) - np.where(y1 > 0, y2 * y3 / safe, 0.0)


def vidal_weights(w: np.ndarray) -> np.ndarray:
    """Vidal's :math:`S - \\sqrt{S^2 - 4w_iw_j}` for weights with one of wA, wB, wC zero
    (written as :math:`4w_iw_j/(S + \\sqrt{S^2 - 4w_iw_j})`: no cancellation)."""
    ys = -np.sort(-w[..., 1:], axis=-1)
    s = w.sum(-1)
    prod = ys[..., 0] * ys[..., 1]
    disc = np.maximum(s * s - 4 * prod, 0.0)
    den = s + np.sqrt(disc)
    return np.where(den > 0, 4 * prod / np.where(den > 0, den, 1.0), 0.0)


def _dets(w: np.ndarray) -> tuple:
    """``(S, d, disc)``: total weight, :math:`d_k = x_k(S - x_0 - x_k)` and
    :math:`S^2 - 4d_k = (S - 2x_k)^2 + 4x_0x_k` (written without cancellation)."""
    s = w.sum(-1)
    d = np.maximum(w[..., 1:] * (s[..., None] - w[..., :1] - w[..., 1:]), 0.0)
    disc = (s[..., None] - 2 * w[..., 1:]) ** 2 + 4 * w[..., :1] * w[..., 1:]
    return s, d, disc


def _lambdas(w: np.ndarray) -> np.ndarray:
    s, d, disc = _dets(w)
    den = s[..., None] + np.sqrt(disc)
    return np.where(den > 0, 2 * d / np.where(den > 0, den, 1.0), 0.0)


def cut_monotone(w: np.ndarray) -> np.ndarray:
    """:math:`C = \\sum_k \\lambda_{\\min}(\\rho_k)` on unnormalised weights (module docstring),
    written as :math:`\\sum_k 2d_k/(S + \\sqrt{S^2 - 4d_k})` (no cancellation)."""
    return _lambdas(np.asarray(w, dtype=float)).sum(-1)


def min_kappa_cut(w: np.ndarray) -> np.ndarray:
    """:math:`\\min(\\kappa, C)`: a proved LOCC monotone (module docstring)."""
    return np.minimum(kappa_weights(np.asarray(w, float)), cut_monotone(w))


def kappa_lambda(w: np.ndarray) -> np.ndarray:
    """Unproved: kappa of :math:`(\\lambda_{\\min}(\\rho_A), \\lambda_{\\min}(\\rho_B),
    \\lambda_{\\min}(\\rho_C))`."""
    lam = _lambdas(np.asarray(w, dtype=float))
    return kappa_weights(np.concatenate([np.zeros(lam.shape[:-1] + (1,)), lam], -1))


def kappa_det(w: np.ndarray) -> np.ndarray:
    """Unproved: kappa of :math:`\\det\\rho_k / (1 - x_k)` (= x_k on the plane)."""
    w = np.asarray(w, dtype=float)
    s, d, _ = _dets(w)
    den = s[..., None] - w[..., 1:]
    y = np.where(den > 0, d / np.where(den > 0, den, 1.0), 0.0)
    return kappa_weights(np.concatenate([np.zeros(y.shape[:-1] + (1,)), y], -1))


def kappa_plane(w: np.ndarray) -> np.ndarray:
    """Unproved (and false, see docs): kappa of the weights without vacuum, renormalised."""
    w = np.asarray(w, dtype=float)
    s = w.sum(-1)
    rest = s - w[..., 0]
    k = kappa_weights(w)
    return np.where(rest > 0, k * s / np.where(rest > 0, rest, 1.0), 0.0)


def vacuum(w: np.ndarray) -> np.ndarray:
    """Known non-monotone: the weight of :math:`|000\\rangle`."""
    return np.asarray(w, dtype=float)[..., 0]


def largest(w: np.ndarray) -> np.ndarray:
    """Known non-monotone: :math:`x_{n_1}` (party n1 measuring diag(1, 0), diag(0, 1) turns
    :math:`x_{n_1}` into :math:`x_{n_1} + \\max(x_{n_2}, x_{n_3})` on average)."""
    return np.asarray(w, dtype=float)[..., 1:].max(-1)


CANDIDATES = {"cut": cut_monotone, "min_kappa_cut": min_kappa_cut, "kappa_lambda": kappa_lambda,
              "kappa_det": kappa_det, "kappa_plane": kappa_plane}
NON_MONOTONE = {"vacuum": vacuum, "largest": largest}


# ---- exact upper bound (for locc_upper) -----------------------------------------------------------

def _sqrt_lower(q: Fraction, bits: int = 120) -> Fraction:
    """A rational <= sqrt(q) within 2**-bits (integer square root, exact)."""
    scale = 1 << (2 * bits)
    r = Fraction(math.isqrt(q.numerator * scale // q.denominator), 1 << bits)
    assert r * r <= q
    return r


def cut_upper(state) -> Fraction:
    """Exact rational upper bound on :math:`C(\\vec x)` (each square root rounded down, so each
    :math:`\\lambda_{\\min}` rounded up, by at most 2**-120): an upper bound on LOCC."""
    st = as_state(state).exact()
    total = Fraction(0)
    for xk in st.x:
        disc = 1 - 4 * xk * (1 - st.x0 - xk)
        total += (1 - _sqrt_lower(disc)) / 2
    return total


def cut_upper_general(state) -> Fraction:
    r"""Exact rational upper bound on the cut monotone of *any* pure three-qubit state,
    :math:`C = \sum_k \lambda_{\min}(\rho_k) = \sum_k (1 - \sqrt{1 - 4\det\rho_k})/2`
    (docs/locc-monotones.md: the proof holds for every pure state), from the exact
    ``det rho_k`` of the amplitudes (:func:`analytics.canonical.reduced_det`, divided by
    ``|psi|^4``); each square root rounded down by at most 2**-120. ``state``: a
    :class:`analytics.general_states.ThreeQubitState` or 8 amplitudes of squared norm 1."""
    st = three_qubit_state(state)
    n4 = st.norm2 ** 2
    total = Fraction(0)
    for p in PARTIES:
        disc = 1 - 4 * reduced_det(st.psi, p) / n4
        total += (1 - _sqrt_lower(max(disc, Fraction(0)))) / 2
    return total


__all__ = ["cut_upper_general", "kappa_weights", "vidal_weights", "cut_monotone", "min_kappa_cut", "kappa_lambda", "kappa_det", "kappa_plane", "vacuum",
           "largest", "CANDIDATES", "NON_MONOTONE", "cut_upper"]
