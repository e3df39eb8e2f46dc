"""Read a data file as it is published: CSV, or a sheet of an .xlsx workbook.

Published files have title rows above the header, headers over several rows, NA markers
("..") and thousands separators, notes below the table. `ReadOptions` says where the header
is, what means "no value", and where the table ends; nothing is converted by hand first.

Columns are typed by their content: a column whose every cell is a number or missing is
numeric (integers stay integers when no cell is missing); anything else is text, so a stray
word in a numeric column is caught, with its line, where a number is needed.

Data files are untrusted (docs/security.md): a file is read only if it is a regular file
inside the project and at most MAX_BYTES long, checked before a byte is read; rows, columns
and cells are bounded before they are built. A workbook is checked by workbooks.py before
calamine reads it (a zip bomb, a sheet whose last cell is XFD1048576). A cell, a header or a
sheet name is quoted in a message cut to MAX_QUOTED characters (`clipped`), never whole.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from reporter.data.tabular import (
    MAX_LISTED,
    Dataset,
    Origin,
    as_text,
    check_numbers,
    clipped,
    raise_all,
    whole_numbers,
)
from reporter.data.workbooks import check_workbook
from reporter.errors import Location, ReportError, suggest
from reporter.files import read_bytes

MAX_BYTES = 50_000_000  # one data file
MAX_ROWS = 1_000_000
MAX_COLUMNS = 1_000
MAX_CELLS = 20_000_000  # rows x columns
MAX_RECORD_CHARS = 1_000_000  # one CSV record (quoted line breaks included)

_LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+")
_BLANK_RECORD = re.compile(rb"^[ \t,]*\r?$", re.M)
ZIP_MAGIC = b"PK\x03\x04"


@dataclass(frozen=True)
class ReadOptions:
    header: tuple[int, ...] = (1,)  # the header's rows (1-based); data start below the last
    na: tuple[str, ...] = ()  # cell texts that mean "no value", besides an empty cell
    thousands: str | None = None
    decimal: str = "."
    encoding: str = "utf-8"
    end: str | None = None  # "blank-row": the table ends at its first blank row
    sheet: str | None = None  # xlsx only


def read_file(name: str, path: Path, shown: Path, options: ReadOptions) -> Dataset:
    """The table in the file at `path` (`shown` in messages), as a Dataset called `name`."""
    raw = read_bytes(path, shown, MAX_BYTES, "data file")
    is_workbook = raw.startswith(ZIP_MAGIC)
    if path.suffix.lower() in (".xlsx", ".xlsm") or is_workbook:
        if not is_workbook:
            raise ReportError(
                "not an .xlsx workbook (no zip header)", Location(shown), "save it as .xlsx"
            )
        if options.sheet is None:
            raise ReportError(
                "an .xlsx workbook: give the sheet to read",
                Location(shown),
                "declare it in datasets.yaml with file: and sheet: "
                f"(sheets: {_sheets(raw, shown)})",
            )
        return read_xlsx(name, raw, shown, options)
    if path.suffix.lower() == ".xls" or raw.startswith(b"\xd0\xcf\x11\xe0"):
        raise ReportError(
            "an .xls workbook (Excel 97-2003) cannot be read",
            Location(shown),
            "save it as .xlsx (or CSV) and keep the original next to it",
        )
    if options.sheet is not None:
        raise ReportError("sheet: is for .xlsx workbooks; this is a CSV file", Location(shown))
    return read_csv(name, raw, shown, options)


def read_csv(name: str, raw: bytes, shown: Path, options: ReadOptions) -> Dataset:
    """The body is handed to pandas as bytes: decoding the whole file into Python text first
    would double the memory a large file costs."""
    import pandas as pd

    codec = _codec(options.encoding, shown)
    header_rows, body_start, body_line = _csv_header(raw, codec, shown, options.header)
    names = header_names(header_rows, Location(shown, options.header[-1]))
    body = raw[body_start:]
    if options.end == "blank-row":
        body = body[: _first_blank_record(body)]
    rows = body.count(b"\n") + 1
    _bound(rows, len(names), Location(shown, body_line))
    origin = Origin(shown, lambda: _record_lines(body.decode(codec), body_line), 0, names)
    try:
        frame = _parse_body(body, codec, len(names), options)
    except pd.errors.ParserWarning:  # pandas only warns when the first row is too long
        raise _too_many(shown, body_line, len(names)) from None
    except pd.errors.ParserError as exc:
        raise _parser_error(exc, shown, body_line, len(names)) from None
    except UnicodeDecodeError:
        raise _decode_error(body, codec, shown, options.encoding, body_line) from None
    except ValueError as exc:  # e.g. the same character as thousands and decimal separator
        raise ReportError(f"cannot read the CSV: {exc}", Location(shown)) from None
    spare = frame.pop(len(names))  # a cell beyond the header's columns
    if spare.notna().any():
        raise_all(
            [
                _too_many(shown, origin.at(r).line, len(names))
                for r in spare.dropna().index[:MAX_LISTED]
            ]
        )
    frame = _typed(_drop_blank(frame, names))
    data = Dataset(name, frame, origin)
    check_numbers(data)
    return data


def _too_many(shown: Path, line: int, width: int) -> ReportError:
    return ReportError(
        f"more cells than the header's {width}",
        Location(shown, line),
        "check for an extra comma (quote cells that contain commas)",
    )


def _parse_body(body: bytes, codec: str, width: int, options: ReadOptions):
    import pandas as pd

    if not body.strip():
        return pd.DataFrame(columns=range(width + 1), dtype=object)
    with warnings.catch_warnings():
        warnings.simplefilter("error", pd.errors.ParserWarning)
        return pd.read_csv(
            io.BytesIO(body),
            encoding=codec,
            header=None,
            names=list(range(width + 1)),  # a spare column: a row too long shows in it
            index_col=False,
            keep_default_na=False,
            na_values=["", *options.na],
            thousands=options.thousands,
            decimal=options.decimal,
            skip_blank_lines=False,
            low_memory=False,
        )


def read_xlsx(name: str, raw: bytes, shown: Path, options: ReadOptions) -> Dataset:
    import pandas as pd

    at = Path(f"{shown}[{options.sheet}]")  # messages: data/x.xlsx[Table 1]:14:6
    bounds = check_workbook(raw, shown, options.sheet)  # before calamine reads a byte
    if bounds is not None:  # (the sheet exists: calamine says so below otherwise)
        _bound(bounds.rows, bounds.columns, Location(at))
    sheet = _sheet(raw, shown, options.sheet)
    height, width = sheet.total_height, sheet.total_width
    _bound(height, width, Location(at))
    grid = sheet.to_python(skip_empty_area=False)
    last = options.header[-1]
    if len(grid) < last:
        raise ReportError(
            f"header row {last}, but the sheet has {len(grid)} rows", Location(at), "fix header:"
        )
    names = header_names([grid[r - 1] for r in options.header], Location(at, last))
    body = grid[last:]
    if options.end == "blank-row":
        blank = [i for i, row in enumerate(body) if all(_missing(c, ()) for c in row)]
        body = body[: blank[0]] if blank else body
    width = len(names)
    cells = [[_cell(row[i] if i < len(row) else "", options) for i in range(width)] for row in body]
    frame = pd.DataFrame(cells, columns=range(width), dtype=object)
    frame = _typed(_drop_blank(frame, names))
    data = Dataset(name, frame, Origin(at, lambda: range(last + 1, last + 1 + len(body)), 0, names))
    check_numbers(data)
    return data


def header_names(rows: list[list[object]], at: Location) -> list[str]:
    """Column names from one or more header rows: a name over several columns (a merged cell)
    carries on to the right over blank cells, and the rows' texts are joined with spaces."""
    width = max((len(r) for r in rows), default=0)
    while width and all(_blank(r[width - 1]) for r in rows if len(r) >= width):
        width -= 1  # trailing blank columns
    parts: list[list[str]] = [[] for _ in range(width)]
    for depth, row in enumerate(rows):
        carried = ""
        for i in range(width):
            cell = _label(row[i]) if i < len(row) else ""
            if depth < len(rows) - 1:  # upper rows: merged cells span to the right
                carried = cell = cell or carried
            if cell:
                parts[i].append(cell)
    names = [" ".join(p) or f"column_{i + 1}" for i, p in enumerate(parts)]
    errors, seen = [], {}
    for i, n in enumerate(names):
        if n in seen:
            errors.append(
                ReportError(
                    f"column name {clipped(n)!r} appears twice in the header "
                    f"(columns {seen[n]} and {i + 1})",
                    at,
                    "give the header rows that tell them apart (header: [first, last])",
                )
            )
        seen.setdefault(n, i + 1)
    raise_all(errors)
    if len(names) > MAX_COLUMNS:
        raise ReportError(
            f"{len(names):,} columns, more than the {MAX_COLUMNS:,} allowed", at, "split the file"
        )
    return names


def _codec(encoding: str, shown: Path) -> str:
    """The Python codec for a declared encoding; UTF-8 is read with or without a BOM."""
    try:
        name = codecs.lookup(encoding).name
    except LookupError:
        raise ReportError(f"unknown encoding {encoding!r}", Location(shown)) from None
    return "utf-8-sig" if name == "utf-8" else name


def _decode_error(
    raw: bytes, codec: str, shown: Path, encoding: str, first_line: int = 1
) -> ReportError:
    """Where `raw` stops being `codec` (only called once decoding has failed)."""
    try:
        raw.decode(codec)
        start = 0
    except UnicodeDecodeError as exc:
        start = exc.start
    utf8 = codec == "utf-8-sig"
    return ReportError(
        f"not {'UTF-8' if utf8 else encoding} (byte 0x{raw[start]:02x})",
        Location(shown, first_line + raw[:start].count(b"\n")),
        "declare the file's encoding in datasets.yaml (e.g. encoding: latin-1), or save it "
        "as UTF-8",
    )


def _lines(text: str, shown: Path) -> Iterator[str]:
    """The text's lines, refusing a record that runs on (an unclosed quote) past the limit."""
    inside, chars = False, 0  # inside a quoted cell: the record goes on
    for number, match in enumerate(_LINE.finditer(text), 1):
        chars = chars + len(match[0]) if inside else len(match[0])
        inside ^= match[0].count('"') % 2 == 1
        if chars > MAX_RECORD_CHARS:
            raise ReportError(
                f"a record longer than {MAX_RECORD_CHARS:,} characters",
                Location(shown, number),
                "check for an unclosed quote",
            )
        yield match[0]


def _csv_header(
    raw: bytes, codec: str, shown: Path, header: tuple[int, ...]
) -> tuple[list, int, int]:
    """(the header rows, the byte where the body starts, the body's first line). Only the
    head of the file is decoded: twice as much again until it holds the header's records."""
    size = 1 << 16
    while True:
        head = raw[:size]
        complete = size >= len(raw)
        if not complete:
            head = head[: head.rfind(b"\n") + 1]  # whole lines: no character cut in two
        try:
            text = head.decode(codec)
        except UnicodeDecodeError:
            raise _decode_error(raw, codec, shown, codec) from None
        rows, consumed, body_line = _header_records(text, shown, header, complete)
        if rows is not None:
            bom = 3 if codec == "utf-8-sig" and raw.startswith(codecs.BOM_UTF8) else 0
            plain = "utf-8" if codec == "utf-8-sig" else codec
            return rows, bom + len(text[:consumed].encode(plain)), body_line
        size *= 2


def _header_records(text: str, shown: Path, header: tuple[int, ...], complete: bool):
    """Like _csv_header, on decoded text; (None, 0, 0) when the header may run on past the
    end of `text` and more of the file is left to decode."""
    consumed = 0

    def counted() -> Iterator[str]:
        nonlocal consumed
        for line in _lines(text, shown):
            consumed += len(line)
            yield line

    reader = csv.reader(counted())
    rows = []
    try:
        for number in range(1, header[-1] + 1):
            row = next(reader, None)
            if row is None and not complete:
                return None, 0, 0
            if row is None:
                raise ReportError(
                    f"the header is on row {header[-1]}, but the file has {number - 1} rows",
                    Location(shown, max(number - 1, 1)),
                    "fix header: in datasets.yaml" if header != (1,) else "add a header row",
                )
            if number in header:
                rows.append(row)
    except csv.Error as exc:
        raise ReportError(
            f"malformed CSV: {exc}", Location(shown, reader.line_num), "check the quoting"
        ) from None
    if consumed == len(text) and not complete:
        return None, 0, 0  # the last header record may go on in the next part of the file
    if not any(any(c.strip() for c in r) for r in rows):
        raise ReportError(
            "the header row is blank", Location(shown, header[0]), "first line: column names"
        )
    return rows, consumed, reader.line_num + 1


def _first_blank_record(body: bytes) -> int:
    """Where the first record made of nothing but commas and spaces starts (a line inside a
    quoted cell is not one: the quotes before it are balanced)."""
    quotes, counted = 0, 0  # the quotes before `counted`, counted once: linear in the body
    for match in _BLANK_RECORD.finditer(body):
        quotes += body.count(b'"', counted, match.start())
        counted = match.start()
        if quotes % 2 == 0 and (
            match.start() == 0 or body[match.start() - 1 : match.start()] in (b"\r", b"\n")
        ):
            return match.start()
    return len(body)


def _record_lines(body: str, first_line: int) -> list[int]:
    """The line each record of `body` starts on (read with the csv module, which splits
    records as pandas does; its cell size limit is lifted for the call and put back)."""
    starts, line = [], first_line
    limit = csv.field_size_limit(MAX_BYTES)
    try:
        reader = csv.reader(io.StringIO(body, newline=""))
        for _ in reader:
            starts.append(line)
            line = first_line + reader.line_num
    except csv.Error:
        pass  # pandas read it: lines after this point are unknown (0)
    finally:
        csv.field_size_limit(limit)
    return starts


def _bound(rows: int, columns: int, at: Location) -> None:
    if rows > MAX_ROWS or rows * columns > MAX_CELLS:
        what = f"{MAX_ROWS:,} rows" if rows > MAX_ROWS else f"{MAX_CELLS:,} cells"
        raise ReportError(f"more than {what}", at, "split the file")


def _parser_error(exc: Exception, shown: Path, first_line: int, width: int) -> ReportError:
    found = re.search(r"line (\d+), saw (\d+)", str(exc))
    if found:  # pandas counts lines from the body's first, which is `first_line`
        return _too_many(shown, first_line + int(found[1]) - 1, width)
    found = re.search(r"row (\d+)", str(exc))
    line = first_line + int(found[1]) if found else 0
    return ReportError(f"malformed CSV: {exc}", Location(shown, line), "check the quoting")


def _drop_blank(frame, names: list[str]):
    """Without blank rows, and without columns that have neither a name nor a value."""
    blank = frame.isna().all(axis=1).to_numpy()
    frame = frame[~blank] if blank.any() else frame
    frame.columns = names
    unnamed = [n for n in names if n.startswith("column_") and frame[n].isna().all()]
    return frame.drop(columns=unnamed) if unnamed else frame


def _typed(frame):
    """Numeric columns as numbers (int64 when whole and complete), the rest as text."""
    import pandas as pd

    for column in frame.columns:
        values = frame[column]
        if values.dtype == object:
            try:
                numbers = pd.to_numeric(values, errors="coerce")
            except (OverflowError, ValueError):  # a number no float holds (400 digits): text
                numbers = pd.Series(float("nan"), index=values.index)
            if len(values) and (numbers.notna() == values.notna()).all() and values.notna().any():
                values = numbers
            else:
                values = values.map(as_text, na_action="ignore").astype("string")
        frame[column] = values
    return whole_numbers(frame)


def _label(value: object) -> str:
    return " ".join(as_text(value).split()) if not _blank(value) else ""


def _blank(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _missing(value: object, na: tuple[str, ...]) -> bool:
    return _blank(value) or (isinstance(value, str) and value.strip() in na)


def _cell(value: object, options: ReadOptions) -> object:
    """An xlsx cell as a number, a text, or None (missing)."""
    if type(value) is float:  # most cells: as below, without the questions
        return value
    if _missing(value, options.na):
        return None
    if isinstance(value, bool):
        return str(value).upper()
    if isinstance(value, (int, float)):
        return float(value)
    if isinstance(value, str):
        text = value.strip()
        number = text.replace(options.thousands, "") if options.thousands else text
        number = number.replace(options.decimal, ".") if options.decimal != "." else number
        try:
            return float(number)
        except ValueError:
            return text
    return value.isoformat() if hasattr(value, "isoformat") else str(value)


def _workbook(raw: bytes, shown: Path):
    from python_calamine import CalamineWorkbook

    try:
        return CalamineWorkbook.from_filelike(io.BytesIO(raw))
    except Exception as exc:  # calamine raises its own types for damaged workbooks
        raise ReportError(f"cannot read the workbook: {clipped(exc)}", Location(shown)) from None


def _sheets(raw: bytes, shown: Path) -> str:
    try:
        from python_calamine import CalamineWorkbook

        check_workbook(raw, shown, None)  # what calamine reads to list them: bounded first
        return ", ".join(
            repr(clipped(s)) for s in CalamineWorkbook.from_filelike(io.BytesIO(raw)).sheet_names
        )
    except Exception:
        return "unreadable"


def _sheet(raw: bytes, shown: Path, name: str):
    book = _workbook(raw, shown)
    if name not in book.sheet_names:
        raise ReportError(
            f"the workbook has no sheet {name!r}",
            Location(shown),
            suggest(name, book.sheet_names)
            or f"sheets: {', '.join(map(clipped, book.sheet_names))}",
        )
    try:
        return book.get_sheet_by_name(name)
    except Exception as exc:
        raise ReportError(f"cannot read sheet {name!r}: {clipped(exc)}", Location(shown)) from None
