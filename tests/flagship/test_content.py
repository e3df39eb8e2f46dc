"""The flagship's content model: its 88 numbered paragraphs, sections and subsections,
footnotes numbered by first call, and cross-references resolved from labels, following a
paragraph moved."""

from __future__ import annotations

import pytest

from reporter.content.inline import FootnoteCall, plain_text, walk
from reporter.content.model import Paragraph
from reporter.pipeline import load
from reporter.project import Project


@pytest.fixture(scope="module")
def doc(flagship):
    return load(flagship)


def paragraph(doc, number: int) -> Paragraph:
    return next(p for _, p in doc.paragraphs() if p.number == number)


def test_88_numbered_paragraphs_in_order(doc):
    numbers = [p.number for _, p in doc.paragraphs() if p.numbered]
    assert numbers == list(range(1, 89))
    summary = [p for part, p in doc.paragraphs() if part.kind == "summary"]
    assert len(summary) == 5 and all(p.number is None for p in summary)


def test_sections_and_subsections_are_numbered(doc):
    sections = [p for p in doc.parts if p.kind == "section"]
    assert [s.number for s in sections] == ["I", "II", "III", "IV", "V"]
    assert [s.number for s in sections[1].subsections] == ["II.A", "II.B", "II.C", "II.D", "II.E"]
    assert [s.numeral for s in sections[3].subsections][-1] == "H."


def test_footnotes_numbered_by_first_call_and_reused(doc):
    assert sorted(n.number for n in doc.footnotes.values()) == list(range(1, 20))
    calls = {
        p.number: [(c.number, c.first) for c in _calls(p)] for _, p in doc.paragraphs() if p.number
    }
    assert calls[4] == [("1", True)]
    assert calls[5] == [("2", True)]
    assert calls[14] == [("2", False)]  # footnote 2 called again: same number, no new note
    assert calls[28] == [("13", True), ("14", True), ("3", False), ("4", False)]


def _calls(p):
    return [n for n in walk(p.inlines) if isinstance(n, FootnoteCall)]


def test_cross_references_resolve_to_labels(doc):
    assert "(see table 1)" in plain_text(paragraph(doc, 7).inlines)
    assert "(see table 2)" in plain_text(paragraph(doc, 40).inlines)
    assert "(see annex)" in plain_text(paragraph(doc, 48).inlines)
    # the source printed 60-64 and 69-73; the labelled paragraphs are these:
    assert "(see paras. 60-68 below)" in plain_text(paragraph(doc, 55).inlines)
    assert "(see paras. 73-76 below)" in plain_text(paragraph(doc, 59).inlines)
    summary = [plain_text(p.inlines) for part, p in doc.paragraphs() if part.kind == "summary"]
    assert summary[1].startswith("Section II of the present report")


def test_references_follow_moved_paragraphs(copy_flagship):
    path = copy_flagship / "content/04-high-level-dialogue.yaml"
    text = path.read_text(encoding="utf-8")
    # insert a paragraph at the start of section IV: every later number shifts by one
    text = text.replace("blocks:\n", "blocks:\n  - p: An inserted paragraph.\n", 1)
    path.write_text(text, encoding="utf-8")
    doc = load(Project.at(copy_flagship))
    assert "(see paras. 61-69 below)" in plain_text(paragraph(doc, 56).inlines)
    assert "(see paras. 74-77 below)" in plain_text(paragraph(doc, 60).inlines)
