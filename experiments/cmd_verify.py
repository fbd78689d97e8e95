"""``sepgap verify FILE``: re-check a certificate from the file alone, with no SDP solver.

Exit 0 and one line (``valid: SEP <= 0.80000012 for x = ...``) or exit 1 and the reason.
Accepts every certificate kind sepgap writes: ``ppt_upper_bound`` (dual certificate of the
PPT relaxation), ``sep_lower_bound`` (explicit separable instrument) and ``sep_locc_gap``.
A missing or unreadable file is also exit 1 with the reason (it is not a valid certificate).
"""
from __future__ import annotations

import sys

from analytics.certificates import verify_analytic_certificate
from sdp.certificate import CertificateError, load_certificate, verify_certificate


def verify_any(cert) -> tuple[bool, str]:
    """``(valid, line)`` for any certificate dict."""
    kind = cert.get("kind") if isinstance(cert, dict) else None
    if kind in ("sep_lower_bound", "sep_locc_gap"):
        return verify_analytic_certificate(cert)
    res = verify_certificate(cert)
    return res.valid, res.line()


def run(args) -> int:
    status = 0
    for path in args.files:
        try:
            ok, line = verify_any(load_certificate(path))
        except CertificateError as exc:
            ok, line = False, f"invalid: {exc}"
        prefix = f"{path}: " if len(args.files) > 1 else ""
        print(prefix + line, file=sys.stdout if ok else sys.stderr)
        status = status or (0 if ok else 1)
    return status


def register(subparsers) -> None:
    p = subparsers.add_parser(
        "verify", help="re-check certificate files exactly (no solver)",
        description="Re-check sepgap certificates in exact arithmetic from the files alone. "
                    "Exit 0 if every file is valid, 1 otherwise.")
    p.add_argument("files", nargs="+", metavar="FILE", help="certificate JSON file(s)")
    p.set_defaults(func=run)
