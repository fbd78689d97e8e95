"""LOCC width before (chain) and after (full trees) on the 35 interior states of the 1/8 grid.

Every state (x0; xA, xB, xC) with all four weights in {1/8, ..., 5/8} (35 states). In the same
run, for each state:

* before: the chain of :func:`analytics.offplane.locc_lower_tree` (one branch continues);
* after: :func:`analytics.locc_tree.locc_tree_bound` (full trees by value iteration, the chain as
  a second candidate, the better exact tree kept), which is what the bracket columns use now;
* ``locc_upper = min(kappa, cut monotone, certified PPT)`` (the PPT bound solved and certified
  once per state; ``--no-ppt``: min(kappa, cut) only).

Printed: per state the LOCC width ``locc_upper - locc_lower`` before and after and the gain of
``locc_sup_lower``; the median and worst width; the time per state (median of ``--repeats``
runs per state, then median and worst over the states) and the ratio after/before. The value
table of the full-tree search is state-independent and built once per process; its one-off
cost is printed separately (it is not in the per-state times).

Usage::

    .venv/bin/python benchmarks/bench_locc_trees.py                 # 35 states, 3 repeats
    .venv/bin/python benchmarks/bench_locc_trees.py --repeats 1 --no-ppt
"""
from __future__ import annotations

import os

for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import argparse  # noqa: E402
import statistics  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from fractions import Fraction  # noqa: E402
from pathlib import Path  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from analytics import WClassState  # noqa: E402
from analytics.locc_tree import locc_tree_bound  # noqa: E402
from analytics.locc_values import DEFAULT_GRID, value_table  # noqa: E402
from analytics.monotone_candidates import cut_upper  # noqa: E402
from analytics.monotones import kappa  # noqa: E402
from analytics.offplane import locc_lower_tree  # noqa: E402


def grid_states(n: int = 8) -> list:
    out = []
    for i0 in range(1, n):
        for a in range(1, n - i0):
            for b in range(1, n - i0 - a):
                c = n - i0 - a - b
                if c >= 1:
                    out.append(WClassState.from_components(*(Fraction(t, n) for t in (i0, a, b, c))))
    return out


def timed(fn, repeats: int):
    times, res = [], None
    for _ in range(repeats):
        t0 = time.perf_counter()
        res = fn()
        times.append(time.perf_counter() - t0)
    return res, statistics.median(times)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--no-ppt", action="store_true", help="locc_upper = min(kappa, cut) only")
    args = ap.parse_args(argv)
    states = grid_states()
    t0 = time.perf_counter()
    value_table(DEFAULT_GRID, 3)
    t_table = time.perf_counter() - t0
    print(f"{len(states)} interior states of the 1/8 grid; repeats {args.repeats}; value table "
          f"(grid {DEFAULT_GRID}, depth 3) built once in {t_table:.2f} s")
    rows = []
    print(f"{'state (x0; xA, xB, xC)':<26} {'upper':>8} {'kind':>13} {'w_before':>9} {'w_after':>9} "
          f"{'sup_gain':>9} {'t_chain':>8} {'t_full':>8}")
    for st in states:
        k = kappa(st)
        upper, kind = (k, "kappa")
        cut = cut_upper(st)
        if cut < upper:
            upper, kind = cut, "monotone:cut"
        if not args.no_ppt:
            from sdp import ppt_upper_bound
            ppt = ppt_upper_bound(st, certify=True).certified
            if ppt is not None and ppt < upper:
                upper, kind = ppt, "ppt"
        chain, t_chain = timed(lambda: locc_lower_tree(st), args.repeats)
        full, t_full = timed(lambda: locc_tree_bound(st), args.repeats)
        wb = float(upper) - chain.locc_lower
        wa = float(upper) - full.locc_lower
        gain = float(full.locc_sup_lower) - float(chain.locc_sup_lower)
        assert full.locc_lower <= float(upper) and full.evaluation.total <= upper
        rows.append((wb, wa, gain, t_chain, t_full))
        name = f"({st.x0}; {st.xA}, {st.xB}, {st.xC})"
        print(f"{name:<26} {float(upper):8.5f} {kind:>13} {wb:9.5f} {wa:9.5f} {gain:9.5f} "
              f"{t_chain:8.3f} {t_full:8.3f}", flush=True)
    wb, wa, gain, tc, tf = (list(col) for col in zip(*rows))
    print()
    print(f"LOCC width before (chain):     median {statistics.median(wb):.5f}, worst {max(wb):.5f}")
    print(f"LOCC width after (full trees): median {statistics.median(wa):.5f}, worst {max(wa):.5f}")
    print(f"locc_sup_lower gain:           median {statistics.median(gain):.5f}, min {min(gain):.5f}, "
          f"max {max(gain):.5f}")
    print(f"time per state, chain:         median {statistics.median(tc):.3f} s, worst {max(tc):.3f} s")
    print(f"time per state, full trees:    median {statistics.median(tf):.3f} s, worst {max(tf):.3f} s"
          f"  (ratio of medians {statistics.median(tf) / statistics.median(tc):.1f}x)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
