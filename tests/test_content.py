"""The content model: paragraph, section, table and footnote numbering; cross-references;
inline markup; and errors that name the file and line."""

from __future__ import annotations

import pytest

from reporter.content.inline import (
    Emph,
    Figure,
    FootnoteCall,
    Link,
    Ref,
    Str,
    parse_inline,
    plain_text,
)
from reporter.content.model import Paragraph
from reporter.errors import Location, ReportError
from reporter.pipeline import load
from reporter.project import Project

HERE = Location("x.yaml")  # type: ignore[arg-type]


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
    from reporter.content.inline import walk

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


def test_inline_markup():
    nodes = parse_inline(
        "See *Digest*,[^n] [@t], [#t], [a](https://un.org) [46 million]{=q} \\*x", HERE
    )
    kinds = [type(n) for n in nodes]
    assert kinds == [Str, Emph, Str, FootnoteCall, Str, Ref, Str, Ref, Str, Link, Str, Figure, Str]
    assert nodes[5].with_kind and not nodes[7].with_kind
    assert nodes[11].text == "46 million" and nodes[11].quantities == ["q"]
    assert nodes[-1].text == " *x"


def test_figure_bindings():
    (one,) = parse_inline("[5]{=corridors.in-north.change =total_2008}", HERE)
    assert one.quantities == ["corridors.in-north.change", "total_2008"]
    (two,) = parse_inline("[$372 billion]{src=wb-brief-18}", HERE)
    assert two.source == "wb-brief-18" and two.quantities == [] and two.text == "$372 billion"


def test_markup_is_never_html():
    nodes = parse_inline("<script>alert(1)</script> {{ config }}", HERE)
    from reporter.render.inline_html import inline_html

    assert str(inline_html(nodes)) == "&lt;script&gt;alert(1)&lt;/script&gt; {{ config }}"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("an *open emphasis", "never closed"),
        ("[a](javascript:void)", "link to 'javascript:void' refused"),
        ("[plain bracket", "starts no footnote"),
        ("[x]{bad}", "unknown figure binding"),
        ("[@]", "malformed reference"),
    ],
)
def test_bad_markup(text, message):
    with pytest.raises(ReportError, match=message):
        parse_inline(text, HERE)


def test_unknown_label_names_file_line_and_column(make_project):
    root = make_project()
    path = root / "content/main.yaml"
    path.write_text(path.read_text().replace("[@first-table]", "[@first-tabel]"))
    with pytest.raises(ReportError) as err:
        load(Project.at(root))
    assert str(err.value) == (
        "content/main.yaml:7:30: unknown label 'first-tabel' (did you mean 'first-table'?)"
    )


def test_unknown_footnote_names_file_and_line(make_project):
    root = make_project({"content/footnotes.yaml": "nothing: here\n"})
    with pytest.raises(ReportError) as err:
        load(Project.at(root))
    assert str(err.value).startswith("content/main.yaml:5:24: unknown footnote 'note'")


def test_unknown_key_suggests(make_project):
    root = make_project()
    path = root / "content/main.yaml"
    path.write_text(path.read_text().replace("title:", "tilte:"))
    with pytest.raises(ReportError) as err:
        load(Project.at(root))
    assert (
        str(err.value)
        == "content/main.yaml:3:1: unknown key 'tilte' in part (did you mean 'title'?)"
    )


def test_page_size_cannot_inject_css(make_project):
    root = make_project()
    path = root / "content/document.yaml"
    path.write_text(path.read_text() + "page_size: 'A4; } body { background: url(http://x) '\n")
    with pytest.raises(ReportError, match="is not a page size"):
        load(Project.at(root))


def test_range_must_run_forwards(make_project):
    root = make_project()
    path = root / "content/main.yaml"
    text = path.read_text().replace("- p: First", "- label: first\n    p: First")
    path.write_text(text.replace("[@first-table]", "[@second..first]"))
    with pytest.raises(ReportError, match="runs backwards"):
        load(Project.at(root))


def test_a_content_file_left_out_of_the_parts_is_a_warning(make_project):
    from reporter.content.load import load_document

    root = make_project({"content/02-forgotten.yaml": "kind: section\n"})
    assert load_document(root).warnings == [
        "content/02-forgotten.yaml: not a part of the document (list it under parts: in "
        "content/document.yaml, or remove it)"
    ]
