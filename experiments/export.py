"""Results out of sepgap: the SEP lower bound's instrument as Kraus matrices (``sepgap bound
--save-instrument FILE``) and a sweep's rows as a booktabs LaTeX table (``--latex``).

LaTeX numbers (:func:`latex_number`): an exact value whose fraction is short (at most
:data:`SHORT_FRACTION` characters, e.g. ``433/500``) is printed exactly as ``\\tfrac{433}{500}``;
any other value is a decimal with :data:`LATEX_DIGITS` digits rounded *outward*: a lower end
(``sep_lower``, ``locc_lower``, ``gap_lower``) down, an upper end (``sep_upper``,
``locc_upper``, ``gap_upper``, and kappa, an upper bound on LOCC) up, so every printed bracket
still contains the exact one. ``locc_lower`` is a simulated float (docs: LOCC protocols); it is
rounded down from its exact binary value.
"""
from __future__ import annotations

from fractions import Fraction
from pathlib import Path

from analytics.claims import decimal_down, decimal_up
from analytics.errors import SepgapError
from analytics.kraus import ExportError, check_path, kraus_operators

from .saved import atomic_write

class TableError(SepgapError, ValueError):
    """A LaTeX table cannot be made or written (bad rows, bad file name)."""


#: Longest exact fraction printed as a fraction in a LaTeX table.
SHORT_FRACTION = 9
#: Decimals of a rounded value in a LaTeX table.
LATEX_DIGITS = 6


def check_instrument_path(path) -> Path:
    """One-line :class:`~analytics.kraus.ExportError` naming ``--save-instrument`` unless an
    instrument file can be written at ``path`` (``.npz`` or ``.mat``)."""
    try:
        return check_path(path)
    except ExportError as exc:
        raise ExportError(f"--save-instrument: {exc}") from None


def save_instrument(result, path) -> str:
    """Write the Kraus operators of a lower-bound result (anything with ``kraus_operators()``:
    a :class:`~experiments.brackets.Bracket`, a ``SepLowerBound``, ...; see
    :mod:`analytics.kraus`) to ``path``; returns the path written."""
    path = check_instrument_path(path)
    return str(kraus_operators(result).save(path))


# ---- LaTeX ---------------------------------------------------------------------------------

def latex_number(value, relation: str | None, digits: int = LATEX_DIGITS) -> str:
    """``value`` (an exact string ``"p/q"``, a Fraction, a float or None) for a LaTeX cell:
    short fractions exactly, otherwise ``digits`` decimals rounded down (``relation=">="``,
    a lower bound) or up (``"<="``); None is ``--``. Raises ValueError for another relation."""
    if value is None or value == "":
        return "--"
    q = Fraction(value)
    text = str(q)
    if len(text) <= SHORT_FRACTION:
        if q.denominator == 1:
            return str(q.numerator)
        sign = "-" if q < 0 else ""
        return f"{sign}\\tfrac{{{abs(q.numerator)}}}{{{q.denominator}}}"
    if relation == ">=":
        return decimal_down(q, digits)
    if relation == "<=":
        return decimal_up(q, digits)
    raise ValueError(f"relation must be '>=' or '<=', got {relation!r}")


def _cell(row: dict, key: str, relation: str) -> str:
    exact = row.get(f"{key}_exact")
    return latex_number(exact if exact not in (None, "") else row.get(key), relation)


def _component(row: dict, key: str) -> str:
    q = Fraction(row.get(f"{key}_exact") or row[key])
    if len(str(q)) <= SHORT_FRACTION:
        return latex_number(q, None)
    return f"{float(q):.6g}"  # a long exact state (e.g. 3-digit grids): the value, not a bound


def _state(row: dict) -> str:
    x0, xa, xb, xc = (_component(row, k) for k in ("x0", "xA", "xB", "xC"))
    return f"$({x0};\\, {xa}, {xb}, {xc})$"


def latex_table(rows, caption: str = "") -> str:
    """A booktabs table of the sweep ``rows`` (dicts as in ``<name>.json``): the state
    (``s`` when the rows have it, and ``(x0; xA, xB, xC)``), kappa, the SEP bracket
    ``[sep_lower, sep_upper]``, the LOCC bracket ``[locc_lower, locc_upper]`` and the bounds
    on the gap ``SEP_opt - LOCC_sup`` ``[gap_lower, gap_upper]``; needs ``\\usepackage{booktabs}``."""
    rows = list(rows)
    for i, r in enumerate(rows):
        if not isinstance(r, dict) or any(r.get(k) is None for k in ("x0", "xA", "xB", "xC")):
            raise TableError(f"row {i} is not a sweep row (a dict with x0, xA, xB, xC and the "
                             f"bracket columns)")
    has_s = any(r.get("s") is not None for r in rows)
    head = (["$s$"] if has_s else []) + ["$(x_0;\\, x_A, x_B, x_C)$", "$\\kappa$",
                                         "SEP", "LOCC", "SEP$-$LOCC gap"]
    align = "l" * len(head)
    lines = [f"% sepgap: decimals rounded outward (lower ends down, upper ends up); "
             f"exact fractions where short", "\\begin{table}", "\\centering",
             f"\\begin{{tabular}}{{{align}}}", "\\toprule", " & ".join(head) + " \\\\", "\\midrule"]
    for r in rows:
        cells = []
        if has_s:
            cells.append(f"${_component(r, 's')}$" if r.get("s") is not None else "--")
        # the certified bound only (a sweep's relaxation is always all pairs, unit weights)
        up = r.get("sep_upper_certified_exact")

        def br(lo_key, hi_key, hi_value=None):
            lo = _cell(r, lo_key, ">=")
            hi = latex_number(hi_value, "<=") if hi_value is not None else _cell(r, hi_key, "<=")
            return f"$[{lo}, {hi}]$"
        cells += [_state(r), f"${_cell(r, 'kappa', '<=')}$",
                  br("sep_lower", "sep_upper", up),
                  br("locc_lower", "locc_upper"), br("gap_lower", "gap_upper")]
        lines.append(" & ".join(cells) + " \\\\")
    lines += ["\\bottomrule", "\\end{tabular}"]
    if caption:
        lines.append(f"\\caption{{{caption}}}")
    lines += ["\\end{table}", ""]
    return "\n".join(lines)


def latex_path(option, out_dir, name: str) -> Path | None:
    """Where ``--latex [FILE]`` writes: None without the option, ``DIR/<name>.tex`` for the
    bare flag, else FILE. One-line :class:`TableError` for a folder, a missing folder or a
    suffix other than ``.tex``, checked before the sweep starts."""
    if option is None:
        return None
    path = Path(out_dir) / f"{name}.tex" if option == "" else Path(option)
    if not str(option).strip() and option != "":
        raise TableError("--latex: empty file name")
    if path.is_dir():
        raise TableError(f"--latex {path}: is a directory (give a file name ending in .tex)")
    if path.suffix != ".tex":
        raise TableError(f"--latex {path}: the file name must end in .tex")
    if option != "" and not path.parent.is_dir():
        raise TableError(f"--latex {path}: folder {path.parent} does not exist")
    return path


def write_latex(path: Path, rows, caption: str = "") -> None:
    """Write :func:`latex_table` to ``path`` atomically (temporary file, then ``os.replace``)."""
    text = latex_table(rows, caption)
    try:
        atomic_write(Path(path), lambda fh: fh.write(text))
    except OSError as exc:
        raise TableError(f"cannot write {path}: {exc.strerror or type(exc).__name__}") from None


__all__ = ["TableError", "check_instrument_path", "save_instrument", "latex_number", "latex_table",
           "latex_path", "write_latex", "SHORT_FRACTION", "LATEX_DIGITS"]
