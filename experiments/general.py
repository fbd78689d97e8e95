"""Brackets for any three-qubit pure state (``sepgap bound --amplitudes`` / ``--state-file``).

One function, :func:`general_bracket`, derives every number of a general state:

1. the canonical form of Acin et al. and the class (:mod:`analytics.canonical`);
2. a W-class state (whatever its phases or local basis) goes to the W-class machinery for its
   local-unitarily equivalent form ``x`` (exact for exact input): kappa, the explicit SEP
   instrument, the LOCC protocols and the certified W engine, as ``sepgap bound XA XB XC``;
3. any other state: ``sep_upper`` is the certified PPT bound on the input amplitudes themselves
   (real input: the real engine, :func:`sdp.ppt_upper_bound`; complex input, or data too
   extreme for the real engine's float estimates: :func:`sdp.complex_ppt.complex_ppt_upper_bound`,
   SCS on complex PSD cones with Clarabel on the real embedding as fallback); ``locc_lower = sep_lower`` is the best
   checked LOCC protocol found (:func:`analytics.general_locc_tree.general_locc_bound`: the
   one-measurement protocol or a tree of two-outcome local measurements before it), an explicit
   LOCC protocol and hence also a SEP lower bound; ``locc_upper = min(cut monotone, sep_upper)``
   (:func:`locc_upper_general`).

The task is invariant under local unitaries (formulation.md section 9), so every bound of the
LU-equivalent form is a bound for the input. Decimals are rounded outward; ``*_exact`` strings
hold the exact values.
"""
from __future__ import annotations

from fractions import Fraction

from analytics.canonical import canonical_form, route  # noqa: F401  (route: re-exported)
from analytics.certificates import float_lower, float_upper, frac_str
from analytics.claims import decimal_down, decimal_up, ppt_claim
from analytics.general_locc_tree import GeneralLOCCBound, general_locc_bound
from analytics.general_states import ThreeQubitState, three_qubit_state
from analytics.lower import sep_lower_bound
from analytics.monotone_candidates import cut_upper_general


def _ex(q) -> str | None:
    return None if q is None else frac_str(q)


def sep_upper_general(state: ThreeQubitState, *, pairs="AB,AC,BC", objective="exact",
                      solver="auto", solver_options=None, certify=True):
    """The certified PPT bound on the amplitudes of ``state`` (real engine for real input,
    the real embedding for complex input): a :class:`sdp.ppt.PPTBound`."""
    from sdp import ppt_upper_bound
    from sdp.complex_ppt import complex_ppt_upper_bound
    if state.is_real and abs(state.norm2 - 1) <= Fraction(1, 10 ** 9):
        # the real engine's frame keeps the exact values and divides by |psi|^2 exactly; it
        # accepts only vectors normalised up to rounding (others take the complex path)
        vals = tuple(a.re for a in state.psi)
        try:
            return ppt_upper_bound(vals, pairs=pairs, objective=objective, solver=solver,
                                   solver_options=solver_options, certify=certify)
        except ArithmeticError:
            pass  # the real engine's float estimates overflow on extreme exact data (1e-300)
    return complex_ppt_upper_bound(state, pairs=pairs, objective=objective, solver=solver,
                                   solver_options=solver_options, certify=certify)


def canonical_keys(state: ThreeQubitState) -> dict:
    """The canonical form and class as JSON-ready keys."""
    c = canonical_form(state)
    cls = c.cls
    return {
        "amplitudes_exact": state.strings(), "exact_input": state.exact_input,
        "normalised": state.normalised, "norm2_exact": frac_str(state.norm2),
        "class": cls.name, "class_pair": cls.pair, "class_exact": cls.exact,
        "class_text": cls.describe(), "three_tangle": cls.tangle,
        "three_tangle_sq_exact": frac_str(cls.tangle_sq),
        "reduced_dets_exact": [frac_str(d) for d in cls.reduced_dets],
        "canonical_l": list(c.l), "canonical_phi": c.phi,
    }


def general_bracket(state, *, normalise: bool = False, pairs="AB,AC,BC", objective="exact",
                    solver="auto", solver_options=None, certify=True, sdp=True,
                    locc: GeneralLOCCBound | None = None, lower: str = "tree",
                    lower_budget: float | None = None) -> tuple:
    """``(report, ppt_result or None, sep_lower)`` for a non-W-class state (module docstring,
    step 3); W-class states are routed by :func:`route` instead. ``sdp=False``: no upper bound
    (the ``sep_upper*`` keys are null). ``locc``: the result of :func:`locc_lower_general` for
    this state if the caller already has it (it is computed otherwise). ``lower`` /
    ``lower_budget``: the SEP lower-bound method and LP seconds of
    :func:`analytics.lower.sep_lower_bound` (``tree``: the measure + Vidal protocol; ``lp`` /
    ``auto``: the general LP, issue 19); ``sep_lower`` is its
    :class:`~analytics.plane.SepLowerBound` (``certificate()`` of an ``lp_general`` instrument
    is the lower-bound certificate). The row's ``sep_lower`` is the larger of it and the LOCC
    protocol's value (an LOCC protocol is a separable instrument)."""
    st = three_qubit_state(state, normalise=normalise)
    rep = canonical_keys(st)
    proto = locc_lower_general(st) if locc is None else locc
    lb = sep_lower_bound(st, method=lower, budget=lower_budget)
    res = None
    if sdp:
        res = sep_upper_general(st, pairs=pairs, objective=objective, solver=solver,
                                solver_options=solver_options, certify=certify)
    up = None if res is None else res.certified
    is_sep = bool(up is not None and ppt_claim(res.pairs, res.weights, up, res.objective).is_sep)
    low = proto.value
    rep.update({
        "routed_to": "general",
        "sep_lower_kind": (lb.kind if lb.value > low
                           else f"locc_protocol ({proto.protocol_kind})"),
        "sep_lower_method": lower,
        "sep_lower_reason": (lb.reason if lb.value > low else "the LOCC protocol of locc_lower "
                             "(an LOCC protocol is a separable instrument)"),
        "sep_lower_time": round(lb.time, 3),
        **locc_keys_general(proto),
        "locc_sup_lower": float_lower(low), "locc_sup_lower_exact": _ex(low),
        "sep_upper_kind": "none" if res is None else res.kind,
        "sep_upper_method": None if res is None else res.method,
        "sep_upper_numerical": None if res is None else res.value,
        "sep_upper_status": "skipped" if res is None else res.status,
        "sep_upper_solver": None if res is None else res.solver,
        "sep_upper_solve_time": None if res is None else res.solve_time,
        "sep_upper_certify_time": None if res is None else res.certify_time,
        "sep_upper_attempts": None if res is None else res.attempts,
        "sep_upper_certification_error": None if res is None else res.certification_error,
        "sep_upper_certified_exact": _ex(up),
        "sep_upper_claim": None if up is None else ppt_claim(res.pairs, res.weights, up,
                                                             res.objective).exact(),
        "sep_upper_is_sep": is_sep,
        "sep_upper_certificate_kind": None if res is None or res.certificate is None
        else res.certificate["kind"],
    })
    rep.update(bracket_columns_general(low, up if is_sep else None, cut=cut_upper_general(st),
                                       sep_low=lb.value))
    return rep, res, lb


# ---- the LOCC columns of a general state (one place: bound, sweeps, verify) ---------------------

def locc_lower_general(state) -> GeneralLOCCBound:
    """The LOCC lower bound of a non-W-class state: the best checked protocol of
    :func:`analytics.general_locc_tree.general_locc_bound` (default depth and seed), the one
    function ``sepgap bound``, the general sweeps and ``sepgap verify`` call."""
    return general_locc_bound(state)


def locc_keys_general(proto: GeneralLOCCBound) -> dict:
    """The report keys of the LOCC lower bound: value (rounded down), how it was reached."""
    low = proto.value
    return {"locc_lower": float_lower(low), "locc_lower_exact": _ex(low),
            "locc_protocol": proto.describe(), "locc_lower_kind": proto.protocol_kind,
            "locc_tree_depth": proto.depth, "locc_tree_nodes": proto.nodes,
            "locc_one_measurement": float_lower(proto.one_measurement),
            "locc_one_measurement_exact": _ex(proto.one_measurement),
            "locc_seconds": proto.seconds}


def locc_upper_general(cut, sep_up) -> tuple:
    """``(locc_upper, kind)``: the smaller of the cut monotone's exact upper bound ``cut``
    (kind ``"monotone:cut"``, docs/locc-monotones.md) and the certified bound on SEP ``sep_up``
    (kind ``"ppt"``; LOCC <= SEP); ``(None, "none")`` when neither is given."""
    cands = [(q, k) for q, k in ((sep_up, "ppt"), (cut, "monotone:cut")) if q is not None]
    return min(cands, key=lambda c: c[0]) if cands else (None, "none")


def bracket_columns_general(low: Fraction, sep_up, cut=None, sep_low=None) -> dict:
    """The bracket columns of a non-W-class state from the exact protocol value ``low`` (a
    lower bound on LOCC, hence on SEP), the certified bound on SEP ``sep_up`` (or None) and the
    cut monotone's upper bound ``cut`` (or None): the one place that derives them
    (``sepgap bound``, ``sepgap sweep ghz|wghz`` and ``verify``).
    ``locc_upper = min(cut, sep_upper)`` (:func:`locc_upper_general`),
    ``gap_lower = sep_lower - locc_upper``, ``gap_upper = sep_upper - locc_lower``; floats
    rounded outward. ``sep_low``: an exact SEP lower bound of
    :func:`analytics.lower.sep_lower_bound` (issue 19); ``sep_lower = max(sep_low, low)``
    (None: ``low``), ``sep_width = sep_upper - sep_lower``."""
    sep_lower = low if sep_low is None else max(Fraction(sep_low), low)
    row = {"sep_lower": float_lower(sep_lower), "sep_lower_exact": _ex(sep_lower),
           "sep_upper": None if sep_up is None else float_upper(sep_up),
           "sep_upper_exact": _ex(sep_up)}
    lu, row["locc_upper_kind"] = locc_upper_general(cut, sep_up)
    row["locc_upper"] = None if lu is None else float_upper(lu)
    row["locc_upper_exact"] = _ex(lu)
    gl = None if lu is None else sep_lower - lu
    gu = None if sep_up is None else sep_up - low
    row["gap_lower"] = None if gl is None else float_lower(gl)
    row["gap_lower_exact"] = _ex(gl)
    row["gap_upper"] = None if gu is None else float_upper(gu)
    row["gap_upper_exact"] = _ex(gu)
    row["sep_width"] = None if sep_up is None else float_upper(sep_up - sep_lower)
    row["locc_width"] = None if lu is None else float_upper(lu - low)
    return row


def format_general(rep: dict) -> str:
    """The report of :func:`general_bracket` as text (decimals rounded outward)."""
    def dn(k):
        q = rep.get(f"{k}_exact")
        return "n/a" if q is None else decimal_down(Fraction(q))

    def up(k):
        q = rep.get(f"{k}_exact")
        return "n/a" if q is None else decimal_up(Fraction(q))
    l0, l1, l2, l3, l4 = rep["canonical_l"]
    lines = [
        f"state       psi = [{', '.join(rep['amplitudes_exact'])}]"
        + ("  (divided by its norm)" if rep["normalised"] else ""),
        f"class       {rep['class_text']}",
        f"canonical   l0 = {l0:.9g}, l1 = {l1:.9g}, l2 = {l2:.9g}, l3 = {l3:.9g}, l4 = {l4:.9g}, "
        f"phi = {rep['canonical_phi']:.9g}   (Acin et al. PRL 85, 1560)",
    ]
    if rep["sep_upper_kind"] == "none":
        lines.append("PPT upper   skipped (--no-sdp)")
    elif rep["sep_upper_kind"] == "certified" and rep["sep_upper_claim"]:
        lines.append(f"PPT upper   {rep['sep_upper_claim'].split(' <= ')[0]} <= "
                     f"{up('sep_upper_certified')}   certified ({rep['sep_upper_certificate_kind']}; "
                     f"solver value {rep['sep_upper_numerical']:.12g}, {rep['sep_upper_solver']})")
    else:
        val = rep["sep_upper_numerical"]
        lines.append(f"PPT upper   {'n/a' if val is None else format(val, '.12g')}   "
                     f"{rep['sep_upper_kind'].upper()}: solver value, NOT a certified bound"
                     + (f"; {rep['sep_upper_certification_error']}"
                        if rep.get("sep_upper_certification_error") else ""))
    lu_kind = {"ppt": "the certified PPT bound", "monotone:cut": "the cut monotone",
               "none": "none"}[rep["locc_upper_kind"]]
    lines += [
        f"LOCC lower  {dn('locc_lower')}   {rep['locc_protocol']} (explicit, checked; also a "
        "SEP lower bound)",
        f"protocol    depth {rep['locc_tree_depth']}, {rep['locc_tree_nodes']} nodes before the "
        f"leaves; one-measurement protocol alone: {decimal_down(Fraction(rep['locc_one_measurement_exact']))}",
        f"SEP lower   {dn('sep_lower')}   {rep['sep_lower_kind']} (--lower {rep['sep_lower_method']}): "
        f"{rep['sep_lower_reason']}",
        f"SEP  in    [{dn('sep_lower')}, {up('sep_upper')}]"
        + ("" if rep.get("sep_width") is None
           else f"   width {decimal_up(Fraction(rep['sep_width']))}"),
        f"LOCC in    [{dn('locc_lower')}, {up('locc_upper')}]   locc_upper = min(cut monotone, "
        f"certified PPT) = {lu_kind}",
        f"gap        SEP_opt - LOCC_sup in [{dn('gap_lower')}, {up('gap_upper')}]",
    ]
    return "\n".join(lines)


__all__ = ["general_bracket", "bracket_columns_general", "locc_lower_general", "locc_keys_general",
           "locc_upper_general", "format_general", "route", "canonical_keys", "sep_upper_general"]
