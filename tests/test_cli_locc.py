"""`sepgap locc`: output, JSON keys, plot, and one-line errors with exit status 2."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from analytics.monotones import kappa_psi
from experiments.cli import main

ROOT = Path(__file__).resolve().parents[1]


def run(capsys, *argv):
    code = main(["locc", *argv])
    out, err = capsys.readouterr()
    return code, out, err


def test_text_output_psi_half(capsys):
    code, out, err = run(capsys, "1/2", "1/4", "1/4", "--rounds", "500")
    assert code == 0 and err == ""
    assert "locc_lower" in out and "kappa" in out and "distance" in out
    assert "7/8" in out


def test_json_keys_and_values(capsys):
    code, out, _ = run(capsys, "0.5", "0.25", "0.25", "--rounds", "1000", "--json")
    assert code == 0
    d = json.loads(out)
    for key in ("locc_lower", "kappa", "rounds", "p_AB", "p_AC", "p_BC", "gap", "protocol"):
        assert key in d
    assert d["protocol"] == "theorem2" and d["rounds"] == 1000
    assert d["kappa"] == pytest.approx(float(kappa_psi(0.5)))
    assert 0 < d["kappa"] - d["locc_lower"] < 1e-3
    assert d["p_AB"] + d["p_AC"] + d["p_BC"] == pytest.approx(d["locc_lower"], abs=1e-15)


def test_two_qubit_state_is_exact(capsys):
    code, out, _ = run(capsys, "3/5", "2/5", "0", "--json")
    d = json.loads(out)
    assert code == 0 and d["locc_lower"] == d["kappa"] == 0.8 and d["gap"] == 0


def test_x0_positive_reports_lower_bound_with_label(capsys):
    code, out, _ = run(capsys, "0.3", "0.3", "0.3")
    assert code == 0
    assert "measurement tree (tree+theorem2)" in out and "not known to be optimal" in out
    code, out, _ = run(capsys, "1/4", "1/4", "1/4", "--x0", "1/4", "--json")
    d = json.loads(out)
    assert d["protocol"] == "tree+theorem2" and d["locc_lower"] <= d["kappa"]
    # better than the old projective-measurement-plus-Vidal protocol (0.4708 at x0 = 1/10, 3/10 x3)
    code, out, _ = run(capsys, "3/10", "3/10", "3/10", "--x0", "1/10", "--json")
    assert json.loads(out)["locc_lower"] > 0.588


@pytest.mark.parametrize("argv, needle", [
    (["abc", "0", "0"], "XA: not a number: 'abc'"),
    (["0.5", "0.6", "0"], "exceeds 1"),
    (["-1/2", "1/4", "1/4"], "xA = -1/2 is negative"),
    (["1/2", "1/4", "1/4", "--x0", "1/10"], "must equal 1"),
    (["1/2", "1/4", "1/4", "--rounds", "-3"], "rounds = -3 is negative"),
    (["1/2", "1/4", "1/4", "--rounds", "ten"], "argument --rounds: not a number: 'ten'"),
    (["1/2", "1/4", "1/4", "--rounds", "2.5"], "argument --rounds: not an integer: '2.5'"),
    (["nan", "0", "0"], "XA"),
    (["1/2", "1/4"], "error"),
])
def test_bad_input_one_line_exit_2(capsys, argv, needle):
    try:
        code = main(["locc", *argv])
    except SystemExit as exc:  # argparse usage errors exit from the parser
        code = exc.code
    out, err = capsys.readouterr()
    assert code == 2
    assert err.count("\n") == 1 and err.startswith("sepgap: error:")
    assert needle in err
    assert "Traceback" not in err and out == ""


def test_plot_writes_png(capsys, tmp_path):
    path = tmp_path / "locc.png"
    code, out, err = run(capsys, "1/2", "1/4", "1/4", "--rounds", "200", "--plot", str(path), "--json")
    assert code == 0 and err == ""
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    d = json.loads(out)
    assert d["plot"]["kappa"] == pytest.approx(0.875)
    assert d["plot"]["sep"] == pytest.approx(1.0)  # Eq. (7) instrument at psi_{1/2}
    locc = d["plot"]["locc"]
    assert all(b >= a for a, b in zip(locc, locc[1:])) and max(locc) < 0.875


@pytest.mark.parametrize("name, needle", [
    ("missing_dir/locc.png", "does not exist"),
    ("locc.xyz", "unsupported file type 'xyz'"),
    ("locc", "unsupported file type '(none)'"),
])
def test_plot_bad_path_one_line_exit_2(capsys, tmp_path, name, needle):
    code, out, err = run(capsys, "1/2", "1/4", "1/4", "--plot", str(tmp_path / name))
    assert code == 2 and needle in err and err.count("\n") == 1 and out == ""


def test_plot_refused_for_x0_positive(capsys, tmp_path):
    code, out, err = run(capsys, "0.3", "0.3", "0.3", "--plot", str(tmp_path / "a.png"))
    assert code == 2 and "needs x0 = 0" in err and out == ""
    assert "no rounds to plot" not in err  # the text says the tree uses rounds at its leaves
    assert not (tmp_path / "a.png").exists()


def test_subprocess_bad_input_has_no_traceback():
    proc = subprocess.run([sys.executable, "-m", "experiments.cli", "locc", "1/2", "x", "1/4"],
                          cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 2
    assert proc.stderr.strip().count("\n") == 0 and "XB: not a number" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_x0_positive_prints_the_tree_and_tradeoff(capsys):
    code, out, err = run(capsys, "3/10", "3/10", "3/10", "--x0", "1/10", "--rounds", "100")
    assert code == 0 and err == ""
    assert "full tree of depth 4" in out and "nodes" in out and "tree:" in out
    assert "rounds vs probability" in out and "measures:" in out and "kappa:" in out
    lines = [ln for ln in out.splitlines() if ln.strip().endswith(tuple("0123456789"))
             and ln.strip().split(":")[0].strip().isdigit()]
    vals = [float(ln.split(":")[1]) for ln in lines]
    assert len(vals) >= 5 and all(b >= a for a, b in zip(vals, vals[1:]))


@pytest.mark.slow
def test_x0_positive_json_certificate_verifies(capsys, tmp_path):
    code, out, _ = run(capsys, "1/4", "1/4", "3/8", "--x0", "1/8", "--json")
    d = json.loads(out)
    assert code == 0 and d["tree_depth"] >= 2 and d["tree_nodes"] >= 3
    assert d["locc_sup_lower"] > 0.5436  # above the chain (0.543565)
    assert d["p_AB"] + d["p_AC"] + d["p_BC"] == pytest.approx(d["locc_lower"], abs=1e-12)
    assert [t["rounds"] for t in d["tradeoff"]] == sorted(t["rounds"] for t in d["tradeoff"])
    path = tmp_path / "c.json"
    path.write_text(json.dumps(d["certificate"]))
    assert main(["verify", str(path)]) == 0
    assert "valid: LOCC_sup >=" in capsys.readouterr().out
