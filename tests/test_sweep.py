"""The sweep runner: determinism (workers, resume), partial files, the Python API, row rules."""
import csv
import json
import os
from fractions import Fraction as F

import pytest

import sdp
from experiments.evaluate import TIMING_COLUMNS, evaluate_point
from experiments.families import psi_family
from experiments.sweep import STOP_AFTER_ENV, SweepError, run_sweep

# 7 points in chunks of 3: three chunks, so workers=2 really runs them in parallel. The range
# crosses s = 1/2: shortcut points (trivial bound) first, then SDP points (warm-started chains);
# an interruption after 4 points stops inside the second chunk, after two SDP points, so the
# resumed run must continue from the stored warm start
FAMILY = dict(smin="2/5", smax="7/10", points=7)  # s = 2/5, 9/20, 1/2, ..., 7/10
CHUNK = 3


def table(path):
    with open(path, newline="") as f:
        return [{k: v for k, v in r.items() if k not in TIMING_COLUMNS} for r in csv.DictReader(f)]


def no_temp_files(d):
    return not [n for n in os.listdir(d) if n.endswith(".tmp")]


@pytest.fixture(scope="module")
def reference(tmp_path_factory):
    out = tmp_path_factory.mktemp("ref")
    res = run_sweep(psi_family(**FAMILY), out, name="ps", chunk_size=CHUNK, quiet=True)
    return out, res


def test_reference_rows(reference):
    out, res = reference
    assert [r["index"] for r in res.rows] == list(range(7))
    assert all(r["sep_upper_kind"] == "certified" for r in res.rows)
    assert [r["sep_upper_method"] for r in res.rows] == ["trivial"] * 3 + ["ppt"] * 4
    assert res.rows[2]["gap_certified_exact"] == "1/8"
    assert res.summary["max_gap_certified"]["exact"] == "1/8"
    assert res.line.startswith("max certified SEP-LOCC gap 0.125 at s = 1/2")
    assert "7 points, all certified" in res.line
    assert no_temp_files(out) and no_temp_files(out / "certificates")


def test_workers_give_identical_rows(reference, tmp_path):
    out, _ = reference
    run_sweep(psi_family(**FAMILY), tmp_path, name="ps", chunk_size=CHUNK, workers=2, quiet=True,
              plot=False)
    assert table(tmp_path / "ps.csv") == table(out / "ps.csv")


def test_interrupted_then_resumed_equals_uninterrupted(reference, tmp_path, monkeypatch):
    out, _ = reference
    monkeypatch.setenv(STOP_AFTER_ENV, "4")
    with pytest.raises(KeyboardInterrupt):
        run_sweep(psi_family(**FAMILY), tmp_path, name="ps", chunk_size=CHUNK, quiet=True)
    monkeypatch.delenv(STOP_AFTER_ENV)
    lines = (tmp_path / "ps.partial.jsonl").read_text().splitlines()
    assert len(lines) == 1 + 4  # header + 4 points, flushed
    assert not (tmp_path / "ps.csv").exists()  # no final file from an incomplete run
    res = run_sweep(psi_family(**FAMILY), tmp_path, name="ps", chunk_size=CHUNK, resume=True,
                    quiet=True, plot=False)
    assert res.computed == 3  # only the missing points
    assert table(tmp_path / "ps.csv") == table(out / "ps.csv")
    assert no_temp_files(tmp_path)


def test_torn_last_line_and_duplicates_are_dropped_on_resume(reference, tmp_path):
    out, _ = reference
    fam = psi_family(**FAMILY)
    part = tmp_path / "ps.partial.jsonl"
    lines = (out / "ps.partial.jsonl").read_text().splitlines()
    # keep 4 points, duplicate one, and leave half a line as a crash would
    part.write_text("\n".join(lines[:5] + [lines[2]]) + "\n" + lines[5][: len(lines[5]) // 2])
    res = run_sweep(fam, tmp_path, name="ps", chunk_size=CHUNK, resume=True, quiet=True,
                    plot=False)
    assert res.computed == 3
    assert table(tmp_path / "ps.csv") == table(out / "ps.csv")
    ids = [json.loads(ln)["id"] for ln in part.read_text().splitlines()[1:]]
    assert len(ids) == len(set(ids)) == 7


def test_different_configuration_is_not_mixed_in(reference, tmp_path):
    out, _ = reference
    (tmp_path / "ps.partial.jsonl").write_bytes((out / "ps.partial.jsonl").read_bytes())
    for resume in (False, True):
        with pytest.raises(SweepError, match="different configuration.*new --out.*--fresh"):
            run_sweep(psi_family("1/3", "1/2", 3), tmp_path, name="ps", chunk_size=CHUNK,
                      resume=resume, quiet=True)
    with pytest.raises(SweepError, match="differs in: locc_rounds"):
        run_sweep(psi_family(**FAMILY), tmp_path, name="ps", chunk_size=CHUNK, locc_rounds=5,
                  resume=True, quiet=True)
    with pytest.raises(SweepError, match="differs in: chunk_size"):
        run_sweep(psi_family(**FAMILY), tmp_path, name="ps", resume=True, quiet=True)
    assert not (tmp_path / "ps.csv").exists()


def test_same_configuration_without_resume_is_refused_and_loses_nothing(reference, tmp_path):
    """Issue 12 item 3: a rerun without --resume used to wipe the saved points."""
    out, _ = reference
    part = tmp_path / "ps.partial.jsonl"
    lines = (out / "ps.partial.jsonl").read_bytes().splitlines(keepends=True)
    part.write_bytes(b"".join(lines[:5]))  # header + 4 of the 7 points: an interrupted run
    before = part.read_bytes()
    with pytest.raises(SweepError, match=r"holds 4 saved points of this configuration; "
                                         r"add --resume .* or --fresh "):
        run_sweep(psi_family(**FAMILY), tmp_path, name="ps", chunk_size=CHUNK, quiet=True)
    assert part.read_bytes() == before  # nothing deleted
    # finished results without a partial file are protected too
    (tmp_path / "ps.json").write_bytes((out / "ps.json").read_bytes())
    part.unlink()
    with pytest.raises(SweepError, match="finished results of this configuration.*--fresh"):
        run_sweep(psi_family(**FAMILY), tmp_path, name="ps", chunk_size=CHUNK, quiet=True)


def test_rerun_of_a_finished_run_reprints_and_redraws(reference, tmp_path, capsys):
    """Issue 16 item 6: right after `make reproduce`, `sepgap fig1` refused ("add --resume");
    a finished run of the same configuration is re-verified and reprinted, nothing recomputed."""
    out, first = reference
    part = tmp_path / "ps.partial.jsonl"
    part.write_bytes((out / "ps.partial.jsonl").read_bytes())
    before = part.read_bytes()
    res = run_sweep(psi_family(**FAMILY), tmp_path, name="ps", chunk_size=CHUNK, quiet=True)
    assert res.computed == 0 and res.summary["line"] == first.summary["line"]
    assert (tmp_path / "ps.csv").read_bytes() == (out / "ps.csv").read_bytes()
    assert (tmp_path / "ps.png").stat().st_size > 0  # redrawn
    assert part.read_bytes() == before
    assert "finished ps run of this configuration" in capsys.readouterr().err


def test_fresh_starts_over_on_purpose(tmp_path):
    fam = psi_family("1/2", "1/2", 1)
    run_sweep(fam, tmp_path, name="one", quiet=True, plot=False, locc_rounds=None)
    res = run_sweep(fam, tmp_path, name="one", quiet=True, plot=False, locc_rounds=None,
                    fresh=True)
    assert res.computed == 1
    assert len((tmp_path / "one.partial.jsonl").read_text().splitlines()) == 2
    with pytest.raises(SweepError, match="--resume keeps saved points and --fresh discards"):
        run_sweep(fam, tmp_path, name="one", resume=True, fresh=True)


def test_resume_of_finished_run_computes_nothing(reference, tmp_path):
    out, _ = reference
    (tmp_path / "ps.partial.jsonl").write_bytes((out / "ps.partial.jsonl").read_bytes())
    res = run_sweep(psi_family(**FAMILY), tmp_path, name="ps", chunk_size=CHUNK, resume=True,
                    quiet=True, plot=False)
    assert res.computed == 0
    assert table(tmp_path / "ps.csv") == table(out / "ps.csv")


def test_custom_family_api_x0_positive(tmp_path):
    """A user-defined family in a few lines; x = (x0=0.1, 0.4, 0.3, 0.2) has a certified PPT bound
    0.631... below kappa = 0.85, so kappa is not its LOCC optimum."""
    states = [("1/10", "2/5", "3/10", "1/5"), (0, "1/2", "1/4", "1/4")]
    res = run_sweep(states, tmp_path, name="mine", quiet=True, lower="tree")
    a, b = res.rows
    assert a["kappa_exact"] == "17/20" and a["sep_lower_kind"] == "tree"
    # off the plane: a measurement-tree SEP lower bound below the certified PPT bound, and
    # LOCC_sup >= locc_sup_lower, so SEP - LOCC_sup lies in [gap_lower, gap_upper]
    assert F(a["sep_lower_exact"]) <= F(a["sep_upper_certified_exact"])
    assert a["locc_upper_kind"] == "ppt" and a["locc_upper_exact"] == a["sep_upper_certified_exact"]
    assert F(a["gap_lower_exact"]) == F(a["sep_lower_exact"]) - F(a["locc_upper_exact"])
    assert F(a["gap_upper_exact"]) == F(a["sep_upper_certified_exact"]) - F(a["locc_sup_lower_exact"])
    assert a["sep_upper_certified"] < 0.64 and a["kappa_exceeds_sep_upper"] is True
    assert b["kappa_exceeds_sep_upper"] is False and b["gap_certified_exact"] == "1/8"
    assert res.summary["kappa_exceeds_sep_upper"]["ids"] == ["mine-0000"]
    assert "kappa exceeds the certified SEP upper bound at 1 of 2 points" in res.line
    assert "(x0, xA, xB, xC) = (1/10, 2/5, 3/10, 1/5)" in res.line
    for ext in ("csv", "json", "png", "pdf"):
        assert (tmp_path / f"mine.{ext}").stat().st_size > 0
    assert sdp.verify_file(tmp_path / "certificates" / "mine-0000.json").valid


def test_callable_family_with_params(tmp_path):
    res = run_sweep(lambda t: (t, (1 - t) / 2, (1 - t) / 2), tmp_path, params=[F(1, 2), F(3, 4)],
                    name="line", locc_rounds=None, quiet=True, plot=False)
    assert [r["t_exact"] for r in res.rows] == ["1/2", "3/4"]
    assert res.rows[1]["sep_lower_kind"] == "large_component"
    assert res.rows[1]["locc_lower"] is None
    assert "t = 1/2" in res.line
    with open(tmp_path / "line.csv") as f:
        header = next(csv.reader(f))
    assert header[:3] == ["id", "index", "t"] and "t_exact" in header


def test_uncertified_number_never_in_certified_column(monkeypatch, tmp_path):
    """When certification fails, sep_upper carries the solver value, sep_upper_certified stays
    empty, and the summary says so loudly."""
    real = sdp.sep_upper_bound

    def fake(state, **kw):
        res = real(state, **kw)
        res.certified, res.certificate = None, None
        res.certification_error = "simulated failure"
        return res
    monkeypatch.setattr(sdp, "sep_upper_bound", fake)
    res = run_sweep(psi_family("1/2", "1/2", 1), tmp_path, name="f", quiet=True, locc_rounds=None,
                    plot=False, shortcut=False)
    row = res.rows[0]
    assert row["sep_upper_certified"] is None and row["sep_upper_certified_exact"] is None
    assert row["sep_upper_kind"] == "numerical" and row["sep_upper_status"] == "optimal"
    assert row["sep_upper"] is None and row["sep_upper_numerical"] is not None
    assert row["sep_upper_note"] == "simulated failure"
    assert row["kappa_exceeds_sep_upper"] is None and row["certificate_file"] is None
    assert "WARNING: 1 of 1 have NO certified SEP upper bound" in res.line
    assert res.certificates == {}


def test_evaluate_point_rounds_bounds_outward():
    from experiments.families import custom_family
    p = custom_family([(F(1, 3), F(1, 3), F(1, 3))]).points[0]
    row = evaluate_point(p, locc_rounds=None).row
    up = F(row["sep_upper_certified_exact"])
    assert F(row["sep_upper_certified"]) >= up
    assert F(row["gap_upper"]) >= F(row["gap_upper_exact"])
    assert row["sep_lower"] == 1.0 and row["gap_certified"] == 0.0


def test_bad_arguments(tmp_path):
    with pytest.raises(SweepError, match="--workers"):
        run_sweep(psi_family("1/2", "1/2", 1), tmp_path, workers=0)
    with pytest.raises(SweepError, match="unknown solver"):
        run_sweep(psi_family("1/2", "1/2", 1), tmp_path, solver="MOSEK")
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(SweepError, match="cannot create output directory"):
        run_sweep(psi_family("1/2", "1/2", 1), blocker / "sub")
