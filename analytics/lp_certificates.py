"""Exact separable instruments from the LP search, and their certificates (``instrument.kind = "lp"``).

**Frame** (formulation.md, section 8). For an exact state,
:math:`|\\varphi\\rangle = s\\,D|v\\rangle` with :math:`s^2 = x_0` (1 if :math:`x_0 = 0`),
:math:`D = \\bigotimes_k \\mathrm{diag}(1, d_k)`, :math:`d_k^2 = x_k/s^2` (1 if :math:`x_k = 0`),
and :math:`v` the 0/1 vector with ones at the non-zero amplitudes among
:math:`|000\\rangle, |100\\rangle, |010\\rangle, |001\\rangle`. Everything the verifier needs is
rational: :math:`s^2`, :math:`D^2`, :math:`v`.

**The instrument.** A list of Kraus operators :math:`K_\\lambda = \\sqrt{w_\\lambda}\\,
(F_{A,\\lambda} \\otimes F_{B,\\lambda} \\otimes F_{C,\\lambda})\\,D^{-1}` with rational weights
:math:`w_\\lambda \\ge 0` and rational 2x2 factors :math:`F`: a product operator by construction.

* completeness :math:`\\sum K^\\dagger K = I_8` is, multiplied by D on both sides,
  :math:`\\sum_\\lambda w_\\lambda \\bigotimes_p F_{p,\\lambda}^T F_{p,\\lambda} = D^2`: an identity of
  8x8 rational matrices;
* the branch :math:`K|\\varphi\\rangle = s\\sqrt w\\,(F_A \\otimes F_B \\otimes F_C)|v\\rangle`: with
  :math:`u = (F_A \\otimes F_B \\otimes F_C)v` (rational) the branch of a success operator on pair
  (i, j) is exactly :math:`\\sqrt p\\,|\\Psi^+\\rangle_{ij}|\\chi\\rangle_k` iff, for every basis
  state of k, the components of u with (i, j) = 00 and 11 vanish and those with 01 and 10 are
  equal; its probability is :math:`p = s^2 w \\|u\\|^2` (rational).

:func:`verify_lp_lower_certificate` checks exactly this, in rational arithmetic, from the file
alone (no square root is evaluated).

**Construction** (:func:`exact_lp_instrument`, from a float :class:`analytics.separable_lp.LPSolution`):
success columns (pair, :math:`c'`, :math:`B'`) are rounded to rationals and
:math:`A' = X\\,\\mathrm{adj}(M'_{c'}B'^T)` is recomputed exactly, so every success branch is
exactly Psi+ whatever the rounding; failure columns :math:`|abc\\rangle` become
:math:`|0\\rangle\\langle a'|` with :math:`a' = D_A a` rounded, and so on. All weights are shrunk by
a factor :math:`1 - \\epsilon`; the remainder :math:`\\Delta = D^2 - \\sum w\\,F^TF`
(about :math:`\\epsilon D^2`, positive definite) is written exactly as a non-negative combination
of the 64 products :math:`g_a \\otimes g_b \\otimes g_c` of the rank-one projectors onto
:math:`(1,0), (0,1), (1, t), (1, -t)` per party (:math:`t \\approx d_k` rational) by a fixed
rational linear map; if a weight came out negative, :math:`\\epsilon` grows tenfold.

Certificate::

    {"format": "sepgap-certificate", "version": 1, "kind": "sep_lower_bound", "claim": ...,
     "state": {...}, "bound": {"exact": "p/q", "float_lower": f},
     "p_pairs": {"AB": "p/q", "AC": ..., "BC": ...}, "arithmetic": "exact-rational",
     "instrument": {"kind": "lp", "kraus": [{"label": "AB" | "AC" | "BC" | "fail",
                                             "weight": "p/q",
                                             "factors": [F_A, F_B, F_C]}, ...]}}
    F = [["p/q", "p/q"], ["p/q", "p/q"]]     (row-major 2x2, the primed frame)

``p_pairs`` and ``bound`` are recomputed and must agree exactly; unknown fields are refused.
"""
from __future__ import annotations

import itertools
import math
from dataclasses import dataclass, field
from fractions import Fraction

import numpy as np

from .certjson import (FORMAT, VERSION, CertificateFormatError, check_envelope,
                       check_instrument_numbers, check_keys, float_lower, frac_str, parse_frac,
                       product_kraus_from_json, require, state_from_json, state_to_json,
                       targeted_pairs)
from .claims import lower_claim
from .errors import SepgapError
from .kraus import KrausOperators, from_product_factors
from .separable_lp import PAIR_INDICES, LPSolution, float_frame, success_data
from .states import PAIRS, WClassState

ARITHMETIC = "exact-rational"
#: Largest instrument the verifier accepts (Kraus operators; the LP writes about 100).
MAX_KRAUS = 1_000
#: Columns are rounded to the grid 2**-GRID_BITS (after scaling their largest entry to 1): a
#: common dyadic denominator keeps the exact sums, and the certificate, short.
GRID_BITS = 30
#: Keys of an LP certificate (``provenance`` is free text, not checked).
LP_KEYS = ("format", "version", "kind", "claim", "state", "instrument", "bound", "p_pairs",
           "arithmetic", "provenance")


class LPCertificateError(SepgapError):
    """An LP instrument or its certificate fails an exact check (or is malformed)."""


# ---- exact frame and exact operators -------------------------------------------------------------

@dataclass(frozen=True)
class ExactFrame:
    """``s2``, ``d2`` (per party A, B, C) and ``v`` (dict bits -> 0/1) of the module docstring."""

    s2: Fraction
    d2: tuple
    v: dict


def exact_frame(st: WClassState) -> ExactFrame:
    ex = st.exact()
    s2 = ex.x0 if ex.x0 > 0 else Fraction(1)
    d2 = tuple(xk / s2 if xk > 0 else Fraction(1) for xk in ex.x)
    v = {bits: 0 for bits in itertools.product((0, 1), repeat=3)}
    v[(0, 0, 0)] = 1 if ex.x0 > 0 else 0
    v[(1, 0, 0)] = 1 if ex.xA > 0 else 0
    v[(0, 1, 0)] = 1 if ex.xB > 0 else 0
    v[(0, 0, 1)] = 1 if ex.xC > 0 else 0
    return ExactFrame(s2, d2, v)


Mat = tuple  # ((a, b), (c, d)) of Fractions


@dataclass(frozen=True)
class ExactKraus:
    """:math:`\\sqrt{w}\\,(F_A \\otimes F_B \\otimes F_C)D^{-1}` with outcome ``label``."""

    label: str
    weight: Fraction
    factors: tuple  # three Mat

    def float_factors(self, frame: ExactFrame) -> tuple:
        """The float 2x2 factors of the original-frame operator (the weight's square root on A)."""
        out = []
        for n, f in enumerate(self.factors):
            m = np.array([[float(f[0][0]), float(f[0][1])], [float(f[1][0]), float(f[1][1])]])
            m = m @ np.diag([1.0, 1.0 / math.sqrt(float(frame.d2[n]))])
            out.append(m)
        out[0] = out[0] * math.sqrt(float(self.weight))
        return tuple(out)


def _gram(f: Mat) -> tuple:
    """:math:`F^TF` (rational 2x2)."""
    (a, b), (c, d) = f
    return ((a * a + c * c, a * b + c * d), (a * b + c * d, b * b + d * d))


def _apply(ops_factors, v: dict) -> dict:
    """:math:`(F_A \\otimes F_B \\otimes F_C)v` as a dict bits -> rational."""
    fa, fb, fc = ops_factors
    out = {}
    for o in itertools.product((0, 1), repeat=3):
        s = Fraction(0)
        for bits, val in v.items():
            if val:
                s += fa[o[0]][bits[0]] * fb[o[1]][bits[1]] * fc[o[2]][bits[2]] * val
        out[o] = s
    return out


def _psi_plus_branch(label: str, u: dict) -> str:
    """'' if ``u`` is (multiple of) Psi+ on ``label`` times anything on the third party."""
    i, j, k = PAIR_INDICES[label]
    for bk in (0, 1):
        def comp(bi, bj):
            bits = [0, 0, 0]
            bits[i], bits[j], bits[k] = bi, bj, bk
            return u[tuple(bits)]
        if comp(0, 0) != 0 or comp(1, 1) != 0:
            return f"component |00> or |11> of pair {label} is non-zero (third party {bk})"
        if comp(0, 1) != comp(1, 0):
            return f"components |01> and |10> of pair {label} differ (third party {bk})"
    return ""


@dataclass(frozen=True)
class LPCheck:
    """Exact check of an LP instrument: total and per-pair success probabilities."""

    total: Fraction
    p_pairs: dict
    p_fail: Fraction
    size: int

    @property
    def ok(self) -> bool:
        """Always True: :func:`check_lp_instrument` raises instead of returning a failed check."""
        return True


def check_lp_instrument(ops, st: WClassState) -> LPCheck:
    """Check ``ops`` (a list of :class:`ExactKraus`) on the exact ``st`` in rational arithmetic
    (module docstring): weights >= 0, completeness, every success branch exactly Psi+.
    Raises :class:`LPCertificateError` naming the first failure."""
    fr = exact_frame(st)
    if not ops:
        raise LPCertificateError("the instrument has no Kraus operator")
    if len(ops) > MAX_KRAUS:
        raise LPCertificateError(f"the instrument has {len(ops)} Kraus operators (at most {MAX_KRAUS})")
    total = [[Fraction(0)] * 8 for _ in range(8)]
    p_pairs = {p: Fraction(0) for p in PAIRS}
    p_fail = Fraction(0)
    for n, op in enumerate(ops):
        if op.label not in PAIRS + ("fail",):
            raise LPCertificateError(f"Kraus operator {n}: label {op.label!r} is not AB, AC, BC or fail")
        if op.weight < 0:
            raise LPCertificateError(f"Kraus operator {n}: weight {op.weight} is negative")
        if op.weight == 0:
            continue
        g = [_gram(f) for f in op.factors]
        for r in range(8):
            ra, rb, rc = r >> 2, (r >> 1) & 1, r & 1
            for c in range(8):
                ca, cb, cc = c >> 2, (c >> 1) & 1, c & 1
                total[r][c] += op.weight * g[0][ra][ca] * g[1][rb][cb] * g[2][rc][cc]
        u = _apply(op.factors, fr.v)
        prob = fr.s2 * op.weight * sum((a * a for a in u.values()), Fraction(0))
        if op.label == "fail":
            p_fail += prob
            continue
        why = _psi_plus_branch(op.label, u)
        if why:
            raise LPCertificateError(f"Kraus operator {n} ({op.label}): branch is not exactly "
                                     f"Psi+: {why}")
        p_pairs[op.label] += prob
    for r in range(8):
        for c in range(8):
            want = Fraction(0)
            if r == c:
                want = fr.d2[0] if r >> 2 else Fraction(1)
                want *= fr.d2[1] if (r >> 1) & 1 else 1
                want *= fr.d2[2] if r & 1 else 1
            if total[r][c] != want:
                raise LPCertificateError(
                    f"completeness fails: (sum K'^T K')[{r},{c}] = {total[r][c]}, D^2 has {want}")
    return LPCheck(sum(p_pairs.values(), Fraction(0)), p_pairs, p_fail, len(ops))


# ---- construction from the float LP --------------------------------------------------------------

def _q(x: float) -> Fraction:
    """A float as the exact dyadic rational it is (sums of dyadics keep short denominators)."""
    x = float(x)
    if not math.isfinite(x):
        raise LPCertificateError(f"non-finite number {x!r} in the LP solution")
    return Fraction(x)


def _grid(x: float) -> Fraction:
    """``x`` (|x| <= 1) rounded to the grid 2**-GRID_BITS."""
    return Fraction(round(float(x) * 2 ** GRID_BITS), 2 ** GRID_BITS)


def _success_kraus(pair: str, c: tuple, B: Mat, fr: ExactFrame) -> tuple:
    """``(A', B', C')`` by party index with ``A' = X adj(M' B'^T)``, exact."""
    i, j, k = PAIR_INDICES[pair]

    def vv(bi, bj, bk):
        bits = [0, 0, 0]
        bits[i], bits[j], bits[k] = bi, bj, bk
        return fr.v[tuple(bits)]
    m = [[vv(a, b, 0) * c[0] + vv(a, b, 1) * c[1] for b in (0, 1)] for a in (0, 1)]
    g = [[sum((m[a][t] * B[b][t] for t in (0, 1)), Fraction(0)) for b in (0, 1)] for a in (0, 1)]
    adj = ((g[1][1], -g[0][1]), (-g[1][0], g[0][0]))
    a_fac = (adj[1], adj[0])  # X adj: swap the rows
    c_fac = ((c[0], c[1]), (Fraction(0), Fraction(0)))
    out = [None, None, None]
    out[i], out[j], out[k] = a_fac, B, c_fac
    return tuple(out)


def _coords(f: Mat) -> tuple:
    """(P00, P11, P01) of :math:`F^TF`."""
    g = _gram(f)
    return (g[0][0], g[1][1], g[0][1])


def _generator_map(t: Fraction) -> list:
    """Rows: weights of the generators (1,0), (0,1), (1,t), (1,-t) as linear forms in
    (p, r, q) of a symmetric 2x2 matrix [[p, q], [q, r]] (an exact right inverse)."""
    t2 = t * t
    # sigma = (p + r / t^2) / 4
    sig = (Fraction(1, 4), Fraction(1, 4) / t2, Fraction(0))
    return [(1 - sig[0], -sig[1], Fraction(0)),            # alpha = p - sigma
            (-t2 * sig[0], 1 - t2 * sig[1], Fraction(0)),  # beta = r - t^2 sigma
            (sig[0] / 2, sig[1] / 2, 1 / (2 * t)),         # gamma = (sigma + q/t)/2
            (sig[0] / 2, sig[1] / 2, -1 / (2 * t))]        # delta = (sigma - q/t)/2


def _completion(delta: dict, fr: ExactFrame) -> list | None:
    """Failure operators completing ``delta`` (27 coordinates) exactly, or None if a weight
    would be negative."""
    ts, maps, gens = [], [], []
    for n in range(3):
        t = Fraction(math.sqrt(float(fr.d2[n])))  # a dyadic close to d_k (any t > 0 is valid)
        if not t > 0:
            t = Fraction(1)
        ts.append(t)
        maps.append(_generator_map(t))
        gens.append([(Fraction(1), Fraction(0)), (Fraction(0), Fraction(1)), (Fraction(1), t),
                     (Fraction(1), -t)])
    ops = []
    for ga, gb, gc in itertools.product(range(4), repeat=3):
        w = Fraction(0)
        for (ia, ib, ic), val in delta.items():
            if val:
                w += maps[0][ga][ia] * maps[1][gb][ib] * maps[2][gc][ic] * val
        if w < 0:
            return None
        if w == 0:
            continue
        facs = tuple(((gens[n][g][0], gens[n][g][1]), (Fraction(0), Fraction(0)))
                     for n, g in zip(range(3), (ga, gb, gc)))
        ops.append(ExactKraus("fail", w, facs))
    return ops


def _coords27(factors) -> dict:
    cs = [_coords(f) for f in factors]
    return {(a, b, c): cs[0][a] * cs[1][b] * cs[2][c] for a, b, c in itertools.product(range(3), repeat=3)}


@dataclass(frozen=True)
class LPLowerBound:
    """An exact SEP lower bound from an LP instrument: ``value`` (Fraction, proved by
    :func:`check_lp_instrument`), ``p_pairs``, ``kraus`` (the exact operators), ``epsilon``
    (the shrink of the weights), ``lp_value`` (the float LP optimum, not a bound),
    ``lp`` (the :class:`~analytics.separable_lp.LPSolution`), ``arithmetic``."""

    state: WClassState
    value: Fraction
    p_pairs: dict
    kraus: tuple = field(repr=False)
    epsilon: Fraction = Fraction(0)
    lp_value: float = 0.0
    lp: LPSolution | None = field(default=None, repr=False, compare=False)
    arithmetic: str = ARITHMETIC

    kind = "lp"

    def __repr__(self) -> str:
        return (f"LPLowerBound(value>={float_lower(self.value):.8f} (exact, checked), "
                f"kraus={len(self.kraus)}, epsilon={self.epsilon}, lp_value={self.lp_value:.8f})")

    @property
    def value_float(self) -> float:
        return float_lower(self.value)

    def certificate(self) -> dict:
        return lp_certificate(self.state, self.kraus, self.check())

    def kraus_operators(self) -> KrausOperators:
        """The instrument's product Kraus operators in the original frame (floats; the exact
        operators are in ``kraus`` and the certificate), labelled AB/AC/BC/fail."""
        fr = exact_frame(self.state)
        return from_product_factors([op.float_factors(fr) for op in self.kraus],
                                    [op.label for op in self.kraus],
                                    [f"K{n}" for n in range(len(self.kraus))], "lp",
                                    self.state, self.value)

    def check(self) -> LPCheck:
        return check_lp_instrument(self.kraus, self.state)


def exact_lp_instrument(sol: LPSolution, epsilon: Fraction = Fraction(1, 10 ** 9),
                        max_tries: int = 8) -> LPLowerBound:
    """Round the float LP instrument ``sol`` to an exact one and prove it (module docstring).

    Raises :class:`LPCertificateError` if no completion was found within ``max_tries`` growths
    of ``epsilon`` (tenfold each)."""
    st = sol.state.exact()
    fr = exact_frame(st)
    ffr = float_frame(st)
    base = []  # (label, factors, float weight)
    for col, wn in sol.success:
        c, B = col.arrays()
        if not (np.abs(c).max() > 0 and np.abs(B).max() > 0):
            continue  # a zero column contributes nothing
        c = c / np.abs(c).max()
        B = B / np.abs(B).max()
        cq = (_grid(c[0]), _grid(c[1]))
        Bq = tuple(tuple(_grid(B[r, t]) for t in (0, 1)) for r in (0, 1))
        cf = np.array([float(v) for v in cq])
        Bf = np.array([[float(v) for v in row] for row in Bq])
        _, _, tr = success_data(ffr, col.pair, cf[None], Bf[None])
        base.append((col.pair, _success_kraus(col.pair, cq, Bq, fr), wn / float(tr[0])))
    dsq = [np.array([1.0, math.sqrt(float(d))]) for d in ffr.d2]
    for col, wn in sol.failure:
        facs, w = [], wn
        for n, v in enumerate(col.vectors):
            vv = np.array(v, float)
            vv = vv / np.linalg.norm(vv) * dsq[n]   # a' = D a, a a unit vector
            scale = np.abs(vv).max()
            vq = (_grid(vv[0] / scale), _grid(vv[1] / scale))
            w *= scale ** 2                         # F' = w a'a'^T with a' rescaled
            facs.append(((vq[0], vq[1]), (Fraction(0), Fraction(0))))
        base.append(("fail", tuple(facs), w))
    d2c = {}
    for a, b, c in itertools.product(range(3), repeat=3):
        val = Fraction(1)
        for n, idx in enumerate((a, b, c)):
            val *= (1, fr.d2[n], 0)[idx]
        d2c[(a, b, c)] = val
    coords = [_coords27(f) for _, f, _ in base]
    eps = Fraction(epsilon)
    for _ in range(max_tries):
        ops = []
        delta = dict(d2c)
        for (label, facs, w), co in zip(base, coords):
            wq = _q(w * (1 - float(eps)))
            if wq <= 0:
                continue
            ops.append(ExactKraus(label, wq, facs))
            for key, val in co.items():
                delta[key] -= wq * val
        comp = _completion(delta, fr)
        if comp is not None:
            ops = tuple(ops + comp)
            chk = check_lp_instrument(ops, st)
            return LPLowerBound(st, chk.total, dict(chk.p_pairs), ops, eps, sol.value, sol)
        eps *= 10
    raise LPCertificateError(f"no exact completion of the LP instrument (epsilon up to {eps / 10})")


# ---- JSON ----------------------------------------------------------------------------------------

def _mat_json(f: Mat) -> list:
    return [[frac_str(f[0][0]), frac_str(f[0][1])], [frac_str(f[1][0]), frac_str(f[1][1])]]


def lp_certificate(state: WClassState, ops, chk: LPCheck | None = None) -> dict:
    """The ``sep_lower_bound`` certificate of the exact LP instrument ``ops`` on ``state``."""
    st = state.exact()
    chk = check_lp_instrument(ops, st) if chk is None else chk
    return {"format": FORMAT, "version": VERSION, "kind": "sep_lower_bound",
            "claim": lower_claim(targeted_pairs(chk.p_pairs), chk.total).exact(),
            "state": state_to_json(st),
            "instrument": {"kind": "lp", "kraus": [
                {"label": op.label, "weight": frac_str(op.weight),
                 "factors": [_mat_json(f) for f in op.factors]} for op in ops]},
            "bound": {"exact": frac_str(chk.total), "float_lower": float_lower(chk.total)},
            "p_pairs": {p: frac_str(v) for p, v in chk.p_pairs.items()},
            "arithmetic": ARITHMETIC}


def _mat_from_json(d, where: str) -> Mat:
    if not (isinstance(d, list) and len(d) == 2 and all(isinstance(r, list) and len(r) == 2 for r in d)):
        raise CertificateFormatError(f"{where}: expected a 2x2 list of rationals")
    return tuple(tuple(parse_frac(d[r][c], f"{where}[{r}][{c}]") for c in (0, 1)) for r in (0, 1))


def ops_from_json(inst) -> tuple:
    """The exact operators of the certificate's ``instrument`` block (see
    :func:`analytics.certjson.product_kraus_from_json`)."""
    return product_kraus_from_json(inst, _mat_from_json, ExactKraus, MAX_KRAUS)


def verify_lp_lower_certificate(cert) -> tuple:
    """Re-check an LP certificate from its data alone: ``(state, bound, p_pairs, how)``.

    Raises :class:`LPCertificateError` or :class:`CertificateFormatError` (both
    :class:`SepgapError`) on malformed data, unknown fields, a failed exact check, or any
    claimed number (p_pairs, bound, float_lower, claim) differing from the exact one."""
    check_envelope(cert, "sep_lower_bound")
    check_keys(cert, LP_KEYS, "certificate")
    inst = require(cert, "instrument", "certificate")
    if require(inst, "kind", "instrument") != "lp":
        raise CertificateFormatError(f"instrument.kind {inst.get('kind')!r} is not 'lp'")
    st = state_from_json(require(cert, "state", "certificate"))
    ops = ops_from_json(inst)
    chk = check_lp_instrument(ops, st)
    claim = check_instrument_numbers(cert, chk.total, chk.p_pairs, ARITHMETIC, LPCertificateError)
    return st, claim, (f"separable instrument from the LP ({chk.size} product Kraus operators), "
                       f"checked in {ARITHMETIC} arithmetic")


__all__ = ["ARITHMETIC", "LPCertificateError", "ExactFrame", "exact_frame", "ExactKraus", "LPCheck",
           "check_lp_instrument", "LPLowerBound", "exact_lp_instrument", "lp_certificate",
           "verify_lp_lower_certificate", "ops_from_json"]
