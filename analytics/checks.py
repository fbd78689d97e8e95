"""The instrument checker: an explicit instrument is checked, never trusted.

For an instrument :math:`\\{K_\\lambda\\}` with outcome labels and a W-class state
:math:`|\\varphi\\rangle` (PRL 108, 240504, Eq. 1 and Eq. 7) it verifies

1. completeness :math:`\\sum_\\lambda K_\\lambda^\\dagger K_\\lambda = I_8`;
2. product structure :math:`K_\\lambda = M_A \\otimes M_B \\otimes M_C` (SEP);
3. every success branch with label :math:`ij` (third party k) is exactly
   :math:`K_\\lambda|\\varphi\\rangle = \\sqrt{p_\\lambda}\\,|\\Psi^+\\rangle_{ij}\\otimes|\\chi\\rangle_k`,
   :math:`|\\Psi^+\\rangle = (|01\\rangle + |10\\rangle)/\\sqrt2`;
4. every diagonal entry squared (in particular the completion coefficient) is :math:`\\ge 0`;

and returns :math:`p_{AB}, p_{AC}, p_{BC}` and their total.

Exact path (exact state, every factor a :class:`DiagonalFactor` with Fraction squares): a
diagonal product operator maps :math:`|abc\\rangle \\mapsto \\pm\\sqrt{q_{A,a}q_{B,b}q_{C,c}}|abc\\rangle`,
so :math:`K^\\dagger K` is diagonal with entries :math:`q_{A,a}q_{B,b}q_{C,c}` and the branch keeps the
support :math:`\\{|000\\rangle,|100\\rangle,|010\\rangle,|001\\rangle\\}` with amplitudes
:math:`\\sigma\\sqrt{x\\,q_Aq_Bq_C}`. All tests compare signs and squares: no square roots.

Float path (any instrument: general complex 2x2 factors, or full 8x8 matrices tested for product
structure by their operator-Schmidt rank across every cut), with absolute tolerance ``atol``.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from fractions import Fraction

import numpy as np

from .display import ShortRepr, show_number
from .errors import InstrumentError
from .instruments import DenseKraus, DiagonalFactor, Instrument, ProductKraus
from .states import PAIRS, PARTIES, WClassState, as_state

#: The support of a W-class state in standard form: basis bits (a, b, c) and their weight's name.
SUPPORT = (((0, 0, 0), "x0"), ((1, 0, 0), "xA"), ((0, 1, 0), "xB"), ((0, 0, 1), "xC"))

_PSI_PLUS = np.array([0.0, 1.0, 1.0, 0.0]) / np.sqrt(2.0)  # on (i, j) basis 00, 01, 10, 11


@dataclass(frozen=True, repr=False)
class InstrumentCheck(ShortRepr):
    """Result of :func:`check_instrument`.

    ``branches_exact`` maps every Kraus operator name to True/False (success branches: is it
    exactly :math:`\\sqrt p|\\Psi^+\\rangle_{ij}|\\chi\\rangle_k`?) or None ("fail" branches: no
    requirement). ``probabilities`` maps names to :math:`\\|K|\\varphi\\rangle\\|^2`. ``ok`` is the
    conjunction of every check; ``reasons`` says what failed.
    """

    exact: bool
    complete: bool
    product: bool
    completion_nonnegative: bool
    branches_exact: dict
    probabilities: dict
    p_pairs: dict
    p_fail: Fraction | float
    total: Fraction | float
    ok: bool
    reasons: list = field(default_factory=list)

    def _summary(self) -> list:
        return [("ok", str(self.ok)), ("total", show_number(self.total, ">=")),
                ("exact", str(self.exact)), ("complete", str(self.complete)),
                ("product", str(self.product)), ("operators", str(len(self.probabilities))),
                ("reasons", "; ".join(self.reasons) or "none")]


# ---- helpers shared with analytics.headline --------------------------------------------------

def diagonal_branch(op: ProductKraus, state: WClassState) -> dict:
    """Exact branch of a diagonal product operator: ``{bits: (sign, square)}`` on the support.

    :math:`K|\\varphi\\rangle = \\sum_{abc} \\sigma_{abc}\\sqrt{x_{abc}\\,q_{A,a}q_{B,b}q_{C,c}}\\,|abc\\rangle`
    with sign 0 for a zero amplitude.
    """
    out = {}
    for bits, weight in SUPPORT:
        square, sign = getattr(state, weight), 1
        for f, bit in zip(op.factors, bits):
            square *= f.squares[bit]
            sign *= f.signs[bit]
        out[bits] = (sign if square != 0 else 0, square)
    return out


def is_product_operator(matrix, atol: float = 1e-10) -> bool:
    """Is an 8x8 operator a product :math:`M_A\\otimes M_B\\otimes M_C`?

    Reshape to :math:`K_{(a'a),(b'c'bc)}` etc. and require operator-Schmidt rank <= 1 (second
    singular value <= ``atol``) across the cuts A|BC, B|AC, C|AB. Rank 1 across A|BC and B|AC
    already implies a full product; the third cut costs nothing.
    """
    t = np.asarray(matrix, dtype=complex).reshape(2, 2, 2, 2, 2, 2)  # a' b' c' a b c
    for p in range(3):
        rest = [q for q in range(3) if q != p]
        cut = t.transpose(p, p + 3, rest[0], rest[1], rest[0] + 3, rest[1] + 3).reshape(4, 16)
        s = np.linalg.svd(cut, compute_uv=False)
        if s[1] > atol:
            return False
    return True


def is_product_vector(vec, atol: float = 1e-10) -> bool:
    """Is a three-qubit vector a product :math:`|a\\rangle|b\\rangle|c\\rangle` (Schmidt rank 1 per cut)?"""
    t = np.asarray(vec, dtype=complex).reshape(2, 2, 2)
    for p in range(3):
        rest = [q for q in range(3) if q != p]
        s = np.linalg.svd(t.transpose(p, *rest).reshape(2, 4), compute_uv=False)
        if s[1] > atol:
            return False
    return True


def psi_plus_residual(vec, label: str) -> tuple[float, np.ndarray]:
    """Distance of ``vec`` from the set :math:`\\{|\\Psi^+\\rangle_{ij}\\otimes|\\chi\\rangle_k\\}`.

    Returns ``(residual norm, chi)`` with :math:`\\chi = (\\langle\\Psi^+|_{ij}\\otimes I_k)\\,v`,
    the closest such vector being :math:`|\\Psi^+\\rangle\\otimes|\\chi\\rangle`.
    """
    i, j = PARTIES.index(label[0]), PARTIES.index(label[1])
    k = 3 - i - j
    m = np.asarray(vec, dtype=complex).reshape(2, 2, 2).transpose(i, j, k).reshape(4, 2)
    chi = _PSI_PLUS @ m
    return float(np.linalg.norm(m - np.outer(_PSI_PLUS, chi))), chi


# ---- exact path -----------------------------------------------------------------------------

def _bits_str(bits) -> str:
    return "|" + "".join(map(str, bits)) + ">"


def _exact_branch_ok(op: ProductKraus, branch: dict) -> tuple[bool, str]:
    i, j = PARTIES.index(op.label[0]), PARTIES.index(op.label[1])
    k = 3 - i - j
    on_i = tuple(int(n == i) for n in range(3))
    on_j = tuple(int(n == j) for n in range(3))
    for bits in ((0, 0, 0), tuple(int(n == k) for n in range(3))):  # |00>_ij components: must vanish
        if branch[bits][1] != 0:
            return False, (f"{op.name}: amplitude of {_bits_str(bits)} is non-zero "
                           f"(square {branch[bits][1]}), not of the form |Psi+>_{op.label} (x) |chi>")
    (si, qi), (sj, qj) = branch[on_i], branch[on_j]
    if qi != qj or si != sj:
        return False, (f"{op.name}: amplitudes of {_bits_str(on_i)} and {_bits_str(on_j)} differ "
                       f"(sign*square {si}*{qi} vs {sj}*{qj}), not |Psi+>_{op.label}")
    return True, ""


def _check_exact(inst: Instrument, st: WClassState) -> InstrumentCheck:
    reasons = []
    nonneg = all(q >= 0 for op in inst for f in op.factors for q in f.squares)
    if not nonneg:  # DiagonalFactor refuses negative squares; kept for objects built otherwise
        reasons.append("a diagonal entry squared is negative")
    complete = True
    for a in (0, 1):
        for b in (0, 1):
            for c in (0, 1):
                total = sum((op.factors[0].squares[a] * op.factors[1].squares[b]
                             * op.factors[2].squares[c] for op in inst), Fraction(0))
                if total != 1:
                    complete = False
                    reasons.append(f"sum K^dag K at {_bits_str((a, b, c))} is {total}, not 1")
    branches_exact, probs = {}, {}
    p_pairs = {p: Fraction(0) for p in PAIRS}
    p_fail = Fraction(0)
    for op in inst:
        br = diagonal_branch(op, st)
        probs[op.name] = sum((sq for _, sq in br.values()), Fraction(0))
        if op.label == "fail":
            branches_exact[op.name] = None
            p_fail += probs[op.name]
            continue
        good, why = _exact_branch_ok(op, br)
        branches_exact[op.name] = good
        if not good:
            reasons.append(why)
        p_pairs[op.label] += probs[op.name]
    total = sum(p_pairs.values(), Fraction(0))
    ok = complete and nonneg and all(v is not False for v in branches_exact.values())
    return InstrumentCheck(True, complete, True, nonneg, branches_exact, probs, p_pairs, p_fail,
                           total, ok, reasons)


# ---- float path -----------------------------------------------------------------------------

def _check_float(inst: Instrument, st: WClassState, atol: float) -> InstrumentCheck:
    reasons = []
    phi = st.amplitudes().astype(complex)
    nonneg = all(q >= 0 for op in inst if isinstance(op, ProductKraus)
                 for f in op.factors if isinstance(f, DiagonalFactor) for q in f.squares)
    if not nonneg:
        reasons.append("a diagonal entry squared is negative")
    product = True
    for op in inst:
        if isinstance(op, DenseKraus) and not is_product_operator(op.matrix, atol):
            product = False
            reasons.append(f"{op.name}: not a product operator (operator-Schmidt rank > 1)")
    mats = [(op, op.to_matrix()) for op in inst]
    gram = sum((m.conj().T @ m for _, m in mats), np.zeros((8, 8), dtype=complex))
    dev = float(np.max(np.abs(gram - np.eye(8))))
    complete = dev <= atol
    if not complete:
        reasons.append(f"sum K^dag K deviates from I by {dev:.3g} > atol = {atol:g}")
    branches_exact, probs = {}, {}
    p_pairs = {p: 0.0 for p in PAIRS}
    p_fail = 0.0
    for op, m in mats:
        v = m @ phi
        probs[op.name] = float(np.vdot(v, v).real)
        if op.label == "fail":
            branches_exact[op.name] = None
            p_fail += probs[op.name]
            continue
        res, _ = psi_plus_residual(v, op.label)
        branches_exact[op.name] = res <= atol
        if res > atol:
            reasons.append(f"{op.name}: branch is {res:.3g} away from sqrt(p)|Psi+>_{op.label} (x) |chi>")
        p_pairs[op.label] += probs[op.name]
    total = sum(p_pairs.values())
    ok = complete and product and nonneg and all(v is not False for v in branches_exact.values())
    return InstrumentCheck(False, complete, product, nonneg, branches_exact, probs, p_pairs, p_fail,
                           total, ok, reasons)


def can_check_exactly(inst: Instrument, state) -> bool:
    """Exact state and every Kraus operator a product of exact :class:`DiagonalFactor`s."""
    return as_state(state).is_exact and inst.is_exact


def check_instrument(instrument: Instrument, state, exact: bool | None = None,
                     atol: float = 1e-10) -> InstrumentCheck:
    """Check ``instrument`` on ``state``; see the module docstring for what is verified.

    ``exact=None`` picks the exact path when :func:`can_check_exactly` holds, the float path
    otherwise; ``exact=True`` raises :class:`InstrumentError` if the exact path is impossible.
    ``atol`` (float path only) bounds the entrywise deviation of :math:`\\sum K^\\dagger K` from
    :math:`I`, the distance of each success branch from :math:`\\sqrt p|\\Psi^+\\rangle|\\chi\\rangle`,
    and the second operator-Schmidt coefficient of full 8x8 operators.
    """
    if not isinstance(instrument, Instrument):
        raise InstrumentError(f"expected an Instrument, got {type(instrument).__name__}")
    if not (isinstance(atol, (int, float)) and not isinstance(atol, bool) and atol > 0
            and np.isfinite(atol)):
        raise InstrumentError(f"atol = {atol!r} must be a positive finite number")
    st = as_state(state)
    possible = can_check_exactly(instrument, st)
    if exact is None:
        exact = possible
    if exact and not possible:
        why = "the state is not exact" if not st.is_exact else \
            "not every factor is a DiagonalFactor with Fraction squares"
        raise InstrumentError(f"exact check impossible: {why}")
    return _check_exact(instrument, st) if exact else _check_float(instrument, st, float(atol))


__all__ = ["InstrumentCheck", "check_instrument", "can_check_exactly", "diagonal_branch",
           "is_product_operator", "is_product_vector", "psi_plus_residual", "SUPPORT"]
