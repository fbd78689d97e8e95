"""Figures of sweeps: Fig. 1 of the paper, ternary heat maps, line and scatter plots.

Everything is drawn on a bare :class:`matplotlib.figure.Figure` with the Agg canvas (no pyplot,
no display) and saved as PNG and PDF atomically. Every function takes the rows of a sweep
(dicts as in :mod:`experiments.evaluate`) and a path stem; it returns ``{"png": path,
"pdf": path}``.
"""
from __future__ import annotations

import math
from pathlib import Path

import numpy as np

from .families import Family

SQ3 = math.sqrt(3) / 2


def _arr(rows, key) -> np.ndarray:
    return np.array([np.nan if r.get(key) is None else float(r[key]) for r in rows], dtype=float)


def _new_figure(size=(6.4, 4.8)):
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    fig = Figure(figsize=size)
    FigureCanvasAgg(fig)
    return fig


def save_figure(fig, stem) -> dict:
    """``<stem>.png`` (200 dpi) and ``<stem>.pdf``, each via a temporary file and os.replace."""
    from .sweep import atomic_write
    stem = Path(stem)
    out = {}
    for fmt in ("png", "pdf"):
        meta = {"CreationDate": None} if fmt == "pdf" else {"Software": None}
        out[fmt] = atomic_write(stem.with_name(stem.name + f".{fmt}"),
                                lambda f, fm=fmt, md=meta: fig.savefig(f, format=fm, dpi=200,
                                                                       metadata=md,
                                                                       bbox_inches="tight"),
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


# ---- Fig. 1 ------------------------------------------------------------------------------------

def plot_fig1(rows: list, stem, summary: dict | None = None, locc_rounds=None) -> dict:
    """The paper's Fig. 1: LOCC (kappa) and SEP against s, with the certified SEP band and the
    certified gap shaded; the largest certified gap is annotated."""
    s, k, lo, up, num, locc = _bound_arrays(rows, "s")
    mk = _marker(len(rows))

    fig = _new_figure((6.6, 4.9))
    ax = fig.add_subplot()
    has_gap = np.isfinite(lo) & np.isfinite(k) & (lo > k)
    if has_gap.any():
        ax.fill_between(s, k, lo, where=has_gap, interpolate=True, color="tab:orange", alpha=0.3,
                        linewidth=0, label="certified SEP $-$ LOCC gap")
    band = np.isfinite(lo) & np.isfinite(up)
    if band.any():
        width = float(np.max(up[band] - lo[band]))
        ax.fill_between(s, lo, up, where=band, color="tab:red", alpha=0.35, linewidth=0,
                        label=f"SEP optimum lies in this band (width $\\leq$ {width:.1e})")
    if np.isfinite(up).any():
        methods = {r.get("sep_upper_method") for r, u in zip(rows, up) if np.isfinite(u)}
        how = {frozenset({"trivial"}): "trivial bound 1 (Eq. 7 reaches it), exact certificate",
               frozenset({"ppt"}): "PPT bound with exact dual certificate"}.get(
            frozenset(methods), "certified: PPT dual, or trivial 1 where Eq. 7 reaches it")
        ax.plot(s, up, color="darkred", ls="--", lw=1.2, marker=mk, ms=2.5, zorder=4,
                label=f"SEP $\\leq$ {how}")
    if np.isfinite(lo).any():
        which = ("Eq. 7; without $M_{BC}$ where $s > 1/2$"
                 if any(r.get("sep_lower_kind") == "large_component" for r in rows) else "Eq. 7")
        ax.plot(s, lo, color="tab:red", lw=2, marker=mk, ms=3,
                label=f"SEP $\\geq$ explicit separable instrument ({which}), checked exactly")
    ax.plot(s, k, color="tab:blue", lw=2, marker=mk, ms=3,
            label="LOCC supremum $\\kappa(\\psi_s) = 2(1-s) - (1-s)^2/(4s)$ (Thms 1, 2)")
    if np.isfinite(locc).any():
        rounds = f" ({locc_rounds} Fortescue-Lo rounds)" if locc_rounds is not None else ""
        ax.plot(s, locc, ls="none", marker=".", ms=3, color="navy", alpha=0.7,
                label="LOCC $\\geq$ Theorem 2 protocol" + rounds)
    if np.isfinite(num).any():
        ax.plot(s, num, ls="none", marker="x", ms=6, color="black",
                label=f"PPT solver value, NOT certified ({int(np.isfinite(num).sum())} points)")

    mg = (summary or {}).get("max_gap_certified")
    if mg and mg["value"] > 0:
        i = next(j for j, r in enumerate(rows) if r["id"] == mg["ids"][0])
        xs, ylo, yhi = s[i], k[i], lo[i]
        ax.annotate("", xy=(xs, yhi), xytext=(xs, ylo),
                    arrowprops=dict(arrowstyle="<->", color="black", lw=1.2,
                                    shrinkA=0, shrinkB=0))
        span = (np.nanmax(s) - np.nanmin(s)) or 1.0
        right = xs > np.nanmin(s) + 0.6 * span
        s_txt = rows[i].get("s_exact") or ""
        s_txt = f"s = {s_txt}" if len(s_txt) <= 7 else f"s = {float(xs):.4g}"
        ax.text(xs + (-0.02 if right else 0.02) * span, (ylo + yhi) / 2,
                f"gap {100 * mg['value']:.1f}%\nat {s_txt}",
                ha="right" if right else "left", va="center", fontsize=9, zorder=6,
                bbox=dict(boxstyle="round,pad=0.2", fc="white", ec="none", alpha=0.85))

    ax.set_xlabel("s")
    ax.set_ylabel("maximum probability of an EPR pair")
    ax.set_title("$|\\psi_s\\rangle = \\sqrt{s}\\,|100\\rangle + \\sqrt{(1-s)/2}\\,"
                 "(|010\\rangle + |001\\rangle)$", fontsize=10)
    finite = np.concatenate([v[np.isfinite(v)] for v in (k, lo, up, num)])
    ymin = float(finite.min()) if finite.size else 0.0
    ymax = float(finite.max()) if finite.size else 1.0
    pad = max(0.02, 0.05 * (ymax - ymin))
    ax.set_ylim(ymin - pad, ymax + pad)
    if len(rows) > 1:
        span = float(np.nanmax(s) - np.nanmin(s))
        ax.set_xlim(float(np.nanmin(s)) - 0.01 * span, float(np.nanmax(s)) + 0.02 * span)
    ax.grid(alpha=0.3)
    ax.legend(loc="lower left", fontsize=7, framealpha=0.9)
    return save_figure(fig, stem)


# ---- ternary heat map over the x0 = 0 triangle ----------------------------------------------------

def _tern(xa, xb, xc):
    """Barycentric (xA, xB, xC) -> plane: A at (0, 0), B at (1, 0), C at (1/2, sqrt(3)/2)."""
    return xb + xc / 2, xc * SQ3


def _triangle_axes(ax, title: str) -> None:
    ax.plot([0, 1, 0.5, 0], [0, 0, SQ3, 0], color="black", lw=1)
    # x_k <= 1/2 for every k: the inner triangle where Eq. (7) gives SEP = 1
    inner = [(0.5, 0.5, 0), (0.5, 0, 0.5), (0, 0.5, 0.5), (0.5, 0.5, 0)]
    px, py = zip(*[_tern(*p) for p in inner])
    ax.plot(px, py, color="white", lw=1, ls="--")
    ax.text(0, -0.04, "A  (1, 0, 0)", ha="center", va="top", fontsize=8)
    ax.text(1, -0.04, "B  (0, 1, 0)", ha="center", va="top", fontsize=8)
    ax.text(0.5, SQ3 + 0.03, "C  (0, 0, 1)", ha="center", va="bottom", fontsize=8)
    ax.set_aspect("equal")
    ax.set_xlim(-0.08, 1.08)
    ax.set_ylim(-0.12, SQ3 + 0.1)
    ax.axis("off")
    ax.set_title(title, fontsize=9)


def plot_ternary(rows: list, stem, summary: dict | None = None, **_ignored) -> dict:
    """Heat maps over the triangle ``xA + xB + xC = 1`` (``x0 = 0``): the certified gap
    ``sep_lower - kappa`` (a lower bound on SEP - LOCC) and ``sep_upper_certified - kappa``
    (an upper bound); the maximum is starred."""
    import matplotlib.tri as mtri
    xa, xb, xc = (_arr(rows, key) for key in ("xA", "xB", "xC"))
    X, Y = _tern(xa, xb, xc)
    panels = [("gap_certified", "certified gap: SEP lower bound $-\\ \\kappa$\n"
                                "(lower bound on SEP $-$ LOCC)"),
              ("gap_upper", "certified PPT bound $-\\ \\kappa$\n(upper bound on SEP $-$ LOCC)")]
    vals = [_arr(rows, key) for key, _ in panels]
    g = vals[0]
    star = np.isfinite(g) & (g == np.nanmax(g)) if np.isfinite(g).any() else np.zeros(len(rows), bool)
    allv = np.concatenate([v[np.isfinite(v)] for v in vals])
    vmin, vmax = (0.0, float(allv.max()) if allv.size else 1.0)
    vmax = max(vmax, 1e-12)
    fig = _new_figure((10, 4.6))
    axes = [fig.add_subplot(1, 2, i + 1) for i in range(2)]
    tri = mtri.Triangulation(X, Y) if len(rows) >= 3 else None
    im = None
    for ax, (key, title), v in zip(axes, panels, vals):
        ok = np.isfinite(v)
        if tri is not None and ok.all():
            im = ax.tripcolor(tri, v, shading="gouraud", cmap="viridis", vmin=vmin, vmax=vmax)
        sc = ax.scatter(X[ok], Y[ok], c=v[ok], cmap="viridis", vmin=vmin, vmax=vmax, s=18,
                        edgecolors="black", linewidths=0.4, zorder=3)
        im = im or sc
        if (~ok).any():
            ax.scatter(X[~ok], Y[~ok], marker="x", color="red", s=25, zorder=4,
                       label="not certified")
            ax.legend(loc="upper right", fontsize=7)
        if star.any():
            ax.scatter(X[star], Y[star], marker="*", s=160, color="white", edgecolors="black",
                       zorder=5)
        _triangle_axes(ax, title)
    mg = (summary or {}).get("max_gap_certified")
    if mg:
        where = ", ".join(w.replace("x = ", "") for w in mg["where"][:3])
        more = f" and {len(mg['where']) - 3} more" if len(mg["where"]) > 3 else ""
        fig.suptitle(f"$x_0 = 0$ states $x = (x_A, x_B, x_C)$; star: largest certified gap "
                     f"{mg['value']:.4g}\nat x = {where}{more}", fontsize=10)
    fig.text(0.45, 0.01, "dashed triangle: every $x_k \\leq 1/2$, where the Eq. (7) instrument "
                         "gives SEP = 1", ha="center", fontsize=8)
    if im is not None:
        cb = fig.colorbar(im, ax=axes, shrink=0.8)
        cb.set_label("probability difference")
    return save_figure(fig, stem)


# ---- one-parameter families ---------------------------------------------------------------------

def plot_line(rows: list, stem, xparam: str = "x0", summary: dict | None = None,
              locc_rounds=None, title: str | None = None) -> dict:
    """kappa, the certified SEP upper bound and (where they exist) the SEP lower bound and the
    LOCC protocol against one parameter; points where kappa exceeds the certified SEP bound
    (so kappa is not the LOCC optimum there) are marked."""
    x, k, lo, up, num, locc = _bound_arrays(rows, xparam)
    exceed = np.array([r.get("kappa_exceeds_sep_upper") is True for r in rows])
    mk = _marker(len(rows))
    fig = _new_figure((6.6, 4.9))
    ax = fig.add_subplot()
    band = np.isfinite(lo) & np.isfinite(up)
    if np.any(band[:-1] & band[1:]):
        ax.fill_between(x, lo, up, where=band, color="tab:red", alpha=0.3, linewidth=0,
                        label="SEP optimum lies in this band")
    ax.plot(x, k, color="tab:blue", lw=2, marker=mk, ms=3,
            label="$\\kappa$: upper bound on LOCC (= LOCC supremum if x0 = 0)")
    if np.isfinite(up).any():
        ax.plot(x, up, color="darkred", ls="--", lw=1.4, marker=mk, ms=3,
                label="SEP $\\leq$ certified PPT bound")
    if np.isfinite(lo).any():
        ax.plot(x, lo, color="tab:red", ls="none", marker="o", ms=4,
                label="SEP $\\geq$ explicit separable instrument (checked)")
    if np.isfinite(locc).any():
        ax.plot(x, locc, ls="none", marker=".", ms=4, color="navy",
                label="LOCC $\\geq$ explicit protocol ("
                + (f"Thm 2, {locc_rounds} FL rounds, " if locc_rounds is not None else "")
                + "if $x_0 = 0$; projective + Vidal if $x_0 > 0$)")
    if np.isfinite(num).any():
        ax.plot(x, num, ls="none", marker="x", ms=6, color="black",
                label=f"PPT solver value, NOT certified ({int(np.isfinite(num).sum())})")
    if exceed.any():
        ax.fill_between(x, up, k, where=exceed & np.isfinite(up), color="grey", alpha=0.3,
                        linewidth=0)
        ax.vlines(x[exceed], up[exceed], k[exceed], color="grey", lw=3, alpha=0.6,
                  label=f"$\\kappa$ > certified SEP bound ({int(exceed.sum())} points): "
                        "$\\kappa$ is not the LOCC optimum")
    ax.set_xlabel(xparam)
    ax.set_ylabel("maximum probability of an EPR pair")
    if title:
        ax.set_title(title, fontsize=10)
    ax.grid(alpha=0.3)
    ax.legend(loc="best", fontsize=7, framealpha=0.9)
    return save_figure(fig, stem)


def plot_scatter(rows: list, stem, summary: dict | None = None, **_ignored) -> dict:
    """Certified SEP upper bound against kappa, coloured by x0. Below the diagonal kappa exceeds
    an upper bound on SEP, so it is not the LOCC optimum of that state."""
    k = _arr(rows, "kappa")
    up = _arr(rows, "sep_upper_certified")
    x0 = _arr(rows, "x0")
    fig = _new_figure((6.2, 5.2))
    ax = fig.add_subplot()
    ax.plot([0, 1], [0, 1], color="grey", lw=1, ls=":", label="certified SEP bound $= \\kappa$")
    ok = np.isfinite(up)
    sc = ax.scatter(k[ok], up[ok], c=x0[ok], cmap="plasma", vmin=0, vmax=max(1e-9, np.nanmax(x0)),
                    s=22, edgecolors="black", linewidths=0.3, zorder=3)
    ex = np.array([r.get("kappa_exceeds_sep_upper") is True for r in rows])
    if ex.any():
        ax.scatter(k[ex], up[ex], facecolors="none", edgecolors="red", s=70, linewidths=1.2,
                   zorder=4, label=f"$\\kappa$ > certified SEP bound ({int(ex.sum())}): "
                                   "$\\kappa$ is not the LOCC optimum")
    if (~ok).any():
        num = _arr(rows, "sep_upper_numerical")
        ax.scatter(k[~ok], num[~ok], marker="x", color="black", s=30, zorder=4,
                   label=f"NOT certified ({int((~ok).sum())}): solver value")
    cb = fig.colorbar(sc, ax=ax, shrink=0.85)
    cb.set_label("$x_0$ (weight of $|000\\rangle$)")
    ax.set_xlabel("$\\kappa$ (upper bound on LOCC; the LOCC supremum when $x_0 = 0$)")
    ax.set_ylabel("certified PPT upper bound on SEP")
    ax.set_xlim(-0.02, 1.02)
    ax.set_ylim(-0.02, 1.02)
    ax.set_aspect("equal")
    ax.grid(alpha=0.3)
    ax.legend(loc="upper left", fontsize=7, framealpha=0.9)
    return save_figure(fig, stem)


def plot_family(family: Family, rows: list, stem, summary: dict | None = None,
                locc_rounds=None) -> dict:
    """The figure that fits ``family.plot``."""
    if family.plot == "fig1":
        return plot_fig1(rows, stem, summary=summary, locc_rounds=locc_rounds)
    if family.plot == "ternary":
        return plot_ternary(rows, stem, summary=summary)
    if family.plot == "line":
        title = None
        if family.name == "vacuum":
            title = ("$\\sqrt{x_0}|000\\rangle + \\sqrt{(1-x_0)/3}"
                     "(|100\\rangle + |010\\rangle + |001\\rangle)$")
        return plot_line(rows, stem, xparam=family.xparam, summary=summary,
                         locc_rounds=locc_rounds, title=title)
    return plot_scatter(rows, stem, summary=summary)


__all__ = ["plot_fig1", "plot_ternary", "plot_line", "plot_scatter", "plot_family",
           "save_figure"]
