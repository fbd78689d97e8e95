"""One row of a general-state sweep, and its re-derivation by ``sepgap verify``.

Every point goes through the one routing decision :func:`experiments.general.route` (the one
``sepgap bound --amplitudes`` and ``--state-file`` use), so a state gets the same bracket in a
sweep row as from ``bound``:

* a W-class state (class decided exactly) -> :func:`experiments.bracket` of its exactly
  LU-equivalent W-class form: kappa, the explicit SEP instrument, the LOCC protocols (finite
  ``locc_lower`` with :data:`analytics.locc.DEFAULT_ROUNDS` rounds and the supremum bound
  ``locc_sup_lower``), the certified W engine; the row's columns are the Bracket's;
* any other state -> :func:`experiments.general.general_bracket` (the best checked LOCC
  protocol of :func:`experiments.general.locc_lower_general`, the cut monotone, the certified
  PPT bound on the amplitudes, the SEP lower bound of :func:`analytics.lower.sep_lower_bound`
  with the sweep's ``lower`` method), columns of
  :func:`experiments.general.bracket_columns_general`; an ``lp_general`` SEP lower bound comes
  with its certificate (key :func:`lower_certificate_key`), from which ``verify`` re-derives
  ``sep_lower`` (the LP search is timed and is not repeated).

Row columns shared by both routes (floats rounded outward, ``<col>_exact`` exact):
:data:`CHECKED`; ``routed_to`` (``w_class`` or ``general``), ``w_form`` (the exact x0, xA, xB,
xC of a routed point), ``locc_rounds``. :func:`check_row` re-derives a row from its exact
amplitudes and its *verified* certificate through the same functions
(:func:`experiments.brackets.derive` for a routed point, :func:`bracket_columns_general`
otherwise) and lists every disagreement.
"""
from __future__ import annotations

import time
from fractions import Fraction

from analytics.certificates import frac_str, parse_frac, shorten, state_from_json
from analytics.errors import SepgapError
from analytics.general_states import three_qubit_state
from analytics.locc import DEFAULT_ROUNDS
from analytics.lower import sep_lower_bound
from analytics.monotone_candidates import cut_upper_general

from .brackets import BracketError, UpperReport, bracket, derive, locc_inputs
from .evaluate import lower_for_row
from .general import (bracket_columns_general, canonical_keys, general_bracket,
                      locc_lower_general, route)

#: LOCC keys of a general (non-W-class) row besides the bound columns (``verify`` re-derives
#: the kinds): how locc_lower was reached and which bound is locc_upper.
GENERAL_LOCC_KEYS = ("locc_lower_kind", "locc_tree_depth", "locc_tree_nodes", "locc_upper_kind")

#: Bound columns of every row, each with its ``_exact`` twin; ``verify`` re-derives them all.
CHECKED = ("locc_lower", "locc_sup_lower", "sep_lower", "sep_upper", "locc_upper", "gap_lower",
           "gap_upper")
LOWER = ("locc_lower", "locc_sup_lower", "sep_lower", "gap_lower")
#: Keys of a row other than the family's own parameters.
STATE_KEYS = ("class", "three_tangle", "amplitudes_exact", "canonical_l", "canonical_phi")


def _ex(q):
    return None if q is None else frac_str(q)


def _w_columns(b) -> dict:
    row = {}
    for k in CHECKED:
        row[k], row[f"{k}_exact"] = getattr(b, k), _ex(getattr(b, f"{k}_exact"))
    row.update({"sep_lower_kind": b.sep_lower_kind, "sep_upper_kind": b.sep_upper_kind,
                "locc_upper_kind": b.locc_upper_kind, "locc_protocol": b.locc_protocol,
                "locc_rounds": b.locc_rounds, "kappa": b.kappa,
                "kappa_exact": _ex(b.kappa_exact), "sep_width": b.sep_width,
                "locc_width": b.locc_width})
    return row


def lower_certificate_key(point_id: str) -> str:
    """Key (and file stem) of the SEP lower-bound certificate of a general row."""
    return f"{point_id}-lower"


def point_row(amps, *, solver: str = "auto", normalise: bool = True, lower: str = "tree",
              lower_budget: float | None = None) -> tuple:
    """``(row, certificate or None, lower certificate or None)`` of one state given by 8
    amplitudes (any input of :func:`analytics.general_states.three_qubit_state`), routed by
    :func:`route`. ``lower``/``lower_budget``: the SEP lower-bound method
    (:func:`analytics.lower.sep_lower_bound`; for a W-class row the W machinery's ``tree``,
    ``lp`` or ``auto``); the lower certificate is that of the LP instrument (``lp_general``, or
    ``lp`` for a W-class row) when it gives the row's ``sep_lower``."""
    t0 = time.perf_counter()
    st, w = route(amps, normalise=normalise)
    if w is not None:
        b = bracket(w, locc_rounds=DEFAULT_ROUNDS, solver=solver, lower=lower,
                    lower_budget=lower_budget)
        keys = canonical_keys(st)
        row = {"routed_to": "w_class",
               "w_form": [frac_str(q) for q in (w.x0, w.xA, w.xB, w.xC)], **_w_columns(b)}
        # an LP instrument's certificate is kept (verify re-derives sep_lower from it; the LP
        # search is timed, so it is not repeated); tree and plane bounds are recomputed
        cert = b.upper_certificate
        lower_cert = b.lower_certificate() if b.sep_lower_kind == "lp" else None
    else:
        keys, res, lb = general_bracket(st, solver=solver, lower=lower, lower_budget=lower_budget)
        lower_cert = (lb.instrument.certificate() if keys["sep_lower_kind"] == "lp_general"
                      else None)
        row = {"routed_to": "general", "w_form": None, "locc_rounds": None, "kappa": None,
               "kappa_exact": None, "locc_protocol": keys["locc_protocol"],
               "sep_lower_kind": keys["sep_lower_kind"], "sep_upper_kind": keys["sep_upper_kind"],
               **{k: keys.get(k) for k in GENERAL_LOCC_KEYS + ("sep_width", "locc_width")},
               **{c: keys.get(c) for k in CHECKED for c in (k, f"{k}_exact")}}
        cert = None if res is None or keys["sep_upper_kind"] != "certified" else res.certificate
    row.update({k: keys[k] for k in STATE_KEYS})
    row["seconds"] = round(time.perf_counter() - t0, 3)
    return row, cert, lower_cert


def _verified_bound(row, res_cert, state_matches) -> tuple:
    """``(bound or None, problem or None)`` from the verified certificate of a row."""
    if res_cert is None:
        return None, None
    res, cert = res_cert
    if not res.valid:
        return None, "its certificate is invalid"
    if not state_matches(cert.get("state") if isinstance(cert, dict) else None):
        return None, "its certificate is for another state"
    if res.claim is not None and res.claim.is_sep:
        return res.bound, None
    return None, None


def expected_columns(row: dict, results: dict) -> tuple:
    """``(want, problems)``: the exact columns of :data:`CHECKED` re-derived from the row's
    amplitudes and verified certificate (``results``: id -> (verifier result, certificate))."""
    try:
        st, w = route([str(a) for a in row.get("amplitudes_exact")], normalise=True)
    except (SepgapError, TypeError, ValueError) as exc:
        return {}, [f"amplitudes_exact: {shorten(str(exc))}"]
    routed = "w_class" if w is not None else "general"
    if row.get("routed_to") != routed:
        return {}, [f"routed_to is {shorten(row.get('routed_to'))}, the state routes to {routed}"]
    res_cert = results.get(row.get("id"))
    if w is not None:
        def same(d):
            try:
                s = state_from_json(d)
            except (SepgapError, ValueError, TypeError, AttributeError, KeyError):
                return False
            return (s.x0, s.xA, s.xB, s.xC) == (w.x0, w.xA, w.xB, w.xC)
        up, problem = _verified_bound(row, res_cert, same)
        if problem:
            return {}, [problem]
        if row.get("w_form") != [frac_str(q) for q in (w.x0, w.xA, w.xB, w.xC)]:
            return {}, ["w_form is not the state's W-class form"]
        rounds = row.get("locc_rounds")
        if isinstance(rounds, bool) or not isinstance(rounds, int) or rounds < 0:
            return {}, ["locc_rounds is not a non-negative integer"]
        rc = results.get(lower_certificate_key(str(row.get("id"))))
        kind = row.get("sep_lower_kind")
        lower, problem = lower_for_row(w.exact(), kind, None if rc is None else rc[1],
                                       method="lp" if kind == "lp" else "tree")
        if problem:
            return {}, [problem]
        try:
            b = derive(w, lower=lower, upper_bound=up,
                       report=UpperReport(kind=str(row.get("sep_upper_kind"))),
                       locc=locc_inputs(w.exact(), rounds))
        except BracketError as exc:
            return {}, [str(exc)]
        return {f"{k}_exact": _ex(getattr(b, f"{k}_exact")) for k in CHECKED}, []

    def same(d):
        try:
            return [str(a) for a in d["psi"]] == list(row.get("amplitudes_exact"))
        except (KeyError, TypeError):
            return False
    up, problem = _verified_bound(row, res_cert, same)
    if problem:
        return {}, [problem]
    if (row.get("sep_upper_kind") == "certified") != (up is not None):
        return {}, ["sep_upper_kind disagrees with the verified certificate"]
    sep_low, problem = _general_sep_lower(row, st, results)
    if problem:
        return {}, [problem]
    proto = locc_lower_general(st)
    low = proto.value
    cols = bracket_columns_general(low, up, cut=cut_upper_general(st), sep_low=sep_low)
    want = {"locc_lower_exact": _ex(low), "locc_sup_lower_exact": _ex(low),
            **{f"{k}_exact": cols[f"{k}_exact"] for k in ("sep_lower", "sep_upper", "locc_upper",
                                                           "gap_lower", "gap_upper")},
            **_locc_kinds(proto, cols)}
    return want, []


def _general_sep_lower(row: dict, st, results: dict) -> tuple:
    """``(exact SEP lower bound, problem or None)`` of a general row, re-derived through
    :func:`analytics.lower.sep_lower_bound`: an ``lp_general`` row by its verified lower
    certificate (the LP search is timed, so it is not repeated); kind ``locc_protocol`` (the
    ``tree`` method's measure + Vidal protocol, when it beat the LOCC protocol of
    ``locc_lower``) by that deterministic method; any other kind (``locc_protocol (...)``: the
    LOCC protocol of ``locc_lower`` itself) by None, i.e. ``sep_lower = locc_lower``. The same
    rule as :func:`experiments.general.general_bracket`, which keeps the larger of the two."""
    kind = row.get("sep_lower_kind")
    if kind == "locc_protocol":
        return sep_lower_bound(st, method="tree").value, None
    if kind != "lp_general":
        return None, None
    rc = results.get(lower_certificate_key(str(row.get("id"))))
    if rc is None:
        return None, "sep_lower_kind is lp_general but its lower-bound certificate is missing"
    res, cert = rc
    if not res.valid:
        return None, "its lower-bound certificate is invalid"
    try:
        same = [str(a) for a in cert["state"]["psi"]] == list(row.get("amplitudes_exact"))
    except (KeyError, TypeError):
        same = False
    if not same:
        return None, "its lower-bound certificate is for another state"
    if res.claim is None or res.claim.kind != "lower":
        return None, "its lower-bound certificate does not prove a lower bound"
    return res.bound, None


def _locc_kinds(proto, cols: dict) -> dict:
    """The recorded LOCC kinds of a general row, re-derived (compared by :func:`check_row`)."""
    return {"locc_lower_kind": proto.protocol_kind, "locc_tree_depth": proto.depth,
            "locc_tree_nodes": proto.nodes, "locc_upper_kind": cols["locc_upper_kind"]}


def check_row(row, results: dict) -> list:
    """Every disagreement between a saved row and its re-derivation (empty: it agrees)."""
    if not isinstance(row, dict):
        return ["row is not an object"]
    want, bad = expected_columns(row, results)
    if bad:
        return bad
    for col in CHECKED:
        got = row.get(f"{col}_exact")
        if got != want.get(f"{col}_exact"):
            bad.append(f"{col}_exact is {shorten(got)}, re-derived {want.get(f'{col}_exact')}")
        elif got is not None:
            try:
                q = parse_frac(got, col)
            except SepgapError as exc:
                bad.append(str(exc))
                continue
            f = row.get(col)
            if not isinstance(f, (int, float)) or isinstance(f, bool) or (
                    Fraction(f) > q if col in LOWER else Fraction(f) < q):
                bad.append(f"{col} {shorten(f)} is not {col}_exact rounded outward")
    for key in GENERAL_LOCC_KEYS:
        if key in want and row.get(key) != want[key]:
            bad.append(f"{key} is {shorten(row.get(key))}, re-derived {shorten(want[key])}")
    return bad


__all__ = ["lower_certificate_key", "point_row", "check_row", "expected_columns", "CHECKED"]
