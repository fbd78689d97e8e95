"""SEP and LOCC lower bounds for W-class states with :math:`x_0 > 0`: measurement chains.

The maths (formulation.md, section 7; docs/offplane.md). Party k measures two outcomes
:math:`M_i = [[\\sqrt{a_i}, b_i], [0, \\sqrt{c_i}]]` with :math:`a_1 + a_2 = 1`,
:math:`\\sqrt{a_1}b_1 + \\sqrt{a_2}b_2 = 0`, :math:`b_1^2 + c_1 + b_2^2 + c_2 = 1`. With
:math:`b_1 = -\\sqrt{a_1x_0/x_k}`, outcome 1 has no :math:`|000\\rangle` amplitude: it lands on the
plane (unnormalised :math:`x_k \\to c_1x_k`, :math:`x_j \\to a_1x_j`), where the SEP optimum
:math:`\\min(1, 2(1-x_{\\max}))` is reached by the checked instruments and the LOCC supremum is
:math:`\\kappa`. Then :math:`b_2 = a_1\\sqrt{x_0/x_k}/\\sqrt{a_2}`, outcome 2 has
:math:`|000\\rangle` amplitude :math:`\\sqrt{x_0/a_2}` (unnormalised :math:`x_0 \\to x_0/a_2`),
:math:`x_k \\to c_2x_k`, :math:`x_j \\to a_2x_j`, and
:math:`c_1 + c_2 = 1 - a_1x_0/(a_2x_k) \\ge 0`. Outcome 2 is measured again: a *chain* of depth d
(each node's plane outcome is a leaf, its other outcome the next node; after the last node
nothing is done). All these values are homogeneous of degree 1 in the unnormalised weights, so
the search works with unnormalised weights throughout.

Search (floats; a search, not a proof). Each node has party k and two numbers in [0, 1]:
:math:`a_1 = v\\,x_k/(x_0 + x_k)` (so :math:`a_1/a_2 \\le x_k/x_0`) and :math:`c_1 = u\\,(c_1+c_2)`.
For every party sequence :math:`(k_1..k_d)` random points are evaluated vectorised, the best few
refined by a batched compass search. Then the chain is made exact
(:func:`rational_chain`): :math:`\\sqrt{a_1} = 2m/(1+m^2)`, :math:`\\sqrt{a_2} = (1-m^2)/(1+m^2)`
with rational m (a rational point on the unit circle), so :math:`b_i = \\beta_i\\sqrt{x_0/x_k}`
with rational :math:`\\beta_1 = -\\sqrt{a_1}`, :math:`\\beta_2 = a_1/\\sqrt{a_2}`; :math:`c_1` rational
and :math:`c_2` the exact remainder (checked >= 0). The exact tree is then proved by
:func:`analytics.tree_certificates.evaluate_tree` in rational arithmetic; only that exact value
is reported as ``sep_lower``.

LOCC: the same chain, optimised separately with :math:`\\kappa` at the plane leaves.
``locc_sup_lower`` = exact :math:`\\sum_{\\rm leaves} p\\,\\kappa(\\text{leaf})` (the supremum of LOCC
on each plane leaf is :math:`\\kappa`, Theorem 2, so the supremum on the root is at least this);
``locc_lower`` = the finite protocol with :func:`analytics.locc.theorem2_protocol`'s steps at the
plane leaves, every probability from :func:`analytics.measurements.simulate` and the
Fortescue-Lo rounds from :func:`analytics.locc.fortescue_lo` (floats, like the existing
LOCC protocols). Both are never below :func:`analytics.locc.projective_vidal_protocol` (the
maximum is taken and labelled).
"""
from __future__ import annotations

import functools
import itertools
import math
from dataclasses import dataclass, field
from fractions import Fraction

import numpy as np

from .display import ShortRepr, show_number
from .errors import SepgapError
from .kraus import KrausOperators
from .plane import plane_lower_bound
from .locc import (DEFAULT_ROUNDS, _check_rounds, _theorem2_policy, fortescue_lo,
                   projective_vidal_protocol, theorem2_protocol)
from .measurements import InvalidMeasurementError, KrausOutcome, LocalMeasurement, is_w_state, simulate
from .monotones import kappa
from .states import PAIRS, PARTIES, WClassState, as_state
from .tree_certificates import (ARITHMETIC, TreeEvaluation, TreeLeaf, TreeNode, TreeOutcome,
                                evaluate_tree, flatten_tree, float_lower, node_branches,
                                tree_certificate, tree_depth, tree_leaves)

#: Default chain depth of the SEP search (docs/offplane.md: the value still grows slowly with
#: depth; 3 beats the issue's two-step numbers and keeps one state well under a second).
DEFAULT_SEP_DEPTH = 3
#: Default chain depth of the LOCC search (kappa leaves saturate earlier than the SEP leaves).
DEFAULT_LOCC_DEPTH = 2
#: Largest depth accepted (the search enumerates 3**depth party sequences).
MAX_DEPTH = 6
#: Denominator limit of the rational parameters m and c_1 of :func:`rational_chain`.
DENOMINATOR = 10 ** 9


class OffPlaneError(SepgapError, ValueError):
    """Bad arguments to the off-plane bounds (depth, rounds, search sizes)."""


def _check_depth(depth, default: int) -> int:
    if depth is None:
        return default
    if isinstance(depth, bool) or not isinstance(depth, int) or not 0 <= depth <= MAX_DEPTH:
        raise OffPlaneError(f"depth = {depth!r} must be an integer in [0, {MAX_DEPTH}]")
    return depth


# ---- float search --------------------------------------------------------------------------------

def sep_leaf_value(y: np.ndarray) -> np.ndarray:
    """SEP optimum on the plane, unnormalised: :math:`\\min(S, 2(S - \\max))` (S = sum)."""
    s = y.sum(-1)
    return np.minimum(s, 2 * (s - y.max(-1)))


def kappa_leaf_value(y: np.ndarray) -> np.ndarray:
    """:math:`\\kappa` on the plane, unnormalised: :math:`2(y_2+y_3) - y_2y_3/y_1`."""
    ys = -np.sort(-y, axis=-1)
    y1, y2, y3 = ys[..., 0], ys[..., 1], ys[..., 2]
    safe = np.where(y1 > 0, y1, 1.0)
    return 2 * (y2 + y3) - np.where(y1 > 0, y2 * y3 / safe, 0.0)


LEAF_VALUES = {"sep": sep_leaf_value, "kappa": kappa_leaf_value}


def chain_values(x0: float, x: np.ndarray, parties: tuple, params: np.ndarray,
                 leaf=sep_leaf_value) -> np.ndarray:
    """Float value of the chain ``parties`` at every row of ``params`` (shape (N, 2d), in [0,1]).

    Rows that are undefined (a party measuring with zero weight) give -1.
    """
    n = params.shape[0]
    z = np.full(n, float(x0))
    w = np.tile(np.asarray(x, float), (n, 1))
    val = np.zeros(n)
    with np.errstate(divide="ignore", invalid="ignore"):
        for lvl, k in enumerate(parties):
            v, u = params[:, 2 * lvl], params[:, 2 * lvl + 1]
            xk = w[:, k]
            a1 = v * xk / (z + xk)
            a2 = 1 - a1
            room = 1 - a1 * z / (a2 * xk)
            c1 = u * room
            b1 = w * a1[:, None]
            b1[:, k] = c1 * xk
            val = val + leaf(b1)
            w = w * a2[:, None]
            w[:, k] = (room - c1) * xk
            z = z / a2
    return np.where(np.isfinite(val), val, -1.0)


def _compass(x0, x, parties, pts, leaf, iters: int) -> tuple:
    """Batched compass search from every row of ``pts`` (maximise; box [0, 1])."""
    m, n = pts.shape
    h = np.full(m, 0.125)
    f = chain_values(x0, x, parties, pts, leaf)
    e = np.concatenate([np.eye(n), -np.eye(n)])
    for _ in range(iters):
        q = np.clip(pts[:, None, :] + h[:, None, None] * e[None], 0.0, 1.0)
        g = chain_values(x0, x, parties, q.reshape(-1, n), leaf).reshape(m, 2 * n)
        j = g.argmax(1)
        gb = g[np.arange(m), j]
        better = gb > f + 1e-15
        pts[better] = q[np.arange(m), j][better]
        f[better] = gb[better]
        h[~better] *= 0.5
        if h.max() < 1e-10:
            break
    return f, pts


@dataclass(frozen=True)
class ChainSearch:
    """Best float chain found: value, party sequence (indices into A, B, C), parameters (v, u)."""

    value: float
    parties: tuple
    params: tuple


def search_chain(state, depth: int, leaf: str = "sep", samples: int = 600, starts: int = 3,
                 iters: int = 120, seed: int = 0, warm: ChainSearch | None = None) -> ChainSearch:
    """Search the best chain of exactly ``depth`` nodes (floats; deterministic for a seed).

    ``warm``: a chain of depth ``depth - 1``; its extensions by a do-nothing node
    (:math:`a_1 = c_1 = 0`, same value) are added as starting points, so the result is never
    below ``warm.value``.
    """
    st = as_state(state)
    x0 = float(st.x0)
    x = np.array([float(v) for v in st.x])
    f_leaf = LEAF_VALUES[leaf]
    rng = np.random.default_rng(seed)
    best = ChainSearch(0.0, (), ())
    if depth == 0:
        return best
    for parties in itertools.product(range(3), repeat=depth):
        if x[parties[0]] == 0:
            continue
        pts = rng.random((samples, 2 * depth))
        vals = chain_values(x0, x, parties, pts, f_leaf)
        start = pts[np.argsort(vals)[-starts:]]
        if warm is not None and warm.parties and parties[:-1] == warm.parties:
            start = np.vstack([start, np.array(warm.params + (0.0, 0.0))])
        f, q = _compass(x0, x, parties, start.copy(), f_leaf, iters)
        i = int(f.argmax())
        if f[i] > best.value:
            best = ChainSearch(float(f[i]), parties, tuple(float(t) for t in q[i]))
    return best


# ---- exact chain ---------------------------------------------------------------------------------

def _circle(m: Fraction) -> tuple:
    """Rational point on the unit circle: :math:`(2m/(1+m^2), (1-m^2)/(1+m^2))`."""
    return 2 * m / (1 + m * m), (1 - m * m) / (1 + m * m)


def _rational_m(a1: float, x0: Fraction, xk: Fraction) -> Fraction:
    """Rational m in [0, 1) with :math:`s = 2m/(1+m^2) \\approx \\sqrt{a_1}` and
    :math:`s^2/t^2 \\le x_k/x_0` (room for :math:`c_1 + c_2 \\ge 0`), checked exactly."""
    a1 = min(max(a1, 0.0), 1.0)
    s, t = math.sqrt(a1), math.sqrt(1.0 - a1)
    target = s / (1.0 + t)  # tan(theta/2) with s = sin(theta), t = cos(theta)
    for shrink in range(60):
        m = Fraction(target * (1.0 - (2.0 ** -40) * (4 ** shrink) if shrink else 1.0)
                     ).limit_denominator(DENOMINATOR)
        if not 0 <= m < 1:
            continue
        s_, t_ = _circle(m)
        if x0 * s_ * s_ <= xk * t_ * t_:
            return m
    return Fraction(0)


def rational_node(st: WClassState, party: str, v: float, u: float, child) -> TreeNode:
    """The exact node for float parameters (v, u) at the exact normalised state ``st``.

    Outcome 1 (on the plane) ends in the best checked plane instrument, outcome 2 in ``child``.
    """
    x = {"0": st.x0, "A": st.xA, "B": st.xB, "C": st.xC}
    xk = x[party]
    a1 = v * float(xk) / (float(x["0"]) + float(xk))
    m = _rational_m(a1, x["0"], xk)
    s, t = _circle(m)
    beta1, beta2 = -s, s * s / t
    room = 1 - (beta1 ** 2 + beta2 ** 2) * x["0"] / xk
    c1 = Fraction(u * float(room)).limit_denominator(DENOMINATOR)
    c1 = min(max(c1, Fraction(0)), room)
    c2 = room - c1
    plane = TreeOutcome(s, beta1, c1, TreeLeaf("trivial"))
    node = TreeNode(party, (plane, TreeOutcome(t, beta2, c2, child)))
    # pick the leaf instrument for the exact plane state of outcome 1
    (p1, st1), _ = node_branches(node, st)
    kind = "trivial" if st1 is None else _plane_kind(st1)
    return TreeNode(party, (TreeOutcome(s, beta1, c1, TreeLeaf(kind)), node.outcomes[1]))


def _plane_kind(st: WClassState) -> str:
    lb = plane_lower_bound(st)
    return lb.kind if lb.kind in ("eq7", "large_component") else "trivial"


def rational_chain(state, search: ChainSearch):
    """Exact tree of ``search`` on ``state`` (built root first, level by level)."""
    st = as_state(state).exact()
    if not search.parties:
        return TreeLeaf("trivial") if st.x0 != 0 else TreeLeaf(_plane_kind(st))
    # build root to leaf: each node needs its exact state, known only after the parent is fixed
    nodes, cur = [], st
    for lvl, k in enumerate(search.parties):
        party = PARTIES[k]
        v, u = search.params[2 * lvl], search.params[2 * lvl + 1]
        if cur is None or {"A": cur.xA, "B": cur.xB, "C": cur.xC}[party] == 0 or cur.x0 == 0:
            break
        node = rational_node(cur, party, v, u, TreeLeaf("trivial"))
        nodes.append(node)
        cur = node_branches(node, cur)[1][1]
    tree = TreeLeaf("trivial") if cur is None or cur.x0 != 0 else TreeLeaf(_plane_kind(cur))
    for node in reversed(nodes):
        o1, o2 = node.outcomes
        tree = TreeNode(node.party, (o1, TreeOutcome(o2.sqrt_a, o2.beta, o2.c, tree)))
    return tree


# ---- SEP -----------------------------------------------------------------------------------------

@dataclass(frozen=True, repr=False)
class SepLowerTree(ShortRepr):
    """An exact SEP lower bound from a checked measurement tree.

    ``value`` (Fraction) is the exact success probability of the flattened separable instrument,
    proved by :func:`analytics.tree_certificates.evaluate_tree` in ``arithmetic``
    (``"exact-rational"``); ``search_value`` the float value the search found (not a bound).
    """

    state: WClassState
    value: Fraction
    p_AB: Fraction
    p_AC: Fraction
    p_BC: Fraction
    tree: object
    depth: int
    arithmetic: str
    search_value: float
    evaluation: TreeEvaluation = field(repr=False, compare=False, default=None)

    @property
    def value_float(self) -> float:
        """The largest float <= value (outward rounding)."""
        return float_lower(self.value)

    @property
    def pairs(self) -> dict:
        return {"AB": self.p_AB, "AC": self.p_AC, "BC": self.p_BC}

    @property
    def kind(self) -> str:
        """``"tree"`` for a chain of depth >= 1, else the single leaf's instrument
        (``"eq7"``, ``"large_component"``, ``"trivial"``), as ``sep_lower_kind`` elsewhere."""
        return "tree" if self.depth >= 1 else self.tree.kind

    def _summary(self) -> list:
        return [("value", show_number(self.value, ">=")), ("kind", self.kind),
                ("state", str(self.state)), ("depth", str(self.depth)),
                ("p_pairs", ", ".join(f"{k}: {show_number(v, '>=')}" for k, v in self.pairs.items())),
                ("arithmetic", self.arithmetic)]

    def kraus_operators(self) -> KrausOperators:
        """The tree flattened to product Kraus operators ``L_lambda M_{i_d} ... M_{i_1}``
        (:func:`analytics.tree_certificates.flatten_tree`, floats) with outcome labels
        (:class:`analytics.kraus.KrausOperators`)."""
        return flatten_tree(self.tree, self.state).kraus_operators(self.state, self.value, self.kind)

    def certificate(self) -> dict:
        """JSON ``sep_lower_bound`` certificate, ``instrument.kind = "tree"``."""
        return tree_certificate(self.state, self.tree, self.evaluation)

    def as_dict(self) -> dict:
        """JSON-ready: ``sep_lower`` rounded down, ``sep_lower_exact``, per-pair probabilities."""
        d = {"sep_lower": self.value_float, "sep_lower_exact": _frac(self.value),
             "sep_lower_kind": self.kind, "sep_lower_depth": self.depth,
             "sep_lower_arithmetic": self.arithmetic}
        for p, v in self.pairs.items():
            d[f"sep_p_{p}"] = float(v)
            d[f"sep_p_{p}_exact"] = _frac(v)
        return d


def sep_lower_tree(state, depth: int | None = None, samples: int = 600, starts: int = 3,
                   seed: int = 0) -> SepLowerTree:
    """Best exact SEP lower bound over measurement chains of depth <= ``depth``
    (default :data:`DEFAULT_SEP_DEPTH`); on the plane the checked plane instrument itself.

    Every chain depth 1..depth is searched (floats), made exact and evaluated exactly; the best
    exact value is returned. Raises :class:`OffPlaneError` for a bad depth.
    """
    st = as_state(state).exact()
    depth = _check_depth(depth, DEFAULT_SEP_DEPTH)
    if st.x0 == 0 or sum(1 for v in st.x if v != 0) <= 1:
        candidates = [(rational_chain(st, ChainSearch(0.0, (), ())), 0.0)]
    else:
        candidates = [(TreeLeaf("trivial"), 0.0)]
        found = None
        for d in range(1, depth + 1):
            found = search_chain(st, d, "sep", samples, starts, seed=seed, warm=found)
            if found.parties:
                candidates.append((rational_chain(st, found), found.value))
    best = None
    for tree, sv in candidates:
        ev = evaluate_tree(tree, st)
        if best is None or ev.total > best[1].total:
            best = (tree, ev, sv)
    tree, ev, sv = best
    return SepLowerTree(st, ev.total, ev.p_pairs["AB"], ev.p_pairs["AC"], ev.p_pairs["BC"],
                        tree, tree_depth(tree), ARITHMETIC, sv, ev)


# ---- LOCC ----------------------------------------------------------------------------------------

@dataclass(frozen=True, repr=False)
class LOCCLowerTree(ShortRepr):
    """LOCC lower bounds from a measurement chain (module docstring).

    ``locc_lower``: success probability of an explicit finite LOCC protocol (float, from the
    simulator), ``locc_lower_protocol`` which one (``"tree+theorem2"`` or
    ``"projective+vidal"``), ``locc_lower_pairs`` its per-pair probabilities.
    ``locc_sup_lower``: a lower bound on the LOCC supremum, ``locc_sup_kind`` how
    (``"tree+kappa"``: exact Fraction :math:`\\sum p\\,\\kappa(\\text{leaf})`; or
    ``"locc_lower"`` when the finite protocol is better), ``locc_sup_pairs`` per pair.
    ``kappa``: Theorem 1 upper bound on LOCC (exact for exact states).
    """

    state: WClassState
    locc_lower: float
    locc_lower_protocol: str
    locc_lower_pairs: dict
    locc_sup_lower: Fraction | float
    locc_sup_kind: str
    locc_sup_pairs: dict
    kappa: Fraction
    tree: object
    depth: int
    rounds: int
    description: str

    def _summary(self) -> list:
        return [("locc_lower", show_number(self.locc_lower, ">=")), ("protocol", self.locc_lower_protocol),
                ("locc_sup_lower", show_number(self.locc_sup_lower, ">=")),
                ("locc_sup_kind", self.locc_sup_kind), ("kappa", show_number(self.kappa, "<=")),
                ("state", str(self.state)), ("depth", str(self.depth)), ("rounds", str(self.rounds))]

    def as_dict(self) -> dict:
        """JSON-ready. ``locc_lower`` is a float (simulator, like the other LOCC protocols);
        ``locc_sup_lower`` is rounded down, with ``locc_sup_lower_exact`` when exact."""
        d = {"locc_lower": float(self.locc_lower), "locc_lower_protocol": self.locc_lower_protocol,
             "locc_sup_lower": (float_lower(self.locc_sup_lower)
                                if isinstance(self.locc_sup_lower, Fraction)
                                else float(self.locc_sup_lower)),
             "locc_sup_kind": self.locc_sup_kind, "locc_tree_depth": self.depth,
             "rounds": self.rounds, "kappa": float(self.kappa), "description": self.description}
        if isinstance(self.locc_sup_lower, Fraction):
            d["locc_sup_lower_exact"] = _frac(self.locc_sup_lower)
        if isinstance(self.kappa, Fraction):
            d["kappa_exact"] = _frac(self.kappa)
        for p in PAIRS:
            d[f"locc_p_{p}"] = float(self.locc_lower_pairs[p])
            d[f"locc_sup_p_{p}"] = float(self.locc_sup_pairs[p])
        return d


def _frac(q) -> str:
    q = Fraction(q)
    return str(q.numerator) if q.denominator == 1 else f"{q.numerator}/{q.denominator}"


def _kappa_pairs(st: WClassState) -> dict:
    """Per-pair split of :math:`\\kappa` on a normalised plane state: the Theorem 2 protocol's
    limit (step-1 drop: Vidal on :math:`n_1n_3`, :math:`2(1-y_2/y_1)y_3`; step-2 drop:
    :math:`\\Psi^+` on :math:`n_1n_2`, :math:`2(1-y_3/y_1)y_2`; the :math:`|W\\rangle` branch,
    probability :math:`3y_2y_3/y_1`, split 1/3 per pair by symmetry). Sums to :math:`\\kappa`."""
    (y1, y2, y3), (n1, n2, n3) = st.sorted()
    out = {p: Fraction(0) for p in PAIRS}
    if y1 == 0:
        return out
    w = 3 * y2 * y3 / y1

    def pair(i, j):
        return "".join(sorted((i, j)))
    out[pair(n1, n3)] += 2 * (1 - y2 / y1) * y3 + w / 3
    out[pair(n1, n2)] += 2 * (1 - y3 / y1) * y2 + w / 3
    out[pair(n2, n3)] += w / 3
    return out


def _chain_policy(tree):
    """Simulator policy for the chain part of ``tree`` (floats): the node measurements, with
    :math:`b_i = \\beta_i\\sqrt{x_0/x_k}` from the simulated state; stops at every leaf."""
    def policy(st: WClassState, hist: tuple):
        t = tree
        for step in hist:
            if not isinstance(t, TreeNode):
                return None
            t = t.outcomes[step.index].child
        if not isinstance(t, TreeNode):
            return None
        x0, xk = float(st.x0), float(dict(zip(PARTIES, st.x))[t.party])
        r = math.sqrt(x0 / xk)
        outs = tuple(KrausOutcome(float(o.sqrt_a) ** 2, float(o.c), float(o.beta) * r, str(i))
                     for i, o in enumerate(t.outcomes))
        return LocalMeasurement(t.party, outs, atol=1e-9)
    return policy


@functools.lru_cache(maxsize=8)
def _fortescue_lo(rounds: int):
    return fortescue_lo(rounds)


def _plane_protocol(st: WClassState, rounds: int) -> dict:
    """Per-pair probabilities of the Theorem 2 protocol on the exact plane state ``st``: its
    steps simulated exactly, the :math:`|W\\rangle` branch finished by Fortescue-Lo rounds."""
    _, (n1, n2, n3) = st.sorted()
    sub = simulate(st, _theorem2_policy(n1, n2, n3))
    pairs = {p: float(v) for p, v in sub.pair_probabilities().items()}
    p_w = sum(float(lf.probability) for lf in sub.leaves if lf.pair is None and is_w_state(lf.state))
    if p_w:
        fl = _fortescue_lo(rounds)
        for p in PAIRS:
            pairs[p] += p_w * float(fl.pairs[p])
    return pairs


def _tree_protocol(tree, st: WClassState, rounds: int) -> dict:
    """Per-pair probabilities of the finite protocol: the chain simulated in floats (its leaf
    probabilities cross-checked against the exact ones), the Theorem 2 protocol at plane leaves
    (on the exact leaf states: the float residue of :math:`x_0` never reaches it)."""
    exact_leaves = {path: (prob, lst, leaf) for path, prob, lst, leaf in tree_leaves(tree, st)[0]}
    sim = simulate(_float_state(st), _chain_policy(tree))
    pairs = {p: 0.0 for p in PAIRS}
    for lf in sim.leaves:
        path = tuple(h.index for h in lf.history)
        if path not in exact_leaves:
            # floats lose branches at extreme magnitudes (x0 ~ 1e-30 leaves a float x0 of
            # 1e-63 where the exact one is 0): the simulation cannot confirm this tree
            raise OffPlaneError(f"the float simulation of the chain ends at path {path}, "
                                "which is not a leaf of the exact tree")
        prob, lst, leaf = exact_leaves[path]
        if abs(float(lf.probability) - float(prob)) > 1e-9 or max(
                abs(float(u) - float(v)) for u, v in zip((lf.state.x0, *lf.state.x),
                                                         (lst.x0, *lst.x))) > 1e-9:
            raise OffPlaneError(f"simulated branch (probability {float(lf.probability)}, state "
                                f"{lf.state}) differs from the exact one ({float(prob)}, {lst}) "
                                f"at path {path}")
        if leaf.kind == "trivial":
            continue
        for p, v in _plane_protocol(lst, rounds).items():
            pairs[p] += float(lf.probability) * v
    return pairs


def locc_lower_tree(state, rounds: int = DEFAULT_ROUNDS, depth: int | None = None,
                    samples: int = 600, starts: int = 3, seed: int = 0) -> LOCCLowerTree:
    """LOCC lower bounds ``locc_lower`` (finite protocol) and ``locc_sup_lower`` (module docstring)."""
    st0 = as_state(state)
    st = st0.exact()
    rounds = _check_rounds(rounds)
    depth = _check_depth(depth, DEFAULT_LOCC_DEPTH)
    k = kappa(st)
    if st.x0 == 0:
        res = theorem2_protocol(st0, rounds)
        pairs = {p: float(v) for p, v in res.pairs.items()}
        return LOCCLowerTree(st, float(res.locc_lower), "theorem2", pairs, k, "kappa (x0 = 0)",
                             _kappa_pairs(st), k, TreeLeaf(_plane_kind(st)), 0, rounds,
                             "x0 = 0: Theorem 2 protocol; the supremum is kappa (Theorem 2)")
    # the chain: depths 1..depth searched with kappa leaves, best exact kappa value kept
    best_tree, best_sup, best_sup_pairs = TreeLeaf("trivial"), Fraction(0), {p: Fraction(0) for p in PAIRS}
    if sum(1 for v in st.x if v != 0) > 1:
        found = None
        for d in range(1, depth + 1):
            found = search_chain(st, d, "kappa", samples, starts, seed=seed, warm=found)
            if not found.parties:
                continue
            tree = rational_chain(st, found)
            leaves, _ = tree_leaves(tree, st)
            pairs = {p: Fraction(0) for p in PAIRS}
            for _, prob, lst, leaf in leaves:
                if leaf.kind != "trivial":
                    for p, v in _kappa_pairs(lst).items():
                        pairs[p] += prob * v
            sup = sum(pairs.values(), Fraction(0))
            if sup > best_sup:
                best_tree, best_sup, best_sup_pairs = tree, sup, pairs
    # the finite protocol on the same tree, simulated (floats: a component below float range,
    # e.g. 1e-311, makes sqrt(x0/x_k) overflow; then only projective+Vidal is simulated)
    try:
        pairs = _tree_protocol(best_tree, st, rounds)
        tree_val = math.fsum(pairs.values())
        if not math.isfinite(tree_val):
            raise OverflowError
    except (InvalidMeasurementError, OffPlaneError, OverflowError, ValueError, ZeroDivisionError):
        pairs, tree_val = {p: 0.0 for p in PAIRS}, -1.0
    pv = projective_vidal_protocol(st0)
    if pv.locc_lower > tree_val:
        lower, proto, lpairs = float(pv.locc_lower), "projective+vidal", dict(pv.pairs)
    else:
        lower, proto, lpairs = tree_val, "tree+theorem2", pairs
    if best_sup >= Fraction(lower):
        sup, sup_kind, sup_pairs = best_sup, "tree+kappa", best_sup_pairs
    else:
        sup, sup_kind, sup_pairs = lower, "locc_lower", lpairs
    tree_text = (f"{tree_val:.6f}" if tree_val >= 0 else
                 "not simulable in floats at these magnitudes, not used")
    desc = (f"chain of depth {tree_depth(best_tree)} (zeroing |000> on one outcome) with the "
            f"Theorem 2 protocol ({rounds} Fortescue-Lo rounds) at the plane leaves: "
            f"{tree_text}; projective+Vidal: {float(pv.locc_lower):.6f}; locc_lower is the "
            f"larger ({proto}); locc_sup_lower = {sup_kind}")
    return LOCCLowerTree(st, lower, proto, lpairs, sup, sup_kind, sup_pairs, k, best_tree,
                         tree_depth(best_tree), rounds, desc)


def _float_state(st: WClassState) -> WClassState:
    # a float copy for the simulator: the rounded weights are renormalised on purpose
    return WClassState.from_components(float(st.x0), float(st.xA), float(st.xB), float(st.xC),
                                       renormalise=True)


__all__ = ["DEFAULT_SEP_DEPTH", "DEFAULT_LOCC_DEPTH", "MAX_DEPTH", "OffPlaneError", "ChainSearch",
           "search_chain", "chain_values", "rational_chain", "SepLowerTree", "sep_lower_tree",
           "LOCCLowerTree", "locc_lower_tree"]
