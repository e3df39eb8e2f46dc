"""reporter/compute/tables.py: tables computed from a dataset through their specs — rows listed
or drawn one per record or per distinct value, cut to the top N with an "all other" row,
ranked, grouped with subtotals, totals; numbers in the UN's format; and every bad spec, missing
record or text in a numeric column located — on small projects (tests/stock.py)."""

from __future__ import annotations

import re

import pytest

from reporter.check.tables import table_notes
from reporter.compute.tables import compute_table, format_number
from reporter.content.tablespec import NumberFormat
from reporter.data.datasets import Datasets
from reporter.errors import ReportError
from reporter.pipeline import compute_tables, load
from reporter.project import Project
from reporter.render.html import render_html
from tests.conftest import MINIMAL, ROOTS
from tests.stock import TOP, stock_table


def cells(t) -> list[list[str]]:
    return [[row.label or row.id, *(c.text for c in row.cells)] for row in t.rows]


def test_top_n_with_rank_remainder_and_total(make_project):
    t = stock_table(make_project, TOP)
    assert cells(t) == [
        ["Borduria", "1", "Borduria", "80", "200", "48.3"],
        ["Atlantis", "2", "Atlantis", "100", "150", "36.2"],
        ["All other countries", "", "", "75", "64", "15.5"],
        ["Total", "", "", "255", "414", "100.0"],
    ]
    assert [r.style for r in t.rows] == ["", "", "other", "grand-total"]
    assert [r.id for r in t.rows] == ["borduria", "atlantis", "all-other-countries", "total"]
    assert table_notes(t)[1] == []  # the rows and the remainder add up to the total
    # rank and country are label columns: a total row's label spans them, numbers align right
    assert t.stub_columns == 2 and not t.numeric("rank") and t.numeric("share")


def test_one_row_per_distinct_value_grouped_with_subtotals(make_project):
    spec = """
        title: By region
        data: stock
        rows:
          each: country
          where: {region: {not: [""]}, year: 2017}
          group_by: region
          subtotal: "{region}"
          total: World
        columns:
          - {id: country, heading: Country, text: country}
          - {id: n, heading: Migrants, sum: migrants, decimals: 0}
          - {id: place, heading: Place, rank: -n}
    """
    assert [
        [r.label, r.style, r.cells[1].text, r.cells[2].text]
        for r in stock_table(make_project, spec).rows
    ] == [
        ["Atlantis", "", "150", "2"],
        ["Dorne", "", "12", "4"],
        ["North", "subtotal", "162", ""],
        ["Borduria", "", "200", "1"],
        ["Carpania", "", "40", "3"],
        ["Erewhon", "", "12", "4"],  # a tie shares the better place
        ["South", "subtotal", "252", ""],
        ["World", "grand-total", "414", ""],
    ]


@pytest.mark.parametrize(
    "change, message",
    [
        (("top: 2", "top: two"), "content/tables/first-table.yaml:7:3: top must be a whole"),
        (("      sort: -stock_2017\n", ""), "top: needs sort: (the top of what order?)"),
        (("{not: WORLD}", "{above: WORLD}"), "country: unknown condition 'above'"),
        (("{not: WORLD}", '{">": WORLD}'), "country: > needs a number, not 'WORLD'"),
        (("rank: -stock_2017", "rank: -country"), "rank: 'country' is not a numeric column"),
        (("sort: -stock_2017", "sort: -nowhere"), "data/stock.csv has no column 'nowhere'"),
    ],
)
def test_a_bad_rows_spec_is_one_located_line(make_project, change, message):
    with pytest.raises(ReportError) as caught:
        stock_table(make_project, TOP.replace(*change))
    assert message in str(caught.value)


def test_every_bad_column_and_row_of_a_spec_in_one_run(make_project):
    spec = """
        title: Many mistakes
        data: stock
        rows:
          - {id: a, labl: A}
          - {id: b, label: B, style: bold}
        columns:
          - {id: x, heading: X, summ: migrants}
          - {id: y, heading: Y, sum: migrants, scale: big}
    """
    with pytest.raises(ReportError) as caught:
        stock_table(make_project, spec)
    assert [str(e) for e in (caught.value, *caught.value.others)] == [  # in file order
        "content/tables/first-table.yaml:4:13: unknown key 'labl' in rows[0] (did you mean "
        "'label'?)",
        "content/tables/first-table.yaml:4:5: rows[0] has no 'label' (add label: …)",
        "content/tables/first-table.yaml:5:23: unknown row style 'bold' (use one of: total, "
        "grand-total)",
        "content/tables/first-table.yaml:7:25: unknown key 'summ' in columns[0] (did you mean "
        "'sum'?)",
        "content/tables/first-table.yaml:8:40: scale must be a number (e.g. scale: 0.001)",
    ]


@pytest.mark.parametrize(
    "change, message",
    [
        (("sort: -stock_2017", "sort: -rank"), "sort: 'rank' is a rank column"),
        (
            ("total: Total", "total: Total\n      id: '{nation}'"),
            "'{nation}': the data have no column",
        ),
        (("decimals: 0}", "decimals: 9}"), "decimals must be a whole number from 0 to 6"),
    ],
)
def test_more_bad_rows_specs(make_project, change, message):
    with pytest.raises(ReportError, match=re.escape(message)):
        stock_table(make_project, TOP.replace(*change, 1))


def test_totals_are_checked_with_other_rows_subtotals_and_any_separator(make_project):
    spec = TOP.replace("top: 2", "top: 3\n      group_by: region\n      subtotal: '{region}'")
    spec = spec.replace("      - {id: rank, heading: Rank, rank: -stock_2017}\n", "")
    spec = spec.replace("    title:", "    format: {thousands: ' '}\n    title:")
    spec = spec.replace("decimals: 0}", "decimals: 0, scale: 1000}")
    t = stock_table(make_project, spec)
    assert [(r.label, r.style, r.cells[2].text) for r in t.rows] == [
        ("Borduria", "", "200 000"),
        ("Carpania", "", "40 000"),
        ("South", "subtotal", "240 000"),
        ("Atlantis", "", "150 000"),
        ("North", "subtotal", "150 000"),
        ("All other countries", "other", "24 000"),
        ("Total", "grand-total", "414 000"),
    ]
    notes, failures = table_notes(t)
    assert failures == [] and notes == []


@pytest.mark.parametrize(
    ("value", "fmt", "text"),
    [
        (-0.055, NumberFormat(1), "(0.1)"),
        (-0.04, NumberFormat(1), "0.0"),
        (0.25, NumberFormat(1), "0.3"),
        (1234.5, NumberFormat(1), "1,234.5"),
        (-2.0, NumberFormat(0, "minus"), "\u22122"),
        (759.0, NumberFormat(0), "759"),
    ],
)
def test_un_number_format(value, fmt, text):
    assert format_number(value, fmt) == text


def computed(root) -> dict:
    """The tables of the project at `root`, computed."""
    project = Project.at(root)
    return compute_tables(load(project), project)


def one_row_table(column: str) -> str:
    """MINIMAL's table without its total row, its column being `column` (on line 7)."""
    lines = MINIMAL["content/tables/first-table.yaml"].splitlines(keepends=True)
    spec = "".join(line for line in lines if "id: total" not in line)
    return spec.replace("- {id: v, heading: Value, sum: value}", column)


def test_row_matching_nothing_is_an_error(make_project):
    root = make_project()
    spec_path = root / "content/tables/first-table.yaml"
    spec_path.write_text(spec_path.read_text().replace("name: a}", "name: zz}"))
    with pytest.raises(ReportError, match="row 'a' matches no records"):
        computed(root)


def test_text_in_numeric_column_names_the_csv_line(make_project):
    root = make_project({"data/values.csv": "name,value\na,1.5\nb,n/a\n"})
    with pytest.raises(ReportError) as err:
        computed(root)
    assert str(err.value).startswith("data/values.csv:3:2: column 'value' has 'n/a' where a number")


def test_grand_total_sums_all_records(make_project):
    project = Project.at(make_project())
    spec = load(project).tables["first-table"]
    table = compute_table(spec, Datasets(project.root)("values"))
    assert [r.cells[0].text for r in table.rows] == ["1.5", "3.8"]


def test_a_row_label_can_call_a_table_note(make_project):
    root = make_project()
    spec = root / "content/tables/first-table.yaml"
    text = spec.read_text().replace("label: A,", 'label: "A[^why]",')
    spec.write_text(text + "footnotes:\n  why: Only the first record.\n")
    project = Project.at(root)
    doc = load(project)
    tables = compute_tables(doc, project)
    table = tables["first-table"]
    assert table.note_letters == {"why": "a"}
    assert table.rows[0].label == "A"  # plain, for charts and diffs
    html = render_html(doc, tables, project.templates)
    call = '<sup class="tn-call"><a href="#table-1-note-a">a</a></sup>'
    assert f'<th scope="row" class="stub">A{call}</th>' in html
    assert "Only the first record." in html


def test_a_missing_record_is_named_not_summed_to_zero(make_project):
    spec = one_row_table('- {id: v2010, heading: "2010", sum: value, where: {year: 2010}}')
    root = make_project(
        {"content/tables/first-table.yaml": spec, "data/values.csv": "name,year,value\na,1990,1\n"}
    )
    with pytest.raises(ReportError) as caught:
        computed(root)
    assert str(caught.value).startswith(
        "content/tables/first-table.yaml:7:5: row 'A', column 'v2010': no record of "
        "data/values.csv where year = '2010' (a record is missing from the data"
    )


def test_rows_sort_by_a_whole_number_column_as_numbers(make_root):
    """An integer column is read as numpy int64: sorted by value (13,132 before 8,335), not
    as text ("8335" > "13132")."""
    from reporter.pipeline import compute_tables, load

    project = make_root("basic", files={"content/tables/hosts.yaml": """
        title: The two largest
        data: hosts
        rows: {each: country, sort: -migrants_2019, top: 2}
        columns:
          - {id: country, heading: Country, text: country}
          - {id: stock, heading: Thousands, sum: migrants_2019}
    """})  # fmt: skip
    table = compute_tables(load(project), project)["hosts"]
    assert [row.label for row in table.rows] == ["Germany", "Saudi Arabia"]


def test_total_and_other_name_their_rows_whatever_the_labels_say(make_root):
    """A formula's [total] and [other] find the grand total and the remainder row, so a
    table's labels can be in any language (Monde's id is monde)."""
    from reporter.pipeline import compute_tables, load

    project = make_root("basic", files={"content/tables/hosts.yaml": """
        title: Les deux plus grands
        data: hosts
        rows: {each: country, sort: -migrants_2019, top: 2, other: Autres pays, total: Monde}
        columns:
          - {id: country, heading: Pays, text: country}
          - {id: stock, heading: Milliers, sum: migrants_2019}
          - {id: share, heading: Part, formula: "100 * stock / stock[total]", unit: percent}
          - {id: vs_other, heading: Rapport, formula: "stock / stock[other]", decimals: 2}
    """})  # fmt: skip
    rows = {r.id: r for r in compute_tables(load(project), project)["hosts"].rows}
    assert list(rows) == ["germany", "saudi-arabia", "autres-pays", "monde"]
    share = {r: next(c.text for c in rows[r].cells if c.column == "share") for r in rows}
    assert share["monde"] == "100.0" and share["autres-pays"] != share["germany"]


HOSTS_WITH_CODES = (
    "country,code,region,migrants_2019\nGermany,276,Europe,13132\nFrance,250,Europe,8335\n"
    "Channel Islands,830,Europe,8000\nAtlantis,,Europe,7000\nSaudi Arabia,682,Asia,13122\n"
)
NAMED = """
    title: Hosts
    data: hosts
    rows: {each: country, sort: -migrants_2019, top: 5, total: Total}
    columns:
      - {id: country, heading: Country, text: country, territory: code}
      - {id: stock, heading: Thousands, sum: migrants_2019}
"""


def named_table(make_root, language: str, spec: str = NAMED):
    document = (ROOTS / "basic/content/document.yaml").read_text() + f"language: {language}\n"
    project = make_root("basic", {"data/hosts.csv": HOSTS_WITH_CODES, "content/tables/hosts.yaml":
                                  spec, "content/document.yaml": document})  # fmt: skip
    return compute_tables(load(project), project)["hosts"]


@pytest.mark.parametrize(
    ("language", "names"),
    [("en", ["Germany", "Saudi Arabia", "France", "Channel Islands", "Atlantis"]),
     ("fr", ["Allemagne", "Arabie saoudite", "France", "Channel Islands", "Atlantis"]),
     ("ar", ["ألمانيا", "المملكة العربية السعودية", "فرنسا", "Channel Islands", "Atlantis"])],
)  # fmt: skip
def test_a_territory_column_names_each_area_in_the_documents_language(make_root, language, names):
    """CLDR's names by M49 code; the data's in English, where the code stands for several
    territories (830: Jersey and Guernsey) and where there is none. Row ids stay the data's."""
    table = named_table(make_root, language)
    assert [row.cells[0].value for row in table.rows[:5]] == names
    assert [row.id for row in table.rows[:2]] == ["germany", "saudi-arabia"]
    assert table.rows[-1].cells[0].value is None  # the total row has no name


@pytest.mark.parametrize(
    ("column", "message"),
    [("{id: stock, heading: T, sum: migrants_2019, territory: code}",
      "territory: is for text columns"),
     ("{id: country, heading: C, text: country, territory: m49}", "no column 'm49'")],
)  # fmt: skip
def test_a_territory_on_a_number_or_of_a_missing_column_is_located(make_root, column, message):
    spec = NAMED.replace("{id: country, heading: Country, text: country, territory: code}", column)
    with pytest.raises(ReportError, match=message) as caught:
        named_table(make_root, "fr", spec)
    assert str(caught.value).startswith("content/tables/hosts.yaml:")
