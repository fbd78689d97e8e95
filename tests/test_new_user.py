"""Issue 16 item 6 (found by a new user): one regression test per finding.

(The certificate-claim / vacuous-gap / long-numbers-in-verify finding is tested with the
certificate checks.)"""
import json
import os
import re
import stat
from fractions import Fraction as F
from pathlib import Path

import pytest

from analytics import (InvalidStateError, WClassState, as_state, kappa, kappa_psi, psi_s,
                       sep_lower_bound)
from cli_helpers import run_cli
from experiments.cli import build_parser

ROOT = Path(__file__).resolve().parents[1]


# -- kappa_psi outside its domain ----------------------------------------------------------------

@pytest.mark.parametrize("s", [F(1, 10), F(1, 5), 0.1, "1/4", F(-1, 2), F(3, 2)])
def test_kappa_psi_refuses_outside_its_domain(s):
    with pytest.raises(InvalidStateError, match=r"outside \[1/3, 1\]"):
        kappa_psi(s)


def test_kappa_psi_is_kappa_of_psi_s_inside():
    for s in (F(1, 3), F(2, 5), F(1, 2), F(9, 10), F(1), "1/2"):
        assert kappa_psi(s) == kappa(psi_s(s))


# -- floats: exact binary values, never renormalised silently ---------------------------------

def test_floats_are_exact_and_never_renormalised_silently():
    b = sep_lower_bound((0.5, 0.25, 0.25))  # was 1.0000000000000002 (a probability above 1)
    assert b.value == 1 and isinstance(b.value, F)
    with pytest.raises(InvalidStateError, match="exceeds 1"):
        WClassState(0.5, 0.25, 0.25 + 1e-12)
    r = WClassState(0.5, 0.25, 0.25 + 1e-12, renormalise=True)  # explicit
    assert r.normalised
    # a float tuple is read as its binary values: 0.1 + 0.2 + 0.7 < 1 in binary
    st = as_state((0.1, 0.2, 0.7))
    assert st.is_exact and st.x0 == 1 - F(0.1) - F(0.2) - F(0.7) > 0


# -- one parser for counts -------------------------------------------------------------------

@pytest.mark.parametrize("argv", [
    ["bound", "1/2", "1/4", "1/4", "--no-sdp", "--locc-rounds", "{}"],
    ["locc", "1/2", "1/4", "1/4", "--rounds", "{}"],
])
def test_counts_read_alike_everywhere(argv):
    code, out, err = run_cli([a.format("1e2") for a in argv])
    assert code == 0, err
    code2, out2, _ = run_cli([a.format("100") for a in argv])
    assert out == out2
    code, out, err = run_cli([a.format("2.5") for a in argv])
    assert code == 2 and "not an integer: '2.5'" in err


def test_fig1_counts_use_the_same_parser(tmp_path):
    code, out, err = run_cli(["fig1", "--points", "2.5", "--out", str(tmp_path)])
    assert code == 2 and "not an integer: '2.5'" in err


# -- long file names -------------------------------------------------------------------------

@pytest.mark.parametrize("cmd", [["verify", "{n}"], ["verify", "{d}/{n}.json"],
                                 ["bound", "1/2", "1/4", "1/4", "--no-sdp", "--save-lower-cert",
                                  "{d}/{n}"]])
def test_long_file_names_are_shortened_in_error_lines(cmd, tmp_path):
    name = "a" * 5000
    code, out, err = run_cli([c.format(n=name, d=tmp_path) for c in cmd])
    assert code == 2 and err.count("\n") == 1 and len(err) < 300
    assert "[Errno" not in err and " characters)" in err


# -- locc messages agree ---------------------------------------------------------------------

def test_locc_two_qubit_with_vacuum_says_optimal_only():
    code, out, err = run_cli(["locc", "1/2", "1/4", "0", "--x0", "1/4"])
    assert code == 0 and "exact LOCC optimum" in out
    assert "not known to be optimal" not in out


def test_locc_plot_refusal_does_not_contradict_the_rounds():
    code, out, err = run_cli(["locc", "3/10", "3/10", "3/10", "--x0", "1/10", "--plot", "f.png"])
    assert code == 2 and "no rounds to plot" not in err and "plane leaves" in err
    code, out, err = run_cli(["locc", "3/10", "3/10", "3/10", "--x0", "1/10"])
    assert "1000 Fortescue-Lo rounds" in out


# -- the robustness summary format ----------------------------------------------------------

def test_robustness_locations_name_both_coordinates_once_each():
    from experiments.families import robustness_family
    from experiments.sweep import summarize
    fam = robustness_family("1/3", "1/10000", "1/100", 3, [F(1, 3), F(1, 2)])
    rows = [{"id": p.id, "x0_exact": str(p.state.x0), "xA_exact": str(p.state.xA),
             "xB_exact": str(p.state.xB), "xC_exact": str(p.state.xC),
             "s_exact": str(p.params["s"]), "s": float(p.params["s"]),
             "gap_lower_exact": "1/10", "sep_upper_kind": "certified"} for p in fam.points]
    line = summarize(fam, rows)["line"]
    # was "(s = 1/3, x0 = 1/10000, 1/3, x0 = 133/1000000, ...)"
    assert re.search(r"at \(s, x0\) = \(1/3, 1/10000\), \(1/3, [0-9/]+\), \(1/3, [0-9/]+\) "
                     r"and 3 more", line), line


# -- --save-cert: no silent overwrite, normal permissions ------------------------------------

def test_save_cert_refuses_to_overwrite_and_respects_umask(tmp_path):
    f = tmp_path / "cert.json"
    old = os.umask(0o022)
    try:
        code, out, err = run_cli(["bound", "1/2", "1/4", "1/4", "--save-cert", str(f)])
        assert code == 0 and json.loads(f.read_text())
        assert stat.S_IMODE(f.stat().st_mode) == 0o644  # not mkstemp's 0600
        f.write_text("my notes")
        code, out, err = run_cli(["bound", "1/2", "1/4", "1/4", "--save-cert", str(f)])
        assert code == 2 and "exists; add --force" in err and f.read_text() == "my notes"
        code, out, err = run_cli(["bound", "1/2", "1/4", "1/4", "--save-lower-cert", str(f)])
        assert code == 2 and f.read_text() == "my notes"
        code, out, err = run_cli(["bound", "1/2", "1/4", "1/4", "--save-cert", str(f), "--force"])
        assert code == 0 and json.loads(f.read_text())
    finally:
        os.umask(old)


# -- every API entry accepts what the CLI accepts; one argument order ----------------------

def test_api_reads_strings_dicts_and_one_order():
    assert kappa(("1/2", "1/4", "1/4")) == F(7, 8)
    assert psi_s("1/2") == psi_s(F(1, 2)) == psi_s(0.5)
    d = {"xA": "1/2", "xB": F(1, 4), "xC": 0.25}
    assert kappa(d) == F(7, 8) and sep_lower_bound(d).value == 1
    assert as_state({"x0": "1/10", "xA": "3/10", "xB": "3/10", "xC": "3/10"}).x0 == F(1, 10)
    with pytest.raises(InvalidStateError, match="keys xA, xB, xC.*unknown: xa"):
        kappa({"xa": 1, "xB": 0, "xC": 0})
    # positional (xA, xB, xC), x0 by keyword; the 4-tuple is (x0, xA, xB, xC) everywhere
    a = WClassState("3/10", "3/10", "3/10", x0="1/10")
    assert a == WClassState.from_components("1/10", "3/10", "3/10", "3/10") == as_state(
        ("1/10", "3/10", "3/10", "3/10"))
    with pytest.raises(TypeError):
        WClassState(F(3, 10), F(3, 10), F(3, 10), F(1, 10))  # x0 positional: ambiguous, refused
    from sdp.ppt import coerce_state
    assert coerce_state(d) == as_state(d)


# -- sepgap --help, bound's summary, the README usage lines -------------------------------------

def test_help_describes_the_tool_and_bound():
    code, out, err = run_cli(["--help"])
    text = " ".join(out.split())
    assert code == 0 and "separable operations (SEP) and LOCC" in text and "EPR" in text
    assert "The `sepgap` command line." not in text
    # bound's one-line summary names the PPT bound and the brackets
    assert "certified PPT upper bound" in text and "LOCC and gap brackets" in text


def _readme_usage(cmd: str) -> str:
    text = (ROOT / "README.md").read_text()
    m = re.search(rf"^    sepgap {cmd} (.*(?:\n {{10,}}\S.*)*)", text, re.M)
    assert m, f"no usage line for {cmd}"
    return m.group(1)


@pytest.mark.parametrize("cmd", ["bound", "fig1", "locc", "robustness", "verify"])
def test_readme_usage_lines_name_every_option(cmd):
    parser = build_parser()
    sub = next(a for a in parser._actions if a.dest == "command").choices[cmd]
    usage = _readme_usage(cmd)
    missing = [o for a in sub._actions for o in a.option_strings[-1:]
               if o not in ("--help",) and o not in usage]
    if cmd == "robustness":  # "(+ the run options of fig1)"
        fig1 = _readme_usage("fig1")
        missing = [o for o in missing if o not in fig1]
    assert not missing, f"README usage of {cmd} omits {missing}"
