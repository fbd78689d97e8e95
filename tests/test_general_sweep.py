"""`sepgap sweep ghz|wghz`: rows with brackets, certificates, and `sepgap verify` re-deriving
every row (issue 19, item 5)."""
import json
from fractions import Fraction as F

import pytest

from experiments.general_sweep import GeneralSweepError, family_states
from tests.cli_helpers import run_cli


def test_family_states_and_bad_options():
    pts = family_states("ghz", 0, F(1, 4), 3)
    assert [t for t, _ in pts] == [0, F(1, 8), F(1, 4)]
    assert pts[2][1][0] == pytest.approx(2 ** -0.5) and pts[2][1][7] == pytest.approx(2 ** -0.5)
    w = family_states("wghz", 0, F(1, 2), 2)
    assert w[0][1][1] == pytest.approx(3 ** -0.5) and w[1][1][0] == pytest.approx(2 ** -0.5)
    from experiments.general_sweep import parse_l
    c = family_states("canonical", 0, 1, 3, parse_l("1,1,0,0,1"))
    assert c[1][1][4] == pytest.approx(1j / 3 ** 0.5) and c[2][1][4] == pytest.approx(-1 / 3 ** 0.5)
    for bad in ("1,2", "1,1,1,1,-1", "0,0,0,0,0", "a,1,1,1,1"):
        with pytest.raises(GeneralSweepError):
            parse_l(bad)
    for args in (("ghz", 0, 2, 3), ("ghz", F(1, 2), 0, 3), ("ghz", 0, 1, 0), ("xyz", 0, 1, 3)):
        with pytest.raises(GeneralSweepError):
            family_states(*args)


@pytest.mark.slow
def test_ghz_sweep_rows_verify_and_tampering(tmp_path):
    rc, out, err = run_cli(["sweep", "ghz", "--points", "3", "--out", str(tmp_path)])
    assert rc == 0 and "3 certified" in out
    doc = json.loads((tmp_path / "ghz.json").read_text())
    rows = doc["rows"]
    # the one-measurement value is 2 min(|a|^2, |b|^2) of the binary amplitudes, exactly
    for r in rows:
        a, b = (F(x) for x in (r["amplitudes_exact"][0], r["amplitudes_exact"][7]))
        assert F(r["locc_lower_exact"]) == 2 * min(a * a, b * b) / (a * a + b * b)
        assert F(r["sep_upper_exact"]) >= F(r["locc_lower_exact"])
    rc, out, _ = run_cli(["verify", str(tmp_path / "ghz.json")])
    assert rc == 0 and "all 3 rows re-derived" in out
    rows[1]["sep_upper_exact"] = str(F(rows[1]["sep_upper_exact"]) - F(1, 10 ** 9))
    (tmp_path / "bad.json").write_text(json.dumps(doc))
    rc, _, err = run_cli(["verify", str(tmp_path / "bad.json")])
    assert rc == 1 and "MISMATCH" in err
    rc, _, err = run_cli(["sweep", "ghz", "--points", "3", "--out", str(tmp_path)])
    assert rc == 2 and "--fresh" in err
