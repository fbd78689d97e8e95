r"""The PPT relaxation for complex amplitudes, as a real SDP (real embedding of Hermitian blocks).

The relaxation is that of :mod:`sdp.relaxation` (formulation.md section 4) for ``rho = |psi><psi|``
with complex ``psi`` (any three-qubit pure state, unnormalised; the objective is divided by
``|psi|^2``). The same reductions carry over unchanged, because they act on the outputs only:

* the output twirl (``U (x) U``, ``U = diag(1, e^{it})``, and ``X (x) X``) makes every Choi
  operator ``J_+ (x) Psi+ + J_- (x) Psi- + J_0 (x) (|00><00| + |11><11|)`` with 8 x 8 *Hermitian*
  input blocks, and every PSD condition splits into 8 x 8 Hermitian blocks;
* exactness is imposed by facial reduction: with ``rho^T = q q^dag``, ``q = conj(psi)``, it reads
  ``J_- q = J_0 q = 0``, so ``J_- = V X_- V^dag``, ``J_0 = V X_0 V^dag`` with V an orthonormal basis
  of the complement of q (columns touching one support each, as in the real engine);
* a complex Hermitian ``H = R + i I`` is PSD iff the real symmetric
  ``[[R, -I], [I, R]]`` is PSD (formulation.md section 9): every Hermitian block enters the
  solver as that 16 x 16 real block (split further into its structural components), and every
  Hermitian variable is a real symmetric part plus a real antisymmetric part.

A real dual block ``Z = [[Z11, Z12], [Z21, Z22]]`` of an embedded constraint ``embed(E) >= 0``
pairs as ``<Z, embed(E)> = Tr[N E]`` with the Hermitian PSD ``N = (Z11 + Z22) + i (Z21 - Z12)``
(:func:`hermitian_dual`); :mod:`sdp.complex_certify` lifts these to the complex certificate.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.linalg as sla
import scipy.sparse as sp

from . import structure as st
from .model import MatExpr, SDPModel
from .relaxation import RelaxationSpec, output_embed_map


@dataclass
class CExpr:
    """A complex 8 x 8 (or n x n) affine expression ``re + i im`` of real MatExprs."""

    re: MatExpr
    im: MatExpr

    @property
    def n(self) -> int:
        return self.re.n

    def __add__(self, o: "CExpr") -> "CExpr":
        return CExpr(self.re + o.re, self.im + o.im)

    def scaled(self, c: float) -> "CExpr":
        return CExpr(self.re.scaled(c), self.im.scaled(c))

    def __neg__(self) -> "CExpr":
        return CExpr(-self.re, -self.im)

    def permuted(self, perm) -> "CExpr":
        return CExpr(self.re.permuted(perm), self.im.permuted(perm))

    def padded(self, model: SDPModel) -> "CExpr":
        return CExpr(model.pad(self.re), model.pad(self.im))

    def complex_image(self, L: np.ndarray, m: int) -> "CExpr":
        """``vec(M') = L vec(M)`` for a complex linear map ``L`` (m^2 x n^2)."""
        Lr, Li = sp.csr_matrix(L.real), sp.csr_matrix(L.imag)
        re = self.re.linear_image(Lr, m) + (-self.im.linear_image(Li, m))
        im = self.im.linear_image(Lr, m) + self.re.linear_image(Li, m)
        return CExpr(re, im)

    def real_image(self, L: sp.csr_matrix, m: int) -> "CExpr":
        return CExpr(self.re.linear_image(L, m), self.im.linear_image(L, m))


def _embed_maps(n: int) -> tuple:
    """Sparse maps ``P_re, P_im`` (4n^2 x n^2) with ``vec(embed) = P_re vec(re) + P_im vec(im)``."""
    m = 2 * n
    rr, rc, ir, ic, iv = [], [], [], [], []
    for i in range(n):
        for j in range(n):
            k = i * n + j
            rr += [i * m + j, (n + i) * m + (n + j)]
            rc += [k, k]
            ir += [i * m + (n + j), (n + i) * m + j]
            ic += [k, k]
            iv += [-1.0, 1.0]
    P_re = sp.csr_matrix((np.ones(len(rr)), (rr, rc)), shape=(m * m, n * n))
    P_im = sp.csr_matrix((iv, (ir, ic)), shape=(m * m, n * n))
    return P_re, P_im


_EMBED = {}


def embed(e: CExpr) -> MatExpr:
    """The real symmetric ``[[re, -im], [im, re]]`` (2n x 2n) of a Hermitian expression."""
    if e.n not in _EMBED:
        _EMBED[e.n] = _embed_maps(e.n)
    P_re, P_im = _EMBED[e.n]
    return e.re.linear_image(P_re, 2 * e.n) + e.im.linear_image(P_im, 2 * e.n)


def hermitian_variable(model: SDPModel, m: int) -> CExpr:
    """A fresh Hermitian m x m variable: symmetric real part, antisymmetric imaginary part."""
    re = model.sym_matrix(m)
    rows, cols, vals = [], [], []
    k = model.nvar
    for i in range(m):
        for j in range(i + 1, m):
            rows += [i * m + j, j * m + i]
            cols += [k, k]
            vals += [1.0, -1.0]
            k += 1
    model.nvar = k
    im = MatExpr(m, sp.csr_matrix((vals, (rows, cols)), shape=(m * m, k)),
                 sp.csr_matrix((m * m, model.n_theta)), np.zeros(m * m))
    return CExpr(model.pad(re), im)


def add_hermitian_psd(model: SDPModel, e: CExpr, tag: tuple) -> None:
    """``e >= 0`` through its real embedding, split into structural components; the Hermitian
    form is kept too (``model.hermitian``) for solvers with a complex PSD cone."""
    model.add_psd(embed(e.padded(model)), tag)
    model.hermitian.append((e, tag))


def complement_basis(q: np.ndarray) -> np.ndarray:
    """Orthonormal basis (8 x 7) of the Hermitian complement of ``q``: unit vectors off the
    support of q, and a basis of ``{x : q^dag x = 0}`` on it (columns touch one support)."""
    supp = [int(i) for i in np.nonzero(q)[0]]
    cols = []
    if supp:
        Q = sla.null_space(q[supp].conj()[None, :])
        for c in Q.T:
            col = np.zeros(8, dtype=complex)
            col[supp] = c
            cols.append(col)
    for i in range(8):
        if i not in supp:
            col = np.zeros(8, dtype=complex)
            col[i] = 1.0
            cols.append(col)
    return np.array(cols).T


def twirled_blocks(model: SDPModel, q: np.ndarray, objective: str) -> list:
    """``[J_+, J_-, J_0]`` (Hermitian CExprs, 8 x 8); their PSD variables added."""
    S = np.eye(8, dtype=complex)
    V = complement_basis(q) if objective == "exact" else S
    out = []
    for B, name in ((S, "psi+"), (V, "psi-"), (V, "00,11")):
        m = B.shape[1]
        X = hermitian_variable(model, m)
        add_hermitian_psd(model, X, ("X", name))
        L = np.kron(B, B.conj())  # vec_r(B X B^dag) = (B (x) conj B) vec_r(X)
        out.append(X.padded(model).complex_image(L, 8))
    return out


def _input_pt(e: CExpr, party: str) -> CExpr:
    return e.permuted(st.partial_transpose_perm(None, party))


def add_twirled_pair(model: SDPModel, q: np.ndarray, pair: str, objective: str) -> tuple:
    """Constraints of one pair (as :func:`sdp.relaxation.add_twirled_pair`, Hermitian blocks);
    returns ``(J_+, Tr_out J, J)`` with J the 32 x 32 Choi operator."""
    Jp, Jm, J0 = (e.padded(model) for e in twirled_blocks(model, q, objective))
    for party in st.PARTIES:
        a, b, c = (_input_pt(e, party) for e in (Jp, Jm, J0))
        if party in pair:
            half_diff = (a + (-b)).scaled(0.5)
            cons = (("01,10", (a + b).scaled(0.5)), ("00+11", c + half_diff),
                    ("00-11", c + (-half_diff)))
        else:
            cons = (("psi+", a), ("psi-", b), ("00,11", c))
        for name, e in cons:
            add_hermitian_psd(model, e, ("PT", pair, party, name))
    Jp, Jm, J0 = (e.padded(model) for e in (Jp, Jm, J0))
    n = st.dim(pair)
    J = (Jp.real_image(output_embed_map(pair, "psi+"), n).scaled(0.5)
         + Jm.real_image(output_embed_map(pair, "psi-"), n).scaled(0.5)
         + J0.real_image(output_embed_map(pair, "00,11"), n))
    return Jp, Jp + Jm + J0.scaled(2.0), J


@dataclass
class ComplexRelaxation:
    """The compiled real SDP: ``canonical`` for the solvers, ``J`` to read Choi operators back,
    ``q = conj(psi)`` (floats), ``scale = |psi|^2`` (float)."""

    spec: RelaxationSpec
    canonical: object
    J: dict
    nvar: int
    q: np.ndarray
    scale: float


def build_complex_relaxation(psi: np.ndarray, spec: RelaxationSpec) -> ComplexRelaxation:
    """The relaxation for the (unnormalised) complex vector ``psi`` (8,)."""
    q = np.conj(np.asarray(psi, dtype=complex))
    model = SDPModel(n_theta=8)
    model.hermitian = []
    J, Jplus, tr_sum = {}, {}, None
    for pair in spec.pairs:
        Jplus[pair], tr_out, J[pair] = add_twirled_pair(model, q, pair, spec.objective)
        tr_sum = tr_out if tr_sum is None else tr_sum.padded(model) + tr_out.padded(model)
    tr_sum = tr_sum.padded(model)
    H = sp.csr_matrix((np.ones(8), ([i * 9 for i in range(8)], range(8))), shape=(64, 8))
    zero = sp.csr_matrix((64, model.nvar))
    E = CExpr(MatExpr(8, zero, H, np.zeros(64)) + (-tr_sum.re),
              MatExpr(8, zero, sp.csr_matrix((64, 8)), np.zeros(64)) + (-tr_sum.im))
    add_hermitian_psd(model, E, ("E", "id"))
    for party in st.PARTIES:
        add_hermitian_psd(model, _input_pt(E, party), ("E", party))
    # objective sum_k w_k q^dag J_+ q = sum_ij conj(q_i) q_j J_ij (real)
    Q = np.outer(q.conj(), q).ravel()
    f = np.zeros(model.nvar)
    for pair, w in zip(spec.pairs, spec.weights):
        e = Jplus[pair].padded(model)
        f += float(w) * (e.re.G.T @ Q.real - e.im.G.T @ Q.imag)
    model.objective = f
    J = {k: e.padded(model) for k, e in J.items()}
    scale = float(np.vdot(psi, psi).real)
    comp = ComplexRelaxation(spec, model.canonicalize(), J, model.nvar, q, scale)
    comp.hermitian = HermitianCanonical.from_constraints(model, model.hermitian)
    return comp


SQRT2 = np.sqrt(2.0)


def _components(e: CExpr) -> list:
    """Index sets of the structural components of a Hermitian expression (re and im patterns)."""
    n = e.n
    nz = np.zeros(n * n, dtype=bool)
    for m in (e.re, e.im):
        nz |= (np.asarray(abs(m.G).sum(axis=1)).ravel() > 0) | (
            np.asarray(abs(m.H).sum(axis=1)).ravel() > 0) | (m.g0 != 0)
    rows, cols = np.divmod(np.nonzero(nz)[0], n)
    graph = sp.coo_matrix((np.ones(len(rows)), (rows, cols)), shape=(n, n))
    ncomp, label = sp.csgraph.connected_components(graph, directed=False)
    active = np.zeros(n, dtype=bool)
    active[rows] = True
    active[cols] = True
    return [idx for c in range(ncomp) if len(idx := np.nonzero((label == c) & active)[0])]


def _cvec_maps(idx: np.ndarray, n: int) -> tuple:
    """Sparse ``(S_re, S_im)`` with ``cvec(E[idx, idx]) = S_re vec(re) + S_im vec(im)``: SCS's
    complex PSD cone vector (columns of the lower triangle: the diagonal entry, then real and
    imaginary parts of each entry below it, off-diagonal entries times sqrt 2)."""
    m = len(idx)
    rr, rc, rv, ir, ic, iv = [], [], [], [], [], []
    r = 0
    for j in range(m):
        for i in range(j, m):
            k = int(idx[i]) * n + int(idx[j])
            if i == j:
                rr.append(r), rc.append(k), rv.append(1.0)
                r += 1
            else:
                rr.append(r), rc.append(k), rv.append(SQRT2)
                ir.append(r + 1), ic.append(k), iv.append(SQRT2)
                r += 2
    return (sp.csr_matrix((rv, (rr, rc)), shape=(m * m, n * n)),
            sp.csr_matrix((iv, (ir, ic)), shape=(m * m, n * n)))


@dataclass
class HermitianCanonical:
    """SCS data with complex PSD cones (``"cs"``): ``A x + s = b0 + B theta``, ``s`` in
    ``R_+^l x HPSD x ...``; duck-compatible with :class:`sdp.model.Canonical` for SCSEngine."""

    A: sp.csc_matrix
    b0: np.ndarray
    B: sp.csr_matrix
    c: np.ndarray
    n_nonneg: int
    cs_sizes: list
    blocks: list     # (tag, indices, size, row offset), nonnegative ones first

    @classmethod
    def from_constraints(cls, model: SDPModel, cons: list) -> "HermitianCanonical":
        parts = []
        for e, tag in cons:
            e = e.padded(model)
            for idx in _components(e):
                S_re, S_im = _cvec_maps(idx, e.n)
                G = S_re @ e.re.G + S_im @ e.im.G
                H = S_re @ e.re.H + S_im @ e.im.H
                g = S_re @ e.re.g0 + S_im @ e.im.g0
                parts.append((len(idx), tag, idx, G, H, g))
        parts.sort(key=lambda p: p[0] != 1)
        As, bs, Bs, blocks, off = [], [], [], [], 0
        for m, tag, idx, G, H, g in parts:
            As.append(-G)
            bs.append(g)
            Bs.append(H)
            blocks.append((tag, idx, m, off))
            off += m * m
        A = sp.vstack(As).tocsc()
        A.eliminate_zeros()
        return cls(A, np.concatenate(bs), sp.vstack(Bs).tocsr(), -np.asarray(model.objective),
                   sum(1 for p in parts if p[0] == 1), [p[0] for p in parts if p[0] > 1], blocks)

    @property
    def cone_dict(self) -> dict:
        return {"l": self.n_nonneg, "cs": self.cs_sizes}

    def b(self, theta: np.ndarray) -> np.ndarray:
        return self.b0 + self.B @ theta

    def dual_blocks(self, y: np.ndarray) -> list:
        """``[(tag, N)]``: the Hermitian 8 x 8 dual of every constraint, ``Tr[N E] = y . cvec(E)``."""
        full = {}
        for tag, idx, m, off in self.blocks:
            N = full.setdefault(tag, np.zeros((8, 8), dtype=complex))
            r = off
            for j in range(m):
                for i in range(j, m):
                    a, b = int(idx[i]), int(idx[j])
                    if i == j:
                        N[a, a] += y[r]
                        r += 1
                    else:
                        z = (y[r] + 1j * y[r + 1]) / SQRT2
                        N[a, b] += z
                        N[b, a] += np.conj(z)
                        r += 2
        return list(full.items())


def hermitian_dual(Z: np.ndarray, n: int) -> np.ndarray:
    """``N = (Z11 + Z22) + i (Z21 - Z12)`` from a real 2n x 2n dual block: ``<Z, embed(E)> =
    Tr[N E]`` for Hermitian E, and N is PSD when Z is (``N = W^dag Z W``, ``W = [I; -iI]``)."""
    return (Z[:n, :n] + Z[n:, n:]) + 1j * (Z[n:, :n] - Z[:n, n:])


def dual_hermitian_blocks(comp: ComplexRelaxation, y: np.ndarray, complex_cones: bool = False) -> list:
    """``[(tag without indices, N)]``: the Hermitian 8 x 8 dual of every constraint (its
    structural components put back together), from the embedded (default) or the complex-cone
    (``complex_cones``) solver dual."""
    if complex_cones:
        return comp.hermitian.dual_blocks(y)
    full = {}
    for tag, B in comp.canonical.dual_blocks(y):
        key, idx = tag[:-1], np.array(tag[-1])
        Z = full.setdefault(key, np.zeros((16, 16)))
        Z[np.ix_(idx, idx)] += B
    return [(key, hermitian_dual(Z, 8)) for key, Z in full.items()]


def primal_hermitian(e: CExpr, x: np.ndarray) -> np.ndarray:
    re = (e.re.G @ x + e.re.g0).reshape(e.n, e.n)
    im = (e.im.G @ x + e.im.g0).reshape(e.n, e.n)
    return re + 1j * im


__all__ = ["CExpr", "ComplexRelaxation", "build_complex_relaxation", "embed",
           "hermitian_dual", "dual_hermitian_blocks", "complement_basis", "primal_hermitian"]
