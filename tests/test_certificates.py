"""Certificates: built from solver duals, verified exactly, rejected when tampered with."""
import copy
import json
import random
import subprocess
import sys
from fractions import Fraction as F

import pytest

from analytics import WClassState, kappa, psi_s
from analytics.certificates import gap_certificate, sep_lower_certificate, verify_analytic_certificate
from analytics.instruments import sep_lower_bound
from sdp import ppt_upper_bound, verify_certificate
from sdp.exact_psd import is_psd_exact


def _random_states():
    rng = random.Random(20121)
    out = []
    for with_x0 in (False, False, True):
        w = [F(rng.randint(1, 40)) for _ in range(4 if with_x0 else 3)]
        tot = sum(w)
        out.append(WClassState.from_sequence([v / tot for v in w]))
    return out


CERT_STATES = [psi_s(F(1, 3)), psi_s(F(1, 2)), psi_s(F(3, 5))] + _random_states()


@pytest.fixture(scope="module")
def certified():
    return {str(st): (st, ppt_upper_bound(st, certify=True)) for st in CERT_STATES}


@pytest.mark.parametrize("idx", range(len(CERT_STATES)))
def test_certificate_verifies_and_is_tight(certified, idx):
    st = CERT_STATES[idx]
    _, res = certified[str(st)]
    assert res.kind == "certified", res.certification_error
    cert = json.loads(json.dumps(res.certificate))  # what a file holds
    ver = verify_certificate(cert)
    assert ver.valid, ver.reason
    assert ver.bound == res.certified
    assert float(res.certified) >= res.value - 1e-9  # a bound sits above the solver's value
    assert float(res.certified) - res.value <= 1e-6
    lb = sep_lower_bound(st)
    if lb.value is not None:
        assert res.certified >= lb.value


def _tamper(cert, path, fn):
    c = copy.deepcopy(cert)
    d = c
    for k in path[:-1]:
        d = d[k]
    d[path[-1]] = fn(d[path[-1]])
    return c


def test_tampering_is_rejected(certified):
    _, res = certified[str(psi_s(F(3, 5)))]
    cert = res.certificate
    first_pair = next(iter(cert["dual"]["Z"]))
    first_party = next(iter(cert["dual"]["Z"][first_pair]))

    def bump_entry(entries):
        e = [list(x) for x in entries]
        e[0][2] += 10 ** 9
        return e

    def bump_diag_W(entries):
        e = [list(x) for x in entries]
        e[0][2] += 1
        return e

    bad = {
        "dual entry Z": _tamper(cert, ["dual", "Z", first_pair, first_party], bump_entry),
        "dual entry W": _tamper(cert, ["dual", "W", "id"], bump_diag_W),
        "claimed bound": _tamper(cert, ["bound", "exact"], lambda b: str(F(b) - F(1, 10 ** 6))),
        "state": _tamper(cert, ["state", "xA"], lambda v: "7/10"),
        "state not a state": _tamper(cert, ["state", "xA"], lambda v: "3/2"),
        "version": _tamper(cert, ["version"], lambda v: 2),
        "t multiplier": _tamper(cert, ["dual", "t", first_pair], lambda v: "0"),
        "frame": _tamper(cert, ["frame", "beta_sq"], lambda b: ["1/2", "1/4", "1/4"]),
        "float bound": _tamper(cert, ["bound", "float_upper"], lambda v: v - 1e-3),
    }
    for what, c in bad.items():
        ver = verify_certificate(c)
        assert not ver.valid, what
    missing = copy.deepcopy(cert)
    del missing["dual"]
    assert not verify_certificate(missing).valid
    assert "missing field" in verify_certificate(missing).reason


@pytest.mark.parametrize("junk", [None, [], "x", {"format": "sepgap-certificate"},
                                  {"format": "sepgap-certificate", "version": 1, "kind": "ppt_upper_bound"}])
def test_malformed_certificates_never_crash(junk):
    assert not verify_certificate(junk).valid


def test_exact_gap_certificate_at_half_is_one_eighth():
    cert = gap_certificate(psi_s(F(1, 2)))
    assert cert["gap"]["exact"] == "1/8"
    assert F(cert["kappa"]["exact"]) == kappa(psi_s(F(1, 2))) == F(7, 8)
    ok, line = verify_analytic_certificate(json.loads(json.dumps(cert)))
    assert ok, line


def test_lower_bound_certificate_tampered():
    cert = sep_lower_certificate(psi_s(F(2, 5)))
    assert verify_analytic_certificate(cert)[0]
    bad = copy.deepcopy(cert)
    bad["instrument"]["kraus"][0]["factors"][1]["squares"][0] = "1/7"
    assert not verify_analytic_certificate(bad)[0]
    bad = copy.deepcopy(cert)
    bad["instrument"]["kraus"][0]["label"] = "BC"
    assert not verify_analytic_certificate(bad)[0]
    bad = copy.deepcopy(cert)
    del bad["instrument"]["kraus"][-1]
    assert not verify_analytic_certificate(bad)[0]


@pytest.mark.parametrize("M,psd", [
    ([[1, 0], [0, 0]], True), ([[0, 1], [1, 0]], False), ([[F(1, 2), F(1, 2)], [F(1, 2), F(1, 2)]], True),
    ([[1, 2], [2, 4]], True), ([[1, 2], [2, 3]], False), ([[2, -1, 0], [-1, 2, -1], [0, -1, 2]], True),
    ([[1, 1, 1], [1, 1, 1], [1, 1, F(999999, 1000000)]], False), ([[0, 0], [0, -1]], False),
])
def test_exact_psd_table(M, psd):
    assert is_psd_exact(M).psd is psd


def test_verify_cli_imports_no_solver(tmp_path, certified):
    _, res = certified[str(psi_s(F(1, 2)))]
    path = tmp_path / "cert.json"
    path.write_text(json.dumps(res.certificate))
    code = (
        "import sys; from experiments.cli import main; rc = main(['verify', sys.argv[1]]);"
        "bad = [m for m in ('scs', 'cvxpy', 'clarabel') if m in sys.modules];"
        "print('SOLVERS', bad); sys.exit(rc)"
    )
    out = subprocess.run([sys.executable, "-c", code, str(path)], capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    assert out.stdout.startswith("valid: SEP <= ")
    assert "SOLVERS []" in out.stdout


def test_verify_cli_rejects(tmp_path, certified):
    from experiments.cli import main
    _, res = certified[str(psi_s(F(1, 2)))]
    c = copy.deepcopy(res.certificate)
    c["bound"]["exact"] = "1/2"
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(c))
    garbage = tmp_path / "garbage.json"
    garbage.write_text("{not json")
    for p in (bad, garbage, tmp_path / "missing.json"):
        assert main(["verify", str(p)]) == 1


@pytest.mark.parametrize("s", [F(1, 3), F(2, 5), F(1, 2)])
def test_shortcut_trivial_bound_is_certified_and_matches_sdp(s):
    from sdp import sep_upper_bound
    st = psi_s(s)
    short = sep_upper_bound(st)
    assert short.method == "trivial" and short.certified == 1
    assert verify_certificate(json.loads(json.dumps(short.certificate))).valid
    full = sep_upper_bound(st, shortcut=False)
    # the PPT solve certifies within 1e-6 of 1; a certified bound above 1 is capped at 1 exactly
    ppt_certified = [a["certified"] for a in full.attempts if a["certified"] is not None]
    assert full.kind == "certified" and ppt_certified
    assert all(1 <= c <= 1 + 1e-6 for c in ppt_certified)
    assert full.certified == 1 and full.method == ("trivial" if min(ppt_certified) > 1 else "ppt")
    assert verify_certificate(json.loads(json.dumps(full.certificate))).valid
    bad = copy.deepcopy(short.certificate)
    bad["bound"]["exact"] = "99/100"
    assert not verify_certificate(bad).valid


def test_shortcut_not_taken_where_instrument_is_below_one():
    from sdp import sep_upper_bound
    res = sep_upper_bound(psi_s(F(3, 5)))
    assert res.method == "ppt" and res.kind == "certified"
