"""Issue 16 item 4: extreme but allowed inputs (exponents to +-400) give a result or one line
and exit 2, never a traceback, never an absurd number.

The property tests draw every number of a state as text the CLI accepts (``7e-300``,
``1/3000...0``, ``0.333...3`` with 30 digits, ``1e400``) over the whole allowed magnitude range,
for every command that takes a state (``bound``, ``locc``) and the family options that take
magnitudes (``sweep vacuum --x0min``, ``robustness --x0min``). The default run is small (a few
examples, ``--no-sdp`` where the SDP is not the point); the ``slow`` versions draw more and
solve the SDP."""
import re
from fractions import Fraction as F

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as hs

from analytics.limits import MAX_EXPONENT
from cli_helpers import run_cli
from experiments.cmd_robustness import sqrt_fit

SETTINGS = dict(deadline=None, suppress_health_check=[HealthCheck.too_slow],
                derandomize=True)


@hs.composite
def magnitude(draw):
    """A non-negative number as text, from 1e-400 to 1e400 (and 0, 1/2, 1)."""
    kind = draw(hs.sampled_from(["sci", "frac", "dec", "simple"]))
    e = draw(hs.integers(-MAX_EXPONENT, MAX_EXPONENT))
    m = draw(hs.integers(1, 9))
    if kind == "sci":
        return f"{m}e{e}"
    if kind == "frac":
        return f"{m}/{3 * 10 ** abs(e)}" if e < 0 else f"{m * 10 ** min(e, 5)}/3"
    if kind == "dec":
        return "0." + "3" * draw(hs.integers(1, 40))
    return draw(hs.sampled_from(["0", "1/2", "1/3", "1", "1/4"]))


@hs.composite
def state_args(draw):
    comps = [draw(magnitude()) for _ in range(3)]
    x0 = draw(hs.one_of(hs.none(), magnitude()))
    return comps + ([] if x0 is None else ["--x0", x0])


def _check_outcome(code, out, err):
    assert "Traceback" not in out + err
    if code == 2:  # refused: one line naming the problem
        assert out == "" and err.count("\n") == 1 and err.startswith("sepgap: error: ")
        assert len(err) < 400, err  # never a 400-digit number or a whole file name
    else:
        assert code == 0, (code, err)
        assert "nan" not in out.lower().split() and "inf" not in out.lower().split()


def _brackets_ordered(out):
    for name in ("SEP", "LOCC"):
        m = re.search(rf"^{name}\s+in\s+\[([-0-9.]+), ([-0-9.]+|n/a)\]", out, re.M)
        if m and m.group(2) != "n/a":
            assert float(m.group(1)) <= float(m.group(2)) + 1e-8, out


@settings(max_examples=6, **SETTINGS)
@given(state_args())
def test_bound_over_all_magnitudes(args):
    code, out, err = run_cli(["bound", *args, "--no-sdp"])
    _check_outcome(code, out, err)
    if code == 0:
        _brackets_ordered(out)


@settings(max_examples=6, **SETTINGS)
@given(state_args())
def test_locc_over_all_magnitudes(args):
    code, out, err = run_cli(["locc", *args, "--rounds", "20"])
    _check_outcome(code, out, err)


@pytest.mark.slow
@settings(max_examples=40, **SETTINGS)
@given(state_args())
def test_bound_with_sdp_over_all_magnitudes_slow(args):
    code, out, err = run_cli(["bound", *args])
    _check_outcome(code, out, err)
    if code == 0:
        _brackets_ordered(out)


@pytest.mark.slow
@settings(max_examples=40, **SETTINGS)
@given(state_args())
def test_locc_over_all_magnitudes_slow(args):
    code, out, err = run_cli(["locc", *args])
    _check_outcome(code, out, err)


# ---- the reported failures, one by one --------------------------------------------------------

@pytest.mark.parametrize("args", [
    ["1e-300", "0", "0"],  # a product state: SEP = 0 exactly, no SDP
    pytest.param(["1/2", "1/4", "1e-300"], marks=pytest.mark.slow),
    ["1e-300", "1e-300", "1e-300"]])
def test_dual_from_tiny_rationals_does_not_overflow(args):
    """``OverflowError: int too large to convert to float`` while building the dual."""
    code, out, err = run_cli(["bound", *args])
    _check_outcome(code, out, err)
    assert code == 0 and ("certified" in out or "SEP = 0 exactly" in out)


def test_x0_of_order_1e_minus_30_off_plane_protocol():
    """``KeyError: (1,)`` in the off-plane LOCC protocol at x0 = 1/(3 10^30)."""
    third = "0." + "3" * 30
    code, out, err = run_cli(["bound", "1/3", "1/3", third, "--no-sdp"])
    _check_outcome(code, out, err)
    assert code == 0
    code, out, err = run_cli(["locc", "1/3", "1/3", third, "--json"])
    _check_outcome(code, out, err)
    assert code == 0 and '"locc_lower": 0.6666' in out  # projective+Vidal, honestly labelled


@pytest.mark.slow
def test_vacuum_sweep_at_tiny_x0(tmp_path):
    code, out, err = run_cli(["sweep", "vacuum", "--x0min", "1e-40", "--x0max", "1e-30",
                              "--points", "2", "--out", str(tmp_path), "--quiet"])
    _check_outcome(code, out, err)
    assert code == 0 and (tmp_path / "vacuum.csv").exists()
    assert "2 points, all certified" in out
    import csv
    rows = list(csv.DictReader(open(tmp_path / "vacuum.csv")))
    assert len(rows) == 2 and all(r["locc_lower"] not in ("", None) for r in rows)


def test_huge_numbers_are_named_short():
    code, out, err = run_cli(["bound", "1e400", "0", "0", "--no-sdp"])
    assert code == 2 and "exceeds 1" in err and len(err) < 200


# ---- the robustness fit ----------------------------------------------------------------------

def _row(x0: F, deficit: F) -> dict:
    return {"x0": float(x0), "x0_exact": str(x0), "sep_lower": float(1 - deficit),
            "sep_lower_exact": str(1 - deficit)}


def test_sqrt_fit_ignores_deficits_below_search_resolution():
    """Below x0 ~ 1e-32 the fit printed c = 1.68e134: deficits there are float-search noise."""
    tiny = [_row(F(1, 10 ** k), F(4, 10 ** 16)) for k in (300, 200, 100, 40)]
    assert sqrt_fit(tiny, F(1)).startswith("no sqrt(x0) fit")


def test_sqrt_fit_recovers_the_coefficient_in_exact_values():
    # deficit = c sqrt(x0) with c = 3/2 exactly at x0 = 10^-2k; plus noise points far below
    rows = [_row(F(1, 10 ** (2 * k)), F(3, 2) / 10 ** k) for k in (2, 4, 6, 9)]
    rows += [_row(F(1, 10 ** 300), F(4, 10 ** 16))]
    text = sqrt_fit(rows, F(1))
    assert "1 - 1.500 sqrt(x0)" in text and "fit over 4 points" in text


@pytest.mark.slow
def test_robustness_at_tiny_x0_prints_no_absurd_fit(tmp_path):
    code, out, err = run_cli(["robustness", "--x0min", "1e-300", "--x0max", "1e-250", "--points",
                              "2", "--no-locc", "--out", str(tmp_path), "--quiet"])
    assert code == 0, err
    assert "no sqrt(x0) fit" in out and "e+" not in out
    assert "(s, x0) = (1/2, 1e-300)" in out and len(max(out.splitlines(), key=len)) < 400


# ---- the Python API over the same range ----------------------------------------------------

@settings(max_examples=10, **SETTINGS)
@given(hs.lists(magnitude(), min_size=3, max_size=4))
def test_api_over_all_magnitudes(comps):
    """kappa, eta, sep_lower_bound and locc_lower_bound: a result within [0, 1] or a
    specific InvalidStateError, for strings and for the floats they denote."""
    from analytics import InvalidStateError, as_state, eta, kappa, locc_lower_bound, sep_lower_bound
    def as_float(c):
        try:
            return float(F(c))
        except OverflowError:  # beyond 1.8e308: the float is inf, which as_state refuses
            return float("inf")
    for x in (comps, [as_float(c) for c in comps]):
        try:
            st = as_state(x)
        except InvalidStateError:
            continue
        k, e = kappa(st), eta(st)
        assert 0 <= e <= k <= 1
        if st.x0 == 0 or st.is_product:  # off the plane the lower-bound search is the cost
            lb = sep_lower_bound(st)
            assert lb.value is None or 0 <= lb.value <= 1
        lo = locc_lower_bound(st, rounds=10)
        assert 0 <= lo.locc_lower <= float(k) + 1e-9
