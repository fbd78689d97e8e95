"""Timing of the naive cvxpy PPT model (sdp/naive.py): the baseline for the engine benchmark.

For each state x solver x {without, with facial reduction} it runs ``naive_ppt_value`` and
prints value, cvxpy status, iterations, compile time (Python model construction + cvxpy
canonicalisation), solver time and wall time. Runs that finish within ``--repeat-below``
seconds are repeated ``--repeats`` times and the medians are printed; slower ones are run
once. Every solve gets a solver time limit (``--time-limit``, default 180 s); a run that
reaches it is reported as such (its status is whatever cvxpy says, typically
'optimal_inaccurate' or 'user_limit'), not silently dropped.

Values are solver outputs, not bounds. Reference numbers (formulation.md section 3):
psi_s at s = 1/2 has PPT value exactly 1 (SEP = 1 by Eq. (7), PPT <= 1); at s = 0.6 the
PPT value is >= 2(1 - s) = 0.8 (explicit SEP instrument). kappa (LOCC supremum) is printed
for orientation.

Usage::

    .venv/bin/python benchmarks/naive_timing.py                 # everything (about 30-40 min)
    .venv/bin/python benchmarks/naive_timing.py --only-fr       # facial reduction only (minutes)
    .venv/bin/python benchmarks/naive_timing.py --json out.json # also write the raw records
"""
from __future__ import annotations

import argparse
import json
import statistics
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from analytics.monotones import kappa  # noqa: E402
from analytics.states import WClassState, psi_s  # noqa: E402
from sdp.naive import naive_ppt_value  # noqa: E402

STATES = {
    "psi_s(0.5)": (psi_s(0.5), "PPT = 1 exactly"),
    "psi_s(0.6)": (psi_s(0.6), "PPT >= 2(1-s) = 0.8"),
    "W(x0=.1;.4/.3/.2)": (WClassState(0.4, 0.3, 0.2), "x0 > 0, no closed form"),
}


def solver_options(solver: str, time_limit: float) -> dict:
    if solver == "SCS":
        return {"time_limit_secs": time_limit}
    return {"time_limit": time_limit}


def run_case(state, solver, fr, time_limit, repeats, repeat_below):
    runs = []
    while True:
        res = naive_ppt_value(state, solver=solver, facial_reduction=fr,
                              solver_options=solver_options(solver, time_limit))
        runs.append(res)
        if len(runs) >= repeats or (res.wall_time or 0) > repeat_below:
            break
    return runs


def med(xs):
    xs = [x for x in xs if x is not None]
    return statistics.median(xs) if xs else None


def fmt(x, spec):
    return "-" if x is None else format(x, spec)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--repeats", type=int, default=3, help="runs per case when affordable (default 3)")
    ap.add_argument("--repeat-below", type=float, default=60.0,
                    help="repeat only cases whose first run took less than this many seconds")
    ap.add_argument("--time-limit", type=float, default=180.0, help="solver time limit per run, s")
    ap.add_argument("--solvers", default="SCS,CLARABEL")
    ap.add_argument("--states", default=",".join(STATES), help="comma-separated keys of STATES")
    ap.add_argument("--only-fr", action="store_true", help="facial-reduction runs only")
    ap.add_argument("--no-fr", action="store_true", help="runs without facial reduction only")
    ap.add_argument("--json", help="write the raw records to this file")
    args = ap.parse_args(argv)

    frs = [False, True]
    if args.only_fr:
        frs = [True]
    if args.no_fr:
        frs = [False]
    records = []
    head = (f"{'state':<19} {'solver':<8} {'FR':<3} {'n':>2} {'value':>14} {'status':<19} "
            f"{'iters':>6} {'compile s':>9} {'solve s':>8} {'wall s':>8}  note")
    print("naive PPT model (sdp/naive.py), objective='exact'; medians over n runs")
    print(head)
    print("-" * len(head))
    for key in args.states.split(","):
        state, ref = STATES[key]
        for solver in args.solvers.split(","):
            for fr in frs:
                runs = run_case(state, solver, fr, args.time_limit, args.repeats, args.repeat_below)
                statuses = sorted({r.status for r in runs})
                values = [r.value for r in runs]
                rec = {
                    "state": key, "x": [float(v) for v in state.x], "x0": float(state.x0),
                    "reference": ref, "kappa": float(kappa(state)),
                    "solver": solver, "solver_version": runs[0].solver_version,
                    "facial_reduction": fr, "runs": len(runs), "statuses": statuses,
                    "values": values, "iterations": [r.iterations for r in runs],
                    "compile_time": [r.compile_time for r in runs],
                    "solve_time": [r.solve_time for r in runs],
                    "solver_reported_time": [r.solver_reported_time for r in runs],
                    "wall_time": [r.wall_time for r in runs],
                    "p_pairs": runs[-1].p_pairs, "message": runs[-1].message,
                    "time_limit": args.time_limit,
                }
                records.append(rec)
                note = ref
                if any((r.solve_time or 0) >= 0.98 * args.time_limit for r in runs):
                    note = f"hit the {args.time_limit:.0f} s limit; " + ref
                if runs[-1].message:
                    note = "solver error; " + ref
                print(f"{key:<19} {solver:<8} {'y' if fr else 'n':<3} {len(runs):>2} "
                      f"{fmt(med(values), '.10f'):>14} {'/'.join(statuses):<19} "
                      f"{fmt(med([r.iterations for r in runs]), '.0f'):>6} "
                      f"{fmt(med([r.compile_time for r in runs]), '.2f'):>9} "
                      f"{fmt(med([r.solve_time for r in runs]), '.2f'):>8} "
                      f"{fmt(med([r.wall_time for r in runs]), '.2f'):>8}  {note}", flush=True)
    if args.json:
        Path(args.json).write_text(json.dumps(records, indent=1))
        print(f"wrote {args.json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
