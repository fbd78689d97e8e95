"""``sepgap bound XA XB XC [--x0 X0] [--json]``: analytic numbers for one W-class state.

Prints :math:`\\kappa` (Eq. 4; an upper bound on LOCC by Theorem 1, the LOCC supremum for
:math:`x_0 = 0` by Theorem 2), :math:`\\eta` (Eq. 3), the explicit, checked separable lower bound
(:func:`analytics.lower.sep_lower_bound` with ``--lower auto|tree|lp`` and
``--lower-budget SECONDS``) and ``gap_lower = sep_lower - kappa``, a lower bound on
:math:`\\mathrm{SEP}_{opt} - \\mathrm{LOCC}_{sup}`.

Numbers are parsed exactly (``1/2``, ``0.25``, ``2.5e-1``), so everything is exact.

JSON keys (``--json``; one object): ``x0, xA, xB, xC, kappa, eta, sep_lower, gap_lower`` are
floats (``null`` when no explicit instrument applies); the same numbers as exact fractions are
strings under ``<key>_exact`` (e.g. ``"kappa_exact": "7/8"``); ``sep_lower_kind`` is
``"eq7"``, ``"large_component"``, ``"trivial"``, ``"tree"`` or ``"lp"``; ``sep_lower_method`` the
``--lower`` method and ``sep_lower_time`` its seconds; ``sep_lower_p_pairs`` and
``sep_lower_p_pairs_exact`` give ``p_AB, p_AC, p_BC``; ``sep_lower_checked`` says the instrument
passed :func:`analytics.checks.check_instrument`, ``sep_lower_note`` says which instrument.

The analytic part is :func:`analytic_report`, a dict of JSON types, so other options (e.g. SDP
bounds) can add keys and share the printing.
"""
from __future__ import annotations

import contextlib
import json
import os
import sys
import tempfile
from fractions import Fraction
from pathlib import Path

from analytics.certificates import float_lower, float_upper
from analytics.errors import SepgapError
from analytics.lower import sep_lower_bound
from analytics.monotones import eta, kappa
from analytics.states import PAIRS, WClassState
from experiments.cli_args import (add_lower_arguments, add_solver_arguments,  # noqa: F401
                                  add_state_arguments, parse_solver_options, state_from_args)

#: Keys holding numbers: floats under the key, exact strings under ``<key>_exact``.
NUMBER_KEYS = ("x0", "xA", "xB", "xC", "kappa", "eta", "sep_lower", "gap_lower")
#: The bracket keys (experiments/brackets.py), with ``_exact`` strings where exact.
BRACKET_KEYS = ("sep_lower", "sep_upper", "locc_lower", "locc_upper", "locc_sup_lower",
                "gap_lower", "gap_upper", "sep_width", "locc_width")


def _exact_str(v) -> str | None:
    return None if v is None else str(Fraction(v))


def _float(v) -> float | None:
    return None if v is None else float(v)


def analytic_report(state: WClassState, locc_rounds: int | None = None, bound=None) -> dict:
    """Every analytic number for ``state`` as a JSON-ready dict (see the module docstring),
    with the LOCC lower bounds (``locc_lower`` of an explicit protocol with ``locc_rounds``
    Fortescue-Lo rounds, default analytics.locc.DEFAULT_ROUNDS; ``locc_sup_lower``).
    ``bound``: the SEP lower bound to report (a :class:`analytics.plane.SepLowerBound`;
    default :func:`analytics.lower.sep_lower_bound` with method ``tree``)."""
    from analytics.locc import DEFAULT_ROUNDS

    from .brackets import locc_lower, locc_sup_lower
    k, e = kappa(state), eta(state)
    if bound is None:
        bound = sep_lower_bound(state, method="tree")
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
    report["sep_lower_method"] = bound.method
    report["sep_lower_time"] = bound.time
    st = state.exact()
    sup, sup_kind = locc_sup_lower(st)
    report["locc_sup_lower"] = float_lower(sup)
    report["locc_sup_lower_exact"] = _exact_str(sup)
    report["locc_sup_kind"] = sup_kind
    value, protocol, rounds = locc_lower(st, DEFAULT_ROUNDS if locc_rounds is None else locc_rounds)
    report["locc_lower"], report["locc_protocol"], report["locc_rounds"] = value, protocol, rounds
    return report


def add_brackets(report: dict) -> None:
    """``SEP in [sep_lower, sep_upper]``, ``LOCC in [locc_lower, locc_upper]``, the gap bounds
    and the widths (experiments/brackets.py), from the report's exact numbers. ``sep_upper`` is
    used only when its certificate proves a bound on SEP (all pairs, unit weights, exact)."""
    from .brackets import bracket_columns
    up = report.get("sep_upper_certified_exact")
    if up is not None and not report.get("sep_upper_is_sep", False):
        up = None
    low = report["sep_lower_exact"]
    br = bracket_columns(Fraction(report["kappa_exact"]), None if low is None else Fraction(low),
                         None if up is None else Fraction(up),
                         Fraction(report["locc_sup_lower_exact"]), report["locc_lower"])
    report.update(br)
    report["sep_upper"] = None if up is None else float_upper(Fraction(up))
    report["sep_upper_exact"] = up


def _num(report: dict, key: str, relation: str = "<=") -> str:
    """The exact value and a decimal rounded outward (``relation``: which way stays true)."""
    from analytics.claims import approx
    q = report[key + "_exact"]
    if len(q) > 40:  # a measurement tree's exact value can have hundreds of digits
        return f"{approx(Fraction(q), relation)}  (exact: a {len(q)}-character fraction, in --json)"
    return f"{q}  ({approx(Fraction(q), relation)})"


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
        pairs = ", ".join(f"p_{p} = {v}" if len(v) <= 40 else f"p_{p} ~ {float(Fraction(v)):.9f}"
                          for p, v in report["sep_lower_p_pairs_exact"].items())
        lines.append(f"SEP lower   {_num(report, 'sep_lower', '>=')}   instrument "
                     f"'{report['sep_lower_kind']}', checked: {pairs}")
        lines.append(f"gap         {_num(report, 'gap_lower', '>=')}   sep_lower - locc_upper, "
                     "a lower bound on SEP_opt - LOCC_sup")
    return "\n".join(lines)


def format_brackets(report: dict) -> str:
    """The brackets as text, decimals rounded outward."""
    from analytics.claims import decimal_down, decimal_up

    def dn(key):
        q = report.get(f"{key}_exact")
        if q is not None:
            return decimal_down(Fraction(q))
        return "n/a" if report.get(key) is None else decimal_down(Fraction(report[key]))

    def up(key):
        q = report.get(f"{key}_exact")
        if q is not None:
            return decimal_up(Fraction(q))
        return "n/a" if report.get(key) is None else decimal_up(Fraction(report[key]))
    lu_kind = "kappa" if report["locc_upper_kind"] == "kappa" else "the certified PPT bound"
    lines = [
        f"SEP  in    [{dn('sep_lower')}, {up('sep_upper')}]   width {up('sep_width')}",
        f"LOCC in    [{dn('locc_lower')}, {up('locc_upper')}]   width {up('locc_width')}; "
        f"locc_upper = min(kappa, certified PPT) = {lu_kind}; locc_lower: {report['locc_protocol']}",
        f"LOCC_sup   >= {dn('locc_sup_lower')}   ({report['locc_sup_kind']})",
        f"gap        SEP_opt - LOCC_sup in [{dn('gap_lower')}, {up('gap_upper')}]"
        + ("   (a certified SEP-LOCC gap)" if report["gap_lower"] is not None
           and report["gap_lower"] > 0 else ""),
    ]
    return "\n".join(lines)


def sdp_report(state: WClassState, args) -> dict:
    """The upper bound for ``state`` as JSON-ready keys (``sep_upper*``), by the one path
    :func:`sdp.sep_upper_bound` (solve, certify, fall back, keep the best, cap)."""
    from sdp import sep_upper_bound

    certify = not args.no_certify
    res = sep_upper_bound(state, pairs=args.pairs,
                          objective="fidelity" if args.fidelity else "exact",
                          solver=args.solver, solver_options=parse_solver_options(args.solver_option),
                          certify=certify, shortcut=not args.no_shortcut)
    up = res.certified
    rep = {
        # a certified bound (rounded up) or null: the solver's number lives under _numerical
        "sep_upper": float_upper(up) if up is not None else None,
        "sep_upper_kind": res.kind,
        "sep_upper_method": res.method,
        "sep_upper_status": res.status,
        "sep_upper_numerical": res.value if res.method != "trivial" or res.solver != "none" else None,
        "sep_upper_certified": float_upper(up) if up is not None else None,
        "sep_upper_certified_exact": _exact_str(up),
        "sep_upper_objective": res.objective,
        "sep_upper_pairs": ",".join(res.pairs),
        "sep_upper_solver": res.solver,
        "sep_upper_solver_version": res.solver_version,
        "sep_upper_solve_time": res.solve_time,
        "sep_upper_iterations": res.iterations,
        "sep_upper_attempts": res.attempts,
        "sep_upper_p_pairs": res.p_pairs or None,
        "sep_upper_certification_error": res.certification_error if certify else None,
        # what the certificate proves (a bound on SEP only for all pairs, unit weights, exact)
        "sep_upper_claim": None if up is None else _claim(res).exact(),
        "sep_upper_is_sep": bool(up is not None and _claim(res).is_sep),
    }
    if args.save_cert:
        if res.certificate is None:
            raise SepgapError(f"no certificate to save: {res.certification_error or res.status}")
        write_json_atomic(args.save_cert, res.certificate)
        rep["sep_upper_certificate_file"] = str(args.save_cert)
    return rep


def _claim(res):
    from analytics.claims import ppt_claim
    return ppt_claim(res.pairs, res.weights, res.certified, res.objective)


def write_json_atomic(path, obj) -> None:
    """Write JSON to ``path`` via a temporary file ``.<name>.XXXX.tmp`` in the same folder and
    ``os.replace``; every failure is one line naming ``path`` (never the temporary name).
    Temporary files of ``path`` left behind by a killed earlier write are removed first."""
    import glob

    if not str(path).strip():
        raise SepgapError("empty file name: give a file to write")
    path = Path(path)
    if path.is_dir():
        raise SepgapError(f"cannot write {path}: it is a directory (give a file name, e.g. "
                          f"{path / 'cert.json'})")
    if not path.parent.exists():
        raise SepgapError(f"cannot write {path}: folder {path.parent} does not exist")
    for stale in path.parent.glob(f".{glob.escape(path.name)}.*.tmp"):
        with contextlib.suppress(OSError):
            stale.unlink()
    tmp = None
    try:
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
        with os.fdopen(fd, "w") as fh:
            json.dump(obj, fh, indent=1)
            fh.write("\n")
        os.replace(tmp, path)
    except OSError as exc:
        if tmp is not None and os.path.exists(tmp):
            os.unlink(tmp)
        raise SepgapError(f"cannot write {path}: {exc.strerror or type(exc).__name__}") from None
    except BaseException:
        if tmp is not None and os.path.exists(tmp):
            os.unlink(tmp)
        raise


def format_sdp(rep: dict, report: dict) -> str:
    kind = rep["sep_upper_kind"]
    label = "PPT upper" + (" (fidelity objective)" if rep["sep_upper_objective"] == "fidelity" else "")
    pairs = "" if rep["sep_upper_pairs"] == "AB,AC,BC" else f" [pairs {rep['sep_upper_pairs']}]"
    if kind == "certified":
        from analytics.claims import ppt_claim
        pl = rep["sep_upper_pairs"].split(",")
        claim = ppt_claim(pl, (1,) * len(pl), Fraction(rep["sep_upper_certified_exact"]),
                          rep["sep_upper_objective"])
        how = ("exact trivial bound, no SDP needed" if rep["sep_upper_numerical"] is None else
               f"solver value {rep['sep_upper_numerical']:.12g} ({rep['sep_upper_solver']}, "
               f"{rep['sep_upper_status']})")
        line = f"{label:<11} {claim.text()}   certified (exact {claim.value}); {how}"
    else:
        val = rep["sep_upper_numerical"]
        line = (f"{label:<11} {'n/a' if val is None else format(val, '.12g')}   {kind.upper()}: "
                f"solver value, NOT a certified bound{pairs} ({rep['sep_upper_solver']}, "
                f"status {rep['sep_upper_status']})")
        if rep.get("sep_upper_certification_error"):
            line += f"; certification failed: {rep['sep_upper_certification_error']}"
    lines = [line]
    if (kind == "certified" and rep["sep_upper_objective"] == "exact" and pairs == ""
            and Fraction(rep["sep_upper_certified_exact"]) < Fraction(report["kappa_exact"])):
        lines.append("note        certified PPT bound < kappa: kappa is not the LOCC optimum here "
                     "(it is only an upper bound on LOCC for x0 > 0)")
    if "sep_upper_certificate_file" in rep:
        lines.append(f"certificate {rep['sep_upper_certificate_file']} (check: sepgap verify FILE)")
    return "\n".join(lines)


def run(args) -> int:
    # options that would silently do nothing, or overwrite one file with another: refuse first
    for flag, value in (("--save-cert", args.save_cert),
                        ("--save-lower-cert", args.save_lower_cert)):
        if value is not None and not value.strip():
            raise SepgapError(f"{flag}: empty file name")
        if value is not None and os.path.isdir(value):
            raise SepgapError(f"{flag} {value}: is a directory (give a file name)")
        if value is not None and not os.path.isdir(os.path.dirname(value) or "."):
            raise SepgapError(f"{flag} {value}: folder {os.path.dirname(value)} does not exist")
    if args.no_sdp and (args.save_cert or args.certify):
        raise SepgapError("--save-cert/--certify need the SDP bound, which --no-sdp skips")
    if (args.save_cert and args.save_lower_cert
            and os.path.realpath(args.save_cert) == os.path.realpath(args.save_lower_cert)):
        raise SepgapError("--save-cert and --save-lower-cert name the same file; give two files")
    if args.no_certify and (args.certify or args.save_cert):
        raise SepgapError("--no-certify contradicts --certify/--save-cert")
    state = state_from_args(args)
    lower = sep_lower_bound(state, method=args.lower, budget=args.lower_budget)
    report = analytic_report(state, args.locc_rounds, lower)
    if args.save_lower_cert:
        from analytics.certificates import gap_certificate_from, lower_certificate
        write_json_atomic(args.save_lower_cert, gap_certificate_from(lower_certificate(lower)))
        report["gap_certificate_file"] = str(args.save_lower_cert)
    sdp_rep = None
    if not args.no_sdp:
        sdp_rep = sdp_report(state, args)
        report.update(sdp_rep)
        if sdp_rep["sep_upper_kind"] != "certified":
            print(f"sepgap: WARNING: SDP bound is {sdp_rep['sep_upper_kind']} "
                  f"(status {sdp_rep['sep_upper_status']}); it is not a certified bound",
                  file=sys.stderr)
    add_brackets(report)
    if args.json:
        print(json.dumps(report, indent=2))
    else:
        text = format_report(report)
        if sdp_rep is not None:
            text += "\n" + format_sdp(sdp_rep, report)
        text += "\n" + format_brackets(report)
        if "gap_certificate_file" in report:
            text += f"\ngap cert.   {report['gap_certificate_file']} (check: sepgap verify FILE)"
        print(text)
    return 0


def register(subparsers) -> None:
    p = subparsers.add_parser(
        "bound", help="kappa, eta and the explicit SEP lower bound for one W-class state",
        description="Analytic numbers for one W-class state: kappa, eta, the explicit checked "
                    "SEP lower bound and the gap. Numbers are exact: 1/2, 0.25, 2.5e-1.")
    add_state_arguments(p)
    p.add_argument("--json", action="store_true", help="print one JSON object instead of text")
    add_lower_arguments(p)
    p.add_argument("--locc-rounds", type=int, default=None, metavar="R",
                   help="Fortescue-Lo rounds of the explicit LOCC protocol in locc_lower "
                        "(default 1000)")
    g = p.add_argument_group("SDP upper bound (PPT relaxation)")
    g.add_argument("--no-sdp", action="store_true", help="skip the SDP bound (default: solve it)")
    add_solver_arguments(g)
    g.add_argument("--no-shortcut", action="store_true",
                   help="solve the PPT relaxation even where the explicit SEP instrument reaches "
                        "1 (default: use the exact trivial bound 1 there)")
    g.add_argument("--fidelity", action="store_true",
                   help="fidelity-weighted objective instead of exact conversion "
                        "(a different, looser quantity; default: exact)")
    g.add_argument("--pairs", default="AB,AC,BC",
                   help="target pairs counted, comma-separated subset of AB,AC,BC (default all)")
    g.add_argument("--certify", action="store_true",
                   help="build and verify an exact dual certificate (the default; kept for scripts)")
    g.add_argument("--no-certify", action="store_true",
                   help="report the solver's number only (labelled: not a bound)")
    g.add_argument("--save-cert", metavar="FILE",
                   help="write the PPT certificate to FILE")
    g.add_argument("--save-lower-cert", metavar="FILE",
                   help="write the certificate of the explicit SEP lower bound and the gap "
                        "(sep_lower - kappa) to FILE")
    p.set_defaults(func=run)
