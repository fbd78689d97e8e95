"""Shared JSON helpers of every certificate kind: the envelope, exact rationals as strings,
outward rounding, the state object, field checks and the claim check.

The bottom floor of the certificate code: it imports only :mod:`analytics.claims`,
:mod:`analytics.errors`, :mod:`analytics.limits` and :mod:`analytics.states`, so every
certificate kind (plane instruments, measurement trees, LP instruments, gaps) builds on it
without import cycles.
"""
from __future__ import annotations

import math
from fractions import Fraction

from .claims import Claim, lower_claim
from .errors import SepgapError
from .limits import check_exact_size, check_number_text
from .states import PAIRS, WClassState

FORMAT = "sepgap-certificate"
VERSION = 1


class CertificateFormatError(SepgapError):
    """A certificate is malformed: missing field, wrong version, a value of the wrong type."""


def frac_str(q) -> str:
    q = Fraction(q)
    return str(q.numerator) if q.denominator == 1 else f"{q.numerator}/{q.denominator}"


def parse_frac(text, what: str) -> Fraction:
    """An exact rational from a string (``"3/5"``) or a JSON integer, refusing absurd sizes up
    front (:mod:`analytics.limits`): ``"3e-999999999"`` would take minutes to parse."""
    if isinstance(text, bool) or not isinstance(text, (str, int)):
        raise CertificateFormatError(f"{what}: expected an exact rational as a string, got "
                                     f"{shorten(text)}")
    if isinstance(text, str):
        check_number_text(text, what)
    try:
        q = Fraction(text)
    except (ValueError, ZeroDivisionError):
        raise CertificateFormatError(f"{what}: not an exact rational: {shorten(text)}") from None
    return check_exact_size(q, what)


def shorten(v, limit: int = 60) -> str:
    """``repr(v)`` cut to ``limit`` characters (an error message never echoes a huge value)."""
    r = repr(v)
    return r if len(r) <= limit else r[:limit] + f"... ({len(r)} characters)"


def check_keys(d, allowed, where: str) -> None:
    """Refuse keys a reader could mistake for part of the claim but the verifier would ignore."""
    if not isinstance(d, dict):
        raise CertificateFormatError(f"{where}: expected an object")
    extra = sorted(str(k) for k in d if k not in allowed)
    if extra:
        raise CertificateFormatError(f"{where} has unknown field(s) {', '.join(map(shorten, extra))} "
                                     f"(allowed: {', '.join(allowed)})")


def check_float(d, key: str, where: str, expected: float) -> None:
    """``d[key]`` must be the JSON number ``expected`` (the exact value rounded outward)."""
    v = require(d, key, where)
    if isinstance(v, bool) or not isinstance(v, (int, float)) or v != expected:
        raise CertificateFormatError(f"{where}.{key} {shorten(v)} is not the exact value rounded "
                                     f"outward ({expected!r})")


def check_claim(cert: dict, claim: Claim) -> None:
    """The ``claim`` field must be the canonical statement of what was verified."""
    got = require(cert, "claim", "certificate")
    if got != claim.exact():
        hint = ("; the file was written by an older sepgap whose claim text could overstate "
                "the result: write it again") if got in _OLD_CLAIMS else ""
        raise CertificateFormatError(f"claim {shorten(got)} is not what the certificate proves "
                                     f"({claim.exact()!r}){hint}")


#: Claim texts of files written before the claims were exact (never accepted: a weighted or
#: partial certificate said "SEP <= bound" in these words).
_OLD_CLAIMS = ("optimal SEP (indeed PPT) success probability <= bound.exact",
               "optimal SEP success probability >= bound.exact (explicit instrument)",
               "SEP_opt - LOCC_sup >= gap.exact (explicit SEP instrument vs kappa, "
               "the LOCC supremum for x0 = 0 by Theorems 1-2)")


def require(d, key: str, where: str):
    if not isinstance(d, dict):
        raise CertificateFormatError(f"{where}: expected an object")
    if key not in d:
        raise CertificateFormatError(f"missing field {where}.{key}")
    return d[key]


def float_upper(q: Fraction) -> float:
    """The smallest float >= q."""
    f = float(q)
    return f if Fraction(f) >= q else math.nextafter(f, math.inf)


def float_lower(q: Fraction) -> float:
    """The largest float <= q."""
    f = float(q)
    return f if Fraction(f) <= q else math.nextafter(f, -math.inf)


def state_to_json(state: WClassState) -> dict:
    ex = state.exact()
    return {"type": "w_class", "x0": frac_str(ex.x0), "xA": frac_str(ex.xA),
            "xB": frac_str(ex.xB), "xC": frac_str(ex.xC)}


STATE_KEYS = ("type", "x0", "xA", "xB", "xC")


def state_from_json(d) -> WClassState:
    typ = require(d, "type", "state")
    if typ != "w_class":
        raise CertificateFormatError(f"state.type {shorten(typ)} is not 'w_class'")
    check_keys(d, STATE_KEYS, "state")
    vals = [parse_frac(require(d, k, "state"), f"state.{k}") for k in ("x0", "xA", "xB", "xC")]
    return WClassState.from_components(*vals)


def check_envelope(cert, kind: str) -> None:
    if not isinstance(cert, dict):
        raise CertificateFormatError("a certificate is a JSON object")
    if cert.get("format") != FORMAT:
        raise CertificateFormatError(f"format is {shorten(cert.get('format'))}, expected {FORMAT!r}")
    v = cert.get("version")
    if type(v) is not int or v != VERSION:  # 1.0, true and "1" are not the integer 1
        raise CertificateFormatError(f"version {shorten(v)} is not supported (expected the integer {VERSION})")
    if cert.get("kind") != kind:
        raise CertificateFormatError(f"kind {shorten(cert.get('kind'))} is not {kind!r}")


def targeted_pairs(p_pairs: dict) -> tuple:
    """The pairs on which an instrument succeeds with positive probability."""
    return tuple(p for p, v in (p_pairs or {}).items() if v and Fraction(v) > 0)


#: Fields of one product Kraus operator in an instrument certificate.
KRAUS_KEYS = ("label", "weight", "factors")


def product_kraus_from_json(inst, parse_factor, make, max_kraus: int) -> tuple:
    """The operators of an instrument certificate's ``{"kind", "kraus": [...]}`` block: each
    ``{"label": AB|AC|BC|fail, "weight": rational, "factors": [A, B, C]}`` becomes
    ``make(label, weight, (A, B, C))`` with every factor read by ``parse_factor(data, where)``
    (rational or Gaussian-rational 2x2). At most ``max_kraus`` operators; unknown fields, wrong
    shapes and labels raise :class:`CertificateFormatError`."""
    check_keys(inst, ("kind", "kraus"), "instrument")
    kraus = require(inst, "kraus", "instrument")
    if not isinstance(kraus, list) or not kraus:
        raise CertificateFormatError("instrument.kraus: expected a non-empty list")
    if len(kraus) > max_kraus:
        raise CertificateFormatError(f"instrument.kraus has {len(kraus)} operators (at most {max_kraus})")
    ops = []
    for n, op in enumerate(kraus):
        w = f"instrument.kraus[{n}]"
        check_keys(op, KRAUS_KEYS, w)
        label = require(op, "label", w)
        if label not in PAIRS + ("fail",):
            raise CertificateFormatError(f"{w}.label: {shorten(label)} is not AB, AC, BC or fail")
        weight = parse_frac(require(op, "weight", w), f"{w}.weight")
        facs = require(op, "factors", w)
        if not isinstance(facs, list) or len(facs) != 3:
            raise CertificateFormatError(f"{w}.factors: expected 3 factors (A, B, C)")
        ops.append(make(label, weight, tuple(parse_factor(f, f"{w}.factors[{p}]")
                                             for p, f in enumerate(facs))))
    return tuple(ops)


def check_instrument_numbers(cert: dict, total: Fraction, p_pairs: dict, arithmetic: str,
                             error) -> Claim:
    """The numbers an instrument (lower-bound) certificate states, against the exact ones its
    verifier computed: ``bound`` (``exact`` equal to ``total``, ``float_lower`` its value rounded
    down), ``p_pairs`` (every pair equal), ``arithmetic`` and the printed claim. Returns the
    claim ``SEP >= total`` on the targeted pairs; a differing number raises ``error`` (the
    verifier's exception class), a malformed field :class:`CertificateFormatError`."""
    bd = require(cert, "bound", "certificate")
    check_keys(bd, ("exact", "float_lower"), "bound")
    bound = parse_frac(require(bd, "exact", "bound"), "bound.exact")
    if bound != total:
        raise error(f"claimed bound {shorten(bound)} differs from the instrument's exact success "
                    f"probability {shorten(total)}")
    check_float(bd, "float_lower", "bound", float_lower(bound))
    pp = require(cert, "p_pairs", "certificate")
    check_keys(pp, PAIRS, "p_pairs")
    for p in PAIRS:
        if parse_frac(require(pp, p, "p_pairs"), f"p_pairs.{p}") != p_pairs[p]:
            raise error(f"claimed p_{p} differs from the exact {shorten(p_pairs[p])}")
    if cert.get("arithmetic") != arithmetic:
        raise CertificateFormatError(f"arithmetic {shorten(cert.get('arithmetic'))} is not "
                                     f"{arithmetic!r}")
    claim = lower_claim(targeted_pairs(p_pairs), bound)
    check_claim(cert, claim)
    return claim


__all__ = ["FORMAT", "VERSION", "CertificateFormatError", "frac_str", "parse_frac", "shorten",
           "check_keys", "check_float", "check_claim", "require", "float_upper", "float_lower",
           "state_to_json", "state_from_json", "STATE_KEYS", "check_envelope", "targeted_pairs",
           "KRAUS_KEYS", "product_kraus_from_json", "check_instrument_numbers"]
