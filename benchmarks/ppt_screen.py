"""Run (or resume) the LOCC-monotonicity screen of the PPT relaxation (issue 18).

Calls :func:`experiments.ppt_screen.run_ppt_screen`: ``--pairs`` sampled (state, measurement)
pairs per party (A, B, C), every state uniform on the tetrahedron (plane and faces included),
half of the measurements weak; each evaluated value is appended to ``--out`` (a JSON-lines
checkpoint), so running the same command again resumes, after validating every saved line and
re-evaluating ``--recheck`` of them. At the end the worst pairs per party are re-checked with
certificates and a summary is written to ``<out>.summary.json``. docs/locc-monotones.md explains
what the numbers mean.

Usage (one core: one worker, one BLAS thread)::

    .venv/bin/python benchmarks/ppt_screen.py --out results/ppt-screen.jsonl --pairs 10000
    .venv/bin/python benchmarks/ppt_screen.py --out results/ppt-screen.jsonl --pairs 10000  # resumes
    .venv/bin/python benchmarks/ppt_screen.py --out /tmp/x.jsonl --pairs 50 \\
        --function analytics.monotone_candidates:vacuum      # a known non-monotone V: caught

``--max-seconds`` stops the evaluation after that long (then certifies the worst pairs so far;
Ctrl-C / SIGTERM stop without certifying); ``--no-evaluate`` only reads back, analyses, certifies;
``--workers K`` / ``--scheduler local:K|tcp://host:port`` run chunks in parallel (Dask for a
cluster). Exit status: 0 clean, 1 an increase above ``--tol`` found, 2 bad input or an
untrustworthy checkpoint, 3 stopped before every pair was evaluated (run again to continue).
"""
from __future__ import annotations

import os

for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import argparse  # noqa: E402
import sys  # noqa: E402

from analytics.errors import SepgapError  # noqa: E402
from experiments.ppt_screen import PPT_FUNCTION, run_ppt_screen  # noqa: E402


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", required=True, help="checkpoint file (JSON lines); resumed if present")
    ap.add_argument("--pairs", type=int, default=10_000, help="pairs per party [10000]")
    ap.add_argument("--per-state", type=int, default=5, help="measurements per sampled state [5]")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--parties", default="ABC")
    ap.add_argument("--function", default=PPT_FUNCTION, help=f"V as module:function [{PPT_FUNCTION}]")
    ap.add_argument("--chunk-states", type=int, default=2)
    ap.add_argument("--workers", type=int, default=1)
    ap.add_argument("--scheduler", default=None)
    ap.add_argument("--recheck", type=int, default=2, help="saved points re-evaluated on resume [2]")
    ap.add_argument("--certify-top", type=int, default=20, help="worst pairs per party certified [20]")
    ap.add_argument("--tol", type=float, default=1e-6)
    ap.add_argument("--max-seconds", type=float, default=None)
    ap.add_argument("--markdown", action="store_true", help="also print the result as a Markdown table")
    ap.add_argument("--no-evaluate", action="store_true",
                    help="evaluate nothing: read the checkpoint back, analyse, certify")
    a = ap.parse_args(argv)
    try:
        res = run_ppt_screen(a.out, pairs=a.pairs, per_state=a.per_state, seed=a.seed,
                             parties=a.parties, function=a.function, chunk_states=a.chunk_states,
                             workers=a.workers, scheduler=a.scheduler, recheck=a.recheck,
                             certify_top=a.certify_top, tol=a.tol, max_seconds=a.max_seconds,
                             evaluate=not a.no_evaluate,
                             progress=lambda line: print(line, flush=True))
    except SepgapError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print("\n".join(res.lines()), flush=True)
    if a.markdown:
        print("\n".join(res.table()), flush=True)
    if any(res.violations.values()):
        return 1
    return 0 if res.done else 3


if __name__ == "__main__":
    sys.exit(main())
