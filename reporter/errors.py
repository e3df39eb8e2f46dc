"""The one exception type users see: what is wrong, where (file:line:col), and what to do."""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

# What a message may not print as it is: C0 controls (a newline would start a line of its own,
# which a CI log reads as a command, "::error …"), DEL, C1 controls, the bidi controls that
# reorder what a reader sees (U+202E shows "exe.txt" as "txt.exe") and the line separators.
_BEYOND_ASCII = "\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069"
UNPRINTABLE = re.compile(f"[\x00-\x1f{_BEYOND_ASCII}]")
UNPRINTABLE_BEYOND_ASCII = re.compile(f"[{_BEYOND_ASCII}]")  # for JSON, which escapes the C0
_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}
MAX_SHOWN = 2_000  # characters of one part of a message: a path, the message, the hint
MAX_LINE = 4 * MAX_SHOWN  # a whole line: never cuts one made of parts cut to MAX_SHOWN


def printable(text: object, limit: int = MAX_SHOWN) -> str:
    """`text` safe to print on one line of a terminal or a CI log: control and bidi
    characters as escapes (a newline as \\n, U+202E as \\u202e; all other text, Arabic or
    Chinese or accented, as it is), and at most `limit` characters, however long `text` is
    (the end cut, saying how long it was). Applying it again changes nothing."""
    text = str(text)
    if len(text) <= limit:
        shown = UNPRINTABLE.sub(_escape, text)
        if len(shown) <= limit:
            return shown
    marker = f"… [{len(text):,} characters in all]"
    budget, out, size = limit - len(marker), [], 0
    for char in text[:budget]:  # whole escapes only: never half of "\\u202e"
        piece = _escape(char) if UNPRINTABLE.match(char) else char
        if size + len(piece) > budget:
            break
        out.append(piece)
        size += len(piece)
    return "".join(out) + marker


def _escape(char: re.Match | str) -> str:
    char = char if isinstance(char, str) else char[0]
    if char in _NAMED:
        return _NAMED[char]
    return f"\\x{ord(char):02x}" if ord(char) < 0x100 else f"\\u{ord(char):04x}"


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
        """file:line:col: message (hint), on one line whatever the parts hold: each is
        printable() (escaped, and cut so that the place and the hint always show)."""
        text = printable(self.message)
        if self.where:
            text = f"{printable(self.where)}: {text}"
        return f"{text} ({printable(self.hint)})" if self.hint else text


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
