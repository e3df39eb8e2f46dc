"""What the served page is told, shared between the build loop and the server's threads.

`token` names the HTML being served: it changes only when a build gives different HTML, and
includes a per-process part, so a page from before a restart of `reporter watch` reloads too.
A failed build keeps the last good HTML and sets `error`; the next good build clears it.
"""

from __future__ import annotations

import secrets
import threading


class LiveState:
    def __init__(self) -> None:
        self._changed = threading.Condition()
        self._session = secrets.token_hex(4)
        self._builds = 0  # distinct good HTMLs so far
        self.version = 0  # bumped on every change, for the event streams waiting on it
        self.closed = False
        self.html: bytes | None = None  # the last good HTML, as on disk
        self.name = ""  # its file name in out/, e.g. A-67-254.html
        self.error: str | None = None  # the last build's error, None after a good build
        self.pdf = ""  # "", "building", "written", "failed", "cancelled"
        self.pdf_error: str | None = None

    @property
    def token(self) -> str:
        return f"{self._session}-{self._builds}"

    def good(self, html: bytes, name: str) -> bool:
        """A successful build; True if its HTML differs from the one served."""
        with self._changed:
            new = html != self.html or name != self.name
            if new:
                self.html, self.name = html, name
                self._builds += 1
            self.error = None
            self._bump()
            return new

    def failed(self, message: str) -> None:
        with self._changed:
            self.error = message
            self._bump()

    def set_pdf(self, status: str, error: str | None = None) -> None:
        with self._changed:
            self.pdf, self.pdf_error = status, error
            self._bump()

    def status(self) -> dict:
        """What the page's script receives."""
        with self._changed:
            return {
                "token": self.token,
                "error": self.error,
                "pdf": self.pdf,
                "pdf_error": self.pdf_error,
            }

    def page(self) -> tuple[bytes | None, str, str]:
        """(last good HTML or None, its file name, its token), read together."""
        with self._changed:
            return self.html, self.name, self.token

    def wait(self, version: int, timeout: float) -> int:
        """Block until the state is newer than `version`, closed, or `timeout` passes; return
        the current version."""
        with self._changed:
            self._changed.wait_for(lambda: self.version != version or self.closed, timeout)
            return self.version

    def close(self) -> None:
        """Release every waiting event stream (at shutdown)."""
        with self._changed:
            self.closed = True
            self._changed.notify_all()

    def _bump(self) -> None:
        self.version += 1
        self._changed.notify_all()
