"""Who runs the chunks of a sweep: the one place that picks an executor.

A sweep (:mod:`experiments.sweep`) cuts its points into chunks (plain task dicts: the points,
which of them to compute, stored warm starts, the options) and hands the list to an executor
together with a callback ``handle(record)`` and the module-level function that runs one chunk
(``runner(task, emit)``, :func:`experiments.sweep.run_chunk` for sweeps). Every executor delivers every record of every
chunk exactly once:

* :class:`SerialExecutor`: in this process, chunk after chunk.
* :class:`PoolExecutor`: local worker processes (``spawn``, one BLAS thread each). Records are
  streamed to the parent as each point finishes, so an interruption loses at most the points
  being solved. Workers exit when the parent dies (``PR_SET_PDEATHSIG`` on Linux, and a thread
  watching the parent's pid everywhere). A worker that dies mid-chunk breaks the pool: a new
  pool recomputes what was not delivered (the records already delivered are kept and passed on
  as stored warm starts, exactly as ``--resume`` does).
* :class:`DaskExecutor`: a ``dask.distributed`` cluster (``--scheduler tcp://host:8786``, or
  ``--scheduler local:K`` for a LocalCluster of K single-threaded worker processes). Workers
  build their own solver objects from the plain task dict (nothing compiled is pickled). A
  chunk's records come back when the chunk is done; a worker lost mid-chunk means Dask reruns
  the chunk elsewhere.

Whatever runs them, the receiving side drops a record whose point id was already delivered,
so a recomputed chunk never duplicates a point. The executor is not part of the sweep's
configuration: the computations are the same, so a sweep started on a cluster can be resumed
locally and the other way round.

While chunks run, SIGTERM is handled like Ctrl-C (``KeyboardInterrupt``): the sweep saves what
it has, prints the resume hint and the pool or cluster is shut down cleanly.
"""
from __future__ import annotations

import concurrent.futures as cf
import contextlib
import multiprocessing as mp
import os
import queue
import signal
import sys
import threading
import time

from analytics.errors import SepgapError

#: BLAS / OpenMP thread variables set to 1 in every worker.
THREAD_ENV = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS",
              "VECLIB_MAXIMUM_THREADS", "NUMEXPR_NUM_THREADS")
#: Test hook: the path of a marker file; the first chunk that finds it missing creates it and
#: kills its own worker process after its first point (exercises recomputation of lost chunks).
KILL_ONCE_ENV = "SEPGAP_TEST_KILL_WORKER_ONCE"
#: How often a broken local pool is rebuilt before the sweep gives up.
MAX_POOL_RESTARTS = 3
DASK_INSTALL_HINT = "pip install 'sepgap[dask]' (or: pip install 'dask[distributed]')"


class ExecutorError(SepgapError, RuntimeError):
    """The chunks cannot be run (bad ``--scheduler``, Dask missing, workers keep dying)."""


# ---- choosing -------------------------------------------------------------------------------------

def parse_scheduler(text):
    """``None`` | ``("local", K)`` | ``("address", "tcp://host:8786")`` from ``--scheduler``."""
    if text is None:
        return None
    if not isinstance(text, str) or not text.strip():
        raise ExecutorError("--scheduler: give an address (tcp://host:8786) or local:K")
    t = text.strip()
    if t.lower().startswith("local:"):
        k = t[6:]
        if not k.isdigit() or not 1 <= int(k) <= 1024:
            raise ExecutorError(f"--scheduler {text!r}: local:K needs K an integer from 1 to 1024")
        return ("local", int(k))
    if "://" not in t and ":" not in t:
        raise ExecutorError(f"--scheduler {text!r}: give an address like tcp://host:8786, "
                            "or local:K for K local Dask workers")
    return ("address", t)


def make_executor(workers: int = 1, scheduler=None, n_tasks: int | None = None):
    """The executor for ``--workers`` and ``--scheduler`` (at most one of them may ask for
    parallelism: ``--scheduler`` brings its own workers)."""
    spec = parse_scheduler(scheduler)
    if spec is not None:
        if workers != 1:
            raise ExecutorError("--workers and --scheduler do not go together: the scheduler's "
                                "workers run the chunks (use --scheduler local:K for K local "
                                "Dask workers)")
        return DaskExecutor(spec)
    if workers == 1 or (n_tasks is not None and n_tasks <= 1):
        return SerialExecutor()
    return PoolExecutor(workers)


def describe(workers: int = 1, scheduler=None) -> str:
    """For the provenance: how the chunks were run (not part of the configuration)."""
    spec = parse_scheduler(scheduler)
    if spec is None:
        return "serial" if workers == 1 else f"local process pool of {workers}"
    return f"dask LocalCluster of {spec[1]}" if spec[0] == "local" else f"dask scheduler {spec[1]}"


def run_tasks(tasks: list, handle, *, runner, workers: int = 1, scheduler=None) -> None:
    """Run every chunk task as ``runner(task, emit)``; ``handle(record)`` once per computed point
    (deduplicated by id). ``runner`` is a module-level function (it is pickled by reference for
    worker processes and Dask workers), e.g. :func:`experiments.sweep.run_chunk`.
    SIGTERM raises KeyboardInterrupt meanwhile (in the main thread)."""
    ex = make_executor(workers, scheduler, len(tasks))
    seen: set = set()

    def once(rec):
        if rec["id"] in seen:  # a recomputed chunk: the point is delivered already
            return
        seen.add(rec["id"])
        handle(rec)
    with sigterm_as_interrupt():
        ex.run(tasks, once, runner)


@contextlib.contextmanager
def sigterm_as_interrupt():
    """SIGTERM -> KeyboardInterrupt while the block runs (main thread only), so a terminated
    sweep saves, prints its resume hint and shuts its workers down like Ctrl-C."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def raise_interrupt(signum, frame):
        raise KeyboardInterrupt
    old = signal.signal(signal.SIGTERM, raise_interrupt)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, old)


def _expected_ids(tasks) -> list:
    return [p.id for t in tasks for p, c in zip(t["points"], t["compute"]) if c]


def remaining_task(task: dict, delivered: dict):
    """``task`` without the points in ``delivered`` (id -> record), whose stored warm starts
    continue the chain as on ``--resume``; None if nothing is left."""
    pts, compute = task["points"], list(task["compute"])
    compute = [c and p.id not in delivered for p, c in zip(pts, compute)]
    if not any(compute):
        return None
    warm = dict(task["warm"])
    for j, p in enumerate(pts):
        if p.id in delivered and j + 1 < len(pts) and compute[j + 1]:
            warm[j] = delivered[p.id].get("warm")
    return {**task, "compute": compute, "warm": warm}


# ---- in this process -------------------------------------------------------------------------------

class SerialExecutor:
    name = "serial"

    def run(self, tasks, handle, runner) -> None:
        for t in tasks:
            runner(t, handle)


# ---- the local process pool ----------------------------------------------------------------------

_QUEUE = None


def _die_with_parent(parent_pid: int) -> None:
    """End this worker when the parent process dies: the kernel's parent-death signal on Linux,
    and everywhere a daemon thread that polls the parent's pid (reparenting changes it)."""
    if sys.platform.startswith("linux"):
        with contextlib.suppress(Exception):
            import ctypes
            libc = ctypes.CDLL(None, use_errno=True)
            PR_SET_PDEATHSIG = 1
            libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    if os.getppid() != parent_pid:  # the parent died before the line above
        os._exit(1)

    def watch():
        while True:
            time.sleep(0.5)
            if os.getppid() != parent_pid:
                os._exit(1)
    threading.Thread(target=watch, name="sepgap-parent-watch", daemon=True).start()


def _init_worker(q, parent_pid: int) -> None:
    """Pool worker initializer: one BLAS thread, Ctrl-C handled by the parent only, exit with
    the parent."""
    global _QUEUE
    for k in THREAD_ENV:
        os.environ[k] = "1"
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _die_with_parent(parent_pid)
    _QUEUE = q


def _kill_hook(task: dict):
    """The :data:`KILL_ONCE_ENV` test hook: True once per marker file (atomic create)."""
    path = task.get("_kill_once")
    if not path:
        return False
    try:
        os.close(os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY))
    except FileExistsError:
        return False
    return True


def _worker_chunk(runner, task: dict) -> int:
    n = 0
    kill = _kill_hook(task)

    def emit(rec):
        nonlocal n
        _QUEUE.put(rec)
        n += 1
        if kill:  # test hook: die after delivering part of the chunk
            _QUEUE.close()
            _QUEUE.join_thread()
            os.kill(os.getpid(), signal.SIGKILL)
    runner(task, emit)
    return n


@contextlib.contextmanager
def _single_thread_env():
    """Spawned workers read the thread variables before any import of numpy (the child may
    import the parent's main module first), so set them in the environment they inherit."""
    old = {k: os.environ.get(k) for k in THREAD_ENV}
    try:
        for k in THREAD_ENV:
            os.environ[k] = "1"
        yield
    finally:
        for k, v in old.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


class _Reader:
    """Moves records from a multiprocessing queue to a local one in a daemon thread, so the
    main thread never blocks inside a read (a worker killed mid-write can leave a torn message
    that would block a reader forever; such a reader is abandoned with its pool)."""

    def __init__(self, mpq, out: queue.Queue):
        self.mpq, self.out, self.stop = mpq, out, threading.Event()
        self.thread = threading.Thread(target=self._loop, name="sepgap-records", daemon=True)
        self.thread.start()

    def _loop(self):
        while not self.stop.is_set():
            try:
                rec = self.mpq.get(timeout=0.2)
            except queue.Empty:
                continue
            except (EOFError, OSError, ValueError):
                return
            self.out.put(rec)

    def close(self, wait: float = 1.0):
        self.stop.set()
        self.thread.join(wait)
        if not self.thread.is_alive():
            with contextlib.suppress(Exception):
                self.mpq.close()
                self.mpq.join_thread()


class PoolExecutor:
    """Local ``spawn`` process pool of ``workers`` processes (today's ``--workers K``)."""

    name = "pool"

    def __init__(self, workers: int):
        self.workers = workers

    def run(self, tasks, handle, runner) -> None:
        expected = set(_expected_ids(tasks))
        delivered: dict = {}
        local: queue.Queue = queue.Queue()
        restarts = 0
        pending = list(tasks)
        while pending:
            broken = self._generation(pending, handle, runner, expected, delivered, local)
            if not broken:
                return
            restarts += 1
            if restarts > MAX_POOL_RESTARTS:
                raise ExecutorError(
                    f"worker processes died {restarts} times ({broken}); when calling "
                    "run_sweep(workers > 1) from a script, put the call under "
                    "`if __name__ == '__main__':`")
            pending = [r for r in (remaining_task(t, delivered) for t in tasks) if r is not None]

    def _generation(self, tasks, handle, runner, expected, delivered, local) -> str | None:
        """One pool; returns None when every point arrived, a reason when the pool broke."""
        ctx = mp.get_context("spawn")
        mpq = ctx.Queue()
        kill = os.environ.get(KILL_ONCE_ENV)
        with _single_thread_env():
            ex = cf.ProcessPoolExecutor(max_workers=min(self.workers, len(tasks)), mp_context=ctx,
                                        initializer=_init_worker, initargs=(mpq, os.getpid()))
            futures = [ex.submit(_worker_chunk, runner, {**t, "_kill_once": kill} if kill else t)
                       for t in tasks]
        reader = _Reader(mpq, local)
        broken = None
        try:
            while not expected.issubset(delivered):
                try:
                    rec = local.get(timeout=0.2)
                except queue.Empty:
                    for fut in futures:
                        if fut.done() and fut.exception() is not None:
                            exc = fut.exception()
                            if isinstance(exc, cf.process.BrokenProcessPool):
                                broken = str(exc) or "a worker process died"
                                break
                            raise exc
                    if broken:
                        break
                    continue
                if rec["id"] not in delivered:
                    delivered[rec["id"]] = rec
                    handle(rec)
            if broken:
                _stop_pool(ex)
                return broken
            for fut in futures:
                fut.result()
            ex.shutdown(wait=True)
            return None
        except BaseException:
            _stop_pool(ex)
            raise
        finally:
            reader.close()


def _stop_pool(ex) -> None:
    """Cancel pending chunks and end the workers (they ignore SIGINT; the parent decides)."""
    procs = list((getattr(ex, "_processes", None) or {}).values())
    ex.shutdown(wait=False, cancel_futures=True)
    for pr in procs:
        with contextlib.suppress(Exception):
            pr.terminate()
    for pr in procs:
        with contextlib.suppress(Exception):
            pr.join(timeout=5)


# ---- Dask ------------------------------------------------------------------------------------------

def _import_distributed():
    try:
        import distributed
    except ImportError:
        raise ExecutorError(f"--scheduler needs Dask, which is not installed: "
                            f"{DASK_INSTALL_HINT}") from None
    return distributed


def _versions() -> dict:
    """What must agree between the client and a worker for identical numbers."""
    from importlib.metadata import PackageNotFoundError, version
    out = {}
    for pkg in ("sepgap", "scs", "clarabel", "cvxpy", "numpy", "scipy"):
        try:
            out[pkg] = version(pkg)
        except PackageNotFoundError:
            out[pkg] = None
    return out


def dask_chunk(runner, task: dict) -> list:
    """Run on a Dask worker: one chunk (``runner(task, emit)``), its records as a list. The worker builds its own solver
    objects from the plain task (points are exact fractions); BLAS is held to one thread."""
    for k in THREAD_ENV:
        os.environ[k] = "1"
    want = task.get("_versions")
    if want is not None:
        have = _versions()
        diff = [f"{k} {have.get(k)} (client {v})" for k, v in want.items() if have.get(k) != v]
        if diff:
            raise ExecutorError("a Dask worker has different package versions, so its numbers "
                                "could differ: " + ", ".join(diff))
    out = []
    kill = _kill_hook(task)

    def emit(rec):
        out.append(rec)
        if kill:  # test hook: the worker dies mid-chunk
            os.kill(os.getpid(), signal.SIGKILL)
    runner(task, emit)
    return out


class DaskExecutor:
    """Chunks as Dask futures, records delivered as chunks complete."""

    name = "dask"

    def __init__(self, spec):
        self.spec = spec

    def _connect(self):
        import logging
        distributed = _import_distributed()
        kind, arg = self.spec
        if kind == "local":
            cluster = distributed.LocalCluster(
                n_workers=arg, threads_per_worker=1, processes=True, dashboard_address=None,
                silence_logs=logging.ERROR, env={k: "1" for k in THREAD_ENV})
            try:
                client = distributed.Client(cluster)
            except BaseException:
                cluster.close()
                raise
            return client, cluster
        try:
            client = distributed.Client(arg, timeout="20s")
        except (OSError, TimeoutError, ValueError) as exc:
            raise ExecutorError(f"--scheduler {arg}: cannot connect ({exc})") from None
        return client, None

    def run(self, tasks, handle, runner) -> None:
        distributed = _import_distributed()
        client, cluster = self._connect()
        futures = []
        try:
            versions = _versions()
            kill = os.environ.get(KILL_ONCE_ENV)
            # pure=False: every chunk is its own task (resubmitting a chunk must not reuse a
            # cached result from an earlier, cancelled run)
            futures = [client.submit(dask_chunk, runner, {**t, "_versions": versions,
                                                  **({"_kill_once": kill} if kill else {})},
                                     pure=False, key=f"sepgap-chunk-{i}-{os.getpid()}-"
                                                     f"{time.time_ns()}")
                       for i, t in enumerate(tasks)]
            for fut in distributed.as_completed(futures):
                try:
                    records = fut.result()
                except distributed.KilledWorker as exc:
                    raise ExecutorError(f"a chunk killed {exc.args[1] if len(exc.args) > 1 else 'its'} "
                                        "Dask workers repeatedly; giving up") from None
                for rec in records:
                    handle(rec)
        finally:
            with contextlib.suppress(Exception):
                client.cancel(futures)
            with contextlib.suppress(Exception):
                client.close()
            if cluster is not None:
                with contextlib.suppress(Exception):
                    cluster.close()


__all__ = ["run_tasks", "make_executor", "parse_scheduler", "describe", "remaining_task",
           "SerialExecutor", "PoolExecutor", "DaskExecutor", "ExecutorError", "dask_chunk",
           "sigterm_as_interrupt", "THREAD_ENV", "KILL_ONCE_ENV", "DASK_INSTALL_HINT"]
