"""The LOCC-monotonicity screen of the PPT relaxation at scale (issue 18), resumable.

The optimal PPT probability is an LOCC monotone by construction (a local measurement followed by
PPT operations on each branch is a PPT operation), so a violation found here would be a bug in
the implementation (relaxation, frame, branch map, solver), not physics. The screen tests that, on
``pairs`` sampled (state, measurement) pairs per party, as :func:`analytics.find_monotone_violation`
does (same samplers, same branch map, the same weak and strong two-outcome measurements), but
with a V costing ~0.1 s per evaluation:

1. **Plan** (deterministic in ``seed``): per party k, ``ceil(pairs / per_state)`` states uniform on
   the tetrahedron (:func:`analytics.monotone_check.sample_states`, 10% on the plane, 10% on a face,
   party k keeps weight) with ``per_state`` measurements each
   (:func:`analytics.monotone_check.sample_measurements`, half strong, half weak, shuffled). The
   evaluation points are the states and the two unnormalised branches of every pair
   (:func:`analytics.monotone_check.branches`); a state is evaluated once for all its pairs.
2. **Evaluate** in chunks (``chunk_states`` states with their branches; the chunks of the three
   parties interleaved, so a stopped run has about as many pairs for each) through
   :func:`experiments.executors.run_tasks` (serial, local pool or Dask), V given as
   ``"module:function"`` (vectorised: (n, 4) weights -> (n,) values). Every value is appended to
   the checkpoint file as soon as it arrives.
3. **Resume**: a repeated run reads the checkpoint back and evaluates only what is missing. Every
   saved line is validated (JSON, keys, checksum, its id in the plan, its weights equal to the
   planned ones bit for bit, a finite value) and ``recheck`` saved points are re-evaluated and
   compared; any failure raises :class:`ScreenCheckpointError` (nothing is silently trusted or
   dropped; only a torn last line, the trace of a killed write, is cut off, and the run says so).
4. **Analyse**: the increase ``V(w1) + V(w2) - V(w)`` of every complete pair; per party the pairs
   counted, the worst increase, how many exceed ``tol``.
5. **Certify** the ``certify_top`` worst pairs per party: for each branch the certified PPT upper
   bound (``ppt_upper_bound(..., certify=True)``, exact rational); ``B = sum_i p_i U_i`` (exact,
   ``p_i = |w_i|_1 / |w|_1``) is a certified upper bound on the average PPT value after the
   measurement, compared with the solver's value at the state (numerical, not a bound).

What this proves: for the certified pairs, ``sum_i p_i PPT(branch_i) <= B`` exactly. The increase
itself is a difference of solver values: the screen is evidence, not a proof.
"""
from __future__ import annotations

import hashlib
import importlib
import json
import math
import os
import time
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path

import numpy as np

try:
    import fcntl
except ImportError:  # pragma: no cover - not POSIX
    fcntl = None

from analytics.errors import SepgapError
from analytics.monotone_check import branches, sample_measurements, sample_states
from analytics.states import PARTIES
from sdp.bounds import ppt_upper_bound
from sdp.screen import normalised_state

from .executors import describe, run_tasks
from .saved import atomic_write

FORMAT = "sepgap-ppt-screen"
VERSION = 1
#: The PPT relaxation as V (the default function of the screen).
PPT_FUNCTION = "sdp.screen:ppt_screen_values"
#: Saved values re-evaluated on resume must agree to within this (times |w|_1).
RECHECK_TOL = 1e-8
_RECORD_KEYS = {"id", "w", "value", "s", "sum"}


class ScreenError(SepgapError, ValueError):
    """Bad arguments to the screen."""


class ScreenCheckpointError(SepgapError):
    """A checkpoint file that cannot be trusted: not a screen file, another configuration, a
    malformed, tampered, duplicated or unplanned line, or a saved value that does not recompute."""


class _Deadline(Exception):
    """Raised from the record handler when ``max_seconds`` has passed."""


# ---- plan ------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class ScreenPoint:
    """One evaluation point: ``id`` (``"A/s12"`` a state, ``"A/s12/m3/1"`` a branch) and weights."""

    id: str
    weights: tuple


@dataclass
class PartyPlan:
    party: str
    states: np.ndarray        # (S, 4) normalised weights
    meas: np.ndarray          # (S, per_state, 3) rows (a1, u, v)
    w1: np.ndarray            # (S, per_state, 4) unnormalised branch weights
    w2: np.ndarray
    valid: np.ndarray         # (S, per_state) the pair is a measurement of this state


@dataclass
class ScreenPlan:
    config: dict
    parties: dict = field(default_factory=dict)   # party -> PartyPlan
    points: dict = field(default_factory=dict)    # id -> ScreenPoint

    def pair_ids(self, party: str, i: int, j: int) -> tuple:
        return f"{party}/s{i}", f"{party}/s{i}/m{j}/1", f"{party}/s{i}/m{j}/2"


def _check_int(name, v, lo, hi):
    if isinstance(v, bool) or not isinstance(v, (int, np.integer)) or not lo <= v <= hi:
        raise ScreenError(f"{name} = {v!r} must be an integer in [{lo}, {hi}]")
    return int(v)


def screen_config(pairs: int = 10_000, per_state: int = 5, seed: int = 0, parties="ABC",
                  function: str = PPT_FUNCTION) -> dict:
    """The configuration that fixes the plan and the values (checked, JSON-ready)."""
    pairs = _check_int("pairs", pairs, 1, 10 ** 7)
    per_state = _check_int("per_state", per_state, 1, 1000)
    seed = _check_int("seed", seed, 0, 2 ** 63 - 1)
    ps = "".join(p for p in PARTIES if p in set(parties)) if isinstance(parties, str) else ""
    if not ps or not isinstance(parties, str) or set(parties) - set(PARTIES):
        raise ScreenError(f"parties = {parties!r} must be a non-empty string of A, B, C")
    if not isinstance(function, str) or function.count(":") != 1:
        raise ScreenError(f"function = {function!r} must be 'module:function'")
    return {"pairs": pairs, "per_state": per_state, "seed": seed, "parties": ps,
            "function": function}


def make_plan(config: dict) -> ScreenPlan:
    """The deterministic plan of a configuration (module docstring, step 1)."""
    plan = ScreenPlan(config)
    m = config["per_state"]
    n_states = -(-config["pairs"] // m)
    for p in config["parties"]:
        k = PARTIES.index(p)
        rng = np.random.default_rng([config["seed"], k])
        states = sample_states(n_states, "tetrahedron", rng, keep=k)
        meas = sample_measurements(n_states * m, rng)
        meas = meas[rng.permutation(len(meas))]
        # the last state may carry fewer pairs: exactly `pairs` per party
        w = np.repeat(states, m, 0)
        w1, w2, ok, _ = branches(w.copy(), k, meas[:, 0], meas[:, 1], meas[:, 2])
        good = ok & np.all(w1 >= 0, 1) & np.all(w2 >= 0, 1) & np.all(np.isfinite(w1), 1) \
            & np.all(np.isfinite(w2), 1)
        good[config["pairs"]:] = False
        pp = PartyPlan(p, states, meas.reshape(n_states, m, 3), w1.reshape(n_states, m, 4),
                       w2.reshape(n_states, m, 4), good.reshape(n_states, m))
        plan.parties[p] = pp
        for i in range(n_states):
            if not pp.valid[i].any():
                continue
            sid = f"{p}/s{i}"
            plan.points[sid] = ScreenPoint(sid, tuple(float(t) for t in states[i]))
            for j in range(m):
                if pp.valid[i, j]:
                    for b, arr in ((1, pp.w1), (2, pp.w2)):
                        bid = f"{sid}/m{j}/{b}"
                        plan.points[bid] = ScreenPoint(bid, tuple(float(t) for t in arr[i, j]))
    return plan


def make_tasks(plan: ScreenPlan, done: set, chunk_states: int = 2) -> list:
    """Executor tasks (``points``/``compute``/``warm`` as the executors expect), the parties'
    chunks interleaved; points already in ``done`` are not computed again."""
    per_party = {}
    for p, pp in plan.parties.items():
        chunks = []
        n = len(pp.states)
        for a in range(0, n, chunk_states):
            ids = [pid for i in range(a, min(n, a + chunk_states))
                   for pid in [f"{p}/s{i}"] + [f"{p}/s{i}/m{j}/{b}" for j in range(pp.valid.shape[1])
                                                for b in (1, 2)]
                   if pid in plan.points and pid not in done]
            if ids:
                pts = [plan.points[i] for i in ids]
                chunks.append({"points": pts, "compute": [True] * len(pts), "warm": {},
                               "function": plan.config["function"]})
        per_party[p] = chunks
    tasks = []
    for r in range(max((len(c) for c in per_party.values()), default=0)):
        for p in plan.parties:
            if r < len(per_party[p]):
                tasks.append(per_party[p][r])
    return tasks


def resolve_function(spec: str):
    """``"module:function"`` -> the function (a module-level, vectorised V)."""
    mod, _, name = spec.partition(":")
    try:
        f = getattr(importlib.import_module(mod), name)
    except (ImportError, AttributeError) as exc:
        raise ScreenError(f"function {spec!r} cannot be imported ({exc})") from None
    if not callable(f):
        raise ScreenError(f"function {spec!r} is not callable")
    return f


def evaluate(function: str, W: np.ndarray) -> np.ndarray:
    """V(W) for an (n, 4) array, checked: shape (n,), finite."""
    out = np.asarray(resolve_function(function)(W), dtype=float)
    if out.shape != (len(W),):
        raise ScreenError(f"{function} returned shape {out.shape} for {len(W)} rows")
    if not np.all(np.isfinite(out)):
        raise ScreenError(f"{function} is not finite at weights {W[~np.isfinite(out)][0].tolist()}")
    return out


def run_screen_chunk(task: dict, emit) -> None:
    """Executor runner: V on the chunk's points as one batch; one record per point."""
    pts = [p for p, c in zip(task["points"], task["compute"]) if c]
    if not pts:
        return
    t0 = time.perf_counter()
    W = np.array([p.weights for p in pts], dtype=float)
    vals = evaluate(task["function"], W)
    dt = (time.perf_counter() - t0) / len(pts)
    for p, v in zip(pts, vals):
        emit({"id": p.id, "w": list(p.weights), "value": float(v), "s": round(dt, 5)})


# ---- checkpoint file ---------------------------------------------------------------------------------

def _checksum(rec: dict) -> str:
    body = json.dumps([rec["id"], rec["w"], rec["value"], rec["s"]], separators=(",", ":"))
    return hashlib.sha256(body.encode()).hexdigest()[:16]


def record_line(rec: dict) -> str:
    out = {"id": rec["id"], "w": rec["w"], "value": rec["value"], "s": rec["s"]}
    out["sum"] = _checksum(out)
    return json.dumps(out, separators=(",", ":")) + "\n"


def header_line(config: dict) -> str:
    return json.dumps({"format": FORMAT, "version": VERSION, "config": config}) + "\n"


def load_checkpoint(path, plan: ScreenPlan, *, repair_tail: bool = True) -> tuple:
    """``(values, note)``: id -> value of every saved evaluation, validated against ``plan``
    (module docstring, step 3). A missing or empty file is a fresh start. ``repair_tail``: cut off
    a torn last line (no newline: a killed write) and say so in ``note``.
    Raises :class:`ScreenCheckpointError`."""
    path = Path(path)
    note = ""
    if not path.exists():
        return {}, note
    if path.is_dir():
        raise ScreenCheckpointError(f"{path} is a folder, not a checkpoint file")
    data = path.read_bytes()
    if not data:
        return {}, note
    if not data.endswith(b"\n"):
        cut = data.rfind(b"\n") + 1
        if cut == 0 or not repair_tail:
            raise ScreenCheckpointError(f"{path}: the last line is incomplete (no newline)")
        with open(path, "r+b") as f:
            f.truncate(cut)
        note = (f"{path}: cut off an incomplete last line ({len(data) - cut} bytes, an "
                "interrupted write); that point is evaluated again")
        data = data[:cut]
    lines = data.decode("utf-8", errors="replace").splitlines()
    try:
        head = json.loads(lines[0])
    except json.JSONDecodeError:
        raise ScreenCheckpointError(f"{path}:1: not a {FORMAT} file (header is not JSON)") from None
    if not isinstance(head, dict) or head.get("format") != FORMAT or head.get("version") != VERSION:
        raise ScreenCheckpointError(f"{path}:1: not a {FORMAT} version {VERSION} file")
    if head.get("config") != plan.config:
        diff = sorted(k for k in set(plan.config) | set(head.get("config") or {})
                      if (head.get("config") or {}).get(k) != plan.config.get(k))
        raise ScreenCheckpointError(f"{path} was written for another configuration (differs in "
                                    f"{', '.join(diff) or 'its form'}); use another file")
    values = {}
    for n, line in enumerate(lines[1:], start=2):
        where = f"{path}:{n}"
        try:
            rec = json.loads(line)
        except json.JSONDecodeError:
            raise ScreenCheckpointError(f"{where}: not JSON") from None
        if not isinstance(rec, dict) or set(rec) != _RECORD_KEYS:
            raise ScreenCheckpointError(f"{where}: expected the keys {sorted(_RECORD_KEYS)}")
        if rec["sum"] != _checksum(rec):
            raise ScreenCheckpointError(f"{where}: checksum mismatch (the line was changed)")
        pt = plan.points.get(rec["id"]) if isinstance(rec["id"], str) else None
        if pt is None:
            raise ScreenCheckpointError(f"{where}: point {rec['id']!r} is not in the plan")
        if rec["id"] in values:
            raise ScreenCheckpointError(f"{where}: point {rec['id']} saved twice")
        if not isinstance(rec["w"], list) or tuple(rec["w"]) != pt.weights:
            raise ScreenCheckpointError(f"{where}: weights of {rec['id']} differ from the plan")
        v = rec["value"]
        if isinstance(v, bool) or not isinstance(v, (int, float)) or not math.isfinite(v):
            raise ScreenCheckpointError(f"{where}: value {v!r} is not a finite number")
        values[rec["id"]] = float(v)
    return values, note


def recheck_saved(plan: ScreenPlan, values: dict, k: int, seed: int = 0) -> int:
    """Re-evaluate ``k`` saved points (chosen at random) and compare; returns how many.
    Raises :class:`ScreenCheckpointError` on a disagreement above RECHECK_TOL * |w|_1."""
    if not values or k <= 0:
        return 0
    rng = np.random.default_rng(seed)
    ids = sorted(values)
    pick = [ids[i] for i in rng.choice(len(ids), size=min(k, len(ids)), replace=False)]
    W = np.array([plan.points[i].weights for i in pick])
    fresh = evaluate(plan.config["function"], W)
    for i, w, v in zip(pick, W, fresh):
        if abs(v - values[i]) > RECHECK_TOL * max(1.0, float(np.sum(w))):
            raise ScreenCheckpointError(f"saved value of {i} ({values[i]!r}) does not recompute "
                                        f"({v!r}): the checkpoint is not trusted")
    return len(pick)


# ---- analysis --------------------------------------------------------------------------------------

def increases(plan: ScreenPlan, values: dict) -> dict:
    """party -> list of (increase, i, j) over the complete pairs."""
    out = {}
    for p, pp in plan.parties.items():
        rows = []
        for i, j in zip(*np.nonzero(pp.valid)):
            s, b1, b2 = plan.pair_ids(p, int(i), int(j))
            if s in values and b1 in values and b2 in values:
                rows.append((values[b1] + values[b2] - values[s], int(i), int(j)))
        out[p] = rows
    return out


def certify_pair(plan: ScreenPlan, party: str, i: int, j: int, value_state: float) -> dict:
    """The certified re-check of one pair (module docstring, step 5)."""
    pp = plan.parties[party]
    w = pp.states[i]
    tot = sum(Fraction(float(t)) for t in w)
    B, parts = Fraction(0), []
    for b in (pp.w1[i, j], pp.w2[i, j]):
        pb = sum(Fraction(float(t)) for t in b) / tot
        if pb == 0:
            parts.append({"p": 0.0, "certified": 0.0})
            continue
        res = ppt_upper_bound(normalised_state(b), certify=True)
        if res.certified is None:
            return {"certified": False, "why": res.certification_error or res.status}
        B += pb * res.certified
        parts.append({"p": float(pb), "certified": float(res.certified), "value": res.value})
    st = ppt_upper_bound(normalised_state(w), certify=True)
    ref = value_state if st.value is None else st.value  # the solver's value (not a bound)
    return {"certified": True, "B": B, "B_float_upper": _float_up(B), "state_value": ref,
            "state_certified": None if st.certified is None else _float_up(st.certified),
            "screen_state_value": value_state, "branches": parts,
            "excess": _float_up(B - Fraction(ref))}


def _float_up(q: Fraction) -> float:
    f = float(q)
    return f if Fraction(f) >= q else math.nextafter(f, math.inf)


@dataclass(repr=False)
class ScreenResult:
    """``pairs``: complete pairs per party; ``worst``: party -> (increase, state weights,
    measurement (a1, u, v)); ``violations``: party -> pairs with increase > tol;
    ``certified``: party -> list of certified re-checks of the worst pairs; ``done``: all planned
    points evaluated; ``seconds``; ``evaluations``: points evaluated in this run."""

    config: dict
    pairs: dict
    worst: dict
    violations: dict
    certified: dict
    tol: float
    done: bool
    seconds: float
    evaluations: int
    saved_before: int
    executor: str
    note: str = ""

    def __repr__(self) -> str:
        return (f"ScreenResult(pairs={self.pairs}, worst="
                f"{ {p: f'{w[0]:.3g}' for p, w in self.worst.items()} }, violations={self.violations}, "
                f"done={self.done})")

    def lines(self) -> list:
        out = [f"PPT monotonicity screen ({self.config['function']}, seed {self.config['seed']}, "
               f"{self.config['per_state']} measurements per state, {self.executor}): "
               f"{'complete' if self.done else 'PARTIAL'}"]
        for p in self.pairs:
            w = self.worst.get(p)
            out.append(f"  party {p}: {self.pairs[p]} of {self.config['pairs']} pairs, "
                       + (f"worst increase {w[0]:.3g} at w = ({', '.join(f'{t:.6g}' for t in w[1])}), "
                          f"measurement (a1, u, v) = ({', '.join(f'{t:.6g}' for t in w[2])})"
                          if w else "no pair yet")
                       + f", {self.violations.get(p, 0)} above {self.tol:g}")
        for p, rows in self.certified.items():
            ok = [r for r in rows if r["certified"]]
            if rows:
                worst = max((r["excess"] for r in ok), default=None)
                out.append(f"  party {p}: certified re-check of the {len(rows)} worst pairs: "
                           f"{len(ok)} certified; max (certified average after the measurement - "
                           f"solver value at the state) = "
                           + (f"{worst:.3g}" if worst is not None else "n/a"))
        out.append(f"  {self.evaluations} evaluations in this run, {self.saved_before} read back, "
                   f"{self.seconds:.0f} s")
        return out

    def table(self) -> list:
        """The result as Markdown table lines (docs/locc-monotones.md pastes this)."""
        out = [f"| party | pairs evaluated | worst numerical increase | at (x0, xA, xB, xC) | "
               f"measurement (a1, u, v) | above {self.tol:g} | certified re-check: worst pairs "
               "certified, max `B - P` |", "|---|---|---|---|---|---|---|"]
        for p in self.pairs:
            w = self.worst.get(p)
            rows = self.certified.get(p, [])
            ok = [r for r in rows if r["certified"]]
            cert = (f"{len(ok)} of {len(rows)}, {max(r['excess'] for r in ok):.2g}" if ok
                    else f"{len(ok)} of {len(rows)}")
            out.append(f"| {p} | {self.pairs[p]:,} of {self.config['pairs']:,} | "
                       + (f"{w[0]:.2g} | ({', '.join(f'{t:.4g}' for t in w[1])}) | "
                          f"({', '.join(f'{t:.4g}' for t in w[2])})" if w else "- | - | -")
                       + f" | {self.violations.get(p, 0)} | {cert} |")
        return out

    def to_json(self) -> dict:
        cert = {p: [{k: (str(v) if isinstance(v, Fraction) else v) for k, v in r.items()}
                    for r in rows] for p, rows in self.certified.items()}
        return {"config": self.config, "pairs": self.pairs, "tol": self.tol, "done": self.done,
                "worst": {p: {"increase": w[0], "state": list(w[1]), "measurement": list(w[2])}
                          for p, w in self.worst.items()},
                "violations": self.violations, "certified": cert, "seconds": self.seconds,
                "evaluations": self.evaluations, "saved_before": self.saved_before,
                "executor": self.executor}


def run_ppt_screen(path, *, pairs: int = 10_000, per_state: int = 5, seed: int = 0,
                   parties: str = "ABC", function: str = PPT_FUNCTION, chunk_states: int = 2,
                   workers: int = 1, scheduler=None, recheck: int = 2, certify_top: int = 20,
                   tol: float = 1e-6, max_seconds: float | None = None,
                   evaluate: bool = True, progress=None) -> ScreenResult:
    """Run (or resume) the screen with checkpoint file ``path`` (module docstring).

    Parameters: ``pairs`` (state, measurement) pairs per party; ``per_state`` measurements per
    sampled state; ``seed``; ``parties`` (e.g. ``"ABC"``); ``function`` the V to screen
    (``"module:function"``, vectorised, homogeneous of degree 1; default the PPT relaxation);
    ``chunk_states`` states per executor chunk; ``workers`` / ``scheduler`` as for sweeps;
    ``recheck`` saved points re-evaluated on resume; ``certify_top`` worst pairs per party
    re-checked with certificates (only for the PPT function; 0: none); ``tol`` the increase
    that counts as a violation; ``max_seconds``: stop evaluating after this long (the file
    keeps everything; run again to continue); ``evaluate=False``: only read the checkpoint back,
    analyse and certify; ``progress``: a callable taking a line.

    Returns a :class:`ScreenResult` (also written next to ``path`` as ``<path>.summary.json``).
    Raises :class:`ScreenError`, :class:`ScreenCheckpointError`; KeyboardInterrupt (Ctrl-C,
    SIGTERM) ends the evaluation like ``max_seconds``, with everything delivered saved.
    """
    t_start = time.perf_counter()
    config = screen_config(pairs, per_state, seed, parties, function)
    chunk_states = _check_int("chunk_states", chunk_states, 1, 10_000)
    recheck = _check_int("recheck", recheck, 0, 10_000)
    certify_top = _check_int("certify_top", certify_top, 0, 10_000)
    if isinstance(tol, bool) or not isinstance(tol, (int, float)) or not (math.isfinite(tol) and tol >= 0):
        raise ScreenError(f"tol = {tol!r} must be a finite number >= 0")
    if max_seconds is not None and (isinstance(max_seconds, bool) or not isinstance(max_seconds, (int, float))
                                    or not max_seconds > 0):
        raise ScreenError(f"max_seconds = {max_seconds!r} must be a positive number")
    resolve_function(config["function"])
    say = progress or (lambda line: None)
    path = Path(path)
    if not path.parent.is_dir():
        raise ScreenError(f"folder {path.parent} does not exist")
    plan = make_plan(config)
    lock = _lock(path)
    try:
        return _run(path, plan, config, chunk_states, workers, scheduler, recheck, certify_top,
                    float(tol), max_seconds, evaluate, say, t_start)
    finally:
        lock.close()


def _lock(path: Path):
    """An exclusive lock on ``.<name>.lock`` next to the checkpoint for the whole run: two runs
    appending to one file would interleave (and a reader could cut a line being written)."""
    f = open(path.with_name(f".{path.name}.lock"), "a+")
    if fcntl is None:  # pragma: no cover - not POSIX: no lock
        return f
    try:
        fcntl.flock(f.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        f.close()
        raise ScreenCheckpointError(f"another run is using {path} right now; wait for it or use "
                                    "another file") from None
    return f


def _run(path, plan, config, chunk_states, workers, scheduler, recheck, certify_top, tol,
         max_seconds, evaluate, say, t_start) -> ScreenResult:
    values, note = load_checkpoint(path, plan)
    if note:
        say(note)
    saved_before = len(values)
    if values:
        n = recheck_saved(plan, values, recheck, seed=len(values))
        say(f"read back {len(values)} saved evaluations from {path} ({n} re-evaluated: agree)")
    new = not path.exists() or path.stat().st_size == 0
    tasks = make_tasks(plan, set(values), chunk_states) if evaluate else []
    todo = sum(len(t["points"]) for t in tasks)
    say(f"{len(plan.points)} points planned, {todo} to evaluate in {len(tasks)} chunks")
    count = 0
    last = time.perf_counter()
    stopped = False
    with open(path, "a", encoding="utf-8") as f:
        if new:
            f.write(header_line(config))
            f.flush()

        def handle(rec):
            nonlocal count, last
            f.write(record_line(rec))
            f.flush()
            values[rec["id"]] = rec["value"]
            count += 1
            now = time.perf_counter()
            if now - last > 60:
                last = now
                pc = {p: len(r) for p, r in increases(plan, values).items()}
                say(f"{time.strftime('%H:%M:%S')}  {count}/{todo} evaluated, complete pairs {pc}")
                os.fsync(f.fileno())
            if max_seconds is not None and now - t_start > max_seconds:
                raise _Deadline
        try:
            if tasks:
                run_tasks(tasks, handle, runner=run_screen_chunk, workers=workers,
                          scheduler=scheduler)
        except (_Deadline, KeyboardInterrupt) as exc:
            stopped = isinstance(exc, KeyboardInterrupt)
            say(("stopped after max_seconds" if isinstance(exc, _Deadline) else "interrupted")
                + f": {count} evaluations saved to {path}; run again to continue")
        finally:
            f.flush()
            os.fsync(f.fileno())
    inc = increases(plan, values)
    res_pairs = {p: len(r) for p, r in inc.items()}
    worst, viol, cert = {}, {}, {}
    for p, rows in inc.items():
        viol[p] = sum(1 for r in rows if r[0] > tol)
        if rows:
            v, i, j = max(rows)
            pp = plan.parties[p]
            worst[p] = (v, tuple(float(t) for t in pp.states[i]),
                        tuple(float(t) for t in pp.meas[i, j]))
        if certify_top and config["function"] == PPT_FUNCTION and rows and not stopped:
            top = sorted(rows, reverse=True)[:certify_top]
            say(f"party {p}: certifying the {len(top)} worst pairs")
            cert[p] = [{"increase": v, "state": [float(t) for t in plan.parties[p].states[i]],
                        "measurement": [float(t) for t in plan.parties[p].meas[i, j]],
                        **certify_pair(plan, p, i, j, values[f"{p}/s{i}"])} for v, i, j in top]
    if stopped and certify_top:
        say("interrupted: the certified re-check is skipped (run again, with evaluate=False "
            "to certify without evaluating more)")
    done = len(values) == len(plan.points)
    result = ScreenResult(config, res_pairs, worst, viol, cert, float(tol), done,
                          time.perf_counter() - t_start, count, saved_before,
                          describe(workers, scheduler), note)
    summary = path.with_name(path.name + ".summary.json")
    atomic_write(summary, lambda fh: fh.write(json.dumps(result.to_json(), indent=1) + "\n"))
    return result


__all__ = ["run_ppt_screen", "ScreenResult", "ScreenError", "ScreenCheckpointError",
           "screen_config", "make_plan", "make_tasks", "load_checkpoint", "recheck_saved",
           "run_screen_chunk", "certify_pair", "increases", "record_line", "header_line",
           "PPT_FUNCTION", "FORMAT", "VERSION"]
