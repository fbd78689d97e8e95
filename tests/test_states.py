"""W-class states: construction, exactness, normalisation and every kind of bad input."""
from fractions import Fraction as F
import math

import numpy as np
import pytest

from analytics.errors import InvalidStateError, SepgapError
from analytics.states import WClassState, as_state, parse_number, psi_s


def test_exact_input_stays_exact():
    st = WClassState(F(1, 2), F(1, 4), 0)
    assert st.is_exact and st.x0 == F(1, 4) and isinstance(st.x0, F)
    assert st.x == (F(1, 2), F(1, 4), F(0)) and not st.normalised


def test_from_components_and_sequences_agree():
    a = WClassState.from_components(F(1, 10), F(1, 2), F(1, 5), F(1, 5))
    b = WClassState.from_sequence([F(1, 10), F(1, 2), F(1, 5), F(1, 5)])
    c = as_state((F(1, 2), F(1, 5), F(1, 5)))
    assert a == b == c and a.x0 == F(1, 10)


def test_floats_are_read_as_their_binary_values_never_renormalised_silently():
    # issue 16 item 6: 0.1 + 0.2 + 0.7 is below 1 in binary by 2^-55: x0 is that remainder
    st = WClassState(0.1, 0.2, 0.7)
    assert not st.normalised and st.x0 == float(1 - F(0.1) - F(0.2) - F(0.7)) > 0
    ex = st.exact()
    assert ex.x == (F(0.1), F(0.2), F(0.7)) and ex.x0 == 1 - F(0.1) - F(0.2) - F(0.7)
    # a sum above 1 by any amount is refused unless renormalising is asked for
    with pytest.raises(InvalidStateError, match="exceeds 1.*binary values"):
        WClassState(0.5, 0.25, 0.25 + 1e-12)
    r = WClassState(0.5, 0.25, 0.25 + 1e-12, renormalise=True)
    assert r.normalised and r.x0 == 0 and r.exact().x0 == 0 and sum(r.exact().x) == 1
    with pytest.raises(InvalidStateError, match="must equal 1"):
        WClassState.from_components(0.1, 0.3, 0.3, 0.3)  # binary sum 1 + 2^-54


def test_numpy_scalars_are_accepted():
    # regression: Fraction(numpy.int64) kept numpy ints inside and overflowed later
    st = WClassState(np.float64(0.2), np.int64(0), 0.3)
    assert st.x0 == pytest.approx(0.5, abs=1e-15)
    ex = WClassState(np.int64(0), np.int64(1), np.int64(0))
    assert ex.is_exact and ex.xB == 1 and type(ex.xB.numerator) is int


def test_psi_s_is_exact_for_float_s():
    st = psi_s(0.5)
    assert st.x == (F(1, 2), F(1, 4), F(1, 4)) and st.x0 == 0 and st.is_exact


def test_sorted_ties_keep_abc_order():
    assert WClassState(F(1, 4), F(1, 2), F(1, 4)).sorted() == (
        (F(1, 2), F(1, 4), F(1, 4)), ("B", "A", "C"))


@pytest.mark.parametrize("perm", ["ABC", "ACB", "BAC", "BCA", "CAB", "CBA"])
def test_permuted(perm):
    st = WClassState(F(1, 2), F(1, 3), F(1, 12))
    p = st.permuted(perm)
    d = dict(zip("ABC", st.x))
    assert p.x == tuple(d[q] for q in perm) and p.x0 == st.x0


def test_amplitudes_and_from_vector_round_trip():
    st = WClassState(0.5, 0.25, 0.125)
    v = st.amplitudes()
    assert v[4] ** 2 == pytest.approx(0.5, abs=1e-15) and v[1] ** 2 == pytest.approx(0.125, abs=1e-15)
    phases = np.exp(1j * np.array([0.3, 0, 0, 1.1, 0.7, 0, 0, 0]))  # phases on the support only
    back = WClassState.from_vector(v * phases)
    assert np.allclose(back.as_float(), st.as_float(), atol=1e-12)


BAD_STATES = [
    ((-0.1, 0.5, 0.5), "xA = -0.1 is negative"),
    ((F(1, 2), F(-1, 3), 0), "xB = -1/3 is negative"),
    ((0.5, 0.5, 0.5), "exceeds 1"),
    ((F(1, 2), F(1, 2), F(1, 100)), "101/100 exceeds 1"),
    ((float("nan"), 0, 0), "xA is NaN"),
    ((0, float("inf"), 0), "xB = inf is not finite"),
    ((0, 0, float("-inf")), "xC = -inf"),
    (("0.1/", 0, 0), "xA: not a number: '0.1/'"),
    ((None, 0, 0), "xA = None is not a number"),
    ((1j, 0, 0), "xA = 1j is not real"),
    ((True, 0, 0), "xA = True"),
]


@pytest.mark.parametrize("args, message", BAD_STATES)
def test_bad_components_raise_specific_error(args, message):
    with pytest.raises(InvalidStateError, match=message.replace("(", r"\(").replace("+", r"\+")):
        WClassState(*args)


@pytest.mark.parametrize("x0, xs, message", [
    (F(1, 2), (F(1, 10), F(1, 5), F(3, 10)), "must equal 1"),
    (F(-1, 10), (F(1, 2), F(1, 2), F(1, 10)), "x0 = -1/10 is negative"),
    (0.5, (0.1, 0.1, 0.1), "must equal 1"),
    (float("nan"), (0.5, 0.5, 0), "x0 is NaN"),
])
def test_inconsistent_or_bad_x0(x0, xs, message):
    with pytest.raises(InvalidStateError, match=message):
        WClassState.from_components(x0, *xs)


@pytest.mark.parametrize("seq, message", [
    ((0.5,), "got 1"), ((0.1, 0.2), "got 2"), ((0.1, 0.2, 0.3, 0.4, 0.0), "got 5"),
    (5, "got 5"), ((), "got 0"),
])
def test_wrong_length(seq, message):
    with pytest.raises(InvalidStateError, match=message):
        WClassState.from_sequence(seq)


@pytest.mark.parametrize("vec, message", [
    (np.ones(7) / np.sqrt(7), "8 amplitudes"),
    (np.r_[np.ones(4), np.zeros(4)] / 2, "outside"),      # a quarter of the weight on |011>
    (np.r_[1.0, np.zeros(7)] * 2, "squared norm"),
    (np.r_[np.nan, np.zeros(7)], "NaN"),
])
def test_from_vector_rejects(vec, message):
    with pytest.raises(InvalidStateError, match=message):
        WClassState.from_vector(vec)


@pytest.mark.parametrize("text, value", [
    ("1/2", F(1, 2)), (" 0.25 ", F(1, 4)), ("2.5e-1", F(1, 4)), ("1", F(1)), ("0", F(0)),
    ("-0.5", F(-1, 2)), ("0.1", F(1, 10)),
])
def test_parse_number_is_exact(text, value):
    assert parse_number(text) == value and isinstance(parse_number(text), F)


@pytest.mark.parametrize("text", ["nan", "inf", "-inf", "1/0", "", "abc", "0x1", "1/2/3", "1+1j"])
def test_parse_number_rejects(text):
    with pytest.raises(InvalidStateError, match="not a number"):
        parse_number(text)


@pytest.mark.parametrize("s, message", [
    (float("nan"), "s is NaN"), (-0.1, "outside"), (F(3, 2), "outside"), ("half", "not a number"),
    (None, "not a number"), (float("inf"), "not finite"),
])
def test_psi_s_rejects(s, message):
    with pytest.raises(InvalidStateError, match=message):
        psi_s(s)


def test_permuted_rejects_non_permutation():
    with pytest.raises(InvalidStateError, match="'ABB'"):
        WClassState(F(1, 2), F(1, 4), F(1, 4)).permuted("ABB")


def test_error_hierarchy():
    assert issubclass(InvalidStateError, SepgapError) and issubclass(InvalidStateError, ValueError)
