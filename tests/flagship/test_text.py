"""The built flagship holds the whole published text: every paragraph, heading and footnote
of tests/fixtures/A-67-254.txt (the UN's extracted text) is in both the PDF and the HTML."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest

from tests.conftest import FIXTURES
from tests.pdftext import page_texts, squash

SUPERSCRIPTS = str.maketrans("⁰¹²³⁴⁵⁶⁷⁸⁹", "0123456789")

# Where the build deliberately differs from the published text: cross-references that the
# source got wrong and reporter resolves from labels (see docs/source-errata.md).
CORRECTIONS = {
    "(see paras. 60-64 below)": "(see paras. 60-68 below)",
    "(see paras. 69-73 below)": "(see paras. 73-76 below)",
    "Section I of the present report": "Section II of the present report",
    "Section II synthesizes": "Section III synthesizes",
    "Section III contains proposals": "Section IV contains proposals",
    # the extraction lost the curly quotes of two footnotes
    '"Remittance prices worldwide"': "“Remittance prices worldwide”",
    '"International migration from a regional and interregional perspective"':
        "“International migration from a regional and interregional perspective”",
}  # fmt: skip


def _clean(line: str) -> str:
    line = line.translate(SUPERSCRIPTS).replace("\\$", "$").replace("*", "")
    for wrong, right in CORRECTIONS.items():
        line = line.replace(wrong, right)
    return squash(line)


def source_pieces() -> tuple[list[str], dict[int, str]]:
    """Body text pieces (paragraph parts between page breaks, headings, annex lines) and the
    footnotes by number, from the published text. Masthead and tables are tested elsewhere."""
    lines = (FIXTURES / "A-67-254.txt").read_text(encoding="utf-8").splitlines()
    start = lines.index("Summary")
    pieces, notes, skip_next = [], {}, False
    for raw in lines[start + 1 :]:
        line = raw.strip()
        if skip_next:
            skip_next = False
            continue
        if not line or "\t" in line or line.startswith(("Note:", "^a")):
            continue
        if re.fullmatch(r"Table \d+", line):
            skip_next = True  # the title line follows
            continue
        if line.startswith("* A/67/150"):
            continue
        if m := re.match(r"([¹²³⁴⁵⁶⁷⁸⁹⁰]+) (.*)", line):
            notes[int(m[1].translate(SUPERSCRIPTS))] = _clean(m[2])
            continue
        pieces.append(_clean(line.removeprefix("- ")))
    return pieces, notes


def pdf_body(pdf, notes: dict[int, str], symbol: str) -> str:
    """The PDF's text in reading order without running heads, page numbers and footnotes."""
    body = []
    for text in page_texts(pdf):
        lines = text.split("\n")
        while lines and (lines[-1] == symbol or re.fullmatch(r"\d+/\d+", lines[-1])):
            lines.pop()
        page = squash(" ".join(lines)).replace("* A/67/150.", " ")
        for number, note in notes.items():
            page = page.replace(f"{number} {note}", " ")
        body.append(page)
    return squash(" ".join(body))


@pytest.fixture(scope="module")
def source():
    return source_pieces()


def test_source_fixture_is_complete(source):
    pieces, notes = source
    assert sorted(notes) == list(range(1, 20))
    numbered = [p for p in pieces if re.match(r"\d+\. ", p)]
    assert [int(p.split(".")[0]) for p in numbered] == list(range(1, 89))


def test_pdf_holds_every_paragraph_heading_and_line(built, source):
    pieces, notes = source
    body = pdf_body(built.pdf, notes, "A/67/254")
    missing = [p for p in pieces if p not in body]
    assert missing == []


def test_pdf_holds_every_footnote(built, source):
    _, notes = source
    whole = squash(" ".join(page_texts(built.pdf)))
    assert [n for n, text in notes.items() if f"{n} {text}" not in whole] == []


class _Reader(HTMLParser):
    """The text a browser shows: without the print-only footnote bodies, styles and SVG."""

    HIDDEN = ("footnote", "style", "svg")

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self.stack: list[bool] = []

    def handle_starttag(self, tag, attrs):
        if tag in ("td", "th", "p", "li", "div", "br", "h2", "h3", "h4"):
            self.parts.append(" ")  # a browser separates cells and blocks
        if tag in ("br", "meta", "link", "img", "input"):
            return
        classes = (dict(attrs).get("class") or "").split()
        hidden = tag in self.HIDDEN or "footnote" in classes
        self.stack.append(hidden or (bool(self.stack) and self.stack[-1]))

    def handle_endtag(self, tag):
        if self.stack:
            self.stack.pop()

    def handle_data(self, data):
        if not (self.stack and self.stack[-1]):
            self.parts.append(data)


def html_text(path) -> str:
    reader = _Reader()
    reader.feed(path.read_text(encoding="utf-8"))
    return squash("".join(reader.parts))


def test_html_holds_every_paragraph_and_footnote(built, source):
    pieces, notes = source
    text = html_text(built.html)
    assert [p for p in pieces if p not in text] == []
    assert [n for n, note in notes.items() if note not in text] == []


def test_masthead(built):
    first = squash(page_texts(built.pdf)[0])
    for expected in (
        "United Nations A/67/254",
        "General Assembly",
        "Distr.: General",
        "3 August 2012",
        "Original: English",
        "Sixty-seventh session",
        "Item 22 of the provisional agenda*",
        "Globalization and interdependence",
        "International migration and development",
        "Report of the Secretary-General",
        "Summary",
        "* A/67/150.",
    ):
        assert expected in first
