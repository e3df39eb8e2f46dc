"""Hostile but plausible CSV files: a header and rows, as published files have them, made
wrong in the ways files are — odd encodings and BOMs, NULs, huge and quoted fields, ragged
rows, `..` and empty cells, numbers like 1e400, mixed line ends — with read options to match.
"""

from __future__ import annotations

import codecs

from hypothesis import strategies as st

from reporter.data.readers import ReadOptions
from tests.hostile.checks import Blob

NUMBERS = ["1", "-3.5", "0", "1e400", "-1e400", "1e15", "1e16", "999999999999999999999",
           "nan", "NaN", "inf", "-Infinity", "1,000", "1.000,5", "0x1f", "1_000", " 12 ",
           "\u0661\u0662", "+5", "5-", "1e-400", "4" * 400, "1.5e308", "(3)", "12%"]  # fmt: skip
TEXTS = ["a", "Europe", "..", "", " ", "-", "\x00", "é", "\u202etxt.exe", "a\nb", 'say "hi"',
         "x,y", "=cmd|' /C calc'!A0", "\ufeff", "\r", "NA", "null", "\t", "\\", "'"]  # fmt: skip
# a huge field's length: > 64 KiB (the header's first read), > MAX_RECORD_CHARS (1,000,000)
HUGE = [1_000, 70_000, 300_000, 1_100_000]
ENDS = ["\n", "\r\n", "\r"]


def quote(cell: str) -> str:
    return '"' + cell.replace('"', '""') + '"'


@st.composite
def cells(draw) -> str:
    kind = draw(st.sampled_from(["number", "number", "text", "quoted"]))
    if kind == "number":
        return draw(st.sampled_from(NUMBERS))
    if kind == "text":
        return draw(st.sampled_from(TEXTS) | st.text(max_size=4))
    return quote(draw(st.sampled_from(TEXTS + NUMBERS)))


@st.composite
def huge_cells(draw) -> str:
    """One field of up to 1.1 million characters: quoted, or an unclosed quote running on."""
    body = draw(st.sampled_from(["x", "\n", '""', ",", "1", "\r\n"])) * draw(st.sampled_from(HUGE))
    return quote(body) if draw(st.booleans()) else '"' + body


@st.composite
def csv_files(draw) -> tuple[bytes, ReadOptions]:
    """(the file's bytes, the options datasets.yaml declares for it)."""
    width = draw(st.integers(1, 6))
    header = [draw(st.sampled_from(["name", "value", "", "name", "a b", '"q"', "x" * 3000,
                                    "\x00", "1990", "é"])) for _ in range(width)]  # fmt: skip
    rows = draw(
        st.lists(
            st.lists(cells(), min_size=max(0, width - 2), max_size=width + 2),  # ragged
            max_size=8,
        )
    )
    if rows and draw(st.integers(0, 2)) == 0:  # one huge field, somewhere
        row = draw(st.integers(0, len(rows) - 1))
        rows[row] = [*rows[row], draw(huge_cells())]
    if draw(st.booleans()):  # a title above, notes and a blank line below, as published
        rows = [["Table 1. Title"], *rows, [""], ["Note: .. = not available"]]
    end = draw(st.sampled_from(ENDS))
    lines = [",".join(header), *(",".join(row) for row in rows)]
    text = end.join(lines) + draw(st.sampled_from(["", end, end * 3]))
    encoding = draw(st.sampled_from(["utf-8", "utf-8", "utf-8-sig", "utf-16", "latin-1",
                                     "cp1252", "ascii", "bogus"]))  # fmt: skip
    written = draw(st.sampled_from(["as declared", "as declared", "utf-8", "utf-16-le",
                                    "latin-1"]))  # fmt: skip
    codec = encoding if written == "as declared" else written
    codec = "utf-8" if codec == "bogus" else codec
    data = text.encode(codec, "replace")
    if draw(st.booleans()):
        data = draw(st.sampled_from([b"", codecs.BOM_UTF8, codecs.BOM_UTF16_LE])) + data
    if draw(st.integers(0, 4)) == 0:  # a stray byte that no UTF-8 has
        at = draw(st.integers(0, len(data)))
        data = (
            data[:at]
            + draw(st.sampled_from([b"\xff", b"\x00", b"\xc3", b"\xed\xa0\x80"]))
            + (data[at:])
        )
    options = ReadOptions(
        header=draw(st.sampled_from([(1,), (1,), (1, 2), (2, 3), (2,), (9,)])),
        na=draw(st.sampled_from([(), ("..",), ("..", "-", "")])),
        thousands=draw(st.sampled_from([None, ",", ".", " "])),
        decimal=draw(st.sampled_from([".", ".", ","])),
        encoding=encoding,
        end=draw(st.sampled_from([None, "blank-row"])),
    )
    return Blob(data), options
