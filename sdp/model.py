"""A small real SDP model: affine symmetric-matrix expressions and PSD constraints.

Pipeline (cvxpy's, in miniature): builders return :class:`MatExpr` objects and PSD
constraints; :class:`SDPModel` canonicalises them once into SCS's form
``min c^T x  s.t.  A x + s = b,  s in K`` with ``b = b0 + B theta`` affine in a data vector
``theta`` (here: the completeness right-hand side), so a sweep re-solves with new data and a
warm start instead of rebuilding. Matrices are vectorised row-major; SCS's PSD cone uses the
column-major lower triangle with off-diagonals scaled by sqrt(2).
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import scipy.sparse as sp

SQRT2 = np.sqrt(2.0)


@dataclass
class MatExpr:
    """``vec(M) = G x + H theta + g0`` for an n x n symmetric matrix M (row-major vec)."""

    n: int
    G: sp.csr_matrix
    H: sp.csr_matrix
    g0: np.ndarray

    def permuted(self, perm: np.ndarray) -> "MatExpr":
        """Entry permutation, e.g. a partial transpose: ``vec(M') = vec(M)[perm]``."""
        return MatExpr(self.n, self.G[perm], self.H[perm], self.g0[perm])

    def sub(self, idx) -> "MatExpr":
        """Principal submatrix on the index list ``idx``."""
        idx = np.asarray(idx, dtype=np.int64)
        rows = (idx[:, None] * self.n + idx[None, :]).ravel()
        return MatExpr(len(idx), self.G[rows], self.H[rows], self.g0[rows])

    def linear_image(self, L: sp.csr_matrix, m: int) -> "MatExpr":
        """``vec(M') = L vec(M)`` for a linear map ``L`` (m^2 x n^2), e.g. a partial trace."""
        return MatExpr(m, (L @ self.G).tocsr(), (L @ self.H).tocsr(), L @ self.g0)

    def __add__(self, other: "MatExpr") -> "MatExpr":
        assert self.n == other.n
        return MatExpr(self.n, self.G + other.G, self.H + other.H, self.g0 + other.g0)

    def scaled(self, c: float) -> "MatExpr":
        return MatExpr(self.n, self.G * c, self.H * c, self.g0 * c)

    def __neg__(self) -> "MatExpr":
        return MatExpr(self.n, -self.G, -self.H, -self.g0)

    def structural_blocks(self) -> list[np.ndarray]:
        """Index sets of the connected components of the entries that can be nonzero.

        A PSD constraint on a block-diagonal expression splits exactly into PSD constraints
        on these blocks; indices whose row is structurally zero are dropped.
        """
        n = self.n
        nz = (np.asarray(abs(self.G).sum(axis=1)).ravel() > 0) | (
            np.asarray(abs(self.H).sum(axis=1)).ravel() > 0) | (self.g0 != 0)
        rows, cols = np.divmod(np.nonzero(nz)[0], n)
        graph = sp.coo_matrix((np.ones(len(rows)), (rows, cols)), shape=(n, n))
        ncomp, label = sp.csgraph.connected_components(graph, directed=False)
        active = np.zeros(n, dtype=bool)
        active[rows] = True
        active[cols] = True
        blocks = []
        for c in range(ncomp):
            idx = np.nonzero((label == c) & active)[0]
            if len(idx):
                blocks.append(idx)
        return blocks


@dataclass
class PSDConstraint:
    expr: MatExpr
    tag: tuple  # e.g. ("X", "AB", sector) or ("PT", "AB", "A", block) or ("E", "A", block)


@dataclass
class SDPModel:
    """Variables are a flat real vector; blocks are allocated by :meth:`sym_matrix`."""

    n_theta: int
    nvar: int = 0
    constraints: list = field(default_factory=list)
    objective: np.ndarray | None = None  # maximise objective @ x

    def sym_matrix(self, m: int) -> MatExpr:
        """A fresh symmetric m x m matrix variable (m(m+1)/2 scalars)."""
        rows, cols = [], []
        k = self.nvar
        for i in range(m):
            for j in range(i, m):
                rows.append(i * m + j)
                cols.append(k)
                if i != j:
                    rows.append(j * m + i)
                    cols.append(k)
                k += 1
        self.nvar = k
        G = sp.csr_matrix((np.ones(len(rows)), (rows, cols)), shape=(m * m, k))
        return MatExpr(m, G, sp.csr_matrix((m * m, self.n_theta)), np.zeros(m * m))

    def pad(self, e: MatExpr) -> MatExpr:
        """Widen G to the current number of variables."""
        if e.G.shape[1] == self.nvar:
            return e
        G = sp.hstack([e.G, sp.csr_matrix((e.G.shape[0], self.nvar - e.G.shape[1]))]).tocsr()
        return MatExpr(e.n, G, e.H, e.g0)

    def add_psd(self, expr: MatExpr, tag: tuple, split: bool = True) -> None:
        """``expr >= 0``; split into its structural blocks when ``split``."""
        if not split:
            self.constraints.append(PSDConstraint(expr, tag))
            return
        for b, idx in enumerate(expr.structural_blocks()):
            self.constraints.append(PSDConstraint(expr.sub(idx), tag + (tuple(int(i) for i in idx),)))

    def canonicalize(self) -> "Canonical":
        return Canonical.from_model(self)


def svec_matrix(n: int) -> sp.csr_matrix:
    """Sparse map from row-major vec (n^2) to SCS svec (n(n+1)/2), symmetrising."""
    rows, cols, vals = [], [], []
    r = 0
    for j in range(n):
        for i in range(j, n):
            if i == j:
                rows.append(r); cols.append(i * n + i); vals.append(1.0)
            else:
                rows += [r, r]
                cols += [i * n + j, j * n + i]
                vals += [SQRT2 / 2, SQRT2 / 2]
            r += 1
    return sp.csr_matrix((vals, (rows, cols)), shape=(n * (n + 1) // 2, n * n))


def smat(y: np.ndarray, n: int) -> np.ndarray:
    """Inverse of svec for a dual vector: ``<smat(y), M> = y . svec(M)``."""
    M = np.zeros((n, n))
    r = 0
    for j in range(n):
        for i in range(j, n):
            if i == j:
                M[i, i] = y[r]
            else:
                M[i, j] = M[j, i] = y[r] / SQRT2
            r += 1
    return M


@dataclass
class Canonical:
    """SCS data ``A x + s = b0 + B theta``; ``s`` in ``R_+^l x PSD x ... x PSD``.

    1 x 1 PSD constraints go into the nonnegative cone (no eigendecomposition per iteration).
    """

    A: sp.csc_matrix
    b0: np.ndarray
    B: sp.csr_matrix
    c: np.ndarray
    n_nonneg: int
    psd_sizes: list
    tags: list      # one per constraint, nonnegative ones first
    sizes: list     # matrix size of each constraint (1 for the nonnegative ones)
    offsets: list   # row offset of each constraint

    @classmethod
    def from_model(cls, model: SDPModel) -> "Canonical":
        cons = sorted(model.constraints, key=lambda con: con.expr.n != 1)  # stable: 1x1 first
        As, bs, Bs, sizes, tags, offsets = [], [], [], [], [], []
        off = 0
        for con in cons:
            e = model.pad(con.expr)
            S = svec_matrix(e.n)
            As.append(-(S @ e.G))
            bs.append(S @ e.g0)
            Bs.append(S @ e.H)
            sizes.append(e.n)
            tags.append(con.tag)
            offsets.append(off)
            off += e.n * (e.n + 1) // 2
        A = sp.vstack(As).tocsc()
        A.eliminate_zeros()
        n_nonneg = sum(1 for n in sizes if n == 1)
        return cls(A=A, b0=np.concatenate(bs), B=sp.vstack(Bs).tocsr(),
                   c=-np.asarray(model.objective, dtype=float), n_nonneg=n_nonneg,
                   psd_sizes=[n for n in sizes if n > 1], tags=tags, sizes=sizes, offsets=offsets)

    @property
    def cone_dict(self) -> dict:
        return {"l": self.n_nonneg, "s": self.psd_sizes}

    def b(self, theta: np.ndarray) -> np.ndarray:
        return self.b0 + self.B @ theta

    def dual_blocks(self, y: np.ndarray) -> list:
        """``[(tag, Z)]``: the dual PSD matrix of every constraint."""
        out = []
        for n, tag, off in zip(self.sizes, self.tags, self.offsets):
            out.append((tag, smat(y[off:off + n * (n + 1) // 2], n)))
        return out
