r"""Certificates of the PPT bound for complex amplitudes (``kind = "ppt_upper_bound_complex"``).

The inequality proved is the one of :mod:`sdp.certificate`, with Hermitian instead of real
symmetric data. For ``rho = |psi><psi|`` (``psi`` 8 exact Gaussian-rational amplitudes, not
necessarily normalised), Hermitian dual data ``W_p >= 0`` (p in id, A, B, C; 8 x 8),
``Z_{k,p} >= 0`` (32 x 32) and reals ``t_k``, put ``Y = sum_p W_p^{T_p}`` and

.. math::

    Z_{k,0} = Y \otimes I_{out} - w_k C_k + t_k P_k - \sum_p Z_{k,p}^{T_p},
    \qquad C_k = \rho^T \otimes I_{out},\ P_k = \rho^T \otimes (I - \Psi^+_k)

(``C_k = rho^T (x) Psi+`` and ``t_k = 0`` for the fidelity objective). If every ``Z_{k,0} >= 0``
then ``sum_k w_k p_k <= Tr[Y] / |psi|^2`` for every PPT (so every separable) instrument: the
weak-duality chain of :mod:`sdp.certificate` uses only ``Tr[A B] >= 0`` for Hermitian PSD A, B
and ``Tr[A^{T_p} B] = Tr[A B^{T_p}]``, both true over the complex numbers.

Exact check: all entries are Gaussian rationals over one integer denominator; a Hermitian
``R + i I`` is PSD iff the real symmetric ``[[R, -I], [I, R]]`` is (formulation.md section 9),
which :func:`sdp.exact_psd.is_psd_int` decides exactly.

File format (JSON, same envelope as every sepgap certificate; unknown fields are rejected):
``state = {"type": "amplitudes", "psi": [8 strings like "1/2+1/3j"]}``; ``relaxation`` as for
``ppt_upper_bound``; ``dual = {"denominator": D, "W": {part: [[i, j, re, im], ...]}, "Z": {pair:
{party: [[i, j, re, im], ...]}}, "t": {pair: "p/q"}}`` (upper triangle ``i <= j`` of integer
matrices over D; the lower triangle is the conjugate; diagonal ``im`` must be 0); ``bound =
{"exact", "float_upper"}``; ``claim``; free ``provenance``. See docs/certificates.md.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timezone
from fractions import Fraction

import numpy as np

from analytics.certificates import (CertificateFormatError, check_claim, check_envelope,
                                    check_float, check_keys, float_upper, frac_str, parse_frac,
                                    require, shorten)
from analytics.claims import ppt_claim
from analytics.gaussian import complex_str, parse_complex
from analytics.general_states import ThreeQubitState, three_qubit_state
from analytics.limits import check_exact_size, check_number_text

from . import structure as st
from .certificate import FORMAT, VERSION, VerificationResult, read_dual_blocks, run_verifier
from .exact_psd import PSDVerdict, is_psd_int

KIND = "ppt_upper_bound_complex"
TOP_KEYS = ("format", "version", "kind", "claim", "state", "relaxation", "dual", "bound",
            "provenance")


# ---- Gaussian-integer matrices ------------------------------------------------------------------

@dataclass
class GMatrix:
    """``re + i im``: two square object arrays of Python ints (a Hermitian matrix when
    ``re`` is symmetric and ``im`` antisymmetric)."""

    re: np.ndarray
    im: np.ndarray

    @classmethod
    def zeros(cls, n: int) -> "GMatrix":
        return cls(np.zeros((n, n), dtype=object), np.zeros((n, n), dtype=object))

    def __add__(self, o: "GMatrix") -> "GMatrix":
        return GMatrix(self.re + o.re, self.im + o.im)

    def __sub__(self, o: "GMatrix") -> "GMatrix":
        return GMatrix(self.re - o.re, self.im - o.im)

    def times(self, k: int) -> "GMatrix":
        return GMatrix(self.re * k, self.im * k)

    def pt(self, pair, party: str) -> "GMatrix":
        return GMatrix(st.partial_transpose(self.re, pair, party),
                       st.partial_transpose(self.im, pair, party))

    def is_hermitian(self) -> bool:
        return np.array_equal(self.re, self.re.T) and np.array_equal(self.im, -self.im.T)

    def embedding(self) -> np.ndarray:
        """``[[re, -im], [im, re]]`` (object array)."""
        return np.block([[self.re, -self.im], [self.im, self.re]])

    def psd(self):
        """Exact PSD verdict (:class:`sdp.exact_psd.PSDVerdict`) of a Hermitian matrix."""
        if not self.is_hermitian():
            return PSDVerdict(False, "not Hermitian")
        return is_psd_int(self.embedding())

    def any(self) -> bool:
        return any(self.re.flat) or any(self.im.flat)

    def complex(self, den: int) -> np.ndarray:
        """Float estimate (for sizing shifts only; never trusted)."""
        def f(v):  # exact quotient first: the integers may exceed the float range
            return float(Fraction(int(v), den))
        to = np.vectorize(f, otypes=[float])
        return to(self.re) + 1j * to(self.im)


def exact_rho_t(psi) -> tuple:
    """``(GMatrix Rn, d2)`` with ``rho^T = conj(psi) psi^T = Rn / d2`` exactly."""
    d = 1
    for a in psi:
        d = math.lcm(d, a.re.denominator, a.im.denominator)
    qr = [int(a.re * d) for a in psi]
    qi = [-int(a.im * d) for a in psi]   # q = conj(psi) d
    re = np.array([[qr[a] * qr[b] + qi[a] * qi[b] for b in range(8)] for a in range(8)],
                  dtype=object)
    im = np.array([[qi[a] * qr[b] - qr[a] * qi[b] for b in range(8)] for a in range(8)],
                  dtype=object)
    return GMatrix(re, im), d * d


def exact_data(psi, pair: str, objective: str) -> tuple:
    """``(C_num, C_den, P_num, P_den)`` (GMatrices over integer denominators) for one pair."""
    R, d2 = exact_rho_t(psi)
    in_idx, same, psi2 = st.input_map(pair)
    sub = GMatrix(R.re[np.ix_(in_idx, in_idx)], R.im[np.ix_(in_idx, in_idx)])
    if objective == "exact":
        mask = 2 * same - psi2
        return (GMatrix(sub.re * same, sub.im * same), d2,
                GMatrix(sub.re * mask, sub.im * mask), 2 * d2)
    return GMatrix(sub.re * psi2, sub.im * psi2), 2 * d2, None, None


@dataclass
class ComplexDual:
    """Hermitian integer dual matrices over one denominator ``den``, and rational ``t``."""

    den: int
    W: dict   # part -> GMatrix 8 x 8
    Z: dict   # pair -> {party -> GMatrix 32 x 32}
    t: dict   # pair -> Fraction


def assemble(psi, pairs, weights, objective, dual: ComplexDual):
    """Exact ``Y`` (over ``dual.den``) and each slack ``Z_{k,0}`` as ``(GMatrix, denominator)``."""
    Y = GMatrix.zeros(8)
    for part, Wp in dual.W.items():
        Y = Y + (Wp if part == "id" else Wp.pt(None, part))
    out = {}
    for pair, w in zip(pairs, weights):
        C, dC, P, dP = exact_data(psi, pair, objective)
        S = GMatrix(st.tensor_identity(Y.re, pair), st.tensor_identity(Y.im, pair))
        for party, Zp in dual.Z.get(pair, {}).items():
            S = S - Zp.pt(pair, party)
        w = Fraction(w)
        t = dual.t.get(pair, Fraction(0))
        L = math.lcm(dual.den, dC * w.denominator)
        M = S.times(L // dual.den) - C.times(w.numerator * (L // (dC * w.denominator)))
        if P is not None and t != 0:
            L2 = math.lcm(L, dP * t.denominator)
            M = M.times(L2 // L) + P.times(t.numerator * (L2 // (dP * t.denominator)))
            L = L2
        out[pair] = (M, L)
    return Y, out


def bound_from_Y(Y: GMatrix, den: int, norm2: Fraction) -> Fraction:
    """``Tr[Y] / |psi|^2`` (the completeness right-hand side is the identity)."""
    return Fraction(int(sum(Y.re[i, i] for i in range(8))), den) / norm2


# ---- writing ----------------------------------------------------------------------------------

def _entries(M: GMatrix) -> list:
    n = M.re.shape[0]
    return [[i, j, int(M.re[i, j]), int(M.im[i, j])] for i in range(n) for j in range(i, n)
            if M.re[i, j] != 0 or M.im[i, j] != 0]


def certificate_dict(state: ThreeQubitState, spec, dual: ComplexDual, bound: Fraction,
                     provenance: dict | None = None) -> dict:
    """The JSON-ready certificate (module docstring)."""
    from importlib.metadata import PackageNotFoundError, version
    try:
        ver = version("sepgap")
    except PackageNotFoundError:
        ver = "unknown"
    return {
        "format": FORMAT, "version": VERSION, "kind": KIND,
        "claim": ppt_claim(spec.pairs, spec.weights, bound, spec.objective).exact(),
        "state": {"type": "amplitudes", "psi": [complex_str(a) for a in state.psi]},
        "relaxation": {"name": "ppt", "pairs": list(spec.pairs),
                       "weights": [frac_str(w) for w in spec.weights], "objective": spec.objective},
        "dual": {"denominator": dual.den,
                 "W": {p: _entries(M) for p, M in dual.W.items() if M.any()},
                 "Z": {pair: {p: _entries(M) for p, M in per.items() if M.any()}
                       for pair, per in dual.Z.items()},
                 "t": {pair: frac_str(t) for pair, t in dual.t.items()}},
        "bound": {"exact": frac_str(bound), "float_upper": float_upper(bound)},
        "provenance": {"sepgap": ver, **(provenance or {}),
                       "created": datetime.now(timezone.utc).isoformat(timespec="seconds")},
    }


def trivial_dual(state: ThreeQubitState, spec) -> tuple:
    """``(ComplexDual, bound)`` of the bound ``sum_k w_k p_k <= max_k w_k``: ``W_id = m rho^T``."""
    m = max(Fraction(w) for w in spec.weights)
    R, d2 = exact_rho_t(state.psi)
    dual = ComplexDual(d2 * m.denominator, {"id": R.times(m.numerator)}, {},
                       {p: Fraction(0) for p in spec.pairs})
    return dual, m


# ---- reading and verifying ------------------------------------------------------------------

def _int(v, where: str) -> int:
    if isinstance(v, str):
        check_number_text(v, where)
        try:
            v = int(v)
        except ValueError:
            raise CertificateFormatError(f"{where}: {shorten(v)} is not an integer") from None
    if isinstance(v, bool) or not isinstance(v, int):
        raise CertificateFormatError(f"{where}: {shorten(v)} is not an integer")
    check_exact_size(Fraction(v), where)
    return v


def _read_herm(entries, n: int, where: str) -> GMatrix:
    M = GMatrix.zeros(n)
    if not isinstance(entries, list):
        raise CertificateFormatError(f"{where}: expected a list of [i, j, re, im] entries")
    seen = set()
    for e in entries:
        if (not isinstance(e, list) or len(e) != 4
                or not all(isinstance(a, int) and not isinstance(a, bool) for a in e[:2])):
            raise CertificateFormatError(f"{where}: bad entry {shorten(e)}")
        i, j = e[0], e[1]
        if not (0 <= i <= j < n):
            raise CertificateFormatError(f"{where}: index ({i}, {j}) outside the upper triangle "
                                         f"of {n}x{n}")
        if (i, j) in seen:
            raise CertificateFormatError(f"{where}: duplicate entry ({i}, {j})")
        seen.add((i, j))
        re, im = _int(e[2], where), _int(e[3], where)
        if i == j and im != 0:
            raise CertificateFormatError(f"{where}: diagonal entry ({i}, {i}) has an imaginary part")
        M.re[i, j] = M.re[j, i] = re
        M.im[i, j], M.im[j, i] = im, -im
    return M


def read_state(d) -> ThreeQubitState:
    check_keys(d, ("type", "psi"), "state")
    if require(d, "type", "state") != "amplitudes":
        raise CertificateFormatError(f"state.type {shorten(d.get('type'))} is not 'amplitudes'")
    amps = require(d, "psi", "state")
    if not isinstance(amps, list) or len(amps) != 8 or not all(isinstance(a, str) for a in amps):
        raise CertificateFormatError("state.psi: expected 8 exact amplitudes as strings")
    return three_qubit_state([parse_complex(a) for a in amps], normalise=True)


def verify_complex_certificate(cert: dict) -> VerificationResult:
    """Re-check a ``ppt_upper_bound_complex`` certificate exactly; never raises."""
    return run_verifier(_verify, cert)


def _verify(cert: dict) -> VerificationResult:
    check_envelope(cert, KIND)
    check_keys(cert, TOP_KEYS, "certificate")
    state = read_state(require(cert, "state", "certificate"))
    rel = require(cert, "relaxation", "certificate")
    check_keys(rel, ("name", "pairs", "weights", "objective"), "relaxation")
    if require(rel, "name", "relaxation") != "ppt":
        raise CertificateFormatError(f"relaxation {shorten(rel['name'])} is not 'ppt'")
    pairs = require(rel, "pairs", "relaxation")
    if (not isinstance(pairs, list) or not pairs or not all(isinstance(p, str) for p in pairs)
            or pairs != [p for p in st.PAIRS if p in pairs]):
        raise CertificateFormatError(f"relaxation.pairs {shorten(pairs)} must be distinct names "
                                     "from AB, AC, BC in that order")
    wl = require(rel, "weights", "relaxation")
    if not isinstance(wl, list):
        raise CertificateFormatError("relaxation.weights: expected a list")
    weights = [parse_frac(w, "relaxation.weights") for w in wl]
    if len(weights) != len(pairs) or any(w < 0 for w in weights) or not any(weights):
        raise CertificateFormatError("relaxation.weights: one non-negative weight per pair, "
                                     "not all 0")
    objective = require(rel, "objective", "relaxation")
    if objective not in ("exact", "fidelity"):
        raise CertificateFormatError(f"relaxation.objective {shorten(objective)} unknown")
    dd = require(cert, "dual", "certificate")
    check_keys(dd, ("denominator", "W", "Z", "t"), "dual")
    den = _int(require(dd, "denominator", "dual"), "dual.denominator")
    if den <= 0:
        raise CertificateFormatError("dual.denominator must be a positive integer")
    W, Z, t = read_dual_blocks(dd, pairs, objective, _read_herm)
    claimed = require(cert, "bound", "certificate")
    check_keys(claimed, ("exact", "float_upper"), "bound")
    claimed_exact = parse_frac(require(claimed, "exact", "bound"), "bound.exact")
    require(claimed, "float_upper", "bound")
    sstr = "psi=" + str(state)
    label = f"ppt/{objective} (complex), pairs {','.join(pairs)}"
    if any(w != 1 for w in weights):
        label += ", weights " + ",".join(frac_str(w) for w in weights)
    checks = {}
    blocks = [(f"W.{p}", M) for p, M in W.items()]
    blocks += [(f"Z.{k}.{p}", M) for k, per in Z.items() for p, M in per.items()]
    for name, M in blocks:
        ok = M.psd()
        checks[name] = ok.psd
        if not ok.psd:
            return VerificationResult(False, None, f"dual block {name} is not PSD ({ok.reason})")
    Y, slack = assemble(state.psi, pairs, weights, objective, ComplexDual(den, W, Z, t))
    for pair, (M, _) in slack.items():
        ok = M.psd()
        checks[f"slack.{pair}"] = ok.psd
        if not ok.psd:
            return VerificationResult(False, None, f"slack block of pair {pair} is not PSD "
                                                   f"({ok.reason})")
    bound = bound_from_Y(Y, den, state.norm2)
    if bound != claimed_exact:
        return VerificationResult(False, bound, f"claimed bound {claimed_exact} differs from the "
                                  f"certified {bound}", sstr, label, checks)
    try:
        check_float(claimed, "float_upper", "bound", float_upper(bound))
        claim = ppt_claim(pairs, weights, bound, objective)
        check_claim(cert, claim)
    except CertificateFormatError as exc:
        return VerificationResult(False, bound, str(exc), sstr, label, checks)
    return VerificationResult(True, bound, "", sstr, label, checks, claim)


__all__ = ["KIND", "GMatrix", "ComplexDual", "assemble", "bound_from_Y", "certificate_dict",
           "exact_data", "exact_rho_t", "trivial_dual", "verify_complex_certificate", "read_state"]
