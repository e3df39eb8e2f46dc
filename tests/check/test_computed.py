"""Computed values, `{=name FORMAT}`: a figure or words written into the text from the data
when the figures are checked (content/computed.py reads FORMAT, check/computed.py writes the
text), then checked like a typed figure; rendered, and left alone by the unbound scan."""

from __future__ import annotations

import math
from pathlib import Path

import pytest

import reporter.check.computed as computed
from reporter.check.computed import write
from reporter.check.figures import ordinal
from reporter.check.unbound import unbound_numbers
from reporter.compute.quantities import Value
from reporter.content.computed import Format, parse_format
from reporter.content.english import ordinal_word
from reporter.content.inline import Computed, Str, parse_inline, plain_text
from reporter.errors import Location, ReportError
from reporter.pipeline import build, check_project, load
from reporter.render.inline_html import inline_html
from tests.conftest import ROOTS

HERE = Location(Path("content/x.yaml"), 1, 1)
PART = "content/02-outlook.yaml"

QUANTITIES = """
    europe: {sum: hosts.migrants_2019, where: {region: Europe}, unit: thousand}
    asia: {sum: hosts.migrants_2019, where: {region: Asia}, unit: thousand}
    gap: {formula: europe - asia, unit: thousand}
    fall: {formula: asia - europe, unit: thousand}
    same: {formula: europe - europe, unit: thousand}
    countries: {count: hosts}
    italy: {count: hosts, where: {country: Italy}}
    europe_share: {share: hosts.migrants_2019, where: {region: Europe}}
    germany_rank: {rank: hosts, sort: -migrants_2019, where: {country: Germany}}
    france_rank: {rank: hosts, sort: -migrants_2019, where: {country: France}}
    uae_rank: {rank: hosts, sort: -migrants_2019, where: {country: United Arab Emirates}}
"""


def part(*paragraphs: str) -> str:
    blocks = "".join(f"  - p: >-\n      {text}\n" for text in paragraphs)
    return f"kind: section\nlabel: outlook\ntitle: Outlook\nblocks:\n{blocks}"


def project(make_root, *paragraphs: str, **files: str):
    return make_root("basic", {PART: part(*paragraphs), "content/quantities.yaml": QUANTITIES,
                               **files})  # fmt: skip


def outlook(doc) -> list[str]:
    """The texts of section II's paragraphs, as a reader sees them."""
    return [plain_text(p.inlines) for h, p in doc.paragraphs() if h.label == "outlook"]


def located(root: Path, needle: str) -> str:
    """file:line:col of `needle` in the outlook part, as messages name it."""
    lines = (root / PART).read_text().splitlines()
    line = next(n for n, text in enumerate(lines, 1) if needle in text)
    return f"{PART}:{line}:{lines[line - 1].index(needle) + 1}"


def node(markup: str) -> Computed:
    (found,) = parse_inline(markup, HERE)
    assert isinstance(found, Computed)
    return found


# --- the markup ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("markup", "quantity", "fmt"),
    [
        ("{=stock}", "stock", Format()),
        ("{=stock_2017 .1 million}", "stock_2017", Format("number", 1, "million")),
        ("{=share .1 per cent}", "share", Format("number", 1, "per cent")),
        ("{=share %}", "share", Format("number", None, "%")),
        ("{=hosts.europe.stock .0}", "hosts.europe.stock", Format("number", 0, "")),
        ("{=change sign increased|decreased}", "change",
         Format("sign", words=("increased", "decreased"))),
        ("{=change sign rose | fell | did  not change}", "change",
         Format("sign", words=("rose", "fell", "did not change"))),
        ("{=n plural country|countries}", "n", Format("plural", words=("country", "countries"))),
        ("{=rank largest}", "rank", Format("rank", words=("largest",))),
        ("{=rank Smallest}", "rank", Format("rank", words=("Smallest",))),
        ("{=rank ordinal}", "rank", Format("ordinal")),
        ("{=rank ordinal f}", "rank", Format("ordinal", words=("f",))),
        ("{=top.1.country list 3}", "top.1.country", Format("list", count=3)),
    ],
)  # fmt: skip
def test_a_computed_value_is_a_node_with_its_format(markup, quantity, fmt):
    found = node(markup)
    assert (found.quantity, found.format, found.written, found.text) == (
        quantity,
        fmt,
        markup,
        None,
    )


def test_computed_values_sit_among_the_other_markup():
    nodes = parse_inline("In *{=year}*, [5]{=n} and {=n plural a|b}; \\{=literal}", HERE)
    kinds = [type(n).__name__ for n in nodes]
    assert kinds == ["Str", "Emph", "Str", "Figure", "Str", "Computed", "Str"]
    assert isinstance(nodes[1].children[0], Computed)
    assert isinstance(nodes[-1], Str) and nodes[-1].text == "; {=literal}"


BAD = {  # markup -> what the error says
    "{=stock .1 milion}": "unknown format 'milion' (did you mean 'million'?)",
    "{=stock per cnt}": "unknown format 'per cnt' (did you mean 'per cent'?)",
    "{=place larjest}": "unknown format 'larjest' (did you mean 'largest'?)",
    "{=stock .7}": "too many decimals: 7 (write .0 to .6)",
    "{=change increased|decreased}": "words to choose from need 'sign' or 'plural' before",
    "{=change sign rose}": "sign takes two or three words separated by '|' "
    "(write {=name sign rose|fell|did not change})",
    "{=n plural a|b|c}": "plural takes two words separated by '|'",
    "{=n plural a|}": "plural takes two words",
    "{=r ordinal f m}": "ordinal takes at most one form",
    "{=t.1.c list}": "list takes how many names, 2 to 50",
    "{=t.1.c list 1}": "list takes how many names, 2 to 50",
    "{=t.1.c list three}": "list takes how many names, 2 to 50",
    "{=stock": "'{=' starts no computed value",
    "{=1stock}": "'{=' starts no computed value",
}


@pytest.mark.parametrize(("markup", "message"), BAD.items())
def test_a_bad_computed_value_is_refused_with_a_hint(markup, message):
    with pytest.raises(ReportError) as caught:
        parse_inline(f"Text {markup} text", HERE)
    assert message in str(caught.value) and caught.value.where == HERE


def test_a_bad_format_names_its_file_line_and_column(make_root):
    proj = project(make_root, "Europe hosted {=europe .1 milion} migrants.")
    with pytest.raises(ReportError) as caught:
        load(proj)
    at = located(proj.root, "milion")
    assert str(caught.value) == f"{at}: unknown format 'milion' (did you mean 'million'?)"


# --- writing the text -------------------------------------------------------------------------


def written(markup: str, value: float, unit: str = "count", direction: str = "") -> str:
    return write(node(markup), Value(value, unit, "test"), direction).text


# markup, the quantity's unit, {value: text}: its own unit and decimals, then .N and unit words
NUMBERS = [
    ("{=n}", "count", {1234567: "1,234,567", 1234567.5: "1,234,568", 0: "0", 7: "7"}),
    ("{=n}", "count", {-1234.5: "\u22121,235", -0.4: "0"}),  # a minus sign; never "−0"
    ("{=s}", "percent", {12.345: "12.3 per cent"}),
    ("{=s}", "ratio", {0.125: "0.13", 0.5: "0.50"}),  # half up on the decimal value
    ("{=k}", "thousand", {3245.678: "3,246 thousand"}),
    ("{=m}", "million", {46.25: "46.3 million", 0.04: "0.0 million"}),
    ("{=b}", "billion", {372.04: "372.0 billion"}),
    ("{=n .1 million}", "count", {3245678: "3.2 million", -3245678: "\u22123.2 million"}),
    ("{=n .2 million}", "count", {3245000: "3.25 million"}),
    ("{=n million}", "count", {3250000: "3.3 million"}),
    ("{=n .0 thousand}", "count", {3245678: "3,246 thousand", 999.5: "1 thousand"}),
    ("{=n .1 billion}", "count", {1_250_000_000: "1.3 billion"}),
    ("{=k .1 million}", "thousand", {136814: "136.8 million"}),
    ("{=m .0 thousand}", "million", {2.5: "2,500 thousand"}),
    ("{=m .1}", "million", {2.25: "2.3 million"}),  # decimals alone: the unit's own word
    ("{=s .1 per cent}", "ratio", {0.2854: "28.5 per cent"}),
    ("{=s .0 percent}", "percent", {35.77: "36 percent"}),
    ("{=s .1 %}", "percent", {35.77: "35.8%"}),
    ("{=s .3}", "percent", {35.77: "35.770 per cent"}),
]


@pytest.mark.parametrize(
    ("markup", "unit", "value", "text"),
    [
        (markup, unit, value, text)
        for markup, unit, cases in NUMBERS
        for value, text in cases.items()
    ],
)
def test_numbers_are_written_rounded_half_up_with_separators_and_their_words(
    markup, unit, value, text
):
    assert written(markup, value, unit) == text


def test_after_words_that_state_a_direction_a_number_is_its_size():
    assert written("{=m .1 million}", -2.345, "million", direction="fell") == "2.3 million"
    assert written("{=m .1 million}", 2.345, "million", direction="rose") == "2.3 million"


@pytest.mark.parametrize(
    ("value", "text", "rule"),
    [(5, "increased", "sign: positive"), (0.001, "increased", "sign: positive"),
     (-5, "decreased", "sign: negative"), (0, "did not change", "sign: zero")],
)  # fmt: skip
def test_words_are_chosen_by_the_sign(value, text, rule):
    result = write(node("{=c sign increased|decreased|did not change}"), Value(value, "count", ""))
    assert (result.text, result.figure, result.rule, result.problem) == (text, "", rule, "")


def test_a_zero_with_no_word_for_it_is_a_problem():
    result = write(node("{=c sign rose|fell}"), Value(0.0, "count", ""))
    assert result.text == "rose/fell"
    assert result.problem == "the value is 0: give a third word, for no change (rose|fell|…)"


@pytest.mark.parametrize(
    ("value", "text"),
    [(1, "1 country"), (0, "0 countries"), (2, "2 countries"), (5, "5 countries"),
     (1234, "1,234 countries"), (1.2, "1 country"), (0.6, "1 country"), (1.5, "2 countries")],
)  # fmt: skip
def test_plurals_come_with_their_number(value, text):
    result = write(node("{=n plural country|countries}"), Value(value, "count", ""))
    assert (result.text, result.figure) == (text, text.split()[0])


@pytest.mark.parametrize(
    ("place", "text"),
    [(1, "the largest"), (2, "the second largest"), (3, "the third largest"),
     (9, "the ninth largest"), (10, "the 10th largest"), (11, "the 11th largest"),
     (12, "the 12th largest"), (13, "the 13th largest"), (21, "the 21st largest"),
     (22, "the 22nd largest"), (23, "the 23rd largest"), (101, "the 101st largest"),
     (111, "the 111th largest"), (112, "the 112th largest")],
)  # fmt: skip
def test_ranks_are_written_in_un_style(place, text):
    assert written("{=r largest}", place) == text
    assert written("{=r Fastest}", place) == "T" + text[1:].replace("largest", "fastest")


@pytest.mark.parametrize(
    ("text", "place"),
    [("the 21st largest", 21), ("the 112th largest", 112), ("2nd-highest", 2),
     ("the 21th largest", None), ("the 12nd largest", None), ("3th", None)],
)  # fmt: skip
def test_the_check_reads_ranks_back_only_with_their_right_suffix(text, place):
    assert ordinal(text) == place


def test_ordinals_in_words_to_ninth_then_in_figures():
    assert [ordinal_word(n) for n in (1, 2, 9, 10, 11, 21, 42, 113, 1001)] == [
        "first", "second", "ninth", "10th", "11th", "21st", "42nd", "113th", "1001st",
    ]  # fmt: skip


@pytest.mark.parametrize(
    ("markup", "value", "message"),
    [
        ("{=n .1 per cent}", Value(5, "count", ""), "{=n .1 per cent}: 'per cent' does not fit "
         "'n', which is in count (a count is written in thousand, million or billion; a share "
         "in per cent)"),
        ("{=s million}", Value(5, "percent", ""), "'million' does not fit 's'"),
        ("{=n plural a|b}", Value(5, "thousand", ""), "plural needs a count; 'n' is in thousand"),
        ("{=r largest}", Value(2.5, "count", ""), "a rank is a place 1, 2, 3 …; 'r' is 2.5"),
        ("{=r largest}", Value(0, "count", ""), "a rank is a place 1, 2, 3 …; 'r' is 0"),
        ("{=t.1.c .1}", Value(math.nan, "name", "", text="Atlantis"), "t.1.c is a name: it "
         "takes no format"),
    ],
)  # fmt: skip
def test_a_format_that_does_not_fit_the_value_is_an_error(markup, value, message):
    with pytest.raises(ReportError) as caught:
        write(node(markup), value)
    assert message in str(caught.value) and caught.value.where == HERE


def test_a_name_is_written_as_the_data_spell_it():
    assert write(node("{=t.1.c}"), Value(math.nan, "name", "", text="Atlantis")).text == "Atlantis"


def test_a_format_is_read_apart_from_its_node():
    assert parse_format("  ") == Format()
    assert parse_format(".2 billion") == Format("number", 2, "billion")


# --- checked like typed figures -----------------------------------------------------------------

PROSE = (
    "Europe hosted {=europe .1 million} migrants, {=europe_share .1 per cent} of those in the "
    "{=countries plural country|countries} listed and {=italy plural country|countries} more; "
    "Germany was {=germany_rank largest} destination, France {=france_rank largest} and the "
    "United Arab Emirates {=uae_rank largest}. Asia's {=asia} {=fall sign rose|fell} by "
    "{=fall .1 million} against Europe, a gap that {=same sign rose|fell|held} at {=same}."
)
TEXT = (
    "Europe hosted 27.4 million migrants, 57.1 per cent of those in the 5 countries listed and "
    "1 country more; Germany was the largest destination, France the third largest and the "
    "United Arab Emirates the fourth largest. Asia's 20,522 thousand fell by 6.8 million "
    "against Europe, a gap that held at 0 thousand."
)


def test_the_check_writes_the_text_and_checks_every_computed_value(make_root):
    doc, report = check_project(project(make_root, PROSE))
    assert outlook(doc) == [TEXT]
    found = [(f.text, f.status, f.rule) for f in report.findings if f.place == "para. 4"]
    assert found == [
        ("27.4 million", "pass", "equal when rounded to 1 decimal"),
        ("57.1 per cent", "pass", "equal when rounded to 1 decimal"),
        ("5 countries", "pass", "plural; equal when rounded to 0 decimals"),
        ("1 country", "pass", "plural; equal when rounded to 0 decimals"),
        ("the largest", "pass", "rank; place 1"),
        ("the third largest", "pass", "rank; place 3"),
        ("the fourth largest", "pass", "rank; place 4"),
        ("20,522 thousand", "pass", "equal when rounded to 0 decimals"),
        ("fell", "pass", "sign: negative"),
        ("6.8 million", "pass", "equal when rounded to 1 decimal"),
        ("held", "pass", "sign: zero"),
        ("0 thousand", "pass", "equal when rounded to 0 decimals"),
    ]
    assert not report.failed


def test_a_finding_names_where_the_computed_value_stands(make_root):
    proj = project(make_root, "Europe hosted {=europe .1 million} migrants.")
    _, report = check_project(proj)
    (finding,) = [f for f in report.findings if f.place == "para. 4"]
    assert str(finding.where) == located(proj.root, "{=europe")
    assert (finding.quantity, finding.value) == ("europe", 27.367)


def test_a_formatting_bug_fails_the_check(make_root, monkeypatch):
    def truncating(value, fmt):  # rounds down: 57.1467 -> "57.14", where 57.15 is right
        return f"{math.floor(value * 10**fmt.decimals) / 10**fmt.decimals:,.{fmt.decimals}f}"

    monkeypatch.setattr(computed, "format_number", truncating)
    _, report = check_project(project(make_root, "A share of {=europe_share .2 per cent}."))
    (failed,) = report.failed
    assert (failed.text, failed.rule) == ("57.14 per cent", "equal when rounded to 2 decimals")
    assert failed.value == pytest.approx(57.1467, abs=1e-4)


def test_a_scale_bug_fails_the_check(make_root, monkeypatch):
    monkeypatch.setitem(computed.SIZES, "million", ("count", 1e5))  # a wrong power of ten
    _, report = check_project(project(make_root, "Europe hosted {=europe .1 million}."))
    (failed,) = report.failed
    assert failed.text == "273.7 million" and failed.value == pytest.approx(27.367)


def test_words_that_contradict_the_data_fail_as_typed_ones_do(make_root):
    _, report = check_project(project(make_root, "Asia's number rose by {=fall .1 million}."))
    (failed,) = report.failed
    assert failed.text == "6.8 million"
    assert "the text says it rose, the data give a fall" in failed.rule


def test_a_negative_number_without_its_direction_fails_with_a_hint(make_root):
    _, report = check_project(project(make_root, "The difference was {=fall .1 million}."))
    (failed,) = report.failed
    assert failed.text == "\u22126.8 million"
    assert failed.message == (
        "'\u22126.8 million' is not a figure (write the direction before it: "
        "{=fall sign rose|fell} by)"
    )


def test_a_zero_with_two_words_fails(make_root):
    _, report = check_project(project(make_root, "The gap {=same sign widened|narrowed}."))
    (failed,) = report.failed
    assert (failed.text, failed.rule) == ("widened/narrowed", "sign: zero")
    assert "give a third word, for no change" in failed.message


def test_a_cell_and_a_name_from_the_data(make_root):
    top = (
        "title: Top\ndata: hosts\nrows: {each: country, sort: -stock, top: 2}\n"
        "columns:\n  - {id: country, heading: Country, text: country}\n"
        "  - {id: stock, heading: Thousands, sum: migrants_2019, unit: thousand}\n"
    )
    text = "{=top.1.country} hosted {=top.1.stock .1 million}, {=top.saudi-arabia.stock}."
    proj = project(make_root, text, **{"content/tables/top.yaml": top})
    (proj.root / PART).write_text((proj.root / PART).read_text() + "  - table: top\n")
    doc, report = check_project(proj)
    assert outlook(doc) == ["Germany hosted 13.1 million, 13,122 thousand."]
    rules = [f.rule for f in report.findings if f.place == "para. 4"]
    assert rules[0] == "the same name" and not report.failed


TOP = (
    "title: Top\ndata: hosts\nrows: {each: country, sort: -stock, top: 4, other: Other}\n"
    "columns:\n  - {id: country, heading: Country, text: country}\n"
    "  - {id: stock, heading: Thousands, sum: migrants_2019, unit: thousand}\n"
)


def with_top(make_root, text: str, **files: str):
    proj = project(make_root, text, **{"content/tables/top.yaml": TOP, **files})
    (proj.root / PART).write_text((proj.root / PART).read_text() + "  - table: top\n")
    return proj


def test_a_list_of_names_from_a_text_column(make_root):
    """UN style: no comma before "and"; at most the names asked for, fewer when the table has
    fewer data rows (its "other" row is no name)."""
    text = (
        "The largest: {=top.1.country list 3}; then {=top.4.country list 2}; "
        "the first two, {=top.1.country list 2}."
    )
    doc, report = check_project(with_top(make_root, text))
    assert outlook(doc) == [
        "The largest: Germany, Saudi Arabia and France; then United Arab Emirates; "
        "the first two, Germany and Saudi Arabia."
    ]
    found = [(f.status, f.quantity, f.rule) for f in report.findings if f.place == "para. 4"]
    assert found[0] == ("pass", "top.1.country", "the same name")
    assert not report.failed


@pytest.mark.parametrize(
    ("markup", "message"),
    [("{=top.germany.country list 2}", "a list is of a text column's names, from a row given "
      "by its place"),
     ("{=top.1.stock list 2}", "a list is of a text column's names"),
     ("{=europe list 2}", "a list is of a text column's names"),
     ("{=top.9.country list 2}", "table 'top' has no row '9'")],
)  # fmt: skip
def test_a_list_of_what_is_not_names_is_a_located_error(make_root, markup, message):
    proj = with_top(make_root, f"They are {markup}.")
    with pytest.raises(ReportError) as caught:
        check_project(proj)
    assert message in str(caught.value)
    assert str(caught.value).startswith(located(proj.root, "{=top" if "top" in markup else "{="))


def test_an_unknown_quantity_is_a_located_error_with_a_suggestion(make_root):
    proj = project(make_root, "Europe hosted {=europa .1 million} and {=hosts.europe.stok}.")
    with pytest.raises(ReportError) as caught:
        check_project(proj)
    errors = [str(e) for e in (caught.value, *caught.value.others)]
    assert errors == [
        f"{located(proj.root, '{=europa')}: unknown quantity 'europa' (did you mean 'europe'?)",
        f"{located(proj.root, '{=hosts')}: table 'hosts' has no column 'stok' (did you mean "
        "'stock'?)",
    ]


def test_a_format_that_does_not_fit_is_located(make_root):
    proj = project(make_root, "There are {=countries .1 per cent}.")
    with pytest.raises(ReportError) as caught:
        check_project(proj)
    assert str(caught.value).startswith(
        f"{located(proj.root, '{=countries')}: {{=countries .1 per cent}}: 'per cent' does not "
        "fit 'countries', which is in count"
    )


# --- shown, and only once written ---------------------------------------------------------------


def test_the_rendered_html_holds_the_computed_text(make_root, tmp_path):
    proj = project(
        make_root, "Europe hosted {=europe .1 million}, {=gap sign more|less} than Asia."
    )
    result = build(proj, out=tmp_path / "out", pdf=False, progress=lambda _: None)
    html = result.html.read_text(encoding="utf-8")
    assert (
        'Europe hosted <span class="computed" data-bind="europe">27.4 million</span>, '
        '<span class="computed" data-bind="gap">more</span> than Asia.'
    ) in html
    assert "{=" not in html


def test_nothing_shows_a_computed_value_before_the_check_has_written_it():
    nodes = parse_inline("Europe hosted {=europe .1 million}.", HERE)
    for show in (inline_html, plain_text):
        with pytest.raises(ReportError, match=r"\{=europe \.1 million\} has no text yet"):
            show(nodes)
    nodes[1].text = "<27.4 million>"
    assert str(inline_html(nodes)) == (
        'Europe hosted <span class="computed" data-bind="europe">&lt;27.4 million&gt;</span>.'
    )
    assert plain_text(nodes) == "Europe hosted <27.4 million>."


def test_a_computed_value_cannot_stand_in_a_row_label(make_root):
    table = (ROOTS / "basic/content/tables/hosts.yaml").read_text()
    label = table.replace("label: Asia,", "label: 'Asia {=countries}',")
    with pytest.raises(ReportError, match="row labels and column headings cannot hold one"):
        load(make_root("basic", {"content/tables/hosts.yaml": label}))


def test_the_unbound_scan_leaves_computed_values_alone(make_root):
    doc = load(project(make_root, "In {=countries plural country|countries}, 12 {=europe}."))
    assert [number for _, _, number in unbound_numbers(doc)] == ["12"]
    doc, report = check_project(project(make_root, PROSE), strict=True)
    assert not report.failed and not unbound_numbers(doc)
