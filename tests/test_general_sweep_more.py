"""General sweeps (issue 19): one routing for every row (W-class points -> the W machinery, as
in `sepgap bound --amplitudes`), `sweep states --state-file`, `sweep canonical-grid`, `--resume`.

The default tests use W-class states whose certified bound is the exact trivial bound 1 (Eq. (7):
x0 = 0, max x <= 1/2, so SEP = 1 by the explicit instrument; no SDP) and checks that stop before
any solve; the runs with SDP solves are marked slow."""
import json
from fractions import Fraction as F

import numpy as np
import pytest

from analytics.general_states import MAX_STATES, AmplitudeError, load_states_file
from experiments.general import route
from experiments.general_sweep import (MAX_GRID_POINTS, GeneralSweepError, grid_states,
                                       run_general_sweep)
from tests.cli_helpers import run_cli

BOUND_KEYS = ("sep_lower", "sep_upper", "locc_lower", "locc_sup_lower", "locc_upper",
              "gap_lower", "gap_upper")


def _bound_json(amps):
    rc, out, err = run_cli(["bound", "--amplitudes", *amps, "--normalise", "--json"])
    assert rc == 0, err
    return json.loads(out)


def test_w_point_of_a_general_sweep_equals_bound(tmp_path):
    # wghz at t = 0 is |W> (float amplitudes 1/sqrt 3, read exactly; W-class decided exactly)
    doc = run_general_sweep("wghz", tmp_path, tmin="0", tmax="0", points=1)
    row = doc["rows"][0]
    assert row["routed_to"] == "w_class" and row["w_form"] == ["0", "1/3", "1/3", "1/3"]
    rep = _bound_json(["0", "1", "1", "0", "1", "0", "0", "0"])  # |W> exactly
    assert rep["routed_to"] == "w_class"
    for k in BOUND_KEYS:
        assert row[f"{k}_exact"] == rep[f"{k}_exact"], k
    # Eq. (7): SEP = 1 for |W> (the general engines alone gave only [2/3, 1])
    assert row["sep_lower_exact"] == row["sep_upper_exact"] == "1"
    assert F(row["locc_lower_exact"]) < 1 and row["locc_sup_lower_exact"] == "1"
    rc, out, err = run_cli(["verify", str(tmp_path / "wghz.json")])
    assert rc == 0 and "all 1 rows re-derived" in out, out + err
    # a tampered routed row is a MISMATCH, and so is a wrong route or W form
    bad = json.loads((tmp_path / "wghz.json").read_text())
    good = bad["rows"][0]
    bad["rows"] = [{**good, key: val} for key, val in (
        ("sep_lower_exact", "999/1000"), ("routed_to", "general"),
        ("w_form", ["0", "1/2", "1/4", "1/4"]), ("locc_lower_exact", "1"))]
    (tmp_path / "bad.json").write_text(json.dumps(bad))
    rc, out, err = run_cli(["verify", str(tmp_path / "bad.json")])
    assert rc == 1 and err.count("MISMATCH") == 4 and "4 of 4 rows disagree" in out + err


def test_route_needs_an_exactly_decided_class():
    s = 3 ** -0.5
    st, w = route([0, s, s, 0, s, 0, 0, 0], normalise=True)
    assert w is not None and (w.xA, w.xB, w.xC) == (F(1, 3),) * 3
    # W-class only within the float tolerance: the general engines (they bound the input itself)
    st, w = route([0, s, s, 0, s, 0, 0, 1e-9], normalise=True)
    assert w is None


def _write_states(path, states):
    path.write_text(json.dumps(states))
    return path


W_STATES = [["0", "1", "1", "0", "1", "0", "0", "0"],
            {"name": "x = (4, 9, 9)/22", "amplitudes": [0, 2, "3j", 0, -3, 0, 0, 0]}]


def test_states_sweep_verify_and_resume(tmp_path):
    f = _write_states(tmp_path / "s.json", W_STATES)
    out = tmp_path / "out"
    rc, text, err = run_cli(["sweep", "states", "--state-file", str(f), "--normalise",
                             "--out", str(out), "--quiet"])
    assert rc == 0, err
    assert "2 points, 2 certified, 2 W-class" in text
    doc = json.loads((out / "states.json").read_text())
    r = doc["rows"][1]
    assert r["name"] == "x = (4, 9, 9)/22" and r["w_form"][0] == "0"
    assert sorted(F(q) for q in r["w_form"][1:]) == [F(2, 11), F(9, 22), F(9, 22)]
    assert r["sep_lower_exact"] == r["sep_upper_exact"] == "1"
    assert (out / "states.csv").read_text().splitlines()[0].startswith("id,index,name,")
    assert not (out / "states.partial.jsonl").exists()
    rc, vout, _ = run_cli(["verify", str(out / "states.json")])
    assert rc == 0 and "all 2 rows re-derived" in vout
    # a repeated run refuses; --resume re-verifies every saved row; a tampered one is recomputed
    rc, _, err = run_cli(["sweep", "states", "--state-file", str(f), "--normalise",
                          "--out", str(out)])
    assert rc == 2 and "--resume" in err and len(err.strip().splitlines()) == 1
    doc["rows"][0]["locc_lower_exact"] = "1"
    (out / "states.json").write_text(json.dumps(doc))
    rc, text, err = run_cli(["sweep", "states", "--state-file", str(f), "--normalise",
                             "--out", str(out), "--resume", "--quiet"])
    assert rc == 0, err
    assert "1 saved points re-verified and reused, 1 failed re-verification" in text
    again = json.loads((out / "states.json").read_text())
    assert again["rows"][0]["locc_lower_exact"] != "1"
    # another configuration (a different file) is never overwritten by --resume
    f2 = _write_states(tmp_path / "s2.json", W_STATES[:1])
    rc, _, err = run_cli(["sweep", "states", "--state-file", str(f2), "--normalise",
                          "--out", str(out), "--resume"])
    assert rc == 2 and "another configuration" in err


def test_states_sweep_resume_from_an_interrupted_run(tmp_path, monkeypatch):
    import experiments.general_sweep as gs
    f = _write_states(tmp_path / "s.json", W_STATES)
    calls = []
    real = gs.point_row

    def dying(st, **kw):
        if calls:
            raise KeyboardInterrupt
        calls.append(1)
        return real(st, **kw)
    monkeypatch.setattr(gs, "point_row", dying)
    with pytest.raises(KeyboardInterrupt):
        run_general_sweep("states", tmp_path, state_file=f, normalise=True)
    assert (tmp_path / "states.partial.jsonl").exists()
    assert not (tmp_path / "states.json").exists()
    with pytest.raises(GeneralSweepError, match="--resume"):
        run_general_sweep("states", tmp_path, state_file=f, normalise=True)
    monkeypatch.setattr(gs, "point_row", real)
    doc = run_general_sweep("states", tmp_path, state_file=f, normalise=True, resume=True)
    assert doc["resumed"] == {"reused": 1, "recomputed": 0} and len(doc["rows"]) == 2


def test_npy_file_of_states(tmp_path):
    a = np.zeros((2, 8), dtype=complex)
    a[0, [1, 2, 4]] = 3 ** -0.5
    a[1, [1, 2, 4]] = [2 / 22 ** 0.5, 3j / 22 ** 0.5, -3 / 22 ** 0.5]
    np.save(tmp_path / "s.npy", a)
    sts = load_states_file(tmp_path / "s.npy")
    assert len(sts) == 2 and sts[0][0] is None
    assert route(sts[1][1])[1] is not None


@pytest.mark.parametrize("content, words", [
    (None, "no such file"),
    ("{not json", "not valid JSON"),
    ("[]", "non-empty JSON list"),
    ('[["1", "0"]]', "8 amplitudes"),
    ('[["1", "0", "0", "0", "0", "0", "0", "1"]]', "normalise"),
    ('[[NaN, 0, 0, 0, 0, 0, 0, 1]]', ""),
    ('[{"amplitudes": ["1", "0", "0", "0", "0", "0", "0", "0"], "colour": 1}]', "unknown"),
    ('[["0", "0", "0", "0", "0", "0", "0", "0"]]', ""),
])
def test_bad_state_files_one_line_exit_2(tmp_path, content, words):
    f = tmp_path / "s.json"
    if content is not None:
        f.write_text(content)
    rc, out, err = run_cli(["sweep", "states", "--state-file", str(f), "--out",
                            str(tmp_path / "o")])
    assert rc == 2 and len(err.strip().splitlines()) == 1 and "Traceback" not in err, err
    assert words in err and "state" in err
    assert not (tmp_path / "o").exists()


def test_bad_npy_and_absurd_sizes(tmp_path):
    np.save(tmp_path / "v.npy", np.zeros(8))
    np.save(tmp_path / "w.npy", np.zeros((2, 7)))
    np.save(tmp_path / "n.npy", np.full((1, 8), np.nan))
    for name, words in (("v.npy", "shape (n, 8)"), ("w.npy", "shape (n, 8)"), ("n.npy", "")):
        rc, _, err = run_cli(["sweep", "states", "--state-file", str(tmp_path / name)])
        assert rc == 2 and len(err.strip().splitlines()) == 1 and words in err, err
    big = [["1", "0", "0", "0", "0", "0", "0", "0"]] * (MAX_STATES + 1)
    (tmp_path / "big.json").write_text(json.dumps(big))
    with pytest.raises(AmplitudeError, match="at most"):
        load_states_file(tmp_path / "big.json")
    rc, _, err = run_cli(["sweep", "states", "--state-file", str(tmp_path / "big.json")])
    assert rc == 2 and "at most" in err


def test_canonical_grid_states_and_guards():
    pts = grid_states("l1", "phi", 3, [F(1, 2)] * 5, 0)
    assert len(pts) == 9 and pts[4][0] == {"x": F(1, 2), "y": F(1, 2)}
    v = np.array(pts[4][1])  # l = (1/2, 1/2 e^{i pi/2}, 1/2, 1/2, 1/2)
    assert v[4] == pytest.approx(0.5j / (5 * 0.25) ** 0.5) and v[0] == pytest.approx(5 ** -0.5)
    assert pts[0][1][4] == 0  # l1 = 0
    for args in (("l1", "l1", 3), ("l9", "phi", 3), ("l1", "phi", 1),
                 ("l1", "phi", MAX_GRID_POINTS + 1)):
        with pytest.raises(GeneralSweepError):
            grid_states(*args, [1] * 5, 0)
    with pytest.raises(GeneralSweepError, match="all"):
        grid_states("l0", "l4", 2, [0, 0, 0, 0, 1], 0)
    rc, _, err = run_cli(["sweep", "canonical-grid", "--points", "40"])
    assert rc == 2 and "--points" in err


@pytest.mark.slow
def test_canonical_grid_sweep_and_verify(tmp_path):
    rc, out, err = run_cli(["sweep", "canonical-grid", "--points", "2", "--x", "l4",
                            "--out", str(tmp_path), "--quiet"])
    assert rc == 0 and "4 points, 4 certified" in out, err
    doc = json.loads((tmp_path / "canonical-grid.json").read_text())
    # l1 = 0: the phase is not a parameter of the state, so both phi = 0 and pi give one bracket
    assert all(F(r["sep_upper_exact"]) >= F(r["sep_lower_exact"]) for r in doc["rows"])
    rc, out, _ = run_cli(["verify", str(tmp_path / "canonical-grid.json")])
    assert rc == 0 and "all 4 rows re-derived" in out


@pytest.mark.slow
def test_states_sweep_mixed_general_and_w(tmp_path):
    f = _write_states(tmp_path / "s.json", [["3/5", 0, 0, 0, 0, 0, 0, "4/5j"], W_STATES[0]])
    rc, out, err = run_cli(["sweep", "states", "--state-file", str(f), "--normalise",
                            "--out", str(tmp_path), "--quiet"])
    assert rc == 0 and "2 certified, 1 W-class" in out, err
    doc = json.loads((tmp_path / "states.json").read_text())
    assert doc["rows"][0]["routed_to"] == "general"
    assert doc["rows"][0]["locc_lower_exact"] == "18/25"  # 2 min(|a|^2, |b|^2)
    rc, out, _ = run_cli(["verify", str(tmp_path / "states.json")])
    assert rc == 0 and "all 2 rows re-derived" in out


@pytest.mark.slow
def test_canonical_grid_w_rows_take_the_sweeps_lower_method(tmp_path):
    """W-class rows of a general sweep follow --lower like the others: with --lower lp their SEP
    lower bound is the W LP instrument, saved with its certificate, from which verify re-derives
    the row (a row that claims another kind while a certificate is stored is refused)."""
    rc, out, err = run_cli(["sweep", "canonical-grid", "--points", "2", "--x", "l4", "--lower",
                            "lp", "--lower-budget", "1", "--out", str(tmp_path), "--quiet"])
    assert rc == 0, err
    path = tmp_path / "canonical-grid.json"
    doc = json.loads(path.read_text())
    w_rows = [r for r in doc["rows"] if r["routed_to"] == "w_class"]
    assert w_rows and all(r["sep_lower_kind"] == "lp" and r["sep_lower_certificate_file"]
                          for r in w_rows)
    rc, out, _ = run_cli(["verify", str(path)])
    assert rc == 0 and "all 4 rows re-derived" in out
    i = doc["rows"].index(w_rows[0])
    doc["rows"][i]["sep_lower_kind"] = "tree"
    bad = tmp_path / "tampered.json"
    bad.write_text(json.dumps(doc))
    rc, out, err = run_cli(["verify", str(bad)])
    assert rc == 1 and "not an LP instrument" in out + err
