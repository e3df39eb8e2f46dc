"""Hostile but plausible .xlsx workbooks, written part by part into a zip of our own making:
sheet XML with a lying `<dimension>`, far cells (XFD1048576) and references out of range,
shared strings out of range, huge inline strings, numbers like 1e400, DTDs with entities
(internal and external: XXE towards the sentinel), entries with high compression ratios
(10 million rows or one 300 MB cell in a 300 KB file), zip headers that lie about sizes,
and missing parts.

Large entries are deflated without being built: `Deflated` compresses one block of a repeated
chunk, ends it with a full flush (after which the compressor starts afresh, so the block's
bytes can be repeated as they are) and repeats it, which makes a 270 MB sheet in 0.2 s.
"""

from __future__ import annotations

import functools
import struct
import zlib
from dataclasses import dataclass

from hypothesis import strategies as st

from reporter.data.readers import ReadOptions
from tests.hostile.checks import Blob

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
RELS = "http://schemas.openxmlformats.org/package/2006/relationships"
DOC_RELS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
CT = "application/vnd.openxmlformats-officedocument.spreadsheetml"


@dataclass
class Deflated:
    """An entry's raw deflate stream, its CRC-32 and size, made from (chunk, times) pieces."""

    data: bytes
    crc: int
    size: int

    @classmethod
    def of(cls, pieces: list[tuple[bytes, int]]) -> Deflated:
        compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
        out, crc, size = [], 0, 0
        for chunk, times in pieces:
            if not chunk or not times:
                continue
            copies = max(1, (1 << 20) // len(chunk))  # a block of about 1 MB
            whole, rest = divmod(times, copies)
            if whole > 1:
                out.append(compressor.flush(zlib.Z_FULL_FLUSH))
                block = chunk * copies
                packed = compressor.compress(block) + compressor.flush(zlib.Z_FULL_FLUSH)
                out.append(packed * whole)
                for _ in range(whole):
                    crc = zlib.crc32(block, crc)
                size += len(block) * whole
                times = rest
            data = chunk * times
            out.append(compressor.compress(data))
            crc, size = zlib.crc32(data, crc), size + len(data)
        out.append(compressor.flush())
        return cls(b"".join(out), crc, size)


def zip_bytes(entries: dict[str, bytes | Deflated], lie: float = 1.0) -> bytes:
    """A zip of `entries`, deflated; `lie` scales the uncompressed sizes its headers declare
    (0.001: a bomb that says it is small)."""
    local, central, offset = [], [], 0
    for name, body in entries.items():
        entry = body if isinstance(body, Deflated) else Deflated.of([(body, 1)])
        declared = int(entry.size * lie) & 0xFFFFFFFF
        raw_name = name.encode("utf-8", "surrogatepass")
        fields = (20, 0x800, 8, 0, 0x21, entry.crc, len(entry.data), declared, len(raw_name))
        header = struct.pack("<IHHHHHIIIHH", 0x04034B50, *fields, 0) + raw_name
        local.append(header + entry.data)
        central.append(
            struct.pack("<IHHHHHHIIIHHHHHII", 0x02014B50, 20, *fields, 0, 0, 0, 0, 0, offset)
            + raw_name
        )
        offset += len(header) + len(entry.data)
    directory = b"".join(central)
    end = struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, len(central), len(central),
                      len(directory), offset, 0)  # fmt: skip
    return b"".join(local) + directory + end


def cell_xml(ref: str | None, kind: str, value: str) -> str:
    r = f' r="{ref}"' if ref is not None else ""
    if kind == "inlineStr":
        return f'<c{r} t="inlineStr"><is><t>{value}</t></is></c>'
    t = f' t="{kind}"' if kind != "-" else ""
    return f"<c{r}{t}><v>{value}</v></c>"


def workbook(
    sheet: str | Deflated,
    strings: list[str] | None = None,
    name: str = "Data",
    drop: tuple[str, ...] = (),
    lie: float = 1.0,
) -> bytes:
    """An .xlsx of one sheet called `name` (its XML given whole, or deflated already), with
    shared strings if given, without the parts in `drop`."""
    sst = "" if strings is None else (
        f'<sst xmlns="{MAIN}" count="{len(strings)}" uniqueCount="{len(strings)}">'
        + "".join(f"<si><t>{s}</t></si>" for s in strings) + "</sst>"
    )  # fmt: skip
    parts = {
        "[Content_Types].xml": (
            f'<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            f'<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
            f'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>'
            f'<Override PartName="/xl/workbook.xml" ContentType="{CT}.sheet.main+xml"/>'
            f'<Override PartName="/xl/worksheets/sheet1.xml" ContentType="{CT}.worksheet+xml"/>'
            f'<Override PartName="/xl/sharedStrings.xml" ContentType="{CT}.sharedStrings+xml"/>'
            "</Types>"
        ),
        "_rels/.rels": (
            f'<Relationships xmlns="{RELS}"><Relationship Id="rId1" Type="{DOC_RELS}/'
            'officeDocument" Target="xl/workbook.xml"/></Relationships>'
        ),
        "xl/workbook.xml": (
            f'<workbook xmlns="{MAIN}" xmlns:r="{DOC_RELS}"><sheets><sheet name="{name}" '
            'sheetId="1" r:id="rId1"/></sheets></workbook>'
        ),
        "xl/_rels/workbook.xml.rels": (
            f'<Relationships xmlns="{RELS}"><Relationship Id="rId1" Type="{DOC_RELS}/worksheet" '
            'Target="worksheets/sheet1.xml"/>'
            + (
                f'<Relationship Id="rId2" Type="{DOC_RELS}/sharedStrings" '
                'Target="sharedStrings.xml"/>'
                if strings is not None
                else ""
            )
            + "</Relationships>"
        ),  # fmt: skip
        "xl/worksheets/sheet1.xml": sheet,
        "xl/sharedStrings.xml": sst,
    }
    entries = {
        k: (v if isinstance(v, Deflated) else v.encode("utf-8", "surrogatepass"))
        for k, v in parts.items()
        if k not in drop and (v or k != "xl/sharedStrings.xml")
    }
    return zip_bytes(entries, lie)


def sheet_xml(rows: str, dimension: str | None = "A1:B3", doctype: str = "") -> str:
    dim = f'<dimension ref="{dimension}"/>' if dimension is not None else ""
    return f'{doctype}<worksheet xmlns="{MAIN}">{dim}<sheetData>{rows}</sheetData></worksheet>'


HEADER = '<row r="1">' + cell_xml("A1", "inlineStr", "name") + cell_xml(
    "B1", "inlineStr", "value"
) + "</row>"  # fmt: skip


# --- the nastiest, built whole: used by the command-line tests too ---------------------------


@functools.cache
def far_cell() -> bytes:
    """Cells A1 and XFD1048576: a sheet of 17 billion cells once built (1.6 KB)."""
    far = '<row r="1048576">' + cell_xml("XFD1048576", "n", "1") + "</row>"
    return workbook(sheet_xml(HEADER + far, "A1:XFD1048576"))


@functools.cache
def far_cell_small_dimension() -> bytes:
    """The same far cell under a <dimension> that says A1:B2."""
    far = '<row r="1048576">' + cell_xml("XFD1048576", "n", "1") + "</row>"
    return workbook(sheet_xml(HEADER + far, "A1:B2"))


@functools.cache
def row_bomb(rows: int = 10_000_000, lie: float = 1.0) -> bytes:
    """`rows` rows of one cell each (270 MB of XML for 10 million) in a ~300 KB file; the
    rows carry no r= so that every one is the same bytes."""
    head = f'<worksheet xmlns="{MAIN}"><dimension ref="A1:B2"/><sheetData>{HEADER}'.encode()
    body = b"<row><c><v>1</v></c></row>"
    sheet = Deflated.of([(head, 1), (body, rows), (b"</sheetData></worksheet>", 1)])
    return workbook(sheet, lie=lie)


@functools.cache
def huge_cell(size: int = 300_000_000, lie: float = 1.0) -> bytes:
    """One inline string of `size` characters (300 MB in a ~300 KB file)."""
    head = f'<worksheet xmlns="{MAIN}"><sheetData>{HEADER}<row r="2">'.encode()
    head += cell_xml("A2", "inlineStr", "a").encode() + b'<c r="B2" t="inlineStr"><is><t>'
    tail = b"</t></is></c></row></sheetData></worksheet>"
    return workbook(Deflated.of([(head, 1), (b"x", size), (tail, 1)]), lie=lie)


def external_entity(url: str) -> bytes:
    """XXE: a DTD whose entity is the sentinel file, used in a cell."""
    doctype = f'<!DOCTYPE worksheet [<!ENTITY xxe SYSTEM "{url}">]>'
    row = '<row r="2">' + cell_xml("A2", "inlineStr", "&xxe;") + cell_xml("B2", "n", "1")
    return workbook(sheet_xml(HEADER + row + "</row>", doctype=doctype))


@functools.cache
def entity_laughs() -> bytes:
    """Internal entities that expand to 10^9 characters ("billion laughs" in XML)."""
    entities = '<!ENTITY l0 "lollollollol">' + "".join(
        f'<!ENTITY l{i} "{f"&l{i - 1};" * 10}">' for i in range(1, 9)
    )
    row = '<row r="2">' + cell_xml("A2", "inlineStr", "&l8;") + cell_xml("B2", "n", "1")
    return workbook(sheet_xml(HEADER + row + "</row>", doctype=f"<!DOCTYPE w [{entities}]>"))


# --- the strategy ------------------------------------------------------------------------------

REFS = ["A1", "B2", "XFD1048576", "A1048576", "XFD1", "XFE1", "A1048577", "A0", "1A", "",
        "AAAAAAAA1", "A99999999999", "a2", "B-1", None]  # fmt: skip
DIMENSIONS = [None, "A1:B3", "A1", "A1:XFD1048576", "B2:A1", "", "A1:B2:C3", "ZZZZZZ99999999",
              "A1:A1048577"]  # fmt: skip
NUMBERS = ["1", "-0", "1e15", "1e16", "1e400", "-1e400", "nan", "inf", "abc", "", "0x10",
           "1" * 400, "2.5"]  # fmt: skip
TEXTS = ["a", "", "..", "&amp;", "&#0;", "&#x1F600;", "\u202e", "x" * 40_000, "&undefined;",
         "]]>", "<", "&lt;b&gt;"]  # fmt: skip


def rarely(draw, common, odd: list, one_in: int = 8):
    """`common` most of the time, one of `odd` one time in `one_in`."""
    return draw(st.sampled_from(odd)) if draw(st.integers(1, one_in)) == 1 else common


@st.composite
def cells(draw, row: int, column: int) -> str:
    letter = "ABCDEFGH"[column] if column < 8 else "Z"
    ref = rarely(draw, f"{letter}{row}", REFS, 10)
    kind = draw(st.sampled_from(["n", "n", "n", "inlineStr", "inlineStr", "s", "b", "e", "str",
                                 "d", "-"]))  # fmt: skip
    if kind == "s":
        value = rarely(draw, draw(st.sampled_from(["0", "1"])), ["2", "-1", "99", "4294967296",
                                                                  "x", ""])  # fmt: skip
    elif kind == "inlineStr":
        value = draw(st.sampled_from(TEXTS))
    elif kind == "b":
        value = draw(st.sampled_from(["0", "1", "2", "true", ""]))
    elif kind == "d":
        value = draw(st.sampled_from(["2020-01-31", "9999-99-99", "2020-01-31T25:00:00", "x"]))
    elif kind == "e":
        value = draw(st.sampled_from(["#DIV/0!", "#N/A", "#REF!"]))
    else:
        value = rarely(draw, draw(st.sampled_from(["1", "2.5", "-0", "1e15"])), NUMBERS, 4)
    return cell_xml(ref, kind, value)


@st.composite
def xlsx_files(draw) -> tuple[bytes, ReadOptions]:
    """(the workbook's bytes, the options datasets.yaml declares for it)."""
    kind = rarely(draw, "sheet", ["bomb", "huge", "entities", "far"], 5)
    name = rarely(draw, "Data", ["", "x" * 40, "a/b", "&amp;", "Data"])
    options = ReadOptions(
        sheet=rarely(draw, "Data" if kind != "sheet" else name, ["Other", "Data", ""]),
        header=rarely(draw, (1,), [(1, 2), (3,), (2_000_000,)]),
        na=draw(st.sampled_from([(), ("..",)])),
        thousands=draw(st.sampled_from([None, ","])),
        end=draw(st.sampled_from([None, "blank-row"])),
    )
    if kind == "bomb":  # (a bomb whose zip headers lie is a test of its own: it is slow)
        return Blob(row_bomb(draw(st.sampled_from([1_000, 1_100_000, 10_000_000])))), options
    if kind == "huge":
        return Blob(huge_cell(draw(st.sampled_from([1_000, 3_000_000, 300_000_000])))), options
    if kind == "entities":
        book = draw(st.sampled_from([external_entity("file:///etc/hostname"), entity_laughs()]))
        return Blob(book), options
    if kind == "far":
        return Blob(draw(st.sampled_from([far_cell(), far_cell_small_dimension()]))), options
    rows = [HEADER]
    count = draw(st.integers(0, 5))
    for number in range(2, 2 + count):
        row_ref = rarely(draw, str(number), ["", "0", "1048577", "x", "1"], 10)
        attribute = f' r="{row_ref}"' if row_ref else ""
        body = "".join(draw(cells(number, c)) for c in range(draw(st.integers(0, 4))))
        rows.append(f"<row{attribute}>{body}</row>")
    strings = rarely(draw, ["name", "value"], [None, [], ["x" * 100_000]], 4)
    truthful = f"A1:D{max(count + 1, 1)}"
    dimension = rarely(draw, draw(st.sampled_from([truthful, None])), DIMENSIONS, 4)
    parts = ["xl/workbook.xml", "xl/worksheets/sheet1.xml", "_rels/.rels", "[Content_Types].xml",
             "xl/_rels/workbook.xml.rels"]  # fmt: skip
    drop = rarely(draw, (), [(part,) for part in parts], 10)
    data = workbook(sheet_xml("".join(rows), dimension), strings, name, drop)
    damage = rarely(draw, "none", ["truncate", "flip"], 10)
    if damage == "truncate":
        data = data[: draw(st.integers(4, len(data)))]
    elif damage == "flip":
        at = draw(st.integers(0, len(data) - 1))
        data = data[:at] + bytes([data[at] ^ 0xFF]) + data[at + 1 :]
    return Blob(data), options
