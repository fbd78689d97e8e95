"""``sepgap verify PATH...``: re-check certificates from the files alone, with no SDP solver.

``PATH`` is a certificate file, a folder (every ``*.json`` in it and in its ``certificates/``
subfolder), or a sweep's ``<name>.json`` (``rows`` and ``certificates``): every certificate is
verified, then every row of the JSON and of ``<name>.csv`` next to it is re-derived from its
exact state, its verified certificate (which must prove an upper bound on SEP), its recorded
solver report (``upper_reports``) and the recorded options (``config``) by the functions that
wrote it (:func:`experiments.evaluate.rederive_row`) and compared column by column; only the
timing columns (:data:`experiments.evaluate.TIMING_COLUMNS`) may differ, and a column that
cannot be re-derived is an error. The summary is recomputed from the re-derived rows by
:func:`experiments.sweep.summarize`. One line per certificate (``valid: SEP <= 0.80000003 for x = ...`` or ``invalid: why``),
one per mismatching row, one per table, and a summary; exit 0 only if everything is valid.
A single certificate file prints just its line, as before. A missing or unreadable file is
exit 1 with the reason (it is not a valid certificate).

Which certificate kinds exist is decided by :data:`VERIFIERS` (one line registers a kind).
"""
from __future__ import annotations

import csv
import json
import sys
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

from analytics.certificates import parse_frac, shorten, state_from_json
from analytics.errors import SepgapError
from analytics.states import WClassState
from sdp.certificate import CertificateError, load_certificate

from .brackets import UpperReport
from .verifiers import VERIFIERS, Rejected, verify_result  # noqa: F401 (re-exported)
from .general_sweep import check_general_sweep
from .evaluate import (TIMING_COLUMNS, columns_for, lower_certificate_id, lower_for_row,
                       rederive_row)
from .families import Family, Point
from .sweep import csv_value, summarize

def verify_any(cert) -> tuple[bool, str]:
    """``(valid, line)`` for any certificate dict: the single dispatcher."""
    res = verify_result(cert)
    return res.valid, res.line()


# ---- sweeps: rows checked against their certificates ------------------------------------------

class _Memo:
    """Verify each distinct certificate once (a sweep's JSON and ``certificates/`` hold copies)."""

    def __init__(self):
        self._seen: dict = {}

    def __call__(self, cert):
        try:
            key = json.dumps(cert, sort_keys=True)
        except (TypeError, ValueError, RecursionError):
            return verify_result(cert)
        if key not in self._seen:
            self._seen[key] = verify_result(cert)
        return self._seen[key]


def is_sweep(doc) -> bool:
    return isinstance(doc, dict) and "rows" in doc and "certificates" in doc


def _get(row: dict, key: str):
    """A row value; the empty CSV string is None."""
    v = row.get(key)
    return None if v == "" else v


def _upper_of(cert_v, st) -> tuple:
    """``(bound or None, problems)``: the bound of a row's certificate, used only if it is valid,
    for this state, and proves an *upper* bound on SEP itself (claim direction checked)."""
    if cert_v is None:
        return None, []
    if not cert_v.valid:
        return None, ["its certificate is invalid, so its sep_upper* numbers are not certified"]
    claim = cert_v.claim
    if claim is None or claim.kind != "upper" or claim.relation != "<=" or not claim.is_sep:
        return None, [f"its certificate proves {shorten(claim.exact() if claim else '?', 80)}, "
                      "not an upper bound on SEP"]
    if cert_v.state_obj != st:
        return None, [f"its certificate is for x = {cert_v.state}, not {st}"]
    return cert_v.bound, []


def _same(got, want, csv_mode: bool) -> bool:
    if csv_mode:
        return (got or "") == str(csv_value(want))
    return got == want and type(got) is type(want)


class _Sweep:
    """What a sweep's JSON records besides rows: columns, parameters, options, reports."""

    def __init__(self, doc: dict):
        self.columns = doc.get("columns")
        if not isinstance(self.columns, list) or "index" not in self.columns \
                or "x0" not in self.columns:
            raise ValueError("'columns' is missing or malformed")
        self.params = tuple(self.columns[self.columns.index("index") + 1:self.columns.index("x0")])
        if self.columns != columns_for(self.params):
            raise ValueError("'columns' are not the columns this sepgap writes")
        self.config = doc.get("config")
        if not isinstance(self.config, dict) or "locc_rounds" not in self.config:
            raise ValueError("'config' (the recorded options) is missing: the rows cannot be "
                             "re-derived")
        self.rounds = self.config["locc_rounds"]
        self.lower = self.config.get("lower", "tree")
        if self.lower not in ("auto", "tree", "lp"):
            raise ValueError(f"config.lower {shorten(self.lower)} is not auto, tree or lp")
        if self.rounds is not None and (isinstance(self.rounds, bool)
                                        or not isinstance(self.rounds, int)):
            raise ValueError("config.locc_rounds is not an integer")
        self.reports = doc.get("upper_reports")
        if not isinstance(self.reports, dict):
            raise ValueError("'upper_reports' is missing: the sep_upper_* columns cannot be "
                             "re-derived")
        fam = doc.get("family") if isinstance(doc.get("family"), dict) else {}
        name = fam.get("name") if fam.get("family") == "custom" else fam.get("family")
        self.family = Family(str(name or "custom"), [], fam, self.params)

    def point(self, row: dict, index: int) -> Point:
        st_vals = [parse_frac(_get(row, f"{c}_exact"), f"{c}_exact") for c in ("x0", "xA", "xB", "xC")]
        st = WClassState.from_components(*st_vals)
        params = {}
        for p in self.params:
            ex = _get(row, f"{p}_exact")
            params[p] = parse_frac(ex, f"{p}_exact") if ex is not None else _get(row, p)
        pid = row.get("id")
        if not isinstance(pid, str):
            raise ValueError("id is not a string")
        return Point(index, pid, st, params)


def expected_row(sweep: _Sweep, row: dict, index: int, cert_v, lower_cert=None) -> tuple:
    """``(expected row or None, problems)``: the row re-derived from its state, its verified
    certificate, its recorded report and the recorded options by the functions that wrote it
    (:func:`experiments.evaluate.rederive_row`); the SEP lower bound by
    :func:`experiments.evaluate.lower_for_row` (``lower_cert``: the row's LP certificate, verified
    exactly; other kinds recomputed)."""
    try:
        point = sweep.point(row, index)
    except (SepgapError, ValueError, TypeError) as exc:
        return None, [f"state or parameter columns: {exc}"]
    up, bad = _upper_of(cert_v, point.state)
    rep = sweep.reports.get(point.id)
    if rep is None:
        return None, bad + ["no recorded solver report (upper_reports): the sep_upper_* columns "
                            "cannot be re-derived"]
    try:
        lower, why = lower_for_row(point.state.exact(), _get(row, "sep_lower_kind"), lower_cert,
                                   sweep.lower)
        if why:
            return None, bad + [f"sep_lower: {why}"]
        return rederive_row(point, upper_bound=up, report=UpperReport.from_json(rep),
                            locc_rounds=sweep.rounds, lower=lower), bad
    except (SepgapError, ValueError, TypeError) as exc:
        return None, bad + [f"cannot re-derive the row: {shorten(str(exc), 200)}"]


def compare_row(row: dict, want: dict, columns, csv_mode: bool = False) -> list:
    """Every column of ``row`` against the re-derived ``want`` (timing columns excepted)."""
    bad = []
    extra = sorted(set(row) - set(columns))
    if extra:
        bad.append(f"unknown column(s) {', '.join(map(shorten, extra))}")
    for col in columns:
        if col in TIMING_COLUMNS:
            continue
        if col not in row:
            bad.append(f"{col} is missing")
        elif not _same(row[col], want.get(col), csv_mode):
            w = want.get(col)
            bad.append(f"{col} is {shorten(row[col])}, the re-derived value is "
                       f"{'empty' if w is None else shorten(w)}")
    return bad


@dataclass
class _PPTView:
    """A verified certificate's result plus the state object (for comparing with a row)."""

    valid: bool
    bound: Fraction | None
    claim: object
    state: str
    state_obj: object
    reason: str = ""


def _view(res, cert) -> _PPTView:
    st = None
    if res.valid:
        try:
            st = state_from_json(cert.get("state"))
        except (SepgapError, ValueError, TypeError, AttributeError):
            st = None
    return _PPTView(res.valid, getattr(res, "bound", None), getattr(res, "claim", None),
                    str(getattr(res, "state", "")), st, getattr(res, "reason", ""))


def check_sweep(doc: dict, path: Path, verify) -> list:
    """``[(ok, line)]`` for a sweep's JSON: every certificate; then every row of the JSON and of
    ``<name>.csv`` next to it re-derived (:func:`expected_row`) and compared column by column;
    then the point list (fingerprint) and the summary recomputed from the re-derived rows by
    :func:`experiments.sweep.summarize`, the function that wrote it. A general-state sweep
    (``sepgap sweep ghz|wghz|canonical``) is re-derived by
    :func:`experiments.general_sweep.check_general_sweep`."""
    if doc.get("kind") == "general_sweep":
        return check_general_sweep(doc, path, verify)
    out = []
    certs = doc.get("certificates")
    rows = doc.get("rows")
    if not isinstance(certs, dict) or not isinstance(rows, list):
        return [(False, f"{path}: invalid: 'rows' must be a list and 'certificates' an object")]
    try:
        sweep = _Sweep(doc)
    except ValueError as exc:
        return [(False, f"{path}: invalid: {exc}")]
    views = {}
    for pid, cert in certs.items():
        res = verify(cert)
        views[pid] = _view(res, cert)
        out.append((res.valid, f"{path}#{pid}: {res.line()}"))
    known = {r.get("id") for r in rows if isinstance(r, dict)}
    known |= {lower_certificate_id(k) for k in known if isinstance(k, str)}
    for pid in certs:
        if pid not in known:
            out.append((False, f"{path}#{pid}: a certificate for no row"))
    expected = []
    for i, row in enumerate(rows):
        if not isinstance(row, dict):
            expected.append((None, ["row is not an object"]))
            continue
        pid = row.get("id")
        expected.append(expected_row(sweep, row, i, views.get(pid) if isinstance(pid, str) else None,
                                     certs.get(lower_certificate_id(pid)) if isinstance(pid, str) else None))

    def table(label, table_rows, csv_mode):
        n_bad, ids = 0, set()
        for i, row in enumerate(table_rows):
            pid = row.get("id") if isinstance(row, dict) else None
            name = pid if isinstance(pid, str) else f"row {i}"
            want, problems = expected[i] if i < len(expected) else (None, ["no such row in the JSON"])
            problems = list(problems)
            if not isinstance(row, dict):
                problems = ["row is not an object"]
            elif isinstance(pid, str) and pid in ids:
                problems.append("duplicate id")
            else:
                if isinstance(pid, str):
                    ids.add(pid)
                if want is not None:
                    problems += compare_row(row, want, sweep.columns, csv_mode)
                cert_v = views.get(pid) if isinstance(pid, str) else None
                problems += _file_check(row, cert_v, path.parent, verify)
                problems += _lower_file_check(row, path.parent, verify)
            if problems:
                n_bad += 1
                out.append((False, f"{label} {name}: MISMATCH: " + "; ".join(problems)))
        n = len(table_rows)
        if n_bad:
            out.append((False, f"{label}: {n_bad} of {n} rows disagree with the re-derivation"))
        else:
            out.append((True, f"{label}: all {n} rows agree with the verified certificates and "
                              "the re-derivation of every column"))

    table(str(path), rows, False)
    csv_path = path.with_suffix(".csv")
    if csv_path.is_file():
        try:
            with open(csv_path, newline="", encoding="utf-8") as f:
                reader = csv.DictReader(f)
                csv_rows = list(reader)
                header = reader.fieldnames
        except (OSError, UnicodeDecodeError, csv.Error) as exc:
            out.append((False, f"{csv_path}: invalid: cannot read ({exc})"))
        else:
            if header != sweep.columns:
                out.append((False, f"{csv_path}: its header is not the sweep's columns"))
            if len(csv_rows) != len(rows):
                out.append((False, f"{csv_path}: {len(csv_rows)} rows, the JSON has {len(rows)}"))
            table(str(csv_path), csv_rows, True)
    out += _check_summary(doc, sweep, expected, path)
    return out


def _check_summary(doc: dict, sweep: _Sweep, expected: list, path: Path) -> list:
    """The point list and the summary, recomputed from the re-derived rows."""
    rows = [w for w, _ in expected]
    if any(r is None for r in rows):
        return [(False, f"{path}: summary: not checked (some rows cannot be re-derived)")]
    out = []
    pts = [sweep.point(r, i) for i, r in enumerate(rows)]
    fam = Family(sweep.family.name, pts, sweep.family.config, sweep.params)
    cfg = sweep.config
    if cfg.get("fingerprint") != fam.fingerprint() or cfg.get("points") != len(rows):
        out.append((False, f"{path}: the rows are not the recorded points (ids, states or "
                           "parameters differ from the configuration's fingerprint)"))
    summary = doc.get("summary")
    recomputed = summary.get("saved_lines_recomputed") if isinstance(summary, dict) else None
    want = summarize(sweep.family, rows, recomputed=recomputed)
    if summary != want:
        keys = sorted(k for k in set(want) | set(summary if isinstance(summary, dict) else {})
                      if not isinstance(summary, dict) or summary.get(k) != want.get(k))
        out.append((False, f"{path}: summary: MISMATCH in {', '.join(keys)} (recomputed line: "
                           f"{shorten(want['line'], 200)})"))
    else:
        out.append((True, f"{path}: summary recomputed from the rows: agrees"))
    return out


def _verified_file(folder: Path, rel: str, verify) -> tuple:
    """``(result, [])`` for the certificate file ``folder/rel`` verified valid; ``(None, [])``
    when the file is absent (the JSON holds every certificate; the separate files are a
    convenience); ``(None, [problem])`` when it is unreadable or invalid."""
    p = folder / rel
    if not p.is_file():
        return None, []
    try:
        res = verify(load_certificate(p))
    except CertificateError as exc:
        return None, [f"{rel}: {exc}"]
    if not res.valid:
        return None, [f"{rel} is invalid"]
    return res, []


def _file_check(row: dict, cert_v, folder: Path, verify) -> list:
    """The row's ``certificate_file`` (if present on disk) must prove the same bound."""
    rel = _get(row, "certificate_file")
    if not isinstance(rel, str):
        return [] if cert_v is None else ["certificate_file is empty but a certificate exists"]
    res, problems = _verified_file(folder, rel, verify)
    if res is None:
        return problems
    if cert_v is None or getattr(res, "bound", None) != cert_v.bound:
        return [f"{rel} proves {res.claim.exact() if res.claim else '?'}, not the row's certificate"]
    return []


def _lower_file_check(row: dict, folder: Path, verify) -> list:
    """The row's ``sep_lower_certificate_file`` (LP rows; if on disk) must prove the row's
    ``sep_lower_exact``."""
    rel = _get(row, "sep_lower_certificate_file")
    kind = _get(row, "sep_lower_kind")
    if rel is None:
        return ["sep_lower_kind is lp but sep_lower_certificate_file is empty"] if kind == "lp" else []
    if not isinstance(rel, str) or kind != "lp":
        return ["sep_lower_certificate_file is set for a row that is not an LP instrument"]
    res, problems = _verified_file(folder, rel, verify)
    if res is None:
        return problems
    low = _get(row, "sep_lower_exact")
    try:
        same = low is not None and parse_frac(low, "sep_lower_exact") == res.claim.value
    except SepgapError:
        same = False
    return [] if same else [f"{rel} proves {res.claim.exact()}, not the row's sep_lower"]


# ---- paths ------------------------------------------------------------------------------------

def _json_files(folder: Path) -> list:
    files = []
    for d in (folder, folder / "certificates"):
        if d.is_dir():
            files += sorted(p for p in d.glob("*.json") if p.is_file() and not p.name.startswith("."))
    return files


def verify_path(path, verify) -> list:
    """``[(ok, line)]`` for one PATH argument (file, folder or sweep JSON)."""
    p = Path(path)
    if p.is_dir():
        files = _json_files(p)
        if not files:
            return [(False, f"{p}: invalid: no *.json certificate or sweep in this folder or "
                            "its certificates/ subfolder")]
        out = []
        for f in files:
            out += verify_path(f, verify)
        return out
    try:
        doc = load_certificate(p)
    except CertificateError as exc:
        return [(False, f"{p}: invalid: {exc}")]
    if is_sweep(doc):
        try:
            return check_sweep(doc, p, verify)
        except (TypeError, ValueError, AttributeError, KeyError, IndexError, RecursionError) as exc:
            # a malformed sweep file is invalid, never a traceback
            return [(False, f"{p}: invalid: malformed sweep file ({type(exc).__name__}: "
                            f"{shorten(str(exc), 120)})")]
    res = verify(doc)
    return [(res.valid, f"{p}: {res.line()}")]


def run(args) -> int:
    verify = _Memo()
    paths = list(args.files)
    if len(paths) == 1 and not Path(paths[0]).is_dir():
        try:
            doc = load_certificate(paths[0])
        except CertificateError as exc:
            print(f"invalid: {exc}", file=sys.stderr)
            return 1
        if not is_sweep(doc):  # one certificate: its line alone, as always
            ok, line = verify_any(doc)
            print(line, file=sys.stdout if ok else sys.stderr)
            return 0 if ok else 1
    results = []
    for path in paths:
        for ok, line in verify_path(path, verify):
            print(line, file=sys.stdout if ok else sys.stderr)
            results.append(ok)
    n_bad = results.count(False)
    summary = (f"verified {len(results)} items: " +
               ("all valid" if not n_bad else f"{n_bad} INVALID or mismatched"))
    print(summary, file=sys.stdout if not n_bad else sys.stderr)
    return 0 if not n_bad else 1


def register(subparsers) -> None:
    p = subparsers.add_parser(
        "verify", help="re-check certificates, folders and sweep tables exactly (no solver)",
        description="Re-check sepgap certificates in exact arithmetic from the files alone. PATH "
                    "is a certificate, a folder (its *.json and certificates/*.json) or a "
                    "sweep's <name>.json (every certificate, and every row of the JSON and of "
                    "<name>.csv checked against them). Exit 0 if everything is valid, 1 otherwise.")
    p.add_argument("files", nargs="+", metavar="PATH",
                   help="certificate file(s), folder(s) or sweep JSON file(s)")
    p.set_defaults(func=run)
