"""Saved sweep results: the one place that decides whether a saved line may be used.

A sweep appends one JSON line per finished point to ``DIR/<name>.partial.jsonl`` (the first line
stores the configuration). A resumed run must neither lose those points nor trust them
blindly: the file may be torn by a crash, edited by hand, or written by another version. So
:func:`load_partial` reads every line and keeps it only if

* it is a JSON object ``{"id", "row", "certificate", "warm", "lower_certificate"}`` whose ``id``
  is a point of the family (a string), ``row`` a dict with exactly the expected columns of the
  expected types, ``certificate`` a dict or null, ``warm`` null or a readable warm start and
  ``lower_certificate`` null or, for an ``lp`` row, the certificate of its SEP instrument;
* every column except the timings equals the row re-derived from the point's state, its verified
  certificate, the solver report the row repeats and the recorded LOCC rounds
  (:func:`experiments.evaluate.rederive_row`, the functions that wrote it; the LOCC protocol is
  recomputed (deterministic), the SEP lower bound re-derived by
  :func:`experiments.evaluate.lower_for_row`: an ``lp`` row's certificate verified exactly,
  other kinds recomputed);
* a row that says ``certified`` carries a certificate that verifies exactly
  (:func:`sdp.verify_certificate`), is for this very state, bounds SEP (all three pairs, unit
  weights, exact objective), and whose verified bound equals ``sep_upper_certified_exact``;
  a row that is not
  certified holds no bound and no certificate.

Any other line is dropped and its point is computed again; the reasons are counted and the
summary line reports them (``3 saved points failed re-verification and were recomputed``).
Nothing here raises on a bad line: only a first line that is not a sepgap header is refused,
because then the file is not ours to overwrite.

:func:`inspect_saved` tells the runner what an output directory already holds for a run (nothing,
saved points of the same configuration, or results of another one), so that a run never
discards saved work by accident (``--resume`` / ``--fresh``).
"""
from __future__ import annotations

import contextlib
import json
import os
import tempfile
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timezone
from fractions import Fraction
from pathlib import Path

from analytics.certificates import float_upper, frac_str, verify_product_upper
from analytics.errors import SepgapError

from .brackets import report_of_row
from .evaluate import TIMING_COLUMNS, columns_for, decode_raw, lower_for_row, rederive_row

PARTIAL_FORMAT = "sepgap-sweep-partial"
PARTIAL_VERSION = 1
_RECORD_KEYS = {"id", "row", "certificate", "warm", "lower_certificate"}


class SweepError(SepgapError, ValueError):
    """A sweep cannot start or continue (bad option, output directory, partial file)."""


# ---- atomic files --------------------------------------------------------------------------------

def _file_mode() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return 0o666 & ~mask


_FILE_MODE = _file_mode()


def atomic_write(path, write, binary: bool = False) -> Path:
    """``write(fileobj)`` into a temporary file ``.<name>.XXXX.tmp`` next to ``path``, fsync,
    then ``os.replace``. A kill can leave the temporary file behind; :func:`remove_stale_temps`
    deletes such files at the next run."""
    path = Path(path)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        os.chmod(tmp, _FILE_MODE)  # mkstemp makes 0600; give the usual umask permissions
        with os.fdopen(fd, "wb" if binary else "w", **({} if binary else
                                                      {"encoding": "utf-8", "newline": ""})) as f:
            write(f)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    return path


def remove_stale_temps(out: Path, name: str) -> int:
    """Delete the temporary files a killed run of ``name`` left in ``out`` and
    ``out/certificates`` (``.<name>.*.tmp``, ``.<name>-NNNN.json.*.tmp``). Called under the
    run's lock, so no live writer of these names exists. Returns how many were removed."""
    n = 0
    for folder, pattern in ((out, f".{name}.*.tmp"), (out / "certificates", f".{name}-*.tmp")):
        if not folder.is_dir():
            continue
        for f in folder.glob(pattern):
            with contextlib.suppress(OSError):
                f.unlink()
                n += 1
    return n


# ---- reading the partial file ---------------------------------------------------------------------

def _loads(line: bytes):
    """``json.loads`` or None for anything unreadable (torn, not JSON, absurdly nested)."""
    try:
        return json.loads(line)
    except (ValueError, RecursionError, UnicodeDecodeError):
        return None


def read_header(path: Path) -> dict:
    """The first line of a partial file; :class:`SweepError` if it is not a sepgap header."""
    with open(path, "rb") as f:
        first = f.readline()
    header = _loads(first)
    if not isinstance(header, dict) or header.get("format") != PARTIAL_FORMAT:
        raise SweepError(f"{path} is not a sepgap partial results file; use a new --out "
                         "directory or move it away")
    return header


def config_diff(old, new: dict) -> list:
    """The configuration keys that differ (``["format version"]`` if ``old`` is unusable)."""
    if not isinstance(old, dict):
        return ["format version"]
    keys = sorted(set(old) | set(new))
    return [k for k in keys if old.get(k) != new.get(k)] or ["format version"]


def _same_config(header: dict, config: dict) -> bool:
    return header.get("version") == PARTIAL_VERSION and header.get("config") == config


# ---- checking one saved line -----------------------------------------------------------------------

_NUMBER_COLUMNS = ("x0", "xA", "xB", "xC", "kappa", "sep_lower", "sep_upper", "sep_upper_certified",
                   "sep_upper_numerical", "gap_certified", "gap_upper", "locc_lower",
                   "locc_sup_lower", "locc_upper", "gap_lower", "sep_width", "locc_width",
                   "solve_time", "certify_time", "locc_time", "sep_lower_p_AB", "sep_lower_p_AC",
                   "sep_lower_p_BC", "sep_upper_p_AB", "sep_upper_p_AC", "sep_upper_p_BC")
_INT_COLUMNS = ("index", "iterations", "locc_rounds")
_TEXT_COLUMNS = ("id", "sep_lower_kind", "sep_upper_status", "sep_upper_kind", "sep_upper_method",
                 "locc_protocol", "certificate_file", "sep_upper_note", "locc_sup_kind",
                 "locc_upper_kind")
_UPPER_KINDS = ("certified", "numerical", "failed")


def _type_error(row: dict, param_names) -> str | None:
    """The first column whose value has the wrong JSON type, as a reason, or None."""
    def bad(key, ok):
        v = row[key]
        return not (v is None or ok(v))
    is_num = lambda v: isinstance(v, (int, float)) and not isinstance(v, bool)  # noqa: E731
    is_int = lambda v: isinstance(v, int) and not isinstance(v, bool)  # noqa: E731
    for key in row:
        if key in _NUMBER_COLUMNS or key in param_names:
            if key in param_names and isinstance(row[key], str):
                continue  # a custom family's parameter may be text
            if bad(key, is_num):
                return f"wrong type of {key}"
        elif key in _INT_COLUMNS:
            if bad(key, is_int):
                return f"wrong type of {key}"
        elif key in _TEXT_COLUMNS or key.endswith("_exact"):
            if bad(key, lambda v: isinstance(v, str)):
                return f"wrong type of {key}"
        elif key == "kappa_exceeds_sep_upper":
            if bad(key, lambda v: isinstance(v, bool)):
                return f"wrong type of {key}"
    return None


def _absurd_number(obj, depth: int = 0) -> bool:
    """True if a string of the certificate (outside ``claim`` and ``provenance``) is a number
    too large for exact arithmetic (:func:`analytics.limits.check_number_text`): ``"3e-999999999"``
    would make the exact verifier run for minutes."""
    from analytics.limits import SizeError, check_number_text
    if depth > 20:
        return True  # no certificate nests this deep
    if isinstance(obj, dict):
        return any(_absurd_number(v, depth + 1) for k, v in obj.items()
                   if k not in ("claim", "provenance"))
    if isinstance(obj, list):
        return any(_absurd_number(v, depth + 1) for v in obj)
    if isinstance(obj, str):
        try:
            check_number_text(obj)
        except SizeError:
            return True
    return False


def _certified_bound(row: dict, cert, point) -> tuple:
    """``(bound or None, reason or None)`` for the upper-bound part of a saved row."""
    from analytics.certificates import state_to_json

    kind = row["sep_upper_kind"]
    if kind not in _UPPER_KINDS:
        return None, "unknown sep_upper_kind"
    if kind != "certified":
        if cert is not None or any(row[k] is not None for k in (
                "sep_upper", "sep_upper_certified", "sep_upper_certified_exact")):
            return None, "uncertified row holds a bound or a certificate"
        return None, None
    if not isinstance(cert, dict):
        return None, "certified row without a certificate"
    # the state first, as written (cheap, and no huge number reaches the exact verifier)
    if cert.get("state") != state_to_json(point.state):
        return None, "certificate is for another state"
    if _absurd_number(cert):
        return None, "certificate holds an absurdly large number"
    from sdp import verify_certificate
    if cert.get("kind") == "sep_upper_product":  # SEP <= 0 for a product state (no relaxation)
        res = verify_product_upper(cert)
        if not res.valid:
            return None, "certificate does not verify"
    else:
        res = verify_certificate(cert)
        if not res.valid:
            return None, "certificate does not verify"
        rel = cert.get("relaxation") or {}
        if (rel.get("pairs") != ["AB", "AC", "BC"] or rel.get("objective") != "exact"
                or [str(w) for w in rel.get("weights") or ()] != ["1", "1", "1"]):
            return None, "certificate does not bound SEP (pairs, weights or objective)"
    bound = Fraction(res.bound)
    if row["sep_upper_certified_exact"] != frac_str(bound):
        return None, "sep_upper_certified differs from the verified bound"
    if row["sep_upper_certified"] != float_upper(bound) or row["sep_upper"] != float_upper(bound):
        return None, "sep_upper_certified differs from the verified bound"
    return bound, None


def check_record(rec, point, columns: set, param_names=(), locc_rounds=None,
                 lower_method: str = "auto") -> str | None:
    """Why the saved line ``rec`` for ``point`` cannot be used, or None if it can (module
    docstring); ``locc_rounds`` and ``lower_method`` are the run's recorded options. Never
    raises on bad data."""
    if not isinstance(rec, dict) or set(rec) != _RECORD_KEYS:
        return "malformed line"
    row, cert, warm = rec["row"], rec["certificate"], rec["warm"]
    lower_cert = rec["lower_certificate"]
    if not isinstance(row, dict):
        return "row is not an object"
    if cert is not None and not isinstance(cert, dict):
        return "certificate is not an object"
    if set(row) != columns:
        missing = sorted(columns - set(row))
        return f"missing column {missing[0]}" if missing else "unexpected columns"
    why = _type_error(row, param_names)
    if why:
        return why
    bound, why = _certified_bound(row, cert, point)
    if why:
        return why
    if lower_cert is not None and (not isinstance(lower_cert, dict) or _absurd_number(lower_cert)):
        return "malformed lower-bound certificate"
    try:
        lower, why = lower_for_row(point.state.exact(), row.get("sep_lower_kind"), lower_cert,
                                   lower_method)
    except SepgapError as exc:
        lower, why = None, f"lower bound: {exc}"
    if why:
        return why
    # the whole row again, through the functions that wrote it (timings excepted)
    try:
        fresh = rederive_row(point, upper_bound=bound, report=report_of_row(row),
                             locc_rounds=locc_rounds, lower=lower)
    except (SepgapError, ArithmeticError, ValueError, TypeError) as exc:
        return f"cannot re-derive the row ({type(exc).__name__})"
    for key, value in fresh.items():
        if key in TIMING_COLUMNS:
            continue
        if row[key] != value or type(row[key]) is not type(value):
            return f"{key} differs"
    if warm is not None:
        try:
            if not isinstance(warm, dict) or decode_raw(warm) is None:
                return "unreadable warm start"
        except (ValueError, TypeError, KeyError, AttributeError):
            return "unreadable warm start"
    return None


# ---- loading ----------------------------------------------------------------------------------------

@dataclass
class Loaded:
    """What :func:`load_partial` kept and dropped.

    ``records``: point id -> trusted record, in file order. ``rejected``: point id -> reason
    for points whose saved line(s) failed and that have no good line. ``unreadable``: lines
    that are not JSON objects with a string ``id`` (a torn last line after a crash).
    ``rewrite``: the file holds lines that must not stay (dropped or duplicate lines).
    ``dropped``: ``(reason, raw line)`` of every line not kept, for the rejected-lines file.
    """

    header: dict
    records: dict = field(default_factory=dict)
    rejected: dict = field(default_factory=dict)
    unreadable: int = 0
    rewrite: bool = False
    dropped: list = field(default_factory=list)

    def report(self) -> dict:
        """JSON-ready counts for the summary: ``recomputed`` points and ``reasons``."""
        reasons = Counter(self.rejected.values())
        if self.unreadable:
            reasons["unreadable line"] += self.unreadable
        return {"count": len(self.rejected), "ids": sorted(self.rejected),
                "unreadable_lines": self.unreadable, "reasons": dict(reasons)}


def load_partial(path: Path, family) -> Loaded:
    """Read ``path`` and keep every line that passes :func:`check_record` (module docstring)."""
    header = read_header(path)
    with open(path, "rb") as f:
        data = f.read()
    lines = data.split(b"\n")[1:]
    loaded = Loaded(header, rewrite=not data.endswith(b"\n"))
    points = {p.id: p for p in family.points}
    columns = set(columns_for(family.param_names))
    params = tuple(family.param_names)
    for ln in lines:
        if not ln.strip():
            continue
        rec = _loads(ln)
        pid = rec.get("id") if isinstance(rec, dict) else None
        if not isinstance(pid, str):
            loaded.unreadable += 1
            loaded.rewrite = True
            loaded.dropped.append(("unreadable line", ln))
            continue
        point = points.get(pid)
        if point is None:
            loaded.rejected.setdefault(pid, "not a point of this sweep")
            loaded.rewrite = True
            loaded.dropped.append(("not a point of this sweep", ln))
            continue
        if pid in loaded.records:  # a duplicate (e.g. an interrupted rewrite): keep the first
            loaded.rewrite = True
            if rec != loaded.records[pid]:
                loaded.dropped.append(("second line for this point", ln))
            continue
        cfg = header.get("config") if isinstance(header.get("config"), dict) else {}
        why = check_record(rec, point, columns, params, locc_rounds=cfg.get("locc_rounds"),
                           lower_method=cfg.get("lower", "tree"))
        if why is None:
            loaded.records[pid] = rec
            loaded.rejected.pop(pid, None)
        else:
            loaded.rejected.setdefault(pid, why)
            loaded.rewrite = True
            loaded.dropped.append((why, ln))
    # a "point" outside the family is not recomputed, only dropped: report just real points
    loaded.rejected = {k: v for k, v in loaded.rejected.items() if k in points}
    return loaded


def keep_dropped(path: Path, dropped: list) -> Path | None:
    """Append the lines a resume drops to ``<path minus .jsonl>.rejected.jsonl`` (one JSON
    object ``{"reason", "line", "dropped"}`` each): nothing saved disappears without a trace,
    and an edited or damaged line can still be inspected. Returns the file, or None."""
    if not dropped:
        return None
    out = path.with_name(path.name.removesuffix(".jsonl") + ".rejected.jsonl")
    when = datetime.now(timezone.utc).isoformat(timespec="seconds")
    with open(out, "a", encoding="utf-8") as f:
        for why, raw in dropped:
            f.write(json.dumps({"reason": why, "dropped": when,
                                "line": raw.decode("utf-8", errors="replace")}) + "\n")
        f.flush()
        os.fsync(f.fileno())
    return out


# ---- what an output directory holds -------------------------------------------------------------------

@dataclass
class Saved:
    """What ``DIR`` holds for a run named ``name``: ``status`` is ``"empty"`` (nothing of this
    name, or a partial file without points), ``"same"`` (saved points or finished results of
    this very configuration), ``"other"`` (of another configuration, or unreadable);
    ``points`` counts saved lines, ``diff`` names the differing configuration keys, ``what``
    is the file for messages, ``foreign`` says it is not a sepgap partial file at all."""

    status: str
    points: int = 0
    diff: list = field(default_factory=list)
    what: str = ""
    partial: bool = False
    foreign: bool = False  # not a sepgap partial file at all


def _count_lines(path: Path) -> int:
    with open(path, "rb") as f:
        f.readline()
        return sum(1 for ln in f if ln.strip())


def inspect_saved(out: Path, name: str, config: dict) -> Saved:
    """See :class:`Saved`; never raises for a file's content."""
    config = json.loads(json.dumps(config))
    part = out / f"{name}.partial.jsonl"
    if part.exists():
        try:
            header = read_header(part)
            n = _count_lines(part)
        except SweepError:
            return Saved("other", what=f"{part}", partial=True, foreign=True)
        except OSError as exc:
            raise SweepError(f"cannot read {part}: {exc.strerror or exc}") from None
        if n and _same_config(header, config):
            return Saved("same", n, what=f"{part}", partial=True)
        if n:
            return Saved("other", n, config_diff(header.get("config"), config), f"{part}",
                         partial=True)
    doc_path = out / f"{name}.json"
    if doc_path.exists():
        try:
            with open(doc_path, "rb") as f:
                doc = json.loads(f.read())
            old = doc.get("config") if isinstance(doc, dict) else None
        except (OSError, ValueError, RecursionError):
            old = None
        if old == config:
            return Saved("same", what=f"{doc_path}")
        return Saved("other", diff=config_diff(old, config), what=f"{doc_path}")
    return Saved("empty")


# ---- the partial file of a run -----------------------------------------------------------------------

class PartialFile:
    """Append-only record of finished points (``<name>.partial.jsonl``).

    ``mode`` is ``"resume"`` (keep the lines that pass :func:`load_partial`) or ``"new"`` (start
    a new file; the caller has decided that nothing saved is lost by that).
    """

    def __init__(self, path: Path, config: dict, family, mode: str):
        self.path = path
        self.config = json.loads(json.dumps(config))
        self.done: dict = {}
        self.loaded: Loaded | None = None
        self.rejected_path: Path | None = None
        self._f = None
        header = {"format": PARTIAL_FORMAT, "version": PARTIAL_VERSION, "config": self.config,
                  "created": datetime.now(timezone.utc).isoformat(timespec="seconds")}
        if mode == "resume" and path.exists() and _same_config(read_header(path), self.config):
            loaded = load_partial(path, family)
            self.loaded = loaded
            self.done = dict(loaded.records)
            if loaded.rewrite:  # drop bad, torn and duplicate lines before appending
                self.rejected_path = keep_dropped(path, loaded.dropped)
                body = [json.dumps(loaded.header)] + [json.dumps(r) for r in self.done.values()]
                atomic_write(path, lambda f: f.write("\n".join(body) + "\n"))
        else:
            atomic_write(path, lambda f: f.write(json.dumps(header) + "\n"))
        self._f = open(path, "a", encoding="utf-8")

    def append(self, rec: dict) -> None:
        self._f.write(json.dumps(rec) + "\n")
        self._f.flush()
        os.fsync(self._f.fileno())
        self.done[rec["id"]] = rec

    def close(self) -> None:
        if self._f is not None:
            self._f.close()
            self._f = None


def recompute_note(report: dict | None) -> str:
    """The summary-line clause for saved lines that were dropped, or ``""``."""
    if not report or not (report["count"] or report["unreadable_lines"]):
        return ""
    reasons = "; ".join(f"{why}: {n}" for why, n in sorted(report["reasons"].items()))
    n = report["count"]
    parts = []
    if n:
        parts.append(f"{n} saved point{'s' if n != 1 else ''} failed re-verification and "
                     f"{'were' if n != 1 else 'was'} recomputed")
    u = report["unreadable_lines"]
    if u:
        parts.append(f"{u} unreadable saved line{'s' if u != 1 else ''} dropped")
    return " and ".join(parts) + f" ({reasons})"


__all__ = ["PARTIAL_FORMAT", "PARTIAL_VERSION", "SweepError", "atomic_write", "remove_stale_temps",
           "read_header", "config_diff", "check_record", "load_partial", "Loaded", "inspect_saved",
           "keep_dropped",
           "Saved", "PartialFile", "recompute_note"]
