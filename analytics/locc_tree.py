"""LOCC lower bounds from full measurement trees, exact (issue 18; docs/locc-trees.md).

A tree is a local two-outcome measurement per node (:class:`analytics.tree_certificates.TreeNode`,
outcome :math:`M_i = [[s_i, \\beta_i\\sqrt{x_0/x_k}], [0, \\sqrt{c_i}]]` with rational
:math:`s_i, \\beta_i, c_i`), and *both* outcomes may be measured again. Leaves
(:class:`LOCCLeaf`):

* ``"kappa"`` on the plane (:math:`x_0 = 0`): the LOCC supremum there is :math:`\\kappa`
  (Theorem 2 of PRL 108, 240504); the finite protocol runs the Theorem 2 protocol with R
  Fortescue-Lo rounds (:func:`analytics.locc.theorem2_protocol`, simulated);
* ``"vidal"`` on a two-party slice with vacuum (:math:`x_0 > 0`, exactly one of
  :math:`x_A, x_B, x_C` zero): the explicit one-node protocol of :func:`vidal_subtree` (the
  larger party zeroes :math:`|000\\rangle` and equalises the weights on one outcome), whose exact
  rational value is within :math:`2^{-50}` of Vidal's optimum :math:`1 - \\sqrt{1 - 4x_ix_j}` and
  never above it (checked exactly: :func:`below_vidal`);
* ``"none"``: do nothing (value 0, valid everywhere).

**Proof of the value** (:func:`evaluate_locc_tree`). Every node's completeness identities and
signs are checked in rationals by :func:`analytics.tree_certificates.node_branches` (which also
gives the exact branch states), every leaf's admissibility is checked exactly (``kappa`` needs
:math:`x_0 = 0`, ``vidal`` a two-party slice), and the value
:math:`\\sum_{\\rm leaves} p\\,v(\\text{leaf})` is a Fraction. Composition: a local measurement
followed, on each outcome, by an LOCC protocol is an LOCC protocol (the outcome is broadcast),
so the tree's sup value is a lower bound on the LOCC supremum on the root state
(``locc_sup_lower``), and with the finite Theorem 2 protocol at the plane leaves it is an
explicit finite protocol (``locc_lower``, float: the Fortescue-Lo part is composed in floats,
as in :mod:`analytics.locc`).

**Search** (floats, a search not a proof): :mod:`analytics.locc_values` (value iteration over
two-outcome nodes on unnormalised weights) guides a root-first construction
(:func:`build_tree`); each node's float parameters are made rational at the exact state of that
node (:func:`rational_node`). The chain of :mod:`analytics.offplane` (one branch continues) is a
second candidate; the larger exact value is kept (:func:`locc_tree_bound`).
"""
from __future__ import annotations

import math
import numbers
from dataclasses import dataclass, field
from fractions import Fraction

import numpy as np

from .certjson import float_lower, frac_str, parse_frac, require, state_from_json, state_to_json
from .errors import SepgapError
from .locc import DEFAULT_ROUNDS, MAX_ROUNDS, fortescue_lo, theorem2_protocol
from .locc_values import DEFAULT_GRID, best_node, value_table
from .monotones import kappa
from .offplane import rational_chain, search_chain
from .states import PARTIES, WClassState, as_state
from .tree_certificates import (TreeLeaf, TreeNode, TreeOutcome, node_branches, tree_depth,
                                tree_leaves, tree_size)

#: Default depth of the full tree (docs/locc-trees.md: depth 5-6 gains < 1e-3 at the test states).
DEFAULT_DEPTH = 4
MAX_DEPTH = 8
#: Denominator limit of the rational node parameters.
DENOMINATOR = 10 ** 9
#: Bits of the rational parameter of the Vidal leaf (value within 2**-50 of Vidal's).
VIDAL_BITS = 64
LEAF_KINDS = ("kappa", "vidal", "none")
FORMAT, VERSION, KIND = "sepgap-certificate", 1, "locc_sup_lower_bound"
ARITHMETIC = "exact-rational"


class LOCCTreeError(SepgapError, ValueError):
    """A bad argument, a malformed LOCC tree, or a tree/certificate that fails an exact check."""


@dataclass(frozen=True)
class LOCCLeaf(TreeLeaf):
    """A leaf of an LOCC tree: ``"kappa"`` (plane), ``"vidal"`` (two-party slice), ``"none"``."""

    def __post_init__(self):
        if self.kind not in LEAF_KINDS:
            raise LOCCTreeError(f"LOCC leaf kind {self.kind!r} is not one of {LEAF_KINDS}")


def _check_int(name: str, v, lo: int, hi: int) -> int:
    if isinstance(v, bool) or not isinstance(v, numbers.Integral) or not lo <= v <= hi:
        raise LOCCTreeError(f"{name} = {v!r} must be an integer in [{lo}, {hi}]")
    return int(v)


def _w(st: WClassState) -> dict:
    return {"0": st.x0, "A": st.xA, "B": st.xB, "C": st.xC}


def _circle(m: Fraction) -> tuple:
    return 2 * m / (1 + m * m), (1 - m * m) / (1 + m * m)


def is_two_party_slice(st: WClassState) -> bool:
    """:math:`x_0 > 0` and exactly one of :math:`x_A, x_B, x_C` zero (Vidal's two-qubit case)."""
    return st.x0 != 0 and sum(1 for v in st.x if v == 0) == 1


# ---- the Vidal leaf ------------------------------------------------------------------------------

def vidal_subtree(st: WClassState) -> TreeNode:
    """Explicit one-node protocol on a two-party slice ``st`` (exact, :math:`x_0 > 0`).

    The larger party i measures :math:`s_1 = 2m/(1+m^2)`, :math:`\\beta_1 = -s_1` (outcome 1 has
    no :math:`|000\\rangle`), :math:`c_1 = a_1x_j/x_i` (equal weights: :math:`|\\Psi^+\\rangle_{ij}`,
    probability :math:`2a_1x_j`), :math:`\\beta_2 = a_1/s_2`, :math:`c_2` the remainder. With
    normalised weights :math:`c_2 \\ge 0` iff :math:`x_j a_1^2 - a_1 + x_i \\ge 0` (times
    :math:`1/(a_2x_i)`), so :math:`2a_1x_j \\le 1 - \\sqrt{1 - 4x_ix_j}`, Vidal's value, with
    equality at the root. m = K / 2^64 is the largest such dyadic (bisection, exact).
    """
    st = st.exact()
    if not is_two_party_slice(st):
        raise LOCCTreeError(f"a Vidal leaf needs x0 > 0 and exactly one zero component, got {st}")
    w = _w(st)
    i, j = sorted((p for p in PARTIES if w[p] != 0), key=lambda p: -w[p])

    def c2_of(m: Fraction):
        s1, s2 = _circle(m)
        a1 = s1 * s1
        c1 = a1 * w[j] / w[i]
        return s1, s2, c1, 1 - (a1 + a1 * a1 / (s2 * s2)) * w["0"] / w[i] - c1

    lo, hi = 0, 2 ** VIDAL_BITS - 1
    while hi - lo > 1:
        mid = (lo + hi) // 2
        if c2_of(Fraction(mid, 2 ** VIDAL_BITS))[3] >= 0:
            lo = mid
        else:
            hi = mid
    s1, s2, c1, c2 = c2_of(Fraction(lo, 2 ** VIDAL_BITS))
    return TreeNode(i, (TreeOutcome(s1, -s1, c1, LOCCLeaf("kappa")),
                        TreeOutcome(s2, s1 * s1 / s2, c2, LOCCLeaf("none"))))


def below_vidal(st: WClassState, value: Fraction) -> bool:
    """Exact check of ``value <= 1 - sqrt(1 - 4 x_i x_j)`` on a two-party slice (squares only)."""
    xi, xj = (v for v in st.x if v != 0)
    one_minus = 1 - Fraction(value)
    return one_minus >= 0 and one_minus * one_minus >= 1 - 4 * xi * xj


# ---- exact evaluation ----------------------------------------------------------------------------

@dataclass(frozen=True)
class LOCCTreeEvaluation:
    """Exact value of an LOCC tree on a state: ``total = sum p * leaf value``; ``leaves`` are
    ``(path, probability, state, kind, value)``; ``cond`` the conditional outcome probabilities."""

    total: Fraction
    leaves: tuple
    cond: dict = field(repr=False, default_factory=dict)
    arithmetic: str = ARITHMETIC


def leaf_value(kind: str, st: WClassState) -> Fraction:
    """Exact sup value of a leaf on its exact normalised state; raises if it does not apply."""
    if kind == "none":
        return Fraction(0)
    if kind == "kappa":
        if st.x0 != 0:
            raise LOCCTreeError(f"a kappa leaf needs x0 = 0, got {st}")
        return Fraction(kappa(st))
    if kind == "vidal":
        val = evaluate_locc_tree(vidal_subtree(st), st).total
        if not below_vidal(st, val):  # cannot happen (docstring); checked anyway
            raise LOCCTreeError(f"Vidal leaf value {val} exceeds Vidal's optimum at {st}")
        return val
    raise LOCCTreeError(f"unknown leaf kind {kind!r}")


def evaluate_locc_tree(tree, state) -> LOCCTreeEvaluation:
    """Check ``tree`` on the exact ``state`` node by node and leaf by leaf (module docstring);
    raises :class:`LOCCTreeError` on any failed check."""
    st = as_state(state).exact()
    try:
        leaves, cond = tree_leaves(tree, st)
    except SepgapError as exc:
        raise LOCCTreeError(str(exc)) from None
    recs = []
    for path, prob, lst, leaf in leaves:
        if not isinstance(leaf, LOCCLeaf):
            raise LOCCTreeError(f"leaf at path {path} is {leaf!r}, not an LOCC leaf")
        recs.append((path, prob, lst, leaf.kind, leaf_value(leaf.kind, lst)))
    total = sum((p * v for _, p, _, _, v in recs), Fraction(0))
    return LOCCTreeEvaluation(total, tuple(recs), cond)


# ---- the finite protocol -------------------------------------------------------------------------

def plane_protocol_parts(st: WClassState) -> tuple:
    """``(top, p_w)`` of the Theorem 2 protocol on the exact plane state: with R rounds its
    value is ``top + p_w * P_FL(R)`` (:func:`analytics.locc.fortescue_lo`); ``top`` is exact."""
    res = theorem2_protocol(st, 0, exact=True)
    p_w = Fraction(res.w_probability) if isinstance(res.w_probability, Fraction) else None
    if p_w is None or not p_w:
        return Fraction(kappa(st)), Fraction(0)
    return Fraction(kappa(st)) - p_w, p_w


def finite_value(ev: LOCCTreeEvaluation, rounds: int) -> float:
    """Success probability of the finite protocol: Theorem 2 with ``rounds`` Fortescue-Lo rounds
    at the kappa leaves, the explicit Vidal protocol at the vidal leaves (float)."""
    fl = float(fortescue_lo(rounds).success) if rounds is not None else 1.0
    total = []
    for _, p, lst, kind, v in ev.leaves:
        if kind == "kappa":
            top, p_w = plane_protocol_parts(lst)
            total.append(float(p) * (float(top) + float(p_w) * fl))
        elif kind == "vidal":
            total.append(float(p * v))
    return math.fsum(total)


def finite_pairs(ev: LOCCTreeEvaluation, rounds: int) -> dict:
    """Per-pair success probabilities of the finite protocol (floats): the Theorem 2 protocol
    simulated at each kappa leaf (:func:`analytics.locc.theorem2_protocol`), the pair of the
    two remaining parties at each Vidal leaf. Sums to :func:`finite_value` up to rounding."""
    out = {p: 0.0 for p in ("AB", "AC", "BC")}
    for _, p, lst, kind, v in ev.leaves:
        if kind == "kappa":
            for pair, q in theorem2_protocol(lst, rounds).pairs.items():
                out[pair] += float(p) * float(q)
        elif kind == "vidal":
            pair = "".join(q for q, x in zip(PARTIES, lst.x) if x != 0)
            out[pair] += float(p * v)
    return out


# ---- building a tree -----------------------------------------------------------------------------

def _room(u: Fraction, s1: Fraction, s2: Fraction, r2: Fraction) -> Fraction:
    return 1 - u * u * (s1 * s1 + s1 ** 4 / (s2 * s2)) * r2


def rational_node(st: WClassState, k: int, a1: float, uu: float, v: float) -> TreeNode | None:
    """Exact node (children ``"none"``) for float parameters at the exact state ``st``, or None.

    :math:`s_1, s_2` a rational point of the unit circle near :math:`(\\sqrt{a_1}, \\sqrt{a_2})`;
    u rational, shrunk until :math:`\\rho \\ge 0` exactly (u = 1 exactly when admissible and
    ``uu = 1``: outcome 1 on the plane); :math:`c_1 = v\\rho` (exactly 0 or :math:`\\rho` for
    v = 0, 1: a two-party slice).
    """
    party = PARTIES[k]
    w = _w(st)
    if w[party] == 0:
        return None
    a1 = min(max(a1, 1e-12), 1 - 1e-12)
    s, t = math.sqrt(a1), math.sqrt(1 - a1)
    m = Fraction(s / (1 + t)).limit_denominator(DENOMINATOR)
    if not 0 < m < 1:
        return None
    s1, s2 = _circle(m)
    r2 = w["0"] / w[party]
    uf = float(uu) * min(1.0, math.sqrt(float(s2 * s2) / float(s1 * s1 * r2)) if r2 else 1.0)
    u = Fraction(1) if uu >= 1 else Fraction(min(max(uf, 0.0), 1.0)).limit_denominator(DENOMINATOR)
    if uu >= 1 and _room(u, s1, s2, r2) < 0:
        u = Fraction(uf).limit_denominator(DENOMINATOR)
    for _ in range(80):
        if _room(u, s1, s2, r2) >= 0:
            break
        u = (u * (1 - Fraction(1, 2 ** 20))).limit_denominator(DENOMINATOR)
    else:
        return None
    rho = _room(u, s1, s2, r2)
    c1 = Fraction(0) if v <= 0 else rho if v >= 1 else \
        min(max(Fraction(float(v)).limit_denominator(DENOMINATOR), Fraction(0)), Fraction(1)) * rho
    none = LOCCLeaf("none")
    return TreeNode(party, (TreeOutcome(s1, -u * s1, c1, none),
                            TreeOutcome(s2, u * s1 * s1 / s2, rho - c1, none)))


def _leaf_for(st: WClassState):
    if st.x0 == 0:
        return LOCCLeaf("kappa")
    if is_two_party_slice(st):
        return LOCCLeaf("vidal")
    if sum(1 for v in st.x if v != 0) <= 1:
        return LOCCLeaf("none")
    return None


def _weights_array(st: WClassState) -> np.ndarray:
    return np.array([float(st.x0), float(st.xA), float(st.xB), float(st.xC)])


def build_tree(state, depth: int = DEFAULT_DEPTH, grid: int = DEFAULT_GRID, samples: int = 600,
               seed: int = 0, root_party: int | None = None):
    """Root-first exact tree guided by the value table (module docstring); ``root_party``
    (0, 1, 2) forces the party measuring first."""
    st = as_state(state).exact()
    depth = _check_int("depth", depth, 0, MAX_DEPTH)
    grid = _check_int("grid", grid, 4, 64)
    table = value_table(grid, max(depth - 1, 0)) if depth > 1 else value_table(grid, 0)

    def rec(cur: WClassState, d: int):
        leaf = _leaf_for(cur)
        if leaf is not None:
            return leaf
        if d == 0:
            return LOCCLeaf("none")
        gain, k, params = best_node(table, _weights_array(cur), d - 1, samples=samples, seed=seed,
                                    party=root_party if cur is st else None)
        if k is None or not gain > 0:
            return LOCCLeaf("none")
        node = rational_node(cur, k, *params)
        if node is None:
            return LOCCLeaf("none")
        outs = []
        for (p, child), o in zip(node_branches(node, cur), node.outcomes):
            sub = LOCCLeaf("none") if child is None else rec(child, d - 1)
            outs.append(TreeOutcome(o.sqrt_a, o.beta, o.c, sub))
        return TreeNode(node.party, tuple(outs))

    return rec(st, depth)


def chain_tree(state, depth: int = 2, samples: int = 600, seed: int = 0):
    """The best chain of :mod:`analytics.offplane` (kappa leaves), as an LOCC tree."""
    st = as_state(state).exact()
    found, best = None, (Fraction(-1), LOCCLeaf("none"))
    for d in range(1, depth + 1):
        found = search_chain(st, d, "kappa", samples, 3, seed=seed, warm=found)
        if not found.parties:
            continue
        tree = _relabel(rational_chain(st, found), st)
        val = evaluate_locc_tree(tree, st).total
        if val > best[0]:
            best = (val, tree)
    return best[1]


def _relabel(tree, st: WClassState):
    """SEP plane leaves -> kappa leaves, trivial leaves -> none (or the leaf the state allows)."""
    if isinstance(tree, TreeLeaf):
        return _leaf_for(st) or LOCCLeaf("none")
    outs = []
    for (p, child), o in zip(node_branches(tree, st), tree.outcomes):
        sub = LOCCLeaf("none") if child is None else _relabel(o.child, child)
        outs.append(TreeOutcome(o.sqrt_a, o.beta, o.c, sub))
    return TreeNode(tree.party, tuple(outs))


# ---- the result ----------------------------------------------------------------------------------

#: Fortescue-Lo budgets of the rounds-versus-probability table.
TRADEOFF_ROUNDS = (0, 1, 10, 100, 1000, 10 ** 4, 10 ** 6)


@dataclass(frozen=True)
class LOCCTreeBound:
    """LOCC lower bounds of one state from the best exact tree.

    ``locc_sup_lower`` (Fraction): the exact tree value with kappa/Vidal leaves
    (``evaluation.total``, thousands of digits) rounded down to the largest float below it: a
    lower bound on the LOCC supremum; ``locc_lower`` (float): the finite protocol with ``rounds`` Fortescue-Lo
    rounds; ``tradeoff``: ``((rounds, locc_lower), ...)``; ``source``: ``"full"`` (value
    iteration) or ``"chain"``; ``depth``, ``nodes`` (measurements in the tree) and
    ``kappa_leaves``/``vidal_leaves`` describe the tree.
    """

    state: WClassState
    locc_sup_lower: Fraction
    locc_lower: float
    rounds: int
    tree: object = field(repr=False)
    evaluation: LOCCTreeEvaluation = field(repr=False)
    source: str
    depth: int
    nodes: int
    kappa: Fraction
    tradeoff: tuple = field(repr=False, default=())
    candidates: dict = field(repr=False, default_factory=dict)

    @property
    def locc_sup_kind(self) -> str:
        """How ``locc_sup_lower`` was reached, e.g. ``"tree+kappa (full, depth 4, 12 nodes)"``."""
        if self.source == "leaf":
            return {"kappa": "kappa", "vidal": "vidal", "none": "none"}[self.tree.kind]
        return f"tree+kappa ({self.source}, depth {self.depth}, {self.nodes} nodes)"

    @property
    def locc_lower_protocol(self) -> str:
        """The finite protocol of ``locc_lower``: ``"tree+theorem2"`` (a tree with the Theorem 2
        protocol at its plane leaves), ``"theorem2"`` on the plane, ``"vidal"`` on a slice."""
        if self.source == "leaf":
            return {"kappa": "theorem2", "vidal": "vidal", "none": "none"}[self.tree.kind]
        return "tree+theorem2"

    @property
    def kappa_leaves(self) -> int:
        return sum(1 for lf in self.evaluation.leaves if lf[3] == "kappa")

    @property
    def vidal_leaves(self) -> int:
        return sum(1 for lf in self.evaluation.leaves if lf[3] == "vidal")

    def certificate(self) -> dict:
        return locc_tree_certificate(self.state, self.tree, self.evaluation)

    def as_dict(self) -> dict:
        return {"locc_sup_lower": float_lower(self.locc_sup_lower),
                "locc_sup_lower_exact": frac_str(self.locc_sup_lower),
                "locc_lower": self.locc_lower, "rounds": self.rounds, "source": self.source,
                "tree_depth": self.depth, "tree_nodes": self.nodes,
                "kappa_leaves": self.kappa_leaves, "vidal_leaves": self.vidal_leaves,
                "kappa": float(self.kappa), "kappa_exact": frac_str(self.kappa),
                "tradeoff": [{"rounds": r, "locc_lower": v} for r, v in self.tradeoff],
                "candidates": {k: float_lower(v) for k, v in self.candidates.items()}}


def _rename(tree, names: dict):
    """The same tree with node parties renamed by ``names`` (leaves are rebuilt from the states)."""
    if isinstance(tree, TreeLeaf):
        return tree
    return TreeNode(names[tree.party], tuple(TreeOutcome(o.sqrt_a, o.beta, o.c, _rename(o.child, names))
                                             for o in tree.outcomes))


def _count_nodes(tree) -> int:
    return 0 if isinstance(tree, TreeLeaf) else 1 + sum(_count_nodes(o.child) for o in tree.outcomes)


def locc_tree_bound(state, rounds: int = DEFAULT_ROUNDS, depth: int = DEFAULT_DEPTH,
                    grid: int = DEFAULT_GRID, chain: bool = True, seed: int = 0) -> LOCCTreeBound:
    """Best exact LOCC tree on ``state``: the value-iteration tree and (``chain=True``) the chain
    of :mod:`analytics.offplane`, each evaluated exactly; the larger sup value is kept. Both are
    searched with the parties sorted by weight (the full tree in both orders) and relabelled, so
    permuting the parties of the state permutes the tree and leaves every value unchanged.

    Raises :class:`LOCCTreeError` for a bad ``rounds``/``depth``/``grid``, and the state errors of
    :func:`analytics.states.as_state`.
    """
    st = as_state(state).exact()
    rounds = _check_int("rounds", rounds, 0, MAX_ROUNDS)
    depth = _check_int("depth", depth, 0, MAX_DEPTH)
    grid = _check_int("grid", grid, 4, 64)
    leaf = _leaf_for(st)
    cands = {}
    if leaf is not None:
        cands["leaf"] = leaf
    else:
        # search on the state with its parties sorted by weight (descending, then ascending) and
        # relabel: the result does not depend on how the parties are named (the searches
        # themselves are not symmetric, so two orders are tried and the better exact tree kept)
        _, order = st.sorted()
        best = None
        for names in (order, order[::-1]):
            back = dict(zip(PARTIES, names))
            t = _rename(build_tree(st.permuted("".join(names)), depth, grid, seed=seed), back)
            v = evaluate_locc_tree(t, st).total
            if best is None or v > best[0]:
                best = (v, t)
        cands["full"] = best[1]
        if chain:
            cands["chain"] = _rename(chain_tree(st.permuted("".join(order)), seed=seed),
                                     dict(zip(PARTIES, order)))
    evals = {name: evaluate_locc_tree(t, st) for name, t in cands.items()}
    name = max(evals, key=lambda n: (evals[n].total, n == "full"))
    tree, ev = cands[name], evals[name]
    tradeoff = tuple((r, finite_value(ev, r)) for r in sorted(set(TRADEOFF_ROUNDS) | {rounds}))
    return LOCCTreeBound(st, short_lower(ev.total), dict(tradeoff)[rounds], rounds, tree, ev, name,
                         tree_depth(tree), _count_nodes(tree), Fraction(kappa(st)), tradeoff,
                         {n: e.total for n, e in evals.items()})


# ---- tree text -----------------------------------------------------------------------------------

def tree_lines(tree, ev: LOCCTreeEvaluation, path: tuple = (), indent: str = "") -> list:
    """Human-readable lines of the tree: party, outcome probabilities, leaves and values."""
    if isinstance(tree, TreeLeaf):
        rec = next((lf for lf in ev.leaves if lf[0] == path), None)
        if rec is None:
            return [f"{indent}{tree.kind} (not reached)"]
        _, p, lst, kind, v = rec
        return [f"{indent}{kind}: p = {float(p):.6f}, value {float(v):.6f} at "
                f"(x0; xA, xB, xC) = ({float(lst.x0):.4g}; {float(lst.xA):.4g}, "
                f"{float(lst.xB):.4g}, {float(lst.xC):.4g})"]
    out = [f"{indent}{tree.party} measures:"]
    for i, o in enumerate(tree.outcomes):
        q = ev.cond.get(path + (i,), Fraction(0))
        out.append(f"{indent}  outcome {i + 1} (conditional probability {float(q):.6f}):")
        out += tree_lines(o.child, ev, path + (i,), indent + "    ")
    return out


# ---- certificate ---------------------------------------------------------------------------------

def _to_json(tree) -> dict:
    if isinstance(tree, TreeLeaf):
        return {"leaf": tree.kind}
    return {"party": tree.party, "outcomes": [
        {"sqrt_a": frac_str(o.sqrt_a), "beta": frac_str(o.beta), "c": frac_str(o.c),
         "child": _to_json(o.child)} for o in tree.outcomes]}


def _from_json(d, where: str, depth: int = 0):
    if depth > 60:
        raise LOCCTreeError("tree nested too deeply")
    if not isinstance(d, dict):
        raise LOCCTreeError(f"{where}: expected an object")
    if "leaf" in d:
        if set(d) != {"leaf"} or not isinstance(d["leaf"], str):
            raise LOCCTreeError(f"{where}: a leaf is {{'leaf': kind}}")
        return LOCCLeaf(d["leaf"])
    if set(d) != {"party", "outcomes"} or not isinstance(d["outcomes"], list) or not d["outcomes"]:
        raise LOCCTreeError(f"{where}: a node is {{'party': ..., 'outcomes': [...]}}")
    outs = []
    for i, o in enumerate(d["outcomes"]):
        w = f"{where}.outcomes[{i}]"
        if not isinstance(o, dict) or set(o) != {"sqrt_a", "beta", "c", "child"}:
            raise LOCCTreeError(f"{w}: expected exactly sqrt_a, beta, c, child")
        child = _from_json(o["child"], f"{w}.child", depth + 1)
        outs.append(TreeOutcome(*(parse_frac(o[key], f"{w}.{key}") for key in ("sqrt_a", "beta", "c")),
                                child))
    if not isinstance(d["party"], str):
        raise LOCCTreeError(f"{where}.party: expected a string")
    return TreeNode(d["party"], tuple(outs))


def locc_claim_text(bound: Fraction) -> str:
    """The certificate's claim: ``LOCC_sup >= bound`` (exact)."""
    return (f"LOCC_sup >= {frac_str(bound)} (explicit LOCC measurement tree; kappa at plane "
            "leaves, Theorem 2; Vidal's protocol at two-party leaves)")


def locc_tree_certificate(state, tree, ev: LOCCTreeEvaluation | None = None) -> dict:
    """JSON certificate ``kind = "locc_sup_lower_bound"`` of ``tree`` on ``state``."""
    st = as_state(state).exact()
    ev = evaluate_locc_tree(tree, st) if ev is None else ev
    b = short_lower(ev.total)
    return {"format": FORMAT, "version": VERSION, "kind": KIND, "claim": locc_claim_text(b),
            "state": state_to_json(st), "tree": {"root": _to_json(tree)},
            "bound": {"exact": frac_str(b), "float_lower": float(b)},
            "arithmetic": ARITHMETIC}


def short_lower(q: Fraction) -> Fraction:
    """The largest float <= q, as an exact (dyadic) Fraction: a short bound for rows and claims
    (the exact tree value of a depth-4 tree has thousands of digits)."""
    return Fraction(float_lower(Fraction(q)))


@dataclass(frozen=True)
class LOCCTreeVerification:
    """Result of :func:`verify_locc_tree_certificate`: ``valid``, ``bound``, ``state``, ``reason``."""

    valid: bool
    bound: Fraction | None = None
    state: WClassState | None = None
    reason: str = ""
    claim: object = None

    def line(self) -> str:
        if not self.valid:
            return f"invalid: {self.reason}"
        return (f"valid: LOCC_sup >= {float_lower(self.bound)!r} for x = {self.state} (explicit "
                f"LOCC measurement tree checked in {ARITHMETIC} arithmetic, exact "
                f"{frac_str(self.bound)})")


def _verify(cert) -> LOCCTreeVerification:
    if not isinstance(cert, dict):
        raise LOCCTreeError("a certificate is a JSON object")
    keys = {"format", "version", "kind", "claim", "state", "tree", "bound", "arithmetic"}
    if set(cert) != keys:
        raise LOCCTreeError(f"certificate fields {sorted(map(str, cert))} are not {sorted(keys)}")
    if cert["format"] != FORMAT or cert["version"] != VERSION or cert["kind"] != KIND:
        raise LOCCTreeError(f"not a {KIND!r} certificate of format {FORMAT!r} version {VERSION}")
    if cert["arithmetic"] != ARITHMETIC:
        raise LOCCTreeError(f"arithmetic {cert['arithmetic']!r} is not {ARITHMETIC!r}")
    st = state_from_json(cert["state"])
    tree_d = cert["tree"]
    if not isinstance(tree_d, dict) or set(tree_d) != {"root"}:
        raise LOCCTreeError("tree: expected {'root': NODE}")
    tree = _from_json(tree_d["root"], "tree.root")
    if tree_size(tree) > 10_000:
        raise LOCCTreeError("tree has more than 10000 nodes")
    ev = evaluate_locc_tree(tree, st)
    bd = cert["bound"]
    if not isinstance(bd, dict) or set(bd) != {"exact", "float_lower"}:
        raise LOCCTreeError("bound: expected {'exact', 'float_lower'}")
    b = parse_frac(require(bd, "exact", "bound"), "bound.exact")
    if b > ev.total:
        raise LOCCTreeError(f"claimed bound {float(b)!r} exceeds the tree's exact value "
                            f"{float(ev.total)!r}")
    fl = bd["float_lower"]
    if isinstance(fl, bool) or not isinstance(fl, (int, float)) or fl != float_lower(b):
        raise LOCCTreeError(f"bound.float_lower = {fl!r} is not the exact bound rounded down")
    if cert["claim"] != locc_claim_text(b):
        raise LOCCTreeError(f"claim {cert['claim']!r} is not what the tree proves: "
                            f"{locc_claim_text(b)!r}")
    return LOCCTreeVerification(True, b, st)


def verify_locc_tree_certificate(cert) -> LOCCTreeVerification:
    """Re-check an LOCC tree certificate from its data alone; never raises on bad input."""
    try:
        return _verify(cert)
    except RecursionError:
        return LOCCTreeVerification(False, reason="malformed certificate (nested too deeply)")
    except SepgapError as exc:
        return LOCCTreeVerification(False, reason=str(exc))
    except (ArithmeticError, TypeError, ValueError, KeyError, IndexError, AttributeError) as exc:
        return LOCCTreeVerification(False, reason=f"malformed certificate ({type(exc).__name__}: "
                                                  f"{str(exc)[:200]})")


__all__ = ["DEFAULT_DEPTH", "LOCCTreeError", "LOCCLeaf", "LOCCTreeEvaluation", "LOCCTreeBound",
           "vidal_subtree", "below_vidal", "leaf_value", "evaluate_locc_tree", "finite_value",
           "rational_node", "build_tree", "chain_tree", "locc_tree_bound", "tree_lines",
           "locc_tree_certificate", "verify_locc_tree_certificate", "is_two_party_slice",
           "TRADEOFF_ROUNDS"]
