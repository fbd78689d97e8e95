"""Multi-step LOCC protocols for general three-qubit states (issue 19): values before and after.

For each state: the one-measurement protocol (one party measures in an optimised basis, then
Vidal; :func:`analytics.general_locc.measure_vidal_protocol`, the *before* value) and the best
checked tree of two-outcome local measurements of depth 1 and 2
(:func:`analytics.general_locc_tree.general_locc_bound`, the *after* value; depth 2 is the
default of ``sepgap bound`` and the general sweeps), each exact and simulated branch by branch.
States: the W/GHZ superpositions ``cos(pi t)|W> + sin(pi t)|GHZ>`` of ``sepgap sweep wghz``
(t = 1/20 .. 9/20) and ``--random`` Haar random complex states (fixed seed). Printed per state:
the values, the gain, the cut monotone ``C`` (an upper bound on LOCC, docs/locc-monotones.md),
the tree's depth and nodes, and the time of each (``--runs`` runs, median and worst). The
machine is shared: the load average is printed. With ``--ppt`` the certified PPT bound is
solved too and the LOCC bracket width before/after printed (slower: one SDP per state).

Usage::

    .venv/bin/python benchmarks/bench_general_locc.py                  # wghz + 10 random
    .venv/bin/python benchmarks/bench_general_locc.py --random 20 --runs 3 --ppt
"""
from __future__ import annotations

import os

for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import argparse  # noqa: E402
import math  # noqa: E402
import statistics  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from analytics.general_locc import measure_vidal_protocol  # noqa: E402
from analytics.general_locc_tree import general_locc_bound  # noqa: E402
from analytics.general_states import three_qubit_state  # noqa: E402
from analytics.monotone_candidates import cut_upper_general  # noqa: E402


def wghz(t: float) -> list:
    w = np.zeros(8)
    w[[1, 2, 4]] = 1 / math.sqrt(3)
    g = np.zeros(8)
    g[[0, 7]] = 1 / math.sqrt(2)
    v = math.cos(math.pi * t) * w + math.sin(math.pi * t) * g
    return list(v / np.linalg.norm(v))


def states(n_random: int, seed: int) -> list:
    out = [(f"wghz t={k}/20", wghz(k / 20)) for k in (1, 2, 4, 5, 6, 8, 9)]
    rng = np.random.default_rng(seed)
    for i in range(n_random):
        v = rng.normal(size=8) + 1j * rng.normal(size=8)
        out.append((f"random {i}", list(v / np.linalg.norm(v))))
    return out


def timed(fn, runs: int) -> tuple:
    times, res = [], None
    for _ in range(runs):
        t0 = time.perf_counter()
        res = fn()
        times.append(time.perf_counter() - t0)
    return res, statistics.median(times), max(times)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--random", type=int, default=10, help="random complex states (default 10)")
    ap.add_argument("--runs", type=int, default=1, help="runs per state and method (default 1)")
    ap.add_argument("--seed", type=int, default=19)
    ap.add_argument("--ppt", action="store_true", help="also solve the certified PPT bound")
    args = ap.parse_args(argv)
    print(f"load average {os.getloadavg()[0]:.1f} (2 cores); {args.runs} run(s) per state")
    hdr = (f"{'state':<14} {'before':>10} {'depth 1':>10} {'depth 2':>10} {'gain':>9} "
           f"{'cut C':>9} {'tree':>10} {'t_before':>9} {'t_d1':>7} {'t_d2':>7}")
    if args.ppt:
        hdr += f" {'PPT':>10} {'width before':>12} {'width after':>11}"
    print(hdr)
    gains, groups = [], {}
    med = {"before": [], "depth 1": [], "depth 2": []}
    worst = {"before": [], "depth 1": [], "depth 2": []}
    for name, amps in states(args.random, args.seed):
        st = three_qubit_state(amps, normalise=True)
        mv, tb, wb = timed(lambda: measure_vidal_protocol(st), args.runs)
        d1, t1, w1 = timed(lambda: general_locc_bound(st, depth=1), args.runs)
        d2, t2, w2 = timed(lambda: general_locc_bound(st, depth=2), args.runs)
        after = max(d1.value, d2.value)
        gain = float(after - mv.value)
        gains.append(gain)
        groups.setdefault(name.split()[0], []).append(gain)
        for key, m, w in (("before", tb, wb), ("depth 1", t1, w1), ("depth 2", t2, w2)):
            med[key].append(m)
            worst[key].append(w)
        line = (f"{name:<14} {float(mv.value):>10.6f} {float(d1.value):>10.6f} "
                f"{float(d2.value):>10.6f} {gain:>9.6f} {float(cut_upper_general(st)):>9.6f} "
                f"{f'{d2.depth}/{d2.nodes}':>10} {tb:>8.2f}s {t1:>6.2f}s {t2:>6.2f}s")
        if args.ppt:
            from experiments.general import sep_upper_general
            up = sep_upper_general(st).certified
            if up is None:
                line += f" {'n/a':>10}"
            else:
                line += (f" {float(up):>10.6f} {float(up - mv.value):>12.6f} "
                         f"{float(up - after):>11.6f}")
        print(line, flush=True)
    print()
    for g, vals in groups.items():
        print(f"{g}: gain median {statistics.median(vals):.6f}, max {max(vals):.6f}, "
              f"{sum(1 for v in vals if v > 1e-9)} of {len(vals)} improved")
    for key in med:
        print(f"time per state, {key:<8}: median over states of the median of runs "
              f"{statistics.median(med[key]):.2f} s, worst run of any state {max(worst[key]):.2f} s")
    print(f"depth 2 / one-measurement (medians): "
          f"{statistics.median(med['depth 2']) / statistics.median(med['before']):.1f}x")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
