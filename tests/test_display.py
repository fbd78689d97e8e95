"""Short reprs and notebook tables of the public result classes (analytics.display)."""
from fractions import Fraction as F

import pytest

from analytics import (WClassState, check_instrument, headline, locc_lower_tree, psi_s,
                       sep_lower_bound, theorem2_locc_lower)
from analytics.certificates import gap_certificate, verify_analytic
from analytics.display import MAX_REPR, show_interval, show_number
from analytics.locc import fortescue_lo
from sdp import ppt_upper_bound, verify_certificate

from tests.shared_results import OFF, off_plane_lower_bound


def _short(obj, *must_contain):
    r = repr(obj)
    assert "\n" not in r and len(r) <= MAX_REPR, (len(r), r[:200])
    for text in must_contain:
        assert text in r, (text, r)
    html = obj._repr_html_()
    assert html.startswith("<table>") and html.endswith("</table>") and len(html) < 4000
    assert type(obj).__name__ in html
    return r


@pytest.fixture(scope="module")
def ppt():
    return ppt_upper_bound(OFF, certify=True)


def test_ppt_bound_repr_is_short_and_says_what_it_is(ppt):
    # the dataclass repr was 39,063 characters (every dual matrix of the certificate)
    r = _short(ppt, "kind=certified", "certified<=0.8888525", "state=(x0=1/100")
    assert "dual" not in r and "[[" not in r
    # the decimal shown for the certified value is rounded up: still an upper bound
    shown = F(r.split("certified<=")[1].split(",")[0])
    assert shown >= ppt.certified


def test_lower_bound_reprs_round_down_and_name_kind_and_state():
    tree = off_plane_lower_bound()   # the tree's repr was 15,666 characters
    r = _short(tree, "kind=tree", "state=(x0=1/100, xA=1/2, xB=3/10, xC=19/100)", "value>=0.871339")
    shown = F(r.split("value>=")[1].split(",")[0])
    assert shown <= tree.value and tree.value - shown < F(1, 10 ** 8)
    _short(tree.instrument, "kind=tree", "depth=")
    _short(sep_lower_bound(psi_s(F(1, 2))), "value=1", "kind=eq7")
    _short(sep_lower_bound(psi_s(F(1, 2))).instrument, "kind=eq7", "operators=5")
    _short(check_instrument(sep_lower_bound(psi_s(F(1, 2))).instrument, psi_s(F(1, 2))), "ok=True")
    _short(tree.check, "total>=0.871339")


def test_locc_and_headline_reprs():
    _short(theorem2_locc_lower(psi_s(F(1, 2)), 50), "protocol=theorem2", "kappa=7/8")
    _short(locc_lower_tree(OFF, rounds=20), "protocol=tree+theorem2", "locc_sup_lower>=")
    _short(fortescue_lo(20), "rounds=20")
    _short(headline(), "kappa_before=7/8", "kappa_after=1", "increase=1/8")


def test_verification_reprs(ppt):
    _short(verify_certificate(ppt.certificate), "valid=True", "claim=SEP <= 0.8888525")
    _short(verify_analytic(gap_certificate(psi_s(F(1, 2)))), "valid=True", "1/8")
    bad = dict(ppt.certificate, claim="SEP <= 1/2")
    _short(verify_certificate(bad), "valid=False", "reason=")


def test_show_number_rounds_outward_and_keeps_short_fractions():
    q = F(2, 3) + F(1, 10 ** 30)
    assert show_number(F(7, 8)) == "7/8"
    assert show_number(q, ">=") == ">=0.66666666" and F("0.66666666") <= q
    assert show_number(q, "<=") == "<=0.66666667" and F("0.66666667") >= q
    assert show_number(None) == "None" and show_number(0.5) == "0.5"


def test_show_interval_contains_the_exact_bracket():
    lo, hi = F(2, 3) - F(1, 10 ** 30), F(2, 3) + F(1, 10 ** 30)
    assert show_interval(lo, hi) == "[0.66666666, 0.66666667]"
    assert show_interval(F(7, 8), None) == "[7/8, n/a]"
    a, b = show_interval(0.1, 0.1)[1:-1].split(", ")
    assert F(a) <= F(0.1) <= F(b)


def test_bracket_repr_table_and_instrument():
    from experiments import bracket
    b = bracket((F(1, 2), F(1, 4), F(1, 4)), locc_rounds=10)
    r = _short(b, "x=(0; 1/2, 1/4, 1/4)", "SEP=[1, 1]", "gap=[1/8, 1/8]", "kappa=7/8", "lower=eq7")
    assert len(r) < 200
    html = b._repr_html_()
    assert "sep_upper_kind" in html and "certified" in html and "locc_protocol" in html
    low, high = r.split("LOCC=[")[1].split("]")[0].split(", ")
    assert F(low) <= b.locc_lower_exact and F(high) == b.locc_upper_exact
    ops = b.kraus_operators()
    assert ops.kind == "eq7" and len(ops) == 5 and ops.value == 1
