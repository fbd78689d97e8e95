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
from experiments.cmd_verify import verify_any
from analytics.lower import sep_lower_bound
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


# ---- issue 12: every verified claim says exactly what it proves -------------------------------

def _cli(tmp_path, *args, timeout=120):
    return subprocess.run([sys.executable, "-m", "experiments.cli", *map(str, args)],
                          capture_output=True, text=True, timeout=timeout)


def test_weighted_certificate_names_the_weights_not_sep(tmp_path):
    """Item 1: weights 1/2 on psi_s(1/2) prove p_AB/2 + p_AC/2 + p_BC/2 <= 1/2 + eps; SEP is 1."""
    res = ppt_upper_bound(psi_s(F(1, 2)), weights=(F(1, 2),) * 3, certify=True)
    cert = json.loads(json.dumps(res.certificate))
    assert cert["claim"] == f"p_AB/2 + p_AC/2 + p_BC/2 <= {cert['bound']['exact']}"
    ver = verify_certificate(cert)
    assert ver.valid and not ver.claim.is_sep
    assert ver.line().startswith("valid: p_AB/2 + p_AC/2 + p_BC/2 <= 0.5000000")
    assert "SEP <=" not in ver.line() and "weights 1/2,1/2,1/2" in ver.line()
    path = tmp_path / "w.json"
    path.write_text(json.dumps(cert))
    out = _cli(tmp_path, "verify", path)
    assert out.returncode == 0 and out.stdout.startswith("valid: p_AB/2 + p_AC/2 + p_BC/2 <= ")
    # the same dual data claimed as a bound on SEP is refused
    bad = copy.deepcopy(cert)
    bad["claim"] = "SEP <= " + cert["bound"]["exact"]
    ver = verify_certificate(bad)
    assert not ver.valid and "is not what the certificate proves" in ver.reason


def test_pairs_subset_from_the_cli_prints_p_AB(tmp_path):
    f = tmp_path / "ab.json"
    out = _cli(tmp_path, "bound", "1/3", "1/3", "1/3", "--pairs", "AB", "--save-cert", f)
    assert out.returncode == 0, out.stderr
    assert "PPT upper   p_AB <= 0.6666666" in out.stdout
    out = _cli(tmp_path, "verify", f)
    assert out.returncode == 0 and out.stdout.startswith("valid: p_AB <= 0.6666666"), out.stdout
    assert "SEP" not in out.stdout


def test_zero_weights_and_empty_dual_prove_nothing(certified):
    _, res = certified[str(psi_s(F(3, 5)))]
    c = copy.deepcopy(res.certificate)
    c["relaxation"]["weights"] = ["0", "0", "0"]
    c["dual"] = {"denominator": 1, "W": {}, "Z": {}, "t": {}}
    c["bound"] = {"exact": "0", "float_upper": 0.0}
    ver = verify_certificate(c)
    assert not ver.valid and "all 0" in ver.reason


def test_fidelity_claim_is_not_sep(certified):
    res = ppt_upper_bound(psi_s(F(3, 5)), objective="fidelity", certify=True)
    ver = verify_certificate(json.loads(json.dumps(res.certificate)))
    assert ver.valid and ver.line().startswith("valid: F_AB + F_AC + F_BC <= ")


def test_lower_bound_claim_names_the_pairs():
    cert = sep_lower_certificate(psi_s(F(1, 2)))
    assert cert["claim"] == "SEP >= 1 (instrument succeeds on AB, AC)"
    ok, line = verify_analytic_certificate(cert)
    assert ok and line.startswith("valid: SEP >= 1.00000000 (instrument succeeds on AB, AC) for x = ")
    bad = copy.deepcopy(cert)
    bad["claim"] = "SEP >= 1 (instrument succeeds on AB, AC, BC)"
    assert not verify_analytic_certificate(bad)[0]


@pytest.mark.parametrize("make", [sep_lower_certificate, gap_certificate])
def test_analytic_float_fields_are_checked(make):
    """Item 2: bound.float_lower / gap.float_lower must be the exact value rounded down."""
    cert = make(psi_s(F(1, 2)))
    key = "bound" if cert["kind"] == "sep_lower_bound" else "gap"
    assert verify_analytic_certificate(cert)[0]
    for bad_value in (F(cert[key]["exact"]) + F(1, 10 ** 9), 1.000000001, "0.125", None, True):
        bad = copy.deepcopy(cert)
        bad[key]["float_lower"] = float(bad_value) if isinstance(bad_value, F) else bad_value
        assert not verify_analytic_certificate(bad)[0], bad_value
    bad = copy.deepcopy(cert)
    del bad[key]["float_lower"]
    assert not verify_analytic_certificate(bad)[0]


def test_ppt_float_upper_is_required_and_exact(certified):
    _, res = certified[str(psi_s(F(3, 5)))]
    for v in (None, "x", True, res.certificate["bound"]["float_upper"] + 1e-3):
        bad = copy.deepcopy(res.certificate)
        bad["bound"]["float_upper"] = v
        assert not verify_certificate(bad).valid, v
    bad = copy.deepcopy(res.certificate)
    del bad["bound"]["float_upper"]
    assert not verify_certificate(bad).valid


@pytest.mark.parametrize("version", [1.0, True, "1", 2, None])
def test_version_must_be_the_integer_one(certified, version):
    _, res = certified[str(psi_s(F(3, 5)))]
    for cert in (res.certificate, sep_lower_certificate(psi_s(F(1, 2))), gap_certificate(psi_s(F(1, 2)))):
        bad = copy.deepcopy(cert)
        bad["version"] = version
        ok, line = verify_any(bad)
        assert not ok and "version" in line


def test_fields_a_reader_could_take_as_the_claim_are_checked(certified):
    _, res = certified[str(psi_s(F(3, 5)))]
    cert = res.certificate
    edits = {
        "extra top-level number": lambda c: c.update(sep_upper=0.3),
        "extra bound field": lambda c: c["bound"].update(float_lower=0.1),
        "pairs out of order": lambda c: c["relaxation"].update(pairs=["BC", "AB", "AC"]),
        "weights": lambda c: c["relaxation"].update(weights=["1", "1", "2"]),
        "objective": lambda c: c["relaxation"].update(objective="fidelity"),
        "relaxation name": lambda c: c["relaxation"].update(name="sep"),
        "claim": lambda c: c.update(claim=c["claim"] + " "),
    }
    for what, edit in edits.items():
        bad = copy.deepcopy(cert)
        edit(bad)
        assert not verify_certificate(bad).valid, what
    gap = gap_certificate(psi_s(F(1, 2)))
    for what, edit in {"kappa": lambda c: c["kappa"].update(exact="3/4"),
                       "extra kappa field": lambda c: c["kappa"].update(float=0.875),
                       "nested claim": lambda c: c["sep_lower"].update(claim="SEP >= 1"),
                       "gap claim": lambda c: c.update(claim="SEP - LOCC_sup >= 1/8")}.items():
        bad = copy.deepcopy(gap)
        edit(bad)
        assert not verify_analytic_certificate(bad)[0], what
    # free fields: provenance and the instrument's labels for people
    ok = copy.deepcopy(cert)
    ok["provenance"] = {"note": "anything"}
    assert verify_certificate(ok).valid


def test_printed_decimals_are_rounded_outward():
    """Item 2: 1/15 prints >= 0.06666666 (not ...67); 0.40000020314 prints <= 0.40000021."""
    from analytics.claims import ppt_claim
    from sdp.certificate import VerificationResult
    cert = gap_certificate(WClassState(F(3, 5), F(1, 5), F(1, 5)))
    assert cert["gap"]["exact"] == "1/15"
    ok, line = verify_analytic_certificate(cert)
    assert ok and line.startswith("valid: SEP - LOCC_sup >= 0.06666666 (")
    q = F("0.40000020314")
    res = VerificationResult(True, q, "", "x", "ppt/exact", {}, ppt_claim(("AB", "AC", "BC"), (1, 1, 1), q))
    assert res.line().startswith("valid: SEP <= 0.40000021 for x = x")


def test_bound_cli_prints_outward(tmp_path):
    out = _cli(tmp_path, "bound", "3/5", "1/5", "1/5", "--no-sdp")
    assert out.returncode == 0
    assert "gap         1/15  (>= 0.066666666666)" in out.stdout
    assert "kappa       11/15  (<= 0.733333333334)" in out.stdout


def test_deeply_nested_json_is_one_line(tmp_path):
    """Item 5: '[' * 100000 is RecursionError territory: one line, exit 1, no traceback."""
    p = tmp_path / "deep.json"
    p.write_text("[" * 100000 + "]" * 100000)
    out = _cli(tmp_path, "verify", p)
    assert out.returncode == 1 and "Traceback" not in out.stderr
    assert out.stderr.count("\n") == 1 and "nested too deeply" in out.stderr


@pytest.mark.parametrize("field", ["xA", "x0"])
def test_absurd_exact_number_in_a_certificate_is_refused_quickly(tmp_path, field):
    """Item 6: "3e-999999999" would take minutes to parse exactly; refused in one line."""
    for cert in (sep_lower_certificate(psi_s(F(1, 2))), gap_certificate(psi_s(F(1, 2))),
                 ppt_upper_bound(psi_s(F(1, 2)), certify=True).certificate):
        c = copy.deepcopy(cert)
        c["state"][field] = "3e-999999999"
        p = tmp_path / f"{cert['kind']}.json"
        p.write_text(json.dumps(c))
        out = _cli(tmp_path, "verify", p, timeout=60)
        assert out.returncode == 1 and f"state.{field}" in out.stderr and "exponent" in out.stderr
    c = copy.deepcopy(sep_lower_certificate(psi_s(F(1, 2))))
    c["bound"]["exact"] = "1/" + "7" * 5000
    ok, line = verify_analytic_certificate(c)
    assert not ok and "too long" in line and "7" * 100 not in line


def test_verify_a_folder(tmp_path, certified):
    """Item 9: a folder is verified (every *.json and certificates/*.json), not 'no such file'."""
    from experiments.cli import main
    _, res = certified[str(psi_s(F(3, 5)))]
    (tmp_path / "certificates").mkdir()
    (tmp_path / "a.json").write_text(json.dumps(res.certificate))
    (tmp_path / "certificates" / "b.json").write_text(json.dumps(gap_certificate(psi_s(F(1, 2)))))
    out = _cli(tmp_path, "verify", tmp_path)
    assert out.returncode == 0, out.stderr
    lines = out.stdout.strip().splitlines()
    assert len(lines) == 3 and lines[-1] == "verified 2 items: all valid"
    assert "a.json: valid: SEP <= 0.8000000" in lines[0] and "b.json: valid: SEP - LOCC_sup >= 0.125" in lines[1]
    (tmp_path / "certificates" / "c.json").write_text("{}")
    assert main(["verify", str(tmp_path)]) == 1
    empty = tmp_path / "empty"
    empty.mkdir()
    out = _cli(tmp_path, "verify", empty)
    assert out.returncode == 1 and "no such certificate file" not in out.stderr
    assert "no *.json certificate or sweep in this folder" in out.stderr


def test_verify_registry_is_the_single_dispatcher():
    from experiments import cmd_verify
    assert set(cmd_verify.VERIFIERS) == {"ppt_upper_bound", "sep_lower_bound", "sep_lower_bound:lp",
                                         "sep_lower_bound:lp_general",
                                         "sep_locc_gap", "ppt_upper_bound_complex",
                                         "locc_sup_lower_bound", "locc_lower_bound_general",
                                         "sep_upper_product"}
    ok, line = verify_any({"format": "sepgap-certificate", "version": 1, "kind": "sep_lower_tree"})
    assert not ok and "unknown certificate kind 'sep_lower_tree'" in line
    seen = []
    cmd_verify.VERIFIERS["test_kind"] = lambda c: seen.append(c) or cmd_verify.Rejected("test kind")
    try:
        assert verify_any({"kind": "test_kind"}) == (False, "invalid: test kind") and seen
    finally:
        del cmd_verify.VERIFIERS["test_kind"]


# ---- sweeps: every certificate, and the table values checked against them ---------------------

@pytest.fixture(scope="module")
def sweep_dir(tmp_path_factory):
    from experiments.families import simplex_family
    from experiments.sweep import run_sweep
    out = tmp_path_factory.mktemp("sweep")
    run_sweep(simplex_family(4), out, name="sx", quiet=True, locc_rounds=None, plot=False)
    return out


def _copy_sweep(src, dst):
    import shutil
    shutil.copytree(src, dst)
    return dst


def test_verify_sweep_json_and_folder(sweep_dir, tmp_path):
    out = _cli(tmp_path, "verify", sweep_dir / "sx.json")
    assert out.returncode == 0, out.stderr
    lines = out.stdout.strip().splitlines()
    assert sum(": valid: SEP <= " in ln for ln in lines) == 15
    assert f"{sweep_dir / 'sx.json'}: all 15 rows agree" in out.stdout
    assert f"{sweep_dir / 'sx.csv'}: all 15 rows agree" in out.stdout
    out = _cli(tmp_path, "verify", sweep_dir)
    assert out.returncode == 0 and out.stdout.strip().endswith("all valid")


@pytest.mark.parametrize("column, value", [
    ("sep_upper_certified_exact", "1/2"), ("kappa_exact", "9/10"), ("sep_lower_exact", "4/5"),
    ("gap_certified_exact", "1/2"), ("gap_certified", 0.9), ("sep_upper_certified", 0.4),
    ("sep_upper", 0.3), ("sep_upper", None), ("kappa_exceeds_sep_upper", True),
    ("gap_lower_exact", "1/2"), ("gap_lower", 0.9), ("locc_upper", 0.1), ("gap_upper_exact", "0"),
    ("locc_sup_lower_exact", "1/10"),
])
def test_edited_sweep_row_is_a_mismatch(sweep_dir, tmp_path, column, value):
    d = _copy_sweep(sweep_dir, tmp_path / "s")
    doc = json.loads((d / "sx.json").read_text())
    row = doc["rows"][9]
    row[column] = value
    (d / "sx.json").write_text(json.dumps(doc))
    out = _cli(tmp_path, "verify", d / "sx.json")
    assert out.returncode == 1
    assert f"{row['id']}: MISMATCH: " in out.stderr and column in out.stderr
    assert "1 of 15 rows disagree" in out.stderr


def test_edited_csv_and_certificate_files_are_caught(sweep_dir, tmp_path):
    import csv as _csv
    d = _copy_sweep(sweep_dir, tmp_path / "s")
    with open(d / "sx.csv", newline="") as f:
        rows = list(_csv.DictReader(f))
    rows[3]["kappa_exact"] = "1/3"
    with open(d / "sx.csv", "w", newline="") as f:
        w = _csv.DictWriter(f, fieldnames=list(rows[0]))
        w.writeheader()
        w.writerows(rows)
    out = _cli(tmp_path, "verify", d / "sx.json")
    assert out.returncode == 1 and f"sx.csv {rows[3]['id']}: MISMATCH: kappa_exact" in out.stderr
    d2 = _copy_sweep(sweep_dir, tmp_path / "s2")
    cf = d2 / "certificates" / "sx-0004.json"
    c = json.loads(cf.read_text())
    c["bound"]["exact"] = "1/2"
    cf.write_text(json.dumps(c))
    out = _cli(tmp_path, "verify", d2)
    assert out.returncode == 1 and "sx-0004.json: invalid" in out.stderr


@pytest.mark.parametrize("doc", [
    {"rows": [[1], {"id": [1]}, {}, {"id": "a", "x0_exact": "0", "xA_exact": "1", "xB_exact": "0",
                                     "xC_exact": "0", "kappa_exact": [1], "sep_upper": "x"}],
     "certificates": {"a": 5, "b": {"kind": "sep_lower_bound"}}},
    {"rows": 5, "certificates": []},
    {"rows": [{"id": "x", "x0_exact": "1e-999999999"}], "certificates": {}},
])
def test_malformed_sweep_files_are_one_line_per_item(tmp_path, doc):
    p = tmp_path / "junk.json"
    p.write_text(json.dumps(doc))
    out = _cli(tmp_path, "verify", p)
    assert out.returncode == 1 and "Traceback" not in out.stderr
    assert out.stderr.strip().splitlines()[-1].startswith("verified ")


def test_old_claim_wording_is_refused_with_a_hint(certified):
    _, res = certified[str(psi_s(F(3, 5)))]
    old = copy.deepcopy(res.certificate)
    old["claim"] = "optimal SEP (indeed PPT) success probability <= bound.exact"
    ver = verify_certificate(old)
    assert not ver.valid and "write it again" in ver.reason
