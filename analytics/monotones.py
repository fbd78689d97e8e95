"""The W-class monotones eta and kappa (Chitambar, Cui, Lo, PRL 108, 240504 (2012), Eqs. 3-4).

With the components sorted as :math:`x_{n_1} \\ge x_{n_2} \\ge x_{n_3}`,

.. math::

    \\eta(\\vec x) = x_{n_2} + x_{n_3} - \\frac{x_{n_2} x_{n_3}}{x_{n_1}}, \\qquad
    \\kappa(\\vec x) = x_{n_2} + x_{n_3} + \\eta(\\vec x).

kappa is an LOCC monotone (Theorem 1) and, for ``x0 = 0``, the LOCC supremum of the random-pair
EPR probability (Theorem 2); for every W-class state it is an upper bound on LOCC.

Edge cases (decided here, tested):

* ``x_n1 = 0`` (the product state ``|000>``): ``eta = kappa = 0``, the limit of the formula since
  ``x_n2 x_n3 / x_n1 <= x_n3``.
* ties: the formula is symmetric in which of the tied parties is called n1, so ties need no rule.
* ``x_n3 = 0`` (two-qubit case): ``kappa = 2 x_n2``, Vidal's optimal value.

Fraction input gives Fraction output (exact); floats give floats; numpy arrays of shape
``(..., 3)`` are handled vectorised by :func:`eta_array` / :func:`kappa_array`.
"""
from __future__ import annotations

from fractions import Fraction

import numpy as np

from .errors import InvalidStateError
from .states import FLOAT_SUM_TOL, WClassState, as_number, as_state


def _sorted3(state) -> tuple:
    st = as_state(state)
    return st.sorted()[0]


def eta(state) -> Fraction | float:
    """Eq. (3). ``state`` is a :class:`WClassState` or ``(xA, xB, xC)`` / ``(x0, xA, xB, xC)``."""
    a, b, c = _sorted3(state)
    if a == 0:
        return a * 0  # keeps the type (Fraction or float)
    return b + c - b * c / a


def kappa(state) -> Fraction | float:
    """Eq. (4): ``kappa = x_n2 + x_n3 + eta``; the LOCC value for ``x0 = 0`` (Theorem 2)."""
    a, b, c = _sorted3(state)
    return b + c + eta(state)


def kappa_psi(s) -> Fraction:
    """Closed form on the paper's family: ``kappa(psi_s) = 2(1-s) - (1-s)^2 / (4s)``.

    Valid for ``1/3 <= s <= 1`` (where party A is the largest; below, the formula is not kappa).
    ``s`` is read exactly like every state number (:func:`analytics.states.as_number`: int,
    Fraction, ``"1/2"``, float as its binary value); the result is an exact Fraction.
    Raises :class:`InvalidStateError` outside [1/3, 1]. Source: Eq. (4) with x = psi_s.
    """
    s = as_number(s, "s")
    if not Fraction(1, 3) <= s <= 1:
        raise InvalidStateError(f"kappa_psi: s = {s} is outside [1/3, 1], where the closed form "
                                "holds (use kappa(psi_s(s)) for any s in [0, 1])")
    return 2 * (1 - s) - (1 - s) ** 2 / (4 * s)


def _sorted_array(x) -> np.ndarray:
    arr = np.asarray(x, dtype=float)
    if arr.ndim == 0 or arr.shape[-1] not in (3, 4):
        raise InvalidStateError(f"last axis must have length 3 (xA, xB, xC) or 4, got {arr.shape}")
    if not np.all(np.isfinite(arr)) or np.any(arr < 0):
        raise InvalidStateError("components must be finite and non-negative")
    # same rule as WClassState: the weights may exceed 1 only by float rounding
    total = arr.sum(axis=-1)
    bad = total > 1 + FLOAT_SUM_TOL if arr.shape[-1] == 3 else np.abs(total - 1) > FLOAT_SUM_TOL
    if np.any(bad):
        idx = tuple(np.argwhere(bad)[0].tolist()) if arr.ndim > 1 else ()
        raise InvalidStateError(f"components {arr[idx].tolist()} (index {idx}) "
                                f"sum to {float(total[idx])!r}: "
                                + ("xA + xB + xC must be <= 1" if arr.shape[-1] == 3
                                   else "x0 + xA + xB + xC must equal 1"))
    if arr.shape[-1] == 4:
        arr = arr[..., 1:]
    return -np.sort(-arr, axis=-1)


def eta_array(x) -> np.ndarray:
    """Vectorised eta over an array of shape ``(..., 3)`` (or ``(..., 4)`` with x0 first).

    Raises :class:`InvalidStateError` for a wrong shape, a negative or non-finite entry, or
    weights that are not a state (sum above ``1 + FLOAT_SUM_TOL``; with x0, not 1 within it).
    """
    s = _sorted_array(x)
    a, b, c = s[..., 0], s[..., 1], s[..., 2]
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.where(a > 0, b * c / np.where(a > 0, a, 1.0), 0.0)
    return b + c - ratio


def kappa_array(x) -> np.ndarray:
    """Vectorised kappa over an array of shape ``(..., 3)`` (or ``(..., 4)`` with x0 first)."""
    s = _sorted_array(x)
    return s[..., 1] + s[..., 2] + eta_array(s)


__all__ = ["eta", "kappa", "kappa_psi", "eta_array", "kappa_array", "WClassState"]
