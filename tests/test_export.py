"""Instruments out (--save-instrument, kraus_operators) and LaTeX tables (--latex).

The exported Kraus operators are re-checked here by independent float code that only reads the
saved file: completeness, product form (operator-Schmidt rank 1 on every cut, not the stored
factors), and that every success branch is Psi+ on its pair, with the total equal to the proved
value. The LaTeX rounding is checked against the exact values of the rows.
"""
import json
import math
import re
from fractions import Fraction as F

import numpy as np
import pytest
import scipy.io

from analytics import (ExportError, NoInstrumentError, WClassState, kraus_operators, psi_s,
                       sep_lower_bound)
from analytics.kraus import HasKrausOperators
from experiments.export import latex_number, latex_table
from tests.cli_helpers import run_cli

from tests.shared_results import OFF, off_plane_lower_bound

STATES = {
    "eq7": psi_s(F(1, 2)),
    "large_component": WClassState(F(3, 4), F(1, 8), F(1, 8)),
    "tree": OFF,
    "trivial": WClassState(F(1, 2), 0, 0),
}
SLOW_STATES = {"tree-2": WClassState.from_components(F(1, 10), F(3, 10), F(3, 10), F(3, 10))}
PSI_PLUS = np.array([0, 1, 1, 0]) / math.sqrt(2)   # on 00, 01, 10, 11 of the pair


def _phi(st):
    """sqrt(x0)|000> + sqrt(xA)|100> + sqrt(xB)|010> + sqrt(xC)|001>, index 4a + 2b + c."""
    v = np.zeros(8)
    v[0], v[4], v[2], v[1] = (math.sqrt(float(q)) for q in (st.x0, st.xA, st.xB, st.xC))
    return v


def _recheck(ops, labels, st, value):
    """Independent float checks of an exported instrument; returns the success probability."""
    ops = np.asarray(ops, dtype=complex)
    assert ops.shape[1:] == (8, 8)
    total = sum(k.conj().T @ k for k in ops)
    assert np.allclose(total, np.eye(8), atol=1e-10), "not complete"
    for k in ops:
        t = k.reshape(2, 2, 2, 2, 2, 2)  # a b c a' b' c'
        for party in range(3):
            others = [q for q in range(3) if q != party]
            m = t.transpose(party, party + 3, others[0], others[1], others[0] + 3, others[1] + 3)
            sv = np.linalg.svd(m.reshape(4, 16), compute_uv=False)
            assert sv[1] <= 1e-9 * max(sv[0], 1e-300), "not a product operator"
    phi = _phi(st)
    success = 0.0
    axes = {"AB": (0, 1, 2), "AC": (0, 2, 1), "BC": (1, 2, 0)}
    for k, lab in zip(ops, labels):
        out = (k @ phi).reshape(2, 2, 2)
        p = float(np.vdot(out, out).real)
        if lab == "fail" or p < 1e-15:
            continue
        i, j, rest = axes[lab]
        pair = out.transpose(i, j, rest).reshape(4, 2)       # (pair, third party)
        on_psi = PSI_PLUS.conj() @ pair                        # <Psi+|_pair (x) I
        assert abs(float(np.vdot(on_psi, on_psi).real) - p) <= 1e-10, f"branch {lab} is not Psi+"
        success += p
    assert success == pytest.approx(float(value), abs=1e-10)
    return success


@pytest.mark.parametrize("name", sorted(STATES) + [
    pytest.param(n, marks=pytest.mark.slow) for n in sorted(SLOW_STATES)])
def test_kraus_operators_recheck_independently(name):
    st = {**STATES, **SLOW_STATES}[name]
    bound = off_plane_lower_bound() if st == OFF else sep_lower_bound(st)
    assert isinstance(bound, HasKrausOperators)
    kops = kraus_operators(bound)
    assert kops.kind == bound.kind and kops.value == bound.value
    assert kops.operators.shape == (len(kops), 8, 8) and kops.factors.shape == (len(kops), 3, 2, 2)
    assert set(kops.labels) <= {"AB", "AC", "BC", "fail"}
    for k, (a, b, c) in zip(kops.operators, kops.factors):
        assert np.allclose(k, np.kron(np.kron(a, b), c))
    _recheck(kops.operators, kops.labels, st, bound.value)
    assert len(repr(kops)) < 300


@pytest.mark.parametrize("suffix", [".npz", ".mat"])
def test_saved_instrument_files_recheck(tmp_path, suffix):
    """`sepgap bound ... --save-instrument FILE` writes a file another tool can read; the
    operators read back pass the independent checks."""
    path = tmp_path / f"inst{suffix}"
    if suffix == ".npz":   # the command line (a plane state: no tree search, fast)
        st = STATES["large_component"]
        code, out, err = run_cli(["bound", "3/4", "1/8", "1/8", "--no-sdp", "--locc-rounds", "1",
                                  "--save-instrument", str(path)])
        assert code == 0, err
        assert f"instrument  {path}" in out
        value, kind = sep_lower_bound(st).value, "large_component"
    else:                  # the API, a flattened measurement tree
        st, bound = OFF, off_plane_lower_bound()
        kraus_operators(bound).save(path)
        value, kind = bound.value, "tree"
    if suffix == ".npz":
        d = np.load(path)
        ops, labels = d["operators"], [str(x) for x in d["labels"]]
        assert str(d["kind"]) == kind and F(str(d["value"])) == value
        assert d["factors"].shape == (len(labels), 3, 2, 2)
    else:
        m = scipy.io.loadmat(path)
        cell = m["kraus"]
        ops = [cell[0, i] for i in range(cell.shape[1])]
        labels = [str(m["labels"][0, i][0]) for i in range(cell.shape[1])]
        assert m["operators"].shape == (8, 8, len(labels))
        assert np.allclose(m["operators"][:, :, 0], ops[0])
        assert str(m["kind"][0]) == kind
    _recheck(ops, labels, st, value)


def test_save_instrument_bad_input(tmp_path):
    for arg, msg in [("x.txt", "unknown format '.txt'"), ("", "empty file name"),
                     (str(tmp_path), "is a directory"),
                     (str(tmp_path / "no" / "x.npz"), "does not exist")]:
        code, out, err = run_cli(["bound", "1/2", "1/4", "1/4", "--no-sdp", "--save-instrument", arg])
        assert code == 2 and out == "" and err.count("\n") == 1 and msg in err, (arg, err)
        assert err.startswith("sepgap: error: --save-instrument")
    with pytest.raises(ExportError):
        kraus_operators(sep_lower_bound(psi_s(F(1, 2)))).save(tmp_path / "x.csv")
    with pytest.raises(NoInstrumentError):
        kraus_operators(object())


# ---- LaTeX ----------------------------------------------------------------------------------

def test_latex_number_rounds_outward():
    long_q = F(2, 3) + F(1, 10 ** 40)
    assert latex_number("7/8", ">=") == r"\tfrac{7}{8}" and latex_number(F(1), "<=") == "1"
    assert latex_number(F(-3, 80), ">=") == r"-\tfrac{3}{80}"
    down, up = latex_number(long_q, ">="), latex_number(long_q, "<=")
    assert F(down) <= long_q <= F(up) and F(up) - F(down) == F(1, 10 ** 6)
    neg = -long_q
    assert F(latex_number(neg, ">=")) <= neg <= F(latex_number(neg, "<="))
    assert latex_number(None, ">=") == "--"
    with pytest.raises(ValueError):
        latex_number(long_q, None)


def _numbers(cell: str) -> list:
    """Fractions in a LaTeX cell: \\tfrac{p}{q}, decimals and integers."""
    cell = re.sub(r"(-?)\\tfrac\{(\d+)\}\{(\d+)\}", r"\1\2/\3", cell)
    return [F(t) for t in re.findall(r"-?\d+(?:/\d+|\.\d+)?", cell)]


@pytest.mark.slow  # two sweeps; the rounding itself is tested without a sweep below
@pytest.mark.parametrize("cmd", [["fig1", "--points", "3"],
                                 ["sweep", "grid", "--steps", "2", "--x0", "1/10"]])
def test_latex_table_of_a_sweep_contains_the_exact_brackets(tmp_path, cmd):
    out = tmp_path / "res"
    code, stdout, err = run_cli(cmd + ["--out", str(out), "--quiet", "--latex"])
    assert code == 0, err
    name = "fig1" if cmd[0] == "fig1" else "grid"
    text = (out / f"{name}.tex").read_text()
    assert r"\toprule" in text and r"\bottomrule" in text
    rows = json.loads((out / f"{name}.json").read_text())["rows"]
    body = text.split(r"\midrule")[1].split(r"\bottomrule")[0].strip().splitlines()
    assert len(body) == len(rows)
    for line, row in zip(body, rows):
        cells = [c.strip() for c in line.rstrip("\\ ").split("&")]
        sep, locc, gap = (_numbers(c) for c in cells[-3:])
        exact = {k: F(row[f"{k}_exact"]) for k in ("sep_lower", "locc_upper", "gap_lower",
                                                   "gap_upper")}
        exact["sep_upper"] = F(row["sep_upper_certified_exact"])
        exact["locc_lower"] = F(row["locc_lower"])
        assert sep[0] <= exact["sep_lower"] and sep[1] >= exact["sep_upper"]
        assert locc[0] <= exact["locc_lower"] and locc[1] >= exact["locc_upper"]
        assert gap[0] <= exact["gap_lower"] and gap[1] >= exact["gap_upper"]
        assert _numbers(cells[-4])[0] >= F(row["kappa_exact"])
        # and not looser than the last printed digit
        assert exact["sep_lower"] - sep[0] <= F(1, 10 ** 6)
        assert gap[1] - exact["gap_upper"] <= F(1, 10 ** 6)


def test_latex_bad_input(tmp_path):
    for arg, msg in [("t.txt", "must end in .tex"), (str(tmp_path), "is a directory"),
                     (str(tmp_path / "no" / "t.tex"), "does not exist")]:
        code, out, err = run_cli(["fig1", "--points", "2", "--out", str(tmp_path / "r"),
                                  "--latex", arg])
        assert code == 2 and err.count("\n") == 1 and msg in err, err
    assert not (tmp_path / "r").exists()  # refused before any work


def test_latex_table_brackets_contain_the_exact_ones():
    """Rows with long exact values (as off the plane): every printed end is on the right side."""
    import random
    rng = random.Random(20)
    for _ in range(50):
        vals = sorted(F(rng.randrange(1, 10 ** 30), 10 ** 30 + rng.randrange(1, 10 ** 6))
                      for _ in range(4))
        lo, hi = vals[0], vals[3]
        row = {"x0": 0.1, "x0_exact": "1/10", "xA": 0.3, "xA_exact": "3/10", "xB": 0.3,
               "xB_exact": "3/10", "xC": 0.3, "xC_exact": "3/10", "kappa_exact": str(vals[2]),
               "sep_lower_exact": str(lo), "sep_upper_certified_exact": str(hi),
               "locc_lower": float(vals[1]), "locc_upper_exact": str(vals[2]),
               "gap_lower_exact": str(lo - vals[2]), "gap_upper_exact": str(hi - vals[1])}
        line = latex_table([row]).split(r"\midrule")[1].split(r"\bottomrule")[0].strip()
        cells = [c.strip() for c in line.rstrip("\\ ").split("&")]
        sep, locc, gap = (_numbers(c) for c in cells[-3:])
        assert sep[0] <= lo and sep[1] >= hi
        assert locc[0] <= F(float(vals[1])) and locc[1] >= vals[2]
        assert gap[0] <= lo - vals[2] and gap[1] >= hi - vals[1]
        assert _numbers(cells[-4])[0] >= vals[2]
        assert hi - lo > 0 and sep[1] - sep[0] <= hi - lo + F(2, 10 ** 6)


def test_latex_table_rejects_rows_that_are_not_sweep_rows():
    from experiments.export import TableError
    with pytest.raises(TableError):
        latex_table([{"kappa": 1}])
    with pytest.raises(TableError):
        latex_table(["x"])


def test_latex_table_from_rows_directly():
    row = {"x0": 0.0, "x0_exact": "0", "xA": 0.5, "xA_exact": "1/2", "xB": 0.25, "xB_exact": "1/4",
           "xC": 0.25, "xC_exact": "1/4", "kappa_exact": "7/8", "sep_lower_exact": "1",
           "sep_upper_certified_exact": str(F(1) + F(1, 10 ** 20)), "locc_lower": 0.8747,
           "locc_upper_exact": "7/8", "gap_lower_exact": "1/8", "gap_upper_exact": None,
           "gap_upper": None}
    text = latex_table([row])
    assert r"$[1, 1.000001]$" in text and r"$[\tfrac{1}{8}, --]$" in text


def test_save_instrument_refuses_a_state_that_is_not_w_class(tmp_path):
    code, out, err = run_cli(["bound", "--amplitudes", "3/5", "0", "0", "0", "0", "0", "0", "4/5",
                              "--save-instrument", str(tmp_path / "x.npz")])
    assert code == 2 and out == "" and err.count("\n") == 1, err
    assert "--save-instrument: only for W-class states" in err
    assert not (tmp_path / "x.npz").exists()
