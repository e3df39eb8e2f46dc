"""The pages of a PDF against what the build recorded of them in the manifest it carries
(export/pagetext.py `page_records`): every page and all its text is accounted for.

- The pages: as many as the manifest records, in its order; each page drawn as the build
  drew it (its digest: content, fonts, images, size); a page that is another page of the
  document (moved, repeated) or that the build did not make is named.
- Its text: all of it in the document's structure (marked content an element of the
  structure tree holds) or furniture (marked /Artifact); none drawn invisible; the furniture
  as the build drew it (running heads, page numbers, repeated table heads); the text that is
  not in the content, as the theme printed it (labels, numbers, the date); the content's own
  text (export/pagetext.py `compare`); no annotation that draws over the page.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from reporter.check.run import Finding
from reporter.errors import Location
from reporter.export.pagetext import Unit, compare, fold, furniture_texts, theme_texts
from reporter.export.readback import (
    MAX_PAGES,
    PageDigest,
    PdfFile,
    TextRun,
    document_runs,
    page_content_texts,
    shown,
)

SHOWN_PER_PAGE = 5  # findings of one kind on one page, at most


@dataclass
class ReadPages:
    count: int  # how many pages the PDF has, counted up to MAX_PAGES + 1
    digests: list[PageDigest]  # of the pages read: those the manifest records, and one more
    runs: list[TextRun]
    marked: list[set[int] | None]  # per page read, the marked-content ids its structure holds


def read_pages(pdf: PdfFile, recorded: int) -> ReadPages:
    """The pages the manifest records and the next one (to name it): walked within bounds,
    digested, and read by pdfium; the rest counted, not read."""
    pages, count = pdf.pages(recorded + 1)
    digests = pdf.digests(pages)
    marked = pdf.marked_ids(pages)
    document = pdf.pdfium(pages)
    try:
        runs = document_runs(document, pdf.shown)
    finally:
        document.close()
    return ReadPages(count, digests, runs, marked)


def page_findings(
    pdf: Path, read: ReadPages, recorded: list[dict], body: list[Unit], notes: list[Unit],
    right_to_left: bool,
) -> list[Finding]:  # fmt: skip
    """Every way the pages differ from the build's record and the content, by page. A page
    that is another of the build's is named as such; what its move breaks in the text of it
    and of the pages around it (a paragraph that ran onto the next page) is not."""
    pages = min(read.count, len(recorded))
    texts = page_content_texts(read.runs, pages)
    moved = _moved(pdf, read, recorded, pages)
    moved_pages = {int(f.place.split()[1]) for f in moved}
    around = {n + step for n in moved_pages for step in (-1, 0, 1)}
    mismatches = [m for m in compare(texts, body, notes, right_to_left) if m.page not in around]
    unread = {m.page for m in mismatches} | around  # their own text and the theme's follow
    theme = theme_texts(texts, body, notes, right_to_left)
    furniture = furniture_texts(read.runs, pages)
    found = _count(pdf, read, len(recorded)) + moved
    if pages and all(held is None for held in read.marked):
        why = "the PDF has no structure tree (the build makes one): its text is held by no element"
        found.append(_finding(pdf, "page 1", _opening(read, 0), why))
    for index in range(pages):
        if index + 1 in moved_pages:
            continue
        on_page = _structure(pdf, read, index) + _drawn(pdf, read, index)
        named = [fold(f.text)[0] for f in on_page]  # not named again as furniture or theme
        on_page += _texts(pdf, index, furniture[index], recorded[index]["furniture"], named,
                          "furniture (an artifact) the build did not draw there",
                          "furniture the build drew there is gone")  # fmt: skip
        if index + 1 not in unread:
            on_page += _texts(pdf, index, theme[index], recorded[index]["theme"], named,
                              "not in the content, nor text the theme printed there",
                              "printed there by the build, gone from the page")  # fmt: skip
        if not on_page and index + 1 not in unread:
            on_page += _redrawn(pdf, read, recorded, index)
        found += on_page
    return found + [_unread(pdf, m) for m in mismatches]


def _count(pdf: Path, read: ReadPages, recorded: int) -> list[Finding]:
    if read.count == recorded:
        return []
    if read.count < recorded:
        return [_finding(pdf, f"page {read.count + 1}", f"page {read.count + 1}",
                         f"missing: the PDF has {read.count:,} pages, its manifest records "
                         f"{recorded:,}")]  # fmt: skip
    many = f"more than {MAX_PAGES:,}" if read.count > MAX_PAGES else f"{read.count:,}"
    return [_finding(pdf, f"page {recorded + 1}", _opening(read, recorded),
                     f"a page the build did not make: the PDF has {many} pages, its manifest "
                     f"records {recorded:,}")]  # fmt: skip


def _moved(pdf: Path, read: ReadPages, recorded: list[dict], pages: int) -> list[Finding]:
    """Pages that are another page the build made: moved, repeated."""
    where = {page["sha256"]: number for number, page in enumerate(recorded, start=1)}
    found = []
    for index in range(pages):
        digest = read.digests[index].sha256
        if digest != recorded[index]["sha256"] and digest in where:
            found.append(_finding(pdf, f"page {index + 1}", _opening(read, index),
                                  f"the build's page {where[digest]}: pages moved or repeated "
                                  "after the build"))  # fmt: skip
    return found


def _structure(pdf: Path, read: ReadPages, index: int) -> list[Finding]:
    """Text drawn outside the document's structure: neither an artifact nor marked content
    that an element of the structure tree holds."""
    held = read.marked[index]
    if all(marked is None for marked in read.marked):
        return []  # no structure tree at all: said once
    outside = [
        run.text
        for run in read.runs
        if run.page == index and "Artifact" not in run.marks and run.text.strip()
        and (held is None or run.mcid not in held)
    ]  # fmt: skip
    return [
        _finding(pdf, f"page {index + 1}", shown(text),
                 "drawn outside the document's structure (no element of its structure tree "
                 "holds it, and it is not marked as furniture)")
        for text in outside[:SHOWN_PER_PAGE]
    ]  # fmt: skip


def _drawn(pdf: Path, read: ReadPages, index: int) -> list[Finding]:
    """Text drawn invisible, and annotations that may draw over the page."""
    hidden = [r.text for r in read.runs if r.page == index and not r.visible and r.text.strip()]
    found = [
        _finding(pdf, f"page {index + 1}", shown(text), "drawn invisible")
        for text in hidden[:SHOWN_PER_PAGE]
    ]
    return found + [
        _finding(pdf, f"page {index + 1}", kind,
                 "an annotation the build does not make: it may draw over the page")
        for kind in read.digests[index].annotations[:SHOWN_PER_PAGE]
    ]  # fmt: skip


def _texts(
    pdf: Path, index: int, printed: list[str], recorded: list[str], named: list[str],
    extra: str, gone: str,
) -> list[Finding]:  # fmt: skip
    """The texts of a page against those the build recorded there, as the check folds text;
    text with a finding of its own already (`named`, folded) is not named again."""
    keys = [fold(text)[0] for text in printed]
    left = Counter(fold(text)[0] for text in recorded) - Counter(keys)
    more = Counter(keys) - Counter(fold(text)[0] for text in recorded)
    found, extras = [], []
    for text, key in zip(printed, keys, strict=True):
        if more[key] > 0:
            more[key] -= 1
            extras.append(key)
            if not any(name and name in key for name in named):
                found.append(_finding(pdf, f"page {index + 1}", shown(text), extra))
    for text in recorded:  # gone, unless it is part of a longer text named already
        key = fold(text)[0]
        if left[key] > 0 and not any(key in longer for longer in extras + named):
            left[key] -= 1
            found.append(_finding(pdf, f"page {index + 1}", shown(text), gone))
    return found[:SHOWN_PER_PAGE]


def _redrawn(pdf: Path, read: ReadPages, recorded: list[dict], index: int) -> list[Finding]:
    if read.digests[index].sha256 == recorded[index]["sha256"]:
        return []
    return [_finding(pdf, f"page {index + 1}", _opening(read, index),
                     "drawn differently from the page the build made (its text reads the same: "
                     "its drawing, a font, an image or its size changed)")]  # fmt: skip


def _opening(read: ReadPages, index: int) -> str:
    """The first words of a page, to recognise it by."""
    words = " ".join(run.text for run in read.runs if run.page == index).split()
    return shown(" ".join(words[:12]), 80) or f"page {index + 1}"


def _unread(pdf: Path, mismatch) -> Finding:
    """A place whose text the pages do not print as the content has it."""
    if not mismatch.printed:
        where = f"page {mismatch.page}" if mismatch.page else "any page"
        return _finding(
            pdf, mismatch.place, mismatch.expected, f"not on {where} as the content has it"
        )
    return _finding(pdf, f"page {mismatch.page}, {mismatch.place}", mismatch.printed,
        f"the page does not read as its content, which has “{mismatch.expected}”")  # fmt: skip


def _finding(pdf: Path, place: str, text: str, message: str) -> Finding:
    return Finding("fail", text, Location(pdf), place, message=message, kind="evidence")
