"""The certified PPT bound for complex amplitudes (real embedding) and its certificate
(issue 19, item 3): against the real engine, the W engine, local-unitary invariance, the
one-measurement protocol, cvxpy, and tampering."""
import copy
import json
from fractions import Fraction as F

import numpy as np
import pytest

from analytics.states import WClassState
from sdp import ppt_upper_bound, sep_upper_bound
from sdp.complex_certificate import verify_complex_certificate
from sdp.complex_ppt import complex_ppt_upper_bound
from tests.cli_helpers import run_cli

_CACHE = {}


def bound(amps):
    key = tuple(complex(a) if not isinstance(a, str) else a for a in amps)
    if key not in _CACHE:
        _CACHE[key] = complex_ppt_upper_bound(amps)
    return _CACHE[key]


def _random_state(rng):
    v = rng.normal(size=8) + 1j * rng.normal(size=8)
    return v / np.linalg.norm(v)


def _random_unitary(rng):
    z = rng.normal(size=(2, 2)) + 1j * rng.normal(size=(2, 2))
    q, r = np.linalg.qr(z)
    return q * (np.diag(r) / abs(np.diag(r)))


def _local(psi, U):
    return np.einsum("ai,bj,ck,ijk->abc", *U, psi.reshape(2, 2, 2)).reshape(8)


W_WITH_I = ["1/2", "1/2j", "1/2", "0", "-1/2", "0", "0", "0"]   # W-class, x = (1/4; 1/4, 1/4, 1/4)


@pytest.mark.slow
def test_w_class_with_phases_matches_w_engine():
    """The complex engine on a W-class state with a phase reproduces the W engine's certified
    value of its W-class form (two independent formulations, within 1e-7)."""
    res = bound(W_WITH_I)
    w = sep_upper_bound(WClassState(F(1, 4), F(1, 4), F(1, 4), x0=F(1, 4)))
    assert res.kind == "certified" and w.kind == "certified"
    assert abs(float(res.certified) - float(w.certified)) < 1e-7
    assert res.certificate["kind"] == "ppt_upper_bound_complex"


@pytest.mark.slow
def test_real_state_matches_real_engine():
    rng = np.random.default_rng(11)
    v = rng.normal(size=8)
    v /= np.linalg.norm(v)
    real = ppt_upper_bound(v, certify=True)
    cpx = bound(v * np.exp(0.7j))      # a global phase makes the data complex
    assert cpx.kind == "certified" and real.kind == "certified"
    assert abs(float(cpx.certified) - float(real.certified)) < 1e-7


@pytest.mark.slow
def test_local_unitary_invariance():
    rng = np.random.default_rng(5)
    psi = _random_state(rng)
    a = bound(psi)
    b = bound(_local(psi, [_random_unitary(rng) for _ in range(3)]))
    assert a.kind == b.kind == "certified"
    assert abs(float(a.certified) - float(b.certified)) < 1e-7
    assert a.value <= float(a.certified) + 1e-12


@pytest.mark.slow
def test_local_unitary_invariance_more_states():
    rng = np.random.default_rng(6)
    for _ in range(4):
        psi = _random_state(rng)
        a = complex_ppt_upper_bound(psi)
        for _ in range(2):
            b = complex_ppt_upper_bound(_local(psi, [_random_unitary(rng) for _ in range(3)]))
            assert abs(float(a.certified) - float(b.certified)) < 1e-7


@pytest.mark.slow
@pytest.mark.parametrize("a,b", [("3/5", "4/5j"), ("12/13", "-5/13j")])
def test_generalised_ghz_ppt_not_below_one_measurement(a, b):
    from analytics.general_locc import measure_vidal_protocol
    amps = [a, 0, 0, 0, 0, 0, 0, b]
    res = bound(amps)
    low = measure_vidal_protocol(amps).value
    assert low == 2 * min(F(a) ** 2, F(b[:-1]) ** 2)
    assert res.kind == "certified" and res.certified >= low
    assert float(res.certified) - float(low) < 1e-6   # the bracket closes: SEP = LOCC here


@pytest.mark.slow
def test_ghz_sep_is_one_certified():
    res = complex_ppt_upper_bound(["1/2+1/2j", 0, 0, 0, 0, 0, 0, "1/2-1/2j"])
    assert res.certified == 1 and res.method == "trivial"
    assert verify_complex_certificate(json.loads(json.dumps(res.certificate))).valid


@pytest.mark.slow
def test_certificate_from_file_and_tampering(tmp_path):
    path = tmp_path / "c.json"
    rc, out, err = run_cli(["bound", "--amplitudes", *W_WITH_I, "--save-cert", str(path)])
    assert rc == 0
    # W-class input is routed to the W engine: its certificate kind is the W one
    assert json.loads(path.read_text())["kind"] == "ppt_upper_bound"
    cert = bound(W_WITH_I).certificate
    path.write_text(json.dumps(cert))
    rc, out, err = run_cli(["verify", str(path)])
    assert rc == 0 and out.startswith("valid: SEP <= ")
    bad = copy.deepcopy(cert)
    bad["bound"]["exact"] = str(F(bad["bound"]["exact"]) - F(1, 10 ** 6))
    assert not verify_complex_certificate(bad).valid
    bad = copy.deepcopy(cert)
    e = bad["dual"]["W"]["id"][0]
    e[2] = int(e[2]) // 2
    assert not verify_complex_certificate(bad).valid
    bad = copy.deepcopy(cert)
    bad["state"]["psi"][0] = "1/3"
    assert not verify_complex_certificate(bad).valid
    bad = copy.deepcopy(cert)
    bad["note"] = "also proves LOCC = SEP"
    res = verify_complex_certificate(bad)
    assert not res.valid and "unknown field" in res.reason
    bad = copy.deepcopy(cert)
    bad["dual"]["W"]["id"].append([0, 0, 1, 1])
    assert not verify_complex_certificate(bad).valid


@pytest.mark.slow
def test_cli_general_state_certificate_verifies(tmp_path):
    path = tmp_path / "g.json"
    rc, out, err = run_cli(["bound", "--amplitudes", "3/5", "0", "0", "0", "0", "0", "0", "4/5j",
                            "--save-cert", str(path), "--json"])
    assert rc == 0
    rep = json.loads(out)
    assert rep["class"] == "GHZ" and rep["sep_upper_kind"] == "certified"
    assert rep["locc_lower_exact"] == "18/25"
    assert F(rep["sep_upper_exact"]) >= F(18, 25)
    rc, out, _ = run_cli(["verify", str(path)])
    assert rc == 0 and "valid: SEP <= 0.72" in out


@pytest.mark.slow
def test_cvxpy_cross_check():
    from sdp.cvx import ppt_upper_bound_cvx
    rng = np.random.default_rng(9)
    psi = _random_state(rng)
    res = complex_ppt_upper_bound(psi)
    ref = ppt_upper_bound_cvx(psi, solver="SCS")
    assert abs(ref.value - float(res.certified)) < 1e-5


# ---- default suite: no SDP solve (a committed certificate, the exact trivial one) -------------

DATA = __import__("pathlib").Path(__file__).parent / "data"


def test_committed_complex_certificate_verifies_and_tampering_fails():
    """tests/data/complex_cert_w_phase.json: written by complex_ppt_upper_bound for the W-class
    state with one amplitude times i (x = 1/4 each); checked from the file alone."""
    path = DATA / "complex_cert_w_phase.json"
    rc, out, _ = run_cli(["verify", str(path)])
    assert rc == 0 and out.startswith("valid: SEP <= 0.4000000")
    cert = json.loads(path.read_text())
    res = verify_complex_certificate(cert)
    assert res.valid and res.claim.is_sep and abs(float(res.bound) - 0.4) < 1e-7
    for mutate in (lambda c: c["bound"].update(exact=str(F(c["bound"]["exact"]) - F(1, 10 ** 9))),
                   lambda c: c["dual"]["W"]["id"][0].__setitem__(2, int(c["dual"]["W"]["id"][0][2]) // 2),
                   lambda c: c["state"]["psi"].__setitem__(1, "1/2"),
                   lambda c: c.__setitem__("note", "also proves LOCC = SEP"),
                   lambda c: c["dual"]["t"].__setitem__("AB", "0"),
                   lambda c: c["relaxation"].__setitem__("pairs", ["AB", "AC"])):
        bad = copy.deepcopy(cert)
        mutate(bad)
        assert not verify_complex_certificate(bad).valid
    rc, _, err = run_cli(["verify", str(path), str(path)])
    assert rc == 0


def test_trivial_complex_certificate_exact():
    from analytics.general_states import three_qubit_state
    from sdp.complex_certificate import certificate_dict, trivial_dual
    from sdp.relaxation import make_spec
    st = three_qubit_state(["1/2+1/2j", 0, 0, 0, 0, 0, 0, "1/2-1/2j"])
    spec = make_spec(("AB", "AC", "BC"), None, "exact")
    dual, b = trivial_dual(st, spec)
    res = verify_complex_certificate(json.loads(json.dumps(certificate_dict(st, spec, dual, b))))
    assert res.valid and res.bound == 1
