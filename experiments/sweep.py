"""The resumable, parallel sweep runner behind ``sepgap fig1`` and ``sepgap sweep``.

:func:`run_sweep` evaluates every point of a family (:mod:`experiments.families`) with
:func:`experiments.evaluate.evaluate_point` and writes, into the output directory ``DIR``:

``<name>.partial.jsonl``  one JSON line per finished point, appended (flush + fsync) as soon as
                          it finishes; the first line stores the configuration.
``<name>.csv``            one row per point, sorted, plain CSV (loads into pandas as is).
``<name>.json``           the same rows, provenance, the summary and every certificate.
``<name>.png/.pdf``       the figure.
``certificates/<id>.json`` each certificate on its own (``sepgap verify FILE``).

The final files are written atomically (a temporary file in ``DIR``, then ``os.replace``) from
the complete set of points, so a half-written file is never left behind.

Saved work (:mod:`experiments.saved`, the one place that reads it): ``--resume`` re-checks every
saved line (structure, recomputed analytic columns, exactly re-verified certificate) and
computes again any line that fails, counting it in the summary; a run without ``--resume`` into
a folder holding saved results is refused (``--fresh`` starts over on purpose).

Determinism. The points are cut into fixed chunks of ``chunk_size`` (default 8) consecutive
points, independent of the number of workers. A chunk is solved serially, each point
warm-started from the previous point of the chunk when both have the same zero pattern (the
first point of a chunk starts cold), every point from a fresh solver instance. Chunks go to an
executor (:mod:`experiments.executors`: this process, local worker processes, or a Dask
cluster; one BLAS thread each). So ``--workers 1`` and ``--workers K`` do
the same computations. A point's warm-start data is stored with it in the partial file
(bit-exact), so ``--resume`` continues a chunk exactly where it stopped: a resumed run gives
the same numbers as an uninterrupted one and computes only the missing points.
"""
from __future__ import annotations

import contextlib
import csv
import io
import json
import math
import os
import platform
import re
import sys
import tempfile
from dataclasses import dataclass, field
from datetime import datetime, timezone
from fractions import Fraction
from pathlib import Path
from analytics.errors import SepgapError

from analytics.display import ShortRepr
from analytics.errors import SepgapError
from analytics.lower import check_budget, check_method

from .brackets import report_of_row
from .evaluate import (LOCC_DEFAULT_ROUNDS, columns_for, decode_raw, encode_raw, evaluate_point,
                       lower_certificate_id, usable_warm_start)
from .executors import ExecutorError, describe, make_executor, run_tasks
from .families import Family, FamilyError, as_family, frac_str
from .saved import (PARTIAL_FORMAT, PARTIAL_VERSION, PartialFile, SweepError,  # noqa: F401
                    atomic_write, inspect_saved, recompute_note, remove_stale_temps)

#: Points per chunk (the unit of warm-start chains and of parallel work).
CHUNK_SIZE = 8
#: Test hook: raise KeyboardInterrupt after this many points were recorded in this run.
STOP_AFTER_ENV = "SEPGAP_SWEEP_STOP_AFTER"


def _sepgap_version() -> str:
    from importlib.metadata import PackageNotFoundError, version
    try:
        return version("sepgap")
    except PackageNotFoundError:
        return "unknown"


# ---- files -----------------------------------------------------------------------------------

def prepare_out_dir(out_dir) -> Path:
    """Create ``out_dir`` if needed and check that files can be created in it."""
    out = Path(out_dir)
    try:
        out.mkdir(parents=True, exist_ok=True)
    except FileExistsError:
        raise SweepError(f"cannot create output directory {out}: a file of that name exists") from None
    except OSError as exc:
        raise SweepError(f"cannot create output directory {out}: {exc.strerror or exc}") from None
    if not out.is_dir():
        raise SweepError(f"output path {out} is not a directory")
    try:
        fd, probe = tempfile.mkstemp(dir=out, prefix=".sepgap-write-test.")
        os.close(fd)
        os.unlink(probe)
    except OSError as exc:
        raise SweepError(f"cannot write to output directory {out}: {exc.strerror or exc}") from None
    return out


def csv_value(v):
    if v is None:
        return ""
    if isinstance(v, bool):
        return "True" if v else "False"
    if isinstance(v, float):
        return repr(v) if math.isfinite(v) else ""
    return v


def csv_text(rows: list, columns: list) -> str:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(columns)
    for r in rows:
        w.writerow([csv_value(r.get(c)) for c in columns])
    return buf.getvalue()


def json_text(doc: dict, rows: list, certificates: dict) -> str:
    """Pretty at the top level, one line per row and per certificate (certificates are long)."""
    parts = ["{"]
    for k, v in doc.items():
        parts.append(f" {json.dumps(k)}: " + json.dumps(v, indent=1).replace("\n", "\n ") + ",")
    parts.append(' "rows": [')
    parts.append(",\n".join("  " + json.dumps(r) for r in rows))
    parts.append(" ],")
    parts.append(' "certificates": {')
    parts.append(",\n".join(f"  {json.dumps(k)}: {json.dumps(c)}" for k, c in certificates.items()))
    parts.append(" }")
    parts.append("}")
    return "\n".join(parts) + "\n"


# ---- running chunks ----------------------------------------------------------------------------

def make_chunks(n: int, chunk_size: int, groups=None) -> list:
    """Consecutive chunks of ``chunk_size`` points; with ``groups`` (a key per point), a chunk
    is cut only where the key changes, so a group (an orbit) never spans two workers."""
    if groups is None:
        return [list(range(i, min(i + chunk_size, n))) for i in range(0, n, chunk_size)]
    chunks, cur = [], []
    for i in range(n):
        if len(cur) >= chunk_size and groups[i] != groups[i - 1]:
            chunks.append(cur)
            cur = []
        cur.append(i)
    if cur:
        chunks.append(cur)
    return chunks


def run_chunk(task: dict, emit) -> None:
    """Solve one chunk serially; ``emit(record)`` after every computed point.

    ``task``: ``points`` (the chunk), ``compute`` (which of them to compute), ``warm`` (stored
    warm-start data of already finished points, by position), ``options`` (for
    :func:`evaluate_point`).
    """
    points, compute, stored, opts = task["points"], task["compute"], task["warm"], task["options"]
    warm, prev_pattern, lower_seeds = None, None, None
    for j, p in enumerate(points):
        pattern = p.zero_pattern()
        if compute[j]:
            ws = warm if prev_pattern == pattern else None
            # the LP columns of the neighbour are valid columns for any state: a warm start
            res = evaluate_point(p, warm_start=ws, lower_seeds=lower_seeds, **opts)
            nxt = points[j + 1] if j + 1 < len(points) else None
            # orbit reuse solves cold, so no warm start is worth storing
            keep = (not opts.get("orbit_reuse") and nxt is not None
                    and nxt.zero_pattern() == pattern and usable_warm_start(res.raw))
            emit({"id": p.id, "row": res.row, "certificate": res.certificate,
                  "warm": encode_raw(res.raw) if keep else None,
                  "lower_certificate": res.lower_certificate})
            warm = res.raw
            if res.lower_seeds is not None:
                lower_seeds = res.lower_seeds
        else:
            warm = decode_raw(stored.get(j))
        prev_pattern = pattern


# ---- summary ---------------------------------------------------------------------------------

def _where(family: Family, rows: list, limit: int = 3) -> str:
    locs = [family.location(r) for r in rows]
    head, sep, _ = locs[0].partition(" = ") if locs else ("", "", "")
    if sep and all(loc.startswith(head + " = ") for loc in locs):
        locs = [locs[0]] + [loc[len(head) + 3:] for loc in locs[1:]]
    text = ", ".join(locs[:limit])
    return text + (f" and {len(locs) - limit} more" if len(locs) > limit else "")


def _ceil_str(q: Fraction, digits: int = 9, up: bool = True) -> str:
    """``q`` rounded up (``up``) or down to ``digits`` significant digits, so that a printed
    upper (lower) bound is still one."""
    import decimal
    ctx = decimal.Context(prec=digits, rounding=decimal.ROUND_CEILING if up else decimal.ROUND_FLOOR)
    d = ctx.divide(decimal.Decimal(q.numerator), decimal.Decimal(q.denominator))
    return format(d.normalize(ctx), "g") if d else "0"


def summarize(family: Family, rows: list, recomputed: dict | None = None) -> dict:
    """The numbers of the summary line (also stored in the JSON) and the line itself.
    ``recomputed``: what a resumed run dropped from the saved lines (:meth:`saved.Loaded.report`)."""
    n = len(rows)
    uncert = [r for r in rows if r.get("sep_upper_kind") != "certified"]
    s: dict = {"points": n, "certified": n - len(uncert),
               "uncertified": [r["id"] for r in uncert]}
    parts = []
    # gap_lower = sep_lower - min(kappa, cut monotone, certified PPT) (= gap_certified on the plane)
    gaps = [(Fraction(r["gap_lower_exact"]), r) for r in rows if r.get("gap_lower_exact")]
    if gaps:
        gmax = max(g for g, _ in gaps)
        at = [r for g, r in gaps if g == gmax]
        s["max_gap_certified"] = {"value": float(gmax), "exact": frac_str(gmax),
                                  "ids": [r["id"] for r in at],
                                  "where": [family.location(r) for r in at]}
        if gmax > 0:
            parts.append(f"max certified SEP-LOCC gap {_ceil_str(gmax, 6, up=False)}"
                         + ("" if Fraction(float(gmax)) == gmax or len(frac_str(gmax)) > 24
                            else f" (= {frac_str(gmax)})")
                         + f" at {_where(family, at)}")
        else:
            parts.append(f"no certified SEP-LOCC gap (the explicit SEP instrument does not exceed "
                         f"min(kappa, cut monotone, PPT) at any of the {len(gaps)} points)")
    else:
        s["max_gap_certified"] = None
        parts.append("no certified SEP lower bound (no explicit instrument applies)")
    ups = [(Fraction(r["gap_upper_exact"]), r) for r in rows if r.get("gap_upper_exact")]
    if ups:
        umax = max(g for g, _ in ups)
        s["max_gap_upper"] = {"value": float(umax), "exact": frac_str(umax)}
        cert_note = f"PPT certificates: gap <= {_ceil_str(umax)} everywhere; "
    else:
        s["max_gap_upper"] = None
        cert_note = ""
    exceed = [r for r in rows if r.get("kappa_exceeds_sep_upper") is True]
    s["kappa_exceeds_sep_upper"] = {"count": len(exceed), "ids": [r["id"] for r in exceed],
                                    "where": [family.location(r) for r in exceed]}
    if exceed:
        bad = [r for r in exceed if r.get("x0_exact") == "0"]
        msg = (f"kappa exceeds the certified SEP upper bound at {len(exceed)} of {n} points "
               f"({_where(family, exceed)}): there kappa is not the LOCC optimum")
        if bad:
            msg += f"; INCONSISTENT at {len(bad)} x0 = 0 points (kappa is the LOCC supremum there)"
        parts.append(msg)
    if uncert:
        tail = (f"{n} points; WARNING: {len(uncert)} of {n} have NO certified SEP upper bound: "
                f"{_where(family, uncert)}")
    else:
        tail = f"{n} points, all certified"
    s["line"] = "; ".join(parts) + f" ({cert_note}{tail})"
    if recomputed is not None:
        s["saved_lines_recomputed"] = recomputed
        note = recompute_note(recomputed)
        if note:
            s["line"] += "; " + note
    return s


# ---- the runner ------------------------------------------------------------------------------

@dataclass(repr=False)
class SweepResult(ShortRepr):
    """What :func:`run_sweep` produced: sorted ``rows`` (dicts), ``certificates`` by point id,
    ``summary`` (dict; ``summary["line"]`` is the printed line), ``paths`` of the files,
    ``computed`` (points computed in this run) and the ``family``."""

    name: str
    family: Family
    rows: list
    certificates: dict
    summary: dict
    paths: dict = field(default_factory=dict)
    computed: int = 0

    @property
    def line(self) -> str:
        return self.summary["line"]

    def _summary(self) -> list:
        return [("name", self.name), ("rows", str(len(self.rows))),
                ("certificates", str(len(self.certificates))), ("computed", str(self.computed)),
                ("line", self.summary.get("line", ""))]


def _check_int(v, what: str, minimum: int) -> int:
    if isinstance(v, bool) or not isinstance(v, int) or v < minimum:
        raise SweepError(f"{what} must be an integer >= {minimum}, got {v!r}")
    return v


def check_solver_options(solver: str, options: dict) -> None:
    """Refuse bad solver settings before the sweep starts (:func:`sdp.engine.check_solver_options`):
    without this, every point would fail with the same error and the sweep end "successfully"."""
    from sdp.engine import SolverError
    from sdp.engine import check_solver_options as check
    try:
        check(solver, options)
    except SolverError as exc:
        raise SweepError(f"--solver-option: {exc}") from None


def check_out_dir(out_dir) -> None:
    """An empty ``--out`` would silently mean the current directory: refuse it."""
    if out_dir is None or (isinstance(out_dir, str) and not out_dir.strip()):
        raise SweepError("--out: empty path (give an output directory)")


def run_sweep(states_or_family, out_dir, *, name: str | None = None, params=None,
              workers: int = 1, resume: bool = False, fresh: bool = False,
              sibling: bool = False, quiet: bool = False,
              solver: str = "auto", solver_options: dict | None = None,
              locc_rounds: int | None = LOCC_DEFAULT_ROUNDS, chunk_size: int = CHUNK_SIZE,
              plot: bool = True, command: str | None = None, shortcut: bool = True,
              scheduler: str | None = None, lower: str = "auto",
              lower_budget: float | None = None) -> SweepResult:
    """Evaluate a family of states and write the tables, certificates and figure.

    Parameters
    ----------
    states_or_family:
        A :class:`~experiments.families.Family` (e.g. ``psi_family(...)``), an iterable of
        states, or a callable (with ``params``: ``f(t) -> state`` for each ``t``; without:
        ``f() -> iterable``); see :func:`experiments.families.custom_family`.
    out_dir:
        Output directory (created if needed).
    name:
        File stem (``<name>.csv`` ...) and point-id prefix; default the family's name.
    workers:
        Worker processes (1: in this process). Results do not depend on it.
    scheduler:
        Run the chunks on Dask instead (:mod:`experiments.executors`): ``"tcp://host:8786"``
        (a running scheduler) or ``"local:K"`` (a LocalCluster of K single-threaded worker
        processes). Not part of the configuration: results do not depend on it, and a sweep
        started on a cluster can be resumed locally and the other way round.
    resume:
        Keep the points already in ``<name>.partial.jsonl`` (same configuration required) and
        compute only the missing ones. Every saved line is checked first
        (:mod:`experiments.saved`): a line that fails is computed again and the summary says so.
    fresh:
        Start over on purpose: discard saved points of ``name`` in ``out_dir`` (whatever their
        configuration). Without ``resume`` or ``fresh``, a directory holding saved points or
        results of ``name`` is refused (nothing is deleted).
    sibling:
        If ``out_dir`` holds results of another configuration (or another run is writing
        there, or it is a file), leave it alone and use the first ``<out_dir>-2``, ``-3``, ...
        that is free (said on stderr; ``make reproduce`` uses it).
    quiet:
        No progress bar (there is none anyway unless stdout and stderr are terminals).
    solver, solver_options:
        Passed to :func:`sdp.ppt_upper_bound` (``"auto"``, ``"CLARABEL"`` or ``"SCS"``: the first
        solver; the other is the fallback); bad options are refused before anything is computed.
    locc_rounds:
        Fortescue-Lo budget of the LOCC protocol column; None: no LOCC column values.
    shortcut:
        Where the checked explicit SEP instrument reaches 1, use the exact trivial bound
        ``SEP <= 1`` (with its certificate) instead of solving the SDP (default True;
        :func:`sdp.bounds.sep_upper_bound`). False: solve the PPT relaxation at every point.
    lower, lower_budget:
        The SEP lower-bound method (``auto``, ``tree``, ``lp``, ``plane``) and the LP's time
        budget in seconds per point (:func:`analytics.lower.sep_lower_bound`; default 20 s).
        Part of the configuration. An LP instrument found within the budget is certified and
        its certificate written; which one is found depends on the budget and the machine, so
        ``sepgap verify`` and ``--resume`` re-check its certificate instead of recomputing it.
    chunk_size:
        Points per warm-start chain (part of the configuration: changing it changes numbers
        in the last digits of the solver output, and hence the certified bounds).
    plot:
        Write ``<name>.png`` and ``<name>.pdf``.
    command:
        Command line recorded in the provenance (default: ``sys.argv``).
    """
    from sdp import SOLVERS

    check_out_dir(out_dir)
    if resume and fresh:
        raise SweepError("--resume keeps saved points and --fresh discards them: give one")
    family = as_family(states_or_family, params=params)
    name = name or family.name
    if not re.fullmatch(r"[A-Za-z0-9_][A-Za-z0-9_.-]*", name):
        raise SweepError(f"name {name!r}: use letters, digits, '_', '-' and '.'")
    if name != family.name:
        family = family.renamed(name)
    workers = _check_int(workers, "--workers", 1)
    chunk_size = _check_int(chunk_size, "chunk_size", 1)
    if not isinstance(solver, str) or solver.upper() not in SOLVERS + ("AUTO",):
        raise SweepError(f"unknown solver {solver!r} (choose from {', '.join(SOLVERS)} or auto)")
    solver = solver.upper()
    if solver == "AUTO":
        from sdp.bounds import primary_solver
        solver = primary_solver(None)  # recorded as the solver actually tried first
    if locc_rounds is not None:
        locc_rounds = _check_int(locc_rounds, "--locc-rounds", 0)
    solver_options = dict(solver_options or {})
    check_solver_options(solver, solver_options)
    try:
        lower = check_method(lower)
        lower_budget = check_budget(lower_budget)
    except SepgapError as exc:
        raise SweepError(str(exc).replace("lower-bound method", "--lower").replace(
            "lower-bound budget", "--lower-budget")) from None
    try:
        make_executor(workers, scheduler)  # checks --scheduler before any file is touched
    except ExecutorError as exc:
        raise SweepError(str(exc)) from None

    opts = {"solver": solver, "solver_options": solver_options,
            "locc_rounds": locc_rounds, "shortcut": bool(shortcut),
            "orbit_reuse": bool(family.orbit_reuse), "lower": lower, "lower_budget": lower_budget}
    config = {"name": name, "family": family.config, "points": len(family),
              "fingerprint": family.fingerprint(), "solver": solver,
              "solver_options": {k: opts["solver_options"][k] for k in sorted(opts["solver_options"])},
              "locc_rounds": locc_rounds, "chunk_size": chunk_size,
              "shortcut": bool(shortcut), "orbit_reuse": bool(family.orbit_reuse),
              "lower": lower, "lower_budget": lower_budget,
              "sepgap": _sepgap_version()}
    out = Path(out_dir)
    for attempt in range(2, 1000):
        taken = None
        if sibling and not fresh and out.exists() and not out.is_dir():
            taken = "is a file"
        else:
            out = prepare_out_dir(out)
            try:
                lock = _lock_dir(out, name)
            except SweepError:
                if not sibling or fresh:
                    raise
                lock, taken = None, "is being written by another sepgap run"
            if lock is not None and sibling and not fresh and \
                    inspect_saved(out, name, config).status == "other":
                lock.close()
                taken = f"holds {name} results of another configuration"
        if taken is None:
            break
        # leave what is there alone and try the next folder
        nxt = Path(f"{out_dir}-{attempt}")
        print(f"sepgap: {out} {taken}; leaving it alone and writing into {nxt}", file=sys.stderr)
        out = nxt
    else:  # pragma: no cover - a thousand folders taken
        raise SweepError(f"no free sibling folder of {out_dir}")
    try:
        mode = _start_mode(out, name, config, resume, fresh, len(family))
        remove_stale_temps(out, name)  # under the lock: no live writer of these files
        return _run_locked(family, out, name, config, opts, workers, mode, quiet, plot,
                           locc_rounds, chunk_size, command, scheduler)
    finally:
        lock.close()


def _start_mode(out: Path, name: str, config: dict, resume: bool, fresh: bool,
                n_points: int | None = None) -> str:
    """``"resume"`` or ``"new"``; refuse (one line naming ``--resume`` and ``--fresh``) whenever
    starting a new partial file would discard saved work that the user did not ask to discard.
    A *finished* run of this very configuration (its partial file holds every point) is
    re-read like ``--resume`` without being asked: every saved line is re-verified, nothing is
    computed again, and the result is reprinted and redrawn."""
    if fresh:
        return "new"
    saved = inspect_saved(out, name, config)
    if saved.status == "empty":
        return "resume" if resume else "new"
    if saved.status == "same":
        if resume:
            return "resume" if saved.partial else "new"  # finished results of this very run
        if saved.partial and n_points is not None and saved.points >= n_points:
            print(f"sepgap: {out} holds the finished {name} run of this configuration; "
                  "re-verifying its saved points and printing its result", file=sys.stderr)
            return "resume"
        held = (f"{saved.points} saved point{'s' if saved.points != 1 else ''} of this "
                f"configuration" if saved.partial else "finished results of this configuration")
        raise SweepError(f"{saved.what} holds {held}; add --resume to keep them (and compute "
                         "only what is missing), or --fresh to discard them and start over")
    if saved.foreign:
        raise SweepError(f"{saved.what} is not a sepgap partial results file; to keep it use a "
                         "new --out directory, or add --fresh to replace it")
    raise SweepError(f"{saved.what} holds results of a different configuration (differs in: "
                     f"{', '.join(saved.diff) or 'unknown'}); to keep them use a new --out "
                     "directory, or add --fresh to discard them and start over")


def _lock_dir(out: Path, name: str):
    """An exclusive lock on ``DIR/.<name>.lock`` for the whole run: two runs writing the same
    partial file would interleave their points."""
    f = open(out / f".{name}.lock", "a+")
    try:
        import fcntl
    except ImportError:  # pragma: no cover - not POSIX: no lock
        return f
    try:
        fcntl.flock(f.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        f.close()
        raise SweepError(f"another sepgap run is writing {out / name}.* right now; wait for it "
                         "or use a different --out directory") from None
    return f


def _run_locked(family, out, name, config, opts, workers, mode, quiet, plot, locc_rounds,
                chunk_size, command, scheduler=None) -> SweepResult:
    partial = PartialFile(out / f"{name}.partial.jsonl", config, family, mode)
    loaded = partial.loaded.report() if partial.loaded is not None else None
    if partial.rejected_path is not None:
        loaded["rejected_file"] = str(partial.rejected_path)
        print(f"sepgap: saved lines that failed their checks were moved to "
              f"{partial.rejected_path}; their points are computed again", file=sys.stderr)
    n_before = len(partial.done)
    computed = 0
    try:
        chunks = make_chunks(len(family), chunk_size, family.orbit_keys())
        tasks = []
        for idx in chunks:
            pts = [family.points[i] for i in idx]
            compute = [p.id not in partial.done for p in pts]
            if not any(compute):
                continue
            warm = {j: partial.done[p.id].get("warm") for j, p in enumerate(pts)
                    if not compute[j] and j + 1 < len(pts) and compute[j + 1]}
            tasks.append({"points": pts, "compute": compute, "warm": warm, "options": opts})
        n_missing = sum(sum(t["compute"]) for t in tasks)
        show = (not quiet) and sys.stderr.isatty() and sys.stdout.isatty()
        stop_after = os.environ.get(STOP_AFTER_ENV)
        stop_after = int(stop_after) if stop_after and stop_after.strip().isdigit() else None

        from tqdm import tqdm
        bar = tqdm(total=len(family), initial=n_before, desc=name, unit="pt", disable=not show,
                   file=sys.stderr, dynamic_ncols=True)

        def handle(rec):
            nonlocal computed
            partial.append(rec)
            computed += 1
            bar.update(1)
            if stop_after is not None and computed >= stop_after and computed < n_missing:
                raise KeyboardInterrupt
        try:
            if n_missing:  # the executor (serial, local pool or Dask) is chosen there
                run_tasks(tasks, handle, runner=run_chunk, workers=workers, scheduler=scheduler)
        finally:
            bar.close()
    except KeyboardInterrupt:
        partial.close()
        print(f"sepgap: {len(partial.done)} of {len(family)} points are saved in "
              f"{partial.path}; run the same command with --resume to finish", file=sys.stderr)
        raise
    finally:
        partial.close()

    missing = [p.id for p in family.points if p.id not in partial.done]
    if missing:  # pragma: no cover - every chunk reports every point it computes
        raise SweepError(f"{len(missing)} points were not computed ({', '.join(missing[:5])})")
    records = [partial.done[p.id] for p in family.points]
    rows = [r["row"] for r in records]
    certificates = {r["id"]: r["certificate"] for r in records if r.get("certificate")}
    for r in records:  # LP lower-bound certificates (experiments.evaluate.lower_for_row)
        if r.get("lower_certificate"):
            certificates[lower_certificate_id(r["id"])] = r["lower_certificate"]
    summary = summarize(family, rows, recomputed=loaded)
    result = SweepResult(name, family, rows, certificates, summary, computed=computed)
    provenance = _provenance(config, opts, workers, command, resumed=bool(mode == "resume" and n_before),
                             computed=computed, rows=rows)
    provenance["executor"] = describe(workers, scheduler)
    result.paths = write_outputs(out, name, family, rows, certificates, summary, provenance,
                                 plot=plot, locc_rounds=locc_rounds, config=config)
    result.paths["dir"] = out
    return result


def _provenance(config, opts, workers, command, resumed, computed, rows) -> dict:
    import numpy
    import scipy
    solver = opts["solver"]
    try:
        from sdp.engine import CLARABEL_DEFAULTS, SCS_DEFAULTS
        defaults = SCS_DEFAULTS if solver == "SCS" else CLARABEL_DEFAULTS
    except ImportError:  # pragma: no cover
        defaults = {}
    try:
        mod = __import__(solver.lower())
        solver_version = getattr(mod, "__version__", "unknown")
    except ImportError:  # pragma: no cover
        solver_version = "unknown"
    if command is None:
        command = " ".join([Path(sys.argv[0]).name] + sys.argv[1:]) if sys.argv else ""
    return {
        "sepgap": _sepgap_version(),
        "date": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "command": command,
        "argv": list(sys.argv),
        "solver": solver, "solver_version": solver_version,
        "solver_options": {**defaults, **opts["solver_options"]},
        "certify": True,
        "shortcut": opts["shortcut"],
        "locc_rounds": opts["locc_rounds"],
        "lower": opts["lower"], "lower_budget": opts["lower_budget"],
        "chunk_size": config["chunk_size"],
        "workers": workers,
        "resumed": resumed,
        "points_computed_in_this_run": computed,
        "python": platform.python_version(), "numpy": numpy.__version__,
        "scipy": scipy.__version__, "platform": platform.platform(),
    }


def write_outputs(out: Path, name: str, family: Family, rows: list, certificates: dict,
                  summary: dict, provenance: dict, plot: bool = True,
                  locc_rounds=None, config: dict | None = None) -> dict:
    """Atomically write ``<name>.csv``, ``<name>.json``, ``certificates/`` and the figure."""
    columns = columns_for(family.param_names)
    paths = {}
    text = csv_text(rows, columns)
    paths["csv"] = atomic_write(out / f"{name}.csv", lambda f: f.write(text))
    doc = {"name": name, "family": family.config, "summary": summary, "provenance": provenance,
           "columns": columns}
    if config is not None:  # lets a later run recognise these results (experiments.saved)
        doc["config"] = config
    # what the upper-bound path reported besides its certificates (solver numbers, labels):
    # sepgap verify re-derives the sep_upper_* columns from it (experiments.brackets.UpperReport)
    doc["upper_reports"] = {r["id"]: report_of_row(r).to_json() for r in rows}
    jtext = json_text(doc, rows, certificates)
    paths["json"] = atomic_write(out / f"{name}.json", lambda f: f.write(jtext))
    cdir = out / "certificates"
    cdir.mkdir(exist_ok=True)
    for pid, cert in certificates.items():
        ctext = json.dumps(cert, indent=1) + "\n"
        atomic_write(cdir / f"{pid}.json", lambda f, t=ctext: f.write(t))
    stale = re.compile(re.escape(name) + r"-\d+(-lower)?\.json")
    for f in cdir.iterdir():  # certificates of an earlier run with more points
        if stale.fullmatch(f.name) and f.stem not in certificates:
            with contextlib.suppress(OSError):
                f.unlink()
    paths["certificates"] = cdir
    if plot:
        from . import plots
        from .style import failure_line
        try:
            paths.update(plots.plot_family(family, rows, out / name, summary=summary,
                                           locc_rounds=locc_rounds))
        except SepgapError:
            raise
        except Exception as exc:  # a figure is optional output: the numbers above are saved
            paths["figure_error"] = failure_line(exc, f"figure {out / name}.png")
    return paths


__all__ = ["run_sweep", "SweepResult", "SweepError", "summarize", "write_outputs",
           "prepare_out_dir", "atomic_write", "make_chunks", "run_chunk", "CHUNK_SIZE",
           "STOP_AFTER_ENV", "FamilyError"]
