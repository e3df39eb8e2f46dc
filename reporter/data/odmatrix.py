"""Read a UN DESA origin-destination matrix of migrant stock as it is published.

The layout is DESA's "migrant stock by origin and destination" sheet saved as CSV: columns
`Year, Destination, Total` and then one column per country or area of origin; one row per
year and destination; `..` where there is no estimate. Destinations include aggregates
(WORLD, More developed regions, income groups, regions): a row is a country when its
destination is also one of the origin columns. The table ends at the first row whose Year and
Destination are both blank; what follows (blank rows, a spreadsheet's scratch cells) is not
data and is ignored. Every problem names the file and line.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from pathlib import Path

from reporter.content.yamlsource import read_text
from reporter.errors import Location, ReportError

HEADER = ("Year", "Destination", "Total")
NONE = ".."  # DESA's mark for "no estimate"


@dataclass
class Matrix:
    path: Path  # as shown in messages
    origins: list[str]  # the origin columns, in file order
    years: list[int]  # one per row
    destinations: list[str]  # one per row
    totals: object  # float ndarray, one per row (NaN for `..`)
    values: object  # float ndarray, rows x origins (NaN for `..`)
    text: str  # the file's text, to find a row's line only when an error needs it

    def line(self, row: int) -> int:
        """The file line of data row `row` (0-based), counting quoted line breaks."""
        reader = csv.reader(io.StringIO(self.text, newline=""))
        for index, _ in enumerate(reader):
            if index == row + 1:
                return reader.line_num
        return 0

    def at(self, row: int) -> Location:
        return Location(self.path, self.line(row))

    def is_country(self):
        """A boolean array: rows whose destination is a country (also an origin column)."""
        import numpy as np

        names = set(self.origins)
        return np.fromiter((d in names for d in self.destinations), bool, len(self.destinations))


def read_matrix(path: Path, shown: Path) -> Matrix:
    import numpy as np
    import pandas as pd

    text = read_text(path, shown)  # UTF-8, with or without a byte-order mark
    header = [h.strip() for h in next(csv.reader(io.StringIO(text, newline="")), [])]
    if tuple(header[:3]) != HEADER or len(header) < 4:
        raise ReportError(
            f"header starts {', '.join(header[:3])!r}, not {', '.join(HEADER)!r}",
            Location(shown, 1),
            "expected DESA's origin-destination layout: Year, Destination, Total, countries…",
        )
    for name in header:
        if header.count(name) > 1:
            raise ReportError(f"column {name!r} appears twice in the header", Location(shown, 1))
    options = dict(header=None, skiprows=1, keep_default_na=False, skip_blank_lines=False)
    try:  # first the two label columns, to find where the table ends
        labels = pd.read_csv(io.StringIO(text), usecols=[0, 1], dtype=str, **options).fillna("")
    except pd.errors.ParserError as exc:
        found = re.search(r"line (\d+)", str(exc))
        raise ReportError(
            f"a row does not fit the header's {len(header)} columns",
            Location(shown, int(found[1]) if found else 0),
            "check for an extra comma (quote cells that contain commas)",
        ) from None
    year_text = labels[0].str.strip().tolist()
    destinations = labels[1].str.strip().tolist()
    blank = [not y and not d for y, d in zip(year_text, destinations, strict=True)]
    end = blank.index(True) if True in blank else len(blank)
    matrix = Matrix(shown, header[3:], [], destinations[:end], None, None, text)
    if False in blank[end:]:
        raise ReportError(
            "a data row after the end of the table (its first blank row)",
            matrix.at(end + blank[end:].index(False)),
            "remove the blank rows inside the table",
        )
    for row, value in enumerate(year_text[:end]):
        if not value.isdigit():
            raise ReportError(f"Year {value!r} is not a year", matrix.at(row), "write e.g. 1990")
        if not destinations[row]:
            raise ReportError("row has no Destination", matrix.at(row))
    matrix.years = [int(y) for y in year_text[:end]]
    seen: dict[tuple[int, str], int] = {}
    for row, key in enumerate(zip(matrix.years, matrix.destinations, strict=True)):
        if key in seen:
            raise ReportError(
                f"{key[1]!r} in {key[0]} appears twice (first at line {matrix.line(seen[key])})",
                matrix.at(row),
            )
        seen[key] = row
    numeric = {i: np.float64 for i in range(2, len(header))}
    try:  # then the numbers, parsed in C: only `..` becomes NaN, anything else not a number fails
        numbers = pd.read_csv(
            io.StringIO(text),
            usecols=range(2, len(header)),
            nrows=end,
            dtype=numeric,
            na_values=[NONE],
            **options,
        ).to_numpy()
    except (ValueError, pd.errors.ParserError):
        numbers = None
    if numbers is None or (numbers < 0).any() or np.isinf(numbers).any():
        _raise_bad_cell(matrix, text, options, header, end)
    matrix.totals, matrix.values = numbers[:, 0], numbers[:, 1:]
    return matrix


def _raise_bad_cell(matrix: Matrix, text: str, options: dict, header: list[str], end: int):
    """The first cell that is not a count or `..` (only read when the fast path failed)."""
    import pandas as pd

    cells = pd.read_csv(io.StringIO(text), dtype=str, nrows=end, **options).fillna("")
    number = re.compile(r"\s*\d+(?:\.\d*)?(?:[eE][+-]?\d+)?\s*")
    for row, values in enumerate(cells.itertuples(index=False)):
        for col in range(2, len(header)):
            cell = values[col]
            if cell.strip() != NONE and not number.fullmatch(cell):
                raise ReportError(
                    f"column {header[col]!r} has {cell!r} where a number or '..' is expected",
                    matrix.at(row),
                    "write a count of persons without separators, or '..' for none",
                )
    raise ReportError("a cell is not a number", Location(matrix.path), "check the numbers")
