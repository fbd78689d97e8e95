"""``sepgap sweep ghz|wghz|canonical|canonical-grid|states``: brackets beyond the W-class.

Families (parameter ``t`` in units of pi, ``t_i = tmin + i (tmax - tmin)/(N - 1)``; amplitudes
are floats, read exactly as binary rationals and normalised exactly):

* ``ghz``:  ``cos(pi t)|000> + sin(pi t)|111>`` (default t in [0, 1/4]); the one-measurement
  protocol gives ``2 min(cos^2, sin^2)`` exactly (up to the binary rounding of the amplitudes);
* ``wghz``: ``cos(pi t)|W> + sin(pi t)|GHZ>`` (default t in [0, 1/2]);
* ``canonical``: the canonical form of Acin et al. with given coefficients ``--l l0,...,l4``
  (default all 1/2; normalised) and the LU-invariant phase ``phi = pi t`` swept (t in [0, 1]);
* ``canonical-grid``: two canonical parameters on an N x N grid (``--x``, ``--y`` from l0..l4,
  phi; a coefficient takes the values i/(N-1) before normalising, phi = pi i/(N-1)), the others
  fixed by ``--l`` and ``--phi``; N <= :data:`MAX_GRID_POINTS`;
* ``states``: the states of a file (``--state-file FILE``: a JSON list of amplitude vectors in
  the exact syntax of ``sepgap bound --amplitudes``, or a ``.npy`` array (n, 8); ``--normalise``).

Every point goes through the routing of ``sepgap bound --amplitudes``
(:func:`experiments.general_rows.point_row`: W-class -> :func:`experiments.bracket`, else the
general engines) and becomes one row: the family's parameters, the amplitudes (exact strings),
class, 3-tangle, canonical coefficients, ``routed_to`` and the bracket columns. Outputs in DIR:
``<family>.csv``, ``<family>.json`` (``kind = "general_sweep"``: config, rows, certificates),
``certificates/<id>.json``, ``<family>.png``; while running, ``<family>.partial.jsonl`` (one line
per finished point). ``sepgap verify DIR/<family>.json`` verifies every certificate and
re-derives every row (:func:`check_general_sweep`). What DIR holds is never overwritten without
``--fresh``; ``--resume`` reuses saved rows of the same configuration, each only after its
certificate verifies and the row re-derives exactly, and recomputes the others.
"""
from __future__ import annotations

import csv
import io
import json
import math
import os
import sys
from fractions import Fraction
from pathlib import Path

import numpy as np

from analytics.certificates import frac_str, shorten
from analytics.errors import SepgapError
from analytics.general_states import load_states_file, three_qubit_state
from analytics.states import parse_number

from . import style
from .cmd_bound import write_json_atomic
from .general_rows import check_row, lower_certificate_key, point_row
from .verifiers import verify_result

FAMILIES = {"ghz": ("cos(pi t)|000> + sin(pi t)|111>", "0", "1/4"),
            "wghz": ("cos(pi t)|W> + sin(pi t)|GHZ>, |W> = (|001>+|010>+|100>)/sqrt 3", "0", "1/2"),
            "canonical": ("l0|000> + l1 e^{i pi t}|100> + l2|101> + l3|110> + l4|111> "
                          "(Acin et al.), the phase phi = pi t swept", "0", "1")}

TITLES = {"ghz": r"$\cos(\pi t)|000\rangle + \sin(\pi t)|111\rangle$",
          "wghz": r"$\cos(\pi t)|W\rangle + \sin(\pi t)|GHZ\rangle$",
          "canonical": r"$l_0|000\rangle + l_1 e^{i\pi t}|100\rangle + l_2|101\rangle"
                       r" + l_3|110\rangle + l_4|111\rangle$"}

#: Families beyond the t-slices: a file of states and the canonical-parameter grid.
STATES_FAMILY = "states"
GRID_FAMILY = "canonical-grid"
GRID_STATE = ("l0|000> + l1 e^{i phi}|100> + l2|101> + l3|110> + l4|111> (Acin et al.), "
              "two of l0..l4, phi on a grid")
#: Parameter columns of each family's CSV (default ``t``).
PARAM_COLUMNS = {STATES_FAMILY: ("index", "name"), GRID_FAMILY: ("x", "y")}
PARTIAL_FORMAT = "sepgap-general-sweep-partial"

#: Default canonical coefficients of the ``canonical`` family (normalised by the sweep).
DEFAULT_L = "1/2,1/2,1/2,1/2,1/2"
COLUMNS = ("id", "class", "three_tangle", "routed_to", "locc_lower", "locc_lower_exact",
           "locc_sup_lower", "locc_sup_lower_exact", "sep_lower", "sep_lower_exact", "sep_upper",
           "sep_upper_exact", "sep_upper_kind", "locc_upper", "locc_upper_exact", "gap_lower",
           "gap_lower_exact", "gap_upper", "gap_upper_exact", "sep_width", "locc_width",
           "certificate_file", "seconds")


class GeneralSweepError(SepgapError):
    """Bad options of a general-state sweep, or its output folder is taken."""


def parse_l(text: str) -> list:
    """``"l0,l1,l2,l3,l4"`` -> 5 exact non-negative numbers, not all 0."""
    parts = [p.strip() for p in str(text).split(",")]
    if len(parts) != 5:
        raise GeneralSweepError(f"--l {text!r}: give 5 comma-separated numbers l0,...,l4")
    try:
        vals = [parse_number(p) for p in parts]
    except SepgapError as exc:
        raise GeneralSweepError(f"--l: {exc}") from None
    if any(v < 0 for v in vals) or not any(vals):
        raise GeneralSweepError(f"--l {text!r}: the coefficients are >= 0 and not all 0")
    return vals


def family_states(name: str, tmin, tmax, points: int, l=None) -> list:
    """``[(t, amplitudes)]`` (t a Fraction, amplitudes 8 floats); ``l`` the 5 canonical
    coefficients of the ``canonical`` family."""
    if name not in FAMILIES:
        raise GeneralSweepError(f"unknown family {name!r}")
    if isinstance(points, bool) or not isinstance(points, int) or not 1 <= points <= 1000:
        raise GeneralSweepError(f"--points {points!r}: an integer from 1 to 1000")
    a, b = Fraction(tmin), Fraction(tmax)
    if not 0 <= a <= b <= 1:
        raise GeneralSweepError(f"need 0 <= tmin <= tmax <= 1, got {a}, {b}")
    ts = [a] if points == 1 else [a + i * (b - a) / (points - 1) for i in range(points)]
    w = np.zeros(8)
    w[[1, 2, 4]] = 1 / math.sqrt(3)
    g = np.zeros(8)
    g[[0, 7]] = 1 / math.sqrt(2)
    out = []
    for t in ts:
        c, s = math.cos(math.pi * float(t)), math.sin(math.pi * float(t))
        if name == "ghz":
            v = np.zeros(8)
            v[0], v[7] = c, s
        elif name == "canonical":
            lv = [float(x) for x in (l if l is not None else parse_l(DEFAULT_L))]
            v = np.zeros(8, dtype=complex)
            v[0], v[4], v[5], v[6], v[7] = lv[0], lv[1] * complex(c, s), lv[2], lv[3], lv[4]
            v = v / np.linalg.norm(v)
            out.append((t, [complex(x) for x in v]))
            continue
        else:
            v = c * w + s * g
            v = v / np.linalg.norm(v)
        out.append((t, [float(x) for x in v]))
    return out


# ---- the canonical-parameter grid and files of states ------------------------------------------

#: Axes of ``sweep canonical-grid``: a canonical coefficient (values i/(N-1) in [0, 1], the other
#: coefficients from ``--l``, then normalised) or the phase (``phi = pi t``, t = i/(N-1)).
GRID_AXES = ("l0", "l1", "l2", "l3", "l4", "phi")
#: Size guard of ``sweep canonical-grid``: at most this many points per axis (N^2 states).
MAX_GRID_POINTS = 15


def grid_states(x: str, y: str, points: int, l, phi) -> list:
    """``[(params, amplitudes)]`` of the canonical-form grid: axes ``x`` and ``y``
    (:data:`GRID_AXES`, different), ``points`` values each (2 to :data:`MAX_GRID_POINTS`),
    the other coefficients ``l`` (5 exact numbers) and the phase ``phi`` (units of pi, in
    [0, 1]) fixed. Params ``{"x": value, "y": value}`` (exact Fractions). Refuses a grid with an
    all-zero point."""
    for name, ax in (("--x", x), ("--y", y)):
        if ax not in GRID_AXES:
            raise GeneralSweepError(f"{name} {ax!r}: one of {', '.join(GRID_AXES)}")
    if x == y:
        raise GeneralSweepError(f"--x and --y are both {x}: give two different axes")
    if isinstance(points, bool) or not isinstance(points, int) or \
            not 2 <= points <= MAX_GRID_POINTS:
        raise GeneralSweepError(f"--points {points!r}: an integer from 2 to {MAX_GRID_POINTS} "
                                f"per axis (the grid has points^2 states, each a few seconds)")
    phi = Fraction(phi)
    if not 0 <= phi <= 1:
        raise GeneralSweepError(f"--phi {phi}: in [0, 1] (units of pi)")
    vals = [Fraction(i, points - 1) for i in range(points)]
    out = []
    for vy in vals:
        for vx in vals:
            coef = list(l) + [phi]
            coef[GRID_AXES.index(x)], coef[GRID_AXES.index(y)] = vx, vy
            if not any(coef[:5]):
                raise GeneralSweepError(f"the grid point {x} = {vx}, {y} = {vy} has all "
                                        "coefficients 0: change --l or the axes")
            lv = [float(c) for c in coef[:5]]
            c, s_ = math.cos(math.pi * float(coef[5])), math.sin(math.pi * float(coef[5]))
            v = np.zeros(8, dtype=complex)
            v[0], v[4], v[5], v[6], v[7] = lv[0], lv[1] * complex(c, s_), lv[2], lv[3], lv[4]
            v = v / np.linalg.norm(v)
            out.append(({"x": vx, "y": vy}, [complex(a) for a in v]))
    return out


def file_states(path, normalise: bool = False) -> list:
    """``[(params, ThreeQubitState)]`` of ``sweep states --state-file FILE`` (params: ``index``
    and the optional ``name``); file errors are :class:`analytics.general_states.AmplitudeError`."""
    return [({"index": i, "name": name}, st)
            for i, (name, st) in enumerate(load_states_file(path, normalise=normalise))]


# ---- one run -----------------------------------------------------------------------------------

def _params_row(params: dict) -> dict:
    row = {}
    for k, v in params.items():
        if isinstance(v, Fraction):
            row[k], row[f"{k}_exact"] = float(v), frac_str(v)
        else:
            row[k] = v
    return row


def _plot(name: str, doc: dict, path: Path) -> None:
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.ticker import MaxNLocator
    rows = doc["rows"]
    up = [r["sep_upper"] if r["sep_upper"] is not None else np.nan for r in rows]
    low = [r["locc_lower"] if r["locc_lower"] is not None else np.nan for r in rows]
    if name == GRID_FAMILY:
        cfg = doc["config"]
        n = cfg["points"]
        ext = (-0.5 / (n - 1), 1 + 0.5 / (n - 1)) * 2
        fig, axes = plt.subplots(1, 3, figsize=(11, 3.6), sharey=True)
        panels = (("LOCC lower bound (protocol)", low, "viridis", (0, 1)),
                  ("certified PPT bound on SEP", up, "viridis", (0, 1)),
                  ("bracket width (sep_upper - locc_lower)",
                   [u - lo for u, lo in zip(up, low)], "magma", None))
        lab = {"phi": r"$\varphi/\pi$", **{f"l{i}": f"$l_{i}$ (before normalising)"
                                          for i in range(5)}}
        for ax, (title, vals, cmap, lim) in zip(axes, panels):
            z = np.array(vals, dtype=float).reshape(n, n)
            im = ax.imshow(z, origin="lower", extent=ext, cmap=cmap, aspect="auto",
                           vmin=None if lim is None else lim[0],
                           vmax=None if lim is None else lim[1])
            ax.set_title(title, fontsize=9)
            ticks = [i / (n - 1) for i in range(n)][:: max(1, (n - 1) // 4)]
            ax.set_xticks(ticks)
            ax.set_yticks(ticks)
            ax.set_xlabel(lab[cfg["x"]])
            fig.colorbar(im, ax=ax, fraction=0.046)
        axes[0].set_ylabel(lab[cfg["y"]])
        fixed = ", ".join(f"$l_{i}$={cfg['l'][i]}" for i in range(5)
                          if f"l{i}" not in (cfg["x"], cfg["y"]))
        if "phi" not in (cfg["x"], cfg["y"]):
            fixed += rf", $\varphi$={cfg['phi']}$\pi$"
        fig.suptitle(rf"canonical form $l_0|000\rangle + l_1 e^{{i\varphi}}|100\rangle + "
                     rf"l_2|101\rangle + l_3|110\rangle + l_4|111\rangle$; {fixed}", fontsize=9)
        fig.tight_layout()
        fig.savefig(path, dpi=150)
        plt.close(fig)
        return
    fig, ax = plt.subplots(figsize=(6, 4))
    if name == STATES_FAMILY:
        t = [r["index"] for r in rows]
        ax.vlines(t, low, up, color="0.6", lw=2, label="bracket")
        ax.plot(t, up, "v", label="certified upper bound on SEP (and LOCC)")
        ax.plot(t, low, "^", label="LOCC lower bound (also SEP)")
        ax.set_xlabel("state (index in the file)")
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        ax.set_title(f"states of {Path(doc['state_file']).name}", fontsize=10)
    else:
        t = [r["t"] for r in rows]
        ax.plot(t, up, "o-", label="certified upper bound on SEP (and LOCC)")
        ax.plot(t, low, "s--", label="LOCC lower bound (protocol; also SEP)")
        if name == "ghz":
            tt = np.linspace(min(t), max(t), 200)
            ax.plot(tt, 2 * np.minimum(np.cos(np.pi * tt) ** 2, np.sin(np.pi * tt) ** 2), "k:",
                    lw=1, label=r"$2\min(|a|^2,|b|^2)$")
        ax.set_xlabel(r"$t$ (state parameter, units of $\pi$)")
        ax.set_title(TITLES[name], fontsize=10)
    # a separable instrument above the LOCC protocol (the LP, --lower lp/auto): its own series
    g = [r for r in rows if r.get("routed_to") == "general" and r.get("sep_lower") is not None
         and r.get("locc_lower") is not None and r["sep_lower"] > r["locc_lower"]]
    if g:
        ax.plot([r["t"] if name != STATES_FAMILY else r["index"] for r in g],
                [r["sep_lower"] for r in g], "D:", ms=4, color="tab:green",
                label="SEP lower bound (LP separable instrument)")
    w = [r for r in rows if r.get("routed_to") == "w_class"]
    if w:
        ax.plot([r["t"] if name != STATES_FAMILY else r["index"] for r in w],
                [r["sep_lower"] for r in w], "k*", ms=9,
                label="W-class point: W machinery (explicit SEP instrument)")
    ax.set_ylabel("EPR probability (random pair)")
    ax.set_ylim(-0.02, 1.05)
    ax.grid(alpha=0.3)
    ax.legend(fontsize=7, loc="best")
    fig.tight_layout()
    fig.savefig(path, dpi=150)
    plt.close(fig)


def _append(path: Path, rec: dict) -> None:
    with open(path, "a", encoding="utf-8") as fh:
        fh.write(json.dumps(rec) + "\n")
        fh.flush()
        os.fsync(fh.fileno())


def _saved_records(out: Path, name: str, config: dict) -> tuple:
    """``(records by id, source)`` of what DIR holds for this family: the finished
    ``<name>.json`` or the ``<name>.partial.jsonl`` of an interrupted run, each only if its
    configuration is this run's (else :class:`GeneralSweepError`: nothing is discarded)."""
    recs, src = {}, None
    final, partial = out / f"{name}.json", out / f"{name}.partial.jsonl"
    if final.exists():
        try:
            doc = json.loads(final.read_text(encoding="utf-8"))
        except (ValueError, OSError, RecursionError) as exc:
            raise GeneralSweepError(f"{final} is not readable JSON ({type(exc).__name__}); "
                                    "move it away or pass --fresh") from None
        if not isinstance(doc, dict) or doc.get("config") != config:
            raise GeneralSweepError(f"{final} holds another configuration: pass --fresh to "
                                    "replace it, or another --out")
        certs = doc.get("certificates") if isinstance(doc.get("certificates"), dict) else {}
        for r in doc.get("rows") or []:
            if isinstance(r, dict) and isinstance(r.get("id"), str):
                recs[r["id"]] = {"row": r, "certificate": certs.get(r["id"]),
                                 "lower_certificate": certs.get(lower_certificate_key(r["id"]))}
        src = final
    if partial.exists():
        lines = partial.read_text(encoding="utf-8", errors="replace").splitlines()
        try:
            head = json.loads(lines[0]) if lines else None
        except ValueError:
            head = None
        if not isinstance(head, dict) or head.get("format") != PARTIAL_FORMAT:
            raise GeneralSweepError(f"{partial} is not a sepgap partial file: move it away")
        if head.get("config") != config:
            raise GeneralSweepError(f"{partial} holds another configuration: pass --fresh to "
                                    "replace it, or another --out")
        for ln in lines[1:]:
            try:
                rec = json.loads(ln)
            except ValueError:
                continue  # a torn last line: that point is computed again
            if isinstance(rec, dict) and isinstance(rec.get("row"), dict) and \
                    isinstance(rec["row"].get("id"), str):
                recs[rec["row"]["id"]] = rec
        src = partial if src is None else src
    return recs, src


def _reuse(rec, pid: str, amps_exact: list) -> dict | None:
    """The saved row if it is this point's and re-derives exactly (certificate verified)."""
    if not isinstance(rec, dict):
        return None
    row, cert, lcert = rec.get("row"), rec.get("certificate"), rec.get("lower_certificate")
    if not isinstance(row, dict) or row.get("id") != pid or \
            row.get("amplitudes_exact") != amps_exact:
        return None
    if any(c is not None and not isinstance(c, dict) for c in (cert, lcert)):
        return None
    results = {} if cert is None else {pid: (verify_result(cert), cert)}
    if lcert is not None:
        results[lower_certificate_key(pid)] = (verify_result(lcert), lcert)
    return None if check_row(row, results) else row


def run_general_sweep(name: str, out, *, tmin=None, tmax=None, points: int = 11,
                      fresh: bool = False, resume: bool = False, solver: str = "auto",
                      quiet: bool = True, l: str | None = None, state_file=None,
                      normalise: bool = False, x: str = "l1", y: str = "phi",
                      phi="0", lower: str = "tree", lower_budget: float | None = None) -> dict:
    """Evaluate the family, write the outputs (module docstring), return the document.

    ``resume``: reuse the rows saved in DIR (``<name>.json`` or ``<name>.partial.jsonl``) of the
    same configuration, each only after its certificate verifies and the row re-derives
    (:func:`experiments.general_rows.check_row`); the others are computed again. ``fresh``:
    ignore and replace what DIR holds. Neither: refuse when DIR holds this family.
    ``lower``/``lower_budget``: the SEP lower-bound method of the non-W-class points
    (:func:`analytics.lower.sep_lower_bound`; default ``tree``, the measure + Vidal protocol;
    ``lp``/``auto``: the general LP, its certificate saved as ``certificates/<id>-lower.json``)."""
    if fresh and resume:
        raise GeneralSweepError("--fresh and --resume contradict each other")
    if name == STATES_FAMILY:
        if state_file is None:
            raise GeneralSweepError("sweep states needs --state-file FILE")
        pts = [(params, st) for params, st in file_states(state_file, normalise)]
        # the configuration is the states themselves (a resumed run may name the file
        # differently); the file name is recorded beside it
        config = {"family": name, "normalise": bool(normalise),
                  "states": [st.strings() for _, st in pts]}
    elif name == GRID_FAMILY:
        lv = parse_l(DEFAULT_L if l is None else l)
        ph = parse_number(phi)
        pts = grid_states(x, y, points, lv, ph)
        config = {"family": name, "x": x, "y": y, "points": points,
                  "l": [frac_str(v) for v in lv], "phi": frac_str(Fraction(ph)),
                  "state": GRID_STATE}
    else:
        if state_file is not None or normalise:
            raise GeneralSweepError(f"--state-file/--normalise belong to 'sweep states', not "
                                    f"{name}")
        tmin = parse_number(FAMILIES[name][1] if tmin is None else tmin)
        tmax = parse_number(FAMILIES[name][2] if tmax is None else tmax)
        lv = parse_l(DEFAULT_L if l is None else l) if name == "canonical" else None
        pts = [({"t": t}, a) for t, a in family_states(name, tmin, tmax, points, lv)]
        config = {"family": name, "tmin": frac_str(tmin), "tmax": frac_str(tmax),
                  "points": points, "state": FAMILIES[name][0],
                  **({"l": [frac_str(v) for v in lv]} if lv is not None else {})}
    if lower != "tree":  # part of the configuration (old configurations had the tree only)
        config["lower"] = lower
        config["lower_budget"] = lower_budget
    out = Path(out)
    if out.exists() and not out.is_dir():
        raise GeneralSweepError(f"--out {out} is a file")
    target, partial = out / f"{name}.json", out / f"{name}.partial.jsonl"
    saved = {}
    if resume:
        saved, _ = _saved_records(out, name, config)
    elif not fresh and (target.exists() or partial.exists()):
        what = target if target.exists() else partial
        raise GeneralSweepError(f"{what} exists: pass --resume to reuse its points (each "
                                "re-verified) or --fresh to replace it (nothing was deleted)")
    (out / "certificates").mkdir(parents=True, exist_ok=True)
    if not (resume and partial.exists()):  # a resumed partial file is kept and appended to
        partial.write_text(json.dumps({"format": PARTIAL_FORMAT, "config": config}) + "\n",
                           encoding="utf-8")
    rows, certs, reused, failed = [], {}, 0, 0
    for i, (params, amps) in enumerate(pts):
        pid = f"{name}-{i:04d}"
        st = three_qubit_state(amps, normalise=True)
        row = _reuse(saved.get(pid), pid, st.strings()) if pid in saved else None
        note = ""
        if row is not None:
            reused += 1
            cert = saved[pid].get("certificate")
            lcert = saved[pid].get("lower_certificate")
            note = "  (saved, re-verified)"
        else:
            failed += pid in saved
            row, cert, lcert = point_row(st, solver=solver, lower=lower, lower_budget=lower_budget)
            row = {"id": pid, **_params_row(params), **row}
        row["certificate_file"] = None
        if cert is not None:
            certs[pid] = cert
            row["certificate_file"] = f"certificates/{pid}.json"
            write_json_atomic(out / row["certificate_file"], cert)
        row["sep_lower_certificate_file"] = None
        if lcert is not None:
            lid = lower_certificate_key(pid)
            certs[lid] = lcert
            row["sep_lower_certificate_file"] = f"certificates/{lid}.json"
            write_json_atomic(out / row["sep_lower_certificate_file"], lcert)
        rows.append(row)
        _append(partial, {"row": row, "certificate": cert, "lower_certificate": lcert})
        if not quiet:
            print(f"{pid}: {', '.join(f'{k} = {v}' for k, v in _label(params).items())}  "
                  f"[{row['locc_lower']:.8f}, {row['sep_upper']}]  SEP >= {row['sep_lower']:.8f}  "
                  f"{row['routed_to']}  "
                  f"{row['seconds']} s{note}", flush=True)
    doc = {"kind": "general_sweep", "family": name, "config": config, "rows": rows,
           "certificates": certs,
           **({"state_file": str(state_file)} if name == STATES_FAMILY else {}),
           "resumed": {"reused": reused, "recomputed": failed} if resume else None}
    write_json_atomic(target, doc)
    buf = io.StringIO()
    cols = ["id", *PARAM_COLUMNS.get(name, ("t",)), *COLUMNS[1:]]
    w = csv.DictWriter(buf, fieldnames=cols, extrasaction="ignore")
    w.writeheader()
    for r in rows:
        w.writerow({k: ("" if r.get(k) is None else r.get(k)) for k in cols})
    (out / f"{name}.csv").write_text(buf.getvalue(), encoding="utf-8")
    partial.unlink()
    try:
        with style.rc():  # the figure as designed, whatever the user's matplotlibrc says
            _plot(name, doc, out / f"{name}.png")
    except Exception as exc:  # a figure is optional output: the numbers above are saved
        doc["figure_error"] = style.failure_line(exc, f"figure {out / name}.png")
        print(f"sepgap: WARNING: {doc['figure_error']}", file=sys.stderr)
    return doc


def _label(params: dict) -> dict:
    return {k: (frac_str(v) if isinstance(v, Fraction) else v) for k, v in params.items()
            if v is not None}


def summary_line(doc: dict) -> str:
    rows = doc["rows"]
    widths = [r["gap_upper"] for r in rows if r["gap_upper"] is not None]
    cert = sum(1 for r in rows if r["sep_upper_kind"] == "certified")
    routed = sum(1 for r in rows if r.get("routed_to") == "w_class")
    gaps = [r for r in rows if r["gap_lower"] is not None and r["gap_lower"] > 0]
    worst = max(rows, key=lambda r: -1 if r["gap_upper"] is None else r["gap_upper"])
    where = ", ".join(f"{k} = {worst.get(f'{k}_exact', worst.get(k))}"
                      for k in PARAM_COLUMNS.get(doc["family"], ("t",))
                      if worst.get(k) is not None)
    res = doc.get("resumed")
    return (f"{doc['family']}: {len(rows)} points, {cert} certified, {routed} W-class (W "
            f"machinery); " + (f"SEP-LOCC gap certified at {len(gaps)} W-class points; "
                               if gaps else "no SEP-LOCC gap certified; ")
            + f"bracket width max {max(widths) if widths else float('nan'):.3g} at {where}"
            + ("" if not res else f"; {res['reused']} saved points re-verified and reused, "
               f"{res['recomputed']} failed re-verification and were recomputed"))


# ---- verify: every row re-derived ----------------------------------------------------------

def check_general_sweep(doc: dict, path: Path, verify) -> list:
    """``[(ok, line)]``: every certificate, then every row re-derived from its amplitudes
    through the routing of :func:`experiments.general.route` (:func:`check_row`)."""
    out = []
    certs, rows = doc.get("certificates"), doc.get("rows")
    if not isinstance(certs, dict) or not isinstance(rows, list):
        return [(False, f"{path}: invalid: 'rows' must be a list and 'certificates' an object")]
    results = {}
    for pid, cert in certs.items():
        res = verify(cert)
        results[pid] = (res, cert)
        out.append((res.valid, f"{path}#{pid}: {res.line()}"))
    n_bad = 0
    for i, row in enumerate(rows):
        problems = check_row(row, results)
        if isinstance(row, dict) and row.get("id") not in results and \
                row.get("sep_upper_kind") == "certified":
            problems = problems or ["says certified but has no certificate"]
        if problems:
            n_bad += 1
            name = row.get("id") if isinstance(row, dict) else f"row {i}"
            out.append((False, f"{path} {shorten(name)}: MISMATCH: " + "; ".join(problems)))
    out.append((n_bad == 0, f"{path}: " + (f"all {len(rows)} rows re-derived: they agree" if not n_bad
                                           else f"{n_bad} of {len(rows)} rows disagree")))
    return out


__all__ = ["FAMILIES", "run_general_sweep", "check_general_sweep", "family_states",
           "grid_states", "file_states", "summary_line", "GeneralSweepError", "STATES_FAMILY",
           "GRID_FAMILY", "GRID_AXES", "MAX_GRID_POINTS"]
