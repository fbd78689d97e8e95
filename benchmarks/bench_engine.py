"""Engine benchmark: sepgap's PPT engine against the naive cvxpy model, same process, same points.

The naive model (sdp/naive.py) is what a user of a generic toolkit writes: full 32 x 32
Hermitian Choi variables, ``cvxpy.partial_transpose``, the exactness equation as an equality.
It is run on a few points (each capped by a solver time limit); sepgap's engine (compiled
once, rational frame, facial reduction, U(1) blocks, warm starts, exact certificates) is run
on all of them, ``--repeats`` times. Printed: per-point medians, the ratio on the shared
points, and the largest disagreement between the naive value and the certified bound.

Then whole-command timings, measured as a user sees them (fresh process, start-up included):
``sepgap fig1 --points 101`` (all points certified), with and without the analytic shortcut,
and one x0 > 0 state (bound + certificate). ``--simplex`` adds ``sepgap sweep simplex`` with
about 1,000 points.

Usage::

    make bench                                   # defaults below
    .venv/bin/python benchmarks/bench_engine.py --naive-points 0.4,0.5,0.6 --repeats 5
"""
from __future__ import annotations

import os

for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import argparse  # noqa: E402
import shutil  # noqa: E402
import statistics  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
from fractions import Fraction  # noqa: E402
from pathlib import Path  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from analytics import WClassState, parse_number, psi_s  # noqa: E402
from sdp import ppt_upper_bound  # noqa: E402
from sdp.naive import naive_ppt_value  # noqa: E402


def med(xs):
    return statistics.median(xs) if xs else float("nan")


def engine_sweep(states, repeats):
    """Warm-started chain, certified; returns per-point median times and the last results."""
    per_point = [[] for _ in states]
    results = None
    totals = []
    for _ in range(repeats):
        prev, out = None, []
        t_all = time.perf_counter()
        for i, st in enumerate(states):
            t0 = time.perf_counter()
            r = ppt_upper_bound(st, certify=True, warm_start=prev)
            per_point[i].append(time.perf_counter() - t0)
            prev = r.raw
            out.append(r)
        totals.append(time.perf_counter() - t_all)
        results = out
    return [med(t) for t in per_point], results, totals


def timed_command(args, repeats):
    exe = shutil.which("sepgap") or str(Path(sys.executable).with_name("sepgap"))
    times, last = [], None
    for _ in range(repeats):
        out = tempfile.mkdtemp(prefix="sepgap-bench-")
        t0 = time.perf_counter()
        proc = subprocess.run([exe] + args + ["--out", out, "--quiet"], capture_output=True, text=True)
        times.append(time.perf_counter() - t0)
        last = proc
        shutil.rmtree(out, ignore_errors=True)
    return times, last


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--naive-points", default="0.4,0.5,0.6",
                    help="s values of psi_s for the naive model (default 0.4,0.5,0.6)")
    ap.add_argument("--naive-time-limit", type=float, default=180.0,
                    help="solver time limit per naive solve, seconds (default 180)")
    ap.add_argument("--engine-points", type=int, default=101,
                    help="engine points on s in [1/3, 0.99] (default 101); naive points are added")
    ap.add_argument("--repeats", type=int, default=3, help="engine repeats (default 3)")
    ap.add_argument("--cmd-repeats", type=int, default=3, help="whole-command repeats (default 3)")
    ap.add_argument("--simplex", action="store_true", help="also time `sepgap sweep simplex` (~1000 points)")
    ap.add_argument("--skip-naive", action="store_true")
    args = ap.parse_args(argv)

    naive_s = [parse_number(t) for t in args.naive_points.split(",") if t.strip()]
    lo, hi = Fraction(1, 3), Fraction(99, 100)
    n = args.engine_points
    grid = sorted(set([lo + (hi - lo) * i / (n - 1) for i in range(n)] + naive_s))
    states = [psi_s(s) for s in grid]

    print(f"# engine: {len(states)} points of psi_s on [1/3, 0.99], certified, warm-started chain, "
          f"{args.repeats} repeats")
    per_point, results, totals = engine_sweep(states, args.repeats)
    n_cert = sum(r.kind == "certified" for r in results)
    print(f"engine: median per point {med(per_point) * 1e3:.1f} ms (solve + certificate); "
          f"median sweep total {med(totals):.2f} s; certified {n_cert}/{len(results)}")
    gaps = [float(r.certified) - r.value for r in results if r.certified is not None]
    print(f"engine: max (certified bound - solver value) {max(gaps):.2e}")

    x0_state = WClassState(Fraction(2, 5), Fraction(3, 10), Fraction(1, 5))  # x0 = 1/10
    x0_times = []
    for _ in range(args.repeats):
        t0 = time.perf_counter()
        r = ppt_upper_bound(x0_state, certify=True)
        x0_times.append(time.perf_counter() - t0)
    print(f"engine x0 > 0 ({x0_state}): median {med(x0_times):.2f} s for bound + certificate, "
          f"{r.kind}, {float(r.certified) if r.certified else r.value:.9f}")

    if not args.skip_naive:
        print(f"\n# naive cvxpy model (cvxpy.partial_transpose, 32x32 Hermitian, SCS eps 1e-8, "
              f"time limit {args.naive_time_limit:.0f} s) on {len(naive_s)} points")
        worst, ratios = 0.0, []
        for s in naive_s:
            i = grid.index(s)
            t0 = time.perf_counter()
            nr = naive_ppt_value(psi_s(s), solver="SCS",
                                 solver_options={"time_limit_secs": args.naive_time_limit})
            t_naive = time.perf_counter() - t0
            cert = results[i].certified
            dis = abs(nr.value - float(cert)) if (nr.value is not None and cert is not None) else float("nan")
            if dis == dis:
                worst = max(worst, dis)
            ratios.append(t_naive / per_point[i])
            print(f"s = {float(s):.4f}: naive {t_naive:7.1f} s, status {nr.status}, value {nr.value}; "
                  f"engine {per_point[i] * 1e3:6.1f} ms, certified {float(cert):.9f}; "
                  f"|naive - certified| {dis:.2e}; ratio {t_naive / per_point[i]:.0f}x")
        print(f"naive/engine time ratio on shared points: median {med(ratios):.0f}x; "
              f"largest disagreement {worst:.2e}")

    print("\n# whole commands (fresh process, start-up included), "
          f"median of {args.cmd_repeats}")
    for label, cmd in (("fig1 --points 101 (shortcut: trivial bound where Eq. (7) gives 1)",
                        ["fig1", "--points", "101"]),
                       ("fig1 --points 101 --no-shortcut (SDP at every point)",
                        ["fig1", "--points", "101", "--no-shortcut"]),
                       ("fig1 --points 101 --extended (s up to 0.99)",
                        ["fig1", "--points", "101", "--extended"])):
        times, proc = timed_command(cmd, args.cmd_repeats)
        summary = (proc.stdout.strip().splitlines() or ["(no output)"])[-1]
        status = "" if proc.returncode == 0 else f" EXIT {proc.returncode}: {proc.stderr.strip()[:200]}"
        print(f"sepgap {label}: median {med(times):.2f} s (runs: "
              f"{', '.join(f'{t:.2f}' for t in times)}){status}\n    {summary}")
    if args.simplex:
        times, proc = timed_command(["sweep", "simplex", "--steps", "44"], 1)
        summary = (proc.stdout.strip().splitlines() or ["(no output)"])[-1]
        print(f"sepgap sweep simplex --steps 44 (1035 points): {times[0]:.1f} s\n    {summary}")


if __name__ == "__main__":
    main()
