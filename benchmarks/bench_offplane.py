"""Off-plane benchmark (issue: certified upper bounds for every x0 > 0 state).

Random W-class states with x0 > 0 (fixed seed; ``--near`` of them with x0 log-uniform in
[1e-4, 1e-2], the rest with x0 log-uniform in [1e-4, 1/2], weights uniform on the rest of the
simplex, every number an exact rational with denominator 10^6). Each state is solved by
sepgap's path (:func:`sdp.ppt_upper_bound` with ``certify=True``: Clarabel, certificate, SCS
fallback, cap), ``--repeats`` times (fresh solver objects, model compiled afresh each time), and,
in the same run, once by the plain model (:func:`sdp.plain.plain_native_value`: 32 x 32 real
blocks, float data, no change of frame, no output twirl; Clarabel at tolerances 1e-10) as the
reference. Printed: the time distribution (median, 90th percentile, max of the
per-state medians), how many are certified, and certified minus reference (max and worst state).

Usage::

    .venv/bin/python benchmarks/bench_offplane.py                 # 200 states, 50 near the plane
    .venv/bin/python benchmarks/bench_offplane.py --states 20 --no-reference
"""
from __future__ import annotations

import os

for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import argparse  # noqa: E402
import json  # noqa: E402
import random  # noqa: E402
import statistics  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from fractions import Fraction  # noqa: E402
from pathlib import Path  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from analytics import WClassState  # noqa: E402
from sdp import ppt_upper_bound  # noqa: E402
from sdp.engine import reset_solvers  # noqa: E402
from sdp.plain import plain_native_value  # noqa: E402

DEN = 10 ** 6


def random_states(n: int, near: int, seed: int) -> list:
    rng = random.Random(seed)
    out = []
    for i in range(n):
        lo, hi = (-4, -2) if i < near else (-4, -0.3)
        x0 = Fraction(max(1, round(10 ** rng.uniform(lo, hi) * DEN)), DEN)
        w = [rng.random() for _ in range(3)]
        t = sum(w)
        xa = Fraction(round(w[0] / t * float(1 - x0) * DEN), DEN)
        xb = Fraction(round(w[1] / t * float(1 - x0) * DEN), DEN)
        xb = min(xb, 1 - x0 - xa)
        out.append(WClassState.from_components(x0, xa, xb, 1 - x0 - xa - xb))
    return out


def pct(xs, q):
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(round(q * (len(xs) - 1))))]


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--states", type=int, default=200)
    ap.add_argument("--near", type=int, default=50, help="states with x0 in [1e-4, 1e-2]")
    ap.add_argument("--seed", type=int, default=2026)
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--no-reference", action="store_true")
    ap.add_argument("--json", metavar="FILE", help="write every per-state number to FILE")
    ap.add_argument("--time-reference", type=int, default=0, metavar="K",
                    help="also time the plain model serially on the first K states (the baseline "
                         "of the speed ratio, in this run)")
    ap.add_argument("--jobs", type=int, default=2,
                    help="processes for the reference solves (after the timed engine runs)")
    args = ap.parse_args(argv)
    states = random_states(args.states, args.near, args.seed)
    rows = []
    for i, st in enumerate(states):
        times, res = [], None
        for _ in range(args.repeats):
            reset_solvers()
            t0 = time.perf_counter()
            res = ppt_upper_bound(st, certify=True)
            times.append(time.perf_counter() - t0)
        row = {"i": i, "x0": float(st.x0), "x": [float(v) for v in st.x],
               "state": str(st), "seconds": statistics.median(times), "worst_seconds": max(times),
               "certified": None if res.certified is None else float(res.certified),
               "certified_exact": None if res.certified is None else str(res.certified),
               "solvers": [a["solver"] for a in res.attempts], "method": res.method}
        rows.append(row)
        print(f"[{i:3d}] x0={row['x0']:.2e} t={row['seconds']:.3f}s "
              f"certified={row['certified']} via {'+'.join(row['solvers'])}", flush=True)
    ref_err = []
    if not args.no_reference:
        import concurrent.futures as cf
        import multiprocessing as mp
        with cf.ProcessPoolExecutor(args.jobs, mp_context=mp.get_context("spawn")) as ex:
            refs = list(ex.map(plain_native_value, [st.amplitudes() for st in states]))
        for row, st, ref in zip(rows, states, refs):
            row["reference"] = ref.value
            row["reference_status"] = f"{ref.solver} {ref.status}"
            if ref.value is not None and row["certified"] is not None:
                row["certified_minus_reference"] = row["certified"] - ref.value
                ref_err.append((row["certified"] - ref.value, row))
            print(f"[{row['i']:3d}] reference {ref.value} ({row['reference_status']}) "
                  f"diff {row.get('certified_minus_reference')}", flush=True)
    if args.time_reference:
        base = []
        for st in states[:args.time_reference]:
            t0 = time.perf_counter()
            plain_native_value(st.amplitudes())
            base.append(time.perf_counter() - t0)
        eng = [r["seconds"] for r in rows[:args.time_reference]]
        print(f"plain model (baseline), first {len(base)} states, serial: median "
              f"{statistics.median(base):.2f} s, max {max(base):.2f} s; ratio plain/engine: median "
              f"{statistics.median(b / e for b, e in zip(base, eng)):.0f}x")
    secs = [r["seconds"] for r in rows]
    worst = [r["worst_seconds"] for r in rows]
    near = [r["seconds"] for r in rows[:args.near]]
    n_cert = sum(r["certified"] is not None for r in rows)
    print()
    print(f"states: {len(rows)} (seed {args.seed}; {args.near} with x0 in [1e-4, 1e-2]); "
          f"repeats per state: {args.repeats}")
    print(f"certified: {n_cert}/{len(rows)}; fallback used on "
          f"{sum(len(r['solvers']) > 1 for r in rows)}; capped at the trivial bound on "
          f"{sum(r['method'] == 'trivial' for r in rows)}")
    print(f"seconds per state (median of repeats; bound + certificate, compile included): "
          f"median {statistics.median(secs):.3f}, 90th pct {pct(secs, 0.9):.3f}, "
          f"max {max(secs):.3f}; worst single run {max(worst):.3f}")
    if near:
        print(f"  near the plane: median {statistics.median(near):.3f}, max {max(near):.3f}")
    if ref_err:
        d, r = max(ref_err, key=lambda e: e[0])
        lo, rl = min(ref_err, key=lambda e: e[0])
        print(f"certified - reference: max {d:.3e} at {r['state']}; "
              f"min {lo:.3e} at {rl['state']} (reference {rl['reference_status']}); "
              f"{sum(e[0] <= 1e-6 for e in ref_err)}/{len(ref_err)} within 1e-6")
    if args.json:
        Path(args.json).write_text(json.dumps(rows, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
