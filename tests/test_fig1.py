"""`sepgap fig1`: a small run produces the four files, the columns, exact 1/8 and valid certificates."""
import csv
import json
from fractions import Fraction as F

import pytest

import sdp
from cli_helpers import run_cli  # noqa: E402

REQUIRED = ["s", "kappa", "sep_lower", "sep_lower_kind", "sep_upper", "sep_upper_status",
            "sep_upper_certified", "gap_certified", "x0", "xA", "xB", "xC", "sep_upper_kind",
            "sep_upper_numerical", "solve_time", "certify_time", "locc_lower", "kappa_exact",
            "sep_lower_exact", "sep_upper_certified_exact", "gap_certified_exact",
            "kappa_exceeds_sep_upper"]




@pytest.fixture(scope="module")
def fig1(tmp_path_factory):
    d = tmp_path_factory.mktemp("fig1")
    code, out, err = run_cli(["fig1", "--points", "3", "--out", str(d), "--quiet"])
    with open(d / "fig1.csv", newline="") as f:
        rows = list(csv.DictReader(f))
    doc = json.loads((d / "fig1.json").read_text())
    return d, code, out, err, rows, doc


def test_exit_status_and_summary_line(fig1):
    _, code, out, err, _, _ = fig1
    assert code == 0, err
    lines = out.splitlines()
    assert len(lines) == 1
    assert lines[0].startswith("max certified SEP-LOCC gap 0.125 at s = 1/2 (")
    assert lines[0].endswith("3 points, all certified)")
    assert err == ""


def test_four_files_and_certificates_dir(fig1):
    d = fig1[0]
    assert (d / "fig1.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert (d / "fig1.pdf").read_bytes()[:5] == b"%PDF-"
    assert sorted(p.name for p in (d / "certificates").iterdir()) == [
        "fig1-0000.json", "fig1-0001.json", "fig1-0002.json"]
    assert not [p for p in d.iterdir() if p.name.endswith(".tmp")]


def test_csv_columns_and_values(fig1):
    rows = fig1[4]
    assert set(REQUIRED) <= set(rows[0])
    assert [r["s_exact"] for r in rows] == ["1/3", "5/12", "1/2"]
    last = rows[-1]
    assert last["gap_certified_exact"] == "1/8" and float(last["gap_certified"]) == 0.125
    assert last["kappa_exact"] == "7/8" and last["sep_lower_kind"] == "eq7"
    gaps = [F(r["gap_certified_exact"]) for r in rows]
    assert max(gaps) == F(1, 8) and gaps.index(max(gaps)) == 2
    for r in rows:
        assert r["sep_upper_kind"] == "certified"
        # the default shortcut: Eq. (7) reaches 1 on [1/3, 1/2], so the exact bound 1 is used
        assert (r["sep_upper_method"], r["sep_upper_status"]) == ("trivial", "analytic")
        assert r["sep_upper"] == r["sep_upper_certified"]
        k, lo, up = (F(r[c]) for c in ("kappa_exact", "sep_lower_exact",
                                       "sep_upper_certified_exact"))
        assert k <= lo <= up < lo + F(1, 10**6)
        assert float(r["sep_upper_certified"]) >= up  # float column rounded up
        assert r["kappa_exceeds_sep_upper"] == "False"
        assert float(r["locc_lower"]) <= float(r["kappa"])
        for c in ("s", "kappa", "sep_lower", "sep_upper", "solve_time"):
            float(r[c])


def test_csv_loads_into_pandas(fig1):
    pd = pytest.importorskip("pandas")
    df = pd.read_csv(fig1[0] / "fig1.csv")
    assert df["gap_certified"].dtype.kind == "f" and df["sep_upper_certified"].dtype.kind == "f"
    assert df["gap_certified"].max() == 0.125


def test_json_rows_provenance_and_certificates(fig1):
    d, _, _, _, rows, doc = fig1
    assert [r["id"] for r in doc["rows"]] == [r["id"] for r in rows]
    prov = doc["provenance"]
    for key in ("sepgap", "solver", "solver_version", "solver_options", "date", "command",
                "locc_rounds"):
        assert key in prov
    assert prov["solver"] == "CLARABEL"
    assert prov["command"].startswith("sepgap fig1 --points 3 --smin 1/3 --smax 1/2 --out ")
    assert doc["summary"]["max_gap_certified"]["exact"] == "1/8"
    assert set(doc["certificates"]) == {r["id"] for r in rows}
    for r in doc["rows"]:
        cert = doc["certificates"][r["id"]]
        res = sdp.verify_certificate(cert)
        assert res.valid, res.reason
        assert str(res.bound) == r["sep_upper_certified_exact"]
        on_disk = sdp.verify_file(d / r["certificate_file"])
        assert on_disk.valid and on_disk.bound == res.bound


def test_resume_rewrites_identical_tables(fig1, tmp_path):
    d, _, _, _, rows, _ = fig1
    (tmp_path / "fig1.partial.jsonl").write_bytes((d / "fig1.partial.jsonl").read_bytes())
    code, out, _ = run_cli(["fig1", "--points", "3", "--out", str(tmp_path), "--resume"])
    assert code == 0 and "all certified" in out
    assert (tmp_path / "fig1.csv").read_text() == (d / "fig1.csv").read_text()


@pytest.mark.slow
def test_extended_range(tmp_path):
    code, out, err = run_cli(["fig1", "--extended", "--points", "3", "--out", str(tmp_path)])
    assert code == 0, err
    with open(tmp_path / "fig1.csv", newline="") as f:
        rows = list(csv.DictReader(f))
    assert [r["s_exact"] for r in rows] == ["1/3", "397/600", "99/100"]
    assert rows[2]["sep_lower_kind"] == "large_component"
    assert F(rows[2]["sep_lower_exact"]) == F(1, 50)


@pytest.mark.slow
def test_a_grid_that_skips_the_papers_point_says_so(tmp_path):
    """Issue 16 item 7: s = 1/2 is a sample by default; a grid that skips it is named on stderr."""
    from tests.cli_helpers import run_cli
    code, out, err = run_cli(["fig1", "--extended", "--points", "5", "--out", str(tmp_path / "a")])
    assert code == 0 and "s = 1/2 (the paper's point" in err
    code, out, err = run_cli(["fig1", "--points", "7", "--out", str(tmp_path / "b")])
    assert code == 0 and "the paper's point" not in err
