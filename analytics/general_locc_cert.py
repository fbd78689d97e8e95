"""Certificate of a multi-step LOCC protocol on any three-qubit state (``kind =
"locc_lower_bound_general"``), and its verifier (``sepgap verify FILE``).

Format (every object's fields checked by :func:`analytics.certjson.check_keys`; exact rationals
and Gaussian rationals as strings in the syntax of :mod:`analytics.gaussian`)::

    {"format": "sepgap-certificate", "version": 1, "kind": "locc_lower_bound_general",
     "claim": "LOCC >= p/q (...)", "state": {"type": "amplitudes", "psi": [8 strings]},
     "tree": {"root": NODE | LEAF}, "bound": {"exact": "p/q", "float_lower": f},
     "arithmetic": "exact-rational"}
    NODE = {"party": "A", "basis": ["a", "b"],
            "outcomes": [{"d": ["c0", "c1"], "probability": "p/q", "child": NODE | LEAF},
                         {"d": ["s0", "s1"], "probability": "p/q", "child": NODE | LEAF}]}
    LEAF = {"leaf": "measure_vidal", "party": "B", "u": ["u0", "u1"], "value": "p/q"}
         | {"leaf": "vidal", "party": "C", "value": "p/q"} | {"leaf": "none"}

Node ``k``: ``M_i = diag(d_i) V``, ``V = [[a, b], [-conj b, conj a]]``
(:mod:`analytics.general_locc_tree`). ``probability`` (of the outcome given its node) and
``value`` (of the leaf protocol on its normalised branch, square roots rounded up) are
redundant and must equal the verifier's exact recomputation. The verifier rebuilds the tree,
checks every node's completeness and every leaf exactly (:func:`evaluate_general_tree`), and
accepts the bound only if ``bound.exact <= `` the exact value of the tree. What it proves: the
explicit finite LOCC protocol succeeds with probability at least ``bound.exact`` on
``psi / |psi|``, so the optimal LOCC (and SEP) success probability is at least that.
"""
from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

from .certjson import (FORMAT, VERSION, CertificateFormatError, check_envelope, check_keys,
                       float_lower, frac_str, parse_frac, require, shorten)
from .errors import SepgapError
from .gaussian import complex_str, parse_complex
from .general_locc_tree import (GLeaf, GNode, GeneralTreeEvaluation, MAX_NODES,
                                evaluate_general_tree, short_lower, tree_nodes)
from .general_states import ThreeQubitState, three_qubit_state

KIND = "locc_lower_bound_general"
ARITHMETIC = "exact-rational"
TOP_KEYS = ("format", "version", "kind", "claim", "state", "tree", "bound", "arithmetic")
NODE_KEYS = ("party", "basis", "outcomes")
OUTCOME_KEYS = ("d", "probability", "child")
LEAF_KEYS = {"measure_vidal": ("leaf", "party", "u", "value"), "vidal": ("leaf", "party", "value"),
             "none": ("leaf",)}
MAX_NESTING = 40


def claim_text(bound: Fraction) -> str:
    """What the certificate proves (exact)."""
    return (f"LOCC >= {frac_str(bound)} (explicit finite LOCC protocol: two-outcome local "
            "measurements, then measure + Vidal or Vidal's conversion at the leaves)")


def _tree_json(t, ev: GeneralTreeEvaluation, path: tuple = ()) -> dict:
    if isinstance(t, GLeaf):
        if t.kind == "none":
            return {"leaf": "none"}
        val = next(lf[3] for lf in ev.leaves if lf[0] == path)
        d = {"leaf": t.kind, "party": t.party}
        if t.kind == "measure_vidal":
            d["u"] = [complex_str(z) for z in t.u]
        d["value"] = frac_str(val)
        return d
    return {"party": t.party, "basis": [complex_str(z) for z in t.basis],
            "outcomes": [{"d": [frac_str(v) for v in t.d[i]],
                          "probability": frac_str(ev.cond[path + (i,)]),
                          "child": _tree_json(ch, ev, path + (i,))}
                         for i, ch in enumerate(t.children)]}


def general_locc_certificate(state: ThreeQubitState, tree, ev: GeneralTreeEvaluation | None = None) -> dict:
    """The JSON certificate of ``tree`` on ``state`` (module docstring); the bound is the exact
    tree value rounded down to a float."""
    ev = evaluate_general_tree(tree, state) if ev is None else ev
    b = short_lower(ev.total)
    return {"format": FORMAT, "version": VERSION, "kind": KIND, "claim": claim_text(b),
            "state": {"type": "amplitudes", "psi": [complex_str(a) for a in state.psi]},
            "tree": {"root": _tree_json(tree, ev)},
            "bound": {"exact": frac_str(b), "float_lower": float_lower(b)},
            "arithmetic": ARITHMETIC}


def _gauss_list(v, n: int, where: str) -> tuple:
    if not isinstance(v, list) or len(v) != n or not all(isinstance(x, str) for x in v):
        raise CertificateFormatError(f"{where}: expected {n} exact numbers as strings")
    return tuple(parse_complex(x) for x in v)


def _from_json(d, where: str, depth: int = 0):
    if depth > MAX_NESTING:
        raise CertificateFormatError("tree nested too deeply")
    if not isinstance(d, dict):
        raise CertificateFormatError(f"{where}: expected an object")
    if "leaf" in d:
        kind = d["leaf"]
        if kind not in LEAF_KEYS:
            raise CertificateFormatError(f"{where}.leaf {shorten(kind)} is not one of "
                                         f"{', '.join(LEAF_KEYS)}")
        check_keys(d, LEAF_KEYS[kind], where)
        for k in LEAF_KEYS[kind]:
            require(d, k, where)
        u = _gauss_list(d["u"], 2, f"{where}.u") if kind == "measure_vidal" else None
        return GLeaf(kind, d.get("party"), u)
    check_keys(d, NODE_KEYS, where)
    basis = _gauss_list(require(d, "basis", where), 2, f"{where}.basis")
    outs = require(d, "outcomes", where)
    if not isinstance(outs, list) or len(outs) != 2:
        raise CertificateFormatError(f"{where}.outcomes: expected two outcomes")
    ds, kids = [], []
    for i, o in enumerate(outs):
        w = f"{where}.outcomes[{i}]"
        check_keys(o, OUTCOME_KEYS, w)
        dv = require(o, "d", w)
        if not isinstance(dv, list) or len(dv) != 2:
            raise CertificateFormatError(f"{w}.d: expected two exact rationals")
        require(o, "probability", w)
        ds.append(tuple(parse_frac(x, f"{w}.d") for x in dv))
        kids.append(_from_json(require(o, "child", w), f"{w}.child", depth + 1))
    return GNode(d.get("party"), basis, tuple(ds), tuple(kids))


def _check_redundant(d, ev: GeneralTreeEvaluation, where: str, path: tuple = ()) -> None:
    """Every ``probability`` and ``value`` field equals the exact recomputation."""
    if "leaf" in d:
        if "value" in d:
            got = parse_frac(d["value"], f"{where}.value")
            want = next(lf[3] for lf in ev.leaves if lf[0] == path)
            if got != want:
                raise CertificateFormatError(f"{where}.value {shorten(d['value'])} is not the "
                                             f"leaf's exact value {frac_str(want)}")
        return
    for i, o in enumerate(d["outcomes"]):
        w = f"{where}.outcomes[{i}]"
        got = parse_frac(o["probability"], f"{w}.probability")
        if got != ev.cond[path + (i,)]:
            raise CertificateFormatError(f"{w}.probability {shorten(o['probability'])} is not the "
                                         f"exact outcome probability {frac_str(ev.cond[path + (i,)])}")
        _check_redundant(o["child"], ev, f"{w}.child", path + (i,))


@dataclass(frozen=True)
class GeneralLOCCVerification:
    """Result of :func:`verify_general_locc_certificate`: ``valid``, ``bound``, ``state``, ``reason``."""

    valid: bool
    bound: Fraction | None = None
    state: ThreeQubitState | None = None
    reason: str = ""
    claim: object = None

    def line(self) -> str:
        if not self.valid:
            return f"invalid: {self.reason}"
        return (f"valid: LOCC >= {float_lower(self.bound)!r} for psi = {self.state} (explicit "
                f"LOCC measurement tree checked in {ARITHMETIC} arithmetic, exact "
                f"{frac_str(self.bound)})")


def _verify(cert) -> GeneralLOCCVerification:
    check_envelope(cert, KIND)
    check_keys(cert, TOP_KEYS, "certificate")
    for k in TOP_KEYS:
        require(cert, k, "certificate")
    if cert["arithmetic"] != ARITHMETIC:
        raise CertificateFormatError(f"arithmetic {shorten(cert['arithmetic'])} is not {ARITHMETIC!r}")
    sd = cert["state"]
    check_keys(sd, ("type", "psi"), "state")
    if require(sd, "type", "state") != "amplitudes":
        raise CertificateFormatError(f"state.type {shorten(sd.get('type'))} is not 'amplitudes'")
    st = three_qubit_state(_gauss_list(require(sd, "psi", "state"), 8, "state.psi"), normalise=True)
    td = cert["tree"]
    check_keys(td, ("root",), "tree")
    tree = _from_json(require(td, "root", "tree"), "tree.root")
    if tree_nodes(tree) > MAX_NODES:
        raise CertificateFormatError(f"tree has more than {MAX_NODES} nodes")
    ev = evaluate_general_tree(tree, st)
    _check_redundant(td["root"], ev, "tree.root")
    bd = cert["bound"]
    check_keys(bd, ("exact", "float_lower"), "bound")
    b = parse_frac(require(bd, "exact", "bound"), "bound.exact")
    if b > ev.total:
        raise CertificateFormatError(f"claimed bound {float(b)!r} exceeds the tree's exact value "
                                     f"{float(ev.total)!r}")
    fl = require(bd, "float_lower", "bound")
    if isinstance(fl, bool) or not isinstance(fl, (int, float)) or fl != float_lower(b):
        raise CertificateFormatError(f"bound.float_lower = {shorten(fl)} is not the exact bound "
                                     "rounded down")
    if cert["claim"] != claim_text(b):
        raise CertificateFormatError(f"claim {shorten(cert['claim'])} is not what the tree proves: "
                                     f"{claim_text(b)!r}")
    return GeneralLOCCVerification(True, b, st)


def verify_general_locc_certificate(cert) -> GeneralLOCCVerification:
    """Re-check a ``locc_lower_bound_general`` certificate from its data alone; never raises."""
    try:
        return _verify(cert)
    except RecursionError:
        return GeneralLOCCVerification(False, reason="malformed certificate (nested too deeply)")
    except SepgapError as exc:
        return GeneralLOCCVerification(False, reason=str(exc))
    except (ArithmeticError, TypeError, ValueError, KeyError, IndexError, AttributeError,
            StopIteration) as exc:
        return GeneralLOCCVerification(False, reason=f"malformed certificate ({type(exc).__name__}: "
                                                     f"{str(exc)[:200]})")


__all__ = ["KIND", "claim_text", "general_locc_certificate", "verify_general_locc_certificate",
           "GeneralLOCCVerification"]
