"""Read data/NAME.csv into a DataFrame; every problem names the file and line."""

from __future__ import annotations

import csv
import io
from pathlib import Path

from reporter.content.yamlsource import read_text
from reporter.errors import Location, ReportError

MAX_ROWS = 1_000_000


def data_path(root: Path, name: str, data_dir: Path | None = None) -> Path:
    return (data_dir or root / "data") / f"{name}.csv"


def read_csv(path: Path, shown: Path):
    """A DataFrame of the CSV at `path`; numeric-looking columns become numbers.

    Columns are typed by their content: a column whose every cell is a number is numeric,
    anything else stays text (so a stray word in a numeric column is caught where it is used).
    """
    import pandas as pd  # slow to import: only when data is actually needed

    text = read_text(path, shown)
    rows = list(csv.reader(io.StringIO(text, newline="")))
    if not rows or not any(rows[0]):
        raise ReportError("CSV has no header row", Location(shown, 1), "first line: column names")
    header = [h.strip() for h in rows[0]]
    if len(set(header)) != len(header):
        dup = next(h for h in header if header.count(h) > 1)
        raise ReportError(f"column {dup!r} appears twice in the header", Location(shown, 1))
    body = []
    for number, row in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in row):
            continue  # blank lines are allowed
        if len(row) != len(header):
            raise ReportError(
                f"{len(row)} cells where the header has {len(header)}",
                Location(shown, number),
                "check for a missing or extra comma (quote cells that contain commas)",
            )
        body.append((number, row))
        if len(body) > MAX_ROWS:
            raise ReportError(
                f"more than {MAX_ROWS:,} rows", Location(shown, number), "split the file"
            )
    frame = pd.DataFrame([row for _, row in body], columns=header, dtype="string")
    frame.attrs["lines"] = [n for n, _ in body]
    frame.attrs["path"] = shown
    for column in header:
        numbers = pd.to_numeric(frame[column], errors="coerce")
        if len(frame) and numbers.notna().all():
            frame[column] = numbers
    return frame


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
        return numbers
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
