"""reporter/render/inline_html.py: inline nodes to HTML — every piece of content text escaped,
each node its own element (emphasis, link, bound figure, reference, footnote call), and the
first call of a footnote carrying the note."""

from __future__ import annotations

from pathlib import Path

import pytest

from reporter.content.inline import FootnoteCall, parse_inline, walk
from reporter.errors import Location
from reporter.pipeline import load
from reporter.render.inline_html import inline_html
from tests.markup import rendered

HERE = Location(Path("content/x.yaml"), 1)


def html(text: str, notes: dict | None = None, table_notes: str = "") -> str:
    return str(inline_html(parse_inline(text, HERE), notes, table_notes))


@pytest.fixture(scope="module")
def basic(tmp_path_factory):
    from tests.conftest import copy_root

    return load(copy_root("basic", tmp_path_factory.mktemp("inline") / "basic"))


def paragraph(doc, number: int):
    return next(p for _, p in doc.paragraphs() if p.number == number)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("plain text", "plain text"),
        ("a < b > c & d \"e\" 'f'", "a &lt; b &gt; c &amp; d &#34;e&#34; &#39;f&#39;"),
        ("the *Digest* of *2011*", "the <em>Digest</em> of <em>2011</em>"),
        ("*a <b>*", "<em>a &lt;b&gt;</em>"),
        ("[UN](https://un.org/?a=1&b=2)", '<a href="https://un.org/?a=1&amp;b=2">UN</a>'),
        ("[*the* site](mailto:a@un.org)", '<a href="mailto:a@un.org"><em>the</em> site</a>'),
        ("[46 million]{=in_north}", '<span class="figure" data-bind="in_north">46 million</span>'),
        ("[5]{=a.b.c =d}", '<span class="figure" data-bind="a.b.c d">5</span>'),
        ("[$372 billion]{src=wb}", '<span class="figure" data-bind="src:wb">$372 billion</span>'),
        ("[*about* 5]{=q}", '<span class="figure" data-bind="q"><em>about</em> 5</span>'),
        (r"\*not emphasis\* \[not a link]", "*not emphasis* [not a link]"),
        ("{{ config }} {% if x %}", "{{ config }} {% if x %}"),
        ("<script>alert(1)</script> {{ config }}",
         "&lt;script&gt;alert(1)&lt;/script&gt; {{ config }}"),
    ],
)  # fmt: skip
def test_each_node_becomes_its_own_element_and_text_is_escaped(text, expected):
    assert html(text) == expected


def test_a_link_cannot_leave_its_attribute():
    out = html('[x](https://a.org/"onmouseover="alert(1))')
    assert out == '<a href="https://a.org/&#34;onmouseover=&#34;alert(1">x</a>)'
    assert rendered(parse_inline('[x](https://a.org/"><script>)', HERE)).tags == ["a"]


def test_references_link_to_their_targets_with_their_numbers(basic):
    out = str(inline_html(paragraph(basic, 2).inlines))
    assert out == (
        'The figures are in <a class="ref" href="#table-1">table 1</a>; Europe is discussed in '
        '<a class="ref" href="#europe">section I.A</a>.'
        '<sup class="fn-call"><a href="#fn-1">1</a></sup>'
    )
    out = str(inline_html(paragraph(basic, 3).inlines))
    assert '<a class="ref" href="#para-1">paras. 1-2</a>' in out


def test_the_first_call_of_a_footnote_carries_its_note(basic):
    notes = {"1": inline_html(basic.footnotes["desa"].inlines)}
    first = str(inline_html(paragraph(basic, 1).inlines, notes))
    assert first.endswith(
        'migrants.<sup class="fn-call"><a href="#fn-1" id="fnref-1">1</a></sup>'
        '<span style="-weasy-anchor: \'fn-1\'" class="footnote" data-n="1">United Nations, '
        "<em>International Migrant Stock 2019</em>.</span>"
    )  # in print the note is the anchor fn-1 its calls link to (the list is not printed)
    second = str(inline_html(paragraph(basic, 2).inlines, notes))
    assert second.endswith('<sup class="fn-call"><a href="#fn-1">1</a></sup>')  # no id, no note
    without_notes = str(inline_html(paragraph(basic, 1).inlines))  # e.g. a table's own text
    assert without_notes.endswith('<a href="#fn-1" id="fnref-1">1</a></sup>')


def test_a_tables_own_note_is_lettered_and_points_into_the_table():
    call = FootnoteCall(0, HERE, "groups", number="a", table_note=True)
    assert str(inline_html([call], table_notes="table-2-note")) == (
        '<sup class="tn-call"><a href="#table-2-note-a">a</a></sup>'
    )
    # outside a table (no prefix) the same call is an ordinary footnote call
    assert 'class="fn-call"' in str(inline_html([call]))


def test_a_note_text_is_escaped_once(basic):
    notes = {"1": inline_html(parse_inline("a < b & *c*", HERE))}
    (call,) = [n for n in walk(paragraph(basic, 1).inlines) if isinstance(n, FootnoteCall)]
    out = str(inline_html([call], notes))
    assert ">a &lt; b &amp; <em>c</em></span>" in out


@pytest.mark.parametrize(
    "text",
    [
        "*a* [b](https://x) [c]{=q} [^n] [@r] [#r] [x]{src=s}",
        "<em>not a tag</em> <a href='x'>nor this</a>",
        "*a [b](https://x)* and [^n], [*c*]{=q}",
    ],
)
def test_the_html_holds_exactly_the_tags_the_markup_made(text):
    seen = rendered(parse_inline(text, HERE))  # raises if any other tag is in the output
    assert "".join(seen.text).replace("  ", " ")
