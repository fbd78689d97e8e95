"""Dual certificates for the PPT relaxation: the file format and the exact verifier.

This module imports no SDP solver: a certificate is re-checked from the file alone, in exact
rational arithmetic (formulation.md section 6; the method is that of Jansson, Chaykin and
Keil, SIAM J. Numer. Anal. 45, 2007).

Weak duality, in the frame of :mod:`sdp.frame` (``rho = |v><v|``, ``R = D^2``). For dual data
``W_p >= 0`` (p in id, A, B, C; 8 x 8), ``Z_{k,p} >= 0`` (p in A, B, C; 32 x 32) and reals
``t_k``, put

.. math::

    Y = \\sum_p W_p^{T_p}, \\qquad
    Z_{k,0} = Y \\otimes I_{out} - w_k C_k + t_k P_k - \\sum_{p} Z_{k,p}^{T_p}

with ``C_k = rho^T (x) I_out`` (or ``rho^T (x) Psi+_k`` for the fidelity objective, then
``t_k = 0``) and ``P_k = rho^T (x) (I - Psi+_k)``. If every ``Z_{k,0} >= 0`` then for every
feasible primal point ``{J_k, E}`` of the relaxation

.. math::

    \\sum_k w_k \\langle C_k, J_k\\rangle \\le \\langle Y, \\textstyle\\sum_k \\mathrm{Tr}_{out}J_k\\rangle
    = \\langle Y, R - E\\rangle \\le \\mathrm{Tr}[Y R],

so ``Tr[Y R] / scale`` bounds ``sum_k w_k <C_k, J_k>`` over the relaxation, hence over every
PPT (so every separable) instrument. That is the claim :func:`analytics.claims.ppt_claim`
states (``sum_k w_k p_k <= b``; ``SEP <= b`` only for all three pairs with unit weights and the
exact objective) and the verifier checks the file's ``claim`` against.

File format (JSON, ``format = "sepgap-certificate"``, ``version = 1``): see docs/certificates.md.
"""
from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from functools import lru_cache
from fractions import Fraction
from pathlib import Path

import numpy as np

from analytics.display import ShortRepr, show_number
from analytics.certjson import (CertificateFormatError, shorten, check_claim, check_envelope,
                                check_float, check_keys, float_upper, frac_str, parse_frac,
                                require, state_from_json)
from analytics.claims import Claim, exact_text, ppt_claim
from analytics.errors import InvalidStateError
from analytics.limits import check_exact_size, check_number_text
from analytics.states import WClassState

from . import structure as st
from .exact_psd import is_psd_int
from .frame import Frame, _diag_from_local, check_frame

FORMAT = "sepgap-certificate"
VERSION = 1
DUAL_PARTS = ("id", "A", "B", "C")


CertificateError = CertificateFormatError  # one error type for every malformed certificate


@dataclass(frozen=True, repr=False)
class VerificationResult(ShortRepr):
    valid: bool
    bound: Fraction | None
    reason: str
    state: str = ""
    relaxation: str = ""
    checks: dict = field(default_factory=dict)
    #: What the certificate proves (:func:`analytics.claims.ppt_claim`), when valid.
    claim: Claim | None = None

    def _summary(self) -> list:
        if not self.valid:
            return [("valid", "False"), ("reason", self.reason)]
        return [("valid", "True"), ("claim", self.claim.text() if self.claim else "None"),
                ("bound", show_number(self.bound, "<=")), ("state", self.state),
                ("relaxation", self.relaxation)]

    def line(self) -> str:
        """``valid: <claim, value rounded up> for x = ... (<relaxation>, exact bound <q>)``:
        ``SEP <= ...`` only for all three pairs with unit weights and the exact objective."""
        if self.valid:
            return (f"valid: {self.claim.text()} for x = {self.state} "
                    f"({self.relaxation}, exact bound {exact_text(self.bound)})")
        return f"invalid: {self.reason}"


# ---- exact problem data ---------------------------------------------------------------------

@lru_cache(maxsize=256)
def exact_data_int(v: tuple, pair: str, objective: str):
    """Integer forms of ``C_k`` and ``P_k`` for ``rho = |v><v|``: ``(C_num, C_den, P_num, P_den)``.

    ``C = rho^T (x) I`` (``rho^T (x) Psi+`` for the fidelity objective, then ``P`` is None),
    ``P = rho^T (x) (I - Psi+)``; with ``v = v_num / d``: ``C = v_num v_num^T (x) I / d^2`` and
    ``P = v_num v_num^T (x) (2I - 2Psi+) / (2 d^2)``.
    """
    d = 1
    for q in v:
        d = math.lcm(d, Fraction(q).denominator)
    vnum = np.array([int(Fraction(q) * d) for q in v], dtype=object)
    rho = np.outer(vnum, vnum)
    in_idx, same, psi2 = st.input_map(pair)
    R = rho[np.ix_(in_idx, in_idx)]
    if objective == "exact":
        return R * same, d * d, R * (2 * same - psi2), 2 * d * d
    return R * psi2, 2 * d * d, None, None


@dataclass
class DualData:
    """Integer dual matrices over one denominator ``den``, and rational ``t``."""

    den: int
    W: dict   # part -> 8 x 8 int object array
    Z: dict   # pair -> {party -> 32 x 32 int object array}
    t: dict   # pair -> Fraction


def assemble(frame: Frame, pairs, weights, objective, dual: DualData):
    """Exact ``Y`` (ints over ``dual.den``) and every ``Z_{k,0}`` as ``(ints, denominator)``."""
    Y = np.zeros((8, 8), dtype=object)
    for part, Wp in dual.W.items():
        Y = Y + (Wp if part == "id" else st.partial_transpose(Wp, None, part))
    Zk0 = {}
    for pair, w in zip(pairs, weights):
        C, dC, P, dP = exact_data_int(frame.v, pair, objective)
        S = st.tensor_identity(Y, pair)
        for party, Zp in dual.Z.get(pair, {}).items():
            S = S - st.partial_transpose(Zp, pair, party)
        w = Fraction(w)
        t = dual.t.get(pair, Fraction(0))
        L = math.lcm(dual.den, dC * w.denominator)
        M = S * (L // dual.den) - C * (w.numerator * (L // (dC * w.denominator)))
        if P is not None and t != 0:
            L2 = math.lcm(L, dP * t.denominator)
            M = M * (L2 // L) + P * (t.numerator * (L2 // (dP * t.denominator)))
            L = L2
        Zk0[pair] = (M, L)
    return Y, Zk0


def bound_from_Y(Y: np.ndarray, den: int, frame: Frame) -> Fraction:
    """``Tr[Y R] / scale`` with ``R = diag(r_diag)``, exactly."""
    total = sum((Fraction(int(Y[i, i])) * frame.r_diag[i] for i in range(8)), Fraction(0))
    return total / den / frame.scale


# ---- reading and verifying ------------------------------------------------------------------

def _read_sym(entries, n: int, where: str) -> np.ndarray:
    M = np.zeros((n, n), dtype=object)
    if not isinstance(entries, list):
        raise CertificateError(f"{where}: expected a list of [i, j, value] entries")
    for e in entries:
        if (not isinstance(e, list) or len(e) != 3
                or not all(isinstance(a, int) and not isinstance(a, bool) for a in e[:2])):
            raise CertificateError(f"{where}: bad entry {e!r}")
        i, j = e[0], e[1]
        if not (0 <= i <= j < n):
            raise CertificateError(f"{where}: index ({i}, {j}) outside the upper triangle of {n}x{n}")
        val = e[2]
        if isinstance(val, str):
            check_number_text(val, where)
            try:
                val = int(val)
            except ValueError:
                raise CertificateError(f"{where}: entry value {e[2]!r} is not an integer") from None
        if isinstance(val, bool) or not isinstance(val, int):
            raise CertificateError(f"{where}: entry value {e[2]!r} is not an integer")
        check_exact_size(Fraction(val), where)
        if M[i, j] != 0:
            raise CertificateError(f"{where}: duplicate entry ({i}, {j})")
        M[i, j] = val
        M[j, i] = val
    return M


def _state_from_json(d: dict):
    if isinstance(d, dict) and d.get("type") == "amplitudes":
        check_keys(d, ("type", "psi"), "state")
        amps = require(d, "psi", "state")
        if not isinstance(amps, list) or len(amps) != 8:
            raise CertificateError("state.psi: expected 8 exact real amplitudes")
        return tuple(parse_frac(a, "state.psi") for a in amps)
    return state_from_json(d)


def _frame_from_json(d: dict, state) -> Frame:
    kind = require(d, "kind", "frame")
    check_keys(d, ("kind", "v", "alpha_sq", "beta_sq", "scale"), "frame")
    if kind not in ("w0", "w", "real"):
        raise CertificateError(f"frame.kind {shorten(kind)} unknown")
    v = tuple(parse_frac(a, "frame.v") for a in _list(require(d, "v", "frame"), "frame.v"))
    a = tuple(parse_frac(q, "frame.alpha_sq") for q in _list(require(d, "alpha_sq", "frame"), "frame.alpha_sq"))
    b = tuple(parse_frac(q, "frame.beta_sq") for q in _list(require(d, "beta_sq", "frame"), "frame.beta_sq"))
    scale = parse_frac(require(d, "scale", "frame"), "frame.scale")
    if len(v) != 8 or len(a) != 3 or len(b) != 3:
        raise CertificateError("frame: v needs 8 entries, alpha_sq and beta_sq 3 each")
    if any(q < 0 for q in a + b):
        raise CertificateError("frame: alpha_sq and beta_sq must be non-negative")
    # D^2 is recomputed as a product of local diagonals: the congruence is local by construction.
    frame = Frame(kind, v, _diag_from_local(a, b), scale, a, b)
    if isinstance(state, WClassState):
        if scale != 1:
            raise CertificateError("frame.scale must be 1 for a W-class state")
        check_frame(frame, state)
    else:
        if frame.r_diag != (Fraction(1),) * 8 or v != tuple(state):
            raise CertificateError("frame of an amplitude state must be D = I, v = psi")
        if scale != sum(q * q for q in v):
            raise CertificateError("frame.scale must equal |psi|^2")
    return frame


def _list(v, where: str) -> list:
    if not isinstance(v, list):
        raise CertificateError(f"{where}: expected a list")
    return v


def read_dual_blocks(dual_d: dict, pairs, objective: str, read_matrix) -> tuple:
    """``(W, Z, t)`` of a certificate's ``dual`` object: the 8 x 8 blocks ``W[part]``, the
    32 x 32 partial-transpose multipliers ``Z[pair][party]`` and the exactness multipliers
    ``t[pair]``, each matrix read by ``read_matrix(entries, size, where)`` (real symmetric here,
    Hermitian in :mod:`sdp.complex_certificate`). Raises :class:`CertificateError` for an
    unknown part, pair or party, and for ``t != 0`` with the fidelity objective."""
    W = {}
    for part, entries in _dict(require(dual_d, "W", "dual"), "dual.W").items():
        if part not in DUAL_PARTS:
            raise CertificateError(f"dual.W has unknown part {shorten(part)}")
        W[part] = read_matrix(entries, 8, f"dual.W.{part}")
    Z, t = {}, {}
    for pair, per in _dict(require(dual_d, "Z", "dual"), "dual.Z").items():
        if pair not in pairs:
            raise CertificateError(f"dual.Z has pair {shorten(pair)} outside the relaxation")
        Z[pair] = {}
        for party, entries in _dict(per, f"dual.Z.{pair}").items():
            if party not in st.PARTIES:
                raise CertificateError(f"dual.Z.{pair} has unknown party {shorten(party)}")
            Z[pair][party] = read_matrix(entries, 32, f"dual.Z.{pair}.{party}")
    for pair, val in _dict(require(dual_d, "t", "dual"), "dual.t").items():
        if pair not in pairs:
            raise CertificateError(f"dual.t has pair {shorten(pair)} outside the relaxation")
        t[pair] = parse_frac(val, f"dual.t.{pair}")
        if objective == "fidelity" and t[pair] != 0:
            raise CertificateError("the fidelity objective has no exactness multiplier: t must be 0")
    return W, Z, t


def _dict(v, where: str) -> dict:
    if not isinstance(v, dict):
        raise CertificateError(f"{where}: expected an object")
    return v


#: Fields of a ``ppt_upper_bound`` certificate; any other field is refused (a reader could
#: take it for part of the claim). ``provenance`` is free (not checked).
TOP_KEYS = ("format", "version", "kind", "claim", "state", "relaxation", "frame", "dual", "bound",
            "provenance")


def verify_certificate(cert: dict) -> VerificationResult:
    """Re-check a certificate dict exactly; never raises for a bad certificate."""
    return run_verifier(_verify, cert)


def run_verifier(verify, cert) -> VerificationResult:
    """``verify(cert)``, with every way a malformed certificate can fail turned into an invalid
    :class:`VerificationResult` (the one place for the PPT certificate kinds, real and complex)."""
    try:
        return verify(cert)
    except (CertificateError, InvalidStateError) as exc:
        return VerificationResult(False, None, str(exc))
    except RecursionError:
        return VerificationResult(False, None, "malformed certificate (nested too deeply)")
    except (ArithmeticError, TypeError, ValueError, KeyError, IndexError, AttributeError) as exc:
        return VerificationResult(False, None, f"malformed certificate ({type(exc).__name__}: "
                                               f"{shorten(str(exc), 200)})")


def _verify(cert: dict) -> VerificationResult:
    check_envelope(cert, "ppt_upper_bound")
    check_keys(cert, TOP_KEYS, "certificate")
    state = _state_from_json(require(cert, "state", "certificate"))
    rel = require(cert, "relaxation", "certificate")
    check_keys(rel, ("name", "pairs", "weights", "objective"), "relaxation")
    if require(rel, "name", "relaxation") != "ppt":
        raise CertificateError(f"relaxation {shorten(rel['name'])} is not 'ppt'")
    pairs = require(rel, "pairs", "relaxation")
    if (not isinstance(pairs, list) or not pairs or not all(isinstance(p, str) for p in pairs)
            or any(p not in st.PAIRS for p in pairs)
            or pairs != [p for p in st.PAIRS if p in pairs]):
        raise CertificateError(f"relaxation.pairs {shorten(pairs)} must be distinct names from "
                               "AB, AC, BC in that order")
    weights = [parse_frac(w, "relaxation.weights")
               for w in _list(require(rel, "weights", "relaxation"), "relaxation.weights")]
    if len(weights) != len(pairs) or any(w < 0 for w in weights):
        raise CertificateError("relaxation.weights: one non-negative weight per pair")
    if not any(weights):
        raise CertificateError("relaxation.weights are all 0: such a certificate proves nothing")
    objective = require(rel, "objective", "relaxation")
    if objective not in ("exact", "fidelity"):
        raise CertificateError(f"relaxation.objective {shorten(objective)} unknown")
    frame = _frame_from_json(require(cert, "frame", "certificate"), state)

    dual_d = require(cert, "dual", "certificate")
    check_keys(dual_d, ("denominator", "W", "Z", "t"), "dual")
    den = require(dual_d, "denominator", "dual")
    if isinstance(den, str) and den.isdigit():
        check_number_text(den, "dual.denominator")
        den = int(den)
    if isinstance(den, bool) or not isinstance(den, int) or den <= 0:
        raise CertificateError("dual.denominator must be a positive integer")
    check_exact_size(Fraction(den), "dual.denominator")
    W, Z, t = read_dual_blocks(dual_d, pairs, objective, _read_sym)
    dual = DualData(den, W, Z, t)

    claimed = require(cert, "bound", "certificate")
    check_keys(claimed, ("exact", "float_upper"), "bound")
    claimed_exact = parse_frac(require(claimed, "exact", "bound"), "bound.exact")
    require(claimed, "float_upper", "bound")

    checks = {}
    for part, Wp in W.items():
        ok = is_psd_int(Wp)
        checks[f"W.{part}"] = ok.psd
        if not ok.psd:
            return VerificationResult(False, None, f"dual block W.{part} is not PSD ({ok.reason})")
    for pair, per in Z.items():
        for party, Zp in per.items():
            ok = is_psd_int(Zp)
            checks[f"Z.{pair}.{party}"] = ok.psd
            if not ok.psd:
                return VerificationResult(False, None, f"dual block Z.{pair}.{party} is not PSD ({ok.reason})")
    Y, Zk0 = assemble(frame, pairs, weights, objective, dual)
    for pair, (M, _) in Zk0.items():
        ok = is_psd_int(M)
        checks[f"slack.{pair}"] = ok.psd
        if not ok.psd:
            return VerificationResult(False, None, f"slack block of pair {pair} is not PSD ({ok.reason})")
    bound = bound_from_Y(Y, den, frame)
    label = f"ppt/{objective}, pairs {','.join(pairs)}"
    if any(w != 1 for w in weights):
        label += ", weights " + ",".join(frac_str(w) for w in weights)
    sstr = str(state) if isinstance(state, WClassState) else "psi=" + str([frac_str(a) for a in state])
    if bound != claimed_exact:
        return VerificationResult(False, bound, f"claimed bound {claimed_exact} differs from the "
                                  f"certified {bound}", sstr, label, checks)
    try:
        check_float(claimed, "float_upper", "bound", float_upper(bound))
        claim = ppt_claim(pairs, weights, bound, objective)
        check_claim(cert, claim)
    except CertificateError as exc:
        return VerificationResult(False, bound, str(exc), sstr, label, checks)
    return VerificationResult(True, bound, "", sstr, label, checks, claim)


def load_certificate(path) -> dict:
    """The JSON in ``path``; any failure to read or parse it is one :class:`CertificateError`."""
    p = Path(path)
    if p.is_dir():
        raise CertificateError(f"{p} is a folder, not a certificate file")
    if not p.is_file():
        raise CertificateError(f"no such certificate file: {p}")
    try:
        return json.loads(p.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise CertificateError(f"{p} is not valid JSON ({exc.msg} at line {exc.lineno})") from None
    except UnicodeDecodeError:
        raise CertificateError(f"{p} is not a text file") from None
    except RecursionError:
        raise CertificateError(f"{p}: JSON nested too deeply to be a certificate") from None
    except ValueError as exc:  # e.g. an integer beyond Python's digit limit
        why = "a number with too many digits" if "digits" in str(exc) else shorten(str(exc), 80)
        raise CertificateError(f"{p} is not a usable JSON file ({why})") from None
    except OSError as exc:
        raise CertificateError(f"cannot read {p}: {exc.strerror or exc}") from None


def verify_file(path) -> VerificationResult:
    try:
        cert = load_certificate(path)
    except CertificateError as exc:
        return VerificationResult(False, None, str(exc))
    return verify_certificate(cert)
