"""Solvers for a compiled relaxation: SCS (default, factorisation kept across re-solves) and
Clarabel (native API). Each returns a :class:`RawSolution` in SCS's sign conventions:
``y`` is the dual of ``A x + s = b, s in K``."""
from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

from analytics.errors import SepgapError
from analytics.states import WClassState

from .frame import frame_for
from .relaxation import CompiledRelaxation, RelaxationSpec, compiled_relaxation

SOLVERS = ("SCS", "CLARABEL")

#: SCS defaults (override any of them through ``solver_options``).
SCS_DEFAULTS = {"eps_abs": 1e-8, "eps_rel": 1e-8, "max_iters": 20_000,
                "acceleration_lookback": 10, "verbose": False}
#: Clarabel defaults: its own tolerances (1e-8), one thread (the blocks are tiny: threads
#: only contend, 0.26 s -> 0.16 s per solve measured on a busy 2-core machine), and a static
#: regularisation of 1e-7 instead of 1e-8 (benchmarks/bench_offplane.py, 200 states: the one
#: loose certificate, 5.2e-7 above the solver's value, became tight and no SCS fallback was needed).
CLARABEL_DEFAULTS = {"max_threads": 1, "static_regularization_constant": 1e-7, "verbose": False}

#: SCS's numeric status (``info["status_val"]``) -> sepgap's status words.
_SCS_STATUS = {1: "optimal", 2: "optimal_inaccurate", -1: "unbounded", -6: "unbounded_inaccurate",
               -2: "infeasible", -7: "infeasible_inaccurate", -3: "indeterminate", -4: "failed",
               -5: "interrupted", 0: "unfinished"}
_STATUS = {"Solved": "optimal", "AlmostSolved": "optimal_inaccurate"}


class SolverError(SepgapError):
    """Unknown solver or bad solver option."""


@dataclass
class RawSolution:
    status: str          # "optimal", "optimal_inaccurate", or the solver's own word
    raw_status: str
    x: np.ndarray
    y: np.ndarray
    s: np.ndarray
    pobj: float          # value of the maximisation (primal objective)
    dobj: float
    iterations: int
    solve_time: float
    solver: str
    solver_version: str


class SCSEngine:
    """One SCS instance per compiled model and settings; new data via ``update(b=...)``."""

    def __init__(self, comp: CompiledRelaxation, theta: np.ndarray, options: dict):
        import scs
        self.comp = comp
        self.version = scs.__version__
        can = comp.canonical
        try:
            self.solver = scs.SCS(dict(A=can.A, b=can.b(theta), c=can.c), can.cone_dict,
                                  **options)
        except TypeError as exc:
            raise SolverError(f"bad SCS option: {exc}") from None

    def solve(self, theta: np.ndarray, warm: RawSolution | None = None) -> RawSolution:
        self.solver.update(b=self.comp.canonical.b(theta))
        t0 = time.perf_counter()
        if warm is not None:
            sol = self.solver.solve(warm_start=True, x=warm.x, y=warm.y, s=warm.s)
        else:
            sol = self.solver.solve(warm_start=False)
        dt = time.perf_counter() - t0
        info = sol["info"]
        raw = info["status"]
        status = _SCS_STATUS.get(int(info.get("status_val", -4)), "failed")
        return RawSolution(status, raw, sol["x"], sol["y"], sol["s"],
                           -info["pobj"], -info["dobj"], int(info["iter"]), dt, "SCS", self.version)


def _clarabel_perm(n_nonneg: int, sizes) -> np.ndarray:
    """Row permutation from SCS's svec (lower, column-major) to Clarabel's (upper, column-major)."""
    perm, off = list(range(n_nonneg)), n_nonneg
    for n in sizes:
        pos, r = {}, 0
        for j in range(n):
            for i in range(j, n):
                pos[(i, j)] = r
                r += 1
        perm += [off + pos[(j, i)] for j in range(n) for i in range(j + 1)]
        off += n * (n + 1) // 2
    return np.array(perm, dtype=np.int64)


class ClarabelEngine:
    def __init__(self, comp: CompiledRelaxation, theta: np.ndarray, options: dict):
        import clarabel
        self.comp = comp
        self._clarabel = clarabel
        self.version = clarabel.__version__
        can = comp.canonical
        self.perm = _clarabel_perm(can.n_nonneg, can.psd_sizes)
        self.inv = np.argsort(self.perm)
        self.A = can.A.tocsr()[self.perm].tocsc()
        self.cones = ([clarabel.NonnegativeConeT(can.n_nonneg)] if can.n_nonneg else []) + [
            clarabel.PSDTriangleConeT(n) for n in can.psd_sizes]
        self.settings = clarabel.DefaultSettings()
        for k, v in options.items():
            if not hasattr(self.settings, k):
                raise SolverError(f"bad Clarabel option: {k!r}")
            setattr(self.settings, k, v)

    def solve(self, theta: np.ndarray, warm: RawSolution | None = None) -> RawSolution:
        can = self.comp.canonical
        n = can.A.shape[1]
        t0 = time.perf_counter()
        try:
            solver = self._clarabel.DefaultSolver(sp.csc_matrix((n, n)), can.c, self.A,
                                                  can.b(theta)[self.perm], self.cones, self.settings)
            sol = solver.solve()
        except (KeyboardInterrupt, SystemExit):
            raise
        except BaseException as exc:  # noqa: BLE001 - a Rust panic (pyo3 PanicException) is a BaseException
            # seen: "SVD error" inside the PSD cone on a hard instance; report, never crash
            nan = np.full(can.A.shape[0], np.nan)
            return RawSolution("failed", f"panic: {exc}", np.full(n, np.nan), nan, nan,
                               float("nan"), float("nan"), 0, time.perf_counter() - t0,
                               "CLARABEL", self.version)
        dt = time.perf_counter() - t0
        raw = str(sol.status)
        y = np.asarray(sol.z)[self.inv]
        s = np.asarray(sol.s)[self.inv]
        return RawSolution(_STATUS.get(raw, raw.lower()), raw, np.asarray(sol.x), y, s,
                           -sol.obj_val, -getattr(sol, "obj_val_dual", sol.obj_val),
                           int(sol.iterations), dt, "CLARABEL", self.version)


#: Solver instances kept (oldest dropped first).
ENGINE_CACHE_SIZE = 16
_ENGINES: dict = {}


def reset_solvers() -> None:
    """Forget the cached solver instances (and their factorisations). SCS adapts its internal
    scale across solves of one instance, so a solve can depend on earlier ones; sweeps call
    this before every point so that results do not depend on scheduling."""
    _ENGINES.clear()


def check_solver_options(solver: str, options: dict | None) -> None:
    """Refuse bad settings of ``solver`` ("SCS" or "CLARABEL") before any work, in one
    :class:`SolverError`: the solver is built once on a small reference relaxation. Callers
    (``sepgap bound``, sweeps) call it even where no SDP will be solved (the analytic shortcut),
    so a bad option never passes silently."""
    if not options:
        return
    name = solver.upper()
    if name not in SOLVERS:
        raise SolverError(f"unknown solver {solver!r} (choose from {', '.join(SOLVERS)})")
    frame = frame_for(WClassState(0.5, 0.25, 0.25))
    comp = compiled_relaxation(frame, RelaxationSpec())
    cls, defaults = (SCSEngine, SCS_DEFAULTS) if name == "SCS" else (ClarabelEngine, CLARABEL_DEFAULTS)
    try:
        cls(comp, frame.theta(), {**defaults, **options})
    except SolverError:
        raise
    except (ValueError, TypeError, OverflowError) as exc:
        raise SolverError(f"bad {name} option ({exc})") from None


def get_engine(comp: CompiledRelaxation, theta: np.ndarray, solver: str, options: dict):
    name = solver.upper()
    if name not in SOLVERS:
        raise SolverError(f"unknown solver {solver!r} (choose from {', '.join(SOLVERS)})")
    defaults = SCS_DEFAULTS if name == "SCS" else CLARABEL_DEFAULTS
    opts = {**defaults, **(options or {})}
    key = (id(comp), name, tuple(sorted(opts.items())))
    eng = _ENGINES.get(key)
    if eng is None or eng.comp is not comp:  # id() of a dropped model can be reused
        cls = SCSEngine if name == "SCS" else ClarabelEngine
        eng = _ENGINES[key] = cls(comp, theta, opts)
        while len(_ENGINES) > ENGINE_CACHE_SIZE:
            _ENGINES.pop(next(iter(_ENGINES)))
    return eng
