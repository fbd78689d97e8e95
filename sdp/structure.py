"""Index bookkeeping for the Choi operators of random-pair distillation.

Conventions (formulation.md section 4): the Choi operator of a CP map from ``H_in`` to
``H_out`` is :math:`J = \\sum_{ij} |i\\rangle\\langle j|_{in} \\otimes L(|i\\rangle\\langle j|)`,
so :math:`L(\\rho) = \\mathrm{Tr}_{in}[(\\rho^T \\otimes I) J]`. Systems are ordered party by
party, ``(A_in A_out)(B_in B_out)(C_in C_out)``; the party outside the target pair has no
output (dimension 1). Every class Choi operator is therefore 32 x 32; the failure element
``E`` is 8 x 8 on ``(A_in B_in C_in)``.

Everything here is a permutation or a 0/1 selection, computed once and cached:
partial transposes are index permutations (never sums of Kronecker products).
"""
from __future__ import annotations

from functools import lru_cache
from itertools import product

import numpy as np

PARTIES = ("A", "B", "C")
PAIRS = ("AB", "AC", "BC")


@lru_cache(maxsize=None)
def choi_labels(pair: str | None) -> tuple:
    """Basis labels of a Choi space, in matrix order.

    Each label is ``(in_bits, out_bits)``: ``in_bits = (a, b, c)``, ``out_bits`` the output
    bits of the parties in ``pair`` (in party order). ``pair=None`` is the 8-dim input space.
    """
    outs = () if pair is None else tuple(p in pair for p in PARTIES)
    per_party = []
    for has_out in (outs if outs else (False, False, False)):
        per_party.append([(i, o) for i in (0, 1) for o in ((0, 1) if has_out else (None,))])
    labels = []
    for combo in product(*per_party):
        ins = tuple(c[0] for c in combo)
        out = tuple(c[1] for c in combo if c[1] is not None)
        labels.append((ins, out))
    return tuple(labels)


@lru_cache(maxsize=None)
def dim(pair: str | None) -> int:
    return len(choi_labels(pair))


def input_index(bits) -> int:
    """Index ``4a + 2b + c`` of an input basis state."""
    a, b, c = bits
    return 4 * a + 2 * b + c


@lru_cache(maxsize=None)
def _party_slots(pair: str | None):
    """For each label, the (in, out) sub-tuple of each party (out None if absent)."""
    slots = []
    for ins, out in choi_labels(pair):
        it = iter(out)
        per = []
        for k, p in enumerate(PARTIES):
            o = next(it) if (pair is not None and p in pair) else None
            per.append((ins[k], o))
        slots.append(tuple(per))
    return tuple(slots)


@lru_cache(maxsize=None)
def partial_transpose_perm(pair: str | None, party: str) -> np.ndarray:
    """Permutation ``perm`` of flattened (row-major) n x n matrices with
    ``PT_party(M).ravel() == M.ravel()[perm]``: party's (in, out) indices swap row <-> column."""
    slots = _party_slots(pair)
    n = len(slots)
    pos = {s: i for i, s in enumerate(slots)}
    k = PARTIES.index(party)
    perm = np.empty(n * n, dtype=np.int64)
    for i, si in enumerate(slots):
        for j, sj in enumerate(slots):
            ri = list(si)
            rj = list(sj)
            ri[k], rj[k] = sj[k], si[k]
            perm[i * n + j] = pos[tuple(ri)] * n + pos[tuple(rj)]
    return perm


def partial_transpose(M: np.ndarray, pair: str | None, party: str) -> np.ndarray:
    """Dense partial transpose (for checks and certificates); object arrays work too."""
    n = M.shape[0]
    return M.ravel()[partial_transpose_perm(pair, party)].reshape(n, n)


@lru_cache(maxsize=None)
def trace_out_pairs(pair: str) -> tuple:
    """``[(i8, j8, i32, j32), ...]``: ``(Tr_out J)[i8, j8] = sum J[i32, j32]`` over these."""
    labels = choi_labels(pair)
    out = []
    for i, (ini, outi) in enumerate(labels):
        for j, (inj, outj) in enumerate(labels):
            if outi == outj:
                out.append((input_index(ini), input_index(inj), i, j))
    return tuple(out)


def trace_out(J: np.ndarray, pair: str) -> np.ndarray:
    """``Tr_out J`` as an 8 x 8 operator on ``(A_in B_in C_in)``."""
    res = np.zeros((8, 8), dtype=J.dtype)
    for i8, j8, i, j in trace_out_pairs(pair):
        res[i8, j8] += J[i, j]
    return res


@lru_cache(maxsize=None)
def input_map(pair: str) -> tuple:
    """``(in_idx, same_out, psi_out)``: input index of each label, the 0/1 matrix
    ``delta(out_i, out_j)``, and ``2 <out_i|Psi+><Psi+|out_j>`` (0/1 entries)."""
    labels = choi_labels(pair)
    in_idx = np.array([input_index(ins) for ins, _ in labels])
    outs = [out for _, out in labels]
    same = np.array([[int(a == b) for b in outs] for a in outs], dtype=np.int64)
    psi2 = np.array([[int(psi_plus_out(a, b) != 0) for b in outs] for a in outs], dtype=np.int64)
    return in_idx, same, psi2


def tensor_identity(Y: np.ndarray, pair: str) -> np.ndarray:
    """``Y (x) I_out`` in the interleaved order (any dtype, object arrays included)."""
    in_idx, same, _ = input_map(pair)
    return Y[np.ix_(in_idx, in_idx)] * same


def psi_plus_out(o1, o2) -> float:
    """``<o1|Psi+><Psi+|o2>`` for two-qubit output labels (real): 1/2 on the 01/10 block."""
    if o1 in ((0, 1), (1, 0)) and o2 in ((0, 1), (1, 0)):
        return 0.5
    return 0.0


def embed_input_output(rhoT: np.ndarray, out_op, pair: str) -> np.ndarray:
    """``rho^T (x) O_out`` in the interleaved order; ``out_op(o1, o2)`` gives O's entries.

    Works for numpy float/complex arrays and object arrays of Fractions.
    """
    labels = choi_labels(pair)
    n = len(labels)
    res = np.empty((n, n), dtype=rhoT.dtype)
    for i, (ini, outi) in enumerate(labels):
        a = input_index(ini)
        for j, (inj, outj) in enumerate(labels):
            res[i, j] = rhoT[a, input_index(inj)] * out_op(outi, outj)
    return res


def objective_operator(rhoT, pair: str) -> np.ndarray:
    """``rho^T (x) I_out``: ``Tr[J C] = Tr L(rho)``, the probability of this class."""
    return embed_input_output(rhoT, lambda o1, o2: 1 if o1 == o2 else 0, pair)


def exactness_operator(rhoT, pair: str) -> np.ndarray:
    """``rho^T (x) (I - Psi+)``: ``Tr[J P] = 0`` forces the output to be exactly Psi+."""
    if rhoT.dtype == object:
        from fractions import Fraction

        def op(o1, o2):  # exact version
            return Fraction(int(o1 == o2)) - (Fraction(1, 2) if psi_plus_out(o1, o2) else 0)
    else:
        def op(o1, o2):
            return (1 if o1 == o2 else 0) - psi_plus_out(o1, o2)
    return embed_input_output(rhoT, op, pair)


def fidelity_operator(rhoT, pair: str) -> np.ndarray:
    """``rho^T (x) Psi+``: the fidelity-weighted objective (a different, looser quantity)."""
    if rhoT.dtype == object:
        from fractions import Fraction
        return embed_input_output(
            rhoT, lambda o1, o2: Fraction(1, 2) if psi_plus_out(o1, o2) else 0, pair)
    return embed_input_output(rhoT, psi_plus_out, pair)
