"""One figure style for everything sepgap draws (fig1, sweeps, tetra maps, the LOCC plot).

Made for a journal page: a one-column figure is :data:`COLUMN_WIDTH` = 8.6 cm (3.39 in) wide,
two columns :data:`TWO_COLUMN_WIDTH` = 17.8 cm; fonts are 7-8 pt at that size, so they stay
readable when printed without scaling. PDFs embed TrueType (Type 42) fonts, which journals
accept and which stay editable, instead of Type 3 bitmaps. Symbols are written in LaTeX
mathtext (:math:`\\kappa`, fractions as ``\\frac``), never spelled out.

Figures are made with :func:`new_figure` (a bare :class:`~matplotlib.figure.Figure` on the Agg
canvas: no pyplot, no display, no global state) inside :func:`rc`, which applies the style
only while the figure is drawn and saved.
"""
from __future__ import annotations

import contextlib

#: Physical Review one-column and two-column widths, in inches (8.6 cm and 17.8 cm).
COLUMN_WIDTH = 8.6 / 2.54
TWO_COLUMN_WIDTH = 17.8 / 2.54

#: The style (matplotlib rcParams) of every sepgap figure.
RC = {
    "pdf.fonttype": 42,          # TrueType in PDF (not Type 3)
    "ps.fonttype": 42,
    "font.family": "DejaVu Sans",
    "mathtext.fontset": "dejavusans",
    "font.size": 8,
    "axes.titlesize": 8,
    "axes.labelsize": 8,
    "xtick.labelsize": 7,
    "ytick.labelsize": 7,
    "legend.fontsize": 6.5,
    "legend.frameon": False,
    "legend.handlelength": 1.8,
    "legend.borderaxespad": 0.3,
    "axes.linewidth": 0.6,
    "lines.linewidth": 1.2,
    "lines.markersize": 3,
    "xtick.major.width": 0.6,
    "ytick.major.width": 0.6,
    "xtick.direction": "in",
    "ytick.direction": "in",
    "xtick.top": True,
    "ytick.right": True,
    "axes.grid": False,
    "figure.dpi": 100,
    "savefig.dpi": 300,
    "savefig.bbox": "tight",
    "savefig.pad_inches": 0.02,
    "image.cmap": "viridis",
    "text.usetex": False,        # mathtext: needs no LaTeX installation
}

#: Colours of the recurring quantities (the same in every figure).
COLORS = {
    "kappa": "#1f77b4",        # LOCC (kappa)
    "sep_lower": "#d62728",    # SEP lower bound
    "sep_upper": "#7f0000",    # certified SEP upper bound
    "band": "#d62728",
    "gap": "#ff7f0e",
    "locc": "#08306b",
    "uncertified": "black",
    "contour": "black",        # zero contour of the certified gap (visible on the diverging maps)
}

#: Sequential colour map of heat maps; missing (not computed) cells are drawn in MISSING.
CMAP = "viridis"
DIVERGING = "RdBu_r"
MISSING = "#d9d9d9"
KAPPA = r"$\kappa$"


@contextlib.contextmanager
def rc():
    """Apply :data:`RC` on top of matplotlib's own defaults while drawing and saving, whatever
    the user's matplotlibrc or style says (``text.usetex: True`` without LaTeX installed, a
    dark style, another font); everything is restored afterwards."""
    import matplotlib
    import matplotlib.style
    with matplotlib.rc_context():
        matplotlib.style.use("default")  # the built-in defaults, not the user's matplotlibrc
        matplotlib.rcParams.update(RC)
        yield


def failure_line(exc: BaseException, what: str) -> str:
    """One line saying why ``what`` (a figure) could not be drawn: the first line of the
    error, at most 200 characters (a LaTeX failure is 100 lines of log otherwise)."""
    first = next((ln.strip() for ln in str(exc).splitlines() if ln.strip()), "")
    first = first if len(first) <= 200 else first[:200] + "..."
    return f"{what} not drawn ({type(exc).__name__}: {first}); the numbers are saved"


def new_figure(width: float = COLUMN_WIDTH, height: float | None = None, aspect: float = 0.75):
    """A bare Agg figure ``width`` inches wide (default one column), ``height`` or
    ``aspect * width`` high. Call it (and save) inside :func:`rc`."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    fig = Figure(figsize=(width, height if height is not None else aspect * width),
                 layout="constrained")
    FigureCanvasAgg(fig)
    return fig


def frac_tex(text: str) -> str:
    """``"1/4"`` -> ``r"\\frac{1}{4}"`` (mathtext; no dollars), integers unchanged."""
    num, sep, den = str(text).partition("/")
    return rf"\frac{{{num}}}{{{den}}}" if sep else num


def legend_below(ax, ncol: int = 1, **kw):
    """The legend of ``ax`` under everything in the figure (never over data; the constrained
    layout makes room for it); entries without a label are not shown."""
    handles, labels = ax.get_legend_handles_labels()
    keep = [(h, lab) for h, lab in zip(handles, labels) if lab and not lab.startswith("_")]
    if not keep:
        return None
    h, lab = zip(*keep)
    return ax.figure.legend(h, lab, loc="outside lower left", ncol=ncol, **kw)


__all__ = ["COLUMN_WIDTH", "TWO_COLUMN_WIDTH", "RC", "COLORS", "CMAP", "DIVERGING", "MISSING",
           "KAPPA", "rc", "failure_line", "new_figure", "frac_tex", "legend_below"]
