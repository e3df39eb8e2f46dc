"""Hostile data (issue 23): workbooks and queries made to exhaust memory or abort the process.
Each ends in one located error line naming the file, with no traceback and no abort, in
`reporter build`, `reporter check` and `reporter check FILE.pdf`. Where memory is the point,
the command runs in a child process limited to 1 GiB of address space (before the fix, these
aborted the process or took gigabytes); the workbooks are made here, a few lines of XML in a
zip archive, the large parts as deflate streams that repeat one block."""

from __future__ import annotations

import base64
import os
import random
import subprocess
import sys
import zlib
from dataclasses import dataclass
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.verify.tamper import replace_attachment

LIMIT = 1 << 30  # bytes of address space for a child process
NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
RELS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PACKAGE = "http://schemas.openxmlformats.org/package/2006"
SHEET = '<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="{ns}"><sheetData>{rows}</sheetData></worksheet>'  # noqa: E501
HEADER = '<row r="1"><c r="A1" t="inlineStr"><is><t>name</t></is></c><c r="B1" t="inlineStr"><is><t>value</t></is></c></row>'  # noqa: E501
VALUES = '<row r="2"><c r="A2" t="inlineStr"><is><t>a</t></is></c><c r="B2"><v>1.5</v></c></row>'
TYPES = f'<?xml version="1.0"?><Types xmlns="{PACKAGE}/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/></Types>'  # noqa: E501
BOOK = f'<?xml version="1.0"?><workbook xmlns="{NS}" xmlns:r="{RELS}"><sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>'  # noqa: E501


@dataclass
class Deflated:
    """A part given as its deflate stream, with the sizes its archive will declare."""

    data: bytes
    size: int
    crc: int = 0


def repeated(head: bytes, unit: bytes, times: int, tail: bytes, declared: int | None = None):
    """head + unit * times + tail, deflated without compressing it all: each block of `unit`
    starts afresh (a full flush), so one compressed block repeats. Its CRC is left wrong:
    a reader that checks it does so at the end, after the damage."""
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    start = compressor.compress(head) + compressor.flush(zlib.Z_FULL_FLUSH)
    block = compressor.compress(unit) + compressor.flush(zlib.Z_FULL_FLUSH)
    end = compressor.compress(tail) + compressor.flush()
    size = len(head) + len(unit) * times + len(tail)
    return Deflated(start + block * times + end, size if declared is None else declared)


def zip_archive(parts: dict[str, bytes | Deflated]) -> bytes:
    """A zip archive of deflated parts, written by hand so that a part can lie."""
    import struct

    body, directory = bytearray(), bytearray()
    for name, part in parts.items():
        if isinstance(part, bytes):
            compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
            part = Deflated(compressor.compress(part) + compressor.flush(), len(part),
                            zlib.crc32(part))  # fmt: skip
        encoded = name.encode()
        sizes = (part.crc, len(part.data), part.size, len(encoded))
        directory += struct.pack("<IHHHHHHIIIHHHHHII", 0x02014B50, 20, 20, 0, 8, 0, 0, *sizes,
                                 0, 0, 0, 0, 0, len(body)) + encoded  # fmt: skip
        body += struct.pack("<IHHHHHIIIHH", 0x04034B50, 20, 0, 8, 0, 0, *sizes, 0) + encoded
        body += part.data
    end = struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, len(parts), len(parts), len(directory),
                      len(body), 0)  # fmt: skip
    return bytes(body + directory + end)


def workbook(sheet: str | bytes | Deflated, shared: str | bytes | Deflated | None = None) -> bytes:
    """An .xlsx workbook with one sheet, "Sheet1", and its shared texts if given."""
    rels = f'<Relationship Id="rId1" Type="{RELS}/worksheet" Target="worksheets/sheet1.xml"/>'
    if shared is not None:
        rels += f'<Relationship Id="rId2" Type="{RELS}/sharedStrings" Target="sharedStrings.xml"/>'
    book = f'<Relationship Id="rId1" Type="{RELS}/officeDocument" Target="xl/workbook.xml"/>'
    relationships = (
        '<?xml version="1.0"?><Relationships xmlns="{}/relationships">{}</Relationships>'
    )
    parts = {
        "[Content_Types].xml": TYPES.encode(),
        "_rels/.rels": relationships.format(PACKAGE, book).encode(),
        "xl/workbook.xml": BOOK.encode(),
        "xl/_rels/workbook.xml.rels": relationships.format(PACKAGE, rels).encode(),
        "xl/worksheets/sheet1.xml": sheet.encode() if isinstance(sheet, str) else sheet,
    }
    if shared is not None:
        parts["xl/sharedStrings.xml"] = shared.encode() if isinstance(shared, str) else shared
    return zip_archive(parts)


def sheet(rows: str) -> str:
    return SHEET.format(ns=NS, rows=HEADER + rows)


def strings(*texts: str) -> str:
    items = "".join(f"<si><t>{t}</t></si>" for t in texts)
    return f'<?xml version="1.0"?><sst xmlns="{NS}">{items}</sst>'


@pytest.fixture
def xlsx_project(make_project):
    """make(bytes) -> MINIMAL whose table reads `values` from data/values.xlsx, Sheet1."""

    def make(book: bytes) -> Path:
        root = make_project(
            {"data/datasets.yaml": "values:\n  file: values.xlsx\n  sheet: Sheet1\n"}
        )
        (root / "data" / "values.csv").unlink()
        (root / "data" / "values.xlsx").write_bytes(book)
        return root

    return make


def limited(*arguments: str, cwd: Path) -> subprocess.CompletedProcess:
    """`reporter ARGUMENTS` in a child process with at most 1 GiB of address space (and two
    malloc arenas, so that DuckDB's threads do not reserve it all before they start)."""
    code = (
        "import resource, runpy, sys\n"
        f"resource.setrlimit(resource.RLIMIT_AS, ({LIMIT}, {LIMIT}))\n"
        f"sys.argv = ['reporter', *{list(arguments)!r}]\n"
        "runpy.run_module('reporter.cli', run_name='__main__')\n"
    )
    env = {**os.environ, "MALLOC_ARENA_MAX": "2"}
    return subprocess.run([sys.executable, "-c", code], cwd=cwd, env=env, capture_output=True,
                          text=True, timeout=300, check=False)  # fmt: skip


def one_line(result: subprocess.CompletedProcess, start: str) -> str:
    """The one error line of a failed command, which must start with `start`."""
    lines = result.stderr.strip().splitlines()
    assert result.returncode in (1, 2), (result.returncode, result.stderr[-2000:])
    assert "Traceback" not in result.stderr and len(lines) == 1, result.stderr[-2000:]
    assert lines[0].startswith(f"error: {start}"), lines[0]
    return lines[0]


CORNER = workbook(sheet(VALUES + '<row r="1048576"><c r="XFD1048576"><v>1</v></c></row>'))
BOMBS = {
    # values in A1 and XFD1048576: calamine asked for 512 GiB and aborted (a 1.6 KB file)
    "corner": (CORNER, "data/values.xlsx[Sheet1]: a sheet of more than 5,000,000 cells: values "
               "from A1 to XFD1048576 (1,048,576 rows x 16,384 columns, 5 cells)"),
    # the same without `r` on the far cells: calamine places them after the cell before
    "unplaced": (workbook(sheet(VALUES + '<row r="1048576"><c r="XFC1048576"><v>1</v></c><c>'
                                '<v>2</v></c></row>')), "data/values.xlsx[Sheet1]: a sheet of more "
                 "than 5,000,000 cells: values from A1 to XFD1048576"),
    # with a namespace prefix on every tag, which calamine ignores
    "prefixed": (workbook(f'<x:worksheet xmlns:x="{NS}"><x:sheetData><x:row r="1"><x:c r="A1">'
                          '<x:v>1</x:v></x:c></x:row><x:row r="1048576"><x:c r="XFD1048576"><x:v>1'
                          '</x:v></x:c></x:row></x:sheetData></x:worksheet>'),
                 "data/values.xlsx[Sheet1]: a sheet of more than 5,000,000 cells"),
    # 1.5 GB of spaces in the sheet (a 1.5 MB file): one text node, which the XML reader holds
    "zip bomb": (workbook(repeated(sheet(VALUES).encode()[:-24], b" " * (1 << 20), 1500,
                                   b"</sheetData></worksheet>")),
                 "data/values.xlsx: part 'xl/worksheets/sheet1.xml' of the workbook is more than "
                 "250,000,000 bytes decompressed"),
    # the same, declaring 1,000 bytes: read to its real end, and stopped
    "lying zip bomb": (workbook(repeated(sheet(VALUES).encode()[:-24], b" " * (1 << 20), 1500,
                                         b"</sheetData></worksheet>", declared=1000)),
                       "data/values.xlsx: part 'xl/worksheets/sheet1.xml' of the workbook "
                       "decompresses to more than 100 times its"),
    # one shared text of 1.5 GB: held whole, then echoed in a message (3 GB on stderr)
    "long cell": (workbook(sheet('<row r="2"><c r="A2" t="s"><v>0</v></c><c r="B2"><v>1</v></c>'
                                 '</row>'),
                           repeated(f'<?xml version="1.0"?><sst xmlns="{NS}"><si><t>'.encode(),
                                    b"x" * (1 << 20), 1500, b"</t></si></sst>")),
                  "data/values.xlsx: part 'xl/sharedStrings.xml' of the workbook is more than "
                  "250,000,000 bytes decompressed"),
}  # fmt: skip


@pytest.mark.parametrize("kind", list(BOMBS))
def test_a_hostile_workbook_is_one_line_in_build_and_check(xlsx_project, kind):
    book, message = BOMBS[kind]
    assert len(book) < 2_000_000  # small files, all of them
    root = xlsx_project(book)
    for command in (["build", "--html-only"], ["check"]):
        result = limited(*command, str(root), cwd=root.parent)
        one_line(result, message)
        assert result.returncode == (1 if command[0] == "build" else 2)


def test_a_shared_text_shown_by_many_cells_counts_once_for_each(xlsx_project):
    """calamine copies a shared text into every cell that shows it: 1.5 MB shown 2,000 times
    took 3 GB, from a 1.1 MB file (the text is random: no zip bomb)."""
    text = base64.b64encode(random.Random(23).randbytes(1_100_000)).decode()
    cells = "".join(f'<row r="{r}"><c r="A{r}" t="s"><v>0</v></c></row>' for r in range(2, 2002))
    root = xlsx_project(workbook(sheet(cells), strings(text)))
    one_line(
        limited("check", str(root), cwd=root.parent),
        "data/values.xlsx[Sheet1]: the sheet's cells hold more than 100,000,000 bytes of text "
        "(a shared text counted once for each cell that shows it)",
    )


def test_hostile_data_attached_to_a_pdf_is_bad_input(xlsx_project, tmp_path):
    """`reporter check FILE.pdf` reads the attached data with the same readers: a workbook
    replaced after the build by the 1.6 KB one that aborted the process, and a datasets.yaml
    replaced by one whose query is EXPORT DATABASE (which created its folder)."""
    import openpyxl

    sheet_ = openpyxl.Workbook()
    sheet_.active.title = "Sheet1"
    for row in (["name", "value"], ["a", 1.5], ["b", 2.25]):
        sheet_.active.append(row)
    sheet_.save(tmp_path / "values.xlsx")
    root = xlsx_project((tmp_path / "values.xlsx").read_bytes())
    built = subprocess.run([sys.executable, "-m", "reporter.cli", "build", str(root)],
                           capture_output=True, text=True, check=False)  # fmt: skip
    assert built.returncode == 0, built.stderr
    pdf = next((root / "out").glob("*.pdf"))
    replace_attachment(pdf, "data/values.xlsx", CORNER, tmp_path / "tampered.pdf")
    result = limited("check", str(tmp_path / "tampered.pdf"), cwd=tmp_path)
    one_line(result, "data/values.xlsx[Sheet1]: tampered.pdf: a sheet of more than 5,000,000 cells")
    assert result.returncode == 2
    query = b"values:\n  sql: export database 'exp'\n"  # no longer than the one it replaces
    replace_attachment(pdf, "data/datasets.yaml", query, tmp_path / "exporting.pdf")
    result = limited("check", str(tmp_path / "exporting.pdf"), cwd=tmp_path)
    one_line(result, "data/datasets.yaml:2:8: exporting.pdf: the query of 'values' is an EXPORT")
    assert result.returncode == 2 and not (tmp_path / "exp").exists()


# --- SQL: the result is bounded before it is fetched -------------------------------------------


@pytest.mark.parametrize(
    "query, message",
    [
        # 4.2 GB of text for 2 GB of rows: fetched whole, then copied
        (
            "select repeat('x', 100000) as name, 1 as value from range(20000)",
            "data/datasets.yaml:2:8: the result of 'values' holds more than 200,000,000 bytes "
            "of text (counting 50 more for each text cell)",
        ),
        # a MAP of 100,000 entries per row: 108 s and exit 0 for 150 rows, MemoryError for 400
        (
            "select map(range(0, 100000), range(0, 100000)) as name, 1 as value from range(400)",
            "data/datasets.yaml:2:8: the query of 'values' gives column 'name' of type "
            "MAP(BIGINT, BIGINT), which a table cannot show",
        ),
    ],
)
def test_a_query_result_too_big_to_fetch_is_one_line(make_project, query, message):
    root = make_project({"data/datasets.yaml": f"values:\n  sql: {query}\n"})
    (root / "data" / "values.csv").unlink()
    for command in (["build", "--html-only"], ["check"]):
        one_line(limited(*command, str(root), cwd=root.parent), message)


# --- workbooks, in this process: the scan's bounds and what it refuses ---------------------------


def bounds(book: bytes, name: str = "Sheet1"):
    from reporter.data.workbooks import check_workbook

    return check_workbook(book, Path("data/x.xlsx"), name)


@st.composite
def sheets(draw):
    """A sheet as calamine may meet it: rows with or without `r`, cells with or without `r`
    (anywhere, in any order), empty or self-closing ones, numbers, formulas, inline texts and
    shared texts (some empty, which calamine skips), all tags with or without a prefix."""
    prefix = draw(st.sampled_from(["", "x:"]))
    texts = draw(st.lists(st.sampled_from(["", "a", "bb" * 20, "ccc" * 200]), max_size=5))
    rows = []
    for _ in range(draw(st.integers(0, 6))):
        number = draw(st.none() | st.integers(1, 60))
        cells = []
        for _ in range(draw(st.integers(0, 5))):
            ref = draw(st.none() | st.tuples(st.integers(1, 40), st.integers(1, 60)))
            kind = draw(st.sampled_from(["number", "formula", "inline", "shared", "empty", "open"]))
            r = f' r="{_letters(ref[0])}{ref[1]}"' if ref else ""
            value = {
                "number": (f"<c{r}>", f"<v>{draw(st.integers(0, 99))}</v>"),
                "formula": (f"<c{r}>", "<f>1+1</f><v>2</v>"),
                "inline": (
                    f'<c{r} t="inlineStr">',
                    f"<is><t>{'d' * draw(st.integers(1, 300))}</t></is>",
                ),
                "shared": (
                    f'<c{r} t="s">',
                    f"<v>{draw(st.integers(0, max(len(texts) - 1, 0)))}</v>",
                ),
                "empty": (f"<c{r}/>", None),
                "open": (f"<c{r}>", ""),
            }[kind]
            tag, inside = value
            tag = tag.replace("<c", f"<{prefix}c", 1)
            inside = inside and inside.replace("<", f"<{prefix}").replace(
                f"<{prefix}/", f"</{prefix}"
            )
            cells.append(tag if inside is None else f"{tag}{inside}</{prefix}c>")
        r = f' r="{number}"' if number else ""
        whole = cells or draw(st.booleans())
        rows.append(
            f"<{prefix}row{r}>{''.join(cells)}</{prefix}row>" if whole else f"<{prefix}row{r}/>"
        )
    xmlns = f"xmlns:{prefix[:-1]}" if prefix else "xmlns"
    body = (f'<?xml version="1.0"?><{prefix}worksheet {xmlns}="{NS}"><{prefix}sheetData>'
            f"{''.join(rows)}</{prefix}sheetData></{prefix}worksheet>")  # fmt: skip
    return body, texts


def _letters(number: int) -> str:
    name = ""
    while number:
        number, rest = divmod(number - 1, 26)
        name = chr(65 + rest) + name
    return name


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(sheets())
def test_the_scan_bounds_what_calamine_builds(made):
    """Whatever the sheet, the scan counts at least the rows, columns, cells and text that
    calamine builds: the checks made on the scan hold for what is then read."""
    import io

    from python_calamine import CalamineWorkbook

    body, texts = made
    book = workbook(body, strings(*texts))
    try:
        built = CalamineWorkbook.from_filelike(io.BytesIO(book)).get_sheet_by_name("Sheet1")
    except Exception:
        return  # calamine refuses it too
    grid = built.to_python(skip_empty_area=False)
    found = bounds(book)
    values = [v for row in grid for v in row if v != ""]
    assert found.rows >= built.total_height and found.columns >= built.total_width
    assert found.cells >= len(values)
    assert found.text >= sum(len(v.encode()) for v in values if isinstance(v, str))


def test_the_2019_workbook_is_bounded_by_its_cells():
    from tests.conftest import FIXTURES

    found = bounds((FIXTURES / "UN_MigrantStockTotal_2019.xlsx").read_bytes(), "Table 1")
    assert (found.rows, found.columns) == (299, 26)  # A1:Z299, as calamine builds it
    assert found.cells < 10_000 and found.text < 2_000_000


@pytest.mark.parametrize(
    "book, message",
    [
        (workbook(sheet("").encode("utf-16")), "a part that is not UTF-8 XML"),
        (workbook(sheet('<row r="2"><c r="A2" t="inlineStr"><is><t><![CDATA[x]]></t></is></c>'
                        "</row>")), "a CDATA section, which Excel never writes"),
        (workbook(sheet('<row r="2"><c r="A0"><v>1</v></c></row>')),
         "'A0' is not a cell reference"),
        (workbook(sheet('<row r="2"><c r="XFE2"><v>1</v></c></row>')),
         "a cell at XFE2, beyond a sheet's last cell (XFD1048576)"),
        (workbook(sheet('<row r="2"><c r="A2" foo="a<b"><v>1</v></c></row>')),
         "a cell or row tag that is not well-formed XML"),
        (workbook(sheet(VALUES), strings("a").replace("<si><t>a</t></si>", "<si><si>a</si></si>")),
         "a shared text inside another"),
        (workbook(sheet('<row><c><v>1</v></c><!-- --></row>')),
         "cells without a reference (r=) next to comments or nested tags"),
    ],
)  # fmt: skip
def test_what_the_scan_cannot_vouch_for_is_refused(book, message):
    from reporter.errors import ReportError

    with pytest.raises(ReportError) as caught:
        bounds(book)
    assert str(caught.value).startswith(f"data/x.xlsx: cannot read the workbook: {message} (")


def test_a_part_compressed_otherwise_is_refused():
    import io
    import zipfile

    from reporter.errors import ReportError

    packed, source = io.BytesIO(), zipfile.ZipFile(io.BytesIO(CORNER))
    with zipfile.ZipFile(packed, "w") as archive:  # bzip2: calamine cannot read it either
        for part in source.infolist():
            method = zipfile.ZIP_BZIP2 if "sheet1" in part.filename else zipfile.ZIP_DEFLATED
            archive.writestr(part.filename, source.read(part), compress_type=method)
    with pytest.raises(
        ReportError, match="compressed with method 12, which reporter does not read"
    ):
        bounds(packed.getvalue())


def test_the_new_limits_are_documented():
    """docs/datasets.md says what a user meets, docs/security.md lists every limit."""
    from reporter.data import sql, tabular, workbooks

    root = Path(__file__).parents[2] / "docs"
    for doc in ("datasets.md", "security.md"):
        text = (root / doc).read_text(encoding="utf-8")
        for limit in (workbooks.MAX_UNZIPPED, workbooks.MAX_SHEET_CELLS, workbooks.MAX_SHEET_TEXT,
                      sql.LIMITS.text, workbooks.RATIO_FLOOR):  # fmt: skip
            assert f"{limit:,}" in text, (doc, limit)
        assert f"{workbooks.MAX_RATIO} times" in text
        assert f"{sql.TEXT_CELL_BYTES} " in text and f"{tabular.MAX_QUOTED} characters" in text
    security = (root / "security.md").read_text(encoding="utf-8")
    assert f"{workbooks.MAX_PARTS:,}" in security
