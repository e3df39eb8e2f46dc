"""Rows drawn from a dataset (reporter/compute/tables.py, select.py): one per record or per
distinct value, filtered with comparisons, lists and negation, sorted, cut to the top N with
an "all other" row, ranked, grouped with subtotals — on a small fixture project."""

from __future__ import annotations

import re
import textwrap

import pytest

from reporter.check.tables import table_notes
from reporter.errors import ReportError
from reporter.pipeline import compute_tables, load
from reporter.project import Project

STOCK = """
    country,region,year,migrants
    Atlantis,North,1990,100
    Atlantis,North,2017,150
    Borduria,South,1990,80
    Borduria,South,2017,200
    Carpania,South,1990,60
    Carpania,South,2017,40
    Dorne,North,1990,10
    Dorne,North,2017,12
    Erewhon,South,1990,5
    Erewhon,South,2017,12
    WORLD,,1990,255
    WORLD,,2017,414
"""

TOP = """
    title: The largest destinations, 2017
    data: stock
    rows:
      each: country
      where: {country: {not: WORLD}}
      sort: -stock_2017
      top: 2
      other: All other countries
      total: Total
    columns:
      - {id: rank, heading: Rank, rank: -stock_2017}
      - {id: country, heading: Country, text: country}
      - {id: stock_1990, heading: "1990", sum: migrants, where: {year: 1990}, decimals: 0}
      - {id: stock_2017, heading: "2017", sum: migrants, where: {year: 2017}, decimals: 0}
      - id: share
        heading: Share of the total, 2017
        formula: 100 * stock_2017 / stock_2017[total]
        unit: percent
"""


def table(make_project, spec: str, name: str = "first-table"):
    root = make_project({f"content/tables/{name}.yaml": spec, "data/stock.csv": STOCK})
    project = Project.at(root)
    return compute_tables(load(project), project)[name]


def cells(t) -> list[list[str]]:
    return [[row.label or row.id, *(c.text for c in row.cells)] for row in t.rows]


def test_top_n_with_rank_remainder_and_total(make_project):
    t = table(make_project, TOP)
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


def test_rows_sort_by_a_data_column_and_filter_with_comparisons_and_lists(make_project):
    spec = """
        title: Small destinations in 1990
        data: stock
        rows:
          each: record
          id: "{country}"
          where: {year: 1990, migrants: {"<": 90, ">=": 10}, region: [North, South]}
          sort: [region, -migrants]
        columns:
          - {id: country, heading: Country, text: country}
          - {id: n, heading: Migrants, sum: migrants, decimals: 0}
    """
    assert [[r.id, r.cells[1].text] for r in table(make_project, spec).rows] == [
        ["dorne", "10"],
        ["borduria", "80"],
        ["carpania", "60"],
    ]


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
        [r.label, r.style, r.cells[1].text, r.cells[2].text] for r in table(make_project, spec).rows
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
        table(make_project, TOP.replace(*change))
    assert message in str(caught.value)


def test_a_comparison_on_a_text_column_names_the_cells(make_project):
    spec = TOP.replace("{country: {not: WORLD}}", '{region: {">": 1}}')
    with pytest.raises(ReportError) as caught:
        table(make_project, spec)
    assert str(caught.value).startswith("data/stock.csv:2:2: column 'region' has 'North' where")


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
        table(make_project, spec)
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


def test_missing_values_sort_last_both_ways(make_project):
    stock = STOCK.replace("Dorne,North,2017,12", "Dorne,North,2017,")
    spec = """
        title: 2017
        data: stock
        rows: {each: record, id: "{country}", where: {year: 2017}, sort: SORT}
        columns:
          - {id: country, heading: Country, text: country}
    """
    root = make_project({"data/stock.csv": stock})
    for order, expected in (("migrants", "erewhon"), ("-migrants", "world")):
        path = root / "content/tables/first-table.yaml"
        path.write_text(textwrap.dedent(spec).replace("SORT", order))
        project = Project.at(root)
        rows = [r.id for r in compute_tables(load(project), project)["first-table"].rows]
        assert rows[0] == expected and rows[-1] == "dorne"


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
        table(make_project, TOP.replace(*change, 1))


def test_totals_are_checked_with_other_rows_subtotals_and_any_separator(make_project):
    spec = TOP.replace("top: 2", "top: 3\n      group_by: region\n      subtotal: '{region}'")
    spec = spec.replace("      - {id: rank, heading: Rank, rank: -stock_2017}\n", "")
    spec = spec.replace("    title:", "    format: {thousands: ' '}\n    title:")
    spec = spec.replace("decimals: 0}", "decimals: 0, scale: 1000}")
    t = table(make_project, spec)
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
