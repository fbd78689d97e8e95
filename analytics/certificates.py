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

from dataclasses import dataclass
from fractions import Fraction

from .display import ShortRepr, show_number
# the JSON helpers live in analytics.certjson; re-exported here for callers of this module
from .certjson import (FORMAT, STATE_KEYS, VERSION, CertificateFormatError,  # noqa: F401
                       check_claim, check_envelope, check_float, check_keys, float_lower,
                       float_upper, frac_str, parse_frac, require, shorten, state_from_json,
                       state_to_json, targeted_pairs)
from .checks import check_instrument
from .claims import Claim, exact_text, gap_claim, lower_claim, ppt_claim
from .errors import InstrumentError, InvalidStateError, SepgapError
from .instruments import DiagonalFactor, Instrument, ProductKraus
from .lower import sep_lower_bound
from .general_lp_certificates import verify_general_lp_certificate
from .general_states import ThreeQubitState
from .lp_certificates import verify_lp_lower_certificate
from .monotones import kappa
from .plane import SepLowerBound, is_product_state
from .states import WClassState
from .tree_certificates import verify_tree_lower_certificate


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


def lower_certificate(lb: SepLowerBound) -> dict:
    """The ``sep_lower_bound`` certificate of a computed bound (no search is run again):
    the plane instrument's Kraus data, the measurement tree, or the LP instrument."""
    if lb.value is None or lb.instrument is None:
        raise InstrumentError(f"no explicit SEP instrument: {lb.reason}")
    if lb.kind in ("tree", "lp"):
        return lb.instrument.certificate()
    inst = lb.instrument
    st = lb.state
    value = Fraction(lb.value)
    claim = lower_claim(targeted_pairs(lb.p_pairs), value).exact()
    return {"format": FORMAT, "version": VERSION, "kind": "sep_lower_bound", "claim": claim,
            "state": None if st is None else state_to_json(st),
            "instrument": _instrument_to_json(inst),
            "bound": {"exact": frac_str(value), "float_lower": float_lower(value)}}


def sep_lower_certificate(state, method: str = "auto", budget: float | None = None) -> dict:
    """Certificate of the best explicit SEP lower bound by ``method``
    (:func:`analytics.lower.sep_lower_bound`; raises if none applies)."""
    st = state.exact() if isinstance(state, WClassState) else WClassState.from_sequence(state).exact()
    lb = sep_lower_bound(st, method=method, budget=budget)
    cert = lower_certificate(lb)
    if cert.get("state") is None:
        cert["state"] = state_to_json(st)
    return cert


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
        who = "psi" if isinstance(self.state, ThreeQubitState) else "x"
        return (f"valid: {self.claim.text()} for {who} = {self.state} ({self.how}, exact "
                f"{exact_text(self.claim.value)})")


def _verify_tree(cert) -> tuple[WClassState, Claim, str]:
    check_keys(cert, TREE_KEYS, "certificate")
    st, bound, p_pairs, arithmetic = verify_tree_lower_certificate(cert)
    check_float(cert["bound"], "float_lower", "bound", float_lower(bound))
    claim = lower_claim(targeted_pairs(p_pairs), bound)
    check_claim(cert, claim)
    return st, claim, f"separable instrument from a measurement tree, checked in {arithmetic} arithmetic"


def _verify_lower(cert) -> tuple[WClassState, Claim, str]:
    check_envelope(cert, "sep_lower_bound")
    inst_d = cert.get("instrument")
    if isinstance(inst_d, dict) and inst_d.get("kind") == "tree":
        return _verify_tree(cert)
    if isinstance(inst_d, dict) and inst_d.get("kind") == "lp":
        return verify_lp_lower_certificate(cert)
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
    claim = lower_claim(targeted_pairs(chk.p_pairs), claimed)
    check_claim(cert, claim)
    return st, claim, "explicit separable instrument, checked exactly"


def gap_certificate_from(lower: dict) -> dict:
    """The ``sep_locc_gap`` certificate around a lower-bound certificate ``lower`` (verified
    here first): ``SEP_opt - LOCC_sup >= sep_lower - kappa`` (exact). Raises
    :class:`InstrumentError` when that gap is not positive: ``SEP >= LOCC`` always, so a claim
    ``>= 0`` or below is vacuous and is never written as a gap certificate (write the
    ``sep_lower_bound`` certificate instead)."""
    st, claim, _ = _verify_lower(lower)
    k = kappa(st)
    gap = claim.value - k
    if gap <= 0:
        raise InstrumentError(f"no SEP-LOCC gap certificate for {st}: sep_lower - kappa = "
                              f"{exact_text(gap)} is not positive (a vacuous claim)")
    return {"format": FORMAT, "version": VERSION, "kind": "sep_locc_gap",
            "claim": gap_claim(claim.pairs, gap).exact(),
            "state": lower["state"], "sep_lower": lower, "kappa": {"exact": frac_str(k)},
            "gap": {"exact": frac_str(gap), "float_lower": float_lower(gap)}}


def gap_certificate(state, method: str = "auto", budget: float | None = None) -> dict:
    """Certificate of ``SEP_opt - LOCC_sup >= sep_lower - kappa`` (exact)."""
    return gap_certificate_from(sep_lower_certificate(state, method, budget))


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


def verify_lower_lp(cert) -> AnalyticVerification:
    """Verify an LP ``sep_lower_bound`` certificate (``instrument.kind = "lp"``) exactly from
    the file alone (:func:`analytics.lp_certificates.verify_lp_lower_certificate`); never raises."""
    return _run(verify_lp_lower_certificate, cert)


def verify_lower_lp_general(cert) -> AnalyticVerification:
    """Verify a general-state LP ``sep_lower_bound`` certificate (``instrument.kind =
    "lp_general"``) exactly from the file alone
    (:func:`analytics.general_lp_certificates.verify_general_lp_certificate`); never raises."""
    return _run(verify_general_lp_certificate, cert)


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
