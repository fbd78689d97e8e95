"""The PPT value as a screen function (sdp/screen.py) and the resumable screen
(experiments/ppt_screen.py), issue 18.

Independent sources: ``ppt_upper_bound`` (the full path, default tolerances), the model built by
``build_ppt_relaxation`` (against the template composition), ``analytics.measurements.measure``
(closed-form branch map, for the caught violation), a second, uninterrupted run (for resume),
certificates (slow test).
"""
from __future__ import annotations

import json

import numpy as np
import pytest

from analytics import WClassState
from analytics.measurements import measure
from analytics.monotone_candidates import vacuum
from analytics.monotone_check import measurement_of
from experiments.ppt_screen import (ScreenCheckpointError, ScreenError, _checksum, make_plan,
                                    run_ppt_screen, screen_config)
from sdp.bounds import ppt_upper_bound
from sdp.frame import frame_for
from sdp.relaxation import build_ppt_relaxation, make_spec
from sdp.screen import (ScreenInputError, normalised_state, ppt_screen_value, ppt_screen_values,
                        screen_compiled)

KAPPA = "analytics.monotone_candidates:kappa_weights"
VACUUM = "analytics.monotone_candidates:vacuum"


# ---- the screen value -------------------------------------------------------------------------------

@pytest.mark.parametrize("w", [(0.1, 0.3, 0.3, 0.3), (0.0, 0.2, 0.3, 0.5)])
def test_screen_value_is_the_ppt_value_and_homogeneous(w):
    ref = ppt_upper_bound(WClassState.from_components(*(str(t) for t in w))).value
    v = ppt_screen_value(np.array(w))
    assert abs(v.value - ref) < 1e-6 and abs(v.gap) < 1e-6
    scaled = ppt_screen_values(np.array([w]) * 2.5)
    assert scaled[0] == pytest.approx(2.5 * v.value, abs=1e-8)
    assert ppt_screen_value(np.zeros(4)).value == 0.0


def test_template_model_equals_the_built_model():
    """The x0 > 0 model composed from the fidelity template is build_ppt_relaxation's model."""
    spec = make_spec()
    for w in ([0.2, 0.1, 0.3, 0.4], [0.003, 0.5, 0.0, 0.497], [0.6, 0.25, 0.1, 0.05]):
        fr = frame_for(normalised_state(w))
        ref, got = build_ppt_relaxation(fr, spec).canonical, screen_compiled(fr).canonical
        assert ref.psd_sizes == got.psd_sizes and ref.n_nonneg == got.n_nonneg
        assert ref.tags == got.tags and ref.A.shape == got.A.shape
        assert abs(ref.A - got.A).max() < 1e-12 and abs(ref.B - got.B).max() < 1e-12
        assert np.abs(ref.b0 - got.b0).max() < 1e-12 and np.abs(ref.c - got.c).max() < 1e-12


@pytest.mark.parametrize("bad", [[0.1, float("nan"), 0.4, 0.5], [0.1, -0.2, 0.6, 0.5],
                                 [0.1, 0.2, 0.7], "abcd"])
def test_bad_weights_raise(bad):
    with pytest.raises(ScreenInputError):
        ppt_screen_value(bad)


def test_bad_array_shape_raises():
    with pytest.raises(ScreenInputError):
        ppt_screen_values(np.ones((3, 3)))


# ---- the screen through the executors and the checkpoint ------------------------------------------

def test_known_non_monotone_caught_through_the_checkpointed_path(tmp_path):
    path = tmp_path / "v.jsonl"
    res = run_ppt_screen(path, pairs=60, function=VACUUM, recheck=0)
    assert res.done and all(res.pairs[p] == 60 for p in "ABC")
    assert all(res.violations[p] > 0 for p in "ABC")
    # the worst pair, recomputed with the closed-form branch map of analytics.measurements
    inc, w, (a1, u, v) = res.worst["A"]
    meas = measurement_of(np.array(w), 0, a1, u, v)
    st = WClassState.from_components(*w, renormalise=True)
    after = sum(float(b.probability) * float(b.state.x0) for b in measure(st, meas))
    assert inc == pytest.approx(after - w[0], abs=1e-9) and inc > 0.1
    assert res.table()[2].startswith("| A | 60 of 60 | ") and len(res.table()) == 5
    summary = json.loads(path.with_name("v.jsonl.summary.json").read_text())
    assert summary["pairs"] == {"A": 60, "B": 60, "C": 60} and summary["done"]


def test_kappa_is_clean_through_the_same_path(tmp_path):
    res = run_ppt_screen(tmp_path / "k.jsonl", pairs=300, function=KAPPA, chunk_states=20)
    assert res.done and sum(res.violations.values()) == 0
    assert max(w[0] for w in res.worst.values()) < 1e-12


def test_resume_reads_back_and_gives_the_same_result(tmp_path):
    full = run_ppt_screen(tmp_path / "full.jsonl", pairs=20, function=VACUUM)
    path = tmp_path / "part.jsonl"
    run_ppt_screen(path, pairs=20, function=VACUUM)
    lines = path.read_text().splitlines(keepends=True)
    path.write_text("".join(lines[:25]) + lines[25][:30])  # stopped mid-write
    notes = []
    res = run_ppt_screen(path, pairs=20, function=VACUUM, recheck=3, progress=notes.append)
    assert res.saved_before == 24 and res.evaluations == len(lines) - 1 - 24
    assert any("incomplete last line" in n for n in notes)
    assert any("read back 24 saved evaluations" in n for n in notes)
    assert res.worst == full.worst and res.violations == full.violations and res.done
    again = run_ppt_screen(path, pairs=20, function=VACUUM)
    assert again.evaluations == 0 and again.saved_before == len(lines) - 1


def test_evaluate_false_only_reads_back(tmp_path):
    path = tmp_path / "e.jsonl"
    run_ppt_screen(path, pairs=10, function=VACUUM)
    lines = path.read_text().splitlines(keepends=True)
    path.write_text("".join(lines[:12]))
    res = run_ppt_screen(path, pairs=10, function=VACUUM, evaluate=False)
    assert res.evaluations == 0 and not res.done and res.saved_before == 11
    assert len(path.read_text().splitlines()) == 12


def test_a_checkpoint_in_use_is_refused(tmp_path):
    fcntl = pytest.importorskip("fcntl")
    path = tmp_path / "l.jsonl"
    with open(tmp_path / ".l.jsonl.lock", "a+") as held:
        fcntl.flock(held.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        with pytest.raises(ScreenCheckpointError, match="another run"):
            run_ppt_screen(path, pairs=3, function=VACUUM)
    assert run_ppt_screen(path, pairs=3, function=VACUUM).done


def _rewrite(path, n, change):
    lines = path.read_text().splitlines()
    rec = json.loads(lines[n])
    change(rec)
    lines[n] = json.dumps(rec)
    path.write_text("\n".join(lines) + "\n")


def _resign(rec):
    rec["sum"] = _checksum(rec)


@pytest.mark.parametrize("tamper, match", [
    (lambda r: r.update(value=r["value"] + 1e-3), "checksum"),
    (lambda r: (r.update(w=[r["w"][0] * 2] + r["w"][1:]), _resign(r)), "differ from the plan"),
    (lambda r: (r.update(id="A/s999"), _resign(r)), "not in the plan"),
    (lambda r: (r.update(value=float("nan")), _resign(r)), "not a finite"),
    (lambda r: r.pop("sum"), "keys"),
])
def test_tampered_checkpoint_is_rejected(tmp_path, tamper, match):
    path = tmp_path / "t.jsonl"
    run_ppt_screen(path, pairs=5, function=VACUUM)
    _rewrite(path, 3, tamper)
    with pytest.raises(ScreenCheckpointError, match=match):
        run_ppt_screen(path, pairs=5, function=VACUUM)


def test_malformed_checkpoints_are_rejected(tmp_path):
    path = tmp_path / "m.jsonl"
    run_ppt_screen(path, pairs=5, function=VACUUM)
    good = path.read_text().splitlines()
    for body, match in ((good[:3] + ["{not json"] + good[3:], "not JSON"),
                        (good + [good[2]], "saved twice"),
                        (["garbage"] + good[1:], "not a sepgap-ppt-screen")):
        path.write_text("\n".join(body) + "\n")
        with pytest.raises(ScreenCheckpointError, match=match):
            run_ppt_screen(path, pairs=5, function=VACUUM)
    path.write_text("\n".join(good) + "\n")
    with pytest.raises(ScreenCheckpointError, match="another configuration .*pairs"):
        run_ppt_screen(path, pairs=6, function=VACUUM)


def test_a_resigned_wrong_value_does_not_recompute(tmp_path):
    path = tmp_path / "r.jsonl"
    run_ppt_screen(path, pairs=2, per_state=1, function=VACUUM)
    for n in range(1, len(path.read_text().splitlines())):
        _rewrite(path, n, lambda r: (r.update(value=r["value"] + 0.25), _resign(r)))
    with pytest.raises(ScreenCheckpointError, match="does not recompute"):
        run_ppt_screen(path, pairs=2, per_state=1, function=VACUUM, recheck=1)


@pytest.mark.parametrize("kw", [dict(pairs=0), dict(parties="XY"), dict(function="nomodule"),
                                dict(function="analytics:nothing_here"), dict(tol=-1.0),
                                dict(max_seconds=0)])
def test_bad_arguments(tmp_path, kw):
    with pytest.raises(ScreenError):
        run_ppt_screen(tmp_path / "x.jsonl", **{"pairs": 3, "function": VACUUM, **kw})


def test_plan_is_deterministic_and_exact_in_count():
    a, b = make_plan(screen_config(23, 5, 7)), make_plan(screen_config(23, 5, 7))
    assert a.points == b.points
    assert all(int(pp.valid.sum()) == 23 for pp in a.parties.values())


# ---- the real PPT screen ----------------------------------------------------------------------------

@pytest.mark.slow
def test_short_ppt_screen_is_clean_and_certified(tmp_path):
    res = run_ppt_screen(tmp_path / "p.jsonl", pairs=4, per_state=2, certify_top=2)
    assert res.done and sum(res.violations.values()) == 0
    for rows in res.certified.values():
        assert len(rows) == 2 and all(r["certified"] and r["excess"] < 1e-6 for r in rows)


@pytest.mark.slow
def test_screen_runs_on_a_process_pool(tmp_path):
    serial = run_ppt_screen(tmp_path / "s.jsonl", pairs=40, function=VACUUM)
    pooled = run_ppt_screen(tmp_path / "p.jsonl", pairs=40, function=VACUUM, workers=2)
    assert pooled.worst == serial.worst and pooled.executor == "local process pool of 2"


@pytest.mark.slow
def test_screen_runs_on_dask(tmp_path):
    pytest.importorskip("distributed")
    serial = run_ppt_screen(tmp_path / "s.jsonl", pairs=20, function=VACUUM)
    dask = run_ppt_screen(tmp_path / "d.jsonl", pairs=20, function=VACUUM, scheduler="local:1")
    assert dask.worst == serial.worst and dask.executor == "dask LocalCluster of 1"
    assert (tmp_path / "d.jsonl").read_text() != "" and dask.done
