"""Complex-state benchmark (issue 19): certified PPT bounds for random canonical states.

Random Haar states (complex Gaussian vectors, fixed seed) are brought to the canonical form of
Acin et al. (:func:`analytics.canonical.canonical_form`); the canonical vector (floats, so exact
binary rationals; one complex amplitude ``l1 e^{i phi}``) is bounded by
:func:`sdp.complex_ppt.complex_ppt_upper_bound` (build, Clarabel, exact certificate, SCS fallback
when needed), ``--runs`` times per state (model and solver built afresh each time). Printed: the
distribution of the per-state median time (median, 90th percentile, worst), how many were
certified, certified minus solver value (max), and the time of the exact re-check
(:func:`sdp.complex_certificate.verify_complex_certificate`) of each certificate. For scale, the
same run times the real engine (:func:`sdp.ppt_upper_bound`) on ``--baseline`` real random states.

Usage::

    .venv/bin/python benchmarks/bench_general.py                    # 100 states, 1 run each
    .venv/bin/python benchmarks/bench_general.py --states 20 --runs 3
"""
from __future__ import annotations

import os

for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import argparse  # noqa: E402
import statistics  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from analytics.canonical import canonical_form  # noqa: E402
from sdp import ppt_upper_bound  # noqa: E402
from sdp.complex_certificate import verify_complex_certificate  # noqa: E402
from sdp.complex_ppt import complex_ppt_upper_bound  # noqa: E402


def pct(xs, q):
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(round(q * (len(xs) - 1))))]


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--states", type=int, default=100)
    ap.add_argument("--runs", type=int, default=1)
    ap.add_argument("--seed", type=int, default=2026)
    ap.add_argument("--baseline", type=int, default=5, help="real states timed with the real engine")
    args = ap.parse_args(argv)
    rng = np.random.default_rng(args.seed)
    med, gaps, ver, n_cert, n_fallback = [], [], [], 0, 0
    t_all = time.perf_counter()
    for i in range(args.states):
        v = rng.normal(size=8) + 1j * rng.normal(size=8)
        v /= np.linalg.norm(v)
        times = []
        for _ in range(args.runs):
            t0 = time.perf_counter()
            c = canonical_form(v)
            res = complex_ppt_upper_bound(c.vector())
            times.append(time.perf_counter() - t0)
        med.append(statistics.median(times))
        if len(res.attempts) > 1:
            n_fallback += 1
        if res.certified is not None:
            n_cert += 1
            gaps.append(float(res.certified) - res.value)
            t0 = time.perf_counter()
            ok = verify_complex_certificate(res.certificate).valid
            ver.append(time.perf_counter() - t0)
            if not ok:
                print(f"state {i}: certificate did NOT verify", file=sys.stderr)
        print(f"state {i:3d}: phi = {c.phi:+.3f}  {res.kind:9s} {float(res.certified or 0):.9f} "
              f"(solver {res.value:.9f})  {med[-1]:.2f} s", flush=True)
    wall = time.perf_counter() - t_all
    base = []
    for _ in range(args.baseline):
        v = rng.normal(size=8)
        v /= np.linalg.norm(v)
        t0 = time.perf_counter()
        ppt_upper_bound(v, certify=True)
        base.append(time.perf_counter() - t0)
    try:
        load = os.getloadavg()
    except OSError:
        load = (float("nan"),) * 3
    print(f"\n{args.states} canonical states x {args.runs} run(s), wall {wall:.0f} s, load average "
          f"{load[0]:.1f} on {os.cpu_count()} cores")
    print(f"time per state (build + solve + certify): median {statistics.median(med):.2f} s, "
          f"90th percentile {pct(med, 0.9):.2f} s, worst {max(med):.2f} s")
    print(f"certified {n_cert}/{args.states}; second solver (Clarabel, real embedding) used for {n_fallback}; "
          f"certified - solver value: max {max(gaps) if gaps else float('nan'):.2e}")
    if ver:
        print(f"exact re-check of each certificate: median {statistics.median(ver):.2f} s, "
              f"worst {max(ver):.2f} s")
    if base:
        print(f"baseline in the same run: real engine on {len(base)} real random states, median "
              f"{statistics.median(base):.2f} s (ratio {statistics.median(med) / statistics.median(base):.1f}x)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
