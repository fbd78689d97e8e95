"""Figures of sweeps: Fig. 1 of the paper, ternary heat maps, tetrahedron slices, line and
scatter plots.

Everything is drawn on a bare :class:`matplotlib.figure.Figure` with the Agg canvas (no pyplot,
no display) in the one sepgap style (:mod:`experiments.style`: one-column width 8.6 cm, 7-8 pt
fonts, TrueType fonts in PDF, legends outside the data) and saved as PNG and PDF atomically.
Heat maps colour one flat cell per computed point (the cell of the point in the triangular
grid): nothing is interpolated, and a point without a value is a grey cell. Every function
takes the rows of a sweep (dicts as in :mod:`experiments.evaluate`) and a path stem; it returns
``{"png": path, "pdf": path}`` (the tetra maps return more files).
"""
from __future__ import annotations

import math
from fractions import Fraction
from pathlib import Path

import numpy as np

from . import style
from .families import Family
from .saved import atomic_write

SQ3 = math.sqrt(3) / 2


def _arr(rows, key) -> np.ndarray:
    return np.array([np.nan if r.get(key) is None else float(r[key]) for r in rows], dtype=float)


def save_figure(fig, stem) -> dict:
    """``<stem>.png`` (300 dpi) and ``<stem>.pdf`` (TrueType fonts), each via a temporary file
    and os.replace. Call inside :func:`experiments.style.rc`."""
    stem = Path(stem)
    out = {}
    for fmt in ("png", "pdf"):
        meta = {"CreationDate": None} if fmt == "pdf" else {"Software": None}
        out[fmt] = atomic_write(stem.with_name(stem.name + f".{fmt}"),
                                lambda f, fm=fmt, md=meta: fig.savefig(f, format=fm,
                                                                       metadata=md),
                                binary=True)
    return out


def _bound_arrays(rows, xkey: str):
    """``(x, kappa, sep_lower, sep_upper_certified, uncertified solver values, locc_lower)``;
    the solver values are NaN wherever a certified bound exists."""
    num = np.array([np.nan if r.get("sep_upper_kind") == "certified"
                    or r.get("sep_upper_numerical") is None
                    else r["sep_upper_numerical"] for r in rows], dtype=float)
    return (_arr(rows, xkey), _arr(rows, "kappa"), _arr(rows, "sep_lower"),
            _arr(rows, "sep_upper_certified"), num, _arr(rows, "locc_lower"))


def _marker(n: int) -> str:
    return "o" if n <= 25 else ""


def _sep_exact(rows) -> bool:
    """True when at every point the checked SEP instrument equals the certified upper bound
    (exactly), so SEP is known exactly and one line shows both."""
    return bool(rows) and all(r.get("sep_lower_exact") is not None
                              and r.get("sep_lower_exact") == r.get("sep_upper_certified_exact")
                              for r in rows)


# ---- Fig. 1 ------------------------------------------------------------------------------------

def plot_fig1(rows: list, stem, summary: dict | None = None, locc_rounds=None) -> dict:
    """The paper's Fig. 1: LOCC (kappa) and SEP against s, with the certified SEP band and the
    certified gap shaded; the largest certified gap is annotated."""
    with style.rc():
        return _plot_fig1(rows, stem, summary, locc_rounds)


def _psi_closed_forms(rows, s):
    """Dense exact curves on psi_s: ``(s_dense, kappa, sep)`` from the closed forms
    kappa(psi_s) = 2(1-s) - (1-s)^2/(4s) (Eq. 4) and the checked instruments' value
    min(1, 2(1-s)) (Eq. 7, large-component instrument), or None when a sample disagrees with
    them (then the samples are joined instead). The grid includes s = 1/2 (the kink)."""
    if not rows or len(s) < 2 or not np.all(np.isfinite(s)):
        return None
    try:
        exact = [(Fraction(r["s_exact"]), Fraction(r["kappa_exact"]),
                  None if r.get("sep_lower_exact") is None else Fraction(r["sep_lower_exact"]))
                 for r in rows]
    except (KeyError, TypeError, ValueError, ZeroDivisionError):
        return None
    for sv, kv, lv in exact:
        if sv < Fraction(1, 3) or kv != 2 * (1 - sv) - (1 - sv) ** 2 / (4 * sv):
            return None
        if lv is not None and lv != min(Fraction(1), 2 * (1 - sv)):
            return None
    lo, hi = float(np.min(s)), float(np.max(s))
    sd = np.union1d(np.linspace(lo, hi, 801), [0.5] if lo <= 0.5 <= hi else [])
    return sd, 2 * (1 - sd) - (1 - sd) ** 2 / (4 * sd), np.minimum(1.0, 2 * (1 - sd))


def _plot_fig1(rows, stem, summary, locc_rounds) -> dict:
    s, k, lo, up, num, locc = _bound_arrays(rows, "s")
    mk = _marker(len(rows))
    c = style.COLORS
    fig = style.new_figure(style.COLUMN_WIDTH, aspect=1.1)
    ax = fig.add_subplot()
    dense = _psi_closed_forms(rows, s)
    # the analytic curves: exact and dense (a coarse sweep must not cut the kink at s = 1/2);
    # the computed samples are drawn as markers on them
    sk, kk = (dense[0], dense[1]) if dense is not None else (s, k)
    sl, ll = (dense[0], dense[2]) if dense is not None and np.isfinite(lo).all() else (s, lo)
    gs, gk, gl = (dense[0], dense[1], dense[2]) if sl is not s else (s, k, lo)
    has_gap = np.isfinite(gl) & np.isfinite(gk) & (gl > gk)
    if has_gap.any():
        ax.fill_between(gs, gk, gl, where=has_gap, interpolate=True, color=c["gap"], alpha=0.3,
                        linewidth=0, label="certified SEP $-$ LOCC gap")
    band = np.isfinite(lo) & np.isfinite(up)
    width = float(np.max(up[band] - lo[band])) if band.any() else 0.0
    finite = np.concatenate([v[np.isfinite(v)] for v in (k, lo, up, num)])
    yspan = float(finite.max() - finite.min()) if finite.size else 1.0
    # a band narrower than a line is invisible: no band and no legend entry, its width is
    # said in the upper bound's label instead
    visible_band = width > 3e-3 * max(yspan, 1e-9)
    if visible_band:
        ax.fill_between(s, lo, up, where=band, color=c["band"], alpha=0.35, linewidth=0,
                        label=f"SEP lies in this band (width $\\leq$ {width:.1e})")
    sample_mk = "o" if len(rows) <= 25 else ""
    if _sep_exact(rows):
        ax.plot(sl, ll if dense is not None else up, color=c["sep_upper"], lw=1.6,
                label="SEP, exact: checked separable instrument $=$ certified upper bound")
        if sample_mk:
            ax.plot(s, up, ls="none", marker="o", color=c["sep_upper"])
    else:
        if np.isfinite(up).any():
            methods = {r.get("sep_upper_method") for r, u in zip(rows, up) if np.isfinite(u)}
            how = {frozenset({"trivial"}): "the trivial bound 1",
                   frozenset({"ppt"}): "PPT relaxation, exact dual certificate"}.get(
                frozenset(methods), "PPT relaxation or the trivial bound 1")
            within = (f"; within {width:.0e} of the lower bound" if band.any() and width > 0
                      and not visible_band else "")
            ax.plot(s, up, color=c["sep_upper"], ls="--" if not sample_mk else "none", lw=1.0,
                    marker=mk, zorder=4, label=f"upper bound: SEP $\\leq$ {how}{within}")
        if np.isfinite(lo).any():
            which = ("Eq. (7); without $M_{BC}$ for $s > \\frac{1}{2}$"
                     if any(r.get("sep_lower_kind") == "large_component" for r in rows)
                     else "Eq. (7)")
            ax.plot(sl, ll, color=c["sep_lower"], lw=1.4,
                    label=f"lower bound: SEP $\\geq$ checked separable instrument, {which}")
            if sample_mk:
                ax.plot(s, lo, ls="none", marker="o", color=c["sep_lower"])
    ax.plot(sk, kk, color=c["kappa"], lw=1.4,
            label=r"LOCC supremum $\kappa(\psi_s) = 2(1-s) - \frac{(1-s)^2}{4s}$")
    if sample_mk:
        ax.plot(s, k, ls="none", marker="o", color=c["kappa"])
    if np.isfinite(locc).any():
        rounds = f", {locc_rounds} rounds" if locc_rounds is not None else ""
        every = max(1, len(rows) // 25)
        ax.plot(s, locc, ls="none", marker="o", ms=2, mfc="none", mew=0.6, color=c["locc"],
                markevery=every, label="LOCC $\\geq$ Theorem 2 protocol" + rounds)
    if np.isfinite(num).any():
        ax.plot(s, num, ls="none", marker="x", ms=4, color=c["uncertified"],
                label=f"PPT solver value, NOT certified ({int(np.isfinite(num).sum())} points)")

    mg = (summary or {}).get("max_gap_certified")
    if mg and mg["value"] > 0:
        from matplotlib.lines import Line2D
        i = next(j for j, r in enumerate(rows) if r["id"] == mg["ids"][0])
        xs, ylo, yhi = s[i], k[i], lo[i]
        ax.annotate("", xy=(xs, yhi), xytext=(xs, ylo),
                    arrowprops=dict(arrowstyle="<->", color="black", lw=0.8,
                                    shrinkA=0, shrinkB=0))
        s_txt = rows[i].get("s_exact") or ""
        s_txt = (f"$s = {style.frac_tex(s_txt)}$" if len(s_txt) <= 7
                 else f"$s = {float(xs):.4g}$")
        # said in the legend (below the axes), so the label never covers a curve
        ax.add_line(Line2D([], [], ls="none", marker="$\\updownarrow$", ms=7, color="black",
                           label=f"largest certified gap {100 * mg['value']:.1f}% at {s_txt}"))

    ax.set_xlabel("$s$")
    ax.set_ylabel("max. probability of an EPR pair")
    ax.set_title(r"$|\psi_s\rangle = \sqrt{s}\,|100\rangle + \sqrt{\frac{1-s}{2}}\,"
                 r"(|010\rangle + |001\rangle)$")
    ymin = float(finite.min()) if finite.size else 0.0
    ymax = float(finite.max()) if finite.size else 1.0
    pad = max(0.01, 0.04 * (ymax - ymin))
    ax.set_ylim(ymin - pad, ymax + pad)
    if len(rows) > 1:
        span = float(np.nanmax(s) - np.nanmin(s))
        ax.set_xlim(float(np.nanmin(s)) - 0.01 * span, float(np.nanmax(s)) + 0.02 * span)
    style.legend_below(ax)
    return save_figure(fig, stem)


# ---- heat maps over triangles: one flat cell per point --------------------------------------------

def _tern(xa, xb, xc):
    """Barycentric (xA, xB, xC) -> plane: A at (0, 0), B at (1, 0), C at (1/2, sqrt(3)/2)."""
    return xb + xc / 2, xc * SQ3


def _hexagons(X, Y, h: float) -> np.ndarray:
    """The cell of each point of a triangular grid of spacing ``h``: the hexagon of its
    nearest-neighbour (Voronoi) region, circumradius ``h / sqrt(3)``."""
    r = h / math.sqrt(3)
    ang = np.deg2rad(30 + 60 * np.arange(6))
    return np.stack([np.stack([X[:, None] + r * np.cos(ang)[None, :],
                               Y[:, None] + r * np.sin(ang)[None, :]], axis=-1)])[0]


def _cells(ax, X, Y, v, h, cmap, norm):
    """Flat cells (clipped to the triangle); grey where ``v`` is missing. Returns the mappable."""
    from matplotlib.collections import PolyCollection
    from matplotlib.patches import Polygon
    clip = Polygon([(0, 0), (1, 0), (0.5, SQ3)], closed=True, transform=ax.transData)
    ok = np.isfinite(v)
    polys = _hexagons(X, Y, h)
    coll = PolyCollection(list(polys[ok]), array=v[ok], cmap=cmap, norm=norm,
                          edgecolors="face", linewidths=0.2)
    coll.set_clip_path(clip)
    ax.add_collection(coll)
    if (~ok).any():
        # hatched, so "no value" never looks like a value near the middle of a colour map
        miss = PolyCollection(list(polys[~ok]), facecolors=style.MISSING, edgecolors="#8c8c8c",
                              linewidths=0.0, hatch="////")
        miss.set_clip_path(clip)
        ax.add_collection(miss)
    return coll


def _zero_contour(ax, X, Y, v, h) -> bool:
    """The zero contour of ``v`` at the grid's resolution, without interpolation: the cell edges
    between a point with ``v > 0`` and a neighbour without (``v <= 0``, no value, or outside
    the triangle). Returns whether anything was drawn."""
    from matplotlib.collections import LineCollection
    from matplotlib.patches import Polygon
    pos = np.isfinite(v) & (v > 0)
    if not pos.any() or pos.all():
        return False
    key = lambda x, y: (round(x / h * 2), round(y / (h * SQ3)))  # noqa: E731 - lattice index
    positive = {key(x, y) for x, y in zip(X[pos], Y[pos])}
    r = h / math.sqrt(3)
    segs = []
    for x, y in zip(X[pos], Y[pos]):
        for k in range(6):  # edge k joins corners at 30 + 60k and 90 + 60k, facing 60 + 60k
            face = math.radians(60 + 60 * k)
            if key(x + h * math.cos(face), y + h * math.sin(face)) in positive:
                continue
            a1, a2 = math.radians(30 + 60 * k), math.radians(90 + 60 * k)
            segs.append([(x + r * math.cos(a1), y + r * math.sin(a1)),
                         (x + r * math.cos(a2), y + r * math.sin(a2))])
    lc = LineCollection(segs, colors=style.COLORS["contour"], linewidths=0.9, zorder=4)
    lc.set_clip_path(Polygon([(0, 0), (1, 0), (0.5, SQ3)], closed=True, transform=ax.transData))
    ax.add_collection(lc)
    return True


def _triangle_frame(ax, title: str | None = None, labels: bool = True,
                    inner: bool = False) -> None:
    ax.plot([0, 1, 0.5, 0], [0, 0, SQ3, 0], color="black", lw=0.6)
    if inner:  # every x_k <= 1/2: the inner triangle where Eq. (7) gives SEP = 1
        px, py = _tern(np.array([0.5, 0.5, 0, 0.5]), np.array([0.5, 0, 0.5, 0.5]),
                       np.array([0, 0.5, 0.5, 0]))
        ax.plot(px, py, color="white", lw=0.7, ls="--", zorder=4)
    if labels:
        ax.text(0, -0.03, "A", ha="center", va="top")
        ax.text(1, -0.03, "B", ha="center", va="top")
        ax.text(0.5, SQ3 + 0.02, "C", ha="center", va="bottom")
    ax.set_aspect("equal")
    ax.set_xlim(-0.05, 1.05)
    ax.set_ylim(-0.09, SQ3 + 0.07)
    ax.axis("off")
    if title:
        ax.set_title(title)


def _grid_spacing(rows, key_steps=None) -> float:
    """Spacing of the triangular grid in the normalised triangle: ``1/M`` with ``M`` the common
    denominator of the normalised components (exact)."""
    if key_steps:
        return 1.0 / key_steps
    den = 1
    for r in rows:
        x0 = Fraction(r.get("x0_exact") or 0)
        rest = 1 - x0
        if rest == 0:
            continue
        for k in ("xA", "xB", "xC"):
            den = math.lcm(den, (Fraction(r[f"{k}_exact"]) / rest).denominator)
        if den > 2000:
            break
    return 1.0 / den


def plot_ternary(rows: list, stem, summary: dict | None = None, steps: int | None = None,
                 **_ignored) -> dict:
    """Heat maps over the triangle ``xA + xB + xC = 1`` (``x0 = 0``): the certified gap
    ``sep_lower - kappa`` (a lower bound on SEP - LOCC) with its zero contour, and
    ``sep_upper_certified - kappa`` (an upper bound); one flat cell per point; the maximum is
    starred."""
    with style.rc():
        return _plot_ternary(rows, stem, summary, steps)


def _plot_ternary(rows, stem, summary, steps) -> dict:
    from matplotlib.colors import TwoSlopeNorm
    xa, xb, xc = (_arr(rows, key) for key in ("xA", "xB", "xC"))
    X, Y = _tern(xa, xb, xc)
    h = _grid_spacing(rows, steps)
    panels = [("gap_certified", "SEP $-$ LOCC $\\geq$\n(SEP lower bound $-\\ \\kappa$)"),
              ("gap_upper", "SEP $-$ LOCC $\\leq$\n(PPT bound $-\\ \\kappa$)")]
    vals = [_arr(rows, key) for key, _ in panels]
    g = vals[0]
    star = np.isfinite(g) & (g == np.nanmax(g)) & (g > 0) if np.isfinite(g).any() \
        else np.zeros(len(rows), bool)
    allv = np.concatenate([v[np.isfinite(v)] for v in vals])
    # signed differences: a diverging map centred at 0 (white), red above, blue below
    m = max(float(np.abs(allv).max()) if allv.size else 1.0, 1e-12)
    norm = TwoSlopeNorm(0.0, -m, m)
    fig = style.new_figure(style.COLUMN_WIDTH, aspect=0.72)
    axes = fig.subplots(1, 2)
    im = None
    for ax, (key, title), v in zip(axes, panels, vals):
        im = _cells(ax, X, Y, v, h, style.DIVERGING, norm)
        if key == "gap_certified":
            _zero_contour(ax, X, Y, v, h)
        if star.any():
            ax.scatter(X[star], Y[star], marker="*", s=30, color="white", edgecolors="black",
                       linewidths=0.4, zorder=5)
        _triangle_frame(ax, title, inner=True)
    cb = fig.colorbar(im, ax=axes, orientation="horizontal", shrink=0.7, aspect=30, pad=0.02)
    cb.set_label("bound on SEP $-$ LOCC (red $> 0$: SEP above LOCC)")
    notes = []
    mg = (summary or {}).get("max_gap_certified")
    if mg and mg["value"] > 0:
        where = ", ".join(w.replace("x = ", "") for w in mg["where"][:1])
        more = f" and {len(mg['where']) - 1} more" if len(mg["where"]) > 1 else ""
        notes.append(f"star: largest certified gap {mg['value']:.4g} at {where}{more}")
    if (~np.isfinite(vals[0])).any() or (~np.isfinite(vals[1])).any():
        notes.append("hatched grey: no value")
    if np.isfinite(vals[0]).any() and (vals[0] > 0).any() and not (vals[0] > 0).all():
        notes.append("black line: zero contour of the certified gap")
    notes.insert(0, f"$x_0 = 0$, $(x_A, x_B, x_C)$ in steps of $\\frac{{1}}{{{round(1 / h)}}}$; "
                    "dashed: every $x_k \\leq \\frac{1}{2}$ (Eq. 7: SEP = 1)")
    fig.text(0.5, 0.0, "\n".join(notes), ha="center", va="top", fontsize=6.5)
    return save_figure(fig, stem)


# ---- the tetrahedron: every W-class state, in x0 slices -------------------------------------------

def _q(row, key):
    v = row.get(f"{key}_exact")
    if v is not None:
        return Fraction(v)
    v = row.get(key)
    return None if v is None else Fraction(float(v))


def _ppt_minus_kappa(row):
    """Certified PPT bound minus kappa, from the exact columns (negative: kappa exceeds an upper
    bound on SEP, so kappa is not the LOCC optimum there)."""
    up, k = _q(row, "sep_upper_certified"), _q(row, "kappa")
    return None if up is None or k is None else float(up - k)


#: The quantities of the tetra maps, in order: (key, column or derived function, short label,
#: colour map, zero contour); :data:`TETRA_TITLES` says what each one is. A quantity is drawn when its column is in the rows, so columns
#: added later (a LOCC upper bound, a certified gap lower bound for x0 > 0) appear by themselves.
TETRA_QUANTITIES = (
    ("sep_lower", "sep_lower", "SEP $\\geq$", "viridis", False),
    ("sep_upper", "sep_upper_certified", "SEP $\\leq$ (PPT)", "viridis", False),
    ("ppt_minus_kappa", _ppt_minus_kappa, "PPT bound $-\\ \\kappa$", style.DIVERGING, False),
    # signed: a diverging map white at 0 (on a sequential map -0.012 looked like 0)
    ("gap_lower", ("gap_lower", "gap_certified"), "SEP $-$ LOCC $\\geq$", style.DIVERGING, True),
    ("locc_upper", "locc_upper", "LOCC $\\leq$", "viridis", False),
)


TETRA_TITLES = {
    "sep_lower": "SEP lower bound: success probability of a separable instrument, checked exactly",
    "sep_upper": "certified upper bound on SEP (PPT relaxation, exact dual certificate)",
    "ppt_minus_kappa": "certified PPT bound $-\\ \\kappa$ (below 0: $\\kappa$ is not the "
                       "LOCC optimum)",
    "gap_lower": "certified lower bound on SEP $-$ LOCC",
    "locc_upper": "certified upper bound on LOCC",
}


def _tetra_values(rows, spec):
    """The values of one quantity (NaN where the row has none), or None if no row has the column."""
    if callable(spec):
        return np.array([np.nan if (v := spec(r)) is None else v for r in rows], dtype=float)
    keys = (spec,) if isinstance(spec, str) else spec
    for key in keys:
        if any(key in r for r in rows):
            return _arr(rows, key)
    return None


def tetra_slices(x0_values, k: int = 4) -> list:
    """Up to ``k`` x0 slices spread over the values present (x0 = 1 is one point: skipped)."""
    vals = sorted(v for v in set(x0_values) if v < 1)
    if len(vals) <= k:
        return vals
    return [vals[round(i * (len(vals) - 1) / (k - 1))] for i in range(k)]


def _slice_title(x0: Fraction) -> str:
    return f"$x_0 = {style.frac_tex(str(x0))}$" if x0 else "$x_0 = 0$"


def _slice_coords(rows, x0):
    """Indices of the rows with this x0 and their plane coordinates in the normalised triangle
    ``x / (1 - x0)``."""
    idx = [i for i, r in enumerate(rows) if Fraction(r["x0_exact"]) == x0]
    rest = 1 - x0
    comp = np.array([[float(Fraction(rows[i][f"{c}_exact"]) / rest) for c in ("xA", "xB", "xC")]
                     for i in idx]).reshape(-1, 3)
    X, Y = _tern(comp[:, 0], comp[:, 1], comp[:, 2])
    return idx, X, Y


def _norm(v, cmap):
    from matplotlib.colors import Normalize, TwoSlopeNorm
    fin = v[np.isfinite(v)]
    lo, hi = (float(fin.min()), float(fin.max())) if fin.size else (0.0, 1.0)
    if cmap == style.DIVERGING:  # signed: white at 0
        m = max(abs(lo), abs(hi), 1e-12)
        return TwoSlopeNorm(0.0, -m, m)
    if hi - lo < 1e-12:
        lo, hi = lo - 0.5e-3, hi + 0.5e-3
    return Normalize(lo, hi)


def _tetra_row(fig, axes, rows, slices, v, steps, cmap, contour, label, cbar=True):
    norm = _norm(v, cmap)
    im = None
    for ax, x0 in zip(axes, slices):
        idx, X, Y = _slice_coords(rows, x0)
        m = steps - round(x0 * steps)
        vv = v[idx]
        im = _cells(ax, X, Y, vv, 1.0 / max(m, 1), cmap, norm)
        if contour:
            _zero_contour(ax, X, Y, vv, 1.0 / max(m, 1))
        _triangle_frame(ax, None, labels=True)
    if cbar and im is not None:
        cb = fig.colorbar(im, ax=list(axes), shrink=0.9, aspect=15, pad=0.02)
        cb.set_label(label, fontsize=6.5)
        cb.ax.tick_params(labelsize=6)
    return im


def plot_tetra(rows: list, stem, summary: dict | None = None, steps: int | None = None,
               maps: bool = True, **_ignored) -> dict:
    """Maps of the whole tetrahedron of W-class states at several x0 slices.

    ``<stem>.png/.pdf``: the overview, one row per quantity of :data:`TETRA_QUANTITIES` present
    in the rows, one column per slice (two-column width). ``<stem>-<quantity>.png/.pdf``: each
    quantity alone, its slices side by side. In a slice the triangle is ``x / (1 - x0)``, one
    flat cell per computed point, grey where a point has no value (never interpolated); the
    black line is the zero contour of the certified gap lower bound. ``maps=False``: the
    overview only.
    """
    with style.rc():
        return _plot_tetra(rows, stem, summary, steps, maps)


def _plot_tetra(rows, stem, summary, steps, maps=True) -> dict:
    if steps is None:
        steps = round(1 / _grid_spacing(rows))
    x0s = [Fraction(r["x0_exact"]) for r in rows]
    slices = tetra_slices(x0s)
    present = [(key, v, title, cmap, contour) for key, spec, title, cmap, contour in
               TETRA_QUANTITIES if (v := _tetra_values(rows, spec)) is not None]
    stem = Path(stem)
    out = {}
    ns = len(slices)
    note_text = "hatched grey: no value at that point (not computed, or no bound of that kind)"
    note = note_text if any((~np.isfinite(v)).any() for _, v, *_ in present) else None
    # overview: quantities x slices
    fig = style.new_figure(style.TWO_COLUMN_WIDTH, height=1.45 * len(present) + 0.5)
    grid = fig.subplots(len(present), ns, squeeze=False)
    for r_i, (key, v, title, cmap, contour) in enumerate(present):
        _tetra_row(fig, grid[r_i], rows, slices, v, steps, cmap, contour, title)
    for ax, x0 in zip(grid[0], slices):
        ax.set_title(_slice_title(x0))
    fig.suptitle(f"All W-class states $(x_0, x_A, x_B, x_C)$, step $\\frac{{1}}{{{steps}}}$: "
                 "slices at fixed $x_0$, triangle $(x_A, x_B, x_C)/(1 - x_0)$")
    if note:
        fig.text(0.5, 0.0, note, ha="center", va="top", fontsize=6.5)
    out.update(save_figure(fig, stem))
    # one figure per quantity
    for key, v, title, cmap, contour in (present if maps else ()):
        note = note_text if (~np.isfinite(v)).any() else None
        fig = style.new_figure(style.TWO_COLUMN_WIDTH, height=2.1)
        axes = fig.subplots(1, ns, squeeze=False)[0]
        _tetra_row(fig, axes, rows, slices, v, steps, cmap, contour, title)
        for ax, x0 in zip(axes, slices):
            ax.set_title(_slice_title(x0))
        if contour:
            fig.text(0.5, 0.0, "black line: zero contour (the certified gap is positive "
                     "inside it)" + ("; " + note if note else ""), ha="center", va="top",
                     fontsize=6.5)
        elif note:
            fig.text(0.5, 0.0, note, ha="center", va="top", fontsize=6.5)
        fig.suptitle(TETRA_TITLES.get(key, title))
        paths = save_figure(fig, stem.with_name(f"{stem.name}-{key}"))
        out[f"png_{key}"], out[f"pdf_{key}"] = paths["png"], paths["pdf"]
    return out


# ---- one-parameter families ---------------------------------------------------------------------

def plot_line(rows: list, stem, xparam: str = "x0", summary: dict | None = None,
              locc_rounds=None, title: str | None = None) -> dict:
    """kappa, the certified SEP upper bound and (where they exist) the SEP lower bound and the
    LOCC protocol against one parameter; points where kappa exceeds the certified SEP bound
    (so kappa is not the LOCC optimum there) are marked."""
    with style.rc():
        return _plot_line(rows, stem, xparam, locc_rounds, title)


def _axis_name(name: str) -> str:
    return {"x0": "$x_0$", "s": "$s$", "t": "$t$"}.get(name, name)


def _plot_line(rows, stem, xparam, locc_rounds, title) -> dict:
    x, k, lo, up, num, locc = _bound_arrays(rows, xparam)
    exceed = np.array([r.get("kappa_exceeds_sep_upper") is True for r in rows])
    mk = _marker(len(rows))
    c = style.COLORS
    fig = style.new_figure(style.COLUMN_WIDTH, aspect=1.05)
    ax = fig.add_subplot()
    band = np.isfinite(lo) & np.isfinite(up)
    if np.any(band[:-1] & band[1:]) and float(np.max(up[band] - lo[band])) > 0:
        ax.fill_between(x, lo, up, where=band, color=c["band"], alpha=0.3, linewidth=0,
                        label="SEP lies in this band")
    ax.plot(x, k, color=c["kappa"], lw=1.4, marker=mk,
            label="$\\kappa$: LOCC $\\leq \\kappa$ ($=$ LOCC supremum if $x_0 = 0$)")
    if np.isfinite(up).any():
        ax.plot(x, up, color=c["sep_upper"], ls="--", lw=1.0, marker=mk,
                label="upper bound: SEP $\\leq$ certified PPT bound")
    if np.isfinite(lo).any():
        ax.plot(x, lo, color=c["sep_lower"], ls="none", marker="o", ms=3,
                label="lower bound: SEP $\\geq$ checked separable instrument")
    if np.isfinite(locc).any():
        ax.plot(x, locc, ls="none", marker=".", ms=3, color=c["locc"],
                label="lower bound: LOCC $\\geq$ explicit protocol"
                + (f" ({locc_rounds} rounds if $x_0 = 0$)" if locc_rounds is not None else ""))
    if np.isfinite(num).any():
        ax.plot(x, num, ls="none", marker="x", ms=4, color=c["uncertified"],
                label=f"PPT solver value, NOT certified ({int(np.isfinite(num).sum())})")
    if exceed.any():
        ax.vlines(x[exceed], up[exceed], k[exceed], color="grey", lw=2.5, alpha=0.6,
                  label=f"$\\kappa >$ certified SEP bound ({int(exceed.sum())}): "
                        "$\\kappa$ not the LOCC optimum")
    ax.set_xlabel(_axis_name(xparam))
    ax.set_ylabel("max. probability of an EPR pair")
    if np.isfinite(x).sum() > 1:  # the axis ends at the data (a margin only for the markers)
        span = float(np.nanmax(x) - np.nanmin(x))
        ax.set_xlim(float(np.nanmin(x)) - 0.01 * span, float(np.nanmax(x)) + 0.01 * span)
    if title:
        ax.set_title(title)
    style.legend_below(ax)
    return save_figure(fig, stem)


def plot_scatter(rows: list, stem, summary: dict | None = None, **_ignored) -> dict:
    """Certified SEP upper bound against kappa, coloured by x0. Below the diagonal kappa exceeds
    an upper bound on SEP, so it is not the LOCC optimum of that state."""
    with style.rc():
        return _plot_scatter(rows, stem)


def _plot_scatter(rows, stem) -> dict:
    k = _arr(rows, "kappa")
    up = _arr(rows, "sep_upper_certified")
    x0 = _arr(rows, "x0")
    fig = style.new_figure(style.COLUMN_WIDTH, aspect=1.05)
    ax = fig.add_subplot()
    ax.plot([0, 1], [0, 1], color="grey", lw=0.8, ls=":", label="certified SEP bound $= \\kappa$")
    ok = np.isfinite(up)
    sc = ax.scatter(k[ok], up[ok], c=x0[ok], cmap="plasma", vmin=0,
                    vmax=max(1e-9, float(np.nanmax(x0)) if np.isfinite(x0).any() else 1.0),
                    s=10, edgecolors="black", linewidths=0.2, zorder=3)
    ex = np.array([r.get("kappa_exceeds_sep_upper") is True for r in rows])
    if ex.any():
        ax.scatter(k[ex], up[ex], facecolors="none", edgecolors="red", s=30, linewidths=0.8,
                   zorder=4, label=f"$\\kappa >$ certified SEP bound ({int(ex.sum())}): "
                                   "$\\kappa$ not the LOCC optimum")
    if (~ok).any():
        num = _arr(rows, "sep_upper_numerical")
        ax.scatter(k[~ok], num[~ok], marker="x", color="black", s=15, zorder=4,
                   label=f"NOT certified ({int((~ok).sum())}): solver value")
    cb = fig.colorbar(sc, ax=ax, shrink=0.7, aspect=25)
    cb.set_label("$x_0$")
    ax.set_xlabel("$\\kappa$ (LOCC $\\leq \\kappa$; $=$ LOCC sup. if $x_0 = 0$)")
    ax.set_ylabel("certified PPT upper bound on SEP")
    ax.set_xlim(-0.02, 1.02)
    ax.set_ylim(-0.02, 1.02)
    ax.set_aspect("equal")
    style.legend_below(ax)
    return save_figure(fig, stem)


# ---- robustness: psi_s mixed with vacuum ---------------------------------------------------------

def plot_robustness(rows: list, stem, summary: dict | None = None, s_main=None, **_ignored) -> dict:
    """Both bounds on SEP - LOCC (``gap_lower``, certified; ``gap_upper``) against x0 on a log
    axis for one s (top), and the SEP and LOCC brackets (bottom); with several s also
    ``<stem>-grid.png/pdf``: the (s, x0) plane, the certified gap lower bound per computed cell
    and its zero line along cell edges (nothing interpolated)."""
    with style.rc():
        svals = sorted({r["s_exact"] for r in rows}, key=Fraction)
        main_s = str(s_main) if s_main is not None and str(s_main) in svals else svals[0]
        line = [r for r in rows if r["s_exact"] == main_s]
        out = _plot_robustness_line(line, stem, main_s)
        if len(svals) > 1:
            grid = _plot_robustness_grid(rows, stem.with_name(stem.name + "-grid"), svals)
            out.update({f"grid_{k}": v for k, v in grid.items()})
        return out


def _plot_robustness_line(rows, stem, s_text) -> dict:
    rows = sorted(rows, key=lambda r: Fraction(r["x0_exact"]))
    x = _arr(rows, "x0")
    gl, gu = _arr(rows, "gap_lower"), _arr(rows, "gap_upper")
    c = style.COLORS
    fig = style.new_figure(style.COLUMN_WIDTH, aspect=1.35)
    ax, bx = fig.subplots(2, 1, sharex=True)
    ok = np.isfinite(gl) & np.isfinite(gu)
    ax.fill_between(x, gl, gu, where=ok, color=c["gap"], alpha=0.3, linewidth=0)
    ax.plot(x, gu, color=c["sep_upper"], ls="--", marker=".",
            label="gap upper bound: certified PPT bound $-$ LOCC$_{\\sup}$ lower bound")
    ax.plot(x, gl, color=c["sep_lower"], marker=".",
            label="gap lower bound (certified): SEP instrument $-$ LOCC upper bound")
    ax.axhline(0, color="black", lw=0.6)
    pos = [i for i, v in enumerate(gl) if np.isfinite(v) and v > 0]
    if pos and pos[-1] + 1 < len(rows):
        i = pos[-1]
        ax.axvspan(x[i], x[i + 1], color="grey", alpha=0.25, lw=0,
                   label=f"certified gap ends: $x_0 \\in$ [{x[i]:.3g}, {x[i + 1]:.3g}]")
    below = [i for i, r in enumerate(rows) if r.get("kappa_exceeds_sep_upper")]
    if below and below[0] > 0:  # beyond it no SEP lower bound can certify a gap against kappa
        j = below[0]
        ax.axvline(x[j - 1], color=c["sep_upper"], lw=0.8, ls=":")
        ax.axvline(x[j], color=c["sep_upper"], lw=0.8, ls=":",
                   label=f"certified PPT falls below $\\kappa$: $x_0 \\in$ [{x[j - 1]:.3g}, {x[j]:.3g}]")
    ax.set_ylabel("SEP$_{\\rm opt}$ $-$ LOCC$_{\\sup}$")
    ax.set_title(f"$\\sqrt{{x_0}}|000\\rangle + \\sqrt{{1-x_0}}\\,\\psi_{{{style.frac_tex(s_text)}}}$")
    how = {"sep": ("checked separable instrument", "certified PPT bound"),
           "locc": ("explicit protocol", "$\\min(\\kappa$, cut monotone, PPT)")}
    for key, col, lab in (("sep", c["sep_lower"], "SEP"), ("locc", c["locc"], "LOCC")):
        lo, up = _arr(rows, f"{key}_lower"), _arr(rows, f"{key}_upper")
        if not np.isfinite(up).any():
            continue
        band = np.isfinite(lo) & np.isfinite(up)
        bx.fill_between(x, lo, up, where=band, color=col, alpha=0.25, linewidth=0)
        bx.plot(x, lo, color=col, lw=1.0, label=f"{lab} lower bound ({how[key][0]})")
        bx.plot(x, up, color=col, lw=1.0, ls="--", label=f"{lab} upper bound ({how[key][1]})")
    bx.plot(x, _arr(rows, "kappa"), color=c["kappa"], lw=0.8, ls=":",
            label="$\\kappa$ (upper bound on LOCC)")
    bx.set_xlim(float(np.nanmin(x)), float(np.nanmax(x)))
    bx.set_xscale("log")
    if len(x) and np.nanmax(x) < 10 * np.nanmin(x):  # less than a decade: plain tick labels
        from matplotlib.ticker import FixedLocator, FuncFormatter, NullFormatter
        bx.xaxis.set_major_locator(FixedLocator(np.geomspace(np.nanmin(x), np.nanmax(x), 4)))
        bx.xaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:.4g}"))
        bx.xaxis.set_minor_formatter(NullFormatter())
    bx.set_xlabel("$x_0$ (weight of $|000\\rangle$)")
    bx.set_ylabel("probability")
    handles = []
    for a in (ax, bx):
        h, lab = a.get_legend_handles_labels()
        handles += [(hh, ll) for hh, ll in zip(h, lab) if ll and not ll.startswith("_")]
    fig.legend(*zip(*handles), loc="outside lower left", ncol=1)
    return save_figure(fig, stem)


def _plot_robustness_grid(rows, stem, svals) -> dict:
    x0s = sorted({r["x0_exact"] for r in rows}, key=Fraction)
    V = np.full((len(x0s), len(svals)), np.nan)
    for r in rows:
        if r.get("gap_lower") is not None:
            V[x0s.index(r["x0_exact"]), svals.index(r["s_exact"])] = r["gap_lower"]
    fig = style.new_figure(style.COLUMN_WIDTH, aspect=0.95)
    ax = fig.add_subplot()
    # cell edges: midpoints (s linear, x0 logarithmic), so each computed point is one flat cell
    sv = np.array([float(Fraction(v)) for v in svals])
    lx = np.log10([float(Fraction(v)) for v in x0s])

    def edges(c):
        # the axes end at the first and last computed values: border cells are half cells,
        # so nothing is drawn where no point was computed
        if len(c) == 1:
            return np.array([c[0] - 0.5, c[0] + 0.5])
        return np.concatenate([[c[0]], (c[1:] + c[:-1]) / 2, [c[-1]]])
    se, xe = edges(sv), 10 ** edges(lx)
    vmax = max(1e-9, float(np.nanmax(np.abs(V)))) if np.isfinite(V).any() else 1.0
    import matplotlib.colors as mcolors
    norm = mcolors.TwoSlopeNorm(vmin=-vmax, vcenter=0.0, vmax=vmax)
    masked = np.ma.masked_invalid(V)
    im = ax.pcolormesh(se, xe, masked, cmap=style.DIVERGING, norm=norm, shading="flat")
    miss = ~np.isfinite(V)
    if miss.any():
        ax.pcolormesh(se, xe, np.ma.masked_where(~miss, np.ones_like(V)), cmap=None,
                      shading="flat", facecolor=style.MISSING, hatch="///", alpha=0)
    # zero line along the edges between a positive and a non-positive cell
    lw = 1.4
    for i in range(len(x0s)):
        for j in range(len(svals)):
            if not np.isfinite(V[i, j]):
                continue
            if i + 1 < len(x0s) and np.isfinite(V[i + 1, j]) and (V[i, j] > 0) != (V[i + 1, j] > 0):
                ax.plot([se[j], se[j + 1]], [xe[i + 1], xe[i + 1]], color=style.COLORS["contour"], lw=lw)
            if j + 1 < len(svals) and np.isfinite(V[i, j + 1]) and (V[i, j] > 0) != (V[i, j + 1] > 0):
                ax.plot([se[j + 1], se[j + 1]], [xe[i], xe[i + 1]], color=style.COLORS["contour"], lw=lw)
    ax.plot([], [], color=style.COLORS["contour"], lw=lw,
            label="where the certified gap ends (lower bound $= 0$, along cell edges)")
    ax.set_yscale("log")
    ax.set_xlim(se[0], se[-1])
    ax.set_ylim(xe[0], xe[-1])
    ax.set_xlabel("$s$")
    ax.set_ylabel("$x_0$")
    ax.set_title("certified lower bound on SEP$_{\\rm opt}$ $-$ LOCC$_{\\sup}$")
    cb = fig.colorbar(im, ax=ax, shrink=0.9)
    cb.set_label("lower bound on SEP$_{\\rm opt}$ $-$ LOCC$_{\\sup}$\n"
                 "(red $> 0$: certified gap; blue $< 0$: no certificate)")
    style.legend_below(ax)
    return save_figure(fig, stem)


def plot_family(family: Family, rows: list, stem, summary: dict | None = None,
                locc_rounds=None) -> dict:
    """The figure that fits ``family.plot``."""
    if family.plot == "fig1":
        return plot_fig1(rows, stem, summary=summary, locc_rounds=locc_rounds)
    if family.plot == "ternary":
        return plot_ternary(rows, stem, summary=summary, steps=family.config.get("steps"))
    if family.plot == "robustness":
        main = family.config.get("main_s")
        return plot_robustness(rows, Path(stem), summary=summary, s_main=main)
    if family.plot == "tetra":
        return plot_tetra(rows, stem, summary=summary, steps=family.config.get("steps"))
    if family.plot == "line":
        title = None
        if family.name == "vacuum":
            title = ("$\\sqrt{x_0}\\,|000\\rangle + \\sqrt{\\frac{1-x_0}{3}}\\,"
                     "(|100\\rangle + |010\\rangle + |001\\rangle)$")
        return plot_line(rows, stem, xparam=family.xparam, summary=summary,
                         locc_rounds=locc_rounds, title=title)
    return plot_scatter(rows, stem, summary=summary)


__all__ = ["plot_robustness", "plot_fig1", "plot_ternary", "plot_tetra", "plot_line", "plot_scatter",
           "plot_family", "save_figure", "tetra_slices", "TETRA_QUANTITIES"]
