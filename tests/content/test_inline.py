"""reporter/content/inline.py: the inline markup of prose parsed into nodes — emphasis,
footnote calls, references, links, bound and declared figures, escapes — nothing of it ever
taken as HTML, and every error located at its character."""

from __future__ import annotations

from pathlib import Path

import pytest

from reporter.content.inline import (
    MAX_NODES,
    Emph,
    Figure,
    FootnoteCall,
    Link,
    Ref,
    Str,
    parse_inline,
    plain_text,
    walk,
)
from reporter.content.yamlsource import Text, load_yaml
from reporter.errors import Location, ReportError
from reporter.pipeline import load

HERE = Location(Path("content/x.yaml"), 3)


def parse(text: str) -> list:
    return parse_inline(text, HERE)


def shape(nodes) -> list:
    """The node tree as (kind, what) pairs, children nested."""
    out = []
    for node in nodes:
        if isinstance(node, Str):
            out.append(node.text)
        elif isinstance(node, Emph):
            out.append(("em", shape(node.children)))
        elif isinstance(node, Link):
            out.append(("link", node.url, shape(node.children)))
        elif isinstance(node, Figure):
            out.append(("figure", node.text, node.quantities or node.source, shape(node.children)))
        elif isinstance(node, FootnoteCall):
            out.append(("call", node.id))
        elif isinstance(node, Ref):
            out.append(("ref", node.first, node.last, node.with_kind))
    return out


def test_plain_text_is_one_string_node():
    assert shape(parse("International migration and development.")) == [
        "International migration and development."
    ]
    assert parse("") == []


def test_emphasis():
    assert shape(parse("See the *Global Education Digest* of 2011.")) == [
        "See the ", ("em", ["Global Education Digest"]), " of 2011.",
    ]  # fmt: skip


def test_footnote_calls():
    assert shape(parse("Trends.[^trends-2008] Again.[^un.2012_a]")) == [
        "Trends.", ("call", "trends-2008"), " Again.", ("call", "un.2012_a"),
    ]  # fmt: skip


def test_references_with_their_kind_without_it_and_ranges():
    assert shape(parse("See [@corridors], [#corridors] and [@first..last].")) == [
        "See ", ("ref", "corridors", None, True), ", ", ("ref", "corridors", None, False),
        " and ", ("ref", "first", "last", True), ".",
    ]  # fmt: skip
    assert shape(parse("[#a..b]")) == [("ref", "a", "b", False)]
    assert shape(parse("[@un.2012_a..fig.3]")) == [("ref", "un.2012_a", "fig.3", True)]


def test_links_take_http_https_and_mailto_and_may_hold_markup():
    assert shape(parse("[the *site*](https://un.org/a?b=1&c=2) or [write](mailto:a@un.org)")) == [
        ("link", "https://un.org/a?b=1&c=2", ["the ", ("em", ["site"])]),
        " or ",
        ("link", "mailto:a@un.org", ["write"]),
    ]
    assert shape(parse("[x](HTTP://UN.ORG)")) == [("link", "HTTP://UN.ORG", ["x"])]


def test_bound_and_declared_figures():
    nodes = parse(
        "[46 million]{=in_north} [5]{=corridors.in-north.change =total} "
        "[Germany]{=top.2.country} [$372 billion]{src=wb-brief-18}"
    )
    figures = [n for n in nodes if isinstance(n, Figure)]
    assert [(f.text, f.quantities, f.source) for f in figures] == [
        ("46 million", ["in_north"], None),
        ("5", ["corridors.in-north.change", "total"], None),
        ("Germany", ["top.2.country"], None),
        ("$372 billion", [], "wb-brief-18"),
    ]


def test_a_figure_may_hold_markup_and_its_text_is_what_a_reader_sees():
    (figure,) = parse("[*about* 73 million]{=q}")
    assert figure.text == "about 73 million"
    assert shape(figure.children) == [("em", ["about"]), " 73 million"]
    (inside,) = parse("*[5]{=q}*")
    assert shape([inside]) == [("em", [("figure", "5", ["q"], ["5"])])]


def test_escapes_make_literal_characters():
    assert shape(parse(r"a \* b \[c] d \\ e \{")) == ["a * b [c] d \\ e {"]
    assert shape(parse(r"*a \* b*")) == [("em", ["a * b"])]
    assert shape(parse("ends with \\")) == ["ends with \\"]


def test_html_and_templates_are_text():
    text = "<b>bold</b> &amp; {{ config }} {% if x %}<script>alert(1)</script>"
    assert shape(parse(text)) == [text]


def test_plain_text_shows_numbers_once_filled():
    nodes = parse("*See* [@t], [#t],[^n] [5]{=q} [here](https://x).")
    assert plain_text(nodes) == "See , , 5 here."
    ref, bare, call = (n for n in walk(nodes) if isinstance(n, Ref | FootnoteCall))
    ref.text, bare.text, call.number = "table 1", "1", "3"
    assert plain_text(nodes) == "See table 1, 1,3 5 here."


def test_walk_is_depth_first_in_reading_order():
    nodes = parse("a *b [c](https://x) d* [e]{=q}")
    kinds = [type(n).__name__ for n in walk(nodes)]
    assert kinds == ["Str", "Emph", "Str", "Link", "Str", "Str", "Str", "Figure", "Str"]


def test_nodes_know_their_offsets():
    text = "Start *em* [^n] end [@ref] [5]{=q}"
    offsets = {type(n).__name__: n.offset for n in walk(parse(text)) if not isinstance(n, Str)}
    assert offsets == {
        "Emph": text.index("*em*"),
        "FootnoteCall": text.index("[^n]"),
        "Ref": text.index("[@ref]"),
        "Figure": text.index("[5]"),
    }


def test_inline_markup():
    nodes = parse("See *Digest*,[^n] [@t], [#t], [a](https://un.org) [46 million]{=q} \\*x")
    kinds = [type(n) for n in nodes]
    assert kinds == [Str, Emph, Str, FootnoteCall, Str, Ref, Str, Ref, Str, Link, Str, Figure, Str]
    assert nodes[5].with_kind and not nodes[7].with_kind
    assert nodes[11].text == "46 million" and nodes[11].quantities == ["q"]
    assert nodes[-1].text == " *x"


def test_figure_bindings():
    (one,) = parse("[5]{=corridors.in-north.change =total_2008}")
    assert one.quantities == ["corridors.in-north.change", "total_2008"]
    (two,) = parse("[$372 billion]{src=wb-brief-18}")
    assert two.source == "wb-brief-18" and two.quantities == [] and two.text == "$372 billion"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("an *open emphasis", "'*' opens emphasis that is never closed (add the closing * or "
                              "write \\*)"),
        ("[a](javascript:alert(1))", "link to 'javascript:alert(1' refused (links may use http, "
                                     "https or mailto only)"),
        ("[a](javascript:void)", "link to 'javascript:void' refused (links may use http, https "
                                 "or mailto only)"),
        ("[a](ftp://example.org)", "link to 'ftp://example.org' refused"),
        ("[a](/etc/passwd)", "link to '/etc/passwd' refused"),
        ("[plain bracket", "'[' starts no footnote, reference, link or figure (write [^id], "
                           "[@label], [text](url), [figure]{=quantity} or \\[)"),
        ("[x]", "'[' starts no footnote, reference, link or figure"),
        ("[^a b]", "'[' starts no footnote"),
        ("[x]{bad}", "unknown figure binding {bad} (write {=quantity-id} or {src=footnote-id})"),
        ("[5]{src=note =q}", "unknown figure binding {src=note =q}"),
        ("[5]{= q}", "unknown figure binding {= q}"),
        ("[@]", "malformed reference (write [@label], [#label] or [@first..last])"),
        ("[@a b]", "malformed reference"),
        ("[@a..]", "malformed reference (a range joins two labels: write [@first..last])"),
        ("[#..b]", "malformed reference (a range joins two labels: write [@first..last])"),
        ("[@a...b]", "malformed reference (a range joins two labels"),
    ],
)  # fmt: skip
def test_bad_markup_is_one_line_saying_what_to_write(text, message):
    with pytest.raises(ReportError) as err:
        parse(text)
    assert str(err.value).startswith(f"content/x.yaml:3: {message}")


def test_emphasis_closes_after_a_link_or_figure_it_holds():
    assert shape(parse("*see [it](https://un.org/a*b) and [5]{=q}* now")) == [
        ("em", ["see ", ("link", "https://un.org/a*b", ["it"]), " and ",
                ("figure", "5", ["q"], ["5"])]),
        " now",
    ]  # fmt: skip


@pytest.mark.parametrize(
    "text", ["*see [the *Digest*](https://un.org)*", "*in [*about* 5]{=q} cases*"]
)
def test_emphasis_inside_emphasis_is_refused_where_it_opens(text):
    written = Text(text, Location(Path("content/x.yaml"), 1, 1), 0, text)  # on line 1
    with pytest.raises(ReportError) as err:
        parse_inline(written, HERE)
    column = text.index("*", 1) + 1  # the inner '*'
    assert str(err.value) == (
        f"content/x.yaml:1:{column}: '*' inside emphasis (close the emphasis first or write \\*)"
    )


def test_pieces_of_markup_in_one_text_are_bounded():
    parse("*a* " * (MAX_NODES // 3))
    with pytest.raises(ReportError, match=f"more than {MAX_NODES:,} pieces of markup"):
        parse("*a* " * MAX_NODES)


def test_nodes_of_a_loaded_paragraph_are_located_in_its_file(make_root):
    doc = load(make_root("basic"))
    para = next(p for _, p in doc.paragraphs() if p.number == 3)
    located = [(type(n).__name__, n.loc.line, n.loc.column) for n in walk(para.inlines)
               if not isinstance(n, Str | Emph)]  # fmt: skip
    assert located == [
        ("Figure", 20, 25), ("Figure", 20, 65), ("Ref", 21, 23), ("FootnoteCall", 21, 44),
    ]  # fmt: skip
    assert {n.loc.path for n in walk(para.inlines) if not isinstance(n, Str | Emph)} == {
        Path("content/01-trends.yaml")
    }


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ("or [57 per cent]", "or [57 per cent",
         "20:65: '[' starts no footnote, reference, link or figure"),
        # the first character of a folded paragraph: on its own line, not on the `>-` above
        ("      In 2019, the", "      *In 2019, the", "7:7: '*' opens emphasis"),
    ],
)  # fmt: skip
def test_an_error_in_a_loaded_paragraph_names_its_line_and_column(make_root, old, new, message):
    project = make_root("basic")
    path = project.root / "content/01-trends.yaml"
    path.write_text(path.read_text().replace(old, new))
    with pytest.raises(ReportError) as err:
        load(project)
    assert str(err.value).startswith(f"content/01-trends.yaml:{message}")


def test_a_quoted_string_with_escapes_is_parsed_from_its_value(make_root):
    project = make_root("basic")
    path = project.root / "content/x.yaml"
    path.write_text('a: "Tab\\there: *em* and \\\\* a star"\n')
    value = load_yaml(path, Path("content/x.yaml"))["a"]
    assert shape(parse_inline(value, HERE)) == ["Tab\there: ", ("em", ["em"]), " and * a star"]
