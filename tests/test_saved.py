"""Saved results are never lost and never trusted blindly (issue 12, items 3, 4, 5 and 9).

Every saved line of ``<name>.partial.jsonl`` is checked on --resume (experiments/saved.py): the
analytic columns are recomputed, every certificate is re-verified exactly and compared with the
row; a line that fails is recomputed and counted in the summary. A rerun without --resume is
refused instead of wiping saved points.
"""
import copy
import csv
import json
from fractions import Fraction as F

import pytest

import sdp
from cli_helpers import run_cli  # noqa: E402
from experiments.evaluate import TIMING_COLUMNS, columns_for
from experiments.families import custom_family, psi_family
from experiments.saved import check_record, load_partial
from experiments.sweep import run_sweep

# psi_s at s = 2/5, 1/2 (trivial bound 1, Eq. 7) and s = 3/5 (PPT relaxation solved)
FIG1 = ["fig1", "--smin", "2/5", "--smax", "3/5", "--points", "3", "--no-locc", "--quiet"]
FIG1_5 = [("5" if w == "3" else w) for w in FIG1]  # another configuration


def table(path):
    with open(path, newline="") as f:
        return [{k: v for k, v in r.items() if k not in TIMING_COLUMNS} for r in csv.DictReader(f)]


def lines_of(path):
    return path.read_text().splitlines()


def write_lines(path, lines):
    path.write_text("\n".join(lines) + "\n")


@pytest.fixture(scope="module")
def done(tmp_path_factory):
    """A finished 3-point fig1 run: (dir, partial lines, csv table)."""
    d = tmp_path_factory.mktemp("done")
    code, out, err = run_cli(FIG1 + ["--out", str(d)])
    assert code == 0, err
    return d, lines_of(d / "fig1.partial.jsonl"), table(d / "fig1.csv")


def resume_with(tmp_path, lines):
    write_lines(tmp_path / "fig1.partial.jsonl", lines)
    return run_cli(FIG1 + ["--out", str(tmp_path), "--resume"])


def all_certificates_verify(d):
    doc = json.loads((d / "fig1.json").read_text())
    for row in doc["rows"]:
        res = sdp.verify_file(d / row["certificate_file"])
        assert res.valid, res.reason
        assert str(res.bound) == row["sep_upper_certified_exact"]
    return doc


def test_edited_line_is_recomputed_on_resume(done, tmp_path):
    """The issue's attack: kappa, gap_certified and sep_upper_certified edited in one line gave
    exit 0, 'max certified SEP-LOCC gap 0.9' and a certificate failing verification."""
    d, lines, ref = done
    rec = json.loads(lines[3])  # s = 3/5, solved by the SDP
    rec["row"]["kappa"] = 0.1
    rec["row"]["kappa_exact"] = "1/10"
    rec["row"]["gap_certified"] = 0.9
    rec["row"]["gap_certified_exact"] = "9/10"
    rec["row"]["sep_upper_certified"] = 0.5
    rec["row"]["sep_upper_certified_exact"] = "1/2"
    code, out, err = resume_with(tmp_path, lines[:3] + [json.dumps(rec)])
    assert code == 0, err
    assert "max certified SEP-LOCC gap 0.125 at s = 1/2" in out  # not 0.9
    # the certificate is checked first, then every column re-derived (kappa would be next)
    assert out.strip().endswith("1 saved point failed re-verification and was recomputed "
                                "(sep_upper_certified differs from the verified bound: 1)")
    assert table(tmp_path / "fig1.csv") == ref
    doc = all_certificates_verify(tmp_path)
    rep = doc["summary"]["saved_lines_recomputed"]
    assert rep["count"] == 1 and rep["ids"] == ["fig1-0002"]
    assert doc["provenance"]["points_computed_in_this_run"] == 1
    # the dropped line is kept for inspection, not lost
    assert "were moved to" in err and "fig1.partial.rejected.jsonl" in err
    kept = [json.loads(ln) for ln in lines_of(tmp_path / "fig1.partial.rejected.jsonl")]
    assert [k["reason"] for k in kept] == ["sep_upper_certified differs from the verified bound"]
    assert json.loads(kept[0]["line"]) == rec


def _edit_bound(rec, lines):
    rec["certificate"]["bound"]["exact"] = "1/2"  # the dual no longer proves this number


def _swap_certificate(rec, lines):
    rec["certificate"] = json.loads(lines[2])["certificate"]  # valid, but for s = 1/2


def _drop_certificate(rec, lines):
    rec["certificate"] = None


def _edit_displayed_bound(rec, lines):
    rec["row"]["sep_upper"] = 0.5


@pytest.mark.parametrize("edit, reason", [
    (_edit_bound, "certificate does not verify"),
    (_swap_certificate, "certificate is for another state"),
    (_drop_certificate, "certified row without a certificate"),
    (_edit_displayed_bound, "sep_upper_certified differs from the verified bound"),
])
def test_certificate_edits_are_caught(done, edit, reason):
    """Certificate and row edited: only exact re-verification against the row sees it."""
    d, lines, _ = done
    fam = psi_family("2/5", "3/5", 3).renamed("fig1")
    rec = json.loads(lines[3])
    cols = set(columns_for(fam.param_names))
    assert check_record(rec, fam.points[2], cols, fam.param_names) is None
    edit(rec, lines)
    assert check_record(rec, fam.points[2], cols, fam.param_names) == reason


def test_certificate_edit_end_to_end(done, tmp_path):
    d, lines, ref = done
    rec = json.loads(lines[3])
    _edit_bound(rec, lines)
    rec["row"]["sep_upper_certified_exact"] = "1/2"
    code, out, err = resume_with(tmp_path, lines[:3] + [json.dumps(rec)])
    assert code == 0, err
    assert "1 saved point failed re-verification and was recomputed (certificate does not " \
           "verify: 1)" in out, out
    assert table(tmp_path / "fig1.csv") == ref
    all_certificates_verify(tmp_path)


def test_weighted_certificate_is_not_a_sep_bound(done):
    """A valid certificate of p_AB/2 + p_AC/2 + p_BC/2 <= b proves nothing about SEP."""
    d, lines, _ = done
    fam = psi_family("2/5", "3/5", 3).renamed("fig1")
    point = fam.points[1]  # s = 1/2, where SEP = 1
    res = sdp.ppt_upper_bound(point.state, weights=(F(1, 2),) * 3, certify=True)
    assert res.certificate is not None and sdp.verify_certificate(res.certificate).valid
    rec = json.loads(lines[2])
    rec["certificate"] = res.certificate
    b = res.certified
    rec["row"].update({"sep_upper_certified_exact": f"{b.numerator}/{b.denominator}"})
    why = check_record(rec, point, set(columns_for(fam.param_names)), fam.param_names)
    assert why == "certificate does not bound SEP (pairs, weights or objective)"


@pytest.mark.parametrize("mutate, reason", [
    (lambda r: r.update(row=list(r["row"].values())), "row is not an object"),
    (lambda r: r.update(id=[r["id"]]), "unreadable line"),
    (lambda r: r["row"].pop("kappa"), "missing column kappa"),
    (lambda r: r["row"].update(kappa="7/8"), "wrong type of kappa"),
    (lambda r: r["row"].update(index=True), "wrong type of index"),
    (lambda r: r["row"].update(extra=1), "unexpected columns"),
    (lambda r: r.update(certificate=[1, 2]), "certificate is not an object"),
    (lambda r: r.update(warm={"x": {"b64f8": "!!", "shape": [2]}}), "unreadable warm start"),
    (lambda r: r.pop("warm"), "malformed line"),
    (lambda r: r["row"].update(sep_lower_p_AB=0.75), "sep_lower_p_AB differs"),
    (lambda r: r["row"].update(gap_upper_exact="0"), "gap_upper_exact differs"),
    (lambda r: r["row"].update(locc_lower=0.99), "locc_lower differs"),  # re-derived
])
def test_malformed_lines_are_recomputed_never_a_traceback(done, tmp_path, mutate, reason):
    d, lines, ref = done
    rec = json.loads(lines[2])
    mutate(rec)
    code, out, err = resume_with(tmp_path, lines[:2] + [json.dumps(rec)] + lines[3:])
    assert code == 0, err
    assert "Traceback" not in err
    assert f"({reason}: 1)" in out, out
    assert table(tmp_path / "fig1.csv") == ref


def test_unreadable_lines_are_dropped(done, tmp_path):
    """Deeply nested JSON (RecursionError), a non-object, garbage and a torn last line."""
    d, lines, ref = done
    junk = ["[" * 100000 + "]" * 100000, "[1, 2]", "not json", '{"id": 5}']
    code, out, err = resume_with(tmp_path, lines[:2] + junk + lines[2:3] + [lines[3][:50]])
    assert code == 0, err
    assert "5 unreadable saved lines dropped (unreadable line: 5)" in out
    assert table(tmp_path / "fig1.csv") == ref
    kept = lines_of(tmp_path / "fig1.partial.jsonl")
    assert len(kept) == 4 and all(json.loads(ln) for ln in kept)


def test_good_saved_lines_are_kept_and_not_recomputed(done, tmp_path):
    d, lines, ref = done
    code, out, err = resume_with(tmp_path, lines)
    assert code == 0 and "saved point" not in out and "unreadable" not in out
    doc = json.loads((tmp_path / "fig1.json").read_text())
    assert doc["provenance"]["points_computed_in_this_run"] == 0
    assert table(tmp_path / "fig1.csv") == ref


def test_load_partial_reports_reasons(done, tmp_path):
    d, lines, _ = done
    rec = json.loads(lines[1])
    rec["row"]["kappa_exact"] = "0"
    write_lines(tmp_path / "p.jsonl", lines[:1] + [json.dumps(rec)] + lines[2:] + ['{"id": "x"}'])
    fam = psi_family("2/5", "3/5", 3).renamed("fig1")
    loaded = load_partial(tmp_path / "p.jsonl", fam)
    assert sorted(loaded.records) == ["fig1-0001", "fig1-0002"]
    assert loaded.rejected == {"fig1-0000": "kappa_exact differs"}  # "x" is not a point
    assert loaded.rewrite


# ---- rerun without --resume, --fresh ------------------------------------------------------------

def test_rerun_without_resume_loses_nothing(done, tmp_path):
    d, lines, ref = done
    write_lines(tmp_path / "fig1.partial.jsonl", lines[:3])  # an interrupted run: 2 points
    before = (tmp_path / "fig1.partial.jsonl").read_bytes()
    code, out, err = run_cli(FIG1 + ["--out", str(tmp_path)])
    assert code == 2 and out == ""
    assert err.count("\n") == 1 and "Traceback" not in err
    assert "holds 2 saved points of this configuration" in err
    assert "--resume" in err and "--fresh" in err
    assert (tmp_path / "fig1.partial.jsonl").read_bytes() == before
    # a different configuration: refused too, and the message says what to do
    code, out, err = run_cli(FIG1_5 + ["--out", str(tmp_path)])
    assert code == 2 and "different configuration (differs in:" in err
    assert "new --out directory" in err and "--fresh" in err
    assert (tmp_path / "fig1.partial.jsonl").read_bytes() == before
    # --resume then finishes with every point
    code, out, err = run_cli(FIG1 + ["--out", str(tmp_path), "--resume"])
    assert code == 0 and table(tmp_path / "fig1.csv") == ref
    doc = json.loads((tmp_path / "fig1.json").read_text())
    assert doc["provenance"]["points_computed_in_this_run"] == 1


def test_finished_results_without_partial_are_protected(done, tmp_path):
    d, lines, ref = done
    for name in ("fig1.csv", "fig1.json"):
        (tmp_path / name).write_bytes((d / name).read_bytes())
    code, out, err = run_cli(FIG1_5 + ["--out", str(tmp_path)])
    assert code == 2 and "fig1.json holds results of a different configuration" in err
    assert table(tmp_path / "fig1.csv") == ref
    code, out, err = run_cli(FIG1 + ["--out", str(tmp_path)])
    assert code == 2 and "finished results of this configuration" in err


def test_fresh_starts_over_on_purpose(done, tmp_path):
    d, lines, ref = done
    write_lines(tmp_path / "fig1.partial.jsonl", lines[:3])
    code, out, err = run_cli(FIG1 + ["--out", str(tmp_path), "--fresh"])
    assert code == 0, err
    assert table(tmp_path / "fig1.csv") == ref
    doc = json.loads((tmp_path / "fig1.json").read_text())
    assert doc["provenance"]["points_computed_in_this_run"] == 3
    code, out, err = run_cli(FIG1 + ["--out", str(tmp_path), "--fresh", "--resume"])
    assert code == 2 and "not allowed with" in err


def test_stale_temporary_files_are_removed(done, tmp_path):
    """A kill during an atomic write leaves .<file>.XXXX.tmp behind: the next run removes
    those of its own name (and only those)."""
    d, lines, ref = done
    write_lines(tmp_path / "fig1.partial.jsonl", lines)
    (tmp_path / "certificates").mkdir()
    stale = [tmp_path / ".fig1.csv.abc123.tmp", tmp_path / ".fig1.partial.jsonl.x1.tmp",
             tmp_path / "certificates" / ".fig1-0001.json.q9.tmp"]
    other = tmp_path / ".simplex.csv.zz.tmp"
    for f in stale + [other]:
        f.write_text("half")
    code, out, err = run_cli(FIG1 + ["--out", str(tmp_path), "--resume"])
    assert code == 0, err
    assert not any(f.exists() for f in stale)
    assert other.exists()  # another run's name: not ours to delete


# ---- make reproduce -------------------------------------------------------------------------------

def reproduce_argv(out):
    """The Makefile's reproduce command, with results/fig1 replaced by ``out``."""
    from pathlib import Path
    text = (Path(__file__).resolve().parents[1] / "Makefile").read_text()
    line = text.split("\nreproduce:")[1].splitlines()[1].strip()
    words = line.split()
    assert words[0].endswith("/sepgap") and words[1] == "fig1"
    return [str(out) if w == "results/fig1" else w for w in words[1:]]


def test_make_reproduce_never_fails_and_never_deletes(tmp_path, monkeypatch):
    """After a non-default fig1 run into results/fig1 (finished or interrupted), reproduce
    leaves those results alone and writes the default run next to them; after an interrupted
    default run it resumes."""
    from experiments.families import PSI_DEFAULTS

    # a 3-point default stands in for the 101-point one (same code path, faster)
    monkeypatch.setitem(PSI_DEFAULTS, "points", 3)
    out = tmp_path / "results" / "fig1"
    argv = reproduce_argv(out)
    assert "--resume" in argv and "--sibling-if-taken" in argv
    code, _, err = run_cli(["fig1", "--points", "4", "--no-locc", "--out", str(out)])
    assert code == 0, err
    before = {p.name: p.read_bytes() for p in out.iterdir() if p.is_file()}
    code, o, err = run_cli(argv)
    assert code == 0, err
    assert f"writing into {out}-2" in err and "results of another configuration" in err
    assert "3 points, all certified" in o
    assert {p.name: p.read_bytes() for p in out.iterdir() if p.is_file()} == before
    # again: the sibling holds the default configuration, so it is resumed (nothing computed)
    code, o, err = run_cli(argv)
    assert code == 0, err
    doc = json.loads((tmp_path / "results" / "fig1-2" / "fig1.json").read_text())
    assert doc["provenance"]["points_computed_in_this_run"] == 0
    # an interrupted default run in a fresh results/fig1 is resumed in place
    out2 = tmp_path / "r2" / "fig1"
    monkeypatch.setenv("SEPGAP_SWEEP_STOP_AFTER", "1")
    code, _, err = run_cli(reproduce_argv(out2))
    assert code == 130 and "--resume" in err
    monkeypatch.delenv("SEPGAP_SWEEP_STOP_AFTER")
    code, o, err = run_cli(reproduce_argv(out2))
    assert code == 0 and err == ""
    doc = json.loads((out2 / "fig1.json").read_text())
    assert doc["provenance"]["points_computed_in_this_run"] == 2
    # an interrupted non-default run: its saved point stays, reproduce goes next door
    out3 = tmp_path / "r3" / "fig1"
    monkeypatch.setenv("SEPGAP_SWEEP_STOP_AFTER", "1")
    code, _, err = run_cli(["fig1", "--points", "2", "--no-locc", "--out", str(out3)])
    assert code == 130
    monkeypatch.delenv("SEPGAP_SWEEP_STOP_AFTER")
    saved = (out3 / "fig1.partial.jsonl").read_bytes()
    code, o, err = run_cli(reproduce_argv(out3))
    assert code == 0 and f"writing into {out3}-2" in err
    assert (out3 / "fig1.partial.jsonl").read_bytes() == saved
    assert not (out3 / "fig1.csv").exists() and (tmp_path / "r3" / "fig1-2" / "fig1.csv").exists()


def test_custom_family_lines_are_checked_too(tmp_path):
    """The loader works for any family: a custom family with a parameter column."""
    fam = custom_family(lambda t: (t, (1 - t) / 2, (1 - t) / 2), params=[F(1, 2), F(3, 4)],
                        name="line")
    run_sweep(fam, tmp_path, name="line", locc_rounds=None, quiet=True, plot=False)
    part = tmp_path / "line.partial.jsonl"
    lines = lines_of(part)
    rec = json.loads(lines[1])
    rec["row"]["t_exact"] = "1/3"
    write_lines(part, [lines[0], json.dumps(rec), lines[2]])
    res = run_sweep(fam, tmp_path, name="line", locc_rounds=None, quiet=True, plot=False,
                    resume=True)
    assert res.computed == 1 and res.rows[0]["t_exact"] == "1/2"
    assert res.summary["saved_lines_recomputed"]["reasons"] == {"t_exact differs": 1}
    assert copy.deepcopy(res.rows[1]) == json.loads(lines[2])["row"]


def test_absurd_number_in_a_saved_certificate_is_not_verified(done):
    """A certificate holding "3e-999999999" made the exact verifier run for minutes; the loader
    refuses it before verification."""
    import time
    d, lines, _ = done
    fam = psi_family("2/5", "3/5", 3).renamed("fig1")
    rec = json.loads(lines[3])
    rec["certificate"]["frame"]["beta_sq"][0] = "3e-999999999"
    t0 = time.process_time()
    why = check_record(rec, fam.points[2], set(columns_for(fam.param_names)), fam.param_names)
    assert why == "certificate holds an absurdly large number"
    assert time.process_time() - t0 < 5


def test_relabelled_certificates_pass_on_resume(tmp_path):
    """Orbit reuse (simplex): relabelled certificates are re-verified like any other."""
    from experiments.families import simplex_family
    res = run_sweep(simplex_family(3), tmp_path, quiet=True, plot=False, locc_rounds=None)
    assert any("relabelled" in (r["sep_upper_note"] or "") for r in res.rows)
    again = run_sweep(simplex_family(3), tmp_path, quiet=True, plot=False, locc_rounds=None,
                      resume=True)
    assert again.computed == 0 and again.summary["saved_lines_recomputed"]["count"] == 0


def test_make_reproduce_goes_next_door_when_results_fig1_is_busy_or_a_file(tmp_path, monkeypatch):
    import fcntl

    from experiments.families import PSI_DEFAULTS
    monkeypatch.setitem(PSI_DEFAULTS, "points", 2)
    busy = tmp_path / "a" / "fig1"
    busy.mkdir(parents=True)
    with open(busy / ".fig1.lock", "a+") as held:  # another run is writing there right now
        fcntl.flock(held.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        code, o, err = run_cli(reproduce_argv(busy) + ["--no-locc"])
    assert code == 0 and "is being written by another sepgap run" in err, err
    assert (tmp_path / "a" / "fig1-2" / "fig1.csv").exists()
    blocker = tmp_path / "b" / "fig1"
    blocker.parent.mkdir()
    blocker.write_text("not a folder")
    code, o, err = run_cli(reproduce_argv(blocker) + ["--no-locc"])
    assert code == 0 and "is a file" in err
    assert blocker.read_text() == "not a folder"
