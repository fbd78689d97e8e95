"""Product states: SEP = 0 exactly (issue 16 item 6: `sepgap bound 1 0 0` printed SEP <= 1e-8).

Independent source: a separable (indeed PPT) operation maps a product state to separable states,
and |Psi+> is entangled, so every success probability is 0; the certificate is checked by the
verifier alone, and a tampered or misapplied one is rejected.
"""
import copy
import json
from fractions import Fraction as F

import pytest

from analytics import WClassState
from analytics.certificates import product_upper_certificate, verify_product_upper
from analytics.plane import is_product_state
from analytics.errors import InstrumentError
from experiments import bracket
from sdp import sep_upper_bound
from tests.cli_helpers import run_cli

PRODUCT = [WClassState(F(1), F(0), F(0)), WClassState(F(0), F(0), F(1, 2), x0=F(1, 2)),
           WClassState(F(0), F(0), F(0), x0=F(1)), WClassState(F(0), F(3, 10), F(0), x0=F(7, 10))]
ENTANGLED = [WClassState(F(1, 2), F(1, 2), F(0)), WClassState(F(1, 3), F(1, 3), F(1, 3)),
             WClassState(F(1, 100), F(1, 100), F(0), x0=F(49, 50))]


@pytest.mark.parametrize("st", PRODUCT)
def test_product_states_get_exactly_zero_without_an_sdp(st):
    assert is_product_state(st)
    res = sep_upper_bound(st)
    assert res.certified == 0 and res.method == "product" and res.solver == "none"
    assert verify_product_upper(res.certificate).valid
    b = bracket(st, locc_rounds=None)
    assert b.sep_upper_exact == 0 and b.sep_upper == 0.0 and b.sep_width_exact == 0


@pytest.mark.parametrize("st", ENTANGLED)
def test_entangled_states_are_not_product_and_get_no_such_certificate(st):
    assert not is_product_state(st)
    with pytest.raises(InstrumentError):
        product_upper_certificate(st)


def test_a_product_certificate_for_an_entangled_state_or_another_bound_is_rejected():
    cert = product_upper_certificate(PRODUCT[0])
    bad_state = copy.deepcopy(cert)
    bad_state["state"].update({"x0": "0", "xA": "1/2", "xB": "1/2", "xC": "0"})
    bad_bound = copy.deepcopy(cert)
    bad_bound["bound"]["exact"] = "1/10"
    extra = copy.deepcopy(cert)
    extra["note"] = "SEP <= 0.9"
    for c in (bad_state, bad_bound, extra):
        assert not verify_product_upper(c).valid


def test_cli_prints_exactly_zero_and_the_certificate_verifies(tmp_path):
    f = tmp_path / "p.json"
    code, out, err = run_cli(["bound", "1", "0", "0", "--save-cert", str(f)])
    assert code == 0 and "SEP <= 0.00000000" in out and "certified (exact 0)" in out
    assert json.loads(f.read_text())["kind"] == "sep_upper_product"
    code, out, err = run_cli(["verify", str(f)])
    assert code == 0 and out.startswith("valid: SEP <= 0.00000000")
