"""Exact separable instruments for any three-qubit state, from the general LP, and their
certificates (``kind = "sep_lower_bound"``, ``instrument.kind = "lp_general"``; issue 19).

**The instrument.** Kraus operators :math:`K_\\lambda = \\sqrt{w_\\lambda}\\,(F_{A,\\lambda} \\otimes
F_{B,\\lambda} \\otimes F_{C,\\lambda})` with rational weights :math:`w_\\lambda \\ge 0` and 2x2
factors with Gaussian-rational entries: a product operator by construction. The state is
:math:`\\psi/|\\psi|` with exact Gaussian-rational amplitudes :math:`\\psi` (as in
:mod:`sdp.complex_certificate`).

* completeness :math:`\\sum_\\lambda w_\\lambda \\bigotimes_p F_p^\\dagger F_p = I_8` is checked in
  the 64 Pauli coordinates :math:`\\mathrm{Tr}(\\,\\cdot\\,\\sigma_\\mu \\otimes \\sigma_\\nu \\otimes
  \\sigma_\\lambda)` (a basis of the Hermitian 8x8 matrices, so this is the matrix identity;
  for a product the coordinates are products of rational 2x2 traces): every coordinate must be
  0 except 8 on :math:`I \\otimes I \\otimes I`;
* a branch :math:`u = (F_A \\otimes F_B \\otimes F_C)\\psi` (Gaussian rational) of an operator
  labelled with pair (i, j), k the third party, is a maximally entangled state of (i, j) times
  a state of k iff (1) the 4x2 matrix :math:`U_{(ij),k}` has rank <= 1 (all 2x2 minors vanish:
  :math:`u = \\phi_{ij} \\otimes \\chi_k`) and (2) the reduced matrix of party i,
  :math:`\\rho_i = \\mathrm{Tr}_{jk}|u\\rangle\\langle u|`, is a multiple of the identity; its
  probability is :math:`w\\,\\|u\\|^2/|\\psi|^2` (rational).

**Construction** (:func:`exact_general_lp_instrument`): success columns (pair, r, B) are
rounded to the grid :math:`2^{-30}` (real and imaginary parts, after scaling the largest to 1)
and :math:`F_i = \\mathrm{adj}(M_r B^T)` is recomputed exactly from the exact amplitudes, so
every success branch is exactly :math:`\\det(G)(|00\\rangle + |11\\rangle)|0\\rangle` whatever the
rounding; failure columns :math:`|abc\\rangle` become :math:`|0\\rangle\\langle \\bar a|` etc. with
rounded vectors. The weights are shrunk by :math:`1 - \\delta`; the remainder
:math:`R = I - \\sum w P` has Pauli expansion :math:`R = r_0 I + \\sum_{P \\ne I} r_P P`; when
:math:`r_0 \\ge \\sum |r_P|` it is the explicit separable sum
:math:`(r_0 - \\sum|r_P|)\\,I + \\sum_P |r_P|\\,(I + s_P P)` with
:math:`I + s\\,P_1 \\otimes P_2 \\otimes P_3 = 2\\sum_{\\epsilon} \\bigotimes \\Pi^{\\epsilon_k}_{P_k}`
(sum over the signs of the non-identity factors whose product is s; :math:`\\Pi^\\pm` the
eigenprojectors, entries in :math:`\\{0, \\pm 1/2, \\pm i/2, 1\\}`; identity factors stay
identities): failure operators with those factors. If :math:`r_0 < \\sum |r_P|`,
:math:`\\delta` grows tenfold.

Certificate::

    {"format": "sepgap-certificate", "version": 1, "kind": "sep_lower_bound", "claim": ...,
     "state": {"type": "amplitudes", "psi": [8 strings like "1/2+1/3j"]},
     "bound": {"exact": "p/q", "float_lower": f},
     "p_pairs": {"AB": "p/q", "AC": ..., "BC": ...}, "arithmetic": "exact-rational",
     "instrument": {"kind": "lp_general", "kraus": [{"label": "AB" | "AC" | "BC" | "fail",
                                                     "weight": "p/q",
                                                     "factors": [F_A, F_B, F_C]}, ...]}}
    F = [["a+bj", "c+dj"], ["e+fj", "g+hj"]]     (row-major 2x2, Gaussian rationals)

``p_pairs`` and ``bound`` are recomputed and must agree exactly; unknown fields are refused.
"""
from __future__ import annotations

import itertools
import math
from dataclasses import dataclass, field
from fractions import Fraction

import numpy as np

from .certjson import (FORMAT, VERSION, CertificateFormatError, check_envelope,
                       check_instrument_numbers, check_keys, float_lower, frac_str,
                       product_kraus_from_json, require, shorten, targeted_pairs)
from .claims import lower_claim
from .errors import SepgapError
from .gaussian import ONE, ZERO, GaussianRational, complex_str, parse_complex
from .general_lp import GeneralLPSolution
from .general_states import ThreeQubitState, three_qubit_state
from .kraus import KrausOperators, from_product_factors
from .separable_lp import PAIR_INDICES
from .states import PAIRS

INSTRUMENT_KIND = "lp_general"
ARITHMETIC = "exact-rational"
#: Largest instrument the verifier accepts (the construction writes at most ~300).
MAX_KRAUS = 1_000
#: Grid of the rounded columns: 2**-GRID_BITS after scaling the largest part to 1.
GRID_BITS = 30
CERT_KEYS = ("format", "version", "kind", "claim", "state", "instrument", "bound", "p_pairs",
             "arithmetic", "provenance")


class GeneralLPCertificateError(SepgapError):
    """A general LP instrument or its certificate fails an exact check (or is malformed)."""


GMat = tuple  # ((z00, z01), (z10, z11)) of GaussianRational
_H = Fraction(1, 2)
_I2 = ((ONE, ZERO), (ZERO, ONE))


@dataclass(frozen=True)
class ExactGeneralKraus:
    """:math:`\\sqrt{w}\\,(F_A \\otimes F_B \\otimes F_C)` with outcome ``label``."""

    label: str
    weight: Fraction
    factors: tuple  # three GMat

    def float_factors(self) -> tuple:
        """Complex float 2x2 factors, the weight's square root on A."""
        out = [np.array([[complex(z) for z in row] for row in f]) for f in self.factors]
        out[0] = out[0] * math.sqrt(float(self.weight))
        return tuple(out)


def pauli_coords_exact(f: GMat) -> tuple:
    """``Tr(F^dag F sigma_mu)`` for mu = I, X, Y, Z, exact rationals."""
    g00 = f[0][0].abs2() + f[1][0].abs2()
    g11 = f[0][1].abs2() + f[1][1].abs2()
    g01 = f[0][0].conj() * f[0][1] + f[1][0].conj() * f[1][1]
    return (g00 + g11, 2 * g01.re, -2 * g01.im, g00 - g11)


def _apply(factors, psi) -> list:
    """:math:`(F_A \\otimes F_B \\otimes F_C)\\psi` (8 GaussianRationals, index 4a + 2b + c)."""
    t = list(psi)
    for n, f in enumerate(factors):
        shift = 2 - n
        out = [ZERO] * 8
        for idx in range(8):
            bit = (idx >> shift) & 1
            base = idx & ~(1 << shift)
            out[idx] = f[bit][0] * t[base] + f[bit][1] * t[base | (1 << shift)]
        t = out
    return t


def _max_entangled(label: str, u: list) -> str:
    """'' if ``u`` is a maximally entangled state of pair ``label`` times a state of the third
    party (or zero); otherwise what fails."""
    i, j, k = PAIR_INDICES[label]

    def comp(bi, bj, bk):
        bits = [0, 0, 0]
        bits[i], bits[j], bits[k] = bi, bj, bk
        return u[4 * bits[0] + 2 * bits[1] + bits[2]]
    rows = [(comp(a, b, 0), comp(a, b, 1)) for a in (0, 1) for b in (0, 1)]
    for r, s in itertools.combinations(rows, 2):
        if r[0] * s[1] - r[1] * s[0] != ZERO:
            return f"the branch is not a product of pair {label} and the third party"
    rho = [[sum((comp(a, b, c) * comp(a2, b, c).conj() for b in (0, 1) for c in (0, 1)), ZERO)
            for a2 in (0, 1)] for a in (0, 1)]
    if rho[0][1] != ZERO or rho[0][0] != rho[1][1]:
        return f"the reduced state of party {'ABC'[i]} is not a multiple of the identity"
    return ""


@dataclass(frozen=True)
class GeneralLPCheck:
    """Exact check of a general LP instrument: total and per-pair success probabilities."""

    total: Fraction
    p_pairs: dict
    size: int

    @property
    def ok(self) -> bool:
        """Always True: :func:`check_general_lp_instrument` raises instead."""
        return True


def check_general_lp_instrument(ops, st: ThreeQubitState) -> GeneralLPCheck:
    """Check ``ops`` (:class:`ExactGeneralKraus`) on ``st`` in exact arithmetic (module
    docstring): weights >= 0, completeness, every success branch maximally entangled on its
    pair. Raises :class:`GeneralLPCertificateError` naming the first failure."""
    if not ops:
        raise GeneralLPCertificateError("the instrument has no Kraus operator")
    if len(ops) > MAX_KRAUS:
        raise GeneralLPCertificateError(f"the instrument has {len(ops)} Kraus operators "
                                        f"(at most {MAX_KRAUS})")
    total = [Fraction(0)] * 64
    p_pairs = {p: Fraction(0) for p in PAIRS}
    n2 = st.norm2
    for n, op in enumerate(ops):
        if op.label not in PAIRS + ("fail",):
            raise GeneralLPCertificateError(f"Kraus operator {n}: label {op.label!r} is not AB, "
                                            "AC, BC or fail")
        if op.weight < 0:
            raise GeneralLPCertificateError(f"Kraus operator {n}: weight {op.weight} is negative")
        if op.weight == 0:
            continue
        ca, cb, cc = (pauli_coords_exact(f) for f in op.factors)
        for m, (x, y, z) in enumerate(itertools.product(range(4), repeat=3)):
            if ca[x] and cb[y] and cc[z]:
                total[m] += op.weight * ca[x] * cb[y] * cc[z]
        if op.label == "fail":
            continue
        u = _apply(op.factors, st.psi)
        why = _max_entangled(op.label, u)
        if why:
            raise GeneralLPCertificateError(f"Kraus operator {n} ({op.label}): {why}")
        p_pairs[op.label] += op.weight * sum((a.abs2() for a in u), Fraction(0)) / n2
    for m, val in enumerate(total):
        want = 8 if m == 0 else 0
        if val != want:
            names = "".join("IXYZ"[(m >> s) & 3] for s in (4, 2, 0))
            raise GeneralLPCertificateError(
                f"completeness fails: Tr[(sum K^dag K) {names}] = {shorten(val)}, the identity "
                f"has {want}")
    return GeneralLPCheck(sum(p_pairs.values(), Fraction(0)), p_pairs, len(ops))


# ---- construction from the float LP --------------------------------------------------------------

def _grid(x: float) -> Fraction:
    x = float(x)
    if not math.isfinite(x):
        raise GeneralLPCertificateError(f"non-finite number {x!r} in the LP solution")
    return Fraction(round(x * 2 ** GRID_BITS), 2 ** GRID_BITS)


def _round_complex(v: np.ndarray) -> tuple:
    """``(entries as GaussianRationals on the grid, scale)`` of ``v / scale`` with ``scale`` the
    largest real or imaginary part of ``v``."""
    scale = float(max(np.abs(v.real).max(), np.abs(v.imag).max()))
    if not scale > 0:
        return None, 0.0
    return [GaussianRational(_grid(z.real / scale), _grid(z.imag / scale)) for z in v.ravel()], scale


def _success_kraus(pair: str, r: list, B: GMat, psi) -> tuple:
    """Factors by party index: ``F_i = adj(M_r B^T)``, ``F_j = B``, ``F_k = |0><conj r|``."""
    i, j, k = PAIR_INDICES[pair]

    def amp(bi, bj, bk):
        bits = [0, 0, 0]
        bits[i], bits[j], bits[k] = bi, bj, bk
        return psi[4 * bits[0] + 2 * bits[1] + bits[2]]
    m = [[r[0] * amp(a, b, 0) + r[1] * amp(a, b, 1) for b in (0, 1)] for a in (0, 1)]
    g = [[m[a][0] * B[b][0] + m[a][1] * B[b][1] for b in (0, 1)] for a in (0, 1)]
    adj = ((g[1][1], -g[0][1]), (-g[1][0], g[0][0]))
    out = [None, None, None]
    out[i], out[j], out[k] = adj, B, ((r[0], r[1]), (ZERO, ZERO))
    return tuple(out)


def _trace_float(factors) -> float:
    return math.prod(float(pauli_coords_exact(f)[0]) for f in factors)


_PROJ = {  # eigenprojectors of X, Y, Z: sign -> 2x2 Gaussian rational
    1: {1: ((GaussianRational(_H), GaussianRational(_H)), (GaussianRational(_H), GaussianRational(_H))),
        -1: ((GaussianRational(_H), GaussianRational(-_H)), (GaussianRational(-_H), GaussianRational(_H)))},
    2: {1: ((GaussianRational(_H), GaussianRational(0, -_H)), (GaussianRational(0, _H), GaussianRational(_H))),
        -1: ((GaussianRational(_H), GaussianRational(0, _H)), (GaussianRational(0, -_H), GaussianRational(_H)))},
    3: {1: ((ONE, ZERO), (ZERO, ZERO)), -1: ((ZERO, ZERO), (ZERO, ONE))},
}


def pauli_completion(coords: list) -> list | None:
    """Failure operators whose :math:`\\sum w F^\\dagger F` has the 64 Pauli coordinates
    ``coords`` exactly (module docstring), or None if :math:`r_0 < \\sum |r_P|`."""
    r = [c / 8 for c in coords]
    slack = r[0] - sum((abs(x) for x in r[1:]), Fraction(0))
    if slack < 0:
        return None
    ops = []
    if slack > 0:
        ops.append(ExactGeneralKraus("fail", slack, (_I2, _I2, _I2)))
    for m in range(1, 64):
        if r[m] == 0:
            continue
        mus = ((m >> 4) & 3, (m >> 2) & 3, m & 3)
        s = 1 if r[m] > 0 else -1
        act = [n for n in range(3) if mus[n]]
        for signs in itertools.product((1, -1), repeat=len(act)):
            if math.prod(signs) != s:
                continue
            facs = [_I2, _I2, _I2]
            for n, e in zip(act, signs):
                facs[n] = _PROJ[mus[n]][e]
            ops.append(ExactGeneralKraus("fail", 2 * abs(r[m]), tuple(facs)))
    return ops


def _coords64(factors) -> list:
    ca, cb, cc = (pauli_coords_exact(f) for f in factors)
    return [ca[x] * cb[y] * cc[z] for x, y, z in itertools.product(range(4), repeat=3)]


@dataclass(frozen=True)
class GeneralLPLowerBound:
    """An exact SEP lower bound for a general state from an LP instrument: ``value``
    (Fraction, proved by :func:`check_general_lp_instrument`), ``p_pairs``, ``kraus``,
    ``delta`` (the shrink of the weights), ``lp_value`` (float LP optimum, not a bound),
    ``lp`` (the :class:`~analytics.general_lp.GeneralLPSolution`)."""

    state: ThreeQubitState
    value: Fraction
    p_pairs: dict
    kraus: tuple = field(repr=False)
    delta: Fraction = Fraction(0)
    lp_value: float = 0.0
    lp: GeneralLPSolution | None = field(default=None, repr=False, compare=False)
    arithmetic: str = ARITHMETIC

    kind = "lp"

    def __repr__(self) -> str:
        return (f"GeneralLPLowerBound(value>={float_lower(self.value):.8f} (exact, checked), "
                f"kraus={len(self.kraus)}, delta={self.delta}, lp_value={self.lp_value:.8f})")

    def check(self) -> GeneralLPCheck:
        return check_general_lp_instrument(self.kraus, self.state)

    def certificate(self) -> dict:
        return general_lp_certificate(self.state, self.kraus, self.check())

    def kraus_operators(self) -> KrausOperators:
        """The instrument's product Kraus operators as complex floats (the exact ones are in
        ``kraus`` and the certificate), labelled AB/AC/BC/fail."""
        return from_product_factors([op.float_factors() for op in self.kraus],
                                    [op.label for op in self.kraus],
                                    [f"K{n}" for n in range(len(self.kraus))], "lp_general",
                                    self.state, self.value)


def exact_general_lp_instrument(sol: GeneralLPSolution, delta: Fraction = Fraction(1, 10 ** 9),
                                max_tries: int = 7) -> GeneralLPLowerBound:
    """Round the float instrument ``sol`` to an exact one, complete it exactly and prove it
    (module docstring). Raises :class:`GeneralLPCertificateError` if :math:`r_0 < \\sum|r_P|`
    still holds after ``max_tries`` tenfold growths of ``delta``."""
    st = sol.state
    psi = st.psi
    base = []  # (label, factors, exact unshrunk weight)
    for col, wn in sol.success:
        r, B = col.arrays()
        rq, _ = _round_complex(r)
        Bq, _ = _round_complex(B)
        if rq is None or Bq is None:
            continue
        facs = _success_kraus(col.pair, rq, ((Bq[0], Bq[1]), (Bq[2], Bq[3])), psi)
        tr = _trace_float(facs)
        if not (tr > 0 and math.isfinite(tr)):
            continue
        base.append((col.pair, facs, Fraction(wn / tr)))
    for col, wn in sol.failure:
        facs, w = [], wn
        for v in col.vectors:
            vq, scale = _round_complex(np.array(v, complex))
            if vq is None:
                break
            w *= scale ** 2
            facs.append(((vq[0].conj(), vq[1].conj()), (ZERO, ZERO)))
        else:
            base.append(("fail", tuple(facs), Fraction(w)))
    s0 = [Fraction(0)] * 64
    for _, facs, w in base:
        for m, c in enumerate(_coords64(facs)):
            if c:
                s0[m] += w * c
    d = Fraction(delta)
    for _ in range(max_tries):
        rem = [(8 if m == 0 else 0) - (1 - d) * s0[m] for m in range(64)]
        comp = pauli_completion(rem)
        if comp is not None:
            ops = tuple([ExactGeneralKraus(lab, (1 - d) * w, facs) for lab, facs, w in base]
                        + comp)
            chk = check_general_lp_instrument(ops, st)
            return GeneralLPLowerBound(st, chk.total, dict(chk.p_pairs), ops, d, sol.value, sol)
        d *= 10
    raise GeneralLPCertificateError(f"no exact completion of the LP instrument (delta up to "
                                    f"{d / 10})")


# ---- JSON ----------------------------------------------------------------------------------------

def _mat_json(f: GMat) -> list:
    return [[complex_str(f[0][0]), complex_str(f[0][1])], [complex_str(f[1][0]), complex_str(f[1][1])]]


def state_json(st: ThreeQubitState) -> dict:
    return {"type": "amplitudes", "psi": [complex_str(a) for a in st.psi]}


def read_state(d) -> ThreeQubitState:
    """The state object ``{"type": "amplitudes", "psi": [8 strings]}`` (as in the complex PPT
    certificate); the bound is for ``psi / |psi|``."""
    check_keys(d, ("type", "psi"), "state")
    if require(d, "type", "state") != "amplitudes":
        raise CertificateFormatError(f"state.type {shorten(d.get('type'))} is not 'amplitudes'")
    amps = require(d, "psi", "state")
    if not isinstance(amps, list) or len(amps) != 8 or not all(isinstance(a, str) for a in amps):
        raise CertificateFormatError("state.psi: expected 8 exact amplitudes as strings")
    return three_qubit_state([parse_complex(a) for a in amps], normalise=True)


def general_lp_certificate(st: ThreeQubitState, ops, chk: GeneralLPCheck | None = None) -> dict:
    """The ``sep_lower_bound`` certificate (instrument kind ``lp_general``) of ``ops`` on ``st``."""
    chk = check_general_lp_instrument(ops, st) if chk is None else chk
    return {"format": FORMAT, "version": VERSION, "kind": "sep_lower_bound",
            "claim": lower_claim(targeted_pairs(chk.p_pairs), chk.total).exact(),
            "state": state_json(st),
            "instrument": {"kind": INSTRUMENT_KIND, "kraus": [
                {"label": op.label, "weight": frac_str(op.weight),
                 "factors": [_mat_json(f) for f in op.factors]} for op in ops]},
            "bound": {"exact": frac_str(chk.total), "float_lower": float_lower(chk.total)},
            "p_pairs": {p: frac_str(v) for p, v in chk.p_pairs.items()},
            "arithmetic": ARITHMETIC}


def _mat_from_json(d, where: str) -> GMat:
    if not (isinstance(d, list) and len(d) == 2 and all(isinstance(r, list) and len(r) == 2 for r in d)):
        raise CertificateFormatError(f"{where}: expected a 2x2 list of exact complex numbers")
    out = []
    for r in (0, 1):
        row = []
        for c in (0, 1):
            v = d[r][c]
            if not isinstance(v, str):
                raise CertificateFormatError(f"{where}[{r}][{c}]: expected a string like "
                                             f"\"1/2+1/3j\", got {shorten(v)}")
            try:
                row.append(parse_complex(v))
            except SepgapError as exc:
                raise CertificateFormatError(f"{where}[{r}][{c}]: {exc}") from None
        out.append(tuple(row))
    return tuple(out)


def ops_from_json(inst) -> tuple:
    """The exact operators of the certificate's ``instrument`` block (see
    :func:`analytics.certjson.product_kraus_from_json`)."""
    return product_kraus_from_json(inst, _mat_from_json, ExactGeneralKraus, MAX_KRAUS)


def verify_general_lp_certificate(cert) -> tuple:
    """Re-check a general LP certificate from its data alone: ``(state, claim, how)``.

    Raises :class:`GeneralLPCertificateError` or :class:`CertificateFormatError` on malformed
    data, unknown fields, a failed exact check, or any claimed number (p_pairs, bound,
    float_lower, claim) differing from the exact one."""
    check_envelope(cert, "sep_lower_bound")
    check_keys(cert, CERT_KEYS, "certificate")
    inst = require(cert, "instrument", "certificate")
    if require(inst, "kind", "instrument") != INSTRUMENT_KIND:
        raise CertificateFormatError(f"instrument.kind {shorten(inst.get('kind'))} is not "
                                     f"{INSTRUMENT_KIND!r}")
    st = read_state(require(cert, "state", "certificate"))
    ops = ops_from_json(inst)
    chk = check_general_lp_instrument(ops, st)
    claim = check_instrument_numbers(cert, chk.total, chk.p_pairs, ARITHMETIC, GeneralLPCertificateError)
    return st, claim, (f"separable instrument from the general LP ({chk.size} product Kraus "
                       f"operators, complex), checked in {ARITHMETIC} arithmetic")


__all__ = ["INSTRUMENT_KIND", "GeneralLPCertificateError", "ExactGeneralKraus", "GeneralLPCheck",
           "check_general_lp_instrument", "GeneralLPLowerBound", "exact_general_lp_instrument",
           "general_lp_certificate", "verify_general_lp_certificate", "pauli_completion",
           "pauli_coords_exact", "read_state", "state_json"]
