"""Run one parser call on one hostile input in a forked child, and say how it ended.

The property tests of this folder call reporter's readers in process (no interpreter start:
a fork of the warm test process costs a few milliseconds), but never in the test process
itself: an abort (a Rust allocation failure in calamine, a crash in pdfium) would end the
whole run, and a memory bomb would take the machine. The child runs under RLIMIT_AS (the
address space it inherits plus `headroom`), its output goes to a pipe the parent reads (and
bounds), and it is killed past its time. The parent reaps it with wait4, whose rusage gives
its peak resident memory, so each example is checked for

- how it ended: returned, raised ReportError (its one line), raised anything else (the
  traceback), was killed by a signal (SIGABRT: an abort), exited by itself, or ran out of time;
- how much memory it added to what it had at its start (its peak RSS minus its RSS then: a
  forked child does not map all of its parent's pages at once);
- how much it wrote to stdout and stderr (a hostile cell must never be echoed whole).
"""

from __future__ import annotations

import json
import os
import resource
import select
import signal
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass

GiB = 1 << 30
MiB = 1 << 20
MAX_KEPT_OUTPUT = 64 * 1024  # of the child's stdout/stderr: the rest is counted, not kept


@dataclass
class Outcome:
    kind: str  # returned | report-error | exception | signal | exit | timeout
    detail: str  # the returned problems (JSON), the error line, the traceback, the signal
    added_rss: int  # bytes: the child's peak resident memory above its own at its start
    seconds: float
    output: bytes  # the first MAX_KEPT_OUTPUT bytes the child wrote to stdout and stderr
    output_size: int  # how many it wrote in all

    def __str__(self) -> str:
        shown = self.output[:2000].decode("utf-8", "replace")
        return (
            f"{self.kind} after {self.seconds:.1f} s, +{self.added_rss / MiB:.0f} MiB resident, "
            f"{self.output_size:,} bytes of output: {self.detail[-3000:]}"
            + (f"\n--- output ---\n{shown}" if shown else "")
        )


def _status(name: str) -> int:
    """A size from /proc/self/status (VmRSS, VmSize…), in bytes."""
    with open("/proc/self/status") as handle:
        for line in handle:
            if line.startswith(name + ":"):
                return int(line.split()[1]) * 1024
    raise LookupError(name)


def run_isolated(
    call: Callable[[], object], timeout: float = 30.0, headroom: int = 2 * GiB
) -> Outcome:
    """Fork; in the child, `call()` (its return value must be JSON: the problems the child
    found in what it read) under RLIMIT_AS of the inherited address space plus `headroom`;
    in the parent, wait at most `timeout` seconds and describe how it ended."""
    from reporter.errors import ReportError

    limit = _status("VmSize") + headroom
    result_r, result_w = os.pipe()
    output_r, output_w = os.pipe()
    started = time.monotonic()
    pid = os.fork()
    if pid == 0:  # the child: never returns, never runs the parent's cleanup
        code = 0
        try:
            os.close(result_r)
            os.close(output_r)
            os.dup2(output_w, 1)
            os.dup2(output_w, 2)
            resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
            resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
            os.write(result_w, b"%d\n" % _status("VmRSS"))  # first: an abort keeps it
            try:
                message = {"kind": "returned", "detail": json.dumps(call(), default=str)}
            except ReportError as exc:
                message = {"kind": "report-error", "detail": str(exc)}
            except BaseException:  # noqa: BLE001 - anything else is what the test looks for
                message = {"kind": "exception", "detail": traceback.format_exc()}
            data = json.dumps(message).encode()
            while data:
                data = data[os.write(result_w, data) :]
        except BaseException:  # noqa: BLE001 - even MemoryError while reporting
            code = 70
        finally:
            os._exit(code)
    os.close(result_w)
    os.close(output_w)
    result, output, output_size = b"", b"", 0
    open_fds = {result_r, output_r}
    timed_out = False
    try:
        while open_fds:
            left = started + timeout - time.monotonic()
            if left <= 0:
                timed_out = True
                os.kill(pid, signal.SIGKILL)
                break
            ready, _, _ = select.select(list(open_fds), [], [], left)
            for fd in ready:
                chunk = os.read(fd, 1 << 16)
                if not chunk:
                    open_fds.discard(fd)
                elif fd == result_r:
                    result += chunk
                else:
                    output_size += len(chunk)
                    if len(output) < MAX_KEPT_OUTPUT:
                        output += chunk[: MAX_KEPT_OUTPUT - len(output)]
    finally:
        os.close(result_r)
        os.close(output_r)
        _, status, usage = os.wait4(pid, 0)
    seconds = time.monotonic() - started
    start, _, result = result.partition(b"\n")
    added = usage.ru_maxrss * 1024 - int(start or 0)
    if timed_out:
        return Outcome("timeout", f"still running after {timeout:g} s", added, seconds,
                       output, output_size)  # fmt: skip
    if os.WIFSIGNALED(status):
        name = signal.Signals(os.WTERMSIG(status)).name
        return Outcome("signal", f"killed by {name}", added, seconds, output, output_size)
    if not result:
        code = os.WEXITSTATUS(status)
        return Outcome("exit", f"exited with {code} before reporting", added, seconds, output,
                       output_size)  # fmt: skip
    message = json.loads(result)
    return Outcome(message["kind"], message["detail"], added, seconds, output, output_size)


def assert_contained(outcome: Outcome, memory: int = GiB, max_output: int = 100_000) -> object:
    """The property every hostile input must keep in process: it returned or raised
    ReportError (one line), within `memory` of added resident memory, writing at most
    `max_output` bytes. What the child returned is a list of the problems it found in what
    it read, which must be empty, or a mapping with such a list as "problems"; it is
    returned (None for an error)."""
    assert outcome.kind in ("returned", "report-error"), str(outcome)
    assert outcome.added_rss < memory, str(outcome)
    assert outcome.output_size <= max_output, str(outcome)
    if outcome.kind == "report-error":  # one line, bounded (reporter's MAX_LINE is 8,000)
        assert "\n" not in outcome.detail and len(outcome.detail) <= 8_100, outcome.detail[:3000]
        return None
    value = json.loads(outcome.detail)
    problems = value["problems"] if isinstance(value, dict) else value
    assert problems == [], problems
    return value
