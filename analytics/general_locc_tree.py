r"""Multi-step LOCC protocols for any three-qubit pure state, exact (issue 19).

A *tree* (:class:`GNode`, :class:`GLeaf`) is a two-outcome local measurement per node, weak ones
included, whose outcomes are each followed by a sub-tree. Node of party k:

.. math::

    M_i = D_i V, \qquad V = \begin{pmatrix} a & b \\ -\bar b & \bar a \end{pmatrix},\quad
    D_1 = \mathrm{diag}(c_0, c_1),\ D_2 = \mathrm{diag}(s_0, s_1),

with Gaussian-rational ``a, b``, ``|a|^2 + |b|^2 = 1`` (a rational point of the 3-sphere, the
inverse stereographic image of a rational point of R^3) and rationals ``c_j, s_j >= 0``,
``c_j^2 + s_j^2 = 1`` (``c = (1 - t^2)/(1 + t^2)``, ``s = 2t/(1 + t^2)``), so
``M_1^dag M_1 + M_2^dag M_2 = V^dag V = I`` exactly. Every two-outcome measurement is of this form
up to a unitary after it (``M_i = U_i sqrt(E_i)``, ``E_1 + E_2 = I`` commute), which the task
ignores (it is invariant under local unitaries, formulation.md section 9). ``c_j = 0`` or
``s_j = 0`` is a projective outcome: party k is then exactly product on that branch.

Leaves (:class:`GLeaf`):

* ``"measure_vidal"`` (party p, basis u): the one-measurement protocol of
  :mod:`analytics.general_locc` (p measures ``{u, u_perp}``, the pair left uses Vidal);
* ``"vidal"`` (party p): p is exactly product on the branch (``det rho_p = 0``, checked exactly)
  and the other two use Vidal's optimal conversion, ``2 lambda_min`` (G. Vidal, PRL 83, 1046
  (1999)), the two-qubit optimum;
* ``"none"``: do nothing (value 0).

A W-class leaf is not offered: from a GHZ-class state every branch of an invertible local
operator is GHZ-class again and a rank-one operator makes a party product (a ``vidal`` leaf), so
W-class branches do not occur (W-class input is routed to the W-class machinery before this).

**Proof of the value** (:func:`evaluate_general_tree`). Branches are computed exactly (Gaussian
rationals, unnormalised), every node's completeness ``sum_i M_i^dag M_i = I`` is checked in exact
arithmetic, every leaf's value is exact with each square root rounded *up* (so the value is
rounded down), and the total ``sum_leaves |branch|^2 / |psi|^2 * value(leaf)`` is a Fraction.
Composition: a local measurement whose outcome is broadcast, followed on each outcome by an LOCC
protocol, is an LOCC protocol; so the total is a lower bound on the success probability of this
explicit finite LOCC protocol (``locc_lower``; hence on the LOCC supremum and on SEP).

**Search** (floats, a search not a proof; :func:`search_plan`): measure-and-Vidal values on a
Bloch-sphere grid stand in for the leaves; a node is chosen by random sampling of
``(party, theta, phi, alpha, beta)`` and Nelder-Mead, deeper levels greedily from the best root
candidates, then all node parameters of the chosen tree are refined jointly
(:func:`refine_plan`). The search runs on the canonical form of Acin et al. (so it does not depend on the
local bases of the input) and the plan is mapped back to the input's bases (:func:`plan_to_frame`). The float plan is made exact node by node (:func:`exact_tree`); each leaf gets the
optimised, checked protocol of :func:`analytics.general_locc.measure_vidal_protocol` at its exact
branch, and a node is kept only where its exact value beats that leaf. Before it is returned the
protocol is simulated branch by branch with explicit Kraus matrices (:func:`simulate_general_tree`).
"""
from __future__ import annotations

import cmath
import math
import time
from dataclasses import dataclass, field
from fractions import Fraction

import numpy as np

from .canonical import canonical_form, reduced_det
from .certjson import float_lower
from .errors import SepgapError
from .gaussian import ZERO, GaussianRational, gaussian
from .general_locc import (ProtocolCheckError, float_values, measure_vidal_protocol, sqrt_up,
                           unnormalised_value, vidal_kraus)
from .general_states import ThreeQubitState, three_qubit_state
from .states import PARTIES

LEAF_KINDS = ("measure_vidal", "vidal", "none")
#: Default and largest depth (measurement nodes on a path before the leaves).
DEFAULT_DEPTH = 2
MAX_DEPTH = 4
#: Denominator limit of the rational node parameters.
DENOMINATOR = 2 ** 20
#: A node replaces the leaf at its branch only if it gains more than this (simpler trees).
KEEP_GAIN = Fraction(1, 10 ** 12)
#: Angles this close to 0 or pi/2 are made exactly projective.
SNAP = 1e-4


class GeneralLOCCError(SepgapError, ValueError):
    """A malformed LOCC tree, a bad argument, or a tree that fails an exact check."""


# ---- the data model ------------------------------------------------------------------------------

def _party(p) -> str:
    if p not in PARTIES:
        raise GeneralLOCCError(f"party {p!r} is not one of A, B, C")
    return p


@dataclass(frozen=True)
class GLeaf:
    """``"measure_vidal"`` (``party``, basis ``u``), ``"vidal"`` (``party`` product), ``"none"``."""

    kind: str
    party: str | None = None
    u: tuple | None = None

    def __post_init__(self):
        if self.kind not in LEAF_KINDS:
            raise GeneralLOCCError(f"leaf kind {self.kind!r} is not one of {LEAF_KINDS}")
        if self.kind == "none":
            if self.party is not None or self.u is not None:
                raise GeneralLOCCError("a 'none' leaf has no party and no basis")
            return
        _party(self.party)
        if self.kind == "vidal":
            if self.u is not None:
                raise GeneralLOCCError("a 'vidal' leaf has no basis")
            return
        if self.u is None or len(self.u) != 2:
            raise GeneralLOCCError("a 'measure_vidal' leaf needs a basis vector u of 2 numbers")
        u = tuple(gaussian(z) for z in self.u)
        if not (u[0] or u[1]):
            raise GeneralLOCCError("the basis vector u of a 'measure_vidal' leaf is zero")
        object.__setattr__(self, "u", u)


@dataclass(frozen=True)
class GNode:
    """Two-outcome measurement ``M_i = diag(d[i]) V`` of ``party`` (module docstring);
    ``basis = (a, b)`` the first row of V, ``d = ((c0, c1), (s0, s1))``, ``children`` two trees."""

    party: str
    basis: tuple
    d: tuple
    children: tuple

    def __post_init__(self):
        _party(self.party)
        if len(self.basis) != 2 or len(self.d) != 2 or len(self.children) != 2:
            raise GeneralLOCCError("a node has a basis (a, b), two diagonals d and two children")
        object.__setattr__(self, "basis", tuple(gaussian(z) for z in self.basis))
        d = []
        for row in self.d:
            if len(row) != 2:
                raise GeneralLOCCError("each diagonal d[i] has two entries")
            vals = []
            for v in row:
                if isinstance(v, bool) or not isinstance(v, (int, Fraction)):
                    raise GeneralLOCCError(f"diagonal entry {v!r} must be an exact rational")
                if v < 0:
                    raise GeneralLOCCError(f"diagonal entry {v} is negative")
                vals.append(Fraction(v))
            d.append(tuple(vals))
        object.__setattr__(self, "d", tuple(d))
        for ch in self.children:
            if not isinstance(ch, (GNode, GLeaf)):
                raise GeneralLOCCError(f"child {ch!r} is not a node or a leaf")

    def kraus(self, i: int) -> list:
        """``M_i`` as a 2 x 2 nested list of GaussianRationals."""
        a, b = self.basis
        V = ((a, b), (-b.conj(), a.conj()))
        return [[V[r][c] * self.d[i][r] for c in (0, 1)] for r in (0, 1)]


def check_node(node: GNode) -> None:
    """Exact completeness of a node: ``|a|^2 + |b|^2 = 1``, ``c_j^2 + s_j^2 = 1`` and
    ``sum_i M_i^dag M_i = I`` computed entry by entry."""
    a, b = node.basis
    if a.abs2() + b.abs2() != 1:
        raise GeneralLOCCError(f"node of {node.party}: |a|^2 + |b|^2 = {a.abs2() + b.abs2()}, not 1")
    for j in (0, 1):
        if node.d[0][j] ** 2 + node.d[1][j] ** 2 != 1:
            raise GeneralLOCCError(f"node of {node.party}: c_{j}^2 + s_{j}^2 is not 1")
    Ms = [node.kraus(0), node.kraus(1)]
    for r in (0, 1):
        for c in (0, 1):
            e = sum((M[k][r].conj() * M[k][c] for M in Ms for k in (0, 1)), ZERO)
            if e != (1 if r == c else 0):
                raise GeneralLOCCError(f"node of {node.party}: sum M^dag M is not the identity")


def apply_local(psi, party: str, M) -> tuple:
    """``(M on party) psi`` for 8 GaussianRational amplitudes (index 4a + 2b + c), exact."""
    shift = 2 - PARTIES.index(party)
    out = []
    for i in range(8):
        r = (i >> shift) & 1
        base = i & ~(1 << shift)
        out.append(M[r][0] * psi[base] + M[r][1] * psi[base | (1 << shift)])
    return tuple(out)


def _norm2(psi) -> Fraction:
    return sum((a.abs2() for a in psi), Fraction(0))


def tree_depth(t) -> int:
    return 0 if isinstance(t, GLeaf) else 1 + max(tree_depth(c) for c in t.children)


def tree_nodes(t) -> int:
    return 0 if isinstance(t, GLeaf) else 1 + sum(tree_nodes(c) for c in t.children)


def tree_leaf_kinds(t) -> list:
    return [t.kind] if isinstance(t, GLeaf) else [k for c in t.children for k in tree_leaf_kinds(c)]


# ---- exact evaluation ----------------------------------------------------------------------------

def leaf_unnormalised(leaf: GLeaf, psi) -> Fraction:
    """Exact leaf value times ``|psi|^2`` (square roots rounded up); raises if it does not apply."""
    if leaf.kind == "none":
        return Fraction(0)
    if leaf.kind == "measure_vidal":
        return unnormalised_value(psi, leaf.party, leaf.u)
    if reduced_det(psi, leaf.party) != 0:
        raise GeneralLOCCError(f"a 'vidal' leaf needs party {leaf.party} product on its branch")
    S = _norm2(psi)
    D = reduced_det(psi, next(p for p in PARTIES if p != leaf.party))
    return max(Fraction(0), S - sqrt_up(max(S * S - 4 * D, Fraction(0))))


@dataclass(frozen=True)
class GeneralTreeEvaluation:
    """Exact value of a tree on a state: ``total``; ``leaves`` = ``(path, probability, leaf,
    value on the normalised branch)``; ``cond`` = conditional outcome probabilities by path."""

    total: Fraction
    leaves: tuple = field(repr=False)
    cond: dict = field(repr=False, default_factory=dict)


MAX_NODES = 1000


def evaluate_general_tree(tree, state) -> GeneralTreeEvaluation:
    """Check ``tree`` on the exact ``state`` (a :class:`ThreeQubitState` or 8 amplitudes, any
    norm) node by node and leaf by leaf; :class:`GeneralLOCCError` on any failed check."""
    st = state if isinstance(state, ThreeQubitState) else three_qubit_state(state, normalise=True)
    if tree_nodes(tree) > MAX_NODES:
        raise GeneralLOCCError(f"tree has more than {MAX_NODES} nodes")
    n2 = st.norm2
    leaves, cond = [], {}

    def rec(t, psi, path, prob):
        if isinstance(t, GLeaf):
            S = _norm2(psi)
            v = leaf_unnormalised(t, psi)
            leaves.append((path, prob, t, v / S if S else Fraction(0)))
            return v
        check_node(t)
        S = _norm2(psi)
        tot = Fraction(0)
        for i, ch in enumerate(t.children):
            b = apply_local(psi, t.party, t.kraus(i))
            Sb = _norm2(b)
            cond[path + (i,)] = Sb / S if S else Fraction(0)
            tot += rec(ch, b, path + (i,), Sb / n2)
        return tot

    total = rec(tree, st.psi, (), Fraction(1)) / n2
    return GeneralTreeEvaluation(total, tuple(leaves), cond)


# ---- float simulation (an independent check) -----------------------------------------------------

def _cvec(psi) -> np.ndarray:
    m = max(max(abs(a.re), abs(a.im)) for a in psi) or Fraction(1)
    return np.array([complex(float(a.re / m), float(a.im / m)) for a in psi]).reshape(2, 2, 2)


def _apply_f(t: np.ndarray, k: int, M: np.ndarray) -> np.ndarray:
    return np.moveaxis(np.tensordot(M, np.moveaxis(t, k, 0), axes=(1, 0)), 0, k)


def _reduced(t: np.ndarray, k: int) -> np.ndarray:
    m = np.moveaxis(t, k, 0).reshape(2, 4)
    return m @ m.conj().T


def _vidal_success(t: np.ndarray, k: int, tol: float) -> float:
    """Simulate Vidal's conversion on the pair of a state whose party k is product: the first
    party i of the pair applies Vidal's Kraus operator; the success branch is checked to be
    maximally entangled on the pair with k product. Returns its squared norm."""
    n = float(np.sum(np.abs(t) ** 2))
    if n <= 1e-300:
        return 0.0
    rk = _reduced(t, k) / n
    if abs(np.linalg.det(rk)) > 1e-9:
        raise ProtocolCheckError(f"party {PARTIES[k]} is not product where Vidal's conversion runs")
    w, vecs = np.linalg.eigh(rk)
    a = vecs[:, -1]
    pair = np.tensordot(a.conj(), np.moveaxis(t, k, 0), axes=(0, 0))  # 2 x 2 over (i, j)
    i = min(q for q in range(3) if q != k)
    K1, K2, pv = vidal_kraus(pair / math.sqrt(n))
    if np.linalg.norm(K1.conj().T @ K1 + K2.conj().T @ K2 - np.eye(2)) > 1e-8:
        raise ProtocolCheckError("Vidal's measurement is not complete")
    out = _apply_f(t, i, K1)
    ps = float(np.sum(np.abs(out) ** 2))
    if ps > 1e-15:
        if np.linalg.norm(_reduced(out, i) / ps - np.eye(2) / 2) > 1e-6 or \
                abs(np.linalg.det(_reduced(out, k) / ps)) > 1e-9:
            raise ProtocolCheckError("a success branch is not a maximally entangled pair")
    if abs(ps - n * pv) > tol * max(n, 1e-300) + 1e-12:
        raise ProtocolCheckError("branch probability disagrees with Vidal's formula")
    return ps


def simulate_general_tree(tree, state, tol: float = 1e-8) -> float:
    """Success probability of the protocol simulated in floats with explicit Kraus matrices:
    every node's completeness, every success branch a maximally entangled pair with the third
    party product. :class:`analytics.general_locc.ProtocolCheckError` when a check fails."""
    st = state if isinstance(state, ThreeQubitState) else three_qubit_state(state, normalise=True)
    t0 = _cvec(st.psi)
    n0 = float(np.sum(np.abs(t0) ** 2))

    def rec(t, psi):
        if isinstance(t, GLeaf):
            if t.kind == "none":
                return 0.0
            k = PARTIES.index(t.party)
            if t.kind == "vidal":
                return _vidal_success(psi, k, tol)
            u = np.array([complex(z) for z in t.u])
            u = u / np.linalg.norm(u)
            up = np.array([-np.conj(u[1]), np.conj(u[0])])
            tot = 0.0
            for vec in (u, up):
                P = np.outer(vec, vec.conj())
                tot += _vidal_success(_apply_f(psi, k, P), k, tol)
            return tot
        Ms = [np.array([[complex(z) for z in row] for row in t.kraus(i)]) for i in (0, 1)]
        if np.linalg.norm(sum(M.conj().T @ M for M in Ms) - np.eye(2)) > 1e-12:
            raise ProtocolCheckError("a node's measurement is not complete")
        k = PARTIES.index(t.party)
        return sum(rec(ch, _apply_f(psi, k, M)) for ch, M in zip(t.children, Ms))

    return rec(tree, t0) / n0


def check_general_tree(tree, state, value: Fraction, tol: float = 1e-8) -> None:
    """Raise :class:`ProtocolCheckError` unless the simulation agrees with the exact ``value``
    (which may sit below it by the rounded square roots, never above it by more than ``tol``)."""
    sim = simulate_general_tree(tree, state, tol)
    if float(value) > sim + tol or float(value) < sim - 1e-7:
        raise ProtocolCheckError(f"tree value {float(value)!r} disagrees with the simulation {sim!r}")


# ---- search (floats) -----------------------------------------------------------------------------

_TH, _PH = np.meshgrid(np.linspace(0, math.pi, 13), np.linspace(0, 2 * math.pi, 24, endpoint=False))
_C = np.cos(_TH / 2).ravel()
_S = (np.sin(_TH / 2) * np.exp(1j * _PH)).ravel()
# outcome coefficients (alpha, beta) of u and u_perp at every grid point, M = alpha T0 + beta T1
_AL = np.concatenate([_C, -_S])
_BE = np.concatenate([np.conj(_S), _C])
#: |M|_F^2 = Re([n0, n1, 2c] . _FA) and det M = [d0, x, d1] . _FD (quadratic forms in alpha, beta)
_FA = np.array([np.abs(_AL) ** 2, np.abs(_BE) ** 2, np.conj(_AL) * _BE])
_FD = np.array([_AL ** 2, _AL * _BE, _BE ** 2])
_NG = _C.size


def _index(k: int, bit: int) -> list:
    """Amplitude indices with party k's bit = ``bit``, the other two parties in order."""
    return [i for i in range(8) if (i >> (2 - k)) & 1 == bit]


_I0 = np.array([_index(k, 0) for k in range(3)])
_I1 = np.array([_index(k, 1) for k in range(3)])


def _party_values(t: np.ndarray) -> np.ndarray:
    """Measure-and-Vidal values (unnormalised) of every party at every grid point: (3, G)."""
    psi = t.reshape(8)
    T0, T1 = psi[_I0], psi[_I1]                                          # (3, 4) each
    inv_a = np.stack([(T0.conj() * T0).real.sum(1), (T1.conj() * T1).real.sum(1),
                      2 * (T0.conj() * T1).sum(1)], axis=1)
    inv_d = np.stack([T0[:, 0] * T0[:, 3] - T0[:, 1] * T0[:, 2],
                      T0[:, 0] * T1[:, 3] + T1[:, 0] * T0[:, 3] - T0[:, 1] * T1[:, 2]
                      - T1[:, 1] * T0[:, 2],
                      T1[:, 0] * T1[:, 3] - T1[:, 1] * T1[:, 2]], axis=1)
    A = (inv_a @ _FA).real
    B = np.abs(inv_d @ _FD) ** 2
    v = 4 * B / (A + np.sqrt(np.maximum(A * A - 4 * B, 0.0)) + 1e-300)
    return v[:, :_NG] + v[:, _NG:]


def _mv(t: np.ndarray) -> float:
    """Best measure-and-Vidal value on a Bloch-sphere grid, all parties at once, unnormalised
    (homogeneous of degree 1): the formula of :func:`analytics.general_locc.float_values`, with
    ``A = |M|_F^2`` and ``det M`` written as quadratic forms in the outcome coefficients."""
    return float(_party_values(t).max())


def _mats(x) -> tuple:
    th, ph, al, be = x
    al, be = min(max(al, 0.0), math.pi / 2), min(max(be, 0.0), math.pi / 2)
    V = np.array([[math.cos(th / 2), np.exp(-1j * ph) * math.sin(th / 2)],
                  [-np.exp(1j * ph) * math.sin(th / 2), math.cos(th / 2)]])
    return (np.diag([math.cos(al), math.cos(be)]) @ V, np.diag([math.sin(al), math.sin(be)]) @ V)


def _node_value(t, k, x, leaf) -> float:
    M1, M2 = _mats(x)
    return leaf(_apply_f(t, k, M1)) + leaf(_apply_f(t, k, M2))


_LO = np.array([0.0, 0.0, 0.0, 0.0])
_HI = np.array([math.pi, 2 * math.pi, math.pi / 2, math.pi / 2])


def _node_candidates(t, rng, samples: int, keep: int) -> list:
    """``[(value, party, x)]``: the best nodes with measure-and-Vidal leaves, refined."""
    from scipy.optimize import minimize
    out = []
    for k in range(3):
        xs = rng.uniform(_LO, _HI, size=(samples, 4))
        # projective and symmetric weak choices sampled on purpose
        xs[: samples // 4, 2:] = rng.choice([0.0, math.pi / 2], size=(samples // 4, 2))
        vals = np.array([_node_value(t, k, x, _mv) for x in xs])
        for i in np.argsort(vals)[::-1][:keep]:
            res = minimize(lambda x: -_node_value(t, k, x, _mv), xs[i], method="Nelder-Mead",
                           options={"maxiter": 250, "xatol": 1e-7, "fatol": 1e-12})
            out.append((-float(res.fun), k, np.array(res.x)))
    out.sort(key=lambda r: -r[0])
    return out


def search_plan(t: np.ndarray, depth: int, rng, samples: int = 48) -> tuple:
    """``(float value, plan)``; plan ``None`` (a leaf) or ``(k, x, (plan1, plan2))``."""
    leaf = _mv(t)
    if depth == 0 or float(np.sum(np.abs(t) ** 2)) <= 1e-300:
        return leaf, None
    cands = _node_candidates(t, rng, samples, keep=1)
    best = (leaf, None)
    for val, k, x in cands[: (1 if depth == 1 else 2)]:
        if depth == 1:
            sub = (None, None)
        else:
            M1, M2 = _mats(x)
            r1 = search_plan(_apply_f(t, k, M1), depth - 1, rng, samples)
            r2 = search_plan(_apply_f(t, k, M2), depth - 1, rng, samples)
            val, sub = r1[0] + r2[0], (r1[1], r2[1])
        if val > best[0] + 1e-12:
            best = (val, (k, x, sub))
    return best


def plan_to_frame(plan, unitaries):
    """A plan found on ``(U_A x U_B x U_C) psi`` (e.g. the canonical form) as a plan for
    ``psi``: party k's ``V`` becomes ``V U_k`` (re-written as ``diag(phases) V'`` with V' of the
    form of the module docstring; the phases act after the measurement and do not matter), and
    party k's frame is the identity below that node."""
    if plan is None:
        return None
    k, x, sub = plan
    th, ph, al, be = (float(v) for v in x)
    V = np.array([[math.cos(th / 2), np.exp(-1j * ph) * math.sin(th / 2)],
                  [-np.exp(1j * ph) * math.sin(th / 2), math.cos(th / 2)]])
    a, b = (V @ unitaries[k])[0]
    g = cmath.phase(a) if abs(a) > 1e-15 else 0.0
    b = b * cmath.exp(-1j * g)
    th2 = 2 * math.acos(min(1.0, abs(a)))
    ph2 = -cmath.phase(b) if abs(b) > 1e-15 else 0.0
    below = list(unitaries)
    below[k] = np.eye(2)
    return (k, np.array([th2, ph2, al, be]), tuple(plan_to_frame(p, below) for p in sub))


def _plan_params(plan) -> list:
    return [] if plan is None else [plan[1]] + _plan_params(plan[2][0]) + _plan_params(plan[2][1])


def _with_params(plan, it):
    if plan is None:
        return None
    k, _, sub = plan
    x = next(it)
    return (k, x, (_with_params(sub[0], it), _with_params(sub[1], it)))


def _plan_value(t: np.ndarray, plan) -> float:
    if plan is None:
        return _mv(t)
    k, x, sub = plan
    M1, M2 = _mats(x)
    return _plan_value(_apply_f(t, k, M1), sub[0]) + _plan_value(_apply_f(t, k, M2), sub[1])


#: Nelder-Mead iterations of the joint refinement per node parameter (at most REFINE_MAX).
REFINE_PER_PARAM, REFINE_MAX = 150, 800


def refine_plan(t: np.ndarray, plan) -> tuple:
    """``(value, plan)``: every node's parameters of ``plan`` refined *jointly* (its parties and
    shape fixed) by Nelder-Mead on the grid value of the whole tree; the greedy search chooses
    each node for the best measure-and-Vidal leaves below it, which undervalues weak first
    measurements that only pay off after the next ones."""
    from scipy.optimize import minimize
    if plan is None:
        return _mv(t), None
    x0 = np.concatenate(_plan_params(plan))
    v0 = _plan_value(t, plan)
    res = minimize(lambda z: -_plan_value(t, _with_params(plan, iter(z.reshape(-1, 4)))), x0,
                   method="Nelder-Mead", options={"maxiter": min(REFINE_MAX, REFINE_PER_PARAM * x0.size),
                                                  "xatol": 1e-8, "fatol": 1e-12})
    if -res.fun > v0:
        return -float(res.fun), _with_params(plan, iter(np.asarray(res.x).reshape(-1, 4)))
    return v0, plan


# ---- exact tree from a plan ----------------------------------------------------------------------

def _rat(v: float) -> Fraction:
    return Fraction(v).limit_denominator(DENOMINATOR)


def exact_basis(th: float, ph: float) -> tuple:
    """Gaussian-rational ``(a, b)``, ``|a|^2 + |b|^2 = 1`` exactly, near
    ``(cos(th/2), e^{-i ph} sin(th/2))`` (inverse stereographic projection of a rational point)."""
    a, b = math.cos(th / 2), complex(np.exp(-1j * ph) * math.sin(th / 2))
    q = np.array([a, 0.0, b.real, b.imag])
    if q[0] < 0:
        q = -q  # the same measurement (a global sign of V)
    y = [_rat(float(v / (1 + q[0]))) for v in q[1:]]
    r2 = sum(v * v for v in y)
    q0 = (1 - r2) / (1 + r2)
    q1, q2, q3 = (2 * v / (1 + r2) for v in y)
    return GaussianRational(q0, q1), GaussianRational(q2, q3)


def exact_diag(al: float) -> tuple:
    """``(cos, sin)`` of a rational angle near ``al`` in [0, pi/2]: Pythagorean rationals; exactly
    ``(1, 0)`` or ``(0, 1)`` within :data:`SNAP` of the ends (a projective outcome)."""
    if al < SNAP:
        return Fraction(1), Fraction(0)
    if al > math.pi / 2 - SNAP:
        return Fraction(0), Fraction(1)
    t = _rat(math.tan(al / 2))
    return (1 - t * t) / (1 + t * t), 2 * t / (1 + t * t)


def _leaf_basis(psi) -> tuple:
    """``(party, u)``: the best measure-and-Vidal basis of a branch (grid, then Nelder-Mead
    from the best grid point of each party; the computational, X and Y bases as candidates),
    chosen by the exact value (:func:`analytics.general_locc.unnormalised_value`)."""
    from scipy.optimize import minimize
    t = _cvec(psi)
    vals = _party_values(t)
    cands = [(p, (GaussianRational(1), GaussianRational(0))) for p in PARTIES]
    cands += [(p, (GaussianRational(1), GaussianRational(1))) for p in PARTIES]
    cands += [(p, (GaussianRational(1), GaussianRational(0, 1))) for p in PARTIES]
    for k in range(3):
        g = int(np.argmax(vals[k]))
        x0 = np.array([_TH.ravel()[g], _PH.ravel()[g]])
        T0, T1 = t.reshape(8)[_I0[k]].reshape(2, 2), t.reshape(8)[_I1[k]].reshape(2, 2)
        res = minimize(lambda x: -float(float_values(T0, T1, np.array(x[0]), np.array(x[1]))),
                       x0, method="Nelder-Mead", options={"maxiter": 200, "xatol": 1e-10,
                                                          "fatol": 1e-14})
        th, ph = res.x
        u0, u1 = math.cos(th / 2), complex(math.sin(th / 2) * np.exp(1j * ph))
        cands.append((PARTIES[k], (GaussianRational(_rat(u0)), GaussianRational(_rat(u1.real),
                                                                               _rat(u1.imag)))))
    return max(cands, key=lambda c: unnormalised_value(psi, c[0], c[1]))


def exact_leaf(psi, optimised: bool = False) -> GLeaf:
    """The leaf of an exact branch: ``vidal`` where a party is exactly product (``none`` if two
    are: then all three are), else measure-and-Vidal: the protocol of
    :func:`analytics.general_locc.measure_vidal_protocol` (``optimised=True``, the baseline at
    the root) or the cheaper basis search of :func:`_leaf_basis` (inner branches)."""
    S = _norm2(psi)
    if S == 0:
        return GLeaf("none")
    prod = [p for p in PARTIES if reduced_det(psi, p) == 0]
    if len(prod) >= 2:
        return GLeaf("none")
    if prod:
        return GLeaf("vidal", prod[0])
    if optimised:
        res = measure_vidal_protocol(ThreeQubitState(tuple(psi), False, True))
        return GLeaf("measure_vidal", res.party, res.u)
    return GLeaf("measure_vidal", *_leaf_basis(psi))


def exact_tree(psi, plan):
    """The exact tree of a float plan at the exact branch ``psi``; a node is kept only where its
    exact value exceeds the leaf's by :data:`KEEP_GAIN` (so the tree is never worse than the one-measurement protocol)."""
    leaf = exact_leaf(psi)
    if plan is None or _norm2(psi) == 0:
        return leaf
    k, x, sub = plan
    th, ph, al, be = (float(v) for v in x)
    al, be = min(max(al, 0.0), math.pi / 2), min(max(be, 0.0), math.pi / 2)
    c0, s0 = exact_diag(al)
    c1, s1 = exact_diag(be)
    node = GNode(PARTIES[k], exact_basis(th % (4 * math.pi), ph), ((c0, c1), (s0, s1)),
                 (GLeaf("none"), GLeaf("none")))
    kids = tuple(exact_tree(apply_local(psi, node.party, node.kraus(i)), sub[i]) for i in (0, 1))
    node = GNode(node.party, node.basis, node.d, kids)
    st = ThreeQubitState(tuple(psi), False, True)
    if evaluate_general_tree(node, st).total > evaluate_general_tree(leaf, st).total + KEEP_GAIN:
        return node
    return leaf


# ---- the result ----------------------------------------------------------------------------------

#: Exact values with at most this many digits are kept as they are (18/25, 1, the value of a
#: one-measurement protocol on binary float amplitudes).
SHORT_DIGITS = 120


def short_lower(q: Fraction) -> Fraction:
    """``q`` itself if it is short (numerator and denominator of at most :data:`SHORT_DIGITS`
    digits together), else the largest float <= q as an exact dyadic Fraction: a short bound
    for rows and claims (a tree's exact value has thousands of digits)."""
    q = Fraction(q)
    if len(str(abs(q.numerator))) + len(str(q.denominator)) <= SHORT_DIGITS:
        return q
    return Fraction(float_lower(q))


@dataclass(frozen=True)
class GeneralLOCCBound:
    """The best checked LOCC protocol found for a three-qubit state.

    ``value``: exact value of the tree (``evaluation.total``) rounded down to a float, as a
    Fraction: a lower bound on this explicit finite LOCC protocol's success probability, hence
    on LOCC and on SEP; ``one_measurement``: the exact value of the one-measurement protocol
    (the baseline, also a candidate); ``source``: ``"tree"`` or ``"measure_vidal"``; ``depth``
    and ``nodes``: measurement nodes before the leaves (0 for the one-measurement protocol);
    ``checked``: simulated branch by branch (:func:`check_general_tree`).
    """

    value: Fraction
    one_measurement: Fraction
    source: str
    depth: int
    nodes: int
    leaves: tuple
    checked: bool
    seconds: float
    tree: object = field(repr=False)
    evaluation: GeneralTreeEvaluation = field(repr=False)
    state: ThreeQubitState = field(repr=False)
    kind: str = "locc_protocol"

    def describe(self) -> str:
        """One line, e.g. ``tree of local measurements (depth 2, 3 nodes; leaves: 3
        measure+Vidal, 1 Vidal)``."""
        counts = {k: self.leaves.count(k) for k in LEAF_KINDS if self.leaves.count(k)}
        names = {"measure_vidal": "measure+Vidal", "vidal": "Vidal", "none": "nothing"}
        if self.source == "measure_vidal":
            lf = self.tree
            if lf.kind == "measure_vidal":
                u0, u1 = (complex(z) for z in lf.u)
                n = math.sqrt(abs(u0) ** 2 + abs(u1) ** 2)
                return (f"{lf.party} measures in the basis u = ({u0 / n:.6g}, {u1 / n:.6g}) and "
                        f"its complement, then Vidal's conversion on the pair left")
            return {"vidal": f"Vidal's conversion on the pair ({lf.party} is product)",
                    "none": "no protocol (value 0)"}[lf.kind]
        return (f"tree of local measurements (depth {self.depth}, {self.nodes} nodes; leaves: "
                + ", ".join(f"{v} {names[k]}" for k, v in counts.items()) + ")")

    @property
    def protocol_kind(self) -> str:
        """Short kind for rows: ``"tree (depth 2, 3 nodes), checked"`` or
        ``"measure + Vidal, checked"``."""
        if self.source == "tree":
            return f"tree (depth {self.depth}, {self.nodes} nodes), checked"
        return "measure + Vidal, checked"


def _check_depth(depth) -> int:
    if isinstance(depth, bool) or not isinstance(depth, int) or not 0 <= depth <= MAX_DEPTH:
        raise GeneralLOCCError(f"depth = {depth!r} must be an integer in [0, {MAX_DEPTH}]")
    return depth


def general_locc_bound(state, depth: int = DEFAULT_DEPTH, seed: int = 0,
                       normalise: bool = False) -> GeneralLOCCBound:
    """The best checked LOCC protocol for ``state`` (8 amplitudes or a :class:`ThreeQubitState`):
    the one-measurement protocol and a searched tree of ``depth`` measurement levels (module
    docstring), each evaluated exactly; the larger exact value is kept, simulated branch by
    branch and returned. Deterministic for a given ``seed``. Raises :class:`GeneralLOCCError`
    for a bad ``depth`` or ``seed``, :class:`analytics.general_states.AmplitudeError` for a bad
    state."""
    t_start = time.perf_counter()
    depth = _check_depth(depth)
    if isinstance(seed, bool) or not isinstance(seed, int) or seed < 0:
        raise GeneralLOCCError(f"seed = {seed!r} must be a non-negative integer")
    st = three_qubit_state(state, normalise=normalise)
    base = exact_leaf(st.psi, optimised=True)
    base_ev = evaluate_general_tree(base, st)
    tree, ev, source = base, base_ev, "measure_vidal"
    if depth > 0 and base.kind == "measure_vidal":
        # search on the canonical form (the same float state for every LU-equivalent input,
        # so the search does not depend on the local bases), then map the plan back
        rng = np.random.default_rng(seed)
        can = canonical_form(st)
        tc = can.vector().reshape(2, 2, 2)
        _, plan = search_plan(tc, depth, rng)
        _, plan = refine_plan(tc, plan)
        plan = plan_to_frame(plan, can.unitaries)
        if plan is not None:
            cand = exact_tree(st.psi, plan)
            cev = evaluate_general_tree(cand, st)
            if cev.total > base_ev.total:
                tree, ev, source = cand, cev, "tree"
    value = short_lower(ev.total)
    check_general_tree(tree, st, value)
    return GeneralLOCCBound(value, base_ev.total, source, tree_depth(tree), tree_nodes(tree),
                            tuple(tree_leaf_kinds(tree)), True,
                            round(time.perf_counter() - t_start, 3), tree, ev, st)


def tree_lines(tree, ev: GeneralTreeEvaluation, path: tuple = (), indent: str = "") -> list:
    """Human-readable lines of the tree: party, outcome probabilities, leaves and values."""
    if isinstance(tree, GLeaf):
        rec = next((lf for lf in ev.leaves if lf[0] == path), None)
        p, v = (float(rec[1]), float(rec[3])) if rec else (0.0, 0.0)
        what = {"measure_vidal": f"{tree.party} measures, then Vidal",
                "vidal": f"Vidal ({tree.party} product)", "none": "nothing"}[tree.kind]
        return [f"{indent}{what}: p = {p:.6f}, value {v:.6f}"]
    out = [f"{indent}{tree.party} measures (two outcomes):"]
    for i, ch in enumerate(tree.children):
        q = ev.cond.get(path + (i,), Fraction(0))
        out.append(f"{indent}  outcome {i + 1} (conditional probability {float(q):.6f}):")
        out += tree_lines(ch, ev, path + (i,), indent + "    ")
    return out


__all__ = ["GLeaf", "GNode", "GeneralLOCCError", "GeneralTreeEvaluation", "GeneralLOCCBound",
           "general_locc_bound", "evaluate_general_tree", "simulate_general_tree",
           "check_general_tree", "check_node", "apply_local", "exact_basis", "exact_diag",
           "tree_lines", "tree_depth", "tree_nodes", "short_lower", "DEFAULT_DEPTH", "MAX_DEPTH",
           "LEAF_KINDS", "MAX_NODES"]
