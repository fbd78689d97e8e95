"""``sepgap robustness``: how robust is the paper's 12.5% SEP-LOCC gap to a vacuum admixture?

States ``sqrt(x0)|000> + sqrt(1 - x0) psi_s`` (default s = 1/2), x0 log-spaced; for each, the full
brackets (experiments/brackets.py): SEP in [sep_lower, sep_upper] (measurement-tree instrument,
certified PPT bound), LOCC in [locc_lower, locc_upper], and SEP_opt - LOCC_sup in
[gap_lower, gap_upper]. ``--grid`` sweeps s too and adds the (s, x0) heat map of gap_lower.
Writes ``robustness.csv/json/png/pdf`` (and ``robustness-grid.png/pdf``), certificates and the
resume file like ``fig1``; prints the summary, where the certified gap ends, where the certified
PPT bound falls below kappa (between the two the gap is open only because kappa is the LOCC
upper bound), and the fit ``sep_lower ~ 1 - c sqrt(x0)`` near the plane. The SEP lower bound is
chosen by ``--lower`` (default ``auto``: the better of the measurement tree and the LP instrument,
formulation.md section 8) within ``--lower-budget`` seconds per state.
"""
from __future__ import annotations

import math
from fractions import Fraction

from .cli_args import integer_arg
from .cmd_sweep import (_command, add_run_options, latex_target, report, run_options,
                        write_latex_table)
from .families import ROBUSTNESS_DEFAULTS, frac_short, frac_str, linspace_exact, as_fraction, robustness_family
from .sweep import run_sweep


def gap_end(rows) -> str:
    """Where the certified gap (gap_lower > 0) ends along x0, for one s."""
    rows = sorted(rows, key=lambda r: Fraction(r["x0_exact"]))
    pos = [i for i, r in enumerate(rows) if r.get("gap_lower") is not None and r["gap_lower"] > 0]
    if not pos:
        return "no certified gap at any x0 of the grid"
    i = pos[-1]
    if i + 1 == len(rows):
        return f"certified gap at every x0 of the grid (up to {frac_short(rows[i]['x0_exact'])})"
    return (f"the certified gap ends between x0 = {frac_short(rows[i]['x0_exact'])} "
            f"(gap >= {rows[i]['gap_lower']:.4f}) and x0 = {frac_short(rows[i + 1]['x0_exact'])}")


def ppt_crossing(rows) -> str:
    """Where the certified PPT bound falls below kappa along x0 (``kappa_exceeds_sep_upper``):
    beyond it no SEP lower bound can certify a gap against kappa, only a better LOCC upper
    bound could."""
    rows = sorted((r for r in rows if r.get("kappa_exceeds_sep_upper") is not None),
                  key=lambda r: Fraction(r["x0_exact"]))
    below = [i for i, r in enumerate(rows) if r["kappa_exceeds_sep_upper"]]
    if not rows:
        return "no certified PPT bound on the grid"
    if not below:
        return f"the certified PPT bound stays >= kappa up to x0 = {rows[-1]['x0_exact']}"
    i = below[0]
    if i == 0:
        return f"the certified PPT bound is below kappa already at x0 = {rows[0]['x0_exact']}"
    return (f"the certified PPT bound falls below kappa between x0 = {rows[i - 1]['x0_exact']} "
            f"and x0 = {rows[i]['x0_exact']} (no SEP lower bound can certify a gap against kappa "
            f"beyond it)")


#: Smallest deficit ``limit - sep_lower`` used by the fit: the tree search runs in floats, so a
#: deficit near 1e-16 is search noise, not the sqrt(x0) law (below x0 ~ 1e-30 every point is).
FIT_MIN_DEFICIT = Fraction(1, 10 ** 12)
#: Largest x0 used by the fit ("near the plane").
FIT_MAX_X0 = Fraction(1, 1000)


def _ratio_over_sqrt(d: Fraction, x0: Fraction) -> float:
    """``d / sqrt(x0)`` as a float for exact ``d, x0 > 0`` of any magnitude (logs of the
    integers: ``float(x0)`` underflows below 1e-308)."""
    log = (math.log(d.numerator) - math.log(d.denominator)
           - (math.log(x0.numerator) - math.log(x0.denominator)) / 2)
    return math.exp(log)


def sqrt_fit(rows, limit: Fraction) -> str:
    """``c`` in ``sep_lower ~ limit - c sqrt(x0)`` near the plane (a description, not a bound).

    Least squares through the origin in the exact values: ``c = sum x0 c_i / sum x0`` with
    ``c_i = (limit - sep_lower_i) / sqrt(x0_i)``, over the points with ``x0 <= 1e-3`` whose
    deficit is at least :data:`FIT_MIN_DEFICIT` (smaller ones are float-search noise). Fewer
    than 2 such points: a sentence saying so."""
    limit = Fraction(limit)
    pts = []
    for r in rows:
        if r.get("sep_lower_exact") is None or r.get("x0_exact") is None:
            continue
        x0, d = Fraction(r["x0_exact"]), limit - Fraction(r["sep_lower_exact"])
        if 0 < x0 <= FIT_MAX_X0 and d >= FIT_MIN_DEFICIT:
            pts.append((x0, _ratio_over_sqrt(d, x0)))
    if len(pts) < 2:
        return (f"no sqrt(x0) fit: fewer than 2 points with x0 <= 1e-3 and limit - sep_lower "
                f">= 1e-12 (smaller deficits are below the float search's resolution)")
    top = max(x for x, _ in pts)
    w = [float(x / top) for x, _ in pts]
    c = math.fsum(wi * ci for wi, (_, ci) in zip(w, pts)) / math.fsum(w)
    c_up = []
    for r in rows:
        if r.get("sep_upper") is None or r.get("x0_exact") is None:
            continue
        x0 = Fraction(r["x0_exact"])
        up = Fraction(r.get("sep_upper_exact") or r["sep_upper"])
        if 0 < x0 <= FIT_MAX_X0:
            c_up.append(0.0 if up >= limit else _ratio_over_sqrt(limit - up, x0))
    tail = (f"; certified upper bound: {min(c_up):.3f} <= (limit - sep_upper)/sqrt(x0) <= "
            f"{max(c_up):.3f}" if c_up else "")
    return (f"near the plane sep_lower ~ {float(limit):g} - {c:.3f} sqrt(x0) (fit over "
            f"{len(pts)} points with x0 <= 1e-3, deficit >= 1e-12){tail}")


def run(args) -> int:
    s_values = None
    if args.grid:
        lo, hi = as_fraction(args.smin, "--smin"), as_fraction(args.smax, "--smax")
        s_values = linspace_exact(lo, hi, args.s_points, ("--smin", "--smax", "--s-points"))
        main = as_fraction(args.s, "--s")
        if main not in s_values:
            s_values = sorted(set(s_values) | {main})
    family = robustness_family(args.s, args.x0min, args.x0max, args.points, s_values)
    family.config["main_s"] = frac_str(as_fraction(args.s, "--s"))
    out = args.out
    latex = latex_target(args, out, "robustness")
    result = run_sweep(family, out, name="robustness", command=_command(args, ["robustness"]),
                       **run_options(args))
    status = report(result, args.strict)
    write_latex_table(args, result, latex)
    main_s = family.config["main_s"]
    line = [r for r in result.rows if r["s_exact"] == main_s]
    print(f"s = {main_s}: {gap_end(line)}")
    print(f"s = {main_s}: {ppt_crossing(line)}")
    kinds = sorted({r.get("sep_lower_kind") for r in line if r.get("sep_lower_kind")})
    print(f"s = {main_s}: SEP lower bounds by --lower {args.lower} (budget {args.lower_budget:g} s): "
          f"{', '.join(kinds)}")
    plane = Fraction(main_s)
    limit = Fraction(1) if plane <= Fraction(1, 2) else 2 * (1 - plane)
    fit = sqrt_fit(line, limit)
    if fit:
        print(f"s = {main_s}: {fit}")
    return status


def register(subparsers) -> None:
    d = ROBUSTNESS_DEFAULTS
    p = subparsers.add_parser(
        "robustness", help="the SEP-LOCC gap of psi_s mixed with vacuum (brackets against x0)",
        description="Brackets on SEP, LOCC and SEP - LOCC for sqrt(x0)|000> + sqrt(1 - x0) psi_s, "
                    "x0 log-spaced; --grid adds the (s, x0) plane. Numbers are read exactly.")
    p.add_argument("--s", default=frac_str(d["s"]), metavar="S", help="s of psi_s (default 1/2)")
    p.add_argument("--x0min", default="1e-4", metavar="X", help="smallest x0 (default 1e-4)")
    p.add_argument("--x0max", default=frac_str(d["x0max"]), metavar="X",
                   help="largest x0 (default 1/10)")
    p.add_argument("--points", type=integer_arg, default=d["points"], metavar="N",
                   help=f"x0 values, log-spaced (default {d['points']})")
    p.add_argument("--grid", action="store_true",
                   help="also sweep s (--smin, --smax, --s-points) and draw the (s, x0) heat map")
    p.add_argument("--smin", default=frac_str(d["smin"]), metavar="S", help="grid: smallest s (1/3)")
    p.add_argument("--smax", default=frac_str(d["smax"]), metavar="S", help="grid: largest s (9/10)")
    p.add_argument("--s-points", type=integer_arg, default=d["s_points"], metavar="N",
                   help=f"grid: number of s values (default {d['s_points']})")
    add_run_options(p, "results/robustness")
    p.set_defaults(func=run)
