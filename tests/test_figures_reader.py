"""Issue 16 item 7: figures as a reader of a paper sees them (human labels, a diverging map
centred at 0 for signed gaps, axes limited to the data, legends saying which line is the lower
and which the upper bound, s = 1/2 sampled by fig1 --extended, analytic curves exact)."""
import re
from fractions import Fraction as F

import numpy as np
import pytest

from analytics import kappa, psi_s, sep_lower_bound
from experiments import plots, style
from experiments.families import PSI_EXTENDED_POINTS, PSI_EXTENDED_SMAX, psi_family

CODE_NAME = re.compile(r"\b(gap_lower|gap_upper|gap_certified|sep_lower|sep_upper|locc_upper|"
                       r"eq7|large_component)\b|instrument '")


@pytest.fixture
def captured(monkeypatch):
    """Every figure built, not saved (the tests read its artists; saving 300-dpi PNG and PDF
    only costs time; tests/test_plots.py saves and checks the files)."""
    figs = []

    def keep(fig, stem):
        figs.append(fig)
        return {}
    monkeypatch.setattr(plots, "save_figure", keep)
    return figs


def _texts(fig):
    out = [t.get_text() for leg in fig.legends for t in leg.get_texts()]
    for ax in fig.axes:
        out += [ax.get_xlabel(), ax.get_ylabel(), ax.get_title()]
        if ax.get_legend() is not None:
            out += [t.get_text() for t in ax.get_legend().get_texts()]
    return [t for t in out if t]


def _psi_rows(svals):
    rows = []
    for s in svals:
        st = psi_s(s)
        lo = sep_lower_bound(st)
        k = kappa(st)
        rows.append({"id": f"psi-{s}", "s": float(s), "s_exact": str(s), "kappa": float(k),
                     "kappa_exact": str(k), "sep_lower": float(lo.value),
                     "sep_lower_exact": str(lo.value), "sep_lower_kind": lo.kind,
                     "sep_upper_certified": float(lo.value) + 1e-9,
                     "sep_upper_certified_exact": str(lo.value + F(1, 10 ** 9)),
                     "sep_upper_kind": "certified", "sep_upper_method": "ppt",
                     "locc_lower": None, "gap_certified": float(lo.value - k)})
    return rows


def test_fig1_extended_default_samples_s_one_half():
    fam = psi_family(F(1, 3), PSI_EXTENDED_SMAX, PSI_EXTENDED_POINTS)
    assert F(1, 2) in [p.params["s"] for p in fam.points]


def test_coarse_psi_sweep_draws_the_analytic_curves_with_the_kink(tmp_path, captured):
    svals = [F(1, 3) + i * (F(9, 10) - F(1, 3)) / 4 for i in range(5)]  # 1/2 is not a sample
    plots.plot_fig1(_psi_rows(svals), tmp_path / "p")
    ax = captured[-1].axes[0]
    lines = {ln.get_label(): ln for ln in ax.get_lines()}
    kap = next(ln for lab, ln in lines.items() if "LOCC supremum" in lab)
    sep = next(ln for lab, ln in lines.items() if lab.startswith("lower bound: SEP"))
    for ln, exact in ((kap, lambda s: 2 * (1 - s) - (1 - s) ** 2 / (4 * s)),
                      (sep, lambda s: min(1.0, 2 * (1 - s)))):
        x, y = ln.get_data()
        assert len(x) > 200  # dense, not the 5 samples joined
        assert np.allclose(y, [exact(v) for v in x], atol=1e-12)
    x, y = sep.get_data()
    assert 0.5 in x and y[list(x).index(0.5)] == 1.0  # the kink is a vertex of the curve


def test_legends_and_labels_use_no_code_names(tmp_path, captured):
    svals = [F(1, 3) + i * (F(9, 10) - F(1, 3)) / 4 for i in range(5)]
    plots.plot_fig1(_psi_rows(svals), tmp_path / "p")
    rows = _robustness_rows()
    plots.plot_robustness(rows, tmp_path / "r", s_main="1/2")
    for fig in captured:
        texts = _texts(fig) + [a.get_ylabel() for a in fig.axes]
        bad = [t for t in texts if CODE_NAME.search(t)]
        assert not bad, bad


def _robustness_rows():
    rows = []
    for s in ("2/5", "1/2", "3/5"):
        for j, x0 in enumerate(("1/10000", "1/1000", "1/100", "1/10")):
            g = 0.1 - 0.04 * j - (0.02 if s == "2/5" else 0)
            rows.append({"id": f"r-{s}-{x0}", "s_exact": s, "x0_exact": x0,
                         "x0": float(F(x0)), "s": float(F(s)), "gap_lower": g,
                         "gap_upper": g + 0.05, "sep_lower": 0.9 - 0.1 * j,
                         "sep_upper": 0.95 - 0.1 * j, "locc_lower": 0.7 - 0.1 * j,
                         "locc_upper": 0.85 - 0.1 * j, "kappa": 0.875})
    return rows


def test_robustness_line_legend_names_lower_and_upper_bounds(tmp_path, captured):
    plots.plot_robustness(_robustness_rows(), tmp_path / "r", s_main="1/2")
    texts = " | ".join(_texts(captured[0]))
    for what in ("SEP lower bound", "SEP upper bound", "LOCC lower bound", "LOCC upper bound",
                 "gap lower bound", "gap upper bound"):
        assert what in texts, what


def test_robustness_grid_diverging_at_zero_and_limited_to_the_data(tmp_path, captured):
    plots.plot_robustness(_robustness_rows(), tmp_path / "r", s_main="1/2")
    grid = captured[1]
    ax = grid.axes[0]
    assert ax.get_xlim() == pytest.approx((0.4, 0.6))
    assert ax.get_ylim() == pytest.approx((1e-4, 0.1))
    mesh = next(c for c in ax.collections if c.get_array() is not None)
    assert mesh.get_cmap().name == style.DIVERGING and mesh.norm.vcenter == 0


def test_signed_gaps_use_a_diverging_map_centred_at_zero(tmp_path, captured):
    rows = []
    m = 3
    for i in range(m + 1):
        for j in range(m + 1 - i):
            k = m - i - j
            g = -0.012 if (i, j, k) == (3, 0, 0) else 0.05
            rows.append({"id": f"{i}{j}{k}", "x0": 0.0, "xA": i / m, "xB": j / m, "xC": k / m,
                         "gap_certified": g, "gap_upper": g + 0.01})
    plots.plot_ternary(rows, tmp_path / "t", steps=m)
    fig = captured[-1]
    for ax in fig.axes[:2]:
        coll = next(c for c in ax.collections if c.get_array() is not None)
        assert coll.get_cmap().name == style.DIVERGING
        assert coll.norm(0.0) == pytest.approx(0.5)  # white at 0; -0.012 is light blue
        assert coll.norm(-0.012) < 0.5
    name = dict((q[0], q[3]) for q in plots.TETRA_QUANTITIES)
    assert name["gap_lower"] == style.DIVERGING and name["ppt_minus_kappa"] == style.DIVERGING
