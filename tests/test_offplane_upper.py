"""Certified PPT upper bounds off the plane (x0 > 0), against independent sources.

References: the plain facially reduced model (sdp/plain.py: 32 x 32 blocks, float data, no change
of frame, no output twirl: a second formulation), the explicit separable instruments (lower
bounds), the known limit on the plane, and party relabelling.
"""
import json
import math
from fractions import Fraction as F

import pytest

from analytics.lower import sep_lower_bound
from analytics.states import WClassState, psi_s
from experiments.cli import main
from sdp import ppt_upper_bound, sep_upper_bound, verify_certificate
from sdp.plain import plain_native_value


def mixed(s, x0) -> WClassState:
    """sqrt(x0)|000> + sqrt(1 - x0) psi_s."""
    p = psi_s(s)
    return WClassState.from_components(x0, *(v * (1 - x0) for v in p.x))


def certified(state, **kw):
    res = ppt_upper_bound(state, certify=True, **kw)
    assert res.kind == "certified", res.certification_error
    cert = json.loads(json.dumps(res.certificate))
    assert verify_certificate(cert).valid, verify_certificate(cert).reason
    return res


@pytest.mark.parametrize("state", [
    mixed(F(1, 2), F(1, 10 ** 4)), mixed(F(1, 2), F(1, 10 ** 3)), mixed(F(1, 2), F(1, 100)),
    WClassState.from_components(F(1, 1000), F(1, 2), F(3, 10), F(199, 1000)),
], ids=["psi1/2,x0=1e-4", "psi1/2,x0=1e-3", "psi1/2,x0=1e-2", "x0=1e-3,asym"])
def test_near_plane_agrees_with_the_plain_model(state):
    res = certified(state)
    plain = plain_native_value(state.amplitudes())
    assert plain.value is not None
    assert float(res.certified) == pytest.approx(plain.value, abs=1e-6)
    assert float(res.certified) >= plain.value - 1e-7  # a bound, up to the reference's accuracy


def test_issue_point_value():
    """(x0; xA, xB, xC) = (1/100; 1/2, 3/10, 19/100): PPT optimum 0.8888525 (formulation.md s. 7)."""
    res = certified(WClassState.from_components(F(1, 100), F(1, 2), F(3, 10), F(19, 100)))
    assert abs(float(res.certified) - 0.8888525) <= 1e-6
    assert res.value <= float(res.certified) + 1e-9


@pytest.mark.parametrize("s, limit", [(F(1, 2), F(1)), (F(3, 5), F(4, 5))])
def test_continuity_as_x0_goes_to_zero(s, limit):
    """The certified bound tends to the plane's exact optimum (1 on psi_1/2, 2(1 - s) on psi_s,
    s >= 1/2) and falls as x0 grows; near the plane it is within 3 sqrt(x0) of the limit."""
    values = []
    for x0 in (F(1, 10 ** 8), F(1, 10 ** 6), F(1, 10 ** 4), F(1, 100)):
        v = certified(mixed(s, x0)).certified
        assert abs(float(v - limit)) <= 3 * math.sqrt(float(x0)) + 1e-6
        values.append(v)
    assert all(b <= a + F(1, 10 ** 7) for a, b in zip(values, values[1:]))
    plane = certified(psi_s(s)).certified
    assert abs(float(values[0] - plane)) <= 1e-3


@pytest.mark.parametrize("x", [(F(1, 10), F(3, 10), F(3, 10), F(3, 10)),
                               (F(1, 20), F(9, 20), F(3, 10), F(1, 5)),
                               (F(3, 10), F(1, 2), F(1, 10), F(1, 10)),
                               (F(1, 500), F(1, 100), F(600, 1000), F(388, 1000))])
def test_never_below_the_explicit_lower_bound(x):
    st = WClassState.from_components(*x)
    low = sep_lower_bound(st, method="tree")
    res = certified(st)
    assert low.value is not None and low.value <= res.certified
    # per pair: the PPT bound on p_AB alone is at least the instrument's p_AB
    ab = certified(st, pairs="AB")
    assert low.p_pairs["AB"] <= ab.certified


@pytest.mark.parametrize("perm", ["ACB", "BAC", "BCA", "CAB", "CBA"])
def test_permutation_invariance(perm):
    st = WClassState.from_components(F(1, 20), F(9, 20), F(3, 10), F(1, 5))
    a = certified(st).certified
    b = certified(st.permuted(perm)).certified
    assert abs(float(a - b)) <= 2e-7


def test_weighted_bound_goes_through_the_path_and_is_capped():
    """Weights 1/2 on psi_1/2: the PPT bound is 1/2 up to the solver; a certified value above the
    trivial bound max w = 1/2 is replaced by it, exactly, with its own certificate."""
    res = certified(psi_s(F(1, 2)), weights=(F(1, 2),) * 3)
    assert res.certified <= F(1, 2) and res.certified >= F(1, 2) - F(1, 10 ** 6)
    off = certified(mixed(F(1, 2), F(1, 100)), weights=(F(1), F(1, 2), F(1, 4)))
    assert off.certified <= 1


def test_fallback_when_the_first_solver_fails():
    """SCS limited to 5 iterations cannot converge: the path falls back to Clarabel and keeps
    the certified bound; the attempts say so."""
    st = mixed(F(1, 2), F(1, 1000))
    res = ppt_upper_bound(st, certify=True, solver="SCS", solver_options={"max_iters": 5})
    assert res.kind == "certified" and res.solver == "CLARABEL"
    assert [a["solver"] for a in res.attempts] == ["SCS", "CLARABEL"]
    assert res.attempts[0]["status"] != "optimal"


def test_cli_no_certify_is_never_a_bound(capsys):
    rc = main(["bound", "9/20", "3/10", "1/5", "--x0", "1/20", "--no-certify", "--json", "--lower", "tree"])
    data = json.loads(capsys.readouterr().out)
    assert rc == 0 and data["sep_upper"] is None and data["sep_upper_certified"] is None
    assert data["sep_upper_kind"] == "numerical" and data["sep_upper_numerical"] > 0.74
    rc = main(["bound", "9/20", "3/10", "1/5", "--x0", "1/20", "--json", "--lower", "tree"])
    data = json.loads(capsys.readouterr().out)
    assert rc == 0 and data["sep_upper_kind"] == "certified"
    assert abs(data["sep_upper"] - 0.7478975) <= 1e-6


def test_a_solver_panic_is_a_failed_solve_and_the_fallback_takes_over(monkeypatch):
    """Clarabel can panic in Rust ("SVD error", a pyo3 PanicException, a BaseException): the
    solve is reported as failed, never raised, and the path falls back to SCS."""
    import clarabel

    from sdp.engine import reset_solvers

    class Panic(BaseException):
        pass

    def panic(*args, **kwargs):
        raise Panic("SVD error: SVD(1)")
    monkeypatch.setattr(clarabel, "DefaultSolver", panic)
    reset_solvers()
    res = ppt_upper_bound(psi_s(F(3, 5)), certify=True)
    assert res.attempts[0]["solver"] == "CLARABEL" and res.attempts[0]["status"] == "failed"
    assert res.solver == "SCS" and res.kind == "certified"
    assert abs(float(res.certified) - 0.8) <= 1e-6
    reset_solvers()
