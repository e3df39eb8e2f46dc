"""The render's budget: a PDF is rendered in a worker process, within a time, page and memory
budget, and a table too long to lay out is refused before the render starts.

`run_bounded(fn, args, budget)` runs `fn(*args)` in the render worker, a child process forked
from this one the first time it is needed (WeasyPrint and what the render uses are imported by
then, so it starts warm: a fork costs a few milliseconds) that renders one job after the
other and stays warm between them, as a fleet's or `reporter watch`'s worker renders many PDFs
(the caches of a first render, fonts, styles and cffi's types, are worth ~0.1 s a render).

- **Memory**: before each job the worker sets its RLIMIT_AS to its address space plus the
  memory budget: a render that needs more fails (MemoryError, or a C library that aborts),
  and the worker ends. A worker that kept more than RECYCLE_MB after a job is replaced.
- **Time**: a job not answered in time is killed with its worker (SIGKILL).
- **Interrupts**: the worker ignores SIGINT (Ctrl-C reaches the whole process group: the
  build handles it); a build interrupted while it waits kills the worker. The worker is
  killed at this process's exit, dies with the thread that forked it (PR_SET_PDEATHSIG),
  and runs nothing of this process's (os._exit). Its temporary files are in a folder of its
  own (WeasyPrint copies @font-face fonts to one), removed when it is reaped, or by the
  next worker started if this process was killed too.
- **Pages** are counted inside the render (reporter/export/pdf.py), and images and SVGs are
  refused by the URL fetcher before they are decoded (reporter/export/fetch.py).

A job over budget is one error line; nothing of it is left behind. The limits can be changed
for one run, by the machine's user (not by a project's files), with the environment
variables in ENVIRONMENT, read when a render starts.
"""

from __future__ import annotations

import atexit
import contextlib
import ctypes
import gc
import os
import pickle
import resource
import select
import shutil
import signal
import sys
import tempfile
import threading
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from reporter.errors import Collector, Location, ReportError, UsageError, printable
from reporter.files import remove_orphans

RENDER_SECONDS = 300  # wall-clock seconds for one PDF (the flagship takes 3)
# address space one render may add to its worker (the flagship's adds about 150 MB)
RENDER_MEMORY_MB = 640
RENDER_PAGES = 1_000  # pages of one PDF (the flagship has 16)
# rows of one table in a PDF: WeasyPrint lays out a long table in ~40 ms and 0.3 MB a row
# (1,000 rows: 57 pages, 40 s, 500 MB; 4,700 rows: 210 pages, 120 s, 1.6 GB)
TABLE_ROWS = 1_000
RECYCLE_MB = 256  # resident memory a worker may keep from its jobs before it is replaced

ENVIRONMENT = {
    "seconds": "REPORTER_RENDER_SECONDS",
    "memory_mb": "REPORTER_RENDER_MEMORY_MB",
    "pages": "REPORTER_RENDER_PAGES",
    "table_rows": "REPORTER_RENDER_TABLE_ROWS",
}
DOCUMENT = Location(Path("content/document.yaml"))  # where a render over budget is reported
MiB = 1 << 20
_CHUNK = 1 << 20
_HEADER = 8  # bytes of a message's length, before the message
_OUT_OF_MEMORY = 3  # the worker's exit status when it ran out of memory outside a job
_TEMP = "reporter-render"  # the worker's own temporary folder: reporter-render-PID-XXXX
MAX_SAID = 64 * 1024  # bytes of what the worker writes on stderr during a job, passed on


@dataclass(frozen=True)
class Budget:
    seconds: float = RENDER_SECONDS
    memory_mb: int = RENDER_MEMORY_MB
    pages: int = RENDER_PAGES
    table_rows: int = TABLE_ROWS

    @classmethod
    def from_environment(cls) -> Budget:
        """The defaults, with those set in the environment (ENVIRONMENT) instead."""
        values: dict[str, float] = {}
        for name, variable in ENVIRONMENT.items():
            text = os.environ.get(variable, "").strip()
            if not text:
                continue
            try:
                value = float(text) if name == "seconds" else int(text)
            except ValueError:
                value = 0
            if not value > 0:
                raise UsageError(
                    f"{variable}={text!r} is not a positive number",
                    hint=f"unset it for the default, {getattr(cls, name):,}",
                )
            values[name] = value
        return cls(**values)


def check_tables(tables: dict, budget: Budget) -> None:
    """Refuse, at its spec's `rows:`, a table with more rows than a PDF may lay out (every
    such table, in document order), before the render starts."""
    errors = Collector()
    for block_id, table in tables.items():
        if len(table.rows) <= budget.table_rows:
            continue
        spec = table.spec
        at = getattr(spec.raw, "key_locs", {}).get("rows", spec.loc)
        with errors.each():
            raise ReportError(
                f"table {block_id} has {len(table.rows):,} rows, more than the "
                f"{budget.table_rows:,} a table of the PDF may have",
                at,
                "filter or group its rows, or split the table, or build --html-only; "
                f"{ENVIRONMENT['table_rows']} sets the limit",
            )
    errors.done()


def run_bounded(fn: Callable, args: tuple, budget: Budget, environ: tuple[str, ...] = ()):
    """fn(*args) in the render worker, within `budget`'s time and memory, with the variables
    named in `environ` as they are here. `fn` is named, not sent: it must be a module's
    function. Where there is no fork (not Linux), in this process, without a budget."""
    if not sys.platform.startswith("linux"):
        return fn(*args)
    values = {name: os.environ.get(name) for name in environ}
    job = pickle.dumps((fn, args, values, budget.memory_mb * MiB, gc.isenabled()), protocol=5)
    deadline = time.monotonic() + budget.seconds
    worker = _worker()
    answer = None
    try:
        answer = worker.ask(job, deadline)
        if answer is not None and answer[0] == "unread":  # it had ended while idle
            worker.stop()
            worker = _worker()
            answer = worker.ask(job, deadline)
    finally:
        if answer is None or answer[0] not in ("ok", "error"):
            worker.stop()  # over time, dead, out of memory, or this process interrupted
    if answer is None:
        raise ReportError(
            f"rendering the PDF took more than {budget.seconds:g} s, and was stopped",
            DOCUMENT, _hint("seconds"),
        )  # fmt: skip
    kind, value = answer
    if kind in ("ok", "error"):  # what C libraries said on the way (not a dying worker's)
        worker.pass_on_said()
    if kind == "ok":
        return value
    if kind == "error":
        raise value
    if kind == "memory":
        raise _over_memory(budget)
    if kind == "crash":  # an exception that does not pickle: its text
        summary, text = value
        error = RuntimeError(summary)
        error.add_note(text)
        raise error
    raise _stopped(worker, budget)


def _hint(name: str) -> str:
    return (
        f"a table, an image or an SVG too large? {ENVIRONMENT[name]} sets the limit "
        "(docs/security.md)"
    )


def _over_memory(budget: Budget) -> ReportError:
    return ReportError(
        f"rendering the PDF needs more than the {budget.memory_mb:,} MB of memory it may add",
        DOCUMENT, _hint("memory_mb"),
    )  # fmt: skip


def _stopped(worker: _Worker, budget: Budget) -> ReportError:
    """Why the worker ended without an answer (reaped: `worker.status`, `worker.usage`)."""
    status = worker.status or 0
    if os.WIFSIGNALED(status):
        signum = os.WTERMSIG(status)
        try:
            name = signal.Signals(signum).name
        except ValueError:
            name = f"signal {signum}"
        # a C library that cannot allocate aborts (SIGABRT, SIGTRAP) or faults, often in a
        # thread of its own (Pango's) before Python sees a MemoryError; the kernel's OOM
        # killer sends SIGKILL: each is most likely the memory budget at work
        return ReportError(
            f"rendering the PDF stopped ({name}), most likely out of the "
            f"{budget.memory_mb:,} MB of memory it may add",
            DOCUMENT, _hint("memory_mb"),
        )  # fmt: skip
    code = os.WEXITSTATUS(status) if os.WIFEXITED(status) else status
    if code == _OUT_OF_MEMORY:
        return _over_memory(budget)
    return ReportError(f"the PDF renderer stopped (exit status {code})", DOCUMENT, "build again")


# --- the worker, from this process's side -----------------------------------------------------

_LOCK = threading.Lock()
_WORKERS: dict[int, _Worker] = {}  # by the thread that forked it (it dies with that thread)


def _worker() -> _Worker:
    """This thread's worker, started if it has none running. Workers that died (with the
    thread that forked them, say) are reaped and their folders removed."""
    with _LOCK:
        workers = list(_WORKERS.values())
    for other in workers:
        other.usable()
    with _LOCK:
        worker = _WORKERS.get(threading.get_ident())
    if worker is None:
        worker = _Worker()
        with _LOCK:
            _WORKERS[threading.get_ident()] = worker
    return worker


class _Worker:
    """The render worker, seen from the process that forked it: a pipe of jobs, one of
    answers, one for what it writes on stderr, and its own temporary folder (WeasyPrint keeps
    @font-face fonts in one that a killed render would leave), removed with it."""

    def __init__(self) -> None:
        for stream in (sys.stdout, sys.stderr):  # or the child would write their buffers too
            with contextlib.suppress(OSError, ValueError, AttributeError):
                stream.flush()
        base = Path(tempfile.gettempdir())
        remove_orphans(base.glob(f"{_TEMP}-*"), _TEMP)  # of a process killed with its worker
        self.temp = tempfile.mkdtemp(prefix=f"{_TEMP}-{os.getpid()}-", dir=base)
        jobs_r, self.jobs = os.pipe()
        self.answers, answers_w = os.pipe()
        self.errors, errors_w = os.pipe()
        self.owner = os.getpid()
        self.status: int | None = None
        self.usage = None
        self.said = b""
        self.pid = os.fork()
        if self.pid == 0:  # the worker: never returns
            for worker in [self, *_WORKERS.values()]:  # the others' ends: theirs alone
                worker._close_pipes()
            os.dup2(errors_w, 2)
            os.close(errors_w)
            os.environ["TMPDIR"] = tempfile.tempdir = self.temp
            _serve(jobs_r, answers_w, self.owner)
        for fd in (jobs_r, answers_w, errors_w):
            os.close(fd)
        os.set_blocking(self.errors, False)
        _register_exit()

    def usable(self) -> bool:
        """Running, and this process's (a fork of this process has its own)."""
        if self.owner != os.getpid() or self.status is not None:
            return False
        found, status, usage = os.wait4(self.pid, os.WNOHANG)
        if not found:
            return True
        self.status, self.usage = status, usage  # it died while idle: reaped (never killed
        self._forget()  # again: its pid may be another process's by now)
        return False

    def ask(self, job: bytes, deadline: float) -> tuple | None:
        """The answer to `job`: (kind, value); None past the deadline; ("unread", None) if
        the worker had ended before it read the job, ("dead", None) if it ended after."""
        self._listen()  # anything said between jobs is the last job's
        self.pass_on_said()
        try:
            _write_message(self.jobs, job)
        except BrokenPipeError:
            return ("unread", None)
        try:
            message = _read_message(self.answers, deadline, self._listen)
        except EOFError:
            return ("dead", None)
        self._listen()
        return None if message is None else pickle.loads(message)  # our own worker's

    def _listen(self) -> None:
        """Keep what the worker wrote on stderr (the first MAX_SAID bytes of it)."""
        with contextlib.suppress(BlockingIOError, OSError):
            while chunk := os.read(self.errors, _CHUNK):
                self.said += chunk[: max(0, MAX_SAID - len(self.said))]

    def pass_on_said(self) -> None:
        """Write what the worker said on this process's stderr, one printable line a line."""
        said, self.said = self.said, b""
        lines = said.decode("utf-8", "replace").splitlines()
        if lines:
            sys.stderr.write("".join(printable(line) + "\n" for line in lines))

    def stop(self) -> None:
        """End the worker and reap it (SIGKILL: it holds nothing to clean up), then remove
        its folder."""
        if self.owner != os.getpid() or self.status is not None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.kill(self.pid, signal.SIGKILL)
        self._close_pipes()
        while True:
            try:
                _, self.status, self.usage = os.wait4(self.pid, 0)
                break
            except ChildProcessError:  # reaped by someone else
                self.status = 0
                break
            except KeyboardInterrupt:  # a second Ctrl-C: reaped all the same
                continue
        self._forget()

    def _forget(self) -> None:
        """Once it is reaped: its pipes closed, its folder removed, no thread's worker."""
        self._close_pipes()
        shutil.rmtree(self.temp, ignore_errors=True)
        with _LOCK:
            for thread, worker in list(_WORKERS.items()):
                if worker is self:
                    del _WORKERS[thread]

    def _close_pipes(self) -> None:
        for fd in (self.jobs, self.answers, self.errors):
            if fd >= 0:
                with contextlib.suppress(OSError):
                    os.close(fd)
        self.jobs = self.answers = self.errors = -1


_EXIT_REGISTERED: set[int] = set()


def _register_exit() -> None:
    """stop_workers at this process's exit: atexit's, or multiprocessing's in its workers
    (which end with os._exit, without atexit)."""
    if os.getpid() not in _EXIT_REGISTERED:
        _EXIT_REGISTERED.add(os.getpid())
        atexit.register(stop_workers)
        from multiprocessing import util

        util.Finalize(None, stop_workers, exitpriority=100)


def stop_workers() -> None:
    """End this process's render workers (at its exit; a test may call it)."""
    with _LOCK:
        workers = [w for w in _WORKERS.values() if w.owner == os.getpid()]
    for worker in workers:
        worker.stop()


def _write_message(fd: int, data: bytes) -> None:
    view = memoryview(len(data).to_bytes(_HEADER, "big") + data)
    while view:
        view = view[os.write(fd, view[:_CHUNK]) :]


def _read_message(fd: int, deadline: float | None, listen=None) -> bytes | None:
    """One message; None past the deadline; EOFError when the pipe closes first. `listen`
    is called whenever the wait is long (to drain another pipe)."""
    poller = select.poll()
    poller.register(fd, select.POLLIN | select.POLLHUP)
    chunks, size, wanted = [], 0, _HEADER
    header = True
    while True:
        if size >= wanted:
            data = b"".join(chunks)
            if not header:
                return data
            wanted, header = int.from_bytes(data[:_HEADER], "big"), False
            chunks, size = [data[_HEADER:]], len(data) - _HEADER
            continue
        if deadline is not None:
            left = deadline - time.monotonic()
            if left <= 0:
                return None
            if not poller.poll(min(left, 0.05 if listen else 3600) * 1000):
                if listen:
                    listen()
                continue
        chunk = os.read(fd, min(_CHUNK, wanted - size))
        if not chunk:
            raise EOFError
        chunks.append(chunk)
        size += len(chunk)


# --- the worker, from its own side -------------------------------------------------------------


def _serve(jobs: int, answers: int, parent: int) -> None:
    """Answer jobs until the pipe closes; exit without running anything of the parent's (no
    finally, no atexit: the stack above belongs to the process it was forked from)."""
    code = 0
    try:
        signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        _die_with(parent)
        # what the parent made is not the renders' garbage: out of the collector's way (and its
        # pages are not copied by collections)
        gc.freeze()
        started = _resident()
        while True:
            try:
                message = _read_message(jobs, None)
            except EOFError:
                break
            try:
                fn, args, environ, memory, collect = pickle.loads(message)
            except Exception as exc:  # noqa: BLE001 - a job that does not unpickle: a bug
                _write_message(answers, pickle.dumps(("crash", _crash(exc))))
                break
            for name, value in environ.items():
                if value is None:
                    os.environ.pop(name, None)
                else:
                    os.environ[name] = value
            _limit_memory(memory)
            if not collect:
                gc.disable()  # as the process that asked: a fleet's worker renders without
            kind, value = _outcome(fn, args)
            answer = pickle.dumps((kind, value), protocol=5)
            del value
            _write_message(answers, answer)
            del answer
            gc.enable()
            gc.collect()  # the job's garbage, while the build goes on
            if kind not in ("ok", "error") or _resident() - started > RECYCLE_MB * MiB:
                break  # replaced by a new worker for the next job
    except MemoryError:
        code = _OUT_OF_MEMORY
    except BaseException:  # noqa: BLE001 - nothing may escape into the parent's stack
        code = 1
    finally:
        with contextlib.suppress(BaseException):
            sys.stderr.flush()
        os._exit(code)


def _outcome(fn: Callable, args: tuple) -> tuple[str, object]:
    out_of_memory = False
    try:
        return ("ok", fn(*args))
    except MemoryError:
        out_of_memory = True  # said once the render's frames are let go
    except ReportError as exc:
        exc.__traceback__ = None
        return ("error", exc)
    except BaseException as exc:  # noqa: BLE001 - a bug: the parent raises it, with our trace
        summary, text = _crash(exc)
        exc.__traceback__ = None
        try:
            pickle.dumps(exc)
        except Exception:  # noqa: BLE001 - not picklable: its text then
            return ("crash", (summary, text))
        exc.add_note(text)
        return ("error", exc)
    assert out_of_memory
    return ("memory", None)


def _crash(exc: BaseException) -> tuple[str, str]:
    """An exception as text: its summary, and its traceback in the worker."""
    text = "in the PDF renderer:\n" + "".join(traceback.format_exception(exc))
    return f"{type(exc).__name__}: {exc}", text


def _limit_memory(extra: int) -> None:
    """RLIMIT_AS: the address space now plus `extra` (at most the hard limit)."""
    soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    limit = _status("VmSize") + extra
    if hard != resource.RLIM_INFINITY:
        limit = min(limit, hard)
    resource.setrlimit(resource.RLIMIT_AS, (limit, hard))


def _resident() -> int:
    return _status("VmRSS")


def _status(name: str) -> int:
    """A size from /proc/self/status (VmRSS, VmSize), in bytes."""
    with open("/proc/self/status", "rb") as status:
        for line in status:
            if line.startswith(name.encode() + b":"):
                return int(line.split()[1]) * 1024
    return 0


def _die_with(parent: int) -> None:
    pr_set_pdeathsig = 1
    ctypes.CDLL(None).prctl(pr_set_pdeathsig, signal.SIGKILL)
    if os.getppid() != parent:  # the parent died before the request took effect
        os._exit(1)
