"""Measurement trees: separable instruments for W-class states with :math:`x_0 > 0`, checked exactly.

A *tree* is a local measurement by one party (a :class:`TreeNode`) whose outcomes each lead to a
sub-tree, ending in *leaves* (:class:`TreeLeaf`) that apply one of the checked plane instruments
(:mod:`analytics.instruments`) or nothing. Outcome i of party k is the Kintas-Turgut operator

.. math::

    M_i = \\begin{pmatrix} s_i & \\beta_i\\, r \\\\ 0 & \\sqrt{c_i} \\end{pmatrix},
    \\qquad r = \\sqrt{x_0 / x_k},

with rationals :math:`s_i \\ge 0` (so :math:`a_i = s_i^2`), :math:`\\beta_i` and :math:`c_i \\ge 0`,
where :math:`x` is the (normalised) state at that node. Completeness
:math:`\\sum_i M_i^\\dagger M_i = I` reads

.. math::

    \\sum_i s_i^2 = 1, \\qquad r\\sum_i s_i\\beta_i = 0, \\qquad
    \\sum_i (\\beta_i^2 r^2 + c_i) = 1,

three identities in :math:`\\mathbb Q` (:math:`r^2 = x_0/x_k` is rational). On
:math:`|\\varphi(x)\\rangle` outcome i gives (since :math:`r\\sqrt{x_k} = \\sqrt{x_0}`)

.. math::

    M_i|\\varphi\\rangle = \\sqrt{x_0}\\,(s_i + \\beta_i)|000\\rangle + \\sqrt{c_i x_k}\\,|1_k\\rangle
        + \\sum_{j\\ne k} s_i\\sqrt{x_j}\\,|1_j\\rangle,

so the branch is :math:`\\sqrt{p_i}\\,|\\varphi(x^{(i)})\\rangle` with the exact rational weights
:math:`x^{(i)} = (x_0(s_i+\\beta_i)^2,\\ c_i x_k,\\ s_i^2 x_j)/p_i`, provided
:math:`s_i + \\beta_i \\ge 0` (every amplitude non-negative: the standard form the leaf instruments
were checked on; checked exactly, a negative sign is rejected).

**Composition lemma.** If every node is complete and every leaf instrument
:math:`\\{L_\\lambda\\}` is complete, product, with success branches exactly
:math:`\\sqrt{q_\\lambda}|\\Psi^+\\rangle_{ij}|\\chi\\rangle` on the (normalised) leaf state, then the
flattened list :math:`\\{L_\\lambda M_{i_d}\\cdots M_{i_1}\\}` over all root-to-leaf paths is a
separable instrument: product (each factor acts on one party, products of products are products),
complete (by induction, :math:`\\sum_i M_i^\\dagger(\\sum_\\lambda L_\\lambda^\\dagger L_\\lambda)M_i =
\\sum_i M_i^\\dagger M_i = I`), and each success branch is
:math:`\\sqrt{p_{\\rm path}}\\,L_\\lambda|\\varphi(x^{\\rm leaf})\\rangle =
\\sqrt{p_{\\rm path}q_\\lambda}\\,|\\Psi^+\\rangle|\\chi\\rangle`, exactly Psi+. Its success probability
is :math:`\\sum p_{\\rm path}q_\\lambda`.

**What the verifier proves, and how.** :func:`evaluate_tree` checks every node's three identities
and non-negativity in exact rational arithmetic (Python Fractions), computes every branch state
exactly, rebuilds every leaf instrument from its exact leaf state and checks it with
:func:`analytics.checks.check_instrument` on the exact path (completeness, product form, exact
Psi+ branches, again in rationals). No square root is ever evaluated: :math:`r` enters only through
:math:`r^2`. So the whole certificate is proved in exact rational arithmetic; the flattened Kraus
operators (entries in a multiquadratic field) are never needed for the proof. They are built in
floats by :func:`flatten_tree` for an independent float cross-check only.

Certificate (``kind = "sep_lower_bound"``, ``instrument.kind = "tree"``; docs/offplane.md)::

    {"format": "sepgap-certificate", "version": 1, "kind": "sep_lower_bound", "claim": ...,
     "state": {...}, "bound": {"exact": "p/q", "float_lower": f},
     "p_pairs": {"AB": "p/q", "AC": ..., "BC": ...}, "arithmetic": "exact-rational",
     "instrument": {"kind": "tree", "root": NODE}}
    NODE = {"party": "A", "outcomes": [{"sqrt_a": "s", "beta": "b", "c": "c",
                                        "probability": "p/q", "child": NODE | LEAF}, ...]}
    LEAF = {"leaf": "eq7" | "large_component" | "trivial", "value": "p/q"}

``probability`` (of the outcome, given the node) and ``value`` (the leaf instrument's success
probability on its normalised leaf state) are redundant and checked for equality.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from fractions import Fraction

import numpy as np

from .display import ShortRepr, show_number
from .certjson import float_lower, frac_str as _frac_str, parse_frac as _parse_frac
from .certjson import targeted_pairs as _targeted
from .certjson import check_keys as _check_keys
from .certjson import require as _req, state_from_json as _state_from_json
from .certjson import state_to_json as _state_to_json
from .claims import lower_claim
from .checks import check_instrument
from .errors import SepgapError
from .instruments import (Instrument, ProductKraus, eq7_instrument, large_component_instrument,
                          trivial_instrument)
from .states import PAIRS, PARTIES, WClassState

FORMAT = "sepgap-certificate"
VERSION = 1
#: The arithmetic that proves a tree certificate (stored in the certificate and the results).
ARITHMETIC = "exact-rational"
#: Largest tree the verifier accepts (nodes); guards against hostile certificates.
MAX_NODES = 10_000
#: Leaf instruments, by name.
LEAF_BUILDERS = {"eq7": eq7_instrument, "large_component": large_component_instrument,
                 "trivial": lambda st: trivial_instrument(True)}


#: The fields of a tree's NODE, outcome and LEAF objects (module docstring); any other field,
#: or a LEAF's fields mixed into a NODE, is rejected (the one key check,
#: :func:`analytics.certjson.check_keys`, as for every certificate kind).
NODE_KEYS = ("party", "outcomes")
OUTCOME_KEYS = ("sqrt_a", "beta", "c", "probability", "child")
LEAF_KEYS = ("leaf", "value")


class TreeCertificateError(SepgapError):
    """A measurement tree or its certificate fails a check (or is malformed)."""


# ---- the data model ------------------------------------------------------------------------------

@dataclass(frozen=True)
class TreeLeaf:
    """Apply the checked plane instrument ``kind`` (``"eq7"``, ``"large_component"``) or nothing
    (``"trivial"``: the identity labelled fail, value 0, valid on every state)."""

    kind: str

    def __post_init__(self):
        if self.kind not in LEAF_BUILDERS:
            raise TreeCertificateError(f"leaf kind {self.kind!r} is not one of {sorted(LEAF_BUILDERS)}")


@dataclass(frozen=True)
class TreeOutcome:
    """Outcome :math:`M = [[s, \\beta\\sqrt{x_0/x_k}], [0, \\sqrt c]]` followed by ``child``."""

    sqrt_a: Fraction
    beta: Fraction
    c: Fraction
    child: "TreeNode | TreeLeaf"

    def __post_init__(self):
        for name in ("sqrt_a", "beta", "c"):
            v = getattr(self, name)
            if isinstance(v, bool) or not isinstance(v, (int, Fraction)):
                raise TreeCertificateError(f"outcome {name} = {v!r} must be an exact rational")
            object.__setattr__(self, name, Fraction(v))
        if self.sqrt_a < 0:
            raise TreeCertificateError(f"outcome sqrt_a = {self.sqrt_a} is negative")
        if self.c < 0:
            raise TreeCertificateError(f"outcome c = {self.c} is negative")
        if not isinstance(self.child, (TreeNode, TreeLeaf)):
            raise TreeCertificateError(f"outcome child {self.child!r} is not a node or leaf")


@dataclass(frozen=True)
class TreeNode:
    """Party ``party`` measures; outcome i is ``outcomes[i]``."""

    party: str
    outcomes: tuple

    def __post_init__(self):
        if self.party not in PARTIES:
            raise TreeCertificateError(f"node party {self.party!r} is not one of {PARTIES}")
        outs = tuple(self.outcomes)
        if not outs or not all(isinstance(o, TreeOutcome) for o in outs):
            raise TreeCertificateError("a node needs a non-empty list of TreeOutcome")
        object.__setattr__(self, "outcomes", outs)


def tree_depth(tree) -> int:
    """Number of measurements on the longest path."""
    if isinstance(tree, TreeLeaf):
        return 0
    return 1 + max(tree_depth(o.child) for o in tree.outcomes)


def tree_size(tree) -> int:
    if isinstance(tree, TreeLeaf):
        return 1
    return 1 + sum(tree_size(o.child) for o in tree.outcomes)


# ---- exact evaluation (the proof) ----------------------------------------------------------------

@dataclass(frozen=True)
class LeafRecord:
    """A reached leaf: path (outcome indices), absolute probability, exact normalised state,
    leaf instrument and its checked value and per-pair probabilities (on the leaf state)."""

    path: tuple
    probability: Fraction
    state: WClassState
    kind: str
    value: Fraction
    p_pairs: dict


@dataclass(frozen=True, repr=False)
class TreeEvaluation(ShortRepr):
    """Exact value of a tree on a state: ``total = sum p_path * value_leaf``, per pair."""

    total: Fraction
    p_pairs: dict
    leaves: tuple
    arithmetic: str = ARITHMETIC
    outcome_probabilities: dict = field(default_factory=dict)  # path -> conditional probability

    @property
    def ok(self) -> bool:
        """Always True: :func:`evaluate_tree` raises instead of returning a failed check."""
        return True

    def _summary(self) -> list:
        return [("total", show_number(self.total, ">=")),
                ("p_pairs", ", ".join(f"{k}: {show_number(v, '>=')}" for k, v in self.p_pairs.items())),
                ("leaves", str(len(self.leaves))), ("arithmetic", self.arithmetic)]


def _weights(st: WClassState) -> dict:
    return {"0": st.x0, "A": st.xA, "B": st.xB, "C": st.xC}


def node_branches(node: TreeNode, st: WClassState) -> list:
    """Check one node exactly on the exact normalised ``st``; return ``[(p_i, state_i or None)]``.

    Raises :class:`TreeCertificateError` naming the failed identity or sign.
    """
    x = _weights(st)
    k = node.party
    if x[k] == 0:
        raise TreeCertificateError(f"party {k} measures with x{k} = 0 (r = sqrt(x0/x{k}) undefined)")
    r2 = x["0"] / x[k]
    outs = node.outcomes
    s_sum = sum((o.sqrt_a ** 2 for o in outs), Fraction(0))
    if s_sum != 1:
        raise TreeCertificateError(f"node {k}: sum of a_i = {s_sum}, not 1")
    cross = sum((o.sqrt_a * o.beta for o in outs), Fraction(0))
    if cross != 0 and r2 != 0:
        raise TreeCertificateError(f"node {k}: sum sqrt(a_i) b_i = {cross} * sqrt(x0/x{k}), not 0")
    diag = sum((o.beta ** 2 * r2 + o.c for o in outs), Fraction(0))
    if diag != 1:
        raise TreeCertificateError(f"node {k}: sum (|b_i|^2 + c_i) = {diag}, not 1")
    out = []
    for i, o in enumerate(outs):
        amp0 = o.sqrt_a + o.beta  # |000> amplitude / sqrt(x0)
        if x["0"] != 0 and amp0 < 0:
            raise TreeCertificateError(
                f"node {k}, outcome {i}: |000> amplitude sqrt(x0)*({amp0}) is negative: the branch "
                "is not in the standard form its leaf instrument is checked on")
        w = {"0": x["0"] * amp0 ** 2}
        for p in PARTIES:
            w[p] = o.c * x[p] if p == k else o.sqrt_a ** 2 * x[p]
        prob = sum(w.values(), Fraction(0))
        if prob == 0:
            out.append((prob, None))
            continue
        out.append((prob, WClassState.from_components(w["0"] / prob, w["A"] / prob,
                                                       w["B"] / prob, w["C"] / prob)))
    return out


def leaf_instrument(kind: str, st: WClassState) -> Instrument:
    try:
        return LEAF_BUILDERS[kind](st)
    except SepgapError as exc:
        raise TreeCertificateError(f"leaf {kind!r} does not apply to its state {st}: {exc}") from None


def tree_leaves(tree, state: WClassState) -> tuple:
    """Walk ``tree`` on the exact ``state``, checking every node exactly (:func:`node_branches`).

    Returns ``(leaves, cond)``: ``leaves`` a list of ``(path, probability, leaf state, TreeLeaf)``
    for the leaves reached with probability > 0, sorted by path; ``cond`` maps every outcome path
    to its conditional probability. Leaf instruments are not checked here.
    """
    st = state.exact()
    if tree_size(tree) > MAX_NODES:
        raise TreeCertificateError(f"tree has more than {MAX_NODES} nodes")
    leaves, cond = [], {}
    stack = [(tree, st, Fraction(1), ())]
    while stack:
        t, cur, prob, path = stack.pop()
        if isinstance(t, TreeLeaf):
            leaves.append((path, prob, cur, t))
            continue
        for i, ((p, child_state), o) in enumerate(zip(node_branches(t, cur), t.outcomes)):
            cond[path + (i,)] = p
            if child_state is None:  # probability 0: nothing happens below
                continue
            stack.append((o.child, child_state, prob * p, path + (i,)))
    leaves.sort(key=lambda lf: lf[0])
    return leaves, cond


def evaluate_tree(tree, state: WClassState) -> TreeEvaluation:
    """Check ``tree`` on the exact ``state`` node by node and leaf by leaf; its exact value.

    Everything is exact rational arithmetic (module docstring). Raises
    :class:`TreeCertificateError` on any failed check.
    """
    leaves, cond = tree_leaves(tree, state)
    records = []
    for path, prob, cur, leaf in leaves:
        inst = leaf_instrument(leaf.kind, cur)
        chk = check_instrument(inst, cur, exact=True)
        if not chk.ok:
            raise TreeCertificateError(f"leaf {leaf.kind!r} at path {path} fails its exact check: "
                                       + "; ".join(chk.reasons))
        records.append(LeafRecord(path, prob, cur, leaf.kind, Fraction(chk.total),
                                  {p: Fraction(v) for p, v in chk.p_pairs.items()}))
    pairs = {p: sum((lf.probability * lf.p_pairs[p] for lf in records), Fraction(0)) for p in PAIRS}
    return TreeEvaluation(sum(pairs.values(), Fraction(0)), pairs, tuple(records), ARITHMETIC, cond)


# ---- float flattening (independent cross-check only) ---------------------------------------------

def _node_matrix(o: TreeOutcome, st: WClassState, party: str) -> np.ndarray:
    x = _weights(st)
    r = math.sqrt(float(x["0"]) / float(x[party]))
    return np.array([[float(o.sqrt_a), float(o.beta) * r], [0.0, math.sqrt(float(o.c))]])


def flatten_tree(tree, state: WClassState) -> Instrument:
    """The flattened instrument :math:`\\{L_\\lambda M_{i_d}\\cdots M_{i_1}\\}` as float
    :class:`ProductKraus` operators with general 2x2 factors (for
    ``check_instrument(..., exact=False)``; not part of the proof)."""
    st = state.exact()
    ops = []
    stack = [(tree, st, {p: np.eye(2) for p in PARTIES}, ())]
    while stack:
        t, cur, acc, path = stack.pop()
        if isinstance(t, TreeLeaf):
            inst = leaf_instrument(t.kind, cur)
            tag = "/".join(map(str, path)) or "root"
            for op in inst:
                mats = dict(zip(PARTIES, op.factor_matrices()))
                facs = tuple(mats[p] @ acc[p] for p in PARTIES)
                ops.append(ProductKraus(f"{tag}:{op.name}", op.label, facs))
            continue
        for i, ((p, child), o) in enumerate(zip(node_branches(t, cur), t.outcomes)):
            m = _node_matrix(o, cur, t.party)
            nxt = dict(acc)
            nxt[t.party] = m @ acc[t.party]
            if child is None:  # a zero-probability branch still carries its Kraus operator
                ops.append(ProductKraus("/".join(map(str, path + (i,))) + ":null", "fail",
                                        tuple(nxt[q] for q in PARTIES)))
                continue
            stack.append((o.child, child, nxt, path + (i,)))
    return Instrument("tree-flattened", tuple(ops), "flattened measurement tree (floats)")


# ---- JSON ----------------------------------------------------------------------------------------

def tree_to_json(tree, ev: TreeEvaluation, path: tuple = ()) -> dict:
    """JSON of ``tree`` with the redundant exact probabilities/values from ``ev``."""
    if isinstance(tree, TreeLeaf):
        rec = next(lf for lf in ev.leaves if lf.path == path)
        return {"leaf": tree.kind, "value": _frac_str(rec.value)}
    outs = []
    for i, o in enumerate(tree.outcomes):
        p = ev.outcome_probabilities[path + (i,)]
        child = tree_to_json(o.child, ev, path + (i,)) if p != 0 else _zero_child_json(o.child)
        outs.append({"sqrt_a": _frac_str(o.sqrt_a), "beta": _frac_str(o.beta), "c": _frac_str(o.c),
                     "probability": _frac_str(p), "child": child})
    return {"party": tree.party, "outcomes": outs}


def _zero_child_json(t) -> dict:
    if isinstance(t, TreeLeaf):
        return {"leaf": t.kind, "value": "0"}
    raise TreeCertificateError("a probability-0 outcome must end in a leaf")


def tree_from_json(d, where: str = "instrument.root", depth: int = 0):
    """Parse a NODE/LEAF object (module docstring) into a tree plus its claimed numbers."""
    if depth > 200:
        raise TreeCertificateError("tree nested too deeply")
    if not isinstance(d, dict):
        raise TreeCertificateError(f"{where}: expected an object")
    if "leaf" in d and ("party" in d or "outcomes" in d):
        raise TreeCertificateError(f"{where}: both a leaf and a node (party/outcomes): a node "
                                   "is one or the other")
    if "leaf" in d:
        _check_keys(d, LEAF_KEYS, where)
        kind = d["leaf"]
        if not isinstance(kind, str):
            raise TreeCertificateError(f"{where}.leaf: expected a string")
        value = _parse_frac(_req(d, "value", where), f"{where}.value")
        return TreeLeaf(kind), {"value": value}
    _check_keys(d, NODE_KEYS, where)
    party = _req(d, "party", where)
    outs_json = _req(d, "outcomes", where)
    if not isinstance(outs_json, list) or not outs_json:
        raise TreeCertificateError(f"{where}.outcomes: expected a non-empty list")
    outs, claims = [], []
    for i, o in enumerate(outs_json):
        w = f"{where}.outcomes[{i}]"
        _check_keys(o, OUTCOME_KEYS, w)
        s = _parse_frac(_req(o, "sqrt_a", w), f"{w}.sqrt_a")
        b = _parse_frac(_req(o, "beta", w), f"{w}.beta")
        c = _parse_frac(_req(o, "c", w), f"{w}.c")
        p = _parse_frac(_req(o, "probability", w), f"{w}.probability")
        child, child_claims = tree_from_json(_req(o, "child", w), f"{w}.child", depth + 1)
        outs.append(TreeOutcome(s, b, c, child))
        claims.append({"probability": p, "child": child_claims})
    if not isinstance(party, str):
        raise TreeCertificateError(f"{where}.party: expected a string")
    return TreeNode(party, tuple(outs)), {"outcomes": claims}


def _check_claims(tree, claims: dict, ev: TreeEvaluation, path: tuple = ()) -> None:
    if isinstance(tree, TreeLeaf):
        rec = [lf for lf in ev.leaves if lf.path == path]
        value = rec[0].value if rec else Fraction(0)
        if claims["value"] != value:
            raise TreeCertificateError(f"leaf at path {path}: claimed value {claims['value']} "
                                       f"differs from the checked value {value}")
        return
    for i, (o, cl) in enumerate(zip(tree.outcomes, claims["outcomes"])):
        p = ev.outcome_probabilities.get(path + (i,))
        if cl["probability"] != p:
            raise TreeCertificateError(f"outcome at path {path + (i,)}: claimed probability "
                                       f"{cl['probability']} differs from the exact {p}")
        _check_claims(o.child, cl["child"], ev, path + (i,))


def tree_certificate(state: WClassState, tree, ev: TreeEvaluation | None = None) -> dict:
    """The ``sep_lower_bound`` certificate of ``tree`` on ``state`` (evaluated exactly here)."""
    st = state.exact()
    ev = evaluate_tree(tree, st) if ev is None else ev
    return {"format": FORMAT, "version": VERSION, "kind": "sep_lower_bound",
            "claim": lower_claim(_targeted(ev.p_pairs), ev.total).exact(),
            "state": _state_to_json(st),
            "instrument": {"kind": "tree", "root": tree_to_json(tree, ev)},
            "bound": {"exact": _frac_str(ev.total), "float_lower": float_lower(ev.total)},
            "p_pairs": {p: _frac_str(v) for p, v in ev.p_pairs.items()},
            "arithmetic": ARITHMETIC}


def verify_tree_lower_certificate(cert) -> tuple:
    """Re-check a tree certificate from its data alone: ``(state, bound, p_pairs, arithmetic)``.

    Raises :class:`TreeCertificateError` (a :class:`SepgapError`) on any failure: malformed data,
    a node that is not complete, a negative amplitude, a leaf instrument failing its exact check,
    or any claimed number (probability, leaf value, p_pairs, bound) differing from the exact one.
    """
    try:
        if not isinstance(cert, dict):
            raise TreeCertificateError("a certificate is a JSON object")
        if cert.get("format") != FORMAT:
            raise TreeCertificateError(f"format is {cert.get('format')!r}, expected {FORMAT!r}")
        if cert.get("version") != VERSION:
            raise TreeCertificateError(f"version {cert.get('version')!r} is not supported")
        if cert.get("kind") != "sep_lower_bound":
            raise TreeCertificateError(f"kind {cert.get('kind')!r} is not 'sep_lower_bound'")
        inst = _req(cert, "instrument", "certificate")
        _check_keys(inst, ("kind", "root"), "instrument")
        _check_keys(_req(cert, "bound", "certificate"), ("exact", "float_lower"), "bound")
        _check_keys(_req(cert, "p_pairs", "certificate"), PAIRS, "p_pairs")
        if _req(inst, "kind", "instrument") != "tree":
            raise TreeCertificateError(f"instrument.kind {inst.get('kind')!r} is not 'tree'")
        st = _state_from_json(_req(cert, "state", "certificate"))
        tree, claims = tree_from_json(_req(inst, "root", "instrument"))
        ev = evaluate_tree(tree, st)
        _check_claims(tree, claims, ev)
        bound = _parse_frac(_req(_req(cert, "bound", "certificate"), "exact", "bound"), "bound.exact")
        if bound != ev.total:
            raise TreeCertificateError(f"claimed bound {bound} differs from the tree's exact value "
                                       f"{ev.total}")
        fl = _req(cert["bound"], "float_lower", "bound")
        if isinstance(fl, bool) or not isinstance(fl, (int, float)) or not Fraction(fl) <= bound:
            raise TreeCertificateError(f"bound.float_lower = {fl!r} is not a float <= bound.exact")
        pp = _req(cert, "p_pairs", "certificate")
        for p in PAIRS:
            if _parse_frac(_req(pp, p, "p_pairs"), f"p_pairs.{p}") != ev.p_pairs[p]:
                raise TreeCertificateError(f"claimed p_{p} differs from the exact {ev.p_pairs[p]}")
        if cert.get("arithmetic") != ARITHMETIC:
            raise TreeCertificateError(f"arithmetic {cert.get('arithmetic')!r} is not {ARITHMETIC!r}")
        return st, bound, dict(ev.p_pairs), ARITHMETIC
    except TreeCertificateError:
        raise
    except SepgapError as exc:  # e.g. an invalid state or leaf data
        raise TreeCertificateError(str(exc)) from None
    except (ArithmeticError, TypeError, ValueError, KeyError, IndexError, AttributeError,
            RecursionError) as exc:
        raise TreeCertificateError(f"malformed certificate ({type(exc).__name__}: {exc})") from None


__all__ = ["TreeCertificateError", "TreeLeaf", "TreeOutcome", "TreeNode", "LeafRecord",
           "TreeEvaluation", "ARITHMETIC", "evaluate_tree", "tree_leaves", "node_branches", "flatten_tree",
           "tree_certificate", "verify_tree_lower_certificate", "tree_to_json", "tree_from_json",
           "tree_depth", "tree_size", "float_lower"]
