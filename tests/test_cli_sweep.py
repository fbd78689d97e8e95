"""`sepgap sweep` and `sepgap fig1` on the command line: families, errors, exit statuses."""
import csv
import subprocess
import sys
from fractions import Fraction as F
from pathlib import Path

import pytest

import sdp
from cli_helpers import run_cli  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]




def assert_one_line_error(code, out, err, pattern):
    assert code == 2
    assert out == ""
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("sepgap: error: ")
    assert pattern in lines[0], lines[0]
    assert "Traceback" not in err


@pytest.mark.parametrize("argv, pattern", [
    (["sweep", "foo"], "invalid choice: 'foo'"),
    (["fig1", "--smin", "0.6"], "--smin = 3/5 is larger than --smax = 1/2"),
    (["fig1", "--smax", "2"], "--smax = 2 is outside [0, 1]"),
    (["fig1", "--smin", "-1/10"], "outside [0, 1]"),
    (["fig1", "--points", "0"], "--points must be at least 1"),
    (["fig1", "--points", "1"], "single value"),
    (["fig1", "--smin", "nan"], "not a number"),
    (["fig1", "--points", "x"], "argument --points: not a number: 'x'"),
    (["fig1", "--workers", "0"], "--workers must be an integer >= 1"),
    (["fig1", "--solver", "MOSEK"], "unknown solver"),
    (["fig1", "--solver-option", "max_iters"], "expected KEY=VALUE"),
    (["fig1", "--locc-rounds", "-1"], "--locc-rounds"),
    (["sweep", "psi", "--smin", "0.5", "--smax", "0.4"], "larger than"),
    (["sweep", "simplex", "--steps", "0"], "--steps must be at least 1"),
    (["sweep", "vacuum", "--x0max", "1.5"], "--x0max = 3/2 is outside [0, 1]"),
    (["sweep", "vacuum", "--points", "1"], "single value"),
    (["sweep", "grid", "--x0", "1/2,abc"], "--x0: not a number"),
    (["sweep", "grid", "--steps", "-2"], "--steps"),
    # issue 12, items 6, 8 and 9: sizes, options that did nothing, raw messages
    (["sweep", "simplex", "--steps", "100000"],
     "this simplex sweep (--steps 100000) has 5,000,150,001 points; at most 2,000,000"),
    (["fig1", "--points", "100000000"], "this psi sweep (--points 100000000) has 100,000,000"),
    (["sweep", "grid", "--steps", "1e5"], "this grid sweep (--steps 100000) has"),
    (["sweep", "grid", "--steps", "1000", "--x0", "0,1/2,1/3,1/4"], "this grid sweep"),
    (["sweep", "vacuum", "--points", "1e400"], "this vacuum sweep has more than 10^300 points"),
    (["fig1", "--points", "1" + "0" * 5000], "argument --points: '1000"),
    (["fig1", "--points", "2.5"], "argument --points: not an integer: '2.5'"),
    (["fig1", "--workers", "1e-999999999"], "argument --workers: exponent of '1e-999999999'"),
    (["fig1", "--smin", "1e-" + "9" * 5000], "--smin: "),
    (["fig1", "--smin", "1" * 100000], "(100000 characters) is too long"),
    (["fig1", "--smin", "-inf"], "--smin: not a number: '-inf'"),
    (["fig1", "--smax", "-nan"], "--smax: not a number: '-nan'"),
    (["sweep", "vacuum", "--x0min", "-Infinity"], "--x0min: not a number: '-Infinity'"),
    (["fig1", "--solver", "SCS", "--solver-option", "max_iters=-5"],
     "--solver-option: bad SCS option (max_iters must be positive)"),
    (["fig1", "--solver", "SCS", "--solver-option", "eps_abs=-1"],
     "--solver-option: bad SCS option (eps_abs must be"),
    (["fig1", "--solver-option", "max_itrs=5"], "--solver-option: bad Clarabel option: 'max_itrs'"),
    (["fig1", "--solver-option", "eps_abs=nan"], "--solver-option eps_abs=nan: not a finite number"),
    (["sweep", "psi", "--solver", "clarabel", "--solver-option", "max_iter=-5"],
     "--solver-option: bad CLARABEL option"),
    (["fig1", "--solver-option", "max_iters=" + "9" * 5000], "value of 5000 characters is too long"),
    (["fig1", "--resume", "--fresh"], "argument --fresh: not allowed with argument --resume"),
])
def test_bad_input_one_line_exit_2(argv, pattern, tmp_path):
    code, out, err = run_cli(argv + ["--out", str(tmp_path / "o")])
    assert_one_line_error(code, out, err, pattern)
    assert len(err) < 400  # never a 100,000-digit number echoed whole
    assert not (tmp_path / "o").exists() or not any((tmp_path / "o").iterdir())


@pytest.mark.parametrize("argv", [["fig1", "--out", ""], ["sweep", "simplex", "--out", ""],
                                  ["sweep", "psi", "--out", " "]])
def test_empty_out_is_refused(argv):
    """--out '' used to write into the current directory (or the default one)."""
    code, out, err = run_cli(argv)
    assert_one_line_error(code, out, err, "--out: empty path")


def test_unwritable_or_uncreatable_output_directory(tmp_path):
    blocker = tmp_path / "a_file"
    blocker.write_text("x")
    code, out, err = run_cli(["fig1", "--points", "1", "--smin", "1/2", "--out", str(blocker / "d")])
    assert_one_line_error(code, out, err, "cannot create output directory")
    code, out, err = run_cli(["sweep", "simplex", "--steps", "1", "--out", str(blocker)])
    assert_one_line_error(code, out, err, "a file of that name exists")


def test_real_entry_point_error_has_no_traceback(tmp_path):
    proc = subprocess.run([sys.executable, "-m", "experiments.cli", "sweep", "psi", "--smax", "7",
                           "--out", str(tmp_path)], capture_output=True, text=True, cwd=ROOT)
    assert proc.returncode == 2
    assert proc.stderr == "sepgap: error: --smax = 7 is outside [0, 1]\n"


def test_simplex_finds_one_eighth_at_permutations(tmp_path):
    code, out, err = run_cli(["sweep", "simplex", "--steps", "4", "--out", str(tmp_path)])
    assert code == 0, err
    assert out.startswith("max certified SEP-LOCC gap 0.125 at x = (1/2, 1/4, 1/4), "
                          "(1/4, 1/2, 1/4), (1/4, 1/4, 1/2) (")
    assert "15 points, all certified" in out
    with open(tmp_path / "simplex.csv", newline="") as f:
        rows = list(csv.DictReader(f))
    best = max(F(r["gap_certified_exact"]) for r in rows)
    assert best == F(1, 8)
    at = sorted(tuple(r[k] for k in ("xA_exact", "xB_exact", "xC_exact")) for r in rows
                if F(r["gap_certified_exact"]) == best)
    assert at == sorted({("1/2", "1/4", "1/4"), ("1/4", "1/2", "1/4"), ("1/4", "1/4", "1/2")})
    for ext in ("png", "pdf", "json"):
        assert (tmp_path / f"simplex.{ext}").stat().st_size > 0
    # per-pair columns: the instrument's exact values sum to sep_lower; the solver's per-pair
    # values (relabelled across each orbit) vanish on every pair with a party in |0> (a PPT
    # instrument cannot entangle a product party) and sum to the solver's value
    for r in rows:
        lo = [F(r[f"sep_lower_p_{p}_exact"]) for p in ("AB", "AC", "BC")]
        assert sum(lo) == F(r["sep_lower_exact"])
        if r["sep_upper_method"] != "ppt":
            assert r["sep_upper_p_AB"] == r["sep_upper_p_AC"] == r["sep_upper_p_BC"] == ""
            continue
        up = {p: float(r[f"sep_upper_p_{p}"]) for p in ("AB", "AC", "BC")}
        assert sum(up.values()) == pytest.approx(float(r["sep_upper_numerical"]), abs=1e-6)
        for party, x in zip("ABC", (r["xA_exact"], r["xB_exact"], r["xC_exact"])):
            if x == "0":
                assert all(abs(v) < 1e-6 for p, v in up.items() if party in p), (r["id"], up)
    big = [r for r in rows if (r["xA_exact"], r["xB_exact"], r["xC_exact"]) == ("3/4", "1/4", "0")]
    assert [(r["sep_lower_p_AB_exact"], r["sep_lower_p_AC_exact"]) for r in big] == [("1/2", "0")]


def test_strict_exit_status_when_not_certified(tmp_path, monkeypatch):
    real = sdp.sep_upper_bound

    def fake(state, **kw):
        res = real(state, **kw)
        res.certified, res.certificate, res.certification_error = None, None, "simulated"
        return res
    monkeypatch.setattr(sdp, "sep_upper_bound", fake)
    argv = ["sweep", "psi", "--smin", "1/2", "--smax", "1/2", "--points", "1", "--no-locc",
            "--out", str(tmp_path)]
    code, out, err = run_cli(argv)
    assert code == 0 and "WARNING: 1 of 1 have NO certified SEP upper bound" in out
    assert "sepgap: WARNING: 1 of 1 points have NO certified SEP upper bound" in err
    code, _, _ = run_cli(argv + ["--strict", "--fresh"])
    assert code == 1


def test_grid_slices_and_vacuum_small(tmp_path):
    """x0 > 0 points: no SEP lower bound, PPT bound against kappa; here (x0 = 1/2, 1/2, 0, 0)
    and |000> are product states."""
    code, out, err = run_cli(["sweep", "grid", "--steps", "1", "--x0", "1/2", "--sorted",
                              "--out", str(tmp_path)])
    assert code == 0, err
    with open(tmp_path / "grid.csv", newline="") as f:
        rows = list(csv.DictReader(f))
    assert [(r["x0_exact"], r["xA_exact"]) for r in rows] == [("1/2", "1/2")]
    assert rows[0]["kappa_exact"] == "0" and rows[0]["sep_upper_kind"] == "certified"
    assert "1 points, all certified" in out


@pytest.mark.slow
def test_vacuum_family_kappa_exceeds(tmp_path):
    code, out, err = run_cli(["sweep", "vacuum", "--points", "3", "--out", str(tmp_path),
                              "--lower", "tree"])
    assert code == 0, err
    assert "kappa exceeds the certified SEP upper bound at 1 of 3 points (x0 = 1/2)" in out
