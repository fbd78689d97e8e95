"""SEP bracket of general (non-W-class) states before and after the general LP (issue 19).

For ``--states`` random complex states (complex Gaussian vectors, fixed seed; floats, read
exactly as binary rationals) and the non-W points of the ``sweep wghz`` family
(``cos(pi t)|W> + sin(pi t)|GHZ>``, ``--points`` values of t in [0, 1/2]), it computes, through
the one dispatcher :func:`analytics.lower.sep_lower_bound`:

* ``before``: the measure + Vidal protocol (``method="tree"``), the SEP lower bound general
  states had before the LP;
* ``after``: the exact LP instrument (``method="lp"``, ``--budget`` seconds of column
  generation; its certificate re-checked by the verifier, timed separately);
* the certified PPT upper bound (:func:`experiments.general.sep_upper_general`).

Printed per state: the three values, the SEP bracket widths ``sep_upper - sep_lower`` before
and after, the LP's rounds and stop reason, and seconds (protocol, LP incl. exact rounding,
verification). Then medians and worst cases. Every value is exact (rounded outward when
printed); the LP value is checked to be <= the certified PPT bound.

Usage::

    .venv/bin/python benchmarks/bench_general_lp.py                          # 5 random + 9 wghz, 20 s
    .venv/bin/python benchmarks/bench_general_lp.py --states 3 --points 5 --budget 10
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

import numpy as np  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from analytics.canonical import route  # noqa: E402
from analytics.claims import decimal_down, decimal_up  # noqa: E402
from analytics.lower import sep_lower_bound  # noqa: E402
from experiments.general import sep_upper_general  # noqa: E402
from experiments.general_sweep import family_states  # noqa: E402
from experiments.verifiers import verify_result  # noqa: E402


def states(n: int, points: int, seed: int) -> list:
    rng = np.random.default_rng(seed)
    out = []
    for i in range(n):
        v = rng.normal(size=8) + 1j * rng.normal(size=8)
        out.append((f"random-{i}", [complex(z) for z in v / np.linalg.norm(v)]))
    for t, amps in family_states("wghz", 0, Fraction(1, 2), points):
        out.append((f"wghz t={t}", amps))
    return out


def run_one(name: str, amps, budget: float) -> dict | None:
    st, w = route(amps, normalise=True)
    if w is not None:
        return None  # W-class: the W machinery (not this benchmark)
    t0 = time.perf_counter()
    before = sep_lower_bound(st, method="tree")
    t_before = time.perf_counter() - t0
    t0 = time.perf_counter()
    after = sep_lower_bound(st, method="lp", budget=budget)
    t_after = time.perf_counter() - t0
    t0 = time.perf_counter()
    res = verify_result(after.instrument.certificate())
    t_verify = time.perf_counter() - t0
    if not res.valid:
        raise SystemExit(f"{name}: the LP certificate does not verify: {res.line()}")
    up = sep_upper_general(st).certified
    if up is not None and after.value > up:
        raise SystemExit(f"{name}: LP value {float(after.value)} above the certified PPT bound "
                         f"{float(up)}: a bug")
    lp = after.instrument.lp
    return {"name": name, "before": before.value, "after": after.value, "upper": up,
            "w_before": None if up is None else up - before.value,
            "w_after": None if up is None else up - max(after.value, before.value),
            "rounds": lp.iterations, "stopped": lp.stopped, "t_before": t_before,
            "t_after": t_after, "t_verify": t_verify, "kraus": len(after.instrument.kraus)}


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--states", type=int, default=5, help="random complex states (default 5)")
    ap.add_argument("--points", type=int, default=9, help="wghz points in t in [0, 1/2] (default 9)")
    ap.add_argument("--budget", type=float, default=20.0, help="LP seconds per state (default 20)")
    ap.add_argument("--seed", type=int, default=2026)
    args = ap.parse_args(argv)
    rows = []
    print(f"{'state':<14} {'protocol':>11} {'LP':>11} {'PPT upper':>11} {'width before':>12} "
          f"{'width after':>12} {'rounds':>6}  {'t prot':>6} {'t LP':>6} {'t ver':>6}  stop")
    for name, amps in states(args.states, args.points, args.seed):
        r = run_one(name, amps, args.budget)
        if r is None:
            print(f"{name:<14} W-class: routed to the W machinery (skipped)")
            continue
        rows.append(r)
        print(f"{name:<14} {decimal_down(r['before']):>11} {decimal_down(r['after']):>11} "
              f"{decimal_up(r['upper']):>11} {decimal_up(r['w_before']):>12} "
              f"{decimal_up(r['w_after']):>12} {r['rounds']:>6}  {r['t_before']:6.2f} "
              f"{r['t_after']:6.2f} {r['t_verify']:6.2f}  {r['stopped']}", flush=True)
    for label, sel in (("random", [r for r in rows if r["name"].startswith("random")]),
                       ("wghz", [r for r in rows if r["name"].startswith("wghz")])):
        if not sel:
            continue
        wb = [float(r["w_before"]) for r in sel]
        wa = [float(r["w_after"]) for r in sel]
        ta = [r["t_after"] for r in sel]
        tv = [r["t_verify"] for r in sel]
        print(f"{label}: {len(sel)} states; SEP width before median {statistics.median(wb):.4g} "
              f"worst {max(wb):.4g}; after median {statistics.median(wa):.4g} worst "
              f"{max(wa):.4g}; LP seconds median {statistics.median(ta):.3g} worst "
              f"{max(ta):.3g}; verify seconds median {statistics.median(tv):.3g} worst "
              f"{max(tv):.3g}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
