"""Interrupts that no library can swallow.

WeasyPrint draws SVG images inside `try: … except BaseException:` and so turns a Ctrl-C into a
missing chart and a normal return. While a build runs, SIGINT and SIGTERM are recorded here as
well as raised; the build checks the record after each stage (and before anything is cached or
published), so an interrupt always ends the build as interrupted.
"""

from __future__ import annotations

import signal
import threading
from types import FrameType


class Interrupted(KeyboardInterrupt):
    """The build was interrupted: SIGINT (exit 130) or SIGTERM (exit 143)."""

    def __init__(self, signum: int = signal.SIGINT) -> None:
        super().__init__()
        self.exit_code = 128 + signum


class InterruptGuard:
    """Record SIGINT and SIGTERM for the duration of a `with` block (main thread only: signal
    handlers can be set nowhere else, and elsewhere the caller owns the signals)."""

    SIGNALS = (signal.SIGINT, signal.SIGTERM)

    def __init__(self) -> None:
        self.received: int | None = None
        self.previous: dict[int, object] = {}

    def __enter__(self) -> InterruptGuard:
        if threading.current_thread() is threading.main_thread():
            for signum in self.SIGNALS:
                self.previous[signum] = signal.signal(signum, self._handler)
        return self

    def __exit__(self, *exc: object) -> None:
        for signum, handler in self.previous.items():
            signal.signal(signum, handler)

    def _handler(self, signum: int, frame: FrameType | None) -> None:
        self.received = signum
        raise Interrupted(signum)

    def check(self) -> None:
        """Raise if a signal came, even if whoever was running swallowed it."""
        if self.received is not None:
            raise Interrupted(self.received)
