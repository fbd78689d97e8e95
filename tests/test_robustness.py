"""``sepgap robustness``: psi_s mixed with vacuum, the brackets against x0, files and resume."""
import csv
import json
from fractions import Fraction as F

import pytest

from experiments.cli import main
from experiments.cmd_robustness import gap_end
from experiments.families import FamilyError, log_grid, robustness_family
from sdp import verify_certificate

COLUMNS = ("x0", "s", "sep_lower", "sep_upper", "locc_lower", "locc_sup_lower", "locc_upper",
           "gap_lower", "gap_upper")


def test_log_grid_is_exact_and_increasing():
    g = log_grid(F(1, 10 ** 4), F(1, 10), 7)
    assert g[0] == F(1, 10 ** 4) and g[-1] == F(1, 10)
    assert all(a < b for a, b in zip(g, g[1:]))
    assert all(isinstance(v, F) for v in g)


def test_family_states_are_psi_s_mixed_with_vacuum():
    fam = robustness_family(F(1, 2), F(1, 1000), F(1, 10), 3)
    for p in fam.points:
        st = p.state
        assert st.x0 + st.xA + st.xB + st.xC == 1
        assert st.xA / (1 - st.x0) == F(1, 2) and st.xB == st.xC


@pytest.mark.parametrize("kw", [dict(x0min=0), dict(x0min=F(1, 10), x0max=F(1, 100)),
                                dict(s=F(1, 5)), dict(points=1)])
def test_bad_family_arguments(kw):
    with pytest.raises(FamilyError):
        robustness_family(**kw)


def test_robustness_end_to_end(tmp_path, capsys):
    out = tmp_path / "rob"
    rc = main(["robustness", "--points", "3", "--x0min", "1e-4", "--x0max", "1/10", "--out", str(out),
               "--lower", "tree"])
    text = capsys.readouterr().out
    assert rc == 0 and "s = 1/2:" in text and "3 points, all certified" in text
    for f in ("robustness.csv", "robustness.json", "robustness.png", "robustness.pdf"):
        assert (out / f).exists()
    rows = list(csv.DictReader(open(out / "robustness.csv")))
    assert all(c in rows[0] for c in COLUMNS)
    doc = json.loads((out / "robustness.json").read_text())
    for r in doc["rows"]:
        # SEP in [sep_lower, sep_upper], LOCC in [locc_lower, locc_upper], exact relations
        assert F(r["sep_lower_exact"]) <= F(r["sep_upper_certified_exact"])
        assert r["locc_lower"] <= float(F(r["locc_sup_lower_exact"])) + 1e-12
        assert F(r["locc_sup_lower_exact"]) <= F(r["locc_upper_exact"]) <= F(r["kappa_exact"])
        assert F(r["gap_lower_exact"]) == F(r["sep_lower_exact"]) - F(r["locc_upper_exact"])
        assert F(r["gap_upper_exact"]) == F(r["sep_upper_certified_exact"]) - F(r["locc_sup_lower_exact"])
        assert F(r["gap_lower_exact"]) <= F(r["gap_upper_exact"])
        assert verify_certificate(doc["certificates"][r["id"]]).valid
    # near the plane the paper's gap survives (x0 = 1e-4: certified gap > 0.1), at 1/10 it is gone
    near, far = doc["rows"][0], doc["rows"][-1]
    assert near["gap_lower"] > 0.1 and far["gap_lower"] < 0
    assert "certified gap ends between x0 = 1/10000" not in text
    # a rerun resumes or refuses; --resume recomputes nothing
    rc = main(["robustness", "--points", "3", "--x0min", "1e-4", "--x0max", "1/10", "--out", str(out),
               "--lower", "tree", "--resume"])
    assert rc == 0


def test_gap_end_text():
    rows = [{"x0_exact": "1/1000", "gap_lower": 0.1}, {"x0_exact": "1/100", "gap_lower": -0.01}]
    assert "between x0 = 1/1000" in gap_end(rows) and "1/100" in gap_end(rows)
    assert "no certified gap" in gap_end([{"x0_exact": "1/10", "gap_lower": -0.1}])


@pytest.mark.parametrize("argv, msg", [
    (["robustness", "--x0min", "0"], "0 < --x0min < --x0max"),
    (["robustness", "--s", "1/5"], "outside [1/3, 1)"),
    (["robustness", "--points", "1"], "--points"),
    (["robustness", "--x0max", "nan"], "not a number"),
])
def test_bad_input_one_line(tmp_path, capsys, argv, msg):
    rc = main(argv + ["--out", str(tmp_path / "x")])
    err = capsys.readouterr().err
    assert rc == 2 and msg in err and len(err.strip().splitlines()) == 1


def test_tree_certificate_from_the_cli_verifies_and_tampering_is_caught(tmp_path, capsys):
    f = tmp_path / "gap.json"
    assert main(["bound", "3/10", "3/10", "3/10", "--x0", "1/10", "--no-sdp", "--lower", "tree",
                 "--save-lower-cert", str(f)]) == 0
    capsys.readouterr()
    assert main(["verify", str(f)]) == 0
    out = capsys.readouterr().out
    # the gap sep_lower - kappa is negative here: the lower-bound certificate is written, never
    # a vacuous gap certificate (issue 16, item 6)
    assert "valid:" in out and "SEP >=" in out and "SEP - LOCC_sup" not in out
    cert = json.loads(f.read_text())
    lower = cert
    assert lower["instrument"]["kind"] == "tree" and lower["arithmetic"] == "exact-rational"
    assert F(lower["bound"]["exact"]) > F(618, 1000)  # beats the two-step exploration's 0.618
    root = lower["instrument"]["root"]
    root["outcomes"][0]["c"] = str(F(root["outcomes"][0]["c"]) + F(1, 10 ** 6))
    f.write_text(json.dumps(cert))
    assert main(["verify", str(f)]) == 1
    assert "invalid" in capsys.readouterr().err
