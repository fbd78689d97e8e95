"""Tetra benchmark: ``sepgap sweep tetra --steps M`` on 1 and 2 local workers and on a Dask
LocalCluster of 2, and what the 1/40 map would cost on a cluster.

Each run is a fresh ``sepgap`` process into a fresh directory (start-up, cluster start and the
figures included: the wall time a user sees). The rows of every run are compared with the
serial run (timing columns aside): they must be identical. Printed: wall times, speed-ups,
the per-point CPU cost (``solve_time + certify_time + locc_time`` of one row per orbit,
summed, divided by the number of orbits), and an extrapolation to ``--extrapolate M`` (default
40: 12,341 states) on ``--cores`` cores (default 100):

    time = solves(M) * per-solve cost / cores

where ``solves(M)`` is the number of orbits (one SDP per sorted representative; the other
points of an orbit are relabelled certificates, nearly free). The per-point cost of a tetra
grid grows towards the interior of the tetrahedron (x0 > 0 with every component positive are
the slow points), so a small ``--steps`` under-estimates it; the estimate says how many of the
measured points were such interior points.

Usage::

    .venv/bin/python benchmarks/bench_tetra.py                 # --steps 10: 286 states
    .venv/bin/python benchmarks/bench_tetra.py --steps 4 --runs serial,dask
"""
from __future__ import annotations

import os

for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import argparse  # noqa: E402
import csv  # noqa: E402
import shutil  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
from fractions import Fraction  # noqa: E402
from pathlib import Path  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

RUNS = {
    "serial": [],
    "pool2": ["--workers", "2"],
    "dask2": ["--scheduler", "local:2"],
}
TIMING = ("solve_time", "certify_time", "locc_time")


def orbits(m: int) -> int:
    """Sorted representatives (x0, a >= b >= c) of the tetra grid of step 1/m: one SDP each."""
    from experiments.families import tetra_family
    return len(set(tetra_family(m).orbit_keys()))


def run(kind: str, steps: int, work: Path) -> tuple:
    out = work / kind
    shutil.rmtree(out, ignore_errors=True)
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    cmd = [sys.executable, "-m", "experiments.cli", "sweep", "tetra", "--steps", str(steps),
           "--out", str(out), "--quiet"] + RUNS[kind]
    t = time.perf_counter()
    proc = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True)
    wall = time.perf_counter() - t
    if proc.returncode != 0:
        raise SystemExit(f"{kind}: exit {proc.returncode}: {proc.stderr.strip()}")
    with open(out / "tetra.csv", newline="") as f:
        rows = list(csv.DictReader(f))
    return wall, rows


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--steps", type=int, default=10, help="tetra grid step 1/M (default 10)")
    ap.add_argument("--runs", default="serial,pool2,dask2",
                    help="comma-separated subset of " + ",".join(RUNS))
    ap.add_argument("--extrapolate", type=int, default=40, help="target grid 1/M (default 40)")
    ap.add_argument("--cores", type=int, default=100, help="cluster cores (default 100)")
    args = ap.parse_args(argv)
    kinds = [k.strip() for k in args.runs.split(",") if k.strip()]
    if not kinds or any(k not in RUNS for k in kinds):
        ap.error(f"--runs: choose from {', '.join(RUNS)}")
    if "dask2" in kinds:
        try:
            import distributed  # noqa: F401
        except ImportError:
            print("dask2 skipped: pip install 'sepgap[dask]'")
            kinds.remove("dask2")

    from experiments.families import tetra_size
    n = tetra_size(args.steps)
    work = Path(tempfile.mkdtemp(prefix="sepgap-bench-tetra-"))
    results = {}
    try:
        for kind in kinds:
            wall, rows = run(kind, args.steps, work)
            results[kind] = (wall, rows)
            print(f"{kind:7s} sweep tetra --steps {args.steps} ({n} states): {wall:8.1f} s wall")
    finally:
        shutil.rmtree(work, ignore_errors=True)

    base = kinds[0]
    strip = lambda rows: [{k: v for k, v in r.items() if k not in TIMING} for r in rows]  # noqa: E731
    for kind in kinds[1:]:
        same = strip(results[kind][1]) == strip(results[base][1])
        print(f"{kind:7s} vs {base}: speed-up {results[base][0] / results[kind][0]:.2f}x, "
              f"rows identical: {same}")
        if not same:
            print("ERROR: rows differ between executors")
            return 1

    rows = results[base][1]
    # rows of one orbit carry the timing of its one solve: count each orbit once
    per_orbit = {}
    for r in rows:
        key = (r["x0_exact"],) + tuple(sorted((Fraction(r[f"{c}_exact"]) for c in
                                               ("xA", "xB", "xC")), reverse=True))
        per_orbit[key] = max(per_orbit.get(key, 0.0), sum(float(r[t] or 0) for t in TIMING))
    cpu = sum(per_orbit.values())
    solved = [r for r in rows if float(r["solve_time"] or 0) > 0 and r["sep_upper_method"] == "ppt"]
    interior = sum(1 for r in rows if all(Fraction(r[f"{c}_exact"]) > 0
                                          for c in ("x0", "xA", "xB", "xC")))
    n_orb = orbits(args.steps)
    per_solve = cpu / max(n_orb, 1)
    target = args.extrapolate
    n_target, orb_target = tetra_size(target), orbits(target)
    est = orb_target * per_solve / args.cores
    # every state also computes its own brackets (measurement trees, LOCC protocol), which orbit
    # reuse does not share: the serial wall time per state is the honest per-state cost
    per_state = results[base][0] / n
    est_wall = n_target * per_state / args.cores
    print(f"measured: {cpu:.1f} s of solver CPU over {n} states, {n_orb} orbits "
          f"({len(solved)} rows with a PPT solve), {interior} interior states "
          f"(all of x0, xA, xB, xC > 0); {per_solve:.3f} s per orbit")
    print(f"extrapolation: sweep tetra --steps {target} ({n_target:,} states, {orb_target:,} "
          f"orbits) on {args.cores} cores: about {est / 60:.1f} min "
          f"({orb_target * per_solve / 3600:.1f} CPU hours), assuming the per-orbit cost of "
          f"--steps {args.steps}; the fraction of interior states grows from "
          f"{interior / n:.0%} to {_interior_fraction(target):.0%}, and interior states are "
          "the slow ones, so read this as a lower estimate")
    print(f"with the full brackets: {per_state:.3f} s of serial wall time per state at --steps "
          f"{args.steps}; --steps {target} on {args.cores} cores: about {est_wall / 60:.1f} min "
          f"({n_target * per_state / 3600:.1f} CPU hours; same caveat)")
    return 0


def _interior_fraction(m: int) -> float:
    from experiments.families import tetra_size
    # all four parts >= 1: compositions of m - 4 into 4 parts
    return (tetra_size(m - 4) if m >= 4 else 0) / tetra_size(m)


if __name__ == "__main__":
    sys.exit(main())
