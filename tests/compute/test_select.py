"""reporter/compute/select.py: the records a table row takes — filtered with equality, lists,
comparisons and negation, sorted by data columns either way with missing values last — and a
comparison on a text column naming its cells (on tests/stock.py's STOCK)."""

from __future__ import annotations

import textwrap

import pytest

from reporter.errors import ReportError
from reporter.pipeline import compute_tables, load
from reporter.project import Project
from tests.stock import STOCK, TOP, stock_table


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
    assert [[r.id, r.cells[1].text] for r in stock_table(make_project, spec).rows] == [
        ["dorne", "10"],
        ["borduria", "80"],
        ["carpania", "60"],
    ]


def test_a_comparison_on_a_text_column_names_the_cells(make_project):
    spec = TOP.replace("{country: {not: WORLD}}", '{region: {">": 1}}')
    with pytest.raises(ReportError) as caught:
        stock_table(make_project, spec)
    assert str(caught.value).startswith("data/stock.csv:2:2: column 'region' has 'North' where")


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
