"""The engine against an independent, plain formulation (sdp/naive.py: full 32 x 32 Hermitian
Choi variables, cvxpy.partial_transpose, its own index conventions). Facial reduction is on
in the plain model (without it SCS does not converge at these points, formulation.md s. 5)."""
from fractions import Fraction as F

import numpy as np
import pytest

from analytics import WClassState, psi_s
from sdp import ppt_upper_bound
from sdp.naive import naive_ppt_value

GHZ = np.array([1, 0, 0, 0, 0, 0, 0, 1]) / np.sqrt(2)

POINTS = [
    pytest.param(psi_s(F(3, 5)), id="psi_0.6", marks=pytest.mark.slow),  # ~50-120 s: the plain model
    pytest.param(WClassState(F(2, 5), F(3, 10), F(1, 5)), id="x0=1/10"),
    pytest.param(WClassState.from_components(F(1, 4), F(1, 4), F(1, 2), 0), id="x0=1/4,two-qubit"),
    pytest.param(GHZ, id="GHZ", marks=pytest.mark.slow),
]


@pytest.mark.parametrize("state", POINTS)
def test_engine_agrees_with_plain_formulation(state):
    plain = naive_ppt_value(state, facial_reduction=True)
    assert plain.status == "optimal", plain.status
    res = ppt_upper_bound(state, certify=True)
    assert res.status == "optimal"
    assert res.value == pytest.approx(plain.value, abs=1e-5)
    # the certified bound is a bound: never below the plain optimum (up to its accuracy)
    assert float(res.certified) >= plain.value - 1e-5
    assert float(res.certified) - plain.value <= 1e-5
