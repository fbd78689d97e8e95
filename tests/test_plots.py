"""Figures fit for a journal: one style, TrueType fonts in PDF, one-column width, legends below
the data with no empty entries, one flat cell per computed point (never interpolated)."""
import re
import struct
from fractions import Fraction as F

import numpy as np
import pytest

from experiments import plots, style
from experiments.locc_plot import plot_locc_vs_rounds
from analytics.states import WClassState


def _png_width_cm(path):
    with open(path, "rb") as f:
        head = f.read(24)
    w, _ = struct.unpack(">II", head[16:24])
    return w / style.RC["savefig.dpi"] * 2.54


def _fonts(pdf_path):
    data = open(pdf_path, "rb").read()
    return (set(re.findall(rb"/Subtype\s*/(Type3|TrueType|CIDFontType2|Type1)\b", data)),
            b"/FontFile2" in data)


def _row(s, lo, up, kappa, **extra):
    r = {"id": f"p-{s}", "s": float(s), "s_exact": str(s), "kappa": kappa, "sep_lower": lo,
         "sep_upper_certified": up, "sep_upper_kind": "certified", "sep_upper_method": "ppt",
         "sep_lower_exact": None if lo is None else str(F(lo)),
         "sep_upper_certified_exact": None if up is None else str(F(up)), "locc_lower": None}
    r.update(extra)
    return r


@pytest.fixture
def captured(monkeypatch):
    """Keep every figure that is saved (to inspect its legend and artists)."""
    figs = []
    real = plots.save_figure

    def keep(fig, stem):
        figs.append(fig)
        return real(fig, stem)
    monkeypatch.setattr(plots, "save_figure", keep)
    return figs


def _legend_texts(fig):
    out = [t.get_text() for leg in fig.legends for t in leg.get_texts()]
    for ax in fig.axes:
        leg = ax.get_legend()
        if leg is not None:
            out += [t.get_text() for t in leg.get_texts()]
    return out


def test_fig1_no_empty_legend_entries_and_legend_below(tmp_path, captured):
    # SEP known exactly (lower == upper): no zero-width band and no "width <= 0" entry
    rows = [_row(F(1, 3) + F(i, 60), 1.0, 1.0, 1 - i / 100) for i in range(11)]
    paths = plots.plot_fig1(rows, tmp_path / "f", summary=None)
    texts = _legend_texts(captured[-1])
    assert texts and all(t.strip() for t in texts)
    assert not any("0.0e+00" in t or "width" in t for t in texts)
    ax = captured[-1].axes[0]
    renderer = captured[-1].canvas.get_renderer()
    leg = captured[-1].legends[0].get_window_extent(renderer)
    assert leg.y1 <= ax.get_window_extent(renderer).y0 + 1  # below the axes: covers no data
    assert _png_width_cm(paths["png"]) <= 8.6 * 1.05  # one column
    kinds, truetype = _fonts(paths["pdf"])
    assert truetype and b"Type3" not in kinds


def test_fig1_band_drawn_only_when_visible(tmp_path, captured):
    rows = [_row(F(1, 2) + F(i, 20), 0.8 - i / 40, 0.9 - i / 40, 0.7 - i / 40) for i in range(5)]
    plots.plot_fig1(rows, tmp_path / "f")
    assert any("band" in t for t in _legend_texts(captured[-1]))
    rows = [_row(F(1, 2) + F(i, 20), 0.8 - i / 40, 0.8 - i / 40 + 1e-9, 0.7 - i / 40)
            for i in range(5)]
    plots.plot_fig1(rows, tmp_path / "g")
    texts = _legend_texts(captured[-1])
    assert not any("band" in t for t in texts) and any("of the lower bound" in t for t in texts)


def test_kappa_is_a_symbol_everywhere(tmp_path, captured):
    rows = [_row(F(1, 3) + F(i, 60), 1.0, 1.0, 1 - i / 100) for i in range(3)]
    plots.plot_fig1(rows, tmp_path / "f")
    line_rows = [dict(r, x0=i / 4, kappa_exceeds_sep_upper=True) for i, r in enumerate(rows)]
    plots.plot_line(line_rows, tmp_path / "l", xparam="x0")
    plots.plot_scatter(line_rows, tmp_path / "s")
    for fig in captured:
        texts = _legend_texts(fig) + [ax.get_xlabel() for ax in fig.axes]
        assert not any(re.search(r"\bkappa\b", t.replace("\\kappa", "")) for t in texts)
        assert any("\\kappa" in t for t in texts)


def _simplex_rows(m, missing=()):
    rows = []
    for i in range(m + 1):
        for j in range(m + 1 - i):
            k = m - i - j
            g = 0.1 if (i, j, k) == (1, 1, 1) else 0.0
            gid = f"{i}{j}{k}"
            rows.append({"id": gid, "x0": 0.0, "xA": i / m, "xB": j / m, "xC": k / m,
                         "x0_exact": "0", "xA_exact": str(F(i, m)), "xB_exact": str(F(j, m)),
                         "xC_exact": str(F(k, m)), "kappa": 0.5, "kappa_exact": "1/2",
                         "gap_certified": None if gid in missing else g,
                         "gap_upper": None if gid in missing else g + 0.01,
                         "sep_upper_certified": 0.5 + g, "sep_upper_certified_exact": None,
                         "sep_lower": 0.5 + g})
    return rows


def test_ternary_flat_cells_one_per_point_grey_when_missing(tmp_path, captured):
    from matplotlib.collections import PolyCollection
    rows = _simplex_rows(3, missing=("300",))
    paths = plots.plot_ternary(rows, tmp_path / "t", steps=3)
    fig = captured[-1]
    for ax in fig.axes[:2]:
        colls = [c for c in ax.collections if isinstance(c, PolyCollection)]
        coloured = [c for c in colls if c.get_array() is not None]
        assert sum(len(c.get_paths()) for c in coloured) == len(rows) - 1  # one cell a point
        grey = [c for c in colls if c.get_array() is None]
        assert sum(len(c.get_paths()) for c in grey) == 1  # the missing point, in grey
        assert not [c for c in ax.collections if type(c).__name__ in ("TriMesh", "QuadMesh")]
    assert _png_width_cm(paths["png"]) <= 8.6 * 1.05


@pytest.mark.parametrize("positive, segments", [
    ({(2, 1, 1)}, 6),                 # one interior cell: its whole hexagon
    ({(1, 2, 1), (2, 1, 1)}, 10),     # two neighbours: 12 edges minus the shared one twice
])
def test_zero_contour_is_the_exact_cell_boundary(positive, segments):
    from matplotlib.collections import LineCollection
    m = 4
    trip = [(i, j, m - i - j) for i in range(m + 1) for j in range(m + 1 - i)]
    xa, xb, xc = (np.array([t[q] / m for t in trip]) for q in range(3))
    X, Y = plots._tern(xa, xb, xc)
    v = np.array([1.0 if t in positive else 0.0 for t in trip])
    with style.rc():
        fig = style.new_figure()
        ax = fig.add_subplot()
        assert plots._zero_contour(ax, X, Y, v, 1 / m)
    lc = [c for c in ax.collections if isinstance(c, LineCollection)][0]
    assert len(lc.get_segments()) == segments


def _tetra_rows(m, extra=None):
    from experiments.families import tetra_family
    rows = []
    for p in tetra_family(m).points:
        x0, xa, xb, xc = p.components()
        r = {"id": p.id, "x0_exact": str(x0), "xA_exact": str(xa), "xB_exact": str(xb),
             "xC_exact": str(xc), "kappa_exact": "1/2", "kappa": 0.5,
             "sep_lower": 0.6 if x0 == 0 else None,  # no instrument for x0 > 0
             "sep_upper_certified": 0.7, "sep_upper_certified_exact": "7/10",
             "gap_certified": 0.1 if x0 == 0 else None}
        r.update(extra or {})
        rows.append(r)
    return rows


def test_tetra_missing_values_stay_missing_and_new_columns_appear(tmp_path, captured):
    from matplotlib.collections import PolyCollection
    rows = _tetra_rows(2)  # slices x0 = 0 (6 points) and x0 = 1/2 (3 points)
    out = plots.plot_tetra(rows, tmp_path / "tt", steps=2, maps=False)
    overview = captured[0]
    n_axes = len([a for a in overview.axes if a.get_label() != "<colorbar>"])
    # x0 > 0 has no sep_lower: every cell of those slices is grey, none coloured
    ax = overview.axes[1]  # sep_lower at x0 = 1/2
    colls = [c for c in ax.collections if isinstance(c, PolyCollection)]
    assert sum(len(c.get_paths()) for c in colls if c.get_array() is not None) == 0
    assert sum(len(c.get_paths()) for c in colls if c.get_array() is None) == 3
    captured.clear()
    out = plots.plot_tetra(_tetra_rows(2, {"locc_upper": 0.55}), tmp_path / "uu", steps=2,
                           maps=False)  # a column added later appears without code changes
    assert len([a for a in captured[0].axes if a.get_label() != "<colorbar>"]) == n_axes + 2
    kinds, truetype = _fonts(out["pdf"])
    assert truetype and b"Type3" not in kinds


@pytest.mark.parametrize("values, k, expected", [
    ([F(0), F(1, 2), F(1)], 4, [F(0), F(1, 2)]),
    ([F(i, 10) for i in range(11)], 4, [F(0), F(3, 10), F(6, 10), F(9, 10)]),
])
def test_tetra_slices(values, k, expected):
    assert plots.tetra_slices(values, k) == expected


def test_locc_plot_style(tmp_path):
    path = tmp_path / "l.pdf"
    plot_locc_vs_rounds(WClassState(F(1, 2), F(1, 4), F(1, 4)), 50, str(path), sep_value=None)
    kinds, truetype = _fonts(path)
    assert truetype and b"Type3" not in kinds
    png = tmp_path / "l.png"
    plot_locc_vs_rounds(WClassState(F(1, 2), F(1, 4), F(1, 4)), 50, str(png), sep_value=1)
    assert _png_width_cm(png) <= 8.6 * 1.05
