"""``sepgap sweep ghz`` and ``sepgap sweep wghz``: brackets along families beyond the W-class.

Families (parameter ``t`` in units of pi, ``t_i = tmin + i (tmax - tmin)/(N - 1)``; amplitudes
are floats, read exactly as binary rationals and normalised up to rounding):

* ``ghz``:  ``cos(pi t)|000> + sin(pi t)|111>`` (default t in [0, 1/4]); the one-measurement
  protocol gives ``2 min(cos^2, sin^2)`` exactly (up to the binary rounding of the amplitudes);
* ``wghz``: ``cos(pi t)|W> + sin(pi t)|GHZ>`` (default t in [0, 1/2]);
* ``canonical``: the canonical form of Acin et al. with given coefficients ``--l l0,...,l4``
  (default all 1/2; normalised) and the LU-invariant phase ``phi = pi t`` swept (t in [0, 1]):
  a slice of the canonical-parameter space along its one phase.

Every point is bounded by :func:`experiments.general.general_bracket` (the general engines, for
every point alike; ``sepgap bound --amplitudes`` routes W-class states to the W machinery) and
becomes one row: the amplitudes (exact strings), class, 3-tangle, canonical coefficients, the
protocol value (``locc_lower = sep_lower``, exact), the certified PPT bound (``sep_upper``) and
the bracket columns of :func:`experiments.general.bracket_columns_general`. Outputs in DIR:
``<family>.csv``, ``<family>.json`` (``kind = "general_sweep"``: config, rows, certificates),
``certificates/<id>.json``, ``<family>.png``. ``sepgap verify DIR/<family>.json`` verifies every
certificate and re-derives every row (:func:`check_general_sweep`). An existing
``<family>.json`` in DIR is never overwritten without ``--fresh`` (there is no resume: a family
is a few dozen points).
"""
from __future__ import annotations

import csv
import io
import json
import math
import time
from fractions import Fraction
from pathlib import Path

import numpy as np

from analytics.certificates import frac_str, parse_frac, shorten
from analytics.errors import SepgapError
from analytics.general_locc import measure_vidal_protocol
from analytics.general_states import three_qubit_state
from analytics.states import parse_number

from .cmd_bound import write_json_atomic
from .general import bracket_columns_general, general_bracket

FAMILIES = {"ghz": ("cos(pi t)|000> + sin(pi t)|111>", "0", "1/4"),
            "wghz": ("cos(pi t)|W> + sin(pi t)|GHZ>, |W> = (|001>+|010>+|100>)/sqrt 3", "0", "1/2"),
            "canonical": ("l0|000> + l1 e^{i pi t}|100> + l2|101> + l3|110> + l4|111> "
                          "(Acin et al.), the phase phi = pi t swept", "0", "1")}

TITLES = {"ghz": r"$\cos(\pi t)|000\rangle + \sin(\pi t)|111\rangle$",
          "wghz": r"$\cos(\pi t)|W\rangle + \sin(\pi t)|GHZ\rangle$",
          "canonical": r"$l_0|000\rangle + l_1 e^{i\pi t}|100\rangle + l_2|101\rangle"
                       r" + l_3|110\rangle + l_4|111\rangle$"}

#: Default canonical coefficients of the ``canonical`` family (normalised by the sweep).
DEFAULT_L = "1/2,1/2,1/2,1/2,1/2"
COLUMNS = ("id", "t", "class", "three_tangle", "locc_lower", "locc_lower_exact", "sep_lower",
           "sep_lower_exact", "sep_upper", "sep_upper_exact", "sep_upper_kind", "locc_upper",
           "locc_upper_exact", "gap_lower", "gap_lower_exact", "gap_upper", "gap_upper_exact",
           "sep_width", "locc_width", "certificate_file", "seconds")
CHECKED = ("locc_lower", "sep_lower", "sep_upper", "locc_upper", "gap_lower", "gap_upper")


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


def evaluate(t, amps, solver="auto") -> tuple:
    """``(row, certificate or None)`` of one point."""
    t0 = time.perf_counter()
    st = three_qubit_state(amps, normalise=True)
    rep, res = general_bracket(st, solver=solver)
    row = {k: rep.get(k) for k in COLUMNS if k in rep}
    row.update({"t": float(t), "t_exact": frac_str(t), "class": rep["class"],
                "three_tangle": rep["three_tangle"], "amplitudes_exact": rep["amplitudes_exact"],
                "canonical_l": rep["canonical_l"], "canonical_phi": rep["canonical_phi"],
                "sep_upper_kind": rep["sep_upper_kind"],
                "seconds": round(time.perf_counter() - t0, 3)})
    return row, (None if res is None else res.certificate)


def _plot(name: str, rows: list, path: Path) -> None:
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    t = [r["t"] for r in rows]
    fig, ax = plt.subplots(figsize=(6, 4))
    ax.plot(t, [r["sep_upper"] if r["sep_upper"] is not None else np.nan for r in rows], "o-",
            label="certified PPT upper bound on SEP (and LOCC)")
    ax.plot(t, [r["locc_lower"] for r in rows], "s--",
            label="LOCC lower bound: one measurement + Vidal (also SEP)")
    if name == "ghz":
        tt = np.linspace(min(t), max(t), 200)
        ax.plot(tt, 2 * np.minimum(np.cos(np.pi * tt) ** 2, np.sin(np.pi * tt) ** 2), "k:",
                lw=1, label=r"$2\min(|a|^2,|b|^2)$")
    ax.set_xlabel(r"$t$ (state parameter, units of $\pi$)")
    ax.set_ylabel("EPR probability (random pair)")
    ax.set_title(TITLES[name], fontsize=10)
    ax.set_ylim(-0.02, 1.05)
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8, loc="best")
    fig.tight_layout()
    fig.savefig(path, dpi=150)
    plt.close(fig)


def run_general_sweep(name: str, out, *, tmin=None, tmax=None, points: int = 11,
                      fresh: bool = False, solver: str = "auto", quiet: bool = True,
                      l: str | None = None) -> dict:
    """Evaluate the family, write the outputs (module docstring), return the document."""
    tmin = parse_number(FAMILIES[name][1] if tmin is None else tmin)
    tmax = parse_number(FAMILIES[name][2] if tmax is None else tmax)
    lv = parse_l(DEFAULT_L if l is None else l) if name == "canonical" else None
    states = family_states(name, tmin, tmax, points, lv)
    out = Path(out)
    if out.exists() and not out.is_dir():
        raise GeneralSweepError(f"--out {out} is a file")
    target = out / f"{name}.json"
    if target.exists() and not fresh:
        raise GeneralSweepError(f"{target} exists: pass --fresh to replace it (nothing was "
                                "deleted)")
    (out / "certificates").mkdir(parents=True, exist_ok=True)
    rows, certs = [], {}
    for i, (t, amps) in enumerate(states):
        pid = f"{name}-{i:04d}"
        row, cert = evaluate(t, amps, solver)
        row = {"id": pid, **row}
        if cert is not None:
            certs[pid] = cert
            row["certificate_file"] = f"certificates/{pid}.json"
            write_json_atomic(out / row["certificate_file"], cert)
        rows.append(row)
        if not quiet:
            print(f"{pid}: t = {row['t_exact']}  [{row['locc_lower']:.8f}, "
                  f"{row['sep_upper']}]  {row['seconds']} s", flush=True)
    doc = {"kind": "general_sweep", "family": name,
           "config": {"family": name, "tmin": frac_str(tmin), "tmax": frac_str(tmax),
                      "points": points, "state": FAMILIES[name][0],
                      **({"l": [frac_str(x) for x in lv]} if lv is not None else {})},
           "rows": rows, "certificates": certs}
    write_json_atomic(target, doc)
    buf = io.StringIO()
    w = csv.DictWriter(buf, fieldnames=list(COLUMNS), extrasaction="ignore")
    w.writeheader()
    for r in rows:
        w.writerow({k: ("" if r.get(k) is None else r.get(k)) for k in COLUMNS})
    (out / f"{name}.csv").write_text(buf.getvalue(), encoding="utf-8")
    _plot(name, rows, out / f"{name}.png")
    return doc


def summary_line(doc: dict) -> str:
    rows = doc["rows"]
    widths = [r["gap_upper"] for r in rows if r["gap_upper"] is not None]
    cert = sum(1 for r in rows if r["sep_upper_kind"] == "certified")
    worst = max(rows, key=lambda r: -1 if r["gap_upper"] is None else r["gap_upper"])
    return (f"{doc['family']}: {len(rows)} points, {cert} certified; no SEP-LOCC gap can be "
            f"certified (the SEP lower bound is an LOCC protocol); bracket width max "
            f"{max(widths) if widths else float('nan'):.3g} at t = {worst['t_exact']}")


# ---- verify: every row re-derived ----------------------------------------------------------

def check_general_sweep(doc: dict, path: Path, verify) -> list:
    """``[(ok, line)]``: every certificate, then every row re-derived from its amplitudes (the
    protocol recomputed, the verified bound, :func:`bracket_columns_general`)."""
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
        problems = _check_row(row, results)
        if problems:
            n_bad += 1
            name = row.get("id") if isinstance(row, dict) else f"row {i}"
            out.append((False, f"{path} {shorten(name)}: MISMATCH: " + "; ".join(problems)))
    out.append((n_bad == 0, f"{path}: " + (f"all {len(rows)} rows re-derived: they agree" if not n_bad
                                           else f"{n_bad} of {len(rows)} rows disagree")))
    return out


def _check_row(row, results) -> list:
    if not isinstance(row, dict):
        return ["row is not an object"]
    try:
        st = three_qubit_state([str(a) for a in row.get("amplitudes_exact")], normalise=True)
    except (SepgapError, TypeError, ValueError) as exc:
        return [f"amplitudes_exact: {exc}"]
    up = None
    res_cert = results.get(row.get("id"))
    if res_cert is not None:
        res, cert = res_cert
        if not res.valid:
            return ["its certificate is invalid"]
        try:
            cst = [str(a) for a in cert["state"]["psi"]]
        except (KeyError, TypeError):
            cst = None
        if cst != list(row.get("amplitudes_exact")):
            return ["its certificate is for another state"]
        if res.claim is not None and res.claim.is_sep:
            up = res.bound
    low = measure_vidal_protocol(st).value
    want = {"locc_lower_exact": frac_str(low), "sep_lower_exact": frac_str(low),
            **{k: v for k, v in bracket_columns_general(low, up).items() if k.endswith("_exact")}}
    bad = []
    for col in CHECKED:
        got = row.get(f"{col}_exact")
        if got != want.get(f"{col}_exact"):
            bad.append(f"{col}_exact is {shorten(got)}, re-derived {want.get(f'{col}_exact')}")
        elif got is not None:
            try:
                q = parse_frac(got, col)
            except SepgapError as exc:
                bad.append(str(exc))
                continue
            f = row.get(col)
            lower = col in ("locc_lower", "sep_lower", "gap_lower")
            if not isinstance(f, (int, float)) or (Fraction(f) > q if lower else Fraction(f) < q):
                bad.append(f"{col} {shorten(f)} is not {col}_exact rounded outward")
    if (row.get("sep_upper_kind") == "certified") != (up is not None):
        bad.append("sep_upper_kind disagrees with the verified certificate")
    return bad


__all__ = ["FAMILIES", "run_general_sweep", "check_general_sweep", "family_states",
           "summary_line", "GeneralSweepError"]
