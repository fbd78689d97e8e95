"""analytics.claims: what each certificate proves, and decimals rounded outward (issue 12)."""
from fractions import Fraction as F

import pytest

from analytics.claims import (approx, decimal_down, decimal_up, gap_claim, lower_claim,
                              ppt_claim)


@pytest.mark.parametrize("q, digits, up, down", [
    (F(1, 15), 8, "0.06666667", "0.06666666"),
    (F("0.40000020314"), 8, "0.40000021", "0.40000020"),
    (F(2, 3), 8, "0.66666667", "0.66666666"),
    (F(1, 2), 8, "0.50000000", "0.50000000"),
    (F(1), 8, "1.00000000", "1.00000000"),
    (F(0), 3, "0.000", "0.000"),
    (F(-1, 15), 8, "-0.06666666", "-0.06666667"),
    (F(9, 5), 0, "2", "1"),
    (F(123456789, 1000), 2, "123456.79", "123456.78"),
])
def test_decimal_outward_table(q, digits, up, down):
    assert decimal_up(q, digits) == up and decimal_down(q, digits) == down
    # the printed number is on the right side of q, within one unit of the last digit
    assert F(down) <= q <= F(up) and F(up) - F(down) <= F(1, 10 ** digits)


@pytest.mark.parametrize("q, relation, text", [
    (F(7, 8), "<=", "= 0.875"), (F(1), ">=", "= 1"), (F(0), ">=", "= 0"),
    (F(1, 15), ">=", ">= 0.066666666666"), (F(11, 15), "<=", "<= 0.733333333334"),
])
def test_approx_table(q, relation, text):
    assert approx(q, relation) == text


@pytest.mark.parametrize("pairs, weights, objective, lhs", [
    (("AB", "AC", "BC"), (1, 1, 1), "exact", "SEP"),
    (("AB", "AC", "BC"), (F(1, 2),) * 3, "exact", "p_AB/2 + p_AC/2 + p_BC/2"),
    (("AB",), (1,), "exact", "p_AB"),
    (("AB", "BC"), (1, 1), "exact", "p_AB + p_BC"),
    (("AB", "AC", "BC"), (1, 0, 1), "exact", "p_AB + p_BC"),
    (("AB", "AC"), (2, F(3, 2)), "exact", "2 p_AB + (3/2) p_AC"),
    (("AB", "AC", "BC"), (1, 1, 1), "fidelity", "F_AB + F_AC + F_BC"),
    (("AC",), (F(1, 3),), "fidelity", "F_AC/3"),
])
def test_ppt_claim_states_exactly_what_is_proved(pairs, weights, objective, lhs):
    c = ppt_claim(pairs, weights, F(1, 2) + F(1, 10 ** 9), objective)
    assert c.lhs == lhs and c.relation == "<="
    assert c.is_sep is (lhs == "SEP")
    assert c.text() == f"{lhs} <= 0.50000001"
    assert c.exact() == f"{lhs} <= 500000001/1000000000"


@pytest.mark.parametrize("pairs, weights", [(("AB",), (0,)), (("AB", "AC"), (0, 0)),
                                            (("AB",), (-1,)), (("AB", "AB"), (1, 1)),
                                            (("AD",), (1,)), (("AB",), (1, 1))])
def test_ppt_claim_refuses_claims_that_prove_nothing_or_do_not_parse(pairs, weights):
    with pytest.raises(ValueError):
        ppt_claim(pairs, weights, F(1))


def test_lower_and_gap_claims_name_the_pairs_of_the_instrument():
    c = lower_claim(("AC", "AB"), F(7, 8))
    assert c.exact() == "SEP >= 7/8 (instrument succeeds on AB, AC)"
    assert c.text() == "SEP >= 0.87500000 (instrument succeeds on AB, AC)"
    assert lower_claim((), 0).exact() == "SEP >= 0 (instrument succeeds on no pair)"
    g = gap_claim(("AB", "AC", "BC"), F(1, 15))
    assert g.text().startswith("SEP - LOCC_sup >= 0.06666666 (")   # 1/15 rounded down
    assert "AB, AC, BC" in g.exact() and g.exact().startswith("SEP - LOCC_sup >= 1/15")
