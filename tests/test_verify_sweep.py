"""`sepgap verify` on a sweep re-derives every column and every summary field (issue 16, item 1).

A real 3-point sweep (a plane state on the trivial bound, a plane state solved by the SDP, an
off-plane state where the certified PPT bound is below kappa); every column of the JSON and of
the CSV, and every summary field, is edited once: each edit must be rejected, except the
timing columns (run-dependent wall-clock times, documented as unchecked)."""
import copy
import csv
import json
import shutil
import subprocess
import sys
from fractions import Fraction as F

import pytest

from analytics.certificates import sep_lower_certificate
from analytics.states import WClassState
from experiments.brackets import derive, sep_lower_of, sweep_row, UpperReport
from experiments.cmd_verify import verify_path, verify_result
from experiments.evaluate import TIMING_COLUMNS
from experiments.families import Point, custom_family
from experiments.sweep import csv_value, run_sweep

STATES = {F(0): WClassState(F(1, 2), F(1, 4), F(1, 4)),
          F(1, 2): WClassState(F(3, 5), F(1, 5), F(1, 5)),
          F(1): WClassState(F(3, 10), F(3, 10), F(3, 10), x0=F(1, 10))}
_MEMO: dict = {}


def _verify(cert):
    key = json.dumps(cert, sort_keys=True)
    if key not in _MEMO:
        _MEMO[key] = verify_result(cert)
    return _MEMO[key]


@pytest.fixture(scope="module")
def sweep(tmp_path_factory):
    out = tmp_path_factory.mktemp("vs")
    fam = custom_family(lambda t: STATES[t], params=list(STATES), name="tv")
    run_sweep(fam, out, quiet=True, locc_rounds=50, plot=False, lower="tree")
    doc = json.loads((out / "tv.json").read_text())
    return out, doc


def _ok(path) -> tuple:
    res = verify_path(path, _verify)
    return all(ok for ok, _ in res), [line for ok, line in res if not ok]


def _copy(src, dst):
    shutil.copytree(src, dst)
    return dst


def _edited(v):
    """A value that differs meaningfully from ``v`` (same JSON type where there is one)."""
    if isinstance(v, bool):
        return not v
    if v is None:
        return "edited"
    if isinstance(v, int):
        return v + 1
    if isinstance(v, float):
        return v + 0.125
    if isinstance(v, str):
        try:
            q = F(v)
        except (ValueError, ZeroDivisionError):
            return v + "x"
        q += F(1, 10)
        return str(q.numerator) if q.denominator == 1 else f"{q.numerator}/{q.denominator}"
    if isinstance(v, list):
        return v + ["x"]
    raise TypeError(v)


def test_unedited_sweep_is_accepted(sweep, tmp_path):
    out, doc = sweep
    ok, bad = _ok(out / "tv.json")
    assert ok, bad
    assert doc["summary"]["kappa_exceeds_sep_upper"]["count"] == 1  # the off-plane point
    cli = subprocess.run([sys.executable, "-m", "experiments.cli", "verify", str(out / "tv.json")],
                         capture_output=True, text=True, timeout=300)
    assert cli.returncode == 0, cli.stderr
    assert "summary recomputed from the rows: agrees" in cli.stdout


def _columns():
    fam = custom_family(lambda t: STATES[t], params=list(STATES), name="tv")
    from experiments.evaluate import columns_for
    return columns_for(fam.param_names)


@pytest.mark.parametrize("row_index", [2, pytest.param(0, marks=pytest.mark.slow),
                                       pytest.param(1, marks=pytest.mark.slow)])
@pytest.mark.parametrize("column", _columns())
def test_every_json_column_edit_is_rejected(sweep, tmp_path, column, row_index):
    out, doc = sweep
    d = _copy(out, tmp_path / "s")
    doc = copy.deepcopy(doc)
    row = doc["rows"][row_index]
    row[column] = _edited(row[column])
    (d / "tv.json").write_text(json.dumps(doc))
    (d / "tv.csv").unlink()  # the JSON alone
    ok, bad = _ok(d / "tv.json")
    if column in TIMING_COLUMNS:
        assert ok, bad  # wall-clock times are the only columns allowed to differ
    else:
        assert not ok, f"edit of {column} accepted"


@pytest.mark.parametrize("column", _columns())
def test_every_csv_column_edit_is_rejected(sweep, tmp_path, column):
    out, doc = sweep
    d = _copy(out, tmp_path / "s")
    with open(d / "tv.csv", newline="") as f:
        rows = list(csv.DictReader(f))
    rows[2][column] = str(csv_value(_edited(doc["rows"][2][column])))
    with open(d / "tv.csv", "w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=list(rows[0]), lineterminator="\n")
        w.writeheader()
        w.writerows(rows)
    ok, bad = _ok(d / "tv.json")
    if column in TIMING_COLUMNS:
        assert ok, bad
    else:
        assert not ok and any("tv.csv" in b for b in bad), f"CSV edit of {column} accepted"


def _leaves(obj, path=()):
    if isinstance(obj, dict):
        for k, v in obj.items():
            yield from _leaves(v, path + (k,))
    else:
        yield path


def _summary_paths():
    # the fields every summary of this sweep has (checked against the real one below)
    return [("points",), ("certified",), ("uncertified",), ("max_gap_certified", "value"),
            ("max_gap_certified", "exact"), ("max_gap_certified", "ids"),
            ("max_gap_certified", "where"), ("max_gap_upper", "value"),
            ("max_gap_upper", "exact"), ("kappa_exceeds_sep_upper", "count"),
            ("kappa_exceeds_sep_upper", "ids"), ("kappa_exceeds_sep_upper", "where"), ("line",)]


def test_summary_paths_cover_the_summary(sweep):
    assert sorted(_leaves(sweep[1]["summary"])) == sorted(_summary_paths())


@pytest.mark.parametrize("path", _summary_paths())
def test_every_summary_edit_is_rejected(sweep, tmp_path, path):
    """E.g. a summary saying 'max certified gap 0.5', or a wrong count of points where kappa
    exceeds the certified bound."""
    out, doc = sweep
    d = _copy(out, tmp_path / "s")
    doc = copy.deepcopy(doc)
    node = doc["summary"]
    for k in path[:-1]:
        node = node[k]
    node[path[-1]] = _edited(node[path[-1]])
    (d / "tv.json").write_text(json.dumps(doc))
    ok, bad = _ok(d / "tv.json")
    assert not ok and any("summary: MISMATCH" in b for b in bad), path


def test_swapped_lower_certificate_in_the_upper_column_is_rejected(sweep, tmp_path):
    """The issue's attack: the PPT certificate of the off-plane row replaced by a valid *lower*
    bound certificate (a tree, SEP >= 0.6194...) and the whole row rewritten to match (here by
    the very functions that write rows): the row would claim SEP <= 0.6194..., which is false."""
    out, doc = sweep
    d = _copy(out, tmp_path / "s")
    doc = copy.deepcopy(doc)
    st = STATES[F(1)]
    lower = sep_lower_certificate(st, method="tree")
    assert verify_result(lower).valid
    i = 2
    pid = doc["rows"][i]["id"]
    low = F(lower["bound"]["exact"])
    rep = UpperReport.from_json(doc["upper_reports"][pid])
    b = derive(st, lower=sep_lower_of(st), upper_bound=low, report=rep,
               locc=None if doc["rows"][i]["locc_lower_exact"] is None else
               (F(doc["rows"][i]["locc_lower_exact"]), doc["rows"][i]["locc_protocol"], 50))
    row = sweep_row(Point(i, pid, st, {"t": F(1)}), b)
    assert row["sep_upper"] < doc["rows"][i]["sep_upper"]
    doc["rows"][i] = row
    doc["certificates"][pid] = lower
    (d / "tv.json").write_text(json.dumps(doc))
    (d / "tv.csv").unlink()
    (d / "certificates" / f"{pid}.json").write_text(json.dumps(lower))
    ok, bad = _ok(d / "tv.json")
    assert not ok and any("not an upper bound on SEP" in b for b in bad), bad


def test_missing_options_or_reports_are_errors_not_passes(sweep, tmp_path):
    out, doc = sweep
    for key in ("config", "upper_reports", "columns"):
        d = _copy(out, tmp_path / key)
        doc2 = copy.deepcopy(doc)
        del doc2[key]
        (d / "tv.json").write_text(json.dumps(doc2))
        ok, bad = _ok(d / "tv.json")
        assert not ok, key
