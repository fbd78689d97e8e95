"""Brackets benchmark (issue: SEP and LOCC lower bounds off the plane).

For every state of ``sepgap sweep grid --steps M`` with x0 > 0 (fixed, documented grid), the full
bracket of one sweep row (:func:`experiments.evaluate.evaluate_point`: measurement-tree SEP lower
bound, certified PPT bound, LOCC protocol and supremum bounds, gap bounds) is computed and timed.
Printed: the distribution (median, 90th percentile, max) of the SEP bracket width
``sep_upper - sep_lower``, of the LOCC bracket width ``locc_upper - locc_lower`` and of the time
per state, where the widest brackets are, and how many states have a certified SEP-LOCC gap.

Usage::

    .venv/bin/python benchmarks/bench_brackets.py --steps 8
"""
from __future__ import annotations

import os

for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import argparse  # noqa: E402
import json  # noqa: E402
import statistics  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from fractions import Fraction  # noqa: E402
from pathlib import Path  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from experiments.evaluate import evaluate_point  # noqa: E402
from experiments.families import grid_family  # noqa: E402


def dist(xs) -> str:
    xs = sorted(xs)
    p90 = xs[min(len(xs) - 1, int(round(0.9 * (len(xs) - 1))))]
    return f"median {statistics.median(xs):.3g}, 90th pct {p90:.3g}, max {max(xs):.3g}"


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--steps", type=int, default=8)
    ap.add_argument("--json", metavar="FILE")
    args = ap.parse_args(argv)
    pts = [p for p in grid_family(args.steps).points if p.state.x0 > 0 and p.state.x0 < 1]
    rows, times = [], []
    for p in pts:
        t0 = time.perf_counter()
        r = evaluate_point(p).row
        times.append(time.perf_counter() - t0)
        rows.append(r)
        print(f"{p.id} x0={r['x0_exact']} sep [{r['sep_lower']:.6f}, {r['sep_upper']}] "
              f"locc [{r['locc_lower']}, {r['locc_upper']:.6f}] t={times[-1]:.2f}s", flush=True)
    sw = [r["sep_width"] for r in rows if r["sep_width"] is not None]
    lw = [r["locc_width"] for r in rows if r["locc_width"] is not None]
    print()
    print(f"grid --steps {args.steps}: {len(rows)} states with 0 < x0 < 1; "
          f"{sum(r['sep_upper_kind'] == 'certified' for r in rows)} certified upper bounds")
    print(f"SEP width  (sep_upper - sep_lower): {dist(sw)}; <= 1e-3 at {sum(w <= 1e-3 for w in sw)}")
    print(f"LOCC width (locc_upper - locc_lower): {dist(lw)}")
    print(f"seconds per state (full bracket): {dist(times)}")
    worst = sorted(rows, key=lambda r: -(r["sep_width"] or 0))[:5]
    print("widest SEP brackets: " + "; ".join(
        f"(x0, xA, xB, xC) = ({r['x0_exact']}, {r['xA_exact']}, {r['xB_exact']}, {r['xC_exact']}) "
        f"width {r['sep_width']:.4f}" for r in worst))
    gaps = [r for r in rows if r["gap_lower"] is not None and r["gap_lower"] > 0]
    print(f"certified SEP-LOCC gap (gap_lower > 0) at {len(gaps)} of {len(rows)} states"
          + (f"; largest {max(r['gap_lower'] for r in gaps):.4f}" if gaps else ""))
    by_x0 = {}
    for r in rows:
        by_x0.setdefault(r["x0_exact"], []).append(r["sep_width"])
    print("median SEP width by x0: " + ", ".join(
        f"{k}: {statistics.median(v):.4f}" for k, v in sorted(by_x0.items(), key=lambda kv: Fraction(kv[0]))))
    if args.json:
        Path(args.json).write_text(json.dumps(rows))
    return 0


if __name__ == "__main__":
    sys.exit(main())
