"""The PDF, built by a warm renderer without holding up the preview.

The renderer is one worker process (worker.py) that has imported the pipeline and WeasyPrint
before it is asked for anything, and builds one PDF at a time, each as `reporter build` would
(same options, same cache), into a folder of its own. Its answers are data (pages, files,
warnings, errors with file:line:col), one JSON line each; nothing is parsed out of messages.

A newer change supersedes a build in flight: the worker is killed (at once, whatever it is
doing; it only ever writes to its own folder and to the cache, whose entries are written
atomically) and the next one is started straight away, so that it has done its imports by the
time the next build is asked for. A worker that is not superseded stays: every PDF after the
first is built warm.

Workers are started from the thread that runs the session, never from a short-lived one:
Linux's parent-death signal (worker.py) fires when the *thread* that started the child ends.
"""

from __future__ import annotations

import collections
import json
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from reporter import files


@dataclass
class PdfOutcome:
    job: int
    status: str  # "written", "failed"
    seconds: float  # from the request to the answer
    pages: int = 0
    files: list[str] = field(default_factory=list)  # what the build wrote in its folder
    warnings: list[str] = field(default_factory=list)
    errors: list[dict] = field(default_factory=list)  # {"text", "file", "line", "column", …}
    timings: dict[str, float] = field(default_factory=dict)  # the build's, stage by stage
    pid: int = 0  # the worker's
    builds: int = 0  # builds that worker has run, this one included: from 2 on, warm
    traceback: str = ""

    @property
    def error(self) -> str:
        """The errors, one line each, as `reporter build` prints them."""
        return "\n".join(e["text"] for e in self.errors)


def worker_command() -> list[str]:
    return [sys.executable, "-m", "reporter.watch.worker", str(os.getpid())]


def private_folder(out: Path) -> Path:
    """Where this session's worker builds: next to out/ (same file system), named after the
    session's process, removed when the session ends."""
    return out.with_name(f".{out.name}.watch-{os.getpid()}")


def remove_orphans(out: Path) -> None:
    """Folders of sessions that were killed before they could remove theirs."""
    files.remove_orphans(out.parent.glob(f".{out.name}.watch-*"), "watch")


class WarmRenderer:
    """One worker, kept warm; `start` asks it for a build, `cancel` ends the one in flight,
    `done` is called (from a reading thread, no lock held) with each build's outcome."""

    def __init__(
        self,
        root: Path,
        folder: Path,
        draft: bool,
        done: Callable[[PdfOutcome], None],
        command: list[str] | None = None,
        params: tuple[tuple[str, str], ...] = (),
    ) -> None:
        self.root, self.folder, self.draft, self.done = root, folder, draft, done
        self.params = params  # the edition previewed, if the project has editions
        self.command = command or worker_command()
        self._lock = threading.Lock()
        self._jobs = 0
        self._worker = self._spawn()

    @property
    def pid(self) -> int:
        return self._worker.process.pid

    @property
    def running(self) -> bool:
        """A build is in flight."""
        with self._lock:
            return self._worker.job is not None

    def wait_ready(self, timeout: float | None = None) -> bool:
        """Wait until the worker has done its imports (or has died); True if it is ready."""
        worker = self._worker
        worker.ready.wait(timeout)
        return worker.ready.is_set() and worker.alive

    def start(self) -> int:
        """Ask for a build of the project as it is now; returns the job's number."""
        self.cancel()
        with self._lock:
            if not self._worker.alive:
                self._worker = self._spawn()
            self._jobs += 1
            worker, job = self._worker, self._jobs
            worker.job, worker.asked = job, time.perf_counter()
        request = {"job": job, "root": str(self.root), "out": str(self.folder / "out"),
                   "draft": self.draft, "params": self.params}  # fmt: skip
        try:
            worker.process.stdin.write(json.dumps(request).encode() + b"\n")
            worker.process.stdin.flush()
        except (OSError, ValueError):
            pass  # it died (its pipe is broken, or closed): its reader reports the job failed
        return job

    def cancel(self) -> bool:
        """Kill the build in flight, if any, and start the next worker; True if there was one."""
        with self._lock:
            worker = self._worker
            if worker.job is None or not worker.alive:
                return False
            worker.killed = True
            worker.process.kill()
            self._worker = self._spawn()
        worker.process.wait()
        return True

    def close(self, grace: float = 2.0) -> None:
        """Stop the worker (SIGTERM: a build in progress removes its temporary files; SIGKILL
        after `grace` seconds) and remove the folder it built in."""
        with self._lock:
            worker = self._worker
            worker.killed = True
        stop(worker.process, grace)
        for thread in worker.threads:
            thread.join(grace)
        shutil.rmtree(self.folder, ignore_errors=True)

    def _spawn(self) -> _Worker:
        process = subprocess.Popen(
            self.command,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            start_new_session=True,  # Ctrl-C in the terminal is the session's to pass on
        )
        worker = _Worker(process)
        worker.threads = [
            threading.Thread(target=self._read, args=(worker,), daemon=True),
            threading.Thread(target=worker.drain_stderr, daemon=True),
        ]
        for thread in worker.threads:
            thread.start()
        return worker

    def _read(self, worker: _Worker) -> None:
        for line in worker.process.stdout:
            try:
                message = json.loads(line)
            except ValueError:
                continue
            if message.get("ready"):
                worker.ready.set()
                continue
            with self._lock:
                current = not worker.killed and worker.job == message.get("job")
                if current:
                    worker.job = None
                seconds = time.perf_counter() - worker.asked
            if current:
                self.done(outcome(message, seconds))
        self._ended(worker)

    def _ended(self, worker: _Worker) -> None:
        """The worker's output ended: killed by us, or died on its own."""
        code = worker.process.wait()
        worker.process.stdout.close()
        worker.process.stdin.close()
        with self._lock:
            worker.alive = False
            job, worker.job = worker.job, None
            report = job is not None and not worker.killed
        worker.ready.set()
        if report:
            worker.threads[1].join(1.0)  # its last words, on stderr
            last = worker.stderr[-1] if worker.stderr else "no message"
            text = f"the PDF worker stopped (exit code {code}): {last}"
            self.done(PdfOutcome(job, "failed", time.perf_counter() - worker.asked,
                                 errors=[{"text": text}]))  # fmt: skip


class _Worker:
    def __init__(self, process: subprocess.Popen) -> None:
        self.process = process
        self.ready = threading.Event()
        self.alive = True
        self.killed = False  # by us: nothing it says any more counts
        self.job: int | None = None  # the build in flight
        self.asked = 0.0  # when it was asked for
        self.stderr: collections.deque[str] = collections.deque(maxlen=50)
        self.threads: list[threading.Thread] = []  # its output's readers

    def drain_stderr(self) -> None:
        for line in self.process.stderr:
            text = line.decode("utf-8", "replace").rstrip()
            if text:
                self.stderr.append(text)
        self.process.stderr.close()


def outcome(message: dict, seconds: float) -> PdfOutcome:
    fields = ("pages", "files", "warnings", "errors", "timings", "pid", "builds", "traceback")
    return PdfOutcome(message["job"], message.get("status", "failed"), seconds,
                      **{name: message[name] for name in fields if name in message})  # fmt: skip


def stop(process: subprocess.Popen, grace: float) -> None:
    """SIGTERM, then SIGKILL if it has not ended after `grace` seconds; waits for the end."""
    if process.poll() is None:
        try:
            process.send_signal(signal.SIGTERM)
            process.wait(grace)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        except ProcessLookupError:
            pass
