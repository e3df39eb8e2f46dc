"""Task functions for tests/test_workers.py: worker processes import them by name."""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path

from reporter.errors import Location, ReportError
from reporter.interrupts import InterruptGuard

IMPORTED_AT = time.time()  # once per process that imports this module
CALLS = 0  # tasks this process has run


def dispatch(fn, *args):
    """One task function for a mix of tasks (run_tasks calls one fn): fn(*args)."""
    return fn(*args)


def square(n: int) -> dict:
    return {"n": n, "square": n * n}


def fail_with_report(name: str) -> None:
    error = ReportError("no such column", Location(Path(f"{name}.yaml"), 3, 5), "check the CSV")
    error.others = [ReportError("a second problem")]
    raise error


def fail_with_bug(n: int) -> None:
    raise ValueError(f"bad value\n{n}")


def kill_once(marker: str, n: int) -> dict:
    """Kill the worker the first time it runs (the marker file says it ran), then succeed."""
    if not os.path.exists(marker):
        Path(marker).write_text(str(os.getpid()))
        os.kill(os.getpid(), signal.SIGKILL)
    return square(n)


def kill_always(folder: str) -> None:
    """Kill the worker every time, leaving one file per try (named by its pid)."""
    Path(folder, f"{os.getpid()}.try").write_text("")
    os.kill(os.getpid(), signal.SIGKILL)


def exit_at_once(code: int) -> None:
    os._exit(code)


def whoami(n: int) -> tuple[int, int, float]:
    """(pid, how many tasks this process has run, when it imported this module)."""
    global CALLS
    CALLS += 1
    time.sleep(0.05)  # long enough for both workers to get work
    return os.getpid(), CALLS, IMPORTED_AT


def sleep_long(folder: str, n: int) -> None:
    """Say which process runs it (a file named by its pid), then sleep past any test; cleans
    up on SIGINT or SIGTERM, as a build does (a file named by its pid says it did)."""
    with InterruptGuard():
        try:
            Path(folder, f"{os.getpid()}.pid").write_text(str(n))
            time.sleep(120)
        finally:
            Path(folder, f"{os.getpid()}.cleaned").write_text("")


def unpicklable_result(n: int):
    return lambda: n  # the worker cannot send it back
