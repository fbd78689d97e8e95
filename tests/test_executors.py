"""Executors (experiments/executors.py): every executor gives the rows of the serial run; a worker
killed mid-chunk loses and duplicates nothing; resume works across executors; workers die with
their parent; SIGTERM behaves like Ctrl-C."""
import csv
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from experiments.evaluate import TIMING_COLUMNS
from experiments.executors import (KILL_ONCE_ENV, ExecutorError, parse_scheduler,
                                   remaining_task)
from experiments.families import psi_family, tetra_family
from experiments.sweep import STOP_AFTER_ENV, SweepError, run_sweep
from cli_helpers import run_cli  # noqa: E402

# psi: 7 points in chunks of 3 (warm-started chains, so a recomputed chunk must continue from
# stored warm starts exactly); tetra --steps 2: 10 points, orbit reuse (x0 = 0, 1/2, 1)
PSI = dict(smin="2/5", smax="7/10", points=7)
CHUNK = 3
ROOT = Path(__file__).resolve().parents[1]


def table(path):
    with open(path, newline="") as f:
        return [{k: v for k, v in r.items() if k not in TIMING_COLUMNS} for r in csv.DictReader(f)]


def partial_ids(path):
    lines = Path(path).read_text().splitlines()[1:]
    return [json.loads(ln)["id"] for ln in lines if ln.strip()]


@pytest.fixture(scope="module")
def ref(tmp_path_factory):
    """Serial reference runs (psi chunks of 3, tetra --steps 2)."""
    out = tmp_path_factory.mktemp("ref")
    run_sweep(psi_family(**PSI), out, name="ps", chunk_size=CHUNK, quiet=True, plot=False)
    run_sweep(tetra_family(2), out, quiet=True, plot=False)
    return out


@pytest.fixture(scope="module")
def cluster():
    """One LocalCluster of two single-threaded worker processes, used by address."""
    distributed = pytest.importorskip("distributed")
    import logging
    c = distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                 dashboard_address=None, silence_logs=logging.ERROR)
    yield c
    c.close()


# ---- choosing an executor -----------------------------------------------------------------------

@pytest.mark.parametrize("text, expected", [
    (None, None), ("local:2", ("local", 2)), ("tcp://10.0.0.1:8786", ("address", "tcp://10.0.0.1:8786")),
    ("host:8786", ("address", "host:8786")),
])
def test_parse_scheduler(text, expected):
    assert parse_scheduler(text) == expected


@pytest.mark.parametrize("text", ["", "local:0", "local:x", "local:", "nohost"])
def test_parse_scheduler_rejects(text):
    with pytest.raises(ExecutorError, match="--scheduler"):
        parse_scheduler(text)


def test_remaining_task_continues_like_resume():
    fam = psi_family(**PSI)
    pts = fam.points[:3]
    task = {"points": pts, "compute": [True, True, True], "warm": {}, "options": {}}
    got = remaining_task(task, {pts[0].id: {"id": pts[0].id, "warm": {"w": 1}}})
    assert got["compute"] == [False, True, True]
    assert got["warm"] == {0: {"w": 1}}  # the delivered point's warm start feeds the next one
    assert remaining_task(task, {p.id: {"warm": None} for p in pts}) is None


def test_scheduler_and_workers_together_refused(tmp_path):
    code, out, err = run_cli(["sweep", "tetra", "--steps", "1", "--out", str(tmp_path),
                              "--workers", "2", "--scheduler", "local:2"])
    assert code == 2 and err.count("\n") == 1 and "--scheduler" in err


def test_missing_dask_is_one_line(tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "distributed", None)  # import distributed -> ImportError
    code, out, err = run_cli(["sweep", "tetra", "--steps", "1", "--out", str(tmp_path),
                              "--scheduler", "local:2"])
    assert code == 2 and err.count("\n") == 1
    assert "pip install 'sepgap[dask]'" in err and "Traceback" not in err


# ---- identical rows -------------------------------------------------------------------------------

def test_pool_rows_equal_serial(ref, tmp_path):
    run_sweep(tetra_family(2), tmp_path, workers=2, quiet=True, plot=False)
    assert table(tmp_path / "tetra.csv") == table(ref / "tetra.csv")


def test_local_cluster_rows_equal_serial(ref, tmp_path):
    """``--scheduler local:2`` (its own LocalCluster of two workers) through the CLI."""
    pytest.importorskip("distributed")
    code, out, err = run_cli(["sweep", "tetra", "--steps", "2", "--out", str(tmp_path),
                              "--scheduler", "local:2", "--quiet"])
    assert code == 0, err
    assert table(tmp_path / "tetra.csv") == table(ref / "tetra.csv")
    prov = json.loads((tmp_path / "tetra.json").read_text())["provenance"]
    assert prov["executor"] == "dask LocalCluster of 2"


def test_scheduler_address_rows_equal_serial(ref, cluster, tmp_path):
    run_sweep(psi_family(**PSI), tmp_path, name="ps", chunk_size=CHUNK, quiet=True, plot=False,
              scheduler=cluster.scheduler_address)
    assert table(tmp_path / "ps.csv") == table(ref / "ps.csv")


# ---- a worker killed mid-chunk ---------------------------------------------------------------------

@pytest.mark.parametrize("how", ["pool", "dask"])
def test_killed_worker_loses_and_duplicates_nothing(how, ref, tmp_path, monkeypatch, request):
    kw = {"workers": 2}
    if how == "dask":
        kw = {"scheduler": request.getfixturevalue("cluster").scheduler_address}
    marker = tmp_path / "killed"
    monkeypatch.setenv(KILL_ONCE_ENV, str(marker))
    res = run_sweep(psi_family(**PSI), tmp_path / "out", name="ps", chunk_size=CHUNK, quiet=True,
                    plot=False, **kw)
    assert marker.exists()  # a worker really died after its first point
    ids = partial_ids(tmp_path / "out" / "ps.partial.jsonl")
    assert sorted(ids) == sorted(set(ids)) and len(ids) == 7  # nothing lost, nothing twice
    assert res.computed == 7
    assert table(tmp_path / "out" / "ps.csv") == table(ref / "ps.csv")


# ---- resume across executors ----------------------------------------------------------------------

@pytest.mark.parametrize("first, second", [("dask", "serial"), ("serial", "dask"),
                                           ("pool", "dask")])
def test_resume_across_executors(first, second, ref, cluster, tmp_path, monkeypatch):
    kws = {"serial": {}, "pool": {"workers": 2},
           "dask": {"scheduler": cluster.scheduler_address}}
    monkeypatch.setenv(STOP_AFTER_ENV, "3")
    with pytest.raises(KeyboardInterrupt):
        run_sweep(psi_family(**PSI), tmp_path, name="ps", chunk_size=CHUNK, quiet=True,
                  plot=False, **kws[first])
    monkeypatch.delenv(STOP_AFTER_ENV)
    saved = len(partial_ids(tmp_path / "ps.partial.jsonl"))
    assert 3 <= saved < 7
    res = run_sweep(psi_family(**PSI), tmp_path, name="ps", chunk_size=CHUNK, quiet=True,
                    plot=False, resume=True, **kws[second])
    assert res.computed == 7 - saved
    assert table(tmp_path / "ps.csv") == table(ref / "ps.csv")


def test_bad_scheduler_in_api(tmp_path):
    with pytest.raises(SweepError, match="--scheduler"):
        run_sweep(tetra_family(1), tmp_path, scheduler="local:0")


# ---- item 7 of issue 12: parent death and SIGTERM ---------------------------------------------------

def _children(pid):
    kids = []
    for d in Path("/proc").iterdir():
        if d.name.isdigit():
            try:
                stat = (d / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                kids.append(int(d.name))
    return kids


def _alive(pid):
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


def _start_long_sweep(out):
    """A CLI sweep with two pool workers, returned once a point is saved (workers running)."""
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    proc = subprocess.Popen([sys.executable, "-m", "experiments.cli", "sweep", "psi",
                             "--smin", "1/2", "--smax", "7/10", "--points", "400",
                             "--workers", "2", "--out", str(out), "--quiet"],
                            cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True)
    part = out / "psi.partial.jsonl"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if part.exists() and len(part.read_text().splitlines()) >= 2 and len(_children(proc.pid)) >= 2:
            return proc
        if proc.poll() is not None:
            break
        time.sleep(0.2)
    proc.kill()
    pytest.fail(f"the sweep did not start: {proc.communicate()[1]}")


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
def test_workers_exit_when_parent_is_killed(tmp_path):
    proc = _start_long_sweep(tmp_path)
    kids = _children(proc.pid)
    proc.send_signal(signal.SIGKILL)
    proc.communicate()
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and any(_alive(k) for k in kids):
        time.sleep(0.1)
    assert not [k for k in kids if _alive(k)], "worker processes outlived their parent"


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
def test_sigterm_is_like_ctrl_c(tmp_path):
    proc = _start_long_sweep(tmp_path)
    kids = _children(proc.pid)
    proc.send_signal(signal.SIGTERM)
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 130
    assert "run the same command with --resume to finish" in err
    assert "Traceback" not in err and "leaked" not in err
    deadline = time.monotonic() + 10  # the resource tracker exits just after its parent
    while time.monotonic() < deadline and any(_alive(k) for k in kids):
        time.sleep(0.1)
    assert not [k for k in kids if _alive(k)]
    saved = partial_ids(tmp_path / "psi.partial.jsonl")
    assert saved and len(saved) == len(set(saved))
