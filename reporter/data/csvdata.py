"""Read data/NAME.csv into a DataFrame; every problem names the file and line.

Data files are untrusted (docs/security.md): a file is read only if it is a regular file
inside the project (or inside the folder given with --data) and at most MAX_BYTES long, which
is checked before a byte is read; rows, columns, cells and the length of one record are
bounded while parsing, so memory stays bounded whatever the file holds.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterator
from pathlib import Path

from reporter.content.yamlsource import read_text, where
from reporter.errors import Location, ReportError

MAX_BYTES = 50_000_000  # one CSV file
MAX_ROWS = 1_000_000
MAX_COLUMNS = 1_000
MAX_CELLS = 2_000_000  # rows x columns
MAX_RECORD_CHARS = 1_000_000  # one record (a row, quoted line breaks included)
# Largest number in data: sums of a million of them still print exactly (tables round with
# Decimal at 28 digits); "inf", "nan" and "1e300" are refused.
MAX_NUMBER = 1e15

_NAME = re.compile(r"[A-Za-z0-9][\w.-]*")
_LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+")


def data_path(root: Path, name: str, data_dir: Path | None = None) -> Path:
    """data/NAME.csv. NAME is a plain file name: no folders, no '..', not absolute."""
    if not _NAME.fullmatch(name) or ".." in name:
        raise ReportError(
            f"data name {name!r} is not a file name in data/",
            where(name, Location(Path("content"))),
            "write the CSV file's name without folder or extension, e.g. data: values",
        )
    return (data_dir or root / "data") / f"{name}.csv"


def read_csv(path: Path, shown: Path):
    """A DataFrame of the CSV at `path`; numeric-looking columns become numbers.

    Columns are typed by their content: a column whose every cell is a number is numeric,
    anything else stays text (so a stray word in a numeric column is caught where it is used).
    """
    import pandas as pd  # slow to import: only when data is actually needed

    text = read_text(path, shown, limit=MAX_BYTES, what="CSV file")
    budget = _Budget(shown)
    reader = csv.reader(budget.lines(text))
    body, cells, start = [], 0, 1  # start: the line the record being read starts on
    try:
        header = next(reader, None)
        if not header or not any(header):
            raise ReportError(
                "CSV has no header row", Location(shown, 1), "first line: column names"
            )
        header = [h.strip() for h in header]
        if len(header) > MAX_COLUMNS:
            raise ReportError(
                f"{len(header):,} columns, more than the {MAX_COLUMNS:,} allowed",
                Location(shown, 1),
                "split the file",
            )
        seen: set[str] = set()
        for name in header:
            if name in seen:
                raise ReportError(
                    f"column {name!r} appears twice in the header", Location(shown, 1)
                )
            seen.add(name)
        while True:
            budget.record_read()
            number = start = reader.line_num + 1
            row = next(reader, None)
            if row is None:
                break
            if not any(cell.strip() for cell in row):
                continue  # blank lines are allowed
            if len(row) != len(header):
                raise ReportError(
                    f"{len(row)} cells where the header has {len(header)}",
                    Location(shown, number),
                    "check for a missing or extra comma (quote cells that contain commas)",
                )
            body.append((number, row))
            cells += len(row)
            if len(body) > MAX_ROWS or cells > MAX_CELLS:
                what = f"{MAX_ROWS:,} rows" if len(body) > MAX_ROWS else f"{MAX_CELLS:,} cells"
                raise ReportError(f"more than {what}", Location(shown, number), "split the file")
    except csv.Error as exc:
        raise ReportError(
            f"malformed CSV: {exc}", Location(shown, start), "check the quoting"
        ) from None
    frame = pd.DataFrame([row for _, row in body], columns=header, dtype="string")
    frame.attrs["lines"] = [n for n, _ in body]
    frame.attrs["path"] = shown
    for column in header:
        numbers = pd.to_numeric(frame[column], errors="coerce")
        if len(frame) and numbers.notna().all():
            frame[column] = _in_range(frame, column, numbers)
    return frame


def _in_range(frame, column: str, numbers):
    """The numbers, or an error at the first that is infinite or beyond MAX_NUMBER."""
    bad = ~(numbers.abs() <= MAX_NUMBER).to_numpy()  # NaN compares False: caught too
    if not bad.any():
        return numbers
    label = frame.index[bad.nonzero()[0][0]]
    raise ReportError(
        f"column {column!r} has {frame[column].loc[label]!r}: numbers must be finite and at "
        f"most {MAX_NUMBER:,.0f} in size",
        Location(frame.attrs["path"], frame.attrs["lines"][label]),
        "write the number in a larger unit, e.g. millions, or fix it",
    )


class _Budget:
    """Feeds the CSV reader one line at a time (the text is never copied whole) and refuses
    a record that runs longer than MAX_RECORD_CHARS before the reader has built it."""

    def __init__(self, shown: Path) -> None:
        self.shown, self.chars, self.line = shown, 0, 0

    def lines(self, text: str) -> Iterator[str]:
        for match in _LINE.finditer(text):
            self.line += 1
            self.chars += match.end() - match.start()
            if self.chars > MAX_RECORD_CHARS:
                raise ReportError(
                    f"a record longer than {MAX_RECORD_CHARS:,} characters",
                    Location(self.shown, self.line),
                    "check for an unclosed quote",
                )
            yield match[0]

    def record_read(self) -> None:
        self.chars = 0


def numeric_column(frame, column: str, used_at: Location):
    """The column as numbers, or an error at the first cell that is not one."""
    import pandas as pd

    require_columns(frame, [column], used_at)
    values = frame[column]
    if pd.api.types.is_numeric_dtype(values):
        return values
    numbers = pd.to_numeric(values, errors="coerce")
    bad = numbers.isna().to_numpy().nonzero()[0]
    if not len(bad):
        return _in_range(frame, column, numbers)
    label = frame.index[bad[0]]  # index labels are positions in the file's rows
    raise ReportError(
        f"column {column!r} has text {values.loc[label]!r} where a number is expected",
        Location(frame.attrs["path"], frame.attrs["lines"][label]),
        "write a number (no thousands separators or units)",
    )


def require_columns(frame, columns: list[str], used_at: Location) -> None:
    import difflib

    for column in columns:
        if column not in frame.columns:
            close = difflib.get_close_matches(column, list(frame.columns), n=1)
            hint = (
                f"did you mean {close[0]!r}?" if close else f"columns: {', '.join(frame.columns)}"
            )
            raise ReportError(f"{frame.attrs['path']} has no column {column!r}", used_at, hint)
