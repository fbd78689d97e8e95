"""`sepgap bound`: output, JSON keys, and one-line errors with exit status 2 on bad input."""
import json
import subprocess
import sys
from fractions import Fraction as F
from pathlib import Path

import pytest

from analytics.states import WClassState
from experiments.cli import main
from experiments.cmd_bound import NUMBER_KEYS, analytic_report


def run(capsys, *args):
    rc = main(["bound", *args])
    out, err = capsys.readouterr()
    return rc, out, err


def test_text_output_psi_half(capsys):
    rc, out, err = run(capsys, "1/2", "1/4", "1/4")
    assert rc == 0 and err == ""
    assert "kappa       7/8" in out and "SEP lower   1 " in out and "gap         1/8" in out
    assert "'eq7'" in out


def test_json_output_psi_half(capsys):
    rc, out, _ = run(capsys, "0.5", "0.25", "0.25", "--json")
    data = json.loads(out)
    assert rc == 0
    assert (data["kappa_exact"], data["sep_lower_exact"], data["gap_lower_exact"]) == ("7/8", "1", "1/8")
    assert (data["kappa"], data["sep_lower"], data["gap_lower"]) == (0.875, 1.0, 0.125)
    assert (data["x0"], data["xA"], data["xB"], data["xC"]) == (0.0, 0.5, 0.25, 0.25)
    assert data["sep_lower_kind"] == "eq7" and data["sep_lower_checked"] is True
    assert data["sep_lower_p_pairs_exact"] == {"AB": "1/2", "AC": "1/2", "BC": "0"}
    for key in NUMBER_KEYS:
        assert key in data and f"{key}_exact" in data


@pytest.mark.parametrize("args, kind, sep, gap", [
    (("3/5", "1/5", "1/5"), "large_component", "4/5", "1/15"),
    (("1/3", "1/3", "1/3"), "eq7", "1", "0"),
    (("1/2", "1/2", "0"), "large_component", "1", "0"),
    (("0", "0", "0"), "trivial", "0", "0"),
    (("0.1", "0.2", "0.2", "--x0", "0.5", "--lower", "tree"), "tree", None, None),
    (("1/4", "1/2", "1/4", "--x0", "0"), "eq7", "1", "1/8"),
])
def test_json_kinds(capsys, args, kind, sep, gap):
    rc, out, _ = run(capsys, *args, "--json")
    data = json.loads(out)
    assert rc == 0 and data["sep_lower_kind"] == kind
    if kind == "tree":  # x0 > 0: a measurement tree; exact value, below kappa here
        assert 0 < F(data["sep_lower_exact"]) <= F(data["locc_upper_exact"]) + 1
        assert data["sep_lower_checked"] and data["gap_lower"] < 0
        return
    assert data["sep_lower_exact"] == sep and data["gap_lower_exact"] == gap


def test_text_output_off_the_plane_shows_the_brackets(capsys):
    rc, out, _ = run(capsys, "0.2", "0.2", "0.2", "--lower", "tree")
    assert rc == 0 and "instrument 'tree', checked" in out and "x0 = 2/5" in out
    assert "SEP  in    [" in out and "LOCC in    [" in out and "SEP_opt - LOCC_sup in [" in out


def test_analytic_report_is_json_ready():
    rep = analytic_report(WClassState(F(3, 5), F(1, 4), F(3, 20)))
    assert json.loads(json.dumps(rep)) == rep
    # increase of the large-component instrument over kappa: x_n2 x_n3 / x_n1
    assert F(rep["gap_lower_exact"]) == F(1, 4) * F(3, 20) / F(3, 5)


BAD = [
    (("-0.1", "0.5", "0.5"), "xA = -1/10 is negative"),
    (("-1/10", "0.5", "0.5"), "xA = -1/10 is negative"),
    (("0.1", "-1e-3", "0.5"), "xB = -1/1000 is negative"),
    (("0.5", "0.5", "0.5"), "xA + xB + xC = 3/2 exceeds 1"),
    (("nan", "0", "0"), "XA: not a number: 'nan'"),
    (("0", "inf", "0"), "XB: not a number: 'inf'"),
    (("0", "0", "abc"), "XC: not a number: 'abc'"),
    (("1/0", "0", "0"), "XA: not a number: '1/0'"),
    (("0.1", "0.2", "0.3", "--x0", "0.5"), "x0 + xA + xB + xC = 11/10 must equal 1"),
    (("0.1", "0.2", "0.3", "--x0", "-0.4"), "x0 = -2/5 is negative"),
    (("0.1", "0.2", "0.3", "--x0", "x"), "x0: not a number: 'x'"),
]


@pytest.mark.parametrize("args, message", BAD)
def test_bad_input_one_line_exit_2(capsys, args, message):
    rc, out, err = run(capsys, *args)
    assert rc == 2 and out == ""
    assert err.count("\n") == 1 and "Traceback" not in err
    assert err.startswith("sepgap: error: ") and message in err


@pytest.mark.parametrize("args, message", [
    (("0.5", "0.5"), "required: XC"),
    (("0.5",), "required: XB, XC"),
    (("0.1", "0.2", "0.3", "0.4"), "unrecognized arguments: 0.4"),
    (("0.1", "0.2", "0.3", "--x0"), "--x0: expected one argument"),
    (("0.1", "0.2", "0.3", "--bogus"), "unrecognized arguments: --bogus"),
])
def test_argparse_errors_one_line_exit_2(capsys, args, message):
    with pytest.raises(SystemExit) as exc:
        main(["bound", *args])
    _, err = capsys.readouterr()
    assert exc.value.code == 2 and err.count("\n") == 1 and message in err


def test_installed_entry_point():
    exe = Path(sys.executable).parent / "sepgap"
    ok = subprocess.run([str(exe), "bound", "1/2", "1/4", "1/4", "--json"],
                        capture_output=True, text=True, timeout=60)
    assert ok.returncode == 0 and json.loads(ok.stdout)["gap_lower_exact"] == "1/8"
    bad = subprocess.run([str(exe), "bound", "0.5", "nan", "0"],
                         capture_output=True, text=True, timeout=60)
    assert bad.returncode == 2 and bad.stdout == "" and "Traceback" not in bad.stderr
    assert bad.stderr.strip().splitlines() == ["sepgap: error: XB: not a number: 'nan' "
                                               "(use e.g. 0.25, 1/4 or 2.5e-1)"]
