"""Issue 16 item 5: the user's matplotlib settings never break a sepgap figure, and a figure
that still cannot be drawn costs one line, not the numbers."""
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from cli_helpers import run_cli

ROOT = Path(__file__).resolve().parents[1]


def _env_with_rc(tmp_path) -> dict:
    rc = tmp_path / "matplotlibrc"
    # common among physicists; no LaTeX is needed by sepgap's figures whatever this says
    rc.write_text("text.usetex: True\nfont.family: serif\nfigure.facecolor: black\n"
                  "savefig.format: svg\n")
    env = dict(os.environ, MATPLOTLIBRC=str(rc), PATH="/usr/bin:/bin")  # no latex on PATH
    return env


def _sepgap(args, env, cwd):
    return subprocess.run([sys.executable, "-m", "experiments.cli", *args], env=env, cwd=cwd,
                          capture_output=True, text=True, timeout=600)


@pytest.mark.slow
def test_fig1_and_locc_plot_ignore_a_usetex_matplotlibrc(tmp_path):
    env = _env_with_rc(tmp_path)
    env["PYTHONPATH"] = str(ROOT)
    # the rc really is in force for a plain matplotlib in this environment
    probe = subprocess.run([sys.executable, "-c", "import matplotlib as m; "
                            "print(m.rcParams['text.usetex'])"], env=env, capture_output=True,
                           text=True, cwd=tmp_path)
    assert probe.stdout.strip() == "True"
    r = _sepgap(["fig1", "--points", "3", "--no-locc", "--out", str(tmp_path / "f")], env, tmp_path)
    assert r.returncode == 0, r.stderr
    assert "max certified SEP-LOCC gap" in r.stdout and r.stderr.count("\n") <= 1
    png = tmp_path / "f" / "fig1.png"
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    r = _sepgap(["locc", "1/2", "1/4", "1/4", "--rounds", "20", "--plot",
                 str(tmp_path / "l.png")], env, tmp_path)
    assert r.returncode == 0, r.stderr
    assert "locc_lower" in r.stdout and (tmp_path / "l.png").read_bytes()[:4] == b"\x89PNG"


def test_a_figure_that_cannot_be_drawn_costs_one_line(tmp_path, monkeypatch):
    from experiments import locc_plot, plots

    def broken(*a, **k):
        raise RuntimeError("latex was not able to process the following string:\n" + "x\n" * 100)

    monkeypatch.setattr(plots, "plot_family", broken)
    out = tmp_path / "f"
    code, text, err = run_cli(["fig1", "--points", "3", "--no-locc", "--out", str(out)])
    assert code == 1
    assert "max certified SEP-LOCC gap" in text            # the numbers are printed ...
    assert json.loads((out / "fig1.json").read_text())["rows"]  # ... and saved
    assert err.count("\n") == 1 and "not drawn (RuntimeError: latex was not able" in err

    monkeypatch.setattr(locc_plot, "_draw", broken)
    code, text, err = run_cli(["locc", "1/2", "1/4", "1/4", "--rounds", "5", "--plot",
                               str(tmp_path / "l.png")])
    assert code == 1 and "locc_lower" in text and "kappa" in text
    assert err.count("\n") == 1 and "--plot" in err and "not drawn" in err


def test_user_rc_settings_are_overridden_in_process(tmp_path, monkeypatch):
    """The same, cheaply: the user's rc in force in this process (usetex, a dark style); the
    figure is drawn with sepgap's style and the user's settings are back afterwards."""
    import matplotlib
    from experiments import style
    monkeypatch.setitem(matplotlib.rcParams, "text.usetex", True)
    monkeypatch.setitem(matplotlib.rcParams, "axes.facecolor", "black")
    with style.rc():
        assert matplotlib.rcParams["text.usetex"] is False
        assert matplotlib.rcParams["axes.facecolor"] == "white"
        assert matplotlib.rcParams["font.size"] == style.RC["font.size"]
    assert matplotlib.rcParams["text.usetex"] is True  # restored
