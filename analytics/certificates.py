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
documented in docs/certificates.md. What each kind proves is stated by :mod:`analytics.claims`;
the ``claim`` field must be that statement, recomputed by the verifier.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from fractions import Fraction

from .display import ShortRepr, show_number
from .checks import check_instrument
from .claims import Claim, exact_text, gap_claim, lower_claim, ppt_claim
from .errors import InstrumentError, InvalidStateError, SepgapError
from .instruments import DiagonalFactor, Instrument, ProductKraus, sep_lower_bound
from .limits import check_exact_size, check_number_text
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
    check_keys(d, ("kind", "kraus"), "instrument")
    kraus = require(d, "kraus", "instrument")
    if not isinstance(kraus, list) or not kraus:
        raise CertificateFormatError("instrument.kraus: expected a non-empty list")
    for k, op in enumerate(kraus):
        factors = require(op, "factors", f"instrument.kraus[{k}]")
        check_keys(op, ("name", "label", "factors"), f"instrument.kraus[{k}]")
        if not isinstance(factors, list) or len(factors) != 3:
            raise CertificateFormatError(f"instrument.kraus[{k}]: expected 3 factors (A, B, C)")
        fs = []
        for p, f in enumerate(factors):
            sq = require(f, "squares", f"instrument.kraus[{k}].factors[{p}]")
            sg = require(f, "signs", f"instrument.kraus[{k}].factors[{p}]")
            check_keys(f, ("squares", "signs"), f"instrument.kraus[{k}].factors[{p}]")
            if not (isinstance(sq, list) and len(sq) == 2 and isinstance(sg, list) and len(sg) == 2):
                raise CertificateFormatError(f"instrument.kraus[{k}].factors[{p}]: two squares and two signs")
            if any(s not in (1, -1) or isinstance(s, bool) for s in sg):
                raise CertificateFormatError(f"instrument.kraus[{k}].factors[{p}]: signs must be 1 or -1")
            q = [parse_frac(v, "squares") for v in sq]
            fs.append(DiagonalFactor(q[0], q[1], sg[0], sg[1]))
        ops.append(ProductKraus(str(require(op, "name", f"instrument.kraus[{k}]")),
                                require(op, "label", f"instrument.kraus[{k}]"), tuple(fs)))
    return Instrument(str(d.get("kind", "custom")), tuple(ops))


def _targeted(p_pairs: dict) -> tuple:
    """The pairs on which an instrument succeeds with positive probability."""
    return tuple(p for p, v in (p_pairs or {}).items() if v and Fraction(v) > 0)


def sep_lower_certificate(state) -> dict:
    """Certificate of the best explicit SEP lower bound (raises if none applies)."""
    st = state.exact() if isinstance(state, WClassState) else WClassState.from_sequence(state).exact()
    lb = sep_lower_bound(st)
    if lb.value is None or lb.instrument is None:
        raise InstrumentError(f"no explicit SEP instrument applies to {st}: {lb.reason}")
    value = Fraction(lb.value)
    claim = lower_claim(_targeted(lb.p_pairs), value).exact()
    if lb.kind == "tree":  # x0 > 0: a measurement tree (analytics.tree_certificates)
        return lb.instrument.certificate()
    return {"format": FORMAT, "version": VERSION, "kind": "sep_lower_bound",
            "claim": claim,
            "state": state_to_json(st), "instrument": _instrument_to_json(lb.instrument),
            "bound": {"exact": frac_str(value), "float_lower": float_lower(value)}}


LOWER_KEYS = ("format", "version", "kind", "claim", "state", "instrument", "bound", "provenance")
#: a tree certificate also states its per-pair probabilities and the arithmetic that proved it
TREE_KEYS = LOWER_KEYS + ("p_pairs", "arithmetic")
GAP_KEYS = ("format", "version", "kind", "claim", "state", "sep_lower", "kappa", "gap", "provenance")


@dataclass(frozen=True, repr=False)
class AnalyticVerification(ShortRepr):
    """Result of :func:`verify_analytic`: ``claim`` (recomputed, see :mod:`analytics.claims`)
    and ``state`` when valid, ``reason`` when not."""

    valid: bool
    claim: Claim | None = None
    state: WClassState | None = None
    reason: str = ""
    how: str = ""

    @property
    def bound(self) -> Fraction | None:
        return None if self.claim is None else self.claim.value

    def _summary(self) -> list:
        if not self.valid:
            return [("valid", "False"), ("reason", self.reason)]
        return [("valid", "True"), ("claim", self.claim.text()),
                ("bound", show_number(self.claim.value, self.claim.relation)),
                ("state", str(self.state)), ("how", self.how)]

    def line(self) -> str:
        if not self.valid:
            return f"invalid: {self.reason}"
        return (f"valid: {self.claim.text()} for x = {self.state} ({self.how}, exact "
                f"{exact_text(self.claim.value)})")


def _verify_tree(cert) -> tuple[WClassState, Claim, str]:
    from .tree_certificates import verify_tree_lower_certificate
    check_keys(cert, TREE_KEYS, "certificate")
    st, bound, p_pairs, arithmetic = verify_tree_lower_certificate(cert)
    check_float(cert["bound"], "float_lower", "bound", float_lower(bound))
    claim = lower_claim(_targeted(p_pairs), bound)
    check_claim(cert, claim)
    return st, claim, f"separable instrument from a measurement tree, checked in {arithmetic} arithmetic"


def _verify_lower(cert) -> tuple[WClassState, Claim, str]:
    check_envelope(cert, "sep_lower_bound")
    inst_d = cert.get("instrument")
    if isinstance(inst_d, dict) and inst_d.get("kind") == "tree":
        return _verify_tree(cert)
    check_keys(cert, LOWER_KEYS, "certificate")
    st = state_from_json(require(cert, "state", "certificate"))
    inst = _instrument_from_json(require(cert, "instrument", "certificate"))
    bound = require(cert, "bound", "certificate")
    check_keys(bound, ("exact", "float_lower"), "bound")
    claimed = parse_frac(require(bound, "exact", "bound"), "bound.exact")
    chk = check_instrument(inst, st, exact=True)
    if not chk.ok:
        raise InstrumentError("instrument fails the exact check: " + "; ".join(chk.reasons))
    if Fraction(chk.total) != claimed:
        raise InstrumentError(f"claimed bound {claimed} differs from the instrument's success "
                              f"probability {chk.total}")
    check_float(bound, "float_lower", "bound", float_lower(claimed))
    claim = lower_claim(_targeted(chk.p_pairs), claimed)
    check_claim(cert, claim)
    return st, claim, "explicit separable instrument, checked exactly"


def gap_certificate(state) -> dict:
    """Certificate of ``SEP_opt - LOCC_sup >= sep_lower - kappa`` (exact). Raises
    :class:`InstrumentError` when that gap is not positive: ``SEP >= LOCC`` always, so a claim
    ``>= 0`` or below is vacuous and is never written as a gap certificate (write the
    ``sep_lower_bound`` certificate instead)."""
    lower = sep_lower_certificate(state)
    st = state_from_json(lower["state"])
    k = kappa(st)
    gap = Fraction(lower["bound"]["exact"]) - k
    if gap <= 0:
        raise InstrumentError(f"no SEP-LOCC gap certificate for {st}: sep_lower - kappa = "
                              f"{exact_text(gap)} is not positive (a vacuous claim)")
    pairs = _targeted(sep_lower_bound(st).p_pairs)
    return {"format": FORMAT, "version": VERSION, "kind": "sep_locc_gap",
            "claim": gap_claim(pairs, gap).exact(),
            "state": lower["state"], "sep_lower": lower, "kappa": {"exact": frac_str(k)},
            "gap": {"exact": frac_str(gap), "float_lower": float_lower(gap)}}


def _verify_gap(cert) -> tuple[WClassState, Claim, str]:
    check_envelope(cert, "sep_locc_gap")
    check_keys(cert, GAP_KEYS, "certificate")
    st = state_from_json(require(cert, "state", "certificate"))
    st_l, lower, _ = _verify_lower(require(cert, "sep_lower", "certificate"))
    if st_l != st:
        raise InstrumentError("the lower-bound certificate is for a different state")
    kd = require(cert, "kappa", "certificate")
    check_keys(kd, ("exact",), "kappa")
    k_claim = parse_frac(require(kd, "exact", "kappa"), "kappa.exact")
    if k_claim != kappa(st):
        raise InstrumentError(f"kappa {k_claim} differs from kappa(x) = {kappa(st)}")
    gd = require(cert, "gap", "certificate")
    check_keys(gd, ("exact", "float_lower"), "gap")
    gap = parse_frac(require(gd, "exact", "gap"), "gap.exact")
    if gap != lower.value - k_claim:
        raise InstrumentError(f"gap {gap} differs from sep_lower - kappa = {lower.value - k_claim}")
    check_float(gd, "float_lower", "gap", float_lower(gap))
    claim = gap_claim(lower.pairs, gap)
    check_claim(cert, claim)
    return st, claim, f"SEP >= {exact_text(lower.value)}, kappa = {exact_text(k_claim)}"


# ---- product states: SEP = 0 exactly --------------------------------------------------------------

PRODUCT_KEYS = ("format", "version", "kind", "claim", "state", "bound", "provenance")


def is_product_state(state) -> bool:
    """True iff the W-class state is fully product, i.e. at most one of ``xA, xB, xC`` is
    non-zero: then ``sqrt(x0)|000> + sqrt(x_k)|1_k>`` is ``|0>|0> (x) (sqrt(x0)|0> + sqrt(x_k)|1>)``
    up to the order of the parties. With two non-zero weights ``x_k (1 - x0 - x_k) > 0`` is the
    determinant of ``rho_k`` (section 8 of formulation.md), so the state is entangled."""
    st = state.exact() if isinstance(state, WClassState) else WClassState.from_sequence(state).exact()
    return sum(1 for v in (st.xA, st.xB, st.xC) if v != 0) <= 1


def product_upper_certificate(state) -> dict:
    """Certificate of ``SEP <= 0`` for a fully product state (:func:`is_product_state`): a
    separable instrument maps a product state to (unnormalised) separable states, and no
    separable state is ``|Psi+>`` on a pair, so every success branch has probability 0 (the
    same holds for PPT operations: a PPT input stays PPT). Raises :class:`InstrumentError` if
    the state is entangled."""
    st = state.exact() if isinstance(state, WClassState) else WClassState.from_sequence(state).exact()
    if not is_product_state(st):
        raise InstrumentError(f"{st} is entangled: no product-state certificate")
    claim = ppt_claim(("AB", "AC", "BC"), (1, 1, 1), Fraction(0))
    return {"format": FORMAT, "version": VERSION, "kind": "sep_upper_product",
            "claim": claim.exact(), "state": state_to_json(st),
            "bound": {"exact": "0", "float_upper": 0.0}}


def _verify_product(cert) -> tuple[WClassState, Claim, str]:
    check_envelope(cert, "sep_upper_product")
    check_keys(cert, PRODUCT_KEYS, "certificate")
    st = state_from_json(require(cert, "state", "certificate"))
    if not is_product_state(st):
        raise InstrumentError(f"the state {st} is not a product state (two weights are non-zero)")
    bound = require(cert, "bound", "certificate")
    check_keys(bound, ("exact", "float_upper"), "bound")
    if parse_frac(require(bound, "exact", "bound"), "bound.exact") != 0:
        raise InstrumentError("a product-state certificate proves SEP <= 0, nothing else")
    check_float(bound, "float_upper", "bound", 0.0)
    claim = ppt_claim(("AB", "AC", "BC"), (1, 1, 1), Fraction(0))
    check_claim(cert, claim)
    return st, claim, "a product state: separable operations keep it separable"


def verify_product_upper(cert) -> AnalyticVerification:
    """Verify a ``sep_upper_product`` certificate exactly; never raises on bad input."""
    return _run(_verify_product, cert)


def _run(fn, cert) -> AnalyticVerification:
    try:
        st, claim, how = fn(cert)
        return AnalyticVerification(True, claim, st, how=how)
    except (SepgapError, InvalidStateError) as exc:
        return AnalyticVerification(False, reason=str(exc))
    except RecursionError:
        return AnalyticVerification(False, reason="malformed certificate (nested too deeply)")
    except (ArithmeticError, TypeError, ValueError, KeyError, IndexError, AttributeError) as exc:
        return AnalyticVerification(False, reason=f"malformed certificate ({type(exc).__name__}: "
                                                  f"{shorten(str(exc), 200)})")


def verify_lower(cert) -> AnalyticVerification:
    """Verify a ``sep_lower_bound`` certificate exactly; never raises on bad input."""
    return _run(_verify_lower, cert)


def verify_gap(cert) -> AnalyticVerification:
    """Verify a ``sep_locc_gap`` certificate exactly; never raises on bad input."""
    return _run(_verify_gap, cert)


def verify_analytic(cert) -> AnalyticVerification:
    """:func:`verify_lower` or :func:`verify_gap` by the certificate's kind."""
    kind = cert.get("kind") if isinstance(cert, dict) else None
    if kind == "sep_lower_bound":
        return verify_lower(cert)
    if kind == "sep_locc_gap":
        return verify_gap(cert)
    return AnalyticVerification(False, reason=f"kind {shorten(kind)} is not an analytic certificate")


def verify_analytic_certificate(cert) -> tuple[bool, str]:
    """``(valid, one line)`` for a lower-bound or gap certificate; never raises on bad input."""
    res = verify_analytic(cert)
    return res.valid, res.line()
