"""One point of a sweep -> one row (a dict of JSON types) plus its certificate.

Numbers in a row and what they mean (docs/experiments.md has the full list):

* ``kappa``: :math:`\\kappa(\\vec x)` (Eq. 4). An upper bound on LOCC for every state (Theorem 1);
  for ``x0 = 0`` it is the LOCC supremum (Theorem 2).
* ``sep_lower``: success probability of an explicit separable instrument, checked exactly
  (:func:`analytics.lower.sep_lower_bound` with the run's ``--lower`` method and
  ``--lower-budget``): a rigorous lower bound on SEP; ``sep_lower_kind`` says which instrument
  (``eq7``, ``large_component``, ``trivial``, ``tree`` or ``lp``). An ``lp`` instrument comes from
  a time-budgeted search, so it is not recomputed when a row is re-derived: its certificate
  (``sep_lower_certificate_file``) is verified instead (:func:`lower_for_row`).
* ``sep_upper_certified``: exact upper bound on SEP from a verified dual certificate of the PPT
  relaxation (:func:`sdp.ppt_upper_bound` with ``certify=True``). Empty when certification
  failed: an uncertified number never goes into this column.
* ``sep_upper``: the same certified bound, or empty: never a solver's value (that is
  ``sep_upper_numerical``; ``sep_upper_kind`` says ``certified``, ``numerical`` or ``failed``).
* ``gap_certified = sep_lower - kappa`` (exact): a rigorous lower bound on
  :math:`\\mathrm{SEP}_{opt} - \\mathrm{LOCC}_{sup}`.
* ``gap_upper = sep_upper_certified - locc_sup_lower`` (exact): a rigorous upper bound on the
  same gap; ``gap_lower``, ``locc_upper``, widths: :mod:`experiments.brackets`.
* ``kappa_exceeds_sep_upper``: ``True`` when the certified PPT bound is below kappa. Then
  LOCC <= SEP <= PPT < kappa, so kappa is *not* the LOCC optimum of that state (possible only
  for ``x0 > 0``, where Theorem 2 does not apply).

Every row is :func:`experiments.brackets.sweep_row` of the point's
:class:`~experiments.brackets.Bracket` (one derivation for ``sepgap bound``, sweeps and
``sepgap verify``). Floats that are bounds are rounded outward from the exact value
(:data:`experiments.brackets.DIRECTIONS`: ``kappa``, ``sep_upper*``, ``locc_upper``,
``gap_upper``, widths up; ``sep_lower*``, ``gap_*``, ``locc_*lower`` down), so even the float
columns are valid bounds; the exact values are in the ``*_exact`` string columns.

Reproducibility: the SCS engine cached by :mod:`sdp.engine` keeps adaptive state (its scale)
between solves, so the same point solved after a different history returns a slightly different
dual, hence a different (equally valid) certified bound. :func:`evaluate_point` therefore starts
every point from a fresh solver instance; its result depends only on the state, the options
and the warm start passed in.
"""
from __future__ import annotations

import base64
import dataclasses
import functools
from dataclasses import dataclass
from fractions import Fraction

import numpy as np

from analytics.certificates import float_lower, float_upper, verify_lower
from analytics.plane import SepLowerBound
from analytics.states import PAIRS

from .brackets import (UpperReport, bracket, derive, locc_inputs, lower_certificate_id,
                       sep_lower_of, sweep_row)
from .families import Point, frac_str

from analytics.locc import DEFAULT_ROUNDS as LOCC_DEFAULT_ROUNDS

#: Columns of every row, in CSV order; a family's parameters (e.g. ``s``) go after ``index``
#: and their exact strings (``s_exact``) before ``x0_exact``.
BASE_COLUMNS = (
    "id", "index",
    "x0", "xA", "xB", "xC",
    "kappa", "sep_lower", "sep_lower_kind",
    "sep_upper", "sep_upper_status", "sep_upper_kind", "sep_upper_method", "sep_upper_certified",
    "sep_upper_numerical",
    "gap_certified", "gap_upper", "kappa_exceeds_sep_upper",
    "locc_lower", "locc_protocol", "locc_rounds",
    "iterations", "solve_time", "certify_time", "locc_time",
    "certificate_file", "sep_upper_note",
    "sep_lower_p_AB", "sep_lower_p_AC", "sep_lower_p_BC",
    "sep_upper_p_AB", "sep_upper_p_AC", "sep_upper_p_BC",
    "locc_sup_lower", "locc_sup_kind", "locc_upper", "locc_upper_kind", "gap_lower",
    "sep_width", "locc_width", "sep_lower_certificate_file",
)
EXACT_COLUMNS = ("x0_exact", "xA_exact", "xB_exact", "xC_exact", "kappa_exact",
                 "sep_lower_exact", "sep_upper_certified_exact", "gap_certified_exact",
                 "gap_upper_exact", "sep_lower_p_AB_exact", "sep_lower_p_AC_exact",
                 "sep_lower_p_BC_exact", "locc_sup_lower_exact", "locc_upper_exact",
                 "gap_lower_exact", "locc_lower_exact", "sep_width_exact")
#: Columns that change from run to run (wall-clock times); ignore them when comparing runs.
TIMING_COLUMNS = ("solve_time", "certify_time", "locc_time")


def columns_for(param_names=()) -> list:
    """The CSV header for a family with parameters ``param_names``."""
    base = list(BASE_COLUMNS)
    cols = base[:2] + list(param_names) + base[2:]
    return cols + [f"{p}_exact" for p in param_names] + list(EXACT_COLUMNS)


float_down = float_lower  # outward rounding of lower bounds
float_up = float_upper    # ... and of upper bounds


def reset_solver_state() -> None:
    """Fresh solver instances for the next solve (:func:`sdp.engine.reset_solvers`): SCS adapts
    its internal scale across solves of one instance, so results would depend on history."""
    from sdp.engine import reset_solvers
    reset_solvers()


# ---- warm starts across processes and runs -------------------------------------------------------

def encode_raw(raw) -> dict | None:
    """A :class:`sdp.engine.RawSolution` as JSON (arrays as base64 of their float64 bytes:
    bit-exact, so a resumed run warm-starts exactly as the interrupted one would have)."""
    if raw is None or not dataclasses.is_dataclass(raw):
        return None
    out = {}
    for f in dataclasses.fields(raw):
        v = getattr(raw, f.name)
        if isinstance(v, np.ndarray):
            if v.dtype.kind not in "fiu":
                return None
            a = np.ascontiguousarray(v, dtype="<f8")
            out[f.name] = {"b64f8": base64.b64encode(a.tobytes()).decode("ascii"),
                           "shape": list(a.shape)}
        elif isinstance(v, (np.floating, np.integer)):
            out[f.name] = v.item()
        elif v is None or isinstance(v, (str, int, float, bool)):
            out[f.name] = v
        else:  # a field this encoder does not know: store no warm start (resume starts cold)
            return None
    return out


def decode_raw(d: dict | None):
    """Inverse of :func:`encode_raw`; None if ``d`` is None or does not fit ``RawSolution``."""
    if not d:
        return None
    from sdp.engine import RawSolution
    kw = {}
    for k, v in d.items():
        if isinstance(v, dict) and "b64f8" in v:
            kw[k] = np.frombuffer(base64.b64decode(v["b64f8"]), dtype="<f8").reshape(v["shape"]).copy()
        else:
            kw[k] = v
    try:
        return RawSolution(**kw)
    except TypeError:
        return None


def usable_warm_start(raw) -> bool:
    """A previous solution is worth warm-starting from only if it is finite."""
    if raw is None:
        return False
    try:
        return all(np.all(np.isfinite(getattr(raw, k))) for k in ("x", "y", "s"))
    except (AttributeError, TypeError):
        return False


# ---- orbits under party permutations ------------------------------------------------------------

_ORBIT_MEMO: dict = {}
_ORBIT_MEMO_MAX = 20_000


def orbit_bound(st, *, shortcut: bool, solver: str, solver_options: dict | None):
    """``(PPTBound, note)`` for ``st`` from its sorted representative, or ``(None, None)`` if the
    relabelled certificate did not verify (the caller then solves ``st`` itself)."""
    import copy

    from sdp import sep_upper_bound, verify_certificate
    from sdp.symmetry import inverse, new_pair, permute_certificate, sorting_permutation

    perm = sorting_permutation(st.x)
    rep = st.permuted(perm)
    key = (rep.x0, rep.x, shortcut, solver, tuple(sorted((solver_options or {}).items())))
    base = _ORBIT_MEMO.get(key)
    if base is None:
        reset_solver_state()  # cold start, fresh instance: independent of solve history
        base = sep_upper_bound(rep, shortcut=shortcut, solver=solver, solver_options=solver_options)
        if len(_ORBIT_MEMO) >= _ORBIT_MEMO_MAX:
            _ORBIT_MEMO.clear()
        _ORBIT_MEMO[key] = base
    if perm == "ABC" or base.certificate is None or base.method == "product":
        if perm != "ABC":  # (a product state's bound is analytic: the caller's shortcut)
            return None, None
        return base, None
    cert = permute_certificate(base.certificate, inverse(perm))
    if not verify_certificate(cert).valid:
        return None, None
    res = copy.copy(base)
    res.certificate = cert
    res.raw = None
    # the representative's per-pair solver values, relabelled like the certificate
    res.p_pairs = {new_pair(k, inverse(perm)): v for k, v in (base.p_pairs or {}).items()}
    return res, f"certificate relabelled from x = {frac_str(rep.xA)}, {frac_str(rep.xB)}, {frac_str(rep.xC)} (verified)"


# ---- one point -----------------------------------------------------------------------------------

@dataclass
class PointResult:
    """``row`` (JSON types), ``certificate`` (dict or None) and ``raw`` (the solver's solution,
    for warm-starting the next point; not stored in tables)."""

    row: dict
    certificate: dict | None
    raw: object = None
    lower_certificate: dict | None = None
    lower_seeds: object = None


def lower_for_row(st, kind, lower_cert, method: str = "auto") -> tuple:
    """``(SepLowerBound or None, reason or None)``: the SEP lower bound a saved row of ``kind``
    (its ``sep_lower_kind``) stands for, re-derived without a search: for ``lp`` its stored
    certificate ``lower_cert`` must verify exactly, be for ``st`` and, with ``method`` ``auto``,
    beat the tree (auto keeps the better); any other kind is recomputed (the tree method is
    deterministic, the plane instruments are closed forms). The one function that both a
    resumed sweep (:mod:`experiments.saved`) and ``sepgap verify`` use."""
    st = st.exact()
    if kind != "lp":
        if lower_cert is not None:
            return None, "a lower-bound certificate is stored for a row that is not an LP instrument"
        if kind == "tree" and method == "lp":
            return None, "sep_lower_kind tree in a run with --lower lp"
        return sep_lower_of(st), None
    if method not in ("auto", "lp"):
        return None, f"sep_lower_kind lp in a run with --lower {method}"
    if not isinstance(lower_cert, dict):
        return None, "sep_lower_kind lp without its lower-bound certificate"
    inst = lower_cert.get("instrument")
    if not isinstance(inst, dict) or inst.get("kind") != "lp":
        return None, "the lower-bound certificate is not an LP instrument"
    res = verify_lower(lower_cert)
    if not res.valid:
        return None, f"the lower-bound certificate does not verify ({res.reason})"
    if res.state != st:
        return None, "the lower-bound certificate is for another state"
    pp = {p: Fraction(lower_cert["p_pairs"][p]) for p in PAIRS}  # checked equal by the verifier
    lb = SepLowerBound(res.claim.value, "lp", None, pp, None, "verified LP certificate", method,
                       0.0, st)
    if method == "auto" and not sep_lower_of(st).value < lb.value:
        return None, "auto keeps the better bound, but the tree is not below the LP value"
    return lb, None


def rederive_row(point: Point, *, upper_bound: Fraction | None, report: UpperReport,
                 locc_rounds: int | None, lower: SepLowerBound | None = None) -> dict:
    """The row of ``point`` re-derived from its exact state, the bound of its *verified*
    certificate (or None), its recorded solver ``report`` and the recorded ``locc_rounds``,
    through the functions that wrote it (:func:`experiments.brackets.derive` and
    :func:`experiments.brackets.sweep_row`): no solver; the LOCC protocol is recomputed
    (deterministic); ``lower``: the SEP lower bound from :func:`lower_for_row` (default the
    tree method, recomputed). Timing columns come out empty.
    Raises :class:`experiments.brackets.BracketError` if the inputs disagree."""
    st = point.state.exact()
    b = derive(st, lower=sep_lower_of(st) if lower is None else lower, upper_bound=upper_bound,
               report=report, locc=locc_inputs(st, locc_rounds))
    return sweep_row(point, b)


def evaluate_point(point: Point, *, solver: str = "auto", solver_options: dict | None = None,
                   locc_rounds: int | None = LOCC_DEFAULT_ROUNDS, warm_start=None,
                   fresh_solver: bool = True, shortcut: bool = True,
                   orbit_reuse: bool = False, lower: str = "auto",
                   lower_budget: float | None = None, lower_seeds=None) -> PointResult:
    """Every number of the sweep for one point: :func:`experiments.brackets.bracket` of its
    state, written as a row by :func:`experiments.brackets.sweep_row` (module docstring).

    ``orbit_reuse``: solve the sorted representative of the point's orbit under party
    permutations (cold start, fresh solver, remembered in this process) and relabel its
    certificate (re-verified exactly); warm starts are not used then, so the result does not
    depend on which points were solved before.

    ``lower``, ``lower_budget``: the SEP lower-bound method and its LP time budget
    (:func:`analytics.lower.sep_lower_bound`); ``lower_seeds``: LP columns of the previous
    point (a warm start); the result's ``lower_seeds`` are this point's, its
    ``lower_certificate`` the certificate of an ``lp`` lower bound (else None).

    ``locc_rounds=None`` leaves the LOCC columns empty. ``warm_start`` is the ``raw`` of a
    previous :class:`PointResult` with the same zero pattern (the caller checks). Solver
    errors caused by bad settings (:class:`sdp.SolverError`) propagate; any other failure of the
    SDP is recorded in the row (``sep_upper_kind = "failed"``, ``sep_upper_note``).
    """
    st = point.state.exact()
    if fresh_solver:
        reset_solver_state()
    orbit = (functools.partial(orbit_bound, shortcut=shortcut, solver=solver,
                               solver_options=solver_options) if orbit_reuse else None)
    b = bracket(st, solver=solver, solver_options=solver_options, locc_rounds=locc_rounds,
                shortcut=shortcut, orbit=orbit,
                warm_start=warm_start if usable_warm_start(warm_start) else None,
                lower=lower, lower_budget=lower_budget, lower_seeds=lower_seeds)
    lp = b.sep_lower_kind == "lp"
    lp_sol = getattr(b.lower_bound.instrument, "lp", None) if lp else None
    return PointResult(sweep_row(point, b), b.upper_certificate, b.solver_raw,
                       b.lower_certificate() if lp else None,
                       None if lp_sol is None else lp_sol.columns)


__all__ = ["BASE_COLUMNS", "EXACT_COLUMNS", "TIMING_COLUMNS", "columns_for", "PointResult",
           "evaluate_point", "rederive_row", "lower_for_row", "lower_certificate_id", "encode_raw", "decode_raw", "usable_warm_start",
           "reset_solver_state", "float_down", "float_up", "LOCC_DEFAULT_ROUNDS"]
