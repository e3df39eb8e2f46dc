"""The PDF, rebuilt after the HTML without holding up the preview.

It runs as a child process, `reporter build` (same options, same cache), so WeasyPrint neither
competes with the next HTML build for the interpreter nor has to finish: a newer change cancels
it (SIGINT: it publishes nothing, and cleans up after itself) before the next HTML build starts,
which also orders the writes to out/ — the child never writes after a newer HTML build. Its
HTML is byte-identical to the one just written (same inputs), and its manifest then lists both
outputs, as `reporter build`'s does.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path


@dataclass
class PdfOutcome:
    status: str  # "written", "failed", "cancelled"
    seconds: float
    pages: int = 0
    error: str = ""  # the child's error line(s) when it failed


def build_command(root: Path, out: Path, draft: bool = False) -> list[str]:
    command = [sys.executable, "-m", "reporter.cli", "build", str(root), "--out", str(out)]
    return command + (["--draft"] if draft else [])


class PdfBuilds:
    """At most one PDF build at a time; `start` cancels the one in flight, `done` is called
    (from a waiting thread) with each build's outcome, cancelled ones included."""

    def __init__(self, command: list[str], done: Callable[[PdfOutcome], None], grace: float = 5.0):
        self.command, self.done, self.grace = command, done, grace
        self._lock = threading.Lock()
        self._job: _Job | None = None

    @property
    def running(self) -> bool:
        with self._lock:
            return self._job is not None and self._job.process.poll() is None

    def start(self) -> None:
        self.cancel()
        env = os.environ | {"PYTHONIOENCODING": "utf-8"}
        process = subprocess.Popen(
            self.command,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            env=env,
            start_new_session=True,  # Ctrl-C in the terminal is ours to pass on, or not
        )
        job = _Job(process, time.perf_counter())
        with self._lock:
            self._job = job
        threading.Thread(target=self._wait, args=(job,), daemon=True).start()

    def cancel(self) -> bool:
        """Stop the build in flight, if any, and wait until it has stopped; True if one was."""
        with self._lock:
            job, self._job = self._job, None
        if job is None or job.process.poll() is not None:
            return False
        job.cancelled = True
        try:
            job.process.send_signal(signal.SIGINT if os.name == "posix" else signal.SIGTERM)
            job.process.wait(self.grace)
        except subprocess.TimeoutExpired:
            job.process.kill()
            job.process.wait()
        except ProcessLookupError:
            pass
        job.finished.wait(self.grace)
        return True

    def _wait(self, job: _Job) -> None:
        output = job.process.communicate()[0].decode("utf-8", "replace")
        seconds = time.perf_counter() - job.started
        if job.cancelled:
            outcome = PdfOutcome("cancelled", seconds)
        elif job.process.returncode == 0:
            pages = re.search(r"(\d+) pages?\b", output)
            outcome = PdfOutcome("written", seconds, int(pages.group(1)) if pages else 0)
        else:
            outcome = PdfOutcome("failed", seconds, error=error_lines(output))
        try:
            self.done(outcome)
        finally:
            job.finished.set()


@dataclass
class _Job:
    process: subprocess.Popen
    started: float
    cancelled: bool = False

    def __post_init__(self) -> None:
        self.finished = threading.Event()


def error_lines(output: str) -> str:
    """The child's `error:` lines without the prefix, else its last line (a traceback's)."""
    lines = [line.rstrip() for line in output.splitlines() if line.strip()]
    errors = [line.removeprefix("error: ") for line in lines if line.startswith("error: ")]
    return "\n".join(errors) or (lines[-1] if lines else "the PDF build stopped with no message")
