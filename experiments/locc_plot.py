"""The ``sepgap locc --plot FILE`` figure: LOCC protocol success probability against rounds.

Top panel: the Theorem 2 protocol's success probability :math:`P(N)` (Fortescue-Lo budget of N
rounds on the :math:`|W\\rangle` branch) against N, with :math:`\\kappa(\\vec x)` (Theorem 1 upper
bound, LOCC supremum for :math:`x_0 = 0`) and the explicit SEP value
(:func:`analytics.lower.sep_lower_bound`) as horizontal lines. Bottom panel:
:math:`\\kappa - P(N)` on log axes, which shows the approach to :math:`\\kappa` from below.

Drawn with matplotlib's Agg canvas directly (no pyplot, no display, no global backend change).
"""
from __future__ import annotations

import os

import numpy as np

from analytics.errors import SepgapError
from analytics.locc import theorem2_protocol
from analytics.states import WClassState

from . import style

#: File types the Agg canvas writes.
PLOT_FORMATS = ("png", "pdf", "svg", "eps", "ps")


class PlotOutputError(SepgapError, ValueError):
    """The plot cannot be written to the requested path (names the path and why)."""


def check_output_path(path: str) -> str:
    """Fail early, with the reason, if ``path`` cannot receive a figure; returns the format."""
    p = os.fspath(path)
    ext = os.path.splitext(p)[1].lower().lstrip(".")
    if ext not in PLOT_FORMATS:
        raise PlotOutputError(f"--plot {p!r}: unsupported file type {ext or '(none)'!r}; "
                              f"use one of {', '.join(PLOT_FORMATS)}")
    parent = os.path.dirname(os.path.abspath(p))
    if not os.path.isdir(parent):
        raise PlotOutputError(f"--plot {p!r}: directory {parent!r} does not exist")
    if os.path.isdir(p):
        raise PlotOutputError(f"--plot {p!r} is a directory")
    if not os.access(parent, os.W_OK):
        raise PlotOutputError(f"--plot {p!r}: directory {parent!r} is not writable")
    return ext


def rounds_grid(max_rounds: int, points: int = 60) -> list:
    """``0`` and about ``points`` integers spaced geometrically up to ``max_rounds``."""
    if max_rounds <= 0:
        return [0]
    grid = np.unique(np.round(np.geomspace(1, max_rounds, points)).astype(int))
    return [0] + [int(n) for n in grid]


def plot_locc_vs_rounds(state: WClassState, max_rounds: int, path: str,
                        sep_value=None, sep_label: str = "explicit SEP instrument") -> dict:
    """Draw the figure for ``state`` (x0 = 0) and write it to ``path``.

    ``sep_value``: the explicit SEP success probability (``sep_label`` names the instrument), or
    None (the line is then left out and the legend says so). Returns the plotted data ``{"rounds": [...], "locc": [...],
    "kappa": k, "sep": sep_value}``.
    """
    fmt = check_output_path(path)
    ns = rounds_grid(max_rounds)
    results = [theorem2_protocol(state, n) for n in ns]
    locc = [float(r.locc_lower) for r in results]
    kap = float(results[0].kappa)
    with style.rc():
        _draw(state, ns, locc, kap, sep_value, sep_label, path, fmt)
    return {"rounds": ns, "locc": locc, "kappa": kap,
            "sep": None if sep_value is None else float(sep_value)}


def _draw(state, ns, locc, kap, sep_value, sep_label, path, fmt) -> None:
    c = style.COLORS
    fig = style.new_figure(style.COLUMN_WIDTH, aspect=1.35)
    ax, ax2 = fig.subplots(2, 1, height_ratios=(1.3, 1))
    xs = [max(n, 0.5) for n in ns]  # N = 0 drawn at 0.5 on the log axis
    ax.plot(xs, locc, "o-", ms=2.5, lw=1.0, color=c["locc"], label="LOCC $\\geq$ Theorem 2 protocol with $N$ rounds")
    ax.axhline(kap, color=c["kappa"], ls="--", lw=1.0,
               label=f"$\\kappa = {kap:.6g}$ (LOCC supremum)")
    if sep_value is not None:
        ax.axhline(float(sep_value), color=c["sep_lower"], ls=":", lw=1.2,
                   label=f"SEP $\\geq$ {float(sep_value):.6g} ({sep_label})")
    ax.set_xscale("log")
    top = max([kap] + ([float(sep_value)] if sep_value is not None else []))
    pad = 0.06 * (top - min(locc)) or 0.01  # keep the horizontal lines off the frame
    ax.set_ylim(min(locc) - pad, top + pad)
    ax.set_ylabel("success probability")
    comps = ", ".join(f"$x_{{{k}}} = {style.frac_tex(_frac(v))}$"
                      for k, v in (("0", state.x0), ("A", state.xA), ("B", state.xB), ("C", state.xC)))
    if sep_value is None:  # said in words, not as a legend entry without a line
        comps += "\nno explicit SEP instrument for this state"
    ax.set_title(comps)
    style.legend_below(ax)
    gaps = np.array([kap - v for v in locc])
    pos = gaps > 0
    if np.any(pos):
        ax2.loglog(np.array(xs)[pos], gaps[pos], "o-", ms=2.5, lw=1.0, color=c["gap"])
    ax2.set_xlabel("Fortescue-Lo rounds $N$ ($N = 0$ drawn at 0.5)")
    ax2.set_ylabel("$\\kappa - P(N)$")
    try:
        fig.savefig(path, format=fmt)
    except OSError as exc:
        raise PlotOutputError(f"--plot {path!r}: {exc.strerror or exc}") from None


def _frac(q) -> str:
    from analytics.certificates import frac_str
    t = frac_str(q)
    return t if len(t) <= 9 else f"{float(q):.4g}"


__all__ = ["PLOT_FORMATS", "PlotOutputError", "check_output_path", "rounds_grid",
           "plot_locc_vs_rounds"]
