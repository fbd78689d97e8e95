"""Which certificate kinds exist and who verifies them: :data:`VERIFIERS` (one line registers a
kind) and :func:`verify_result`, the single dispatcher (``sepgap verify``, resumed sweeps)."""
from __future__ import annotations

from dataclasses import dataclass

from analytics.certificates import (shorten, verify_gap, verify_lower, verify_lower_lp,
                                    verify_lower_lp_general, verify_product_upper)
from analytics.general_locc_cert import verify_general_locc_certificate
from analytics.locc_tree import verify_locc_tree_certificate
from sdp.certificate import verify_certificate
from sdp.complex_certificate import verify_complex_certificate

#: Certificate kind -> verifier ``f(cert)`` returning an object with ``valid``, ``line()`` and
#: ``claim`` (an :class:`analytics.claims.Claim` when valid). Adding a kind is one entry here.
#: ``"KIND:INSTRUMENT"`` entries take the certificates of ``KIND`` whose ``instrument.kind`` is
#: ``INSTRUMENT`` (they are looked up first).
VERIFIERS = {
    "ppt_upper_bound": verify_certificate,
    "sep_lower_bound": verify_lower,          # plane instruments and measurement trees
    "sep_lower_bound:lp": verify_lower_lp,    # LP instruments (analytics.lp_certificates)
    # LP instruments of any three-qubit state (analytics.general_lp_certificates)
    "sep_lower_bound:lp_general": verify_lower_lp_general,
    "sep_locc_gap": verify_gap,
    "ppt_upper_bound_complex": verify_complex_certificate,
    "locc_sup_lower_bound": verify_locc_tree_certificate,
    "locc_lower_bound_general": verify_general_locc_certificate,
    "sep_upper_product": verify_product_upper,
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
        known = ", ".join(k for k in VERIFIERS if ":" not in k)
        what = "a certificate is a JSON object" if not isinstance(cert, dict) else \
            f"unknown certificate kind {shorten(kind)} (known: {known})"
        return Rejected(what)
    try:
        return fn(cert)
    except RecursionError:
        return Rejected("malformed certificate (nested too deeply)")


__all__ = ["VERIFIERS", "Rejected", "verify_result"]
