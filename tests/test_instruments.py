"""Explicit separable instruments, the checker, the SEP lower bound and the kappa increase.

Independent references: the paper's Eq. (7) typed in directly as numpy matrices; the closed
forms p_ij = 1 - 2 x_k (Eq. 7), 2(1 - x_n1) (large-component instrument), the completion
coefficient prod_k (1 - 2x_k) / (4 xA xB xC) (derived by hand, not by the code under test);
and exact rational arithmetic throughout.
"""
from dataclasses import replace
from fractions import Fraction as F
from itertools import permutations

import numpy as np
import pytest
from hypothesis import example, given, settings, strategies as st

from analytics.checks import check_instrument, is_product_operator, is_product_vector
from analytics.errors import InstrumentError, InvalidStateError
from analytics.headline import branch_kappas, headline, kappa_after_instrument, kappa_increase
from analytics.lower import sep_lower_bound
from analytics.instruments import (DenseKraus, DiagonalFactor, Instrument, ProductKraus,
                                   eq7_instrument, large_component_instrument, trivial_instrument)
from analytics.monotones import kappa
from analytics.states import PARTIES, WClassState, psi_s

ATOL = 1e-10      # float checker tolerance (operators of norm <= 1, double precision)
FLOAT_TOL = 1e-12  # float vs exact values of the same probabilities


def grid(n):
    """Every x0 = 0 state (i, j, k)/n with i + j + k = n."""
    return [WClassState(F(i, n), F(j, n), F(n - i - j, n))
            for i in range(n + 1) for j in range(n + 1 - i)]


def in_eq7_domain(stt):
    return stt.x0 == 0 and all(0 < v <= F(1, 2) for v in stt.x)


def paper_eq7_matrices(x):
    """Eq. (7) typed in from the paper (A largest not assumed).

    lambda_ij^2 in rationals: in floats the completion coefficient at x_n1 = 1/2 comes out
    about -1e-17 and its square root is NaN.
    """
    xa = dict(zip("ABC", (F(v) for v in x)))
    lam = {(i, j): np.sqrt(float((1 - 2 * xa[i]) / (2 * xa[j])))
           for i in "ABC" for j in "ABC" if i != j}
    lam2 = {k: (1 - 2 * xa[k[0]]) / (2 * xa[k[1]]) for k in lam}
    d = lambda l: np.diag([l, 1.0])  # noqa: E731
    p0, p1 = np.diag([1.0, 0.0]), np.diag([0.0, 1.0])
    kron = lambda a, b, c: np.kron(np.kron(a, b), c)  # noqa: E731
    c000 = 1 - (lam2["C", "A"] * lam2["C", "B"] + lam2["B", "A"] * lam2["B", "C"]
                + lam2["A", "B"] * lam2["A", "C"])
    return {
        "M_AB": kron(d(lam["C", "B"]), d(lam["C", "A"]), p0),
        "M_AC": kron(d(lam["B", "C"]), p0, d(lam["B", "A"])),
        "M_BC": kron(p0, d(lam["A", "C"]), d(lam["A", "B"])),
        "M_000": np.sqrt(float(c000)) * kron(p0, p0, p0),
        "M_111": kron(p1, p1, p1),
    }


# ---- Eq. (7) -------------------------------------------------------------------------------

@pytest.mark.parametrize("x", [(0.5, 0.25, 0.25), (F(1, 3), F(1, 3), F(1, 3)), (0.4, 0.35, 0.25),
                               (0.25, 0.3, 0.45), (0.5, 0.375, 0.125)])
def test_eq7_matrices_match_the_paper(x):
    inst = eq7_instrument(WClassState(*x))
    ref = paper_eq7_matrices(x)
    for name, label, m in inst.to_matrices():
        assert np.allclose(m, ref[name], atol=FLOAT_TOL, rtol=0), name


@pytest.mark.parametrize("stt", [s for s in grid(12) + grid(20) if in_eq7_domain(s)], ids=str)
def test_eq7_checks_exactly_on_grid(stt):
    chk = check_instrument(eq7_instrument(stt), stt)
    assert chk.exact and chk.ok, chk.reasons
    assert chk.p_pairs == {"AB": 1 - 2 * stt.xC, "AC": 1 - 2 * stt.xB, "BC": 1 - 2 * stt.xA}
    assert chk.total == 1 and chk.p_fail == 0
    # completion coefficient squared, derived by hand: prod_k (1 - 2 x_k) / (4 xA xB xC)
    m000 = {op.name: op for op in eq7_instrument(stt)}["M_000"]
    assert m000.factors[0].q0 == (1 - 2 * stt.xA) * (1 - 2 * stt.xB) * (1 - 2 * stt.xC) / (
        4 * stt.xA * stt.xB * stt.xC)


@pytest.mark.parametrize("perm", ["".join(p) for p in permutations("ABC")])
@pytest.mark.parametrize("x", [(F(1, 2), F(1, 3), F(1, 6)), (F(9, 20), F(7, 20), F(1, 5))])
def test_eq7_any_ordering(perm, x):
    stt = WClassState(*x).permuted(perm)
    chk = check_instrument(eq7_instrument(stt), stt)
    assert chk.ok and chk.total == 1
    for pair in ("AB", "AC", "BC"):
        k = next(p for p in PARTIES if p not in pair)
        assert chk.p_pairs[pair] == 1 - 2 * getattr(stt, "x" + k)


@pytest.mark.parametrize("x, message", [
    ((F(3, 5), F(1, 5), F(1, 5)), "xA <= 1/2"),
    ((F(1, 2), F(1, 2), F(0)), "0 < xC"),
    ((F(2, 5), F(1, 5), F(1, 5)), "x0 = 0"),
    ((F(1, 5), F(7, 10), F(1, 10)), "xB <= 1/2, got xB = 7/10"),
])
def test_eq7_outside_domain_raises(x, message):
    with pytest.raises(InstrumentError, match=message):
        eq7_instrument(WClassState(*x))


# ---- the large-component instrument --------------------------------------------------------

@pytest.mark.parametrize("stt", [s for s in grid(12) + grid(20) if max(s.x) >= F(1, 2)], ids=str)
def test_large_component_checks_exactly_on_grid(stt):
    chk = check_instrument(large_component_instrument(stt), stt)
    assert chk.exact and chk.ok, chk.reasons
    (a, b, c), (n1, n2, n3) = stt.sorted()
    assert chk.total == 2 * (1 - a)
    assert chk.p_pairs["".join(sorted(n1 + n2))] == 2 * b
    assert chk.p_pairs["".join(sorted(n1 + n3))] == 2 * c
    assert chk.p_pairs["".join(sorted(n2 + n3))] == 0


@pytest.mark.parametrize("x, message", [
    ((F(2, 5), F(7, 20), F(1, 4)), "max component >= 1/2, got xA = 2/5"),
    ((F(1, 2), F(1, 5), F(1, 5)), "x0 = 0, got x0 = 1/10"),
])
def test_large_component_outside_domain_raises(x, message):
    with pytest.raises(InstrumentError, match=message):
        large_component_instrument(WClassState(*x))


# ---- the SEP lower bound -------------------------------------------------------------------

@pytest.mark.parametrize("stt", grid(12) + grid(20), ids=str)
def test_sep_lower_bound_on_grid(stt):
    b = sep_lower_bound(stt)
    (a, _, c), _ = stt.sorted()
    product = sum(1 for v in stt.x if v != 0) <= 1
    if product:
        assert (b.kind, b.value) == ("trivial", 0)
    elif a <= F(1, 2) and c > 0:
        assert (b.kind, b.value) == ("eq7", 1)  # also at a = 1/2, where both give 1
    else:
        assert (b.kind, b.value) == ("large_component", 2 * (1 - a))
    assert b.check.ok and b.check.exact and isinstance(b.value, F)
    assert b.value >= kappa(stt)
    assert sum(b.p_pairs.values()) == b.value


def test_both_instruments_apply_at_one_half():
    stt = WClassState(F(1, 2), F(3, 10), F(1, 5))
    assert check_instrument(eq7_instrument(stt), stt).total == 1
    assert check_instrument(large_component_instrument(stt), stt).total == 1
    assert sep_lower_bound(stt).kind == "eq7"


@pytest.mark.parametrize("x", [(F(1, 5), F(1, 5), F(1, 5)), (F(1, 2), F(1, 4), F(1, 8)),
                               (0.3, 0.3, 0.3)])
def test_tree_bound_for_x0_positive(x):
    """x0 > 0: a measurement tree, checked exactly, whose value is at most kappa-free bound 1 and
    whose per-pair probabilities add up to it (analytics.offplane; tests/test_offplane.py)."""
    b = sep_lower_bound(WClassState(*x), method="tree")
    assert b.kind == "tree" and isinstance(b.value, F) and 0 < b.value <= 1
    assert sum(b.p_pairs.values()) == b.value and b.check.ok and "tree" in b.reason


@pytest.mark.parametrize("x", [(0, 0, 0), (F(1), 0, 0), (0, F(1, 3), 0), (0.0, 0.0, 0.6)])
def test_product_states_are_trivial(x):
    b = sep_lower_bound(WClassState(*x), method="tree")
    assert b.kind == "trivial" and b.value == 0 and b.check.ok


def test_float_state_gives_float_bound():
    b = sep_lower_bound(WClassState(0.5, 0.25, 0.25))
    assert not b.check.exact and isinstance(b.value, float)
    assert abs(b.value - 1) <= FLOAT_TOL


# ---- the checker rejects tampered instruments ---------------------------------------------

def _ops(inst):
    return list(inst.kraus)


def _with(inst, ops):
    return replace(inst, kraus=tuple(ops))


def tampered(inst, stt):
    """Every single-edit corruption: one square changed, one label swapped, one op dropped.

    Edits that leave the instrument the same map are skipped: a label swap on a branch of zero
    probability (sqrt(0)|Psi+> on every pair), a change of a square multiplied by a zero one,
    dropping a zero operator (M_000 at s = 1/2).
    """
    out = []
    ops = _ops(inst)
    probs = check_instrument(inst, stt).probabilities
    for n, op in enumerate(ops):
        for p in range(3):
            f = op.factors[p]
            for which in ("q0", "q1"):
                if getattr(f, which) == 0:
                    continue
                facs = list(op.factors)
                facs[p] = replace(f, **{which: getattr(f, which) * F(9, 10)})
                changed = replace(op, factors=tuple(facs))
                if np.array_equal(changed.to_matrix(), op.to_matrix()):
                    continue
                new = ops[:n] + [changed] + ops[n + 1:]
                out.append((f"{op.name}.{'ABC'[p]}.{which}", _with(inst, new)))
        for label in ("AB", "AC", "BC"):
            if label != op.label and op.label != "fail" and probs[op.name] > 0:
                new = ops[:n] + [replace(op, label=label)] + ops[n + 1:]
                out.append((f"{op.name}->{label}", _with(inst, new)))
        if np.any(op.to_matrix()):
            out.append((f"drop {op.name}", _with(inst, ops[:n] + ops[n + 1:])))
    return out


TAMPER_CASES = [(psi_s(F(1, 2)), eq7_instrument), (WClassState(F(2, 5), F(1, 3), F(4, 15)), eq7_instrument),
                (WClassState(F(3, 5), F(1, 4), F(3, 20)), large_component_instrument)]


@pytest.mark.parametrize("stt, build", TAMPER_CASES)
def test_tampered_instruments_fail_exact_and_float(stt, build):
    inst = build(stt)
    assert check_instrument(inst, stt).ok
    cases = tampered(inst, stt)
    assert len(cases) > 10
    for name, bad in cases:
        for exact in (True, False):
            chk = check_instrument(bad if exact else bad.as_float(), stt, exact=exact)
            assert not chk.ok and chk.reasons, (name, exact)


@pytest.mark.parametrize("stt, build", TAMPER_CASES)
def test_dropping_zero_probability_op_breaks_completeness(stt, build):
    inst = build(stt)
    last = _ops(inst)[-1]
    chk = check_instrument(_with(inst, _ops(inst)[:-1]), stt)
    assert not chk.complete and not chk.ok and "|111>" in " ".join(chk.reasons), last.name


def test_sign_flip_in_a_branch_is_rejected():
    stt = psi_s(F(1, 2))
    ops = _ops(eq7_instrument(stt))
    f = ops[0].factors[1]  # M_AB on B: flipping sign0 flips the |100> amplitude only
    ops[0] = replace(ops[0], factors=(ops[0].factors[0], replace(f, sign0=-1), ops[0].factors[2]))
    chk = check_instrument(_with(eq7_instrument(stt), ops), stt)
    assert chk.complete and not chk.ok and chk.branches_exact["M_AB"] is False
    assert not check_instrument(_with(eq7_instrument(stt), ops).as_float(), stt, exact=False).ok


def test_non_product_operator_is_rejected():
    stt = psi_s(F(1, 2))
    ops = _ops(eq7_instrument(stt).as_float())
    # replace M_111 = |111><111| by |GHZ><111|: the same K^dag K, so still complete, but the
    # output (|000> + |111>)/sqrt2 is entangled: not a product operator
    m = np.zeros((8, 8))
    m[7, 7] = m[0, 7] = np.sqrt(0.5)
    ops[-1] = DenseKraus("M_111", "fail", m)
    inst = Instrument("tampered", tuple(ops))
    assert not is_product_operator(m)
    chk = check_instrument(inst, stt)
    assert chk.complete and not chk.product and not chk.ok


def test_dense_product_operators_and_general_factors_pass():
    stt = psi_s(F(2, 5))
    inst = eq7_instrument(stt)
    rng = np.random.default_rng(7)
    z = rng.normal(size=(2, 2)) + 1j * rng.normal(size=(2, 2))
    u, _ = np.linalg.qr(z)  # a unitary on the third party's output: still |Psi+>_AB |chi>_C
    ops = []
    for op in inst:
        a, b, c = op.factor_matrices()
        if op.name == "M_AB":
            ops.append(ProductKraus(op.name, op.label, (np.exp(0.4j) * a, b, u @ c)))
        elif op.name == "M_AC":
            ops.append(DenseKraus(op.name, op.label, op.to_matrix()))
        else:
            ops.append(op.as_float())
    general = Instrument("general", tuple(ops))
    chk = check_instrument(general, stt)
    exact_chk = check_instrument(inst, stt)
    assert not chk.exact and chk.ok, chk.reasons
    for pair in ("AB", "AC", "BC"):
        assert abs(chk.p_pairs[pair] - float(exact_chk.p_pairs[pair])) <= FLOAT_TOL
    assert is_product_operator(ops[1].matrix)


def test_exact_request_on_float_state_raises():
    stt = WClassState(0.5, 0.25, 0.25)
    with pytest.raises(InstrumentError, match="state is not exact"):
        check_instrument(eq7_instrument(stt), stt, exact=True)


@pytest.mark.parametrize("atol", [0, -1e-3, float("nan"), "1e-9"])
def test_bad_atol_raises(atol):
    stt = psi_s(F(1, 2))
    with pytest.raises(InstrumentError, match="atol"):
        check_instrument(eq7_instrument(stt), stt, atol=atol)


@pytest.mark.parametrize("make, message", [
    (lambda: DiagonalFactor(F(-1, 4), 1), "q0 = -1/4 is negative"),
    (lambda: DiagonalFactor(1, float("nan")), "q1 = nan is not finite"),
    (lambda: DiagonalFactor(1, 1, sign0=2), "sign0 = 2"),
    (lambda: DiagonalFactor(1, 1, sign1=True), "sign1 = True"),
    (lambda: DiagonalFactor("1", 1), "q0 = '1' is not a real number"),
    (lambda: ProductKraus("K", "AD", (np.eye(2),) * 3), "label 'AD'"),
    (lambda: ProductKraus("K", "AB", (np.eye(2),) * 2), "2 factors"),
    (lambda: ProductKraus("K", "AB", (np.eye(3), np.eye(2), np.eye(2))), r"shape \(3, 3\)"),
    (lambda: ProductKraus("K", "AB", (np.full((2, 2), np.inf),) * 3), "NaN or inf"),
    (lambda: DenseKraus("K", "fail", np.eye(4)), r"shape \(4, 4\)"),
    (lambda: Instrument("x", (trivial_instrument().kraus[0],) * 2), "repeated: \\['I'\\]"),
    (lambda: Instrument("x", ("not an op",)), "not a Kraus operator"),
])
def test_bad_instrument_parts_raise(make, message):
    with pytest.raises(InstrumentError, match=message):
        make()


def test_product_vector_helper():
    assert is_product_vector(np.kron(np.kron([1, 0], [0.6, 0.8]), [1, 1j]) / np.sqrt(2))
    assert not is_product_vector(psi_s(F(1, 2)).amplitudes())


# ---- kappa before and after: the headline -------------------------------------------------

def test_headline_kappa_increases_exactly():
    h = headline()
    assert h.kind == "eq7" and h.kappa_before == F(7, 8) and h.kappa_after == 1
    assert h.kappa_after > h.kappa_before and h.increase == F(1, 8)
    assert isinstance(h.kappa_after, F)


def test_success_branches_are_epr_pairs_with_kappa_one():
    stt = WClassState(F(2, 5), F(1, 3), F(4, 15))
    for b in branch_kappas(eq7_instrument(stt), stt):
        if b.label != "fail":
            assert b.kappa == 1 and sorted(b.state.x) == [0, F(1, 2), F(1, 2)]
        else:
            assert b.probability == 0


@pytest.mark.parametrize("x", [(F(3, 5), F(1, 4), F(3, 20)), (F(7, 10), F(1, 5), F(1, 10)),
                               (F(1, 20), F(9, 10), F(1, 20))])
def test_large_component_increase_is_x_n2_x_n3_over_x_n1(x):
    # kappa_after = 2(1 - x_n1) (EPR branches, product fail branch) and
    # kappa = 2(x_n2 + x_n3) - x_n2 x_n3 / x_n1, so the increase is x_n2 x_n3 / x_n1
    inc = kappa_increase(WClassState(*x))
    a, b, c = sorted(x, reverse=True)
    assert inc.kind == "large_component" and inc.kappa_after == 2 * (1 - a)
    assert inc.increase == b * c / a > 0


def test_local_measurement_of_theorem_2_keeps_kappa_on_average():
    # first step of Theorem 2's protocol: party n2 = B measures a1 = x_n2/x_n1, c1 = 1.
    # Theorem 1: kappa cannot increase; here it is exactly preserved (checked by hand).
    stt = WClassState(F(1, 2), F(3, 10), F(1, 5))
    a = stt.xB / stt.xA
    one = DiagonalFactor.identity()
    inst = Instrument("theorem2-step1", (
        ProductKraus("B1", "fail", (one, DiagonalFactor(a, 1), one)),
        ProductKraus("B2", "fail", (one, DiagonalFactor(1 - a, 0), one)),
    ))
    assert kappa_after_instrument(inst, stt) == kappa(stt)


def test_identity_keeps_kappa_and_float_path_agrees():
    for stt in (WClassState(F(1, 5), F(1, 5), F(1, 5)), psi_s(F(3, 4))):
        assert kappa_after_instrument(trivial_instrument(), stt) == kappa(stt)
        fl = WClassState(*(float(v) for v in stt.x))
        assert abs(kappa_after_instrument(trivial_instrument(False), fl) - float(kappa(stt))) <= FLOAT_TOL


def test_kappa_after_float_general_instrument():
    stt = psi_s(F(1, 2))
    rng = np.random.default_rng(3)
    u, _ = np.linalg.qr(rng.normal(size=(2, 2)) + 1j * rng.normal(size=(2, 2)))
    ops = [ProductKraus(op.name, op.label, op.factor_matrices()[:2] + (u @ op.factor_matrices()[2],))
           if op.name == "M_AB" else op.as_float() for op in eq7_instrument(stt)]
    value = kappa_after_instrument(Instrument("general", tuple(ops)), stt)
    assert abs(value - 1) <= 1e-9


def test_kappa_after_refuses_incomplete_instrument():
    stt = psi_s(F(1, 2))
    inst = eq7_instrument(stt)
    with pytest.raises(InstrumentError, match="not a complete separable instrument"):
        kappa_after_instrument(_with(inst, _ops(inst)[1:]), stt)


def test_kappa_increase_without_instrument_raises():
    with pytest.raises(InstrumentError, match="no explicit separable instrument"):
        kappa_increase(WClassState(F(1, 5), F(1, 5), F(1, 5)))


# ---- properties -----------------------------------------------------------------------------

def x0_zero_states(max_den=60):
    w = st.integers(0, max_den)
    return st.tuples(w, w, w).filter(lambda t: sum(t) > 0).map(
        lambda t: WClassState(*(F(v, sum(t)) for v in t)))


@settings(max_examples=150, deadline=None)
@given(x0_zero_states())
def test_lower_bound_at_least_kappa(stt):
    b = sep_lower_bound(stt)
    assert b.check.ok and b.value >= kappa(stt)
    if b.instrument.kind != "trivial":
        assert kappa_after_instrument(b.instrument, stt) == b.value


@settings(max_examples=100, deadline=None)
@given(x0_zero_states())
@example(WClassState(F(1, 34), F(8, 17), F(1, 2)))  # xC = 1/2 becomes 0.5000000000000001
def test_float_and_exact_bounds_agree(stt):
    ex = sep_lower_bound(stt)
    fl = sep_lower_bound(WClassState.from_components(0.0, *(float(v) for v in stt.x),
                                                     renormalise=True))
    # float rounding may push x_n1 = 1/2 across the boundary between the two instruments;
    # both give 1 there, so only the kind may differ
    assert fl.kind == ex.kind or abs(max(stt.x) - F(1, 2)) <= FLOAT_TOL
    assert abs(fl.value - float(ex.value)) <= FLOAT_TOL
    chk = check_instrument(ex.instrument.as_float(), stt, exact=False)
    assert chk.ok and abs(chk.total - float(ex.value)) <= FLOAT_TOL


def test_bad_state_reaches_the_user_as_invalid_state_error():
    with pytest.raises(InvalidStateError):
        sep_lower_bound((0.5, 0.5, 0.5))
