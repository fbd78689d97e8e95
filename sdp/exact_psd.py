"""Exact positive-semidefiniteness of rational symmetric matrices (no floating point).

Matrices are numpy object arrays of Python ints with one common positive denominator
(scaling by a positive number does not change PSD-ness). The test:

1. split into the connected components of the exact nonzero pattern (a symmetric matrix is
   PSD iff each such diagonal block is);
2. fraction-free Gaussian elimination (Bareiss): the k-th pivot is the k-th leading
   principal minor, so all pivots > 0 proves positive definiteness (Sylvester);
3. on a zero pivot, fall back to exact rational LDL^T with the semidefinite rule (a zero
   diagonal entry of a PSD matrix has a zero row), which decides PSD exactly.
"""
from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

import numpy as np
import scipy.sparse as sp
from scipy.sparse.csgraph import connected_components


@dataclass(frozen=True)
class PSDVerdict:
    psd: bool
    reason: str = ""


def _blocks(M: np.ndarray) -> list:
    nz = M != 0
    ncomp, label = connected_components(sp.csr_matrix(nz.astype(np.int8)), directed=False)
    return [np.nonzero(label == c)[0] for c in range(ncomp)]


def _bareiss_pd(A: np.ndarray) -> bool | None:
    """True if positive definite, False if some leading minor < 0, None on a zero pivot."""
    A = A.copy()
    n = A.shape[0]
    prev = 1
    for k in range(n):
        piv = A[k, k]
        if piv < 0:
            return False
        if piv == 0:
            return None
        if k + 1 < n:
            sub = A[k + 1:, k + 1:]
            A[k + 1:, k + 1:] = (piv * sub - np.outer(A[k + 1:, k], A[k, k + 1:])) // prev
        prev = piv
    return True


def _ldl_psd(A: np.ndarray) -> bool:
    """Exact LDL^T with the semidefinite zero-pivot rule (rational arithmetic)."""
    n = A.shape[0]
    M = [[Fraction(int(A[i, j])) for j in range(n)] for i in range(n)]
    for k in range(n):
        d = M[k][k]
        if d < 0:
            return False
        if d == 0:
            if any(M[k][j] != 0 for j in range(k + 1, n)):
                return False
            continue
        for i in range(k + 1, n):
            f = M[i][k] / d
            if f:
                for j in range(k + 1, n):
                    M[i][j] -= f * M[k][j]
    return True


def is_psd_int(M: np.ndarray) -> PSDVerdict:
    """Exact PSD test of a symmetric integer matrix (object array of Python ints)."""
    if M.shape[0] != M.shape[1]:
        return PSDVerdict(False, "not square")
    if not np.array_equal(M, M.T):
        return PSDVerdict(False, "not symmetric")
    for idx in _blocks(M):
        B = M[np.ix_(idx, idx)]
        if len(idx) == 1:
            if B[0, 0] < 0:
                return PSDVerdict(False, f"negative diagonal entry at index {int(idx[0])}")
            continue
        res = _bareiss_pd(B)
        if res is None:
            res = _ldl_psd(B)
        if not res:
            return PSDVerdict(False, f"block {[int(i) for i in idx]} is not PSD")
    return PSDVerdict(True)


def to_int_matrix(M) -> tuple[np.ndarray, int]:
    """Object array of Fractions/ints -> (integer numerators, common denominator)."""
    arr = np.asarray(M, dtype=object)
    den = 1
    from math import lcm
    for v in arr.flat:
        den = lcm(den, Fraction(v).denominator)
    num = np.empty(arr.shape, dtype=object)
    for idx, v in np.ndenumerate(arr):
        f = Fraction(v)
        num[idx] = f.numerator * (den // f.denominator)
    return num, den


def is_psd_exact(M) -> PSDVerdict:
    """Exact PSD test of a symmetric matrix of Fractions/ints (object array or nested lists)."""
    num, _ = to_int_matrix(M)
    return is_psd_int(num)
