"""Cost of one PPT evaluation for the monotonicity screen (issue 18): before and after.

Same process, same states (random W-class states: uniform on the tetrahedron, a quarter of them
with x0 in [1e-4, 1e-1]), every evaluation timed on its own (wall clock, one BLAS thread):

* ``certified``: ``ppt_upper_bound(state, certify=True)``, what the first PPT check used;
* ``numerical``: ``ppt_upper_bound(state)`` (solve only, result object, pair probabilities);
* ``screen``: ``sdp.screen.ppt_screen_value(w)`` (solve only, screen tolerances, no iterative
  refinement).

Each state is a new model (x0 > 0: compiled per state), so every timing includes one compilation,
as in the screen. Printed per variant: median and worst time per evaluation, mean iterations,
and the largest |value - numerical value| over the states; the ratio of medians against
``certified`` and ``numerical`` measured in the same run.

Usage::

    .venv/bin/python benchmarks/bench_ppt_screen.py --states 20 --repeats 3 --seed 0
"""
from __future__ import annotations

import os

for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import argparse  # noqa: E402
import statistics  # noqa: E402
import time  # noqa: E402

import numpy as np  # noqa: E402

from sdp import relaxation  # noqa: E402
from sdp.bounds import ppt_upper_bound  # noqa: E402
from sdp.engine import reset_solvers  # noqa: E402
from sdp.screen import normalised_state, ppt_screen_value  # noqa: E402


def sample(n: int, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    w = rng.dirichlet(np.ones(4), n)
    m = n // 4
    w[:m, 0] = 10 ** rng.uniform(-4, -1, m) * w[:m, 1:].sum(1)
    return w / w.sum(1, keepdims=True)


def fresh() -> None:
    """Forget compiled models and solver instances: every timing pays for its compilation."""
    relaxation._CACHE.clear()  # noqa: SLF001 - the benchmark measures cold evaluations
    reset_solvers()


def run(variant: str, w: np.ndarray):
    fresh()
    t0 = time.perf_counter()
    if variant == "screen":
        r = ppt_screen_value(w)
        return time.perf_counter() - t0, r.value, r.iterations
    res = ppt_upper_bound(normalised_state(w), certify=(variant == "certified"))
    return time.perf_counter() - t0, res.value, res.iterations


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--states", type=int, default=20)
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--seed", type=int, default=0)
    a = ap.parse_args(argv)
    W = sample(a.states, a.seed)
    variants = ("certified", "numerical", "screen")
    times = {v: [] for v in variants}
    iters = {v: [] for v in variants}
    vals = {v: {} for v in variants}
    for rep in range(a.repeats):
        for i, w in enumerate(W):
            for v in variants:  # interleaved: load changes hit all variants alike
                dt, val, it = run(v, w)
                times[v].append(dt)
                iters[v].append(it)
                vals[v][i] = val
    print(f"{a.states} states x {a.repeats} repeats, seed {a.seed} (one thread; each timing "
          "includes compiling the state's model)")
    med = {v: statistics.median(times[v]) for v in variants}
    for v in variants:
        dev = max(abs(vals[v][i] - vals["numerical"][i]) for i in range(a.states))
        print(f"  {v:9s}  median {med[v] * 1e3:7.1f} ms   worst {max(times[v]) * 1e3:7.1f} ms   "
              f"mean iterations {statistics.mean(iters[v]):5.1f}   max |value - numerical| {dev:.1e}")
    print(f"  screen speed-up (ratio of medians): {med['certified'] / med['screen']:.2f}x against "
          f"certified, {med['numerical'] / med['screen']:.2f}x against numerical")


if __name__ == "__main__":
    main()
