"""State families for sweeps: exact W-class states in a fixed, documented order.

A :class:`Family` is a name, an ordered list of :class:`Point` (an exact
:class:`~analytics.states.WClassState` plus the family's parameters, e.g. ``s``), the
configuration that produced it (JSON-ready, stored in the partial results file so a resumed
run can check it is continuing the same sweep), and hints for the plot and the summary line.

Built-in families (every value is an exact :class:`~fractions.Fraction`):

``psi``      the paper's :math:`\\psi_s` (:func:`analytics.states.psi_s`), ``x = (s, (1-s)/2, (1-s)/2)``,
             ``s_i = smin + i (smax - smin)/(N - 1)``, ``i = 0..N-1``.
``simplex``  all ``x0 = 0`` states ``x = (i, j, k)/M``, ``i + j + k = M``: a triangular grid.
``vacuum``   ``sqrt(x0)|000>`` plus equal weights ``xA = xB = xC = (1 - x0)/3``,
             ``x0_i = x0min + i (x0max - x0min)/(N - 1)``.
``grid``     all ``(x0, xA, xB, xC)`` that are multiples of ``1/M`` summing to 1; or, with
             ``x0_values``, for each given ``x0`` the states ``(1 - x0)(i, j, k)/M``;
             ``sorted_only`` keeps ``xA >= xB >= xC`` (a relabelling of the parties changes no
             probability, so this is the fundamental region, about 1/6 of the points).
``tetra``    every ``(x0, xA, xB, xC)`` of multiples of ``1/M`` (the whole tetrahedron of
             W-class states), orbit by orbit under party permutations like ``simplex``.
``custom``   anything: :func:`custom_family` takes states, ``(xA, xB, xC)`` /
             ``(x0, xA, xB, xC)`` tuples, or a callable (see there).

Points are ordered so that consecutive points are neighbours (the sweep warm-starts each point
from the previous one): ``psi`` and ``vacuum`` by the parameter, ``simplex`` and ``grid`` in a
snake (boustrophedon) order.
"""
from __future__ import annotations

import hashlib
import math
import json
import numbers
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Callable, Iterable

from analytics.certificates import frac_str
from analytics.errors import SepgapError
from analytics.limits import check_sweep_size
from analytics.states import WClassState, as_state, parse_number, psi_s


class FamilyError(SepgapError, ValueError):
    """Bad family parameters (the message names the option and the value)."""


@dataclass(frozen=True)
class Point:
    """One state of a family.

    ``index`` is the position in the family (rows are sorted by it), ``id`` a stable,
    file-name-safe name (``psi-0050``; certificates are written to ``certificates/<id>.json``),
    ``state`` an exact :class:`WClassState`, ``params`` the family's parameters for this point
    (``{"s": Fraction(1, 2)}``; become CSV columns before the state columns).
    """

    index: int
    id: str
    state: WClassState
    params: dict = field(default_factory=dict)

    def components(self) -> tuple:
        """``(x0, xA, xB, xC)``."""
        st = self.state
        return (st.x0, st.xA, st.xB, st.xC)

    def zero_pattern(self) -> tuple:
        """Which of ``x0, xA, xB, xC`` vanish: points with equal patterns share one compiled
        relaxation, so one can warm-start the other."""
        return tuple(c == 0 for c in self.components())


@dataclass
class Family:
    """An ordered list of points plus what is needed to resume, plot and summarise them.

    ``plot`` is ``"fig1"`` (lines against ``s``), ``"line"`` (lines against ``xparam``),
    ``"ternary"`` (heat map over the x0 = 0 triangle) or ``"scatter"`` (kappa against the
    PPT bound, for anything else). ``config`` is JSON-ready and identifies the sweep.
    """

    name: str
    points: list
    config: dict
    param_names: tuple = ()
    plot: str = "scatter"
    xparam: str | None = None
    #: solve one sorted representative per party permutation and relabel its certificate
    #: (:mod:`sdp.symmetry`); points of one orbit are listed together
    orbit_reuse: bool = False

    def __len__(self) -> int:
        return len(self.points)

    def orbit_keys(self):
        """With ``orbit_reuse``: the sorted components of each point (its orbit), else None."""
        if not self.orbit_reuse:
            return None
        return [(p.state.x0,) + tuple(sorted(p.state.x, reverse=True)) for p in self.points]

    def renamed(self, name: str) -> "Family":
        """The same points with ids ``<name>-NNNN`` (a sweep names its ids after its output)."""
        ids = _ids(name, len(self.points))
        pts = [Point(p.index, ids[i], p.state, dict(p.params)) for i, p in enumerate(self.points)]
        return Family(self.name, pts, dict(self.config), self.param_names, self.plot, self.xparam,
                      self.orbit_reuse)

    def location(self, point_or_row) -> str:
        """Where a point is, for the summary line: ``s = 1/2``, ``x = (1/2, 1/4, 1/4)``, ..."""
        if isinstance(point_or_row, Point):
            params = {k: frac_str(v) if isinstance(v, numbers.Rational) else str(v)
                      for k, v in point_or_row.params.items()}
            comps = [frac_str(c) for c in point_or_row.components()]
        else:
            row = point_or_row
            params = {k: row.get(f"{k}_exact") or str(row.get(k)) for k in self.param_names}
            comps = [row[f"{k}_exact"] for k in ("x0", "xA", "xB", "xC")]
        comps = [frac_short(Fraction(c)) for c in comps]
        params = {k: frac_short(Fraction(v)) if _is_number_text(v) else v for k, v in params.items()}
        if self.name == "simplex":
            return f"x = ({', '.join(comps[1:])})"
        if self.name == "vacuum":
            return f"x0 = {comps[0]}"
        if self.name == "robustness":
            return f"(s, x0) = ({params.get('s')}, {comps[0]})"
        if params:
            return ", ".join(f"{k} = {v}" for k, v in params.items())
        return f"(x0, xA, xB, xC) = ({', '.join(comps)})"

    def fingerprint(self) -> str:
        """SHA-256 of the ordered exact states and parameters: two runs with the same
        fingerprint compute the same points in the same order."""
        h = hashlib.sha256()
        for p in self.points:
            item = [p.id, [frac_str(c) for c in p.components()],
                    {k: _json_param(v) for k, v in p.params.items()}]
            h.update(json.dumps(item, sort_keys=True).encode())
            h.update(b"\n")
        return h.hexdigest()


def frac_short(value, limit: int = 24) -> str:
    """An exact number for a summary line: :func:`frac_str` when at most ``limit`` characters,
    else 7 significant digits in scientific notation (``1e-300``; ``~`` marks a rounded value),
    never a 300-digit fraction."""
    import decimal

    q = Fraction(value)
    text = frac_str(q)
    if len(text) <= limit:
        return text
    if Fraction(1, 2) < q < 1 and len(frac_str(1 - q)) < len(text):  # 1 - 1e-300, not ~1
        return f"1 - {frac_short(1 - q, limit)}"
    wide = decimal.Context(prec=limit).divide(decimal.Decimal(q.numerator),
                                              decimal.Decimal(q.denominator))
    if Fraction(wide) == q and len(format(wide, "f")) <= limit:  # an exact short decimal
        return format(wide, "f")
    ctx = decimal.Context(prec=7)
    d = ctx.divide(decimal.Decimal(q.numerator), decimal.Decimal(q.denominator))
    shown = format(d.normalize(ctx), "g")
    return shown if Fraction(d) == q else "~" + shown


def _is_number_text(v) -> bool:
    try:
        Fraction(str(v))
    except (ValueError, ZeroDivisionError):
        return False
    return True


def _json_param(v):
    if isinstance(v, numbers.Rational) and not isinstance(v, bool):
        return frac_str(v)
    if isinstance(v, numbers.Real) and not isinstance(v, bool):
        return repr(float(v))
    return str(v)


def _ids(prefix: str, n: int) -> list:
    width = max(4, len(str(max(n - 1, 0))))
    return [f"{prefix}-{i:0{width}d}" for i in range(n)]


def as_fraction(value, what: str) -> Fraction:
    """An exact Fraction from a Fraction/int, a float (converted exactly) or a string
    (``'1/3'``, ``'0.25'``); the error names ``what``."""
    if isinstance(value, bool):
        raise FamilyError(f"{what}: not a number: {value!r}")
    if isinstance(value, numbers.Rational):
        return Fraction(int(value.numerator), int(value.denominator))
    if isinstance(value, numbers.Real):
        f = float(value)
        if f != f or f in (float("inf"), float("-inf")):
            raise FamilyError(f"{what}: not a finite number: {value!r}")
        return Fraction(f)
    try:
        return parse_number(value)
    except SepgapError as exc:
        why = str(exc).removeprefix("number: ")
        raise FamilyError(f"{what}: {why}") from None


def _check_points(points, what: str = "--points", minimum: int = 1) -> int:
    if isinstance(points, bool) or not isinstance(points, numbers.Integral):
        raise FamilyError(f"{what} must be an integer, got {points!r}")
    if points < minimum:
        raise FamilyError(f"{what} must be at least {minimum}, got {points}")
    return int(points)


def _opt(flag: str, v: int) -> str:
    """`` (--steps 100000)`` for a size message; nothing for an int too long to print."""
    return f" ({flag} {v})" if v.bit_length() <= 1000 else ""


def linspace_exact(lo: Fraction, hi: Fraction, n: int, names: tuple) -> list:
    """``lo + i (hi - lo)/(n - 1)``, exact; ``n = 1`` needs ``lo == hi``."""
    lo_name, hi_name, n_name = names
    if lo > hi:
        raise FamilyError(f"{lo_name} = {frac_str(lo)} is larger than {hi_name} = {frac_str(hi)}")
    if n == 1:
        if lo != hi:
            raise FamilyError(f"{n_name} 1 samples a single value: give {lo_name} equal to "
                              f"{hi_name}, or use {n_name} 2 or more")
        return [lo]
    if lo == hi:
        raise FamilyError(f"{lo_name} = {hi_name} = {frac_str(lo)}: use {n_name} 1 "
                          "for a single value")
    step = (hi - lo) / (n - 1)
    return [lo + i * step for i in range(n)]


def _in_unit(value: Fraction, what: str) -> Fraction:
    if not 0 <= value <= 1:
        raise FamilyError(f"{what} = {frac_str(value)} is outside [0, 1]")
    return value


# ---- built-in families ---------------------------------------------------------------------------

PSI_DEFAULTS = {"smin": Fraction(1, 3), "smax": Fraction(1, 2), "points": 101}
#: ``--extended`` (fig1): s up to 0.99, where the large-component instrument takes over.
PSI_EXTENDED_SMAX = Fraction(99, 100)
#: ``--extended`` default number of points: s_i = 1/3 + i (99/100 - 1/3)/197 has s_50 = 1/2
#: exactly (the paper's point is a sample; 101 points would miss it).
PSI_EXTENDED_POINTS = 198


def psi_family(smin=PSI_DEFAULTS["smin"], smax=PSI_DEFAULTS["smax"],
               points: int = PSI_DEFAULTS["points"]) -> Family:
    """The paper's family :math:`\\psi_s`, ``s`` from ``smin`` to ``smax`` in ``points`` exact steps."""
    lo = _in_unit(as_fraction(smin, "--smin"), "--smin")
    hi = _in_unit(as_fraction(smax, "--smax"), "--smax")
    n = _check_points(points)
    check_sweep_size(n, f"this psi sweep{_opt('--points', n)}")
    svals = linspace_exact(lo, hi, n, ("--smin", "--smax", "--points"))
    ids = _ids("psi", n)
    pts = [Point(i, ids[i], psi_s(s), {"s": s}) for i, s in enumerate(svals)]
    cfg = {"family": "psi", "smin": frac_str(lo), "smax": frac_str(hi), "points": n}
    return Family("psi", pts, cfg, ("s",), "fig1", "s")


def _snake_triangle(m: int) -> list:
    """``(i, j, k)`` with ``i + j + k = m``: ``i`` from m down to 0, ``j`` alternating direction."""
    out = []
    for r, i in enumerate(range(m, -1, -1)):
        js = range(0, m - i + 1) if r % 2 == 0 else range(m - i, -1, -1)
        out += [(i, j, m - i - j) for j in js]
    return out


def _orbit_order(m: int) -> list:
    """``(i, j, k)`` with ``i + j + k = m``, orbit by orbit: each sorted representative
    ``i >= j >= k`` (in snake order over the sorted region) followed by its distinct
    permutations, so the points sharing one SDP solve sit together."""
    out = []
    for rep in _snake_triangle(m):
        if not rep[0] >= rep[1] >= rep[2]:
            continue
        out.append(rep)
        for perm in ((0, 2, 1), (1, 0, 2), (1, 2, 0), (2, 0, 1), (2, 1, 0)):
            q = tuple(rep[i] for i in perm)
            if q not in out[-6:]:
                out.append(q)
    return out


def simplex_family(steps: int = 8) -> Family:
    """All ``x0 = 0`` states ``x = (i, j, k)/steps`` (``(steps+1)(steps+2)/2`` points), listed
    orbit by orbit under party permutations: the PPT relaxation is solved once per sorted
    representative and the certificate relabelled for the others (:mod:`sdp.symmetry`)."""
    m = _check_points(steps, "--steps")
    # count before listing: (m + 1)(m + 2)/2 points
    check_sweep_size((m + 1) * (m + 2) // 2, f"this simplex sweep{_opt('--steps', m)}")
    trip = _orbit_order(m)
    ids = _ids("simplex", len(trip))
    pts = [Point(n, ids[n], WClassState(Fraction(i, m), Fraction(j, m), Fraction(k, m)))
           for n, (i, j, k) in enumerate(trip)]
    return Family("simplex", pts, {"family": "simplex", "steps": m, "order": "orbits"}, (),
                  "ternary", None, orbit_reuse=True)


def vacuum_family(x0min=0, x0max=1, points: int = 11) -> Family:
    """``sqrt(x0)|000> + sqrt((1-x0)/3)(|100> + |010> + |001>)``, x0 in exact steps."""
    lo = _in_unit(as_fraction(x0min, "--x0min"), "--x0min")
    hi = _in_unit(as_fraction(x0max, "--x0max"), "--x0max")
    n = _check_points(points)
    check_sweep_size(n, f"this vacuum sweep{_opt('--points', n)}")
    vals = linspace_exact(lo, hi, n, ("--x0min", "--x0max", "--points"))
    ids = _ids("vacuum", n)
    pts = []
    for i, x0 in enumerate(vals):
        w = (1 - x0) / 3
        pts.append(Point(i, ids[i], WClassState.from_components(x0, w, w, w)))
    cfg = {"family": "vacuum", "x0min": frac_str(lo), "x0max": frac_str(hi), "points": n}
    return Family("vacuum", pts, cfg, (), "line", "x0")


def log_grid(lo: Fraction, hi: Fraction, n: int) -> list:
    """``n`` exact values from ``lo`` to ``hi`` (0 < lo < hi), equally spaced in log10, each
    rounded to 3 significant digits as an exact decimal (both ends exact)."""
    if n == 1:
        return [lo]
    a, b = math.log10(lo), math.log10(hi)
    out = [lo]
    for i in range(1, n - 1):
        v = Fraction(f"{10 ** (a + i * (b - a) / (n - 1)):.2e}")
        if out[-1] < v < hi:
            out.append(v)
    return out + [hi]


#: ``sepgap robustness`` defaults: psi_{1/2} mixed with vacuum, x0 from 1e-4 to 1/10.
ROBUSTNESS_DEFAULTS = {"s": Fraction(1, 2), "x0min": Fraction(1, 10 ** 4), "x0max": Fraction(1, 10),
                       "points": 25, "smin": Fraction(1, 3), "smax": Fraction(9, 10), "s_points": 13}


def robustness_family(s=ROBUSTNESS_DEFAULTS["s"], x0min=ROBUSTNESS_DEFAULTS["x0min"],
                      x0max=ROBUSTNESS_DEFAULTS["x0max"], points: int = ROBUSTNESS_DEFAULTS["points"],
                      s_values=None) -> Family:
    """``sqrt(x0)|000> + sqrt(1 - x0) psi_s`` (psi_s: the paper's family), x0 log-spaced from
    ``x0min`` to ``x0max`` (exact 3-digit decimals); with ``s_values`` the whole (s, x0) grid
    (``--grid``), listed s by s."""
    lo = _in_unit(as_fraction(x0min, "--x0min"), "--x0min")
    hi = _in_unit(as_fraction(x0max, "--x0max"), "--x0max")
    if not 0 < lo < hi:
        raise FamilyError(f"need 0 < --x0min < --x0max (log axis), got {frac_str(lo)} and {frac_str(hi)}")
    n = _check_points(points, minimum=2)
    svals = [as_fraction(s, "--s")] if s_values is None else [as_fraction(v, "--s") for v in s_values]
    for v in svals:
        if not Fraction(1, 3) <= v < 1:
            raise FamilyError(f"--s = {frac_str(v)} is outside [1/3, 1)")
    check_sweep_size(n * len(svals), "this robustness sweep")
    x0s = log_grid(lo, hi, n)
    comps = [(sv, x0) for sv in svals for x0 in x0s]
    ids = _ids("robustness", len(comps))
    pts = []
    for i, (sv, x0) in enumerate(comps):
        p = psi_s(sv)
        pts.append(Point(i, ids[i], WClassState.from_components(x0, *(v * (1 - x0) for v in p.x)),
                         {"s": sv}))
    cfg = {"family": "robustness", "s": [frac_str(v) for v in svals], "x0min": frac_str(lo),
           "x0max": frac_str(hi), "points": n}
    return Family("robustness", pts, cfg, ("s",), "robustness", "x0")


def grid_family(steps: int = 4, x0_values=None, sorted_only: bool = False) -> Family:
    """General grid over ``(x0, xA, xB, xC)``.

    Without ``x0_values``: every 4-tuple of multiples of ``1/steps`` summing to 1
    (``C(steps+3, 3)`` points). With ``x0_values`` (a list of numbers in [0, 1]): for each
    ``x0`` the states ``x = (1 - x0)(i, j, k)/steps``. ``sorted_only`` keeps ``xA >= xB >= xC``.
    Duplicate states (e.g. ``x0 = 1``) are kept once.
    """
    m = _check_points(steps, "--steps")
    if x0_values is None:  # C(m + 3, 3) points: count them before listing any
        check_sweep_size((m + 1) * (m + 2) * (m + 3) // 6,
                         f"this grid sweep{_opt('--steps', m)}")
        slices = [(Fraction(a, m), _snake_triangle(m - a)) for a in range(0, m + 1)]
        scale = lambda x0: Fraction(1, m)  # noqa: E731
    else:
        vals = [_in_unit(as_fraction(v, "--x0"), "--x0") for v in x0_values]
        if not vals:
            raise FamilyError("--x0 needs at least one value")
        if len(set(vals)) != len(vals):
            raise FamilyError("--x0 lists a value twice")
        check_sweep_size(len(vals) * ((m + 1) * (m + 2) // 2),
                         f"this grid sweep{_opt('--steps', m)}")
        slices = [(v, _snake_triangle(m)) for v in vals]
        scale = lambda x0: (1 - x0) / m  # noqa: E731
    comps, seen = [], set()
    for x0, trips in slices:
        f = scale(x0)
        for (i, j, k) in trips:
            c = (x0, i * f, j * f, k * f)
            if sorted_only and not c[1] >= c[2] >= c[3]:
                continue
            if c not in seen:
                seen.add(c)
                comps.append(c)
    ids = _ids("grid", len(comps))
    pts = [Point(n, ids[n], WClassState.from_components(*c)) for n, c in enumerate(comps)]
    cfg = {"family": "grid", "steps": m,
           "x0": None if x0_values is None else [frac_str(x[0]) for x in slices],
           "sorted": bool(sorted_only)}
    return Family("grid", pts, cfg, (), "scatter", None)


def tetra_size(steps: int) -> int:
    """Number of W-class states with every component a multiple of ``1/steps``:
    ``C(steps + 3, 3)`` (4-part compositions of ``steps``)."""
    m = int(steps)
    return (m + 1) * (m + 2) * (m + 3) // 6


def tetra_family(steps: int = 4) -> Family:
    """Every W-class state ``(x0, xA, xB, xC) = (a, i, j, k)/steps`` (``C(steps+3, 3)`` points:
    the tetrahedron of all W-class states), slice by slice in ``x0 = a/steps`` and, in each
    slice, orbit by orbit under party permutations of ``(xA, xB, xC)`` as in
    :func:`simplex_family` (``x0`` is invariant under relabelling the parties), so the PPT
    relaxation is solved once per sorted representative.

    The size is computed arithmetically and checked (:func:`analytics.limits.check_sweep_size`)
    before anything is listed.
    """
    from analytics.limits import check_sweep_size
    m = _check_points(steps, "--steps")
    try:
        check_sweep_size(tetra_size(m), f"sweep tetra --steps {m}")
    except SepgapError as exc:
        raise FamilyError(str(exc)) from None
    comps = []
    for a in range(m + 1):
        x0 = Fraction(a, m)
        comps += [(x0, Fraction(i, m), Fraction(j, m), Fraction(k, m))
                  for (i, j, k) in _orbit_order(m - a)]
    ids = _ids("tetra", len(comps))
    pts = [Point(n, ids[n], WClassState.from_components(*c)) for n, c in enumerate(comps)]
    return Family("tetra", pts, {"family": "tetra", "steps": m, "order": "orbits"}, (),
                  "tetra", None, orbit_reuse=True)


def custom_family(states_or_callable, params: Iterable | None = None, name: str = "custom",
                  param_name: str = "t") -> Family:
    """A family from Python objects, for :func:`experiments.sweep.run_sweep`.

    ``states_or_callable`` is one of

    * an iterable of states: :class:`WClassState`, ``(xA, xB, xC)`` or ``(x0, xA, xB, xC)``
      (exact numbers recommended: Fractions or strings like ``"1/3"``; floats are converted
      exactly to binary rationals);
    * a callable ``f(t) -> state`` together with ``params`` (an iterable of values ``t``); each
      row then gets a column named ``param_name`` (default ``t``) and the plot is a line plot
      against it;
    * a callable ``f()`` returning an iterable of states (``params`` omitted).

    Every state is converted to an exact :class:`WClassState` (:meth:`WClassState.exact`).
    """
    if not isinstance(name, str) or not name or not all(c.isalnum() or c in "_-" for c in name):
        raise FamilyError(f"family name {name!r}: use letters, digits, '_' and '-'")
    if callable(states_or_callable) and not isinstance(states_or_callable, WClassState):
        if params is not None:
            ps = list(params)
            try:
                states = [states_or_callable(t) for t in ps]
            except SepgapError:
                raise
            except Exception as exc:
                raise FamilyError(f"family function failed: {type(exc).__name__}: {exc}") from None
        else:
            ps = None
            states = list(states_or_callable())
    else:
        if params is not None:
            raise FamilyError("params= only makes sense with a callable f(t) -> state")
        ps = None
        try:
            states = list(states_or_callable)
        except TypeError:
            raise FamilyError(f"not an iterable of states or a callable: {states_or_callable!r}") from None
    if not states:
        raise FamilyError("the family has no states")
    check_sweep_size(len(states), "this family")
    exact = []
    for i, s in enumerate(states):
        try:
            exact.append(_coerce_state(s).exact())
        except SepgapError as exc:
            raise FamilyError(f"state {i}: {exc}") from None
    ids = _ids(name, len(exact))
    pts = []
    for i, st in enumerate(exact):
        prm = {}
        if ps is not None:
            t = ps[i]
            prm = {param_name: Fraction(t) if isinstance(t, (numbers.Rational, float)) and not
                   isinstance(t, bool) else t}
        pts.append(Point(i, ids[i], st, prm))
    cfg = {"family": "custom", "name": name, "points": len(pts)}
    plot = "line" if ps is not None and all(isinstance(p.params[param_name], Fraction)
                                            for p in pts) else "scatter"
    return Family(name, pts, cfg, (param_name,) if ps is not None else (), plot,
                  param_name if plot == "line" else None)


def _coerce_state(s) -> WClassState:
    if isinstance(s, WClassState):
        return s
    if isinstance(s, (list, tuple)):
        vals = [as_fraction(v, "component") if isinstance(v, str) else v for v in s]
        return as_state(vals)
    return as_state(s)


def as_family(obj, params=None, name: str = "custom") -> Family:
    """A :class:`Family` as is; anything else through :func:`custom_family`."""
    if isinstance(obj, Family):
        if params is not None:
            raise FamilyError("params= is for a callable family, not a Family")
        return obj
    return custom_family(obj, params=params, name=name)


#: Built-in family constructors by CLI name.
FAMILIES: dict[str, Callable[..., Family]] = {
    "psi": psi_family, "simplex": simplex_family, "vacuum": vacuum_family, "grid": grid_family,
    "robustness": robustness_family,
    "tetra": tetra_family,
}

__all__ = ["Family", "FamilyError", "Point", "FAMILIES", "psi_family", "simplex_family",
           "vacuum_family", "grid_family", "tetra_family", "tetra_size", "custom_family", "as_family", "frac_str",
           "as_fraction", "linspace_exact", "PSI_DEFAULTS", "PSI_EXTENDED_SMAX", "PSI_EXTENDED_POINTS"]
