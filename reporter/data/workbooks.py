"""An .xlsx workbook, bounded before calamine reads a byte of it.

calamine builds a sheet as one dense block from A1 to the last cell that holds a value, and
aborts the process when it cannot allocate it (a 1.6 KB file with values in A1 and
XFD1048576 asks for 512 GiB); it reads the shared texts whole when it opens a workbook, and
copies a shared text into every cell that shows it. None of this can be caught once it runs,
so the zip archive is checked first, in bounded memory and without trusting what it says
about itself:

- every part calamine reads for the sheet (the sheet, the shared texts, and what it reads
  when it opens a workbook: the files at the top of xl/, the relationships, the pictures) is
  decompressed as a stream and counted to its real end, whatever size the archive declares:
  at most MAX_UNZIPPED bytes in all, and at most MAX_RATIO times its compressed size for a
  part over RATIO_FLOOR bytes (a zip bomb). Only stored and deflated parts are read.
- the sheet's XML is scanned for its cells as calamine finds them: each <c> that may hold a
  value, at its `r` reference, or where calamine puts it when it has none (after the cell
  before it in its row, the rows counted by <row r> and </row>). From A1 to the last of them
  and their number: each at most MAX_SHEET_CELLS. The sheet's declared <dimension> is not
  trusted: calamine sizes the block by the cells (it only reserves room by the dimension,
  and not over 100,000 cells), so a wrong one proves nothing either way.
- the text of the sheet's cells is at most MAX_SHEET_TEXT bytes, a shared text counted once
  for every cell that shows it.

The scan reads tags with regular expressions, and calamine's XML reader is more lenient;
wherever the two could disagree (a cell tag that is not well-formed, a shared text inside
another, cells without references next to comments or odd nesting), the workbook is refused.
Everything the scan counts is at least what calamine will build.
"""

from __future__ import annotations

import copy
import io
import re
import zipfile
from array import array
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from reporter.data.tabular import clipped
from reporter.errors import Location, ReportError

MAX_UNZIPPED = 250_000_000  # bytes of the parts read for a sheet, decompressed, in all
MAX_RATIO, RATIO_FLOOR = 100, 1_000_000  # decompressed / compressed, for a part over the floor
MAX_PARTS = 10_000  # files in the archive (and sheets, relationships)
MAX_SHEET_CELLS = 5_000_000  # rows x columns from A1 to the last cell; cells with a value
MAX_SHEET_TEXT = 100_000_000  # bytes of text in a sheet's cells, a shared one once per cell
EXCEL_ROWS, EXCEL_COLUMNS = 1_048_576, 16_384  # A1:XFD1048576, a sheet's largest
MAX_TAG = 1_000_000  # bytes of one tag (its attributes)
EXACT_TEXT = 50_000_000  # bytes of a sheet counted as text whole, before its text is measured
_CHUNK = 1 << 20
_SHEET_FOLDERS = ("worksheets", "chartsheets", "dialogsheets", "macrosheets")
_HINT = "open it in a spreadsheet program and save it again, or save the sheet as CSV"

_PREFIX = rb"(?:[^\s<>/:!?=\"']*:)?"  # calamine matches local names, whatever the prefix
_ATTRS = rb"((?:\s+[^\s<>/=\"']+\s*=\s*(?:\"[^\"<]*\"|'[^'<]*'))*)"  # no '<' in a value
_TAG = re.compile(rb"<(/?)" + _PREFIX + rb"(c|row)(?=[\s/>])" + _ATTRS + rb"\s*(/?)>")
_TAG_START = re.compile(rb"<" + _PREFIX + rb"(?:c|row)(?=[\s/>])")
_TAG_END = re.compile(rb"<[^<>\"']*(?:(?:\"[^\"<]*\"|'[^'<]*')[^<>\"']*)*>")
_ATTR = re.compile(rb"([^\s=]+)\s*=\s*(?:\"([^\"]*)\"|'([^']*)')")
_SHARED = re.compile(  # <v>12</v></c>: all a cell that shows shared text 12 holds
    rb"\s*<" + _PREFIX + rb"v\s*>\s*([0-9]{1,10})\s*</" + _PREFIX + rb"v\s*>\s*</" + _PREFIX
    + rb"c\s*>"
)  # fmt: skip
_TEXT = re.compile(rb">[^<]+")  # a run of text after a tag (spaces too: a bound)
# The fast scan's cells, written as Excel and the libraries write them: <c r="B12" s="3">,
# `r` first, one space before each attribute, double quotes, no '<' or '>' in a value.
_PLAIN_ATTRS = rb"(?: (?!r=)[A-Za-z0-9:_.-]+=\"[^\"<>]*\")*"
_PLAIN_ROWS = re.compile(rb"<c r=\"[A-Z]{1,3}([0-9]{1,7})\"" + _PLAIN_ATTRS + rb">")  # not <c/>
_PLAIN_COLUMNS = re.compile(rb"<c r=\"([A-Z]{1,3})[0-9]{1,7}\"" + _PLAIN_ATTRS + rb">")
_PLAIN_EMPTY = re.compile(rb"<c r=\"[A-Z]{1,3}[0-9]{1,7}\"" + _PLAIN_ATTRS + rb"/>")
_PLAIN_SHARED = re.compile(  # one showing shared text 12: <v>12</v></c> and nothing else
    rb"<c r=\"[A-Z]{1,3}[0-9]{1,7}\"" + _PLAIN_ATTRS + rb" t=\"s\"" + _PLAIN_ATTRS
    + rb"><v>([0-9]{1,10})</v></c>"
)  # fmt: skip
_CELL_STARTS = (b"<c ", b"<c>", b"<c/", b"<c\t", b"<c\n", b"<c\r")
_PREFIXED_CELL = re.compile(rb":c[\s/>]")
_MARKUP = re.compile(rb"<[!?]")  # comments, CDATA, processing instructions
_SI = re.compile(rb"<(/?)(" + _PREFIX + rb"si)(?=[\s/>])" + _ATTRS + rb"\s*(/?)>")
_SI_START = re.compile(rb"<" + _PREFIX + rb"si(?=[\s/>])")
_CELL_REF = re.compile(rb"([A-Za-z]{1,3})([0-9]{1,7})")
_ROW_REF = re.compile(rb"[A-Za-z]{0,3}([0-9]{1,7})")


@dataclass
class Bounds:
    """The most calamine will build of a sheet: rows and columns from A1, cells, text."""

    rows: int = 0
    columns: int = 0
    cells: int = 0
    text: int = 0  # bytes


def check_workbook(raw: bytes, shown: Path, sheet: str | None) -> Bounds | None:
    """Refuse a workbook (`raw`, `shown` in messages) that calamine could not open, or build
    its sheet `sheet` of, in bounded memory: one located error line, before calamine runs.
    The bounds of the sheet; with `sheet` None, only what opening the workbook reads is
    checked (to list its sheets)."""
    at = Location(shown)
    if raw.count(b"PK\x01\x02") > MAX_PARTS:  # before zipfile lists them (a file each)
        raise ReportError(f"a workbook of more than {MAX_PARTS:,} files", at, _HINT)
    try:
        archive = zipfile.ZipFile(io.BytesIO(raw))  # shares `raw`, copies nothing
        parts = archive.infolist()
    except Exception as exc:  # zipfile raises several types for a damaged archive
        raise ReportError(f"cannot read the workbook: {clipped(exc)}", at, _HINT) from None
    layout = _layout(archive, parts, sheet, at)
    read_by_calamine = [
        p for p in parts if p in layout.targets or p in layout.strings or _opened(p.filename)
    ]
    for part in read_by_calamine:  # what the archive declares first: refused unopened
        _check_size(part, part.file_size, at)
    if len(layout.strings) > 1:
        raise ReportError("cannot read the workbook: two tables of shared texts", at, _HINT)
    total = 0

    def read(part: zipfile.ZipInfo, reader: _Strings | _SheetScan | None = None) -> None:
        nonlocal total
        for chunk in _stream(archive, part, MAX_UNZIPPED - total, at):
            total += len(chunk)
            if reader is not None:
                reader.feed(chunk)
        if reader is not None:
            reader.feed(b"", last=True)

    strings = _Strings(shown)
    for part in layout.strings:  # first: a cell's text may be a shared one
        read(part, strings)
    for part in read_by_calamine:
        if part not in layout.targets and part not in layout.strings:
            read(part)  # counted: calamine reads it (styles, pictures) when it opens the book
    found = Bounds()
    for part in layout.targets:  # one, unless the layout could not be followed
        before, scan = total, _SheetScan(strings, shown)
        try:
            read(part, scan)
        except _Unusual:  # cells without references, say: read it again, tag by tag
            total, scan = before, _SheetScan(strings, shown, fast=False)
            read(part, scan)
        found.rows, found.columns = max(found.rows, scan.rows), max(found.columns, scan.columns)
        found.cells += scan.cells
        found.text += scan.text
    if sheet is None:
        return None
    _check_bounds(found, Location(Path(f"{shown}[{sheet}]")))
    return found


def _check_bounds(found: Bounds, where: Location) -> None:
    """A sheet within the cells and the text calamine may build."""
    if found.rows * found.columns > MAX_SHEET_CELLS or found.cells > MAX_SHEET_CELLS:
        last = f"{_column_name(found.columns)}{found.rows}"
        raise ReportError(
            f"a sheet of more than {MAX_SHEET_CELLS:,} cells: values from A1 to {last} "
            f"({found.rows:,} rows x {found.columns:,} columns, {found.cells:,} cells)",
            where,
            "delete what lies beyond the table (or far below it), or split the sheet",
        )
    if found.text > MAX_SHEET_TEXT:
        raise ReportError(
            f"the sheet's cells hold more than {MAX_SHEET_TEXT:,} bytes of text "
            "(a shared text counted once for each cell that shows it)",
            where,
            "delete long texts the table does not need, or split the sheet",
        )


def _check_size(part: zipfile.ZipInfo, size: int, at: Location) -> None:
    name = clipped(part.filename)
    if part.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
        raise ReportError(
            f"part {name!r} of the workbook is compressed with method {part.compress_type}, "
            "which reporter does not read (only stored and deflated parts)",
            at,
            _HINT,
        )
    if size > MAX_UNZIPPED:
        raise ReportError(
            f"part {name!r} of the workbook is more than {MAX_UNZIPPED:,} bytes decompressed",
            at,
            _HINT,
        )
    if size > RATIO_FLOOR and size > MAX_RATIO * max(part.compress_size, 1):
        raise ReportError(
            f"part {name!r} of the workbook decompresses to more than {MAX_RATIO} times its "
            f"{part.compress_size:,} bytes (a zip bomb?)",
            at,
            _HINT,
        )


def _stream(
    archive: zipfile.ZipFile, part: zipfile.ZipInfo, room: int, at: Location
) -> Iterator[bytes]:
    """The decompressed bytes of `part`, counted as they come and read to the stream's real
    end (the declared size may lie; zipfile would stop at it): refused once they pass
    MAX_RATIO times the part's compressed size, or `room`, what is left of MAX_UNZIPPED."""
    most = min(room, max(RATIO_FLOOR, MAX_RATIO * max(part.compress_size, 1)))
    probe = copy.copy(part)
    probe.file_size = most + 2 * _CHUNK  # never reached: zipfile checks the CRC at its end
    size = 0
    try:
        with archive.open(probe) as stream:
            while chunk := stream.read(min(_CHUNK, most + 1 - size)):
                size += len(chunk)
                if size > most:
                    _check_size(part, size, at)
                    raise ReportError(
                        f"the workbook's parts are more than {MAX_UNZIPPED:,} bytes decompressed",
                        at,
                        _HINT,
                    )
                yield chunk
    except ReportError:
        raise
    except Exception as exc:  # a bad CRC, an encrypted part, a cut archive, bad deflate data
        raise ReportError(f"cannot read the workbook: {clipped(exc)}", at, _HINT) from None


@dataclass
class _Layout:
    sheets: list[zipfile.ZipInfo]  # every part that is a sheet
    targets: list[zipfile.ZipInfo]  # the parts the sheet asked for may be read from
    strings: list[zipfile.ZipInfo]  # the shared texts


def _layout(
    archive: zipfile.ZipFile, parts: list[zipfile.ZipInfo], sheet: str | None, at: Location
) -> _Layout:
    """Where the sheets and the shared texts are, as calamine finds them: xl/workbook.xml's
    <sheet name r:id>, its relationship's Target under xl/, and the archive's files of that
    name in any case (calamine's lookup). Where that cannot be followed, every XML part may
    be the sheet, and is scanned as one."""
    named = lambda path: [p for p in parts if p.filename.lower() == path]  # noqa: E731
    strings = [p for p in parts if p.filename.lower().endswith("sharedstrings.xml")]
    sheets = [p for p in parts if _folder(p.filename) in _SHEET_FOLDERS]
    try:
        for attrs in _starts(archive, named("_rels/.rels"), "Relationship", at):
            book = attrs.get("Target", "").lower().lstrip("/")
            if attrs.get("Type", "").endswith("/officeDocument") and book != "xl/workbook.xml":
                raise _Unfollowed  # a workbook elsewhere: calamine may follow it
        books = named("xl/workbook.xml")
        listed: list[tuple[str | None, list[str]]] = []  # (name, relationship ids)
        for a in _starts(archive, books, "sheet", at):
            listed.append((a.get("name"), [v for k, v in a.items() if _local(k) == "id"]))
            if len(listed) > MAX_PARTS:
                raise _Unfollowed
        relations: dict[str, list[str]] = {}
        rels = named("xl/_rels/workbook.xml.rels")
        for a in _starts(archive, rels, "Relationship", at, plain=True):  # its Target as it is
            relations.setdefault(a.get("Id", ""), []).append(_path(a.get("Target", "")))
            if a.get("Type", "").endswith("/sharedStrings"):
                strings += [p for p in named(_path(a.get("Target", ""))) if p not in strings]
            if len(relations) > MAX_PARTS:
                raise _Unfollowed
        if len(books) != 1:
            raise _Unfollowed
    except _Unfollowed:
        every = [p for p in parts if p.filename.lower().endswith(".xml") or p in sheets]
        return _Layout(sheets, every if sheet is not None else [], strings)

    def paths(ids: list[str]) -> set[str]:
        return {path for i in ids for path in relations.get(i, [])}

    every = set().union(*(paths(ids) for _, ids in listed))
    sheets += [p for p in parts if p.filename.lower() in every and p not in sheets]
    wanted = set().union(*(paths(ids) for name, ids in listed if name == sheet))
    return _Layout(sheets, [p for p in parts if p.filename.lower() in wanted], strings)


class _Unfollowed(Exception):
    """The workbook's list of sheets cannot be followed as calamine follows it."""


def _local(name: str) -> str:
    """An attribute's or element's name without its namespace, as expat gives it."""
    return name.rsplit("}", 1)[-1]


def _opened(name: str) -> bool:
    """Whether calamine may read the archive's file `name` when it opens the workbook: the
    files at the top of xl/ (workbook, styles, shared texts), the relationships, the
    pictures. The others (other sheets, pivot caches, drawings, printer settings…) only
    when asked for something reporter never asks."""
    name = name.lower()
    folder, _, file = name.rpartition("/")
    return folder in ("", "_rels", "xl", "xl/_rels", "xl/media") and bool(file)


def _folder(name: str) -> str:
    parts = PurePosixPath(name.lower()).parts
    return parts[-2] if len(parts) >= 2 else ""


def _path(target: str) -> str:
    """A relationship's Target as calamine makes it a path in the archive (in lower case:
    the archive's names are matched in any case)."""
    target = target.lower()
    if target.startswith("/xl/"):
        return target[1:]
    return target if target.startswith("xl/") else f"xl/{target}"


def _starts(
    archive: zipfile.ZipFile,
    found: list[zipfile.ZipInfo],
    tag: str,
    at: Location,
    plain: bool = False,
) -> Iterator[dict[str, str]]:
    """The attributes of each <tag> of the one part `found` (none if it is missing),
    streamed through expat with nothing kept; _Unfollowed if there are two, or it is not XML,
    or (`plain`) it holds an entity: expat replaces it, calamine may read it as it is."""
    from xml.etree.ElementTree import ParseError, XMLPullParser

    if len(found) > 1:
        raise _Unfollowed
    parser = XMLPullParser(events=("start", "end"))
    try:
        for chunk in _stream(archive, found[0], MAX_UNZIPPED, at) if found else ():
            if plain and b"&" in chunk:
                raise _Unfollowed
            parser.feed(chunk)
            yield from _events(parser, tag)
        if found:
            parser.close()
            yield from _events(parser, tag)
    except ParseError:
        raise _Unfollowed from None


def _events(parser, tag: str) -> Iterator[dict[str, str]]:
    for event, element in parser.read_events():
        if event == "start" and _local(element.tag) == tag:
            yield dict(element.attrib)
        elif event == "end":
            element.clear()  # nothing of the file is kept


class _Chunks:
    """Bytes fed in chunks, handed on in whole tags: each round the data up to its last '<'
    (a value never holds one), the rest kept for the next round. A run of text longer than
    a chunk is never kept: once its tag is whole, the text after it is handed on too."""

    def __init__(self, shown: Path) -> None:
        self.shown, self.tail, self.offset = shown, b"", 0  # offset: of `tail` in the part
        self.first = True

    def take(self, chunk: bytes, last: bool) -> tuple[bytes, int, int]:
        """(data, where it starts in the part, how much of it is whole)."""
        data, start = self.tail + chunk, self.offset
        if self.first and data.strip():
            _check_utf8(data, self.shown)
            self.first = False
        cut = data.rfind(b"<")
        end = len(data) if last or cut < 0 else cut  # no '<': all of it is text
        if data.find(b"<![CDATA[", 0, len(data) if last else max(end, len(data) - 8)) >= 0:
            raise _malformed("a CDATA section, which Excel never writes", self.shown)
        if not last and len(data) - end > _CHUNK:  # a long text after the last tag
            whole = _TAG_END.match(data, end)
            if whole is None:
                if len(data) - end > MAX_TAG:
                    raise ReportError(
                        f"cannot read the workbook: a tag of more than {MAX_TAG:,} bytes",
                        Location(self.shown),
                        _HINT,
                    )
            else:
                end = len(data)
        self.tail, self.offset = data[end:], start + end
        return data, start, end


def _check_utf8(head: bytes, shown: Path) -> None:
    """The XML the scan reads must be UTF-8 (or ASCII), as Excel writes it: in UTF-16, say,
    calamine would read cells the byte patterns cannot see."""
    head = head[3:] if head.startswith(b"\xef\xbb\xbf") else head
    declared = re.match(rb"\s*<\?xml[^>]*?encoding\s*=\s*[\"']([^\"']*)[\"']", head[:1000])
    if not head.lstrip().startswith(b"<") or (
        declared and declared[1].lower() not in (b"utf-8", b"utf8", b"us-ascii", b"ascii")
    ):
        raise _malformed("a part that is not UTF-8 XML", shown)


class _Strings:
    """The shared texts, streamed: the size of each <si> element, which holds all of its text
    (entities only shorten it). calamine skips empty texts, so its text i may be a later <si>:
    the bound of text i is the largest size from i on."""

    def __init__(self, shown: Path) -> None:
        self.chunks, self.shown = _Chunks(shown), shown
        self.sizes = array("q")
        self.open: tuple[bytes, int] | None = None  # the <si> being read: its name, start
        self.largest: array | None = None

    def feed(self, chunk: bytes, last: bool = False) -> None:
        data, base, end = self.chunks.take(chunk, last)
        found = 0
        for tag in _SI.finditer(data, 0, end):
            closing, name, position = tag[1] == b"/", tag[2], base + tag.start()
            found += not closing
            if closing:
                if self.open is not None and self.open[0] == name:
                    self.sizes.append(base + tag.end() - self.open[1])
                    self.open = None
            elif self.open is not None:
                raise _malformed("a shared text inside another", self.shown)
            elif tag[4] == b"/":
                self.sizes.append(0)
            else:
                self.open = (name, position)
        if len(_SI_START.findall(data, 0, end)) != found:
            raise _malformed("a shared text's tag that is not well-formed XML", self.shown)
        if last and self.open is not None:  # never closed: it runs to the end
            self.sizes.append(base + end - self.open[1])
            self.open = None

    def bound(self, index: int | None) -> int:
        """The most bytes shared text `index` can have (None: any of them)."""
        if self.largest is None:
            self.largest = array("q", self.sizes)
            for i in range(len(self.largest) - 2, -1, -1):
                self.largest[i] = max(self.largest[i], self.largest[i + 1])
        if index is None:
            return self.largest[0] if self.largest else 0
        return self.largest[index] if index < len(self.largest) else 0


class _Unusual(Exception):
    """A sheet the fast scan cannot vouch for: it is scanned again, tag by tag."""


class _SheetScan:
    """A sheet's cells as calamine's cell reader finds them, streamed (see the module's
    docstring); their text is the text between tags, and for a cell that shows a shared text
    (t="s"), that text's bound.

    The fast scan takes whole chunks at a time, with regular expressions only: it serves a
    sheet whose every cell names its place first (<c r="B12" …>, as Excel and every library
    writes it), and raises _Unusual on any other. The slow one follows calamine tag by tag:
    the row and column of a cell without `r`, and everything up to </c> as the cell's."""

    def __init__(self, strings: _Strings, shown: Path, fast: bool = True) -> None:
        self.chunks, self.strings, self.shown, self.fast = _Chunks(shown), strings, shown, fast
        self.rows = self.columns = self.cells = self.text = 0
        self.seen = 0  # bytes of the sheet counted as text whole
        self.row = self.column = 0  # where calamine puts a cell without `r` (0-based)
        self.inside = False  # between a cell's <c> and its </c>, which calamine reads whole
        self.odd = False  # comments, CDATA, processing instructions, or tags inside a cell
        self.unplaced = False  # a cell without `r`
        self.first = True

    def feed(self, chunk: bytes, last: bool = False) -> None:
        data, _, end = self.chunks.take(chunk, last)
        if self.seen < EXACT_TEXT:  # text <= bytes: counting them is enough, and quicker
            self.text += end
            self.seen += end
        else:
            self.text += sum(map(len, _TEXT.findall(data, 0, end)))
        if self.fast:
            self._cells(data, end)
            return
        found = 0
        for tag in _TAG.finditer(data, 0, end):
            found += not tag[1]
            self._tag(tag, data)
        if len(_TAG_START.findall(data, 0, end)) != found:
            raise _malformed("a cell or row tag that is not well-formed XML", self.shown)
        declaration = self.first and data.lstrip(b"\xef\xbb\xbf").startswith(b"<?xml")
        self.odd = self.odd or len(_MARKUP.findall(data, 0, end)) > declaration
        self.first = False
        if self.unplaced and self.odd:
            raise _malformed(
                "cells without a reference (r=) next to comments or nested tags", self.shown
            )

    def _cells(self, data: bytes, end: int) -> None:
        """The fast scan of data[:end]: every <c> that is not <c/> is a cell (one inside a
        cell too: a bound may count more than calamine, never less)."""
        starts = sum(data.count(start, 0, end) for start in _CELL_STARTS)
        if data.find(b":c", 0, end) >= 0 and _PREFIXED_CELL.search(data, 0, end):
            raise _Unusual  # a cell tag with a prefix
        rows = _PLAIN_ROWS.findall(data, 0, end)  # two passes: quicker than pairs
        if len(rows) + len(_PLAIN_EMPTY.findall(data, 0, end)) != starts:
            raise _Unusual  # a cell without `r` first, written otherwise, not well-formed…
        if not rows:
            return
        cells, rows = len(rows), set(map(int, set(rows)))
        if 0 in rows:
            raise _Unusual  # calamine refuses it: the slow scan says where
        columns = set(_PLAIN_COLUMNS.findall(data, 0, end))
        wide = max(map(len, columns))
        column = 0
        for letter in max(c for c in columns if len(c) == wide):
            column = column * 26 + letter - 64
        row = max(rows)
        if row > EXCEL_ROWS or column > EXCEL_COLUMNS:
            raise _beyond(f"{_column_name(column)}{row}", self.shown)
        self.rows, self.columns = max(self.rows, row), max(self.columns, column)
        self.cells += cells
        shared = data.count(b' t="s"', 0, end)  # in empty cells and texts too: a bound
        if shared:
            indexes = _PLAIN_SHARED.findall(data, 0, end)
            self.text += sum(map(self.strings.bound, map(int, indexes)))
            self.text += max(shared - len(indexes), 0) * self.strings.bound(None)

    def _tag(self, tag: re.Match, data: bytes) -> None:
        closing, kind, empty = tag[1] == b"/", tag[2], tag[4] == b"/"
        if self.inside:  # calamine reads everything up to </c> as the cell's value
            self.inside = not (closing and kind == b"c")
            self.odd = self.odd or self.inside
            return
        refs, kinds = [], []
        for key, double, single in _ATTR.findall(tag[3]):
            if key == b"r":
                refs.append(_place(double or single, kind, self.shown))
            elif key == b"t":
                kinds.append(double or single)
        if kind == b"row":  # <row r>: its row; </row> and <row/>: the next, from column A
            if refs and not closing:
                self.row = max(r for r, _ in refs) - 1
            if closing or empty:
                self.row, self.column = self.row + 1, 0
            return
        if closing:
            return
        if refs:
            row, column = (max(r for r, _ in refs) - 1, max(c for _, c in refs) - 1)
        else:
            row, column, self.unplaced = self.row, self.column, True
        self.column = column + 1
        if empty:
            return  # <c/>: no value, and calamine keeps no empty cell
        if row >= EXCEL_ROWS or column >= EXCEL_COLUMNS:
            raise _beyond(f"{_column_name(column + 1)}{row + 1}", self.shown)
        self.inside, self.cells = True, self.cells + 1
        self.rows, self.columns = max(self.rows, row + 1), max(self.columns, column + 1)
        if b"s" in kinds:
            shared = _SHARED.match(data, tag.end())
            self.text += self.strings.bound(int(shared[1]) if shared else None)
            self.inside = shared is None  # else its </c> is read already


def _place(ref: bytes, kind: bytes, shown: Path) -> tuple[int, int]:
    """(row, column), 1-based, of a cell's `r` ("B12"), or of a row's ("12"; column 0)."""
    found = (_CELL_REF if kind == b"c" else _ROW_REF).fullmatch(ref)
    if not found or int(found[found.lastindex]) == 0:
        what = "cell" if kind == b"c" else "row"
        name = clipped(ref.decode("utf-8", "replace"))
        raise _malformed(f"{name!r} is not a {what} reference", shown)
    if kind != b"c":
        return int(found[1]), 0
    column = 0
    for letter in found[1].upper():
        column = column * 26 + letter - 64
    if int(found[2]) > EXCEL_ROWS or column > EXCEL_COLUMNS:
        raise _beyond(ref.decode(), shown)
    return int(found[2]), column


def _malformed(what: str, shown: Path) -> ReportError:
    return ReportError(f"cannot read the workbook: {what}", Location(shown), _HINT)


def _beyond(ref: str, shown: Path) -> ReportError:
    return _malformed(f"a cell at {ref}, beyond a sheet's last cell (XFD{EXCEL_ROWS})", shown)


def _column_name(number: int) -> str:
    """1 -> A, 27 -> AA."""
    name = ""
    while number > 0:
        number, rest = divmod(number - 1, 26)
        name = chr(65 + rest) + name
    return name or "A"
