"""``sepgap bound XA XB XC [--x0 X0] [--json]``: analytic numbers for one W-class state.

Prints :math:`\\kappa` (Eq. 4; an upper bound on LOCC by Theorem 1, the LOCC supremum for
:math:`x_0 = 0` by Theorem 2), :math:`\\eta` (Eq. 3), the explicit, checked separable lower bound
(:func:`analytics.instruments.sep_lower_bound`) and ``gap_lower = sep_lower - kappa``, a lower
bound on :math:`\\mathrm{SEP}_{opt} - \\mathrm{LOCC}_{sup}`.

Numbers are parsed exactly (``1/2``, ``0.25``, ``2.5e-1``), so everything is exact.

JSON keys (``--json``; one object): ``x0, xA, xB, xC, kappa, eta, sep_lower, gap_lower`` are
floats (``null`` when no explicit instrument applies); the same numbers as exact fractions are
strings under ``<key>_exact`` (e.g. ``"kappa_exact": "7/8"``); ``sep_lower_kind`` is
``"eq7"``, ``"large_component"``, ``"trivial"`` or ``"none"``; ``sep_lower_p_pairs`` and
``sep_lower_p_pairs_exact`` give ``p_AB, p_AC, p_BC``; ``sep_lower_checked`` says the instrument
passed :func:`analytics.checks.check_instrument`, ``sep_lower_note`` says which instrument.

The analytic part is :func:`analytic_report`, a dict of JSON types, so other options (e.g. SDP
bounds) can add keys and share the printing.
"""
from __future__ import annotations

import json
import re
from fractions import Fraction

from analytics.errors import InvalidStateError
from analytics.instruments import sep_lower_bound
from analytics.monotones import eta, kappa
from analytics.states import PAIRS, WClassState, parse_number

#: Keys holding numbers: floats under the key, exact strings under ``<key>_exact``.
NUMBER_KEYS = ("x0", "xA", "xB", "xC", "kappa", "eta", "sep_lower", "gap_lower")


def _exact_str(v) -> str | None:
    return None if v is None else str(Fraction(v))


def _float(v) -> float | None:
    return None if v is None else float(v)


def analytic_report(state: WClassState) -> dict:
    """Every analytic number for ``state`` as a JSON-ready dict (see the module docstring)."""
    k, e = kappa(state), eta(state)
    bound = sep_lower_bound(state)
    gap = None if bound.value is None else bound.value - k
    numbers = {"x0": state.x0, "xA": state.xA, "xB": state.xB, "xC": state.xC,
               "kappa": k, "eta": e, "sep_lower": bound.value, "gap_lower": gap}
    report = {}
    for key in NUMBER_KEYS:
        report[key] = _float(numbers[key])
        report[f"{key}_exact"] = _exact_str(numbers[key])
    report["sep_lower_kind"] = bound.kind
    pp = bound.p_pairs or {}
    report["sep_lower_p_pairs"] = {p: _float(pp.get(p)) for p in PAIRS} if pp else None
    report["sep_lower_p_pairs_exact"] = {p: _exact_str(pp.get(p)) for p in PAIRS} if pp else None
    report["sep_lower_checked"] = bool(bound.check is not None and bound.check.ok)
    report["sep_lower_note"] = bound.reason
    return report


def _num(report: dict, key: str) -> str:
    return f"{report[key + '_exact']}  (= {report[key]:.12g})"


def format_report(report: dict) -> str:
    """Human-readable text of :func:`analytic_report`'s dict."""
    lines = [
        f"state       x0 = {report['x0_exact']}, xA = {report['xA_exact']}, "
        f"xB = {report['xB_exact']}, xC = {report['xC_exact']}",
        f"kappa       {_num(report, 'kappa')}   Eq. (4): upper bound on LOCC (Theorem 1)",
        f"eta         {_num(report, 'eta')}   Eq. (3)",
    ]
    if report["sep_lower"] is None:
        lines.append(f"SEP lower   none applies: {report['sep_lower_note']}")
        lines.append("gap         not available (no explicit SEP lower bound)")
    else:
        pairs = ", ".join(f"p_{p} = {v}" for p, v in report["sep_lower_p_pairs_exact"].items())
        lines.append(f"SEP lower   {_num(report, 'sep_lower')}   instrument "
                     f"'{report['sep_lower_kind']}', checked: {pairs}")
        lines.append(f"gap         {_num(report, 'gap_lower')}   sep_lower - kappa, "
                     "a lower bound on SEP_opt - LOCC_sup")
    return "\n".join(lines)


def state_from_args(args) -> WClassState:
    """Parse XA XB XC (and --x0) exactly; errors name the argument and the value."""
    vals = {}
    for name in ("XA", "XB", "XC", "x0"):
        text = getattr(args, name)
        if text is None:
            continue
        try:
            vals[name] = parse_number(text)
        except InvalidStateError as exc:
            raise InvalidStateError(f"{name}: {exc}") from None
    return WClassState(vals["XA"], vals["XB"], vals["XC"], x0=vals.get("x0"))


def run(args) -> int:
    report = analytic_report(state_from_args(args))
    print(json.dumps(report, indent=2) if args.json else format_report(report))
    return 0


def register(subparsers) -> None:
    p = subparsers.add_parser(
        "bound", help="kappa, eta and the explicit SEP lower bound for one W-class state",
        description="Analytic numbers for one W-class state: kappa, eta, the explicit checked "
                    "SEP lower bound and the gap. Numbers are exact: 1/2, 0.25, 2.5e-1.")
    # argparse takes '-1/10' or '-1e-3' for an option and then reports a missing XC; read every
    # '-<digit>' or '-.<digit>' as a number instead, so the state check names the negative value
    p._negative_number_matcher = re.compile(r"^-\.?\d")
    for name, ket in (("XA", "|100>"), ("XB", "|010>"), ("XC", "|001>")):
        p.add_argument(name, help=f"weight of {ket}, e.g. 1/2 or 0.25 (read exactly)")
    p.add_argument("--x0", default=None, metavar="X0",
                   help="weight of |000>; if given, x0 + XA + XB + XC must equal 1 "
                        "(default: 1 - XA - XB - XC)")
    p.add_argument("--json", action="store_true", help="print one JSON object instead of text")
    p.set_defaults(func=run)
