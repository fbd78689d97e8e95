"""``sepgap verify PATH...``: re-check certificates from the files alone, with no SDP solver.

``PATH`` is a certificate file, a folder (every ``*.json`` in it and in its ``certificates/``
subfolder), or a sweep's ``<name>.json`` (``rows`` and ``certificates``): every certificate is
verified and every row's numbers (``sep_upper_certified_exact``, ``sep_lower_exact``,
``gap_certified_exact``, ``kappa_exact``, ``gap_upper_exact`` and their rounded floats) are
checked against the verified certificates and an exact recomputation; so is ``<name>.csv`` next
to it. One line per certificate (``valid: SEP <= 0.80000003 for x = ...`` or ``invalid: why``),
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

from analytics.certificates import (float_lower, float_upper, frac_str, parse_frac, shorten,
                                    state_from_json, verify_gap, verify_lower, verify_lower_lp)
from analytics.errors import SepgapError
from analytics.monotones import kappa
from analytics.states import WClassState
from sdp.certificate import CertificateError, load_certificate, verify_certificate

from .evaluate import lower_certificate_id, lower_for_row

#: Certificate kind -> verifier ``f(cert)`` returning an object with ``valid``, ``line()`` and
#: ``claim`` (an :class:`analytics.claims.Claim` when valid). Adding a kind is one entry here.
#: ``"KIND:INSTRUMENT"`` entries take the certificates of ``KIND`` whose ``instrument.kind`` is
#: ``INSTRUMENT`` (they are looked up first).
VERIFIERS = {
    "ppt_upper_bound": verify_certificate,
    "sep_lower_bound": verify_lower,          # plane instruments and measurement trees
    "sep_lower_bound:lp": verify_lower_lp,    # LP instruments (analytics.lp_certificates)
    "sep_locc_gap": verify_gap,
}


@dataclass(frozen=True)
class Rejected:
    """A certificate that no verifier accepts (unknown kind, not an object)."""

    reason: str
    valid: bool = False
    claim: object = None
    bound: object = None

    def line(self) -> str:
        return f"invalid: {self.reason}"


def verify_result(cert):
    """The verifier's result for any certificate dict (see :data:`VERIFIERS`); never raises."""
    kind = cert.get("kind") if isinstance(cert, dict) else None
    inst = cert.get("instrument") if isinstance(cert, dict) else None
    sub = inst.get("kind") if isinstance(inst, dict) else None
    fn = None
    if isinstance(kind, str) and isinstance(sub, str):
        fn = VERIFIERS.get(f"{kind}:{sub}")
    if fn is None and isinstance(kind, str):
        fn = VERIFIERS.get(kind)
    if fn is None:
        what = "a certificate is a JSON object" if not isinstance(cert, dict) else \
            f"unknown certificate kind {shorten(kind)} (known: {', '.join(k for k in VERIFIERS if ':' not in k)})"
        return Rejected(what)
    try:
        return fn(cert)
    except RecursionError:
        return Rejected("malformed certificate (nested too deeply)")


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


def _as_float(v):
    if isinstance(v, bool):
        raise ValueError("a boolean is not a number")
    return float(v)


def _as_bool(v):
    if v in (True, "True"):
        return True
    if v in (False, "False"):
        return False
    raise ValueError(f"{v!r} is not True/False")


def _expected_row(st, cert_res, lower_kind=None, lower_cert=None, lower_method="auto") -> dict:
    """``{column: (exact or None, float or None)}`` recomputed from the state and the verified
    certificate (``cert_res``: None if the point has no certificate); the SEP lower bound by
    :func:`experiments.evaluate.lower_for_row` (an LP row's lower certificate verified, other
    kinds recomputed); the bracket columns by the same function that wrote them
    (:func:`experiments.brackets.bracket_columns`)."""
    from .brackets import bracket_columns, locc_sup_lower
    k = kappa(st)
    lb, why = lower_for_row(st, lower_kind, lower_cert, lower_method)
    if why:
        raise SepgapError(why)
    low = None if lb.value is None else Fraction(lb.value)
    up = None if cert_res is None else cert_res.bound
    sup = locc_sup_lower(st)[0]
    br = bracket_columns(Fraction(k), low, up, sup, None)
    out = {"kappa": (k, float(k)),
           "sep_lower": (low, None if low is None else float_lower(low)),
           "gap_certified": (None if low is None else low - k,
                             None if low is None else float_lower(low - k)),
           "sep_upper_certified": (up, None if up is None else float_upper(up)),
           "locc_sup_lower": (sup, float_lower(sup))}
    for col in ("locc_upper", "gap_lower", "gap_upper"):
        q = br[f"{col}_exact"]
        out[col] = (None if q is None else Fraction(q), br[col])
    return out


def check_row(row, cert_res, lower_cert=None, lower_method: str = "auto") -> list:
    """Mismatches between one sweep row (JSON or CSV) and the exact recomputation
    (``lower_cert``: the row's LP lower-bound certificate, if any)."""
    if not isinstance(row, dict):
        return ["row is not an object"]
    bad = []
    try:
        st_vals = [parse_frac(_get(row, f"{c}_exact"), f"{c}_exact") for c in ("x0", "xA", "xB", "xC")]
        st = WClassState.from_components(*st_vals)
    except (SepgapError, ValueError, TypeError) as exc:
        return [f"state columns: {exc}"]
    if cert_res is not None:
        if not cert_res.valid:
            return ["its certificate is invalid, so its sep_upper* numbers are not certified"]
        elif cert_res.claim is None or not cert_res.claim.is_sep:
            bad.append(f"its certificate proves {cert_res.claim.exact() if cert_res.claim else '?'}, "
                       "not a bound on SEP")
            cert_res = None
        elif cert_res.state_obj != st:
            bad.append(f"its certificate is for x = {cert_res.state}, not {st}")
            cert_res = None
    try:
        expected = _expected_row(st, cert_res, _get(row, "sep_lower_kind"), lower_cert, lower_method)
    except SepgapError as exc:
        return bad + [f"cannot recompute the row: {exc}"]
    for col, (exact, flt) in expected.items():
        got_e, got_f = _get(row, f"{col}_exact"), _get(row, col)
        try:
            ge = None if got_e is None else parse_frac(got_e, f"{col}_exact")
            gf = None if got_f is None else _as_float(got_f)
        except (SepgapError, ValueError, TypeError) as exc:
            bad.append(f"{col}: {exc}")
            continue
        if ge != exact:
            want = "empty" if exact is None else frac_str(exact)
            bad.append(f"{col}_exact is {shorten(got_e)}, the verified value is {want}")
        elif gf != flt:
            bad.append(f"{col} is {shorten(got_f)}, expected {flt!r} (the exact value rounded outward)")
    up = None if cert_res is None else cert_res.bound
    try:
        su = _get(row, "sep_upper")
        if "sep_upper" in row and (None if su is None else _as_float(su)) != (
                None if up is None else float_upper(up)):
            bad.append(f"sep_upper is {shorten(_get(row, 'sep_upper'))} but the certified bound is "
                       f"{'missing' if up is None else float_upper(up)}")
        kind = _get(row, "sep_upper_kind")
        if (kind == "certified") != (up is not None):
            bad.append(f"sep_upper_kind is {shorten(kind)} but a verified certificate is "
                       f"{'present' if up is not None else 'missing'}")
        exc_col = _get(row, "kappa_exceeds_sep_upper")
        want_exc = None if up is None else up < kappa(st)
        if (None if exc_col is None else _as_bool(exc_col)) != want_exc:
            bad.append(f"kappa_exceeds_sep_upper is {shorten(exc_col)}, expected {want_exc}")
    except (ValueError, TypeError) as exc:
        bad.append(str(exc))
    return bad


@dataclass
class _PPTView:
    """A verified PPT result plus the state object (for comparing with a row)."""

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
                    getattr(res, "state", ""), st, getattr(res, "reason", ""))


def check_sweep(doc: dict, path: Path, verify) -> list:
    """``[(ok, line)]`` for a sweep's JSON: every certificate, then the rows of the JSON and of
    ``<name>.csv`` next to it checked against them."""
    out = []
    certs = doc.get("certificates")
    rows = doc.get("rows")
    if not isinstance(certs, dict) or not isinstance(rows, list):
        return [(False, f"{path}: invalid: 'rows' must be a list and 'certificates' an object")]
    cfg = doc.get("config")
    lower_method = cfg.get("lower", "auto") if isinstance(cfg, dict) else "auto"
    if lower_method not in ("auto", "tree", "lp", "plane"):
        lower_method = "auto"
    views = {}
    for pid, cert in certs.items():
        res = verify(cert)
        views[pid] = _view(res, cert)
        out.append((res.valid, f"{path}#{pid}: {res.line()}"))

    def table(label, table_rows):
        n_bad, ids = 0, set()
        for i, row in enumerate(table_rows):
            pid = row.get("id") if isinstance(row, dict) else None
            name = pid if isinstance(pid, str) else f"row {i}"
            if not isinstance(row, dict):
                problems = ["row is not an object"]
            elif isinstance(pid, str) and pid in ids:
                problems = ["duplicate id"]
            else:
                if isinstance(pid, str):
                    ids.add(pid)
                cert_v = views.get(pid) if isinstance(pid, str) else None
                lower_cert = certs.get(lower_certificate_id(pid)) if isinstance(pid, str) else None
                problems = check_row(row, cert_v, lower_cert, lower_method)
                problems += _file_check(row, cert_v, path.parent, verify)
                problems += _lower_file_check(row, path.parent, verify)
            if problems:
                n_bad += 1
                out.append((False, f"{label} {name}: MISMATCH: " + "; ".join(problems)))
        n = len(table_rows)
        if n_bad:
            out.append((False, f"{label}: {n_bad} of {n} rows disagree with the verified certificates"))
        else:
            out.append((True, f"{label}: all {n} rows agree with the verified certificates and "
                              "the exact recomputation"))

    table(str(path), rows)
    csv_path = path.with_suffix(".csv")
    if csv_path.is_file():
        try:
            with open(csv_path, newline="", encoding="utf-8") as f:
                csv_rows = list(csv.DictReader(f))
        except (OSError, UnicodeDecodeError, csv.Error) as exc:
            out.append((False, f"{csv_path}: invalid: cannot read ({exc})"))
        else:
            if len(csv_rows) != len(rows):
                out.append((False, f"{csv_path}: {len(csv_rows)} rows, the JSON has {len(rows)}"))
            table(str(csv_path), csv_rows)
    return out


def _file_check(row: dict, cert_v, folder: Path, verify) -> list:
    """The row's ``certificate_file`` (if present on disk) must prove the same bound."""
    rel = _get(row, "certificate_file")
    if not isinstance(rel, str):
        return [] if cert_v is None else ["certificate_file is empty but a certificate exists"]
    p = folder / rel
    if not p.is_file():
        return []  # the JSON holds every certificate; the separate files are a convenience
    try:
        res = verify(load_certificate(p))
    except CertificateError as exc:
        return [f"{rel}: {exc}"]
    if not res.valid:
        return [f"{rel} is invalid"]
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
    p = folder / rel
    if not p.is_file():
        return []  # the JSON holds every certificate; the separate files are a convenience
    try:
        res = verify(load_certificate(p))
    except CertificateError as exc:
        return [f"{rel}: {exc}"]
    if not res.valid:
        return [f"{rel} is invalid"]
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
