"""Run many independent tasks (one build per edition): here, in warm local workers, or on Dask.

    outcomes = run_tasks(build_edition, {"fr": (root, "fr"), …}, jobs=4, warm="weasyprint")

Each task is `fn(*args)`; its outcome is what `fn` returned, or one line saying why it failed
(a ReportError's text, one line per error, or the type and message of any other exception).
A failing task never stops the others, and the outcomes come back keyed by task id in the
order of `tasks`, whatever order they finished in.

- jobs=1: one task after the other in this process.
- jobs=N: N worker processes that stay warm (`warm` is imported once per worker, before its
  first task). Each worker is a ProcessPoolExecutor of one process, so a worker that dies
  (a signal, os._exit, a segfault) is pinned on the one task it was running: that task goes
  to a fresh worker, and fails only if its worker dies a second time; the other workers go
  on. Workers are spawned, never forked, and never run the caller's __main__ again (so a
  script needs no `if __name__ == "__main__":` guard); they die with this process
  (PR_SET_PDEATHSIG) and none outlives `run_tasks`, even on Ctrl-C.
  (multiprocessing's resource tracker, one per process whatever starts it, stays until this
  process ends, and ends with it.)
- scheduler="tcp://HOST:PORT": an existing Dask distributed cluster runs the tasks; its
  scheduler and workers need the same reporter installed, its workers the project at the
  same path (docs/editions.md, "Running on a Dask cluster").

`fn` must be importable by name (a module's top-level function, not one defined in
__main__): the workers import it.
"""

from __future__ import annotations

import ctypes
import gc
import importlib
import os
import signal
import sys
import threading
import time
import uuid
from collections import deque
from collections.abc import Callable
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from multiprocessing import connection, context, spawn

from reporter.errors import ReportError, UsageError

STOP_GRACE = 3.0  # seconds an interrupted worker has to clean up (SIGTERM) before SIGKILL
POLL = 0.2  # seconds between looks for a Ctrl-C while waiting for workers
CONNECT_TIMEOUT = "10s"  # to reach a Dask scheduler
_WORKER_NAME = "reporter-worker"


@dataclass
class Outcome:
    key: str  # the task's id (an edition id)
    ok: bool
    value: object = None  # what fn returned (picklable, small)
    error: str = ""  # why it failed: one line per error


def run_tasks(
    fn: Callable,
    tasks: dict[str, tuple],
    jobs: int = 1,
    scheduler: str | None = None,
    warm: str | None = None,
    progress: bool | None = None,
) -> dict[str, Outcome]:
    """The outcome of `fn(*args)` for each task, keyed as `tasks` is: run here (jobs=1), in
    `jobs` warm worker processes, or on the Dask cluster at `scheduler` (then `jobs` is the
    cluster's business). `warm` names a module each worker imports before its first task.
    `progress`: a bar on stderr (by default when stderr is a terminal)."""
    if jobs < 1:
        raise UsageError(f"--jobs must be at least 1, not {jobs}")
    if not tasks:
        return {}
    tally = _Tally(len(tasks), sys.stderr.isatty() if progress is None else progress)
    try:
        if scheduler:
            _run_on_dask(fn, tasks, scheduler, warm, tally)
        elif jobs == 1:
            _run_here(fn, tasks, warm, tally)
        else:
            _check_importable(fn)
            _run_local(fn, tasks, jobs, warm, tally)
    finally:
        tally.close()
    return {key: tally.outcomes[key] for key in tasks}


# What runs a task, in whichever process runs it


def _outcome(fn: Callable, key: str, args: tuple) -> Outcome:
    try:
        return Outcome(key, True, fn(*args))
    except ReportError as exc:
        return Outcome(key, False, error="\n".join(str(e) for e in (exc, *exc.others)))
    except (Exception, SystemExit) as exc:
        return Outcome(key, False, error=one_line(exc))


def _call(fn: Callable, key: str, args: tuple, warm: str | None) -> Outcome:
    """A task in a worker (local or Dask): warm first (a no-op once imported). The cyclic
    garbage collector is off while the task runs: a WeasyPrint render makes hundreds of
    thousands of objects, and the collections they trigger cost a fifth of a render in a Dask
    worker (whose large heap each one walks), less in ours (frozen, see _start_worker). The
    task's garbage is collected by the first collection after it."""
    failed = _warm_up(warm)
    if failed:
        return Outcome(key, False, error=f"the worker could not import {warm}: {failed}")
    collecting = gc.isenabled()
    gc.disable()
    try:
        return _outcome(fn, key, args)
    except KeyboardInterrupt as exc:
        # a task's own InterruptGuard turned SIGTERM (from _stop, or anyone) or Ctrl-C into
        # this, and has cleaned up: the worker ends, and the parent decides what follows
        os._exit(getattr(exc, "exit_code", 130))
    finally:
        if collecting:
            gc.enable()


def _warm_up(module: str | None) -> str:
    """Import `module`; "" or why it failed. Failures are not remembered: fixed, it imports."""
    if module:
        try:
            importlib.import_module(module)
        except Exception as exc:
            return one_line(exc)
    return ""


def one_line(exc: BaseException, limit: int = 500) -> str:
    """An exception as one line: its type and message, no traceback."""
    text = " ".join(str(exc).split())
    text = f"{type(exc).__name__}: {text}" if text else type(exc).__name__
    return text if len(text) <= limit else text[: limit - 1] + "…"


# jobs=1: this process


def _run_here(fn: Callable, tasks: dict[str, tuple], warm: str | None, tally: _Tally) -> None:
    failed = _warm_up(warm)
    for key, args in tasks.items():
        if failed:
            tally.add(Outcome(key, False, error=f"could not import {warm}: {failed}"))
        else:
            tally.add(_outcome(fn, key, args))


# jobs=N: local worker processes


def _check_importable(fn: Callable) -> None:
    module = getattr(fn, "__module__", None)
    if module in (None, "__main__") or "<" in getattr(fn, "__qualname__", ""):
        raise ValueError(
            f"run_tasks: {fn!r} must be a module's top-level function (not one defined in "
            "__main__, a lambda or a nested function): worker processes import it by name"
        )


def _run_local(
    fn: Callable, tasks: dict[str, tuple], jobs: int, warm: str | None, tally: _Tally
) -> None:
    """Hand one task at a time to each idle worker until every task has an outcome."""
    _leave_main_out()
    queue = deque(tasks)
    deaths: dict[str, list[str]] = {}
    slots = [_Slot(warm) for _ in range(min(jobs, len(tasks)))]
    idle = list(slots)
    running: dict[Future, tuple[_Slot, str]] = {}
    try:
        while queue or running:
            while queue and idle:
                slot, key = idle.pop(), queue.popleft()
                running[slot.submit(fn, key, tasks[key])] = (slot, key)
            # a timeout, so that a Ctrl-C delivered to another thread is seen in time
            done, _ = wait(running, timeout=POLL, return_when=FIRST_COMPLETED)
            for future in done:
                slot, key = running.pop(future)
                idle.append(slot)
                try:
                    tally.add(future.result())
                except BrokenProcessPool:
                    died = deaths.setdefault(key, [])
                    died.append(slot.restart())
                    if len(died) < 2:
                        queue.appendleft(key)
                        tally.retried()
                    else:
                        how = ", then ".join(dict.fromkeys(died))  # "killed by SIGKILL"
                        error = f"the worker died twice while building it ({how})"
                        tally.add(Outcome(key, False, error=error))
                except Exception as exc:  # fn or its arguments or result could not be pickled
                    tally.add(Outcome(key, False, error=one_line(exc)))
    except BaseException:
        _stop(slots)
        raise
    _close(slots)


class _Slot:
    """One warm worker: a pool of one process, so that its death is pinned on its one task."""

    def __init__(self, warm: str | None) -> None:
        self.warm = warm
        self.pool = self._new_pool()

    def _new_pool(self) -> ProcessPoolExecutor:
        # the process itself starts at the first submit, from the thread that runs run_tasks
        return ProcessPoolExecutor(
            1, mp_context=_CONTEXT, initializer=_start_worker, initargs=(os.getpid(), self.warm)
        )

    def submit(self, fn: Callable, key: str, args: tuple) -> Future:
        try:
            return self.pool.submit(_call, fn, key, args, self.warm)
        except BrokenProcessPool:  # its worker died while idle: nothing was lost
            self.restart()
            return self.pool.submit(_call, fn, key, args, self.warm)

    def processes(self) -> list:
        # ProcessPoolExecutor has no public list of its processes before Python 3.14
        return list((getattr(self.pool, "_processes", None) or {}).values())

    def restart(self) -> str:
        """A fresh pool for the broken one; how its worker died."""
        processes = self.processes()
        self.pool.shutdown(wait=True)
        self.pool = self._new_pool()
        codes = [p.exitcode for p in processes if p.exitcode is not None]
        return _death(codes[0]) if codes else "cause unknown"


def _death(code: int) -> str:
    if code < 0:
        try:
            return f"killed by {signal.Signals(-code).name}"
        except ValueError:
            return f"killed by signal {-code}"
    return f"exit code {code}"


def _close(slots: list[_Slot]) -> None:
    """Shut every pool down at once: a worker takes a moment to exit (WeasyPrint and all)."""
    closing = [threading.Thread(target=slot.pool.shutdown) for slot in slots]
    for thread in closing:
        thread.start()
    for thread in closing:
        thread.join()


def _stop(slots: list[_Slot]) -> None:
    """Interrupted: every worker is asked to stop (SIGTERM lets a build clean up), killed if
    it has not within STOP_GRACE seconds, and its pool shut down, pending tasks cancelled."""
    processes = [p for slot in slots for p in slot.processes()]
    try:
        for process in processes:
            process.terminate()
        deadline = time.monotonic() + STOP_GRACE
        waiting = [p.sentinel for p in processes]
        while waiting and time.monotonic() < deadline:
            gone = connection.wait(waiting, timeout=deadline - time.monotonic())
            waiting = [s for s in waiting if s not in gone]
    finally:  # even if a second Ctrl-C cut the grace short
        for process in processes:
            process.kill()  # a no-op for a process already reaped
        for slot in slots:
            slot.pool.shutdown(wait=True, cancel_futures=True)


def _start_worker(parent: int, warm: str | None) -> None:
    """A worker's initializer: die with the parent, leave Ctrl-C to it, import `warm`."""
    if sys.platform.startswith("linux"):
        pr_set_pdeathsig = 1
        ctypes.CDLL(None).prctl(pr_set_pdeathsig, signal.SIGKILL)
    if os.getppid() != parent:  # the parent died before the request took effect
        os._exit(1)
    # Ctrl-C in a terminal reaches the whole process group: the parent stops the workers
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _warm_up(warm)  # a failure is reported by each task (_call)
    # what the imports made lives as long as the worker: out of the collector's way
    gc.collect()
    gc.freeze()


class _WorkerProcess(context.SpawnProcess):
    """A spawned worker, named so that _preparation_data leaves the caller's __main__ out."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.name = _WORKER_NAME


class _WorkerContext(context.SpawnContext):
    Process = _WorkerProcess


def _preparation_data(name: str, _stdlib=spawn.get_preparation_data) -> dict:
    """multiprocessing's spawn runs the parent's __main__ again in each child (as
    __mp_main__) when it is a file or a module: a script without a `__main__` guard would
    start its own work in every worker. Tasks are importable by name, so a worker of ours
    never needs __main__: it is left out of what the child is told to prepare."""
    data = _stdlib(name)
    if name == _WORKER_NAME:
        data.pop("init_main_from_path", None)
        data.pop("init_main_from_name", None)
    return data


_CONTEXT = _WorkerContext()


def _leave_main_out() -> None:
    """Install _preparation_data (once): it changes only our workers' data."""
    if spawn.get_preparation_data.__name__ != _preparation_data.__name__:
        spawn.get_preparation_data = _preparation_data


# scheduler="tcp://…": a Dask distributed cluster


def _run_on_dask(
    fn: Callable, tasks: dict[str, tuple], address: str, warm: str | None, tally: _Tally
) -> None:
    import distributed  # 0.35 s: only when asked for

    run = uuid.uuid4().hex[:8]  # keys unique on a cluster that others may share
    with _connect(distributed, address) as client:
        futures = {
            client.submit(
                _call, fn, key, args, warm,
                key=f"{getattr(fn, '__name__', 'task')}-{key}-{run}", pure=False, retries=1,
            ): key
            for key, args in tasks.items()
        }  # fmt: skip
        try:
            for future in distributed.as_completed(futures, loop=client.loop):
                tally.add(_dask_outcome(futures[future], future))
        except BaseException:
            client.cancel(list(futures))
            raise


def _connect(distributed, address: str):
    """A client of the scheduler at `address`, which has a worker at least (else the tasks
    would wait for one forever)."""
    hint = "start one with `dask scheduler`, and workers with `dask worker ADDRESS`"
    try:
        client = distributed.Client(address, timeout=CONNECT_TIMEOUT, set_as_default=False)
    except (OSError, ValueError) as exc:
        raise ReportError(
            f"cannot reach the Dask scheduler at {address}: {one_line(exc)}", hint=hint
        ) from None
    try:
        client.wait_for_workers(1, timeout=CONNECT_TIMEOUT)
    except TimeoutError:
        client.close()
        raise ReportError(
            f"the Dask scheduler at {address} has no workers",
            hint=f"start them with `dask worker {address}`",
        ) from None
    return client


def _dask_outcome(key: str, future) -> Outcome:
    from distributed import KilledWorker

    try:
        return future.result()
    except KilledWorker as exc:
        deaths = exc.allowed_failures + 1  # the cluster's setting, not ours
        error = f"the worker died {deaths} times while building it (Dask: KilledWorker)"
        return Outcome(key, False, error=error)
    except Exception as exc:  # e.g. the worker could not import fn
        return Outcome(key, False, error=one_line(exc))


# Progress


class _Tally:
    """The outcomes so far, and a progress bar showing them when asked for."""

    def __init__(self, total: int, progress: bool) -> None:
        self.total = total
        self.outcomes: dict[str, Outcome] = {}
        self.failed = 0
        self.retries = 0
        self.bar = None
        if progress:
            from tqdm import tqdm

            self.bar = tqdm(
                total=total, file=sys.stderr, dynamic_ncols=True, postfix=self._postfix(),
                bar_format="{percentage:3.0f}%|{bar}| {n_fmt}/{total_fmt} done{postfix} "
                           "[{elapsed}<{remaining}]",
            )  # fmt: skip

    def add(self, outcome: Outcome) -> None:
        self.outcomes[outcome.key] = outcome
        self.failed += not outcome.ok
        if self.bar is not None:
            self._show()
            self.bar.update()

    def retried(self) -> None:
        self.retries += 1
        if self.bar is not None:
            self._show()
            self.bar.refresh()

    def _postfix(self) -> str:
        text = f"{self.failed} failed, {self.total - len(self.outcomes)} left"
        return text + (f", {self.retries} retried" if self.retries else "")

    def _show(self) -> None:
        self.bar.set_postfix_str(self._postfix(), refresh=False)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()
