"""The PDF's text against its content: every heading, paragraph, footnote and table row of
the document, as computed again from the attached content and data, must stand in the text
of the pages, so that a page edited after the build (one number changed) is caught; and what
the build records of each page for the check (`page_records`): its digest, the text drawn
as furniture (artifacts), and the text the theme printed that is not in the content.

Text is compared without spaces, line breaks, hyphenation points and case (the layout's
choices, not the author's), and with compatibility forms folded (ligatures). Footnotes are
found anywhere (they float to the foot of a page, inside a paragraph split by the page
break); the rest in reading order, then anywhere (a table that moved to the next page).
"""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_left, bisect_right
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from reporter.content.inline import plain_text
from reporter.content.model import Document, Heading, Paragraph, Schedule, TableBlock, place
from reporter.export.readback import (
    MAX_PAGES,
    PdfFile,
    TextRun,
    document_runs,
    page_content_texts,
)

# what a layout adds or removes: soft hyphens (pdfium reads them as U+0002 or U+FFFE),
# zero-width spaces and joiners, and every kind of space
_LAYOUT = re.compile(r"[\s\x00-\x1f\u00ad\ufffe\ufeff\u200b-\u200f\u2060]+")
# a hyphen between letters is left out: a line broken inside a word, or a compound whose
# hyphen pdfium drops at the end of a run ("SouthSouth"); a minus before a digit is kept
_HYPHENS = str.maketrans({"\u2010": "-", "\u2011": "-"})
_WORD = re.compile(r"[^\W_]+(?:[.,\u066b\u066c][^\W_]+)*")  # 1,084.2 and ١٬٠٨٤٫٢ whole
MIN_ANCHOR = 8  # characters of a unit that place it in the pages, for the report
# what the theme prints of content/document.yaml above the text, as written there
MASTHEAD = ("symbol", "organ", "distribution", "original", "session")  # then the agenda's
MASTHEAD_GAP = 120  # characters between two of them at most (a date, an agenda item)


@dataclass
class Unit:
    place: str  # "para. 5", "footnote 3", "Table 1, row total"
    text: str
    first_page: bool = False  # looked for on the first page only (the masthead's short texts)


@dataclass
class Mismatch:
    place: str
    page: int  # 1-based; 0 when the unit is nowhere in the pages
    printed: str  # the words as the PDF prints them
    expected: str  # the words as the content has them


def units(doc: Document, tables: dict) -> tuple[list[Unit], list[Unit]]:
    """(body in reading order, footnotes) of the document as it was computed: the
    masthead's texts first, then every part."""
    meta, agenda = doc.meta, doc.meta.get("agenda") or {}
    fields = [(key, meta.get(key)) for key in MASTHEAD] + [("agenda", agenda.get("title"))]
    fields += [(key, meta.get(key)) for key in ("title", "subtitle")]
    body = [Unit(f"masthead, {key}", str(text), True) for key, text in fields if text]
    for part, holder, block in doc.walk():
        where = place(part, holder, block)
        if block is None:
            body.append(Unit(where, plain_text(holder.title)))
        elif isinstance(block, (Paragraph, Heading)):
            body.append(Unit(where, plain_text(block.inlines)))
        elif isinstance(block, TableBlock) and block.id in tables:
            body += _table_units(where, tables[block.id])
        elif isinstance(block, Schedule):
            body.append(Unit(f"{where}, schedule", plain_text(block.title)))
            for number, item in enumerate(block.items, start=1):
                times = [Unit(f"{where}, schedule item {number}", item.time)] if item.time else []
                body += [*times, Unit(f"{where}, schedule item {number}", plain_text(item.inlines))]
    notes = [
        Unit(f"footnote {n.number}", f"{n.number} {plain_text(n.inlines)}")
        for n in sorted(doc.footnotes.values(), key=lambda n: n.number)
        if n.number
    ]
    if note := doc.meta.get("agenda", {}).get("note"):  # the masthead's starred note
        notes.append(Unit("footnote *", f"* {note}"))
    return [u for u in body if u.text.strip()], [u for u in notes if u.text.strip()]


def _table_units(where: str, table) -> list[Unit]:
    """The title, then each row as the theme prints it: its stub (a label, or the label
    of a total over the stub columns), then its cells."""
    found = [Unit(where, plain_text(table.spec.title))]
    for row in table.rows:
        cells = [cell.text for cell in row.cells]
        if table.spec.stub is not None:
            label = table.label_inlines.get(row.id)
            cells.insert(0, plain_text(label) if label is not None else row.label)
        elif row.style:
            cells[: table.stub_columns] = [row.label]
        found.append(Unit(f"{where}, row {row.id}", " ".join(cells)))
    return found


class PageText:
    """The pages' text, normalised and joined, with a way back to each page and word."""

    def __init__(self, pages: list[str]) -> None:
        self.original = "\n".join(pages)
        self.text, self.index = fold(self.original)
        starts, at = [], 0
        for page in pages:
            starts.append(at)
            at += len(page) + 1
        self.page_starts = starts

    def page(self, position: int) -> int:
        at = self.index[min(position, len(self.index) - 1)] if self.index else 0
        return bisect_right(self.page_starts, at)


def fold(text: str) -> tuple[str, list[int]]:
    """`text` without layout characters, case-folded; and each kept character's offset."""
    text = text.translate(_HYPHENS)
    kept, index = [], []
    for run in _SCRIPTS.finditer(text):
        start, part = run.start(), run.group()
        if part.isascii():  # most text, a run at a time: NFKC leaves it, casefold lowers it
            at = [start + i for i, char in enumerate(part) if char > " "]  # not layout
            if "-" in part:
                at = [i for i in at if text[i] != "-" or not _hyphen_in_word(text, i)]
            kept.append("".join(map(text.__getitem__, at)).lower())
            index += at
            continue
        for offset, char in enumerate(part, start):
            if _LAYOUT.fullmatch(char):
                continue
            for folded in unicodedata.normalize("NFKC", char).casefold():
                kept.append(folded)
                index.append(offset)
    return "".join(kept), index


_SCRIPTS = re.compile(r"[\x00-\x7f]+|[^\x00-\x7f]+")  # runs of ASCII, runs of the rest


def _hyphen_in_word(text: str, at: int) -> bool:
    before = text[max(at - 40, 0) : at].rstrip()[-1:]  # a window: linear in the text's length
    after = text[at + 1 : at + 40].lstrip()[:1]
    return before.isalpha() and after.isalpha()


def compare(
    pages: list[str], body: list[Unit], notes: list[Unit], right_to_left: bool = False
) -> list[Mismatch]:
    """Every unit that does not stand in the pages' text, with where it parts from it.
    Right-to-left text is extracted in visual order where scripts mix (a Latin name in an
    Arabic sentence), so there each unit's words and numbers are looked for instead."""
    if right_to_left:
        return _compare_words(pages, [*body, *notes])
    reading = _Reading(pages, body, notes)
    return [
        Mismatch(u.place, 1, "", u.text)
        if u.first_page
        else _mismatch(u, reading.text, reading.joined, reading.positions)
        for u in reading.missing
    ]


class _Reading:
    """The units found in the pages' text: footnotes anywhere (taken out where they stand),
    the masthead's texts in order on the first page, the rest in order, then anywhere; and
    which characters of the text they cover."""

    def __init__(self, pages: list[str], body: list[Unit], notes: list[Unit]) -> None:
        text = self.text = PageText(pages)
        self.covered = bytearray(len(text.text))
        self.missing = []
        for unit in notes:
            wanted = fold(unit.text)[0]
            at = text.text.find(wanted)
            if at < 0:
                self.missing.append(unit)
                continue
            text.text = text.text[:at] + "\0" * len(wanted) + text.text[at + len(wanted) :]
            self.covered[at : at + len(wanted)] = b"\1" * len(wanted)
        self.joined, self.positions = _without_blanks(text)
        first_page = bisect_left(self.positions, len(fold(pages[0])[0])) if pages else 0
        cursor = masthead = 0
        for unit in body:
            wanted, _ = fold(unit.text)
            if unit.first_page:  # in order, each close after the last: "General Assembly" is
                end = min(first_page, masthead + MASTHEAD_GAP + len(wanted))  # in the text too
                at = self.joined.find(wanted, masthead, end)
                masthead = at + len(wanted) if at >= 0 else masthead
            else:
                at = self.joined.find(wanted, cursor)
                at = self.joined.find(wanted) if at < 0 else at
                cursor = at + len(wanted) if at >= 0 else cursor
            if at < 0:
                self.missing.append(unit)
            for position in self.positions[at : at + len(wanted)] if at >= 0 else ():
                self.covered[position] = 1

    def uncovered(self) -> list[list[str]]:
        """Per page, each stretch of text no unit covers, as printed (spaces made single)."""
        text = self.text
        found: list[list[str]] = [[] for _ in text.page_starts]
        start = None
        for at in range(len(self.covered) + 1):
            ends = at == len(self.covered) or self.covered[at]
            ends = ends or (start is not None and text.page(at) != text.page(start))
            if ends and start is not None:
                printed = text.original[text.index[start] : text.index[at - 1] + 1]
                found[text.page(start) - 1].append(" ".join(printed.split()))
                start = None
            if start is None and at < len(self.covered) and not self.covered[at]:
                start = at
        return found


def theme_texts(
    pages: list[str], body: list[Unit], notes: list[Unit], right_to_left: bool = False
) -> list[list[str]]:
    """Per page, the text that is not in the content: what the theme printed of its own (the
    numbers of paragraphs, sections and notes, labels, column heads, the date), each stretch
    between two units of the content as printed. Right to left: each word no unit has."""
    if not right_to_left:
        return _Reading(pages, body, notes).uncovered()
    left = Counter(word for unit in [*body, *notes] for word in words(unit.text))
    found = []
    for page in pages:
        kept = []
        for word in words(page):
            if left[word] > 0:
                left[word] -= 1
            else:
                kept.append(word)
        found.append(kept)
    return found


def _compare_words(pages: list[str], every: list[Unit]) -> list[Mismatch]:
    printed = Counter(word for page in pages for word in words(page))
    found = []
    for unit in every:
        missing = Counter(words(unit.text)) - printed
        if missing:
            found.append(Mismatch(unit.place, 0, "", " ".join(sorted(missing))))
    return found


def words(text: str) -> list[str]:
    """The words and numbers of a text (a number whole, with its separators), case-folded."""
    folded = unicodedata.normalize("NFKC", text.translate(_HYPHENS)).casefold()
    return _WORD.findall(folded)


def _without_blanks(text: PageText) -> tuple[str, list[int]]:
    """The text with the footnotes taken out, and each character's position in text.text."""
    positions = [i for i, char in enumerate(text.text) if char != "\0"]
    return "".join(text.text[i] for i in positions), positions


def _mismatch(unit: Unit, text: PageText, joined: str, positions: list[int]) -> Mismatch:
    """Where the unit parts from the pages: after the longest start of it they print."""
    wanted, wanted_index = fold(unit.text)
    lo, hi = 0, len(wanted)  # the longest prefix found: a binary search, prefixes nest
    while lo < hi:
        mid = (lo + hi + 1) // 2
        lo, hi = (mid, hi) if joined.find(wanted[:mid]) >= 0 else (lo, mid - 1)
    if lo < MIN_ANCHOR:
        return Mismatch(unit.place, 0, "", _words(unit.text, 0))
    parted = joined.find(wanted[:lo]) + lo
    page_at = positions[min(parted, len(positions) - 1)]
    return Mismatch(
        unit.place,
        text.page(page_at),
        _words(text.original, text.index[page_at]),
        _words(unit.text, wanted_index[min(lo, len(wanted_index) - 1)]),
    )


def _words(text: str, at: int, around: int = 3) -> str:
    """A few words either side of `at`: enough to find the place, short enough to read."""
    before = text[:at].split()[-around:]
    after = text[at:].split()[:around]
    glue = "" if (at < len(text) and not text[at].isspace() and before and at > 0
                  and not text[at - 1].isspace()) else " "  # fmt: skip
    return (" ".join(before) + glue + " ".join(after)).strip()


def page_records(
    pdf: bytes, body: list[Unit], notes: list[Unit], right_to_left: bool = False
) -> list[dict]:
    """What the manifest records of each page of a PDF the build rendered, in order: its
    digest (export/readback.py), the text drawn as artifacts (running heads, page numbers,
    repeated table heads), the text the theme printed that is not in the content."""
    with PdfFile(pdf, Path("the rendered PDF")) as file:
        pages, _ = file.pages(MAX_PAGES)
        digests = file.digests(pages)
        document = file.pdfium(pages)
        try:
            runs = document_runs(document, file.shown)
        finally:
            document.close()
    theme = theme_texts(page_content_texts(runs, len(pages)), body, notes, right_to_left)
    furniture = furniture_texts(runs, len(pages))
    return [
        {"sha256": digest.sha256, "furniture": drawn, "theme": printed}
        for digest, drawn, printed in zip(digests, furniture, theme, strict=True)
    ]


def furniture_texts(runs: list[TextRun], pages: int) -> list[list[str]]:
    """Per page, the text of each of its text objects marked /Artifact, spaces made single."""
    found: list[list[str]] = [[] for _ in range(pages)]
    for run in runs:
        text = " ".join(run.text.split())
        if "Artifact" in run.marks and text and run.page < pages:
            found[run.page].append(text)
    return found
