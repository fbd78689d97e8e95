"""``sepgap sweep FAMILY [options] --out DIR``: certified bounds over a family of W-class states.

Families (:mod:`experiments.families`):

* ``psi [--smin S] [--smax S] [--points N]``: the paper's psi_s (default 1/3 .. 1/2, 101 points).
* ``simplex [--steps M]``: every x0 = 0 state x = (i, j, k)/M (default M = 8); a ternary heat map
  of the certified gap; the summary names the maximum and where it is.
* ``vacuum [--x0min X] [--x0max X] [--points N]``: sqrt(x0)|000> plus equal weights
  xA = xB = xC = (1 - x0)/3 (default x0 = 0 .. 1, 11 points).
* ``tetra [--steps M]``: every W-class state (x0, xA, xB, xC) of multiples of 1/M (default 4),
  orbit by orbit under party permutations; ternary maps at several x0 slices and an overview.
* ``grid [--steps M] [--x0 LIST] [--sorted]``: every (x0, xA, xB, xC) of multiples of 1/M summing
  to 1 (default M = 4); ``--x0 0,1/10,1/4`` instead takes, for each listed x0, the states
  (1 - x0)(i, j, k)/M; ``--sorted`` keeps only xA >= xB >= xC.

Every family writes ``DIR/<family>.csv``, ``.json``, ``.png``, ``.pdf``, ``certificates/`` and the
partial file ``<family>.partial.jsonl`` (see :mod:`experiments.sweep`); one summary line goes to
stdout. Column meanings: docs/experiments.md.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from analytics.separable_lp import DEFAULT_BUDGET
from analytics.states import parse_number

from .cli_args import (accept_negative_numbers, add_lower_arguments, add_solver_arguments,
                       integer_arg, parse_solver_options, seconds_arg)
from .evaluate import LOCC_DEFAULT_ROUNDS
from .export import latex_path, write_latex
from .families import (FamilyError, grid_family, psi_family, simplex_family, tetra_family,
                       vacuum_family)
from .general_sweep import FAMILIES as GENERAL_FAMILIES
from .general_sweep import (GRID_AXES, GRID_FAMILY, MAX_GRID_POINTS, STATES_FAMILY,
                            run_general_sweep, summary_line)
from .sweep import SweepError, run_sweep

FAMILY_HELP = {
    "psi": "the paper's psi_s = sqrt(s)|100> + sqrt((1-s)/2)(|010> + |001>)",
    "simplex": "all x0 = 0 states x = (i, j, k)/M: ternary heat map of the certified gap",
    "vacuum": "sqrt(x0)|000> + sqrt((1-x0)/3)(|100> + |010> + |001>), x0 from 0 to 1",
    "grid": "general grid over (x0, xA, xB, xC) in multiples of 1/M",
    "tetra": "every W-class state (x0, xA, xB, xC) in multiples of 1/M: ternary maps at x0 slices",
}


def add_run_options(p: argparse.ArgumentParser, default_out: str) -> None:
    """Options shared by ``sepgap fig1`` and every ``sepgap sweep`` family."""
    accept_negative_numbers(p)
    p.add_argument("--out", default=default_out, metavar="DIR",
                   help=f"output directory, created if needed (default: {default_out})")
    p.add_argument("--workers", type=integer_arg, default=1, metavar="K",
                   help="worker processes (default 1); results do not depend on K")
    saved = p.add_mutually_exclusive_group()
    saved.add_argument("--resume", action="store_true",
                       help="keep the points already saved in DIR (same configuration; every "
                            "saved line is re-verified) and compute only the missing ones")
    saved.add_argument("--fresh", action="store_true",
                       help="discard the results saved in DIR under this name and start over "
                            "(without --resume or --fresh, a DIR holding saved results is "
                            "refused and nothing is deleted)")
    p.add_argument("--sibling-if-taken", action="store_true",
                   help="if DIR holds results of another configuration (or another run is "
                        "writing there, or DIR is a file), leave it alone and write into DIR-2 "
                        "(or DIR-3, ...) instead (make reproduce uses this)")
    p.add_argument("--quiet", action="store_true",
                   help="no progress bar (there is none anyway unless on a terminal)")
    add_solver_arguments(p)
    if LOCC_DEFAULT_ROUNDS is not None:
        p.add_argument("--locc-rounds", type=integer_arg, default=LOCC_DEFAULT_ROUNDS,
                       metavar="R",
                       help="Fortescue-Lo rounds of the Theorem 2 LOCC protocol in the "
                            f"locc_lower column (default {LOCC_DEFAULT_ROUNDS})")
        p.add_argument("--no-locc", action="store_true", help="leave the LOCC columns empty")
    p.add_argument("--no-shortcut", action="store_true",
                   help="solve the PPT relaxation at every point (default: where the explicit "
                        "SEP instrument reaches 1, the exact trivial bound SEP <= 1 is used)")
    p.add_argument("--strict", action="store_true",
                   help="exit status 1 if any point has no certified SEP upper bound")
    p.add_argument("--latex", nargs="?", const="", default=None, metavar="FILE",
                   help="also write a booktabs LaTeX table (state, kappa, SEP and LOCC brackets, "
                        "gap; exact fractions where short, decimals rounded outward) to FILE "
                        "(default DIR/<name>.tex)")
    add_lower_arguments(p)
    add_scheduler_option(p)


def latex_target(args, out, name: str):
    """Where ``--latex`` writes (None without it); bad names are refused before any work."""
    return latex_path(getattr(args, "latex", None), out, name)


def write_latex_table(args, result, target) -> None:
    """Write the sweep's rows as a LaTeX table (:func:`experiments.export.latex_table`)."""
    if target is None:
        return
    if args.latex == "":  # the bare flag: next to the other outputs (DIR-2 with --sibling-if-taken)
        target = Path(result.paths.get("dir", target.parent)) / f"{result.name}.tex"
    write_latex(target, result.rows)
    print(f"sepgap: LaTeX table written to {target}", file=sys.stderr)


def add_scheduler_option(p: argparse.ArgumentParser) -> None:
    """``--scheduler``: run the chunks on Dask (optional extra, imported only when used)."""
    p.add_argument("--scheduler", default=None, metavar="ADDRESS",
                   help="run the chunks on a Dask cluster: a scheduler address "
                        "(tcp://host:8786) or local:K for a LocalCluster of K single-threaded "
                        "workers; needs pip install 'sepgap[dask]'. Results do not depend on it")


def run_options(args) -> dict:
    locc = getattr(args, "locc_rounds", None)
    if getattr(args, "no_locc", False):
        locc = None
    return {"workers": args.workers, "resume": args.resume, "fresh": args.fresh,
            "sibling": args.sibling_if_taken, "quiet": args.quiet,
            "solver": args.solver, "solver_options": parse_solver_options(args.solver_option),
            "locc_rounds": locc, "shortcut": not args.no_shortcut,
            "lower": args.lower, "lower_budget": args.lower_budget,
            **({"scheduler": args.scheduler} if getattr(args, "scheduler", None) else {})}


def report(result, strict: bool) -> int:
    """Print the summary line; a loud warning on stderr if some bound is not certified."""
    print(result.line, flush=True)
    status = 0
    if result.paths.get("figure_error"):
        print(f"sepgap: error: {result.paths['figure_error']}", file=sys.stderr)
        status = 1
    unc = result.summary["uncertified"]
    if unc:
        print(f"sepgap: WARNING: {len(unc)} of {result.summary['points']} points have NO "
              f"certified SEP upper bound (their sep_upper is a solver value): "
              f"{', '.join(unc[:10])}{' ...' if len(unc) > 10 else ''}", file=sys.stderr)
        if strict:
            return 1
    return status


#: (flag, attribute) of the options every run command records in its provenance.
_RUN_FLAGS = (("--out", "out"), ("--workers", "workers"), ("--solver", "solver"),
              ("--locc-rounds", "locc_rounds"), ("--scheduler", "scheduler"),
              ("--lower", "lower"), ("--lower-budget", "lower_budget"))
_FAMILY_FLAGS = {
    "fig1": (("--points", "points"), ("--smin", "smin"), ("--smax", "smax")),
    "robustness": (("--s", "s"), ("--x0min", "x0min"), ("--x0max", "x0max"), ("--points", "points"),
                   ("--smin", "smin"), ("--smax", "smax"), ("--s-points", "s_points")),
    "psi": (("--smin", "smin"), ("--smax", "smax"), ("--points", "points")),
    "simplex": (("--steps", "steps"),),
    "vacuum": (("--x0min", "x0min"), ("--x0max", "x0max"), ("--points", "points")),
    "grid": (("--steps", "steps"), ("--x0", "x0")),
    "tetra": (("--steps", "steps"),),
}


def _command(args, words: list, out: str | None = None, **values) -> str:
    """The effective command line (every option spelt out, defaults included), so the
    provenance says exactly how to repeat the run however it was started."""
    import shlex
    key = words[-1]
    parts = ["sepgap"] + words
    for flag, attr in _FAMILY_FLAGS.get(key, ()) + _RUN_FLAGS:
        v = values.get(attr, getattr(args, attr, None))
        if attr == "out" and out is not None:
            v = out
        if attr == "locc_rounds" and getattr(args, "no_locc", False):
            parts.append("--no-locc")
            continue
        if v is not None:
            parts += [flag, str(v)]
    parts += [f"--solver-option={o}" for o in getattr(args, "solver_option", [])]
    for flag in ("sorted", "resume", "fresh", "sibling_if_taken", "strict", "quiet"):
        if getattr(args, flag, False):
            parts.append(f"--{flag.replace('_', '-')}")
    return " ".join(shlex.quote(p) for p in parts)


def _x0_list(text: str | None):
    if text is None:
        return None
    vals = []
    for part in text.split(","):
        part = part.strip()
        if not part:
            raise FamilyError(f"--x0 {text!r}: empty entry")
        try:
            vals.append(parse_number(part))
        except Exception as exc:
            why = str(exc).removeprefix("number: ")
            raise FamilyError(f"--x0: {why}") from None
    return vals


def build_family(args):
    fam = args.family
    if fam == "psi":
        return psi_family(args.smin, args.smax, args.points)
    if fam == "simplex":
        return simplex_family(args.steps)
    if fam == "vacuum":
        return vacuum_family(args.x0min, args.x0max, args.points)
    if fam == "grid":
        return grid_family(args.steps, _x0_list(args.x0), args.sorted)
    if fam == "tetra":
        return tetra_family(args.steps)
    raise SweepError(f"unknown family {fam!r}")  # argparse rejects it first


def run(args) -> int:
    family = build_family(args)
    out = f"results/{family.name}" if args.out is None else args.out
    latex = latex_target(args, out, family.name)
    result = run_sweep(family, out, name=family.name,
                       command=_command(args, ["sweep", args.family], out=out),
                       **run_options(args))
    status = report(result, args.strict)
    write_latex_table(args, result, latex)
    return status


def run_general(args) -> int:
    extra = {k: getattr(args, k) for k in ("tmin", "tmax", "l", "state_file", "normalise", "x",
                                           "y", "phi") if getattr(args, k, None) is not None}
    doc = run_general_sweep(args.family, args.out, points=getattr(args, "points", 11),
                            fresh=args.fresh, resume=args.resume, solver=args.solver,
                            quiet=args.quiet, lower=args.lower,
                            lower_budget=args.lower_budget, **extra)
    print(summary_line(doc), flush=True)
    return 0


def _general_common(q, name: str) -> None:
    q.add_argument("--out", default=f"results/{name}", metavar="DIR",
                   help=f"output directory (default results/{name})")
    g = q.add_mutually_exclusive_group()
    g.add_argument("--fresh", action="store_true",
                   help="replace what DIR holds for this family (default: refuse)")
    g.add_argument("--resume", action="store_true",
                   help="reuse the saved points of the same configuration, each re-verified "
                        "(certificate and re-derived row); recompute the others")
    q.add_argument("--solver", default="auto", metavar="NAME",
                   help="first SDP solver: auto, SCS or CLARABEL")
    q.add_argument("--quiet", action="store_true", help="no line per point")
    q.add_argument("--lower", default="tree", choices=("auto", "tree", "lp"),
                   help="SEP lower bound of the non-W-class points: the measure + Vidal "
                        "protocol (tree, default), the LP over complex product Kraus operators "
                        "(lp; certified, its certificate saved), or the better of both (auto)")
    q.add_argument("--lower-budget", type=seconds_arg, default=DEFAULT_BUDGET, metavar="SECONDS",
                   help=f"time budget of the LP per point (default {DEFAULT_BUDGET:g})")
    q.set_defaults(func=run_general)


def register(subparsers) -> None:
    p = subparsers.add_parser(
        "sweep", help="certified SEP bounds and kappa over a family of states",
        description="Sweep a family of W-class states: kappa, the explicit SEP lower bound, the "
                    "certified PPT upper bound and the gap, as CSV/JSON tables, certificates "
                    "and a figure in DIR. Numbers are read exactly (1/3, 0.25, 2.5e-1).")
    fams = p.add_subparsers(dest="family", metavar="FAMILY", parser_class=type(p))
    fams.required = True
    for name, text in FAMILY_HELP.items():
        q = fams.add_parser(name, help=text, description=text)
        if name == "psi":
            q.add_argument("--smin", default="1/3", metavar="S", help="smallest s (default 1/3)")
            q.add_argument("--smax", default="1/2", metavar="S", help="largest s (default 1/2)")
            q.add_argument("--points", type=integer_arg, default=101, metavar="N",
                           help="number of s values, s_i = smin + i (smax - smin)/(N - 1) "
                                "(default 101)")
        elif name == "simplex":
            q.add_argument("--steps", type=integer_arg, default=8, metavar="M",
                           help="grid x = (i, j, k)/M, i + j + k = M (default 8: 45 points)")
        elif name == "vacuum":
            q.add_argument("--x0min", default="0", metavar="X", help="smallest x0 (default 0)")
            q.add_argument("--x0max", default="1", metavar="X", help="largest x0 (default 1)")
            q.add_argument("--points", type=integer_arg, default=11, metavar="N",
                           help="number of x0 values (default 11)")
        elif name == "grid":
            q.add_argument("--steps", type=integer_arg, default=4, metavar="M",
                           help="components are multiples of 1/M (default 4: 35 points)")
            q.add_argument("--x0", default=None, metavar="LIST",
                           help="comma-separated x0 values; for each, x = (1 - x0)(i, j, k)/M")
            q.add_argument("--sorted", action="store_true",
                           help="only xA >= xB >= xC (the others are relabellings)")
        elif name == "tetra":
            q.add_argument("--steps", type=integer_arg, default=4, metavar="M",
                           help="components are multiples of 1/M; (M+1)(M+2)(M+3)/6 states "
                                "(default 4: 35; 10: 286; 20: 1,771)")
        add_run_options(q, "results/<family>")
        q.set_defaults(func=run, out=None)
    for name, (text, tmin, tmax) in GENERAL_FAMILIES.items():
        q = fams.add_parser(name, help=text, description=f"{text}; brackets of any three-qubit "
                            "state (experiments/general_sweep.py), every row re-derived by "
                            "sepgap verify")
        q.add_argument("--tmin", default=tmin, metavar="T", help=f"smallest t, units of pi "
                                                                 f"(default {tmin})")
        q.add_argument("--tmax", default=tmax, metavar="T", help=f"largest t (default {tmax})")
        q.add_argument("--points", type=integer_arg, default=11, metavar="N",
                       help="number of t values (default 11)")
        if name == "canonical":
            q.add_argument("--l", default=None, metavar="L0,L1,L2,L3,L4",
                           help="canonical coefficients, exact (default 1/2,1/2,1/2,1/2,1/2)")
        _general_common(q, name)
    text = ("a grid over two canonical-form parameters (Acin et al.), the others fixed; "
            "brackets of any three-qubit state, every row re-derived by sepgap verify")
    q = fams.add_parser(GRID_FAMILY, help="grid over two canonical-form parameters",
                        description=text)
    q.add_argument("--x", default="l1", choices=GRID_AXES, help="first axis (default l1)")
    q.add_argument("--y", default="phi", choices=GRID_AXES, help="second axis (default phi)")
    q.add_argument("--points", type=integer_arg, default=5, metavar="N",
                   help=f"values per axis, 2 to {MAX_GRID_POINTS}: a coefficient i/(N-1) in "
                        "[0, 1] before normalising, phi = pi i/(N-1) (default 5: 25 states)")
    q.add_argument("--l", default=None, metavar="L0,L1,L2,L3,L4",
                   help="the fixed coefficients, exact (default 1/2,1/2,1/2,1/2,1/2)")
    q.add_argument("--phi", default="0", metavar="T",
                   help="the fixed phase phi = pi T when phi is not an axis (default 0)")
    _general_common(q, GRID_FAMILY)
    text = ("the states of a file: a JSON list of amplitude vectors (exact syntax of "
            "bound --amplitudes) or a .npy array (n, 8); every row re-derived by sepgap verify")
    q = fams.add_parser(STATES_FAMILY, help="the states of a file (JSON list or .npy (n, 8))",
                        description=text)
    q.add_argument("--state-file", required=True, metavar="FILE",
                   help="JSON list of states (each 8 amplitudes, or {\"amplitudes\": [...], "
                        "\"name\": ...}) or a .npy array of shape (n, 8)")
    q.add_argument("--normalise", action="store_true",
                   help="divide each state by its norm (default: refuse unnormalised states)")
    _general_common(q, STATES_FAMILY)
