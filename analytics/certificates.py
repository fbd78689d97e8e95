"""Certificates for the analytic side: explicit SEP lower bounds and the SEP-LOCC gap.

* ``kind = "sep_lower_bound"``: the Kraus data of an explicit separable instrument in exact
  form (squares and signs of diagonal factors). The verifier rebuilds the instrument and runs
  :func:`analytics.checks.check_instrument` exactly: completeness, product structure, every
  success branch exactly Psi+ on its pair. The claim: optimal SEP probability >= bound.
* ``kind = "sep_locc_gap"``: a lower-bound certificate plus kappa (exact rational, recomputed
  from the state; Theorem 1 makes it an upper bound on LOCC, Theorem 2 its supremum for
  ``x0 = 0``). The claim: ``SEP_opt - LOCC_sup >= gap = sep_lower - kappa``, e.g. exactly
  ``1 - 7/8 = 1/8`` at ``s = 1/2``.

Same envelope as the SDP certificates (``format = "sepgap-certificate"``, ``version = 1``);
documented in docs/certificates.md.
"""
from __future__ import annotations

import math
from fractions import Fraction

from .checks import check_instrument
from .errors import InstrumentError, InvalidStateError, SepgapError
from .instruments import DiagonalFactor, Instrument, ProductKraus, sep_lower_bound
from .monotones import kappa
from .states import WClassState

FORMAT = "sepgap-certificate"
VERSION = 1


class CertificateFormatError(SepgapError):
    """A certificate is malformed: missing field, wrong version, a value of the wrong type."""


def frac_str(q) -> str:
    q = Fraction(q)
    return str(q.numerator) if q.denominator == 1 else f"{q.numerator}/{q.denominator}"


def parse_frac(text, what: str) -> Fraction:
    if isinstance(text, bool) or not isinstance(text, (str, int)):
        raise CertificateFormatError(f"{what}: expected an exact rational as a string, got {text!r}")
    try:
        return Fraction(text)
    except (ValueError, ZeroDivisionError):
        raise CertificateFormatError(f"{what}: not an exact rational: {text!r}") from None


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


def state_from_json(d) -> WClassState:
    typ = require(d, "type", "state")
    if typ != "w_class":
        raise CertificateFormatError(f"state.type {typ!r} is not 'w_class'")
    vals = [parse_frac(require(d, k, "state"), f"state.{k}") for k in ("x0", "xA", "xB", "xC")]
    return WClassState.from_components(*vals)


def check_envelope(cert, kind: str) -> None:
    if not isinstance(cert, dict):
        raise CertificateFormatError("a certificate is a JSON object")
    if cert.get("format") != FORMAT:
        raise CertificateFormatError(f"format is {cert.get('format')!r}, expected {FORMAT!r}")
    if cert.get("version") != VERSION:
        raise CertificateFormatError(f"version {cert.get('version')!r} is not supported (expected {VERSION})")
    if cert.get("kind") != kind:
        raise CertificateFormatError(f"kind {cert.get('kind')!r} is not {kind!r}")


# ---- explicit SEP lower bound -----------------------------------------------------------------

def _instrument_to_json(inst: Instrument) -> dict:
    ops = []
    for op in inst.kraus:
        if not isinstance(op, ProductKraus) or not all(isinstance(f, DiagonalFactor) for f in op.factors):
            raise InstrumentError("only instruments with diagonal product factors have exact certificates")
        ops.append({"name": op.name, "label": op.label,
                    "factors": [{"squares": [frac_str(q) for q in f.squares], "signs": list(f.signs)}
                                for f in op.factors]})
    return {"kind": inst.kind, "kraus": ops}


def _instrument_from_json(d) -> Instrument:
    ops = []
    kraus = require(d, "kraus", "instrument")
    if not isinstance(kraus, list) or not kraus:
        raise CertificateFormatError("instrument.kraus: expected a non-empty list")
    for k, op in enumerate(kraus):
        factors = require(op, "factors", f"instrument.kraus[{k}]")
        if not isinstance(factors, list) or len(factors) != 3:
            raise CertificateFormatError(f"instrument.kraus[{k}]: expected 3 factors (A, B, C)")
        fs = []
        for p, f in enumerate(factors):
            sq = require(f, "squares", f"instrument.kraus[{k}].factors[{p}]")
            sg = require(f, "signs", f"instrument.kraus[{k}].factors[{p}]")
            if not (isinstance(sq, list) and len(sq) == 2 and isinstance(sg, list) and len(sg) == 2):
                raise CertificateFormatError(f"instrument.kraus[{k}].factors[{p}]: two squares and two signs")
            if any(s not in (1, -1) or isinstance(s, bool) for s in sg):
                raise CertificateFormatError(f"instrument.kraus[{k}].factors[{p}]: signs must be 1 or -1")
            q = [parse_frac(v, "squares") for v in sq]
            fs.append(DiagonalFactor(q[0], q[1], sg[0], sg[1]))
        ops.append(ProductKraus(str(require(op, "name", f"instrument.kraus[{k}]")),
                                require(op, "label", f"instrument.kraus[{k}]"), tuple(fs)))
    return Instrument(str(d.get("kind", "custom")), tuple(ops))


def sep_lower_certificate(state) -> dict:
    """Certificate of the best explicit SEP lower bound (raises if none applies)."""
    st = state.exact() if isinstance(state, WClassState) else WClassState.from_sequence(state).exact()
    lb = sep_lower_bound(st)
    if lb.value is None or lb.instrument is None:
        raise InstrumentError(f"no explicit SEP instrument applies to {st}: {lb.reason}")
    return {"format": FORMAT, "version": VERSION, "kind": "sep_lower_bound",
            "claim": "optimal SEP success probability >= bound.exact (explicit instrument)",
            "state": state_to_json(st), "instrument": _instrument_to_json(lb.instrument),
            "bound": {"exact": frac_str(lb.value), "float_lower": float_lower(Fraction(lb.value))}}


def _verify_lower(cert) -> tuple[WClassState, Fraction]:
    check_envelope(cert, "sep_lower_bound")
    st = state_from_json(require(cert, "state", "certificate"))
    inst = _instrument_from_json(require(cert, "instrument", "certificate"))
    claimed = parse_frac(require(require(cert, "bound", "certificate"), "exact", "bound"), "bound.exact")
    chk = check_instrument(inst, st, exact=True)
    if not chk.ok:
        raise InstrumentError("instrument fails the exact check: " + "; ".join(chk.reasons))
    if Fraction(chk.total) != claimed:
        raise InstrumentError(f"claimed bound {claimed} differs from the instrument's success "
                              f"probability {chk.total}")
    return st, claimed


def gap_certificate(state) -> dict:
    """Certificate of ``SEP_opt - LOCC_sup >= sep_lower - kappa`` (exact)."""
    lower = sep_lower_certificate(state)
    st = state_from_json(lower["state"])
    k = kappa(st)
    gap = Fraction(lower["bound"]["exact"]) - k
    return {"format": FORMAT, "version": VERSION, "kind": "sep_locc_gap",
            "claim": "SEP_opt - LOCC_sup >= gap.exact (explicit SEP instrument vs kappa, "
                     "the LOCC supremum for x0 = 0 by Theorems 1-2)",
            "state": lower["state"], "sep_lower": lower, "kappa": {"exact": frac_str(k)},
            "gap": {"exact": frac_str(gap), "float_lower": float_lower(gap)}}


def _verify_gap(cert) -> tuple[WClassState, Fraction]:
    check_envelope(cert, "sep_locc_gap")
    st = state_from_json(require(cert, "state", "certificate"))
    st_l, lower = _verify_lower(require(cert, "sep_lower", "certificate"))
    if st_l != st:
        raise InstrumentError("the lower-bound certificate is for a different state")
    k_claim = parse_frac(require(require(cert, "kappa", "certificate"), "exact", "kappa"), "kappa.exact")
    if k_claim != kappa(st):
        raise InstrumentError(f"kappa {k_claim} differs from kappa(x) = {kappa(st)}")
    gap = parse_frac(require(require(cert, "gap", "certificate"), "exact", "gap"), "gap.exact")
    if gap != lower - k_claim:
        raise InstrumentError(f"gap {gap} differs from sep_lower - kappa = {lower - k_claim}")
    return st, gap


def verify_analytic_certificate(cert) -> tuple[bool, str]:
    """``(valid, one line)`` for a lower-bound or gap certificate; never raises on bad input."""
    try:
        kind = cert.get("kind") if isinstance(cert, dict) else None
        if kind == "sep_lower_bound":
            st, b = _verify_lower(cert)
            return True, f"valid: SEP >= {float_lower(b):.8f} for x = {st} (explicit instrument, exact {b})"
        if kind == "sep_locc_gap":
            st, g = _verify_gap(cert)
            return True, (f"valid: SEP_opt - LOCC_sup >= {float_lower(g):.8f} for x = {st} "
                          f"(exact gap {g})")
        raise CertificateFormatError(f"kind {kind!r} is not an analytic certificate")
    except (SepgapError, InvalidStateError) as exc:
        return False, f"invalid: {exc}"
    except (ArithmeticError, TypeError, ValueError, KeyError, IndexError, AttributeError) as exc:
        return False, f"invalid: malformed certificate ({type(exc).__name__}: {exc})"
