"""The one exception type users see: what is wrong, where (file:line:col), and what to do."""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Location:
    path: Path
    line: int = 0  # 1-based; 0 when unknown
    column: int = 0

    def __str__(self) -> str:
        text = str(self.path)
        if self.line:
            text += f":{self.line}"
            if self.column:
                text += f":{self.column}"
        return text


def suggest(name: str, known: Iterable[str]) -> str:
    """The "did you mean …?" hint for a misspelt name, or "" when nothing is close."""
    close = difflib.get_close_matches(name, list(known), n=1)
    return f"did you mean {close[0]!r}?" if close else ""


class ReportError(Exception):
    """An error in the user's project, reported as one line with no traceback."""

    def __init__(self, message: str, where: Location | None = None, hint: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.where = where
        self.hint = hint
        self.others: list[ReportError] = []  # more errors found in the same run

    def __str__(self) -> str:
        text = f"{self.where}: {self.message}" if self.where else self.message
        return f"{text} ({self.hint})" if self.hint else text


class UsageError(ReportError):
    """The command was called wrongly (exit code 2), as opposed to a project error (1)."""


class Collector:
    """Gathers the errors of independent pieces (files, blocks) so that one run reports them
    all; `done()` raises the first, carrying the others."""

    def __init__(self) -> None:
        self.errors: list[ReportError] = []

    @contextmanager
    def each(self):
        try:
            yield
        except UsageError:
            raise
        except ReportError as exc:
            seen = {str(e) for e in self.errors}  # a shared input can fail for several users
            self.errors += [e for e in (exc, *exc.others) if str(e) not in seen]
            exc.others = []

    def done(self) -> None:
        if self.errors:
            first, *rest = self.errors
            first.others = rest
            raise first
