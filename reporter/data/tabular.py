"""A dataset as the build uses it: a DataFrame, and where each of its rows was written.

Provenance is kept beside the frame, not in `DataFrame.attrs` (pandas deep-copies attrs on
most operations: a per-row list there made a 50 MB file cost seconds). Row labels are the
rows' positions in their source, so a filtered frame still finds its lines; the lines
themselves are computed only when an error needs one.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from reporter.content.yamlsource import MAX_NUMBER  # "inf", "nan" and "1e300" are refused
from reporter.errors import Location, ReportError, suggest

MAX_LISTED = 10  # bad cells reported one by one; the rest are counted
MAX_QUOTED = 80  # characters of a cell, a column or a sheet name quoted in a message
SHOWN_CELLS, SHOWN_WIDTH = 4, 30  # what a missing value's message shows of its record


class Origin:
    """Where the rows of a dataset were written: a file, and each row's line and columns.

    `lines` is called once, on the first error that needs a line: row label -> line.
    A query's result has one place for every row: the query (`line`)."""

    def __init__(
        self,
        path: Path,
        lines: Callable[[], Sequence[int]] | None = None,
        line: int = 0,
        columns: Sequence[str] = (),
    ) -> None:
        self.path, self._find, self._lines, self.line = path, lines, None, line
        self.columns = {name: i + 1 for i, name in enumerate(columns)}

    def at(self, label: int, column: str | None = None) -> Location:
        if self._find is None:
            return Location(self.path, self.line)
        if self._lines is None:
            self._lines = self._find()
        line = self._lines[label] if 0 <= label < len(self._lines) else 0
        return Location(self.path, line, self.columns.get(column, 0) if line else 0)


@dataclass
class Dataset:
    name: str
    frame: object  # a pandas DataFrame; index labels are row positions in the source
    origin: Origin

    def subset(self, frame) -> Dataset:
        """The same dataset cut down to some of its records (their lines are kept)."""
        return Dataset(self.name, frame, self.origin)


@dataclass(frozen=True)
class Missing:
    """No value: an empty data cell (or an NA marker), and whatever is computed from it.
    `reason` names the cell: "data/x.csv:8:4: South,North,2010: no value of persons"."""

    reason: str

    def __str__(self) -> str:
        return self.reason


def first_missing(data: Dataset, numbers, column: str, skip: bool = False) -> Missing | None:
    """What leaves an aggregate of `numbers` (`column` of `data`, as numeric_column gives it)
    without a value: the first record (by its place in the source) that has none; with `skip`
    (`missing: skip`), only when no record has one. None when the aggregate has a value."""
    empty = numbers.isna().to_numpy()
    if not empty.any() or (skip and not empty.all()):
        return None
    return missing_cell(data, min(data.frame.index[empty]), column)


def missing_cell(data: Dataset, label: int, column: str) -> Missing:
    """The cell of record `label` in `column`, which has no value: its file, line and column,
    and the record's first other cells (each cut short: a cell is never echoed whole)."""
    record = data.frame.loc[label]
    cells = [as_text(v) for name, v in record.items() if name != column and not is_na(v)]
    shown = [clipped(c, SHOWN_WIDTH) for c in cells]
    more = ",…" if len(shown) > SHOWN_CELLS else ""
    where = data.origin.at(label, column)
    return Missing(f"{where}: {','.join(shown[:SHOWN_CELLS])}{more}: no value of {column}")


def is_na(value: object) -> bool:
    """A cell with no value: None, NaN, or pandas' NA (which cannot be compared)."""
    return value is None or type(value).__name__ == "NAType" or value != value


def require_columns(data: Dataset, columns: Sequence[str], used_at: Location) -> None:
    """Every column named must exist; all missing ones are reported at once."""
    known = [str(c) for c in data.frame.columns]
    errors = [
        ReportError(
            f"{data.origin.path} has no column {column!r}",
            used_at,
            suggest(column, known) or f"columns: {', '.join(map(clipped, known))}",
        )
        for column in dict.fromkeys(columns)
        if column not in data.frame.columns
    ]
    raise_all(errors)


def numeric_column(data: Dataset, column: str, used_at: Location):
    """The column as numbers, or an error at every cell that is not one (the first
    MAX_LISTED, then a count). Missing cells (empty, or an NA marker) are NaN: no value,
    which `first_missing` names."""
    import pandas as pd

    require_columns(data, [column], used_at)
    values = data.frame[column]
    if pd.api.types.is_numeric_dtype(values) and not pd.api.types.is_bool_dtype(values):
        numbers = values
    else:
        numbers = pd.to_numeric(values, errors="coerce")
    bad = (numbers.isna() & values.notna()).to_numpy() | (numbers.abs() > MAX_NUMBER).to_numpy()
    if not bad.any():
        return numbers
    labels = data.frame.index[bad.nonzero()[0]]
    errors = [
        ReportError(
            f"column {column!r} has {_shown(values.loc[label])} where a number is expected "
            f"(used at {used_at})",
            data.origin.at(label, column),
            _hint(values.loc[label]),
        )
        for label in labels[:MAX_LISTED]
    ]
    if len(labels) > MAX_LISTED:
        errors.append(
            ReportError(
                f"column {column!r}: {len(labels) - MAX_LISTED:,} more cells that are not numbers",
                data.origin.at(labels[MAX_LISTED], column),
            )
        )
    raise_all(errors)


def check_numbers(data: Dataset) -> None:
    """Numbers in the data must be finite and at most MAX_NUMBER in size."""
    import pandas as pd

    errors = []
    for column in data.frame.columns:
        values = data.frame[column]
        if not pd.api.types.is_float_dtype(values) and not pd.api.types.is_integer_dtype(values):
            continue
        bad = (values.abs() > MAX_NUMBER).to_numpy() | values.isin([float("inf")]).to_numpy()
        for label in data.frame.index[bad.nonzero()[0]][:MAX_LISTED]:
            errors.append(
                ReportError(
                    f"column {column!r} has {values.loc[label]:g}: numbers must be finite and "
                    f"at most {MAX_NUMBER:,.0f} in size",
                    data.origin.at(label, column),
                    "write the number in a larger unit, e.g. millions, or fix it",
                )
            )
    raise_all(errors)


def whole_numbers(frame):
    """Float columns whose every value is whole (and none missing) as int64, so that a year
    reads "1990" whether a CSV, a workbook or a query gave it."""
    import pandas as pd

    for column in frame.columns:
        values = frame[column]
        floats = pd.api.types.is_float_dtype(values) and len(values) and values.notna().all()
        if floats and ((values % 1 == 0) & (values.abs() < 2**53)).all():
            frame[column] = values.astype("int64")
    return frame


def as_text(value: object) -> str:
    """A cell as text: a whole float as an integer ("1990", not "1990.0")."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def clipped(text: object, width: int = MAX_QUOTED) -> str:
    """Data quoted in a message, cut to `width` characters with an ellipsis: a message never
    echoes a cell (or a header, a sheet name…) whole, however long the file makes it."""
    text = text if isinstance(text, str) else str(text)
    return text if len(text) <= width else text[: width - 1] + "…"


def raise_all(errors: list[ReportError]) -> None:
    """Raise the first error, carrying the others (one run reports them all)."""
    if errors:
        first, *rest = errors
        first.others = [*first.others, *rest]
        raise first


def _shown(value: object) -> str:
    return repr(clipped(value) if isinstance(value, str) else f"{value:g}")


def _hint(value: object) -> str:
    if isinstance(value, str):
        return "write a number, or declare the file's NA markers and thousands separator"
    return "write the number in a larger unit, e.g. millions, or fix it"
