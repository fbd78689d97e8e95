"""Benchmark: SEP lower bounds by the LP over product Kraus operators (issue 17).

States: the interior of the 1/M grid (every (x0, xA, xB, xC) of positive multiples of 1/M; M = 8:
35 states), one sorted representative per orbit under party permutations (the bounds are
permutation invariant; 11 orbits for M = 8), plus the two states of formulation.md section 8.
For every state and run: the chain tree (``--lower tree``, the baseline, measured in the same
run) and ``--lower auto`` with the given budget (tree + LP, exact rounding included), both
certified; the certified PPT bound (computed once per state, not timed) gives the SEP width
``sep_upper - sep_lower``. Prints one line per state and run, then medians and worst cases of
the times, the ratio auto/tree, the widths, and the width closed per second spent.

    .venv/bin/python benchmarks/bench_lp.py [--steps 8] [--budget 20] [--runs 2] [--limit N]
"""
from __future__ import annotations

import argparse
import itertools
import statistics
import sys
import time
from fractions import Fraction
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from analytics.lower import sep_lower_bound  # noqa: E402
from analytics.states import WClassState  # noqa: E402


def interior_orbits(m: int) -> list:
    out = []
    for x0 in range(1, m):
        for a, b, c in itertools.product(range(1, m), repeat=3):
            if x0 + a + b + c == m and a >= b >= c:
                out.append(WClassState.from_components(Fraction(x0, m), Fraction(a, m),
                                                       Fraction(b, m), Fraction(c, m)))
    return out


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--steps", type=int, default=8)
    ap.add_argument("--budget", type=float, default=20.0)
    ap.add_argument("--runs", type=int, default=2)
    ap.add_argument("--limit", type=int, default=None, help="only the first N states")
    args = ap.parse_args(argv)
    from sdp import sep_upper_bound

    states = [WClassState.from_components(Fraction(1, 10), Fraction(3, 10), Fraction(3, 10), Fraction(3, 10)),
              WClassState.from_components(Fraction(1, 8), Fraction(3, 8), Fraction(1, 4), Fraction(1, 4))]
    states += [s for s in interior_orbits(args.steps) if s not in states]
    if args.limit:
        states = states[:args.limit]
    print(f"{len(states)} states (interior orbits of the 1/{args.steps} grid + formulation.md sec. 8), "
          f"budget {args.budget:g} s, {args.runs} run(s)", flush=True)
    upper = {}
    for st in states:
        res = sep_upper_bound(st)
        upper[st] = res.certified
    rows = []
    for run in range(args.runs):
        for st in states:
            t = time.perf_counter()
            tree = sep_lower_bound(st, method="tree")
            t_tree = time.perf_counter() - t
            t = time.perf_counter()
            auto = sep_lower_bound(st, method="auto", budget=args.budget)
            t_auto = time.perf_counter() - t
            up = upper[st]
            w_tree = None if up is None else float(up - tree.value)
            w_auto = None if up is None else float(up - auto.value)
            rows.append((run, st, t_tree, t_auto, float(tree.value), float(auto.value), auto.kind,
                         w_tree, w_auto))
            print(f"run {run} x = ({st.x0}; {st.xA}, {st.xB}, {st.xC}): tree {float(tree.value):.6f} "
                  f"in {t_tree:.1f} s; auto {float(auto.value):.6f} ({auto.kind}) in {t_auto:.1f} s; "
                  f"PPT {float(up):.6f}; width {w_tree:.2e} -> {w_auto:.2e}", flush=True)
    t_auto = [r[3] for r in rows]
    t_tree = [r[2] for r in rows]
    ratio = [r[3] / r[2] for r in rows]
    widths = [r[8] for r in rows if r[8] is not None]
    closed = [(r[7] - r[8]) / r[3] for r in rows if r[8] is not None]
    print(f"auto time per state: median {statistics.median(t_auto):.1f} s, worst {max(t_auto):.1f} s "
          f"(tree: median {statistics.median(t_tree):.2f} s, worst {max(t_tree):.2f} s; "
          f"ratio auto/tree median {statistics.median(ratio):.1f}, worst {max(ratio):.1f})")
    print(f"SEP width with auto: median {statistics.median(widths):.2e}, worst {max(widths):.2e} "
          f"(tree: median {statistics.median([r[7] for r in rows]):.2e}, "
          f"worst {max(r[7] for r in rows):.2e})")
    print(f"width closed per second of auto: median {statistics.median(closed):.2e}/s, "
          f"smallest {min(closed):.2e}/s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
