"""``sepgap bound XA XB XC [--x0 X0] [--json]``: analytic numbers for one W-class state.

Prints :math:`\\kappa` (Eq. 4; an upper bound on LOCC by Theorem 1, the LOCC supremum for
:math:`x_0 = 0` by Theorem 2), :math:`\\eta` (Eq. 3), the explicit, checked separable lower bound
(:func:`analytics.lower.sep_lower_bound` with ``--lower auto|tree|lp`` and
``--lower-budget SECONDS``) and ``gap_lower = sep_lower - kappa``, a lower bound on
:math:`\\mathrm{SEP}_{opt} - \\mathrm{LOCC}_{sup}`.

Numbers are parsed exactly (``1/2``, ``0.25``, ``2.5e-1``), so everything is exact.

JSON keys (``--json``; one object): exactly ``experiments.bracket(state, ...).to_dict()``
(:class:`experiments.brackets.Bracket`: one derivation for this command, sweep rows and
``sepgap verify``); floats that are bounds are rounded outward
(:data:`experiments.brackets.DIRECTIONS`), exact values are strings under ``<key>_exact``.
``--save-cert``/``--save-lower-cert`` add ``sep_upper_certificate_file``,
``gap_certificate_file`` or ``lower_certificate_file`` (and its ``_claim``).
"""
from __future__ import annotations

import json
import os
import sys
from fractions import Fraction
from pathlib import Path

from analytics.claims import approx, decimal_down, decimal_up, exact_text, ppt_claim
from analytics.errors import SepgapError
from analytics.locc import DEFAULT_ROUNDS
from analytics.states import WClassState
from experiments.export import check_instrument_path, save_instrument
from experiments.cli_args import (add_lower_arguments, add_solver_arguments,  # noqa: F401
                                  add_state_arguments, integer_arg, parse_solver_options,
                                  short_path, state_from_args)
from experiments.cmd_bound_general import (add_amplitude_arguments, format_routed, general_input,
                                           routed_keys, run_general)
from experiments.families import frac_short
from experiments.saved import atomic_write

from .brackets import bracket

#: Keys holding numbers: floats under the key, exact strings under ``<key>_exact``.
NUMBER_KEYS = ("x0", "xA", "xB", "xC", "kappa", "eta", "sep_lower", "gap_lower")
#: The bracket keys (experiments/brackets.py), with ``_exact`` strings where exact.
BRACKET_KEYS = ("sep_lower", "sep_upper", "locc_lower", "locc_upper", "locc_sup_lower",
                "gap_lower", "gap_upper", "sep_width", "locc_width")


def _exact_str(v) -> str | None:
    return None if v is None else str(Fraction(v))


def _float(v) -> float | None:
    return None if v is None else float(v)


def analytic_report(state: WClassState, locc_rounds: int | None = None, lower: str = "tree",
                    lower_budget: float | None = None) -> dict:
    """Every number of ``state`` without the SDP (``bracket(state, sdp=False).to_dict()``);
    ``lower``: the SEP lower-bound method (default the tree: no LP budget spent)."""
    return bracket(state, sdp=False, lower=lower, lower_budget=lower_budget,
                   locc_rounds=DEFAULT_ROUNDS if locc_rounds is None else locc_rounds).to_dict()


def _num(report: dict, key: str, relation: str = "<=") -> str:
    """The exact value and a decimal rounded outward (``relation``: which way stays true)."""
    q = report[key + "_exact"]
    if len(q) > 40:  # a measurement tree's exact value can have hundreds of digits
        return f"{approx(Fraction(q), relation)}  (exact: a {len(q)}-character fraction, in --json)"
    return f"{q}  ({approx(Fraction(q), relation)})"


def format_report(report: dict) -> str:
    """Human-readable text of :func:`analytic_report`'s dict."""
    lines = [
        "state       " + ", ".join(f"{k} = {frac_short(Fraction(report[k + '_exact']), 40)}"
                                   for k in ("x0", "xA", "xB", "xC")),
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
    lu_kind = {"kappa": "kappa", "monotone:cut": "the cut monotone",
               "ppt": "the certified PPT bound"}[report["locc_upper_kind"]]
    lines = [
        f"SEP  in    [{dn('sep_lower')}, {up('sep_upper')}]   width {up('sep_width')}",
        f"LOCC in    [{dn('locc_lower')}, {up('locc_upper')}]   width {up('locc_width')}; "
        f"locc_upper = min(kappa, cut monotone, certified PPT) = {lu_kind}; locc_lower: {report['locc_protocol']}",
        f"LOCC_sup   >= {dn('locc_sup_lower')}   ({report['locc_sup_kind']})",
        f"gap        SEP_opt - LOCC_sup in [{dn('gap_lower')}, {up('gap_upper')}]"
        + ("   (a certified SEP-LOCC gap)" if report["gap_lower"] is not None
           and report["gap_lower"] > 0 else ""),
    ]
    return "\n".join(lines)


def write_json_atomic(path, obj) -> None:
    """Write JSON to ``path`` via a temporary file ``.<name>.XXXX.tmp`` in the same folder and
    ``os.replace``; every failure is one line naming ``path`` (never the temporary name).
    Temporary files of ``path`` left behind by a killed earlier write are removed first."""
    import contextlib
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
    text = json.dumps(obj, indent=1) + "\n"
    try:  # temporary file, fsync, os.replace; permissions from the umask (not mkstemp's 0600)
        atomic_write(path, lambda fh: fh.write(text))
    except OSError as exc:
        raise SepgapError(f"cannot write {short_path(path)}: "
                          f"{exc.strerror or type(exc).__name__}") from None


def format_sdp(rep: dict, report: dict) -> str:
    kind = rep["sep_upper_kind"]
    label = "PPT upper" + (" (fidelity objective)" if rep["sep_upper_objective"] == "fidelity" else "")
    pairs = "" if rep["sep_upper_pairs"] == "AB,AC,BC" else f" [pairs {rep['sep_upper_pairs']}]"
    if kind == "certified":
        pl = rep["sep_upper_pairs"].split(",")
        claim = ppt_claim(pl, (1,) * len(pl), Fraction(rep["sep_upper_certified_exact"]),
                          rep["sep_upper_objective"])
        if rep["sep_upper_method"] == "product":
            label = "SEP upper"
        how = ("a product state: separable operations keep it separable (no SDP; certificate "
               "kind sep_upper_product)" if rep["sep_upper_method"] == "product" else
               "exact trivial bound, no SDP needed" if rep["sep_upper_numerical"] is None else
               f"solver value {rep['sep_upper_numerical']:.12g} ({rep['sep_upper_solver']}, "
               f"{rep['sep_upper_status']})")
        line = f"{label:<11} {claim.text()}   certified (exact {exact_text(claim.value)}); {how}"
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
    saves = (("--save-cert", args.save_cert), ("--save-lower-cert", args.save_lower_cert),
             ("--save-locc-cert", args.save_locc_cert))
    for flag, value in saves:
        if value is not None and not value.strip():
            raise SepgapError(f"{flag}: empty file name")
        if value is not None and os.path.isdir(value):
            raise SepgapError(f"{flag} {value}: is a directory (give a file name)")
        if value is not None and not os.path.isdir(os.path.dirname(value) or "."):
            raise SepgapError(f"{flag} {short_path(value)}: folder "
                              f"{short_path(os.path.dirname(value))} does not exist")
        if value is not None and os.path.lexists(value) and not args.force:
            raise SepgapError(f"{flag} {short_path(value)}: the file exists; add --force to "
                              "replace it")
    if args.no_sdp and (args.save_cert or args.certify):
        raise SepgapError("--save-cert/--certify need the SDP bound, which --no-sdp skips")
    if (args.save_cert and args.save_lower_cert
            and os.path.realpath(args.save_cert) == os.path.realpath(args.save_lower_cert)):
        raise SepgapError("--save-cert and --save-lower-cert name the same file; give two files")
    named = [(f, os.path.realpath(v)) for f, v in saves if v]
    for i, (f1, p1) in enumerate(named):
        for f2, p2 in named[i + 1:]:
            if p1 == p2:
                raise SepgapError(f"{f1} and {f2} name the same file; give two files")
    if args.no_certify and (args.certify or args.save_cert):
        raise SepgapError("--no-certify contradicts --certify/--save-cert")
    if args.save_instrument is not None:
        check_instrument_path(args.save_instrument)
    amp_state, state = general_input(args)
    if amp_state is not None and state is None:
        if args.save_instrument is not None:
            raise SepgapError("--save-instrument: only for W-class states (the explicit SEP "
                              "instruments are built for them); this state is not W-class")
        return run_general(amp_state, args, write_json_atomic)
    if args.save_locc_cert:
        raise SepgapError("--save-locc-cert: for states beyond the W-class (given by --amplitudes "
                          "or --state-file); for W-class states `sepgap locc --json` prints the "
                          "LOCC tree certificate")
    b = bracket(state, certify=not args.no_certify, sdp=not args.no_sdp,
                locc_rounds=DEFAULT_ROUNDS if args.locc_rounds is None else args.locc_rounds,
                pairs=args.pairs, objective="fidelity" if args.fidelity else "exact",
                solver=args.solver, solver_options=parse_solver_options(args.solver_option),
                shortcut=not args.no_shortcut, lower=args.lower, lower_budget=args.lower_budget)
    report = b.to_dict()  # the JSON is the Bracket, key for key (experiments.brackets)
    if amp_state is not None:  # a W-class state given by amplitudes: how it was routed
        report.update(routed_keys(amp_state, state))
    extra = []
    if args.save_instrument is not None:
        report["instrument_file"] = save_instrument(b, args.save_instrument)
        extra.append(f"instrument  {report['instrument_file']} (product Kraus operators of the "
                     f"SEP lower bound)")
    if args.save_lower_cert:
        extra.append(_save_lower(b, args.save_lower_cert, report))
    if args.save_cert:
        if b.upper_certificate is None:
            raise SepgapError(f"no certificate to save: {b.sep_upper_certification_error or b.sep_upper_status}")
        write_json_atomic(args.save_cert, b.upper_certificate)
        report["sep_upper_certificate_file"] = str(args.save_cert)
    if not args.no_sdp and b.sep_upper_kind != "certified":
        print(f"sepgap: WARNING: SDP bound is {b.sep_upper_kind} "
              f"(status {b.sep_upper_status}); it is not a certified bound", file=sys.stderr)
    if args.json:
        print(json.dumps(report, indent=2))
    else:
        text = format_report(report)
        if amp_state is not None:
            text = format_routed(report) + "\n" + text
        if not args.no_sdp:
            text += "\n" + format_sdp(report, report)
        text += "\n" + format_brackets(report)
        text += "".join("\n" + ln for ln in extra)
        print(text)
    return 0


def _save_lower(b, path, report: dict) -> str:
    """Write the gap certificate when the printed ``gap_lower`` is a positive gap (then the
    certificate's claim ``SEP - LOCC_sup >= gap`` is exactly that number), else the lower-bound
    certificate ``SEP >= sep_lower``: a gap claim <= 0 is vacuous and never written. Returns
    the printed line, which states the certificate's claim."""
    from analytics.certificates import verify_analytic
    cert = b.gap_certificate()
    key = "gap_certificate_file"
    if cert is None:
        cert, key = b.lower_certificate(), "lower_certificate_file"
        if cert is None:
            raise SepgapError(f"--save-lower-cert: no explicit SEP instrument applies: {b.sep_lower_note}")
    res = verify_analytic(cert)
    if not res.valid:  # pragma: no cover - a certificate sepgap wrote always verifies
        raise SepgapError(f"--save-lower-cert: the certificate does not verify: {res.reason}")
    write_json_atomic(path, cert)
    report[key] = str(path)
    report[key.replace("_file", "_claim")] = res.claim.exact()
    what = ("gap cert." if key.startswith("gap") else "lower cert.")
    why = "" if key.startswith("gap") else " (no gap certificate: gap_lower is not positive)"
    return f"{what:<11} {path}: {res.claim.text()}{why} (check: sepgap verify FILE)"


def register(subparsers) -> None:
    p = subparsers.add_parser(
        "bound", help="one state: kappa, SEP lower and certified PPT upper bounds, the SEP, "
                      "LOCC and gap brackets",
        description="Bounds for one state, given by its W-class weights XA XB XC [--x0] or as any "
                    "three-qubit pure state (--amplitudes, --state-file): kappa and eta "
                    "(analytic), the explicit checked SEP lower bound, the certified PPT upper "
                    "bound (an SDP with an exact dual certificate; --no-sdp skips it), the LOCC "
                    "lower bounds, and the brackets SEP in [sep_lower, sep_upper], LOCC in "
                    "[locc_lower, locc_upper], SEP_opt - LOCC_sup in [gap_lower, gap_upper]. "
                    "Numbers are exact: 1/2, 0.25, 2.5e-1.")
    add_state_arguments(p, optional=True)
    add_amplitude_arguments(p)
    p.add_argument("--json", action="store_true", help="print one JSON object instead of text")
    add_lower_arguments(p)
    p.add_argument("--locc-rounds", type=integer_arg, default=None, metavar="R",
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
                   help="write the PPT certificate to FILE (an existing FILE is refused "
                        "unless --force)")
    p.add_argument("--force", action="store_true",
                   help="let --save-cert/--save-lower-cert replace an existing file")
    g.add_argument("--save-lower-cert", metavar="FILE",
                   help="write the certificate of the explicit SEP lower bound and the gap "
                        "(sep_lower - kappa) to FILE")
    p.add_argument("--save-locc-cert", metavar="FILE",
                   help="states beyond the W-class: write the certificate of the LOCC protocol "
                        "of locc_lower (kind locc_lower_bound_general) to FILE")
    p.add_argument("--save-instrument", metavar="FILE",
                   help="write the separable instrument of the SEP lower bound as product Kraus "
                        "operators with outcome labels: FILE.npz (numpy) or FILE.mat (MATLAB)")
    p.set_defaults(func=run, parser=p)
