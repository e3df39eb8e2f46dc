"""Missing values in reporter/compute/ (tables.py, formula.py, quantities.py, charts.py): a data
cell with no value is no value — never 0 — through sums, formulas, totals, ranks and
quantities, unless a spec says `missing: skip`; it prints as the format's NA mark and carries
the file, line and record it comes from (on tests/stock.py's STOCK, one cell blanked)."""

from __future__ import annotations

import json

import pytest

from reporter.cache import Cache
from reporter.check.tables import table_notes
from reporter.compute.charts import chart_data
from reporter.compute.quantities import Quantities, read_quantities
from reporter.compute.tables import rows_from_json, rows_to_json
from reporter.data.datasets import Datasets
from reporter.errors import Location, ReportError
from reporter.pipeline import compute_charts, compute_tables, load
from reporter.project import Project
from tests.conftest import copy_root
from tests.stock import STOCK, TOP

CARPANIA_2017 = "data/stock.csv:7:4: Carpania,South,2017: no value of migrants"
ATLANTIS_2017 = "data/stock.csv:3:4: Atlantis,North,2017: no value of migrants"


def blank(record: str) -> str:
    """STOCK with the migrants of `record` ("Carpania,South,2017") left empty."""
    assert record + "," in STOCK
    return "\n".join(
        line.rpartition(",")[0] + "," if line.strip().startswith(record + ",") else line
        for line in STOCK.split("\n")
    )


def table(make_project, spec: str, stock: str):
    root = make_project({"content/tables/first-table.yaml": spec, "data/stock.csv": stock})
    project = Project.at(root)
    return compute_tables(load(project), project)["first-table"]


def cells(t) -> list[list[str]]:
    return [[row.label or row.id, *(c.text for c in row.cells)] for row in t.rows]


def test_a_missing_cell_gives_its_row_its_total_and_the_shares_over_them_no_value(make_project):
    t = table(make_project, TOP, blank("Carpania,South,2017"))  # in the "other" row
    assert cells(t) == [
        ["Borduria", "1", "Borduria", "80", "200", ".."],  # 200 / no total: no share
        ["Atlantis", "2", "Atlantis", "100", "150", ".."],
        ["All other countries", "", "", "75", "..", ".."],
        ["Total", "", "", "255", "..", ".."],
    ]
    total = t.cell("total", "stock_2017")
    assert (total.value, total.missing) == (None, CARPANIA_2017)
    assert t.cell("borduria", "share").missing == CARPANIA_2017  # the cell it comes from
    assert t.cell("total", "stock_1990").missing == ""
    assert table_notes(t) == ([], [])  # a total with no value is not checked against its parts


def test_missing_skip_sums_the_values_there_are(make_project):
    spec = TOP.replace("where: {year: 2017}, decimals: 0}", "where: {year: 2017}, decimals: 0, "
                       "missing: skip}")  # fmt: skip
    t = table(make_project, spec, blank("Carpania,South,2017"))
    assert [c[4:] for c in cells(t)] == [["200", "53.5"], ["150", "40.1"], ["24", "6.4"],
                                         ["374", "100.0"]]  # fmt: skip
    assert table_notes(t) == ([], [])  # 24 = 12 + 12: the total is of the values there are


def test_missing_skip_leaves_a_cell_whose_records_all_lack_a_value_without_one(make_project):
    spec = """
        title: Each country
        data: stock
        rows:
          each: country
          where: {country: {not: WORLD}}
          total: Total
        columns:
          - {id: n, heading: "2017", sum: migrants, where: {year: 2017}, missing: skip}
          - {id: twice, heading: Twice, formula: 2 * n}
    """
    t = table(make_project, spec, blank("Atlantis,North,2017"))
    assert cells(t)[0] == ["Atlantis", "..", ".."]
    assert t.cell("atlantis", "n").missing == ATLANTIS_2017  # skip: still no value, not 0
    assert t.cell("total", "n").text == "264.0"  # 200 + 40 + 12 + 12


def test_a_row_with_no_value_has_no_rank_and_takes_no_place_from_the_others(make_project):
    spec = """
        title: Ranked
        data: stock
        rows:
          each: country
          where: {country: {not: WORLD}, year: 2017}
          sort: -n
        columns:
          - {id: place, heading: Place, rank: -n}
          - {id: n, heading: "2017", sum: migrants, decimals: 0}
    """
    t = table(make_project, spec, blank("Atlantis,North,2017"))
    assert cells(t) == [
        ["Borduria", "1", "200"],
        ["Carpania", "2", "40"],
        ["Dorne", "3", "12"],
        ["Erewhon", "3", "12"],
        ["Atlantis", "..", ".."],  # sorted after every value, and no place
    ]
    assert t.cell("atlantis", "place").missing == ATLANTIS_2017


def test_the_na_mark_is_declared_in_the_format_of_the_table_or_a_column(make_project):
    spec = """
        title: Marks
        data: stock
        format: {decimals: 0, na: "–"}
        rows:
          - {id: atlantis, label: Atlantis, where: {country: Atlantis}}
        columns:
          - {id: a, heading: A, sum: migrants, where: {year: 2017}}
          - {id: b, heading: B, formula: a + 1, format: {na: n/a}}
          - {id: c, heading: C, formula: a * 2, decimals: 2}
          - {id: d, heading: D, sum: migrants, where: {year: 1990}}
    """
    t = table(make_project, spec, blank("Atlantis,North,2017"))
    assert cells(t) == [["Atlantis", "–", "n/a", "–", "100"]]


def test_the_documents_na_mark_is_every_tables_unless_a_format_says_otherwise(make_project):
    """document.yaml's `na:` (the project's mark), a table's format over it, a column's over
    that; a changed mark is a new table, not one from the cache."""
    spec = """
        title: Marks
        data: stock
        rows:
          - {id: atlantis, label: Atlantis, where: {country: Atlantis}}
        columns:
          - {id: a, heading: A, sum: migrants, where: {year: 2017}}
          - {id: b, heading: B, formula: a + 1, format: {na: n/a}}
    """
    document = "symbol: X/1/2\ntitle: T\ndate: 2020-01-31\nparts: [main.yaml]\nna: \u2013\n"
    root = make_project({"content/tables/first-table.yaml": spec,
                         "data/stock.csv": blank("Atlantis,North,2017"),
                         "content/document.yaml": document})  # fmt: skip
    project = Project.at(root)
    cache = Cache(root)
    first = compute_tables(load(project), project, cache=cache)["first-table"]
    assert cells(first) == [["Atlantis", "\u2013", "n/a"]]
    (root / "content/document.yaml").write_text(document.replace("na: \u2013", "na: '-'"))
    again = compute_tables(load(project), project, cache=cache)["first-table"]
    assert cells(again) == [["Atlantis", "-", "n/a"]]


def test_a_mark_made_of_nothing_is_not_read_as_zero_by_the_table_check(make_project):
    spec = """
        title: Parts
        data: stock
        format: {decimals: 0, na: ""}
        rows:
          - {id: north, label: North, where: {region: North}}
          - {id: south, label: South, where: {region: South}}
          - {id: all, label: All, where: {region: [North, South]}, style: total}
        columns:
          - {id: n, heading: "2017", sum: migrants, where: {year: 2017}, missing: skip}
          - {id: strict, heading: Strict, sum: migrants, where: {year: 2017}}
    """
    north_unknown = blank("Atlantis,North,2017").replace("Dorne,North,2017,12", "Dorne,North,2017,")
    t = table(make_project, spec, north_unknown)
    assert cells(t) == [["North", "", ""], ["South", "252", "252"], ["All", "252", ""]]
    # skip: 252 is the one part with a value; strict: a blank total is not a printed 0
    assert table_notes(t) == ([], [])


def test_missing_is_for_sum_columns_only(make_project):
    spec = """
        title: Bad
        data: stock
        rows:
          - {id: atlantis, label: Atlantis, where: {country: Atlantis}}
        columns:
          - {id: a, heading: A, sum: migrants}
          - {id: b, heading: B, formula: a + 1, missing: skip}
    """
    with pytest.raises(ReportError) as caught:
        table(make_project, spec, STOCK)
    assert str(caught.value) == (
        "content/tables/first-table.yaml:7:41: missing: is for sum columns (a formula over no "
        "value has none)"
    )


def test_rows_with_no_value_in_a_numeric_group_by_column_make_one_group(make_project):
    stock = STOCK.replace("Dorne,North,1990,10", "Dorne,North,,10").replace(
        "Erewhon,South,1990,5", "Erewhon,South,,5"
    )
    spec = """
        title: Groups
        data: stock
        rows:
          each: record
          where: {country: [Dorne, Erewhon]}
          group_by: year
          subtotal: Subtotal
        columns:
          - {id: n, heading: N, sum: migrants, decimals: 0}
    """
    t = table(make_project, spec, stock)
    assert [(r.style, r.cells[0].text) for r in t.rows] == [
        ("", "10"), ("", "5"), ("subtotal", "15"),  # the two records without a year
        ("", "12"), ("", "12"), ("subtotal", "24"),
    ]  # fmt: skip


def test_a_cell_with_no_value_comes_back_the_same_from_the_cache(make_project):
    t = table(make_project, TOP, blank("Carpania,South,2017"))
    again = rows_from_json(json.loads(json.dumps(rows_to_json(t.rows))))
    assert again == t.rows and again[-1].cells[3].missing == CARPANIA_2017


def test_a_chart_of_a_cell_with_no_value_is_an_error_naming_the_cell(tmp_path):
    project = copy_root("chart", tmp_path / "chart")
    data = project.root / "data/destinations.csv"
    data.write_text(data.read_text().replace("Germany,Europe,5936,", "Germany,Europe,,"))
    doc = load(project)
    tables = compute_tables(doc, project)
    with pytest.raises(ReportError) as caught:
        compute_charts(doc, tables, project)
    assert str(caught.value) == (
        "content/charts/by-region.yaml:1:1: column 'stock_1990' has no value in row 'europe': "
        "data/destinations.csv:3:3: Germany,Europe,13132: no value of migrants_1990 (leave "
        "that row out of the chart (rows:), or give the data a value)"
    )
    spec = doc.charts["by-region"]
    spec = type(spec)(**{**spec.__dict__, "rows": ["asia", "americas"]})
    assert chart_data(spec, tables).series[0][1] == pytest.approx([6.305, 27.584])


# --- quantities ------------------------------------------------------------------------------

QUANTITIES = """
    total_2017:
      sum: stock.migrants
      where: {year: 2017, country: {not: WORLD}}
    known_2017:
      sum: stock.migrants
      where: {year: 2017, country: {not: WORLD}}
      missing: skip
    mean_2017:
      mean: stock.migrants
      where: {year: 2017, country: {not: WORLD}}
    known_mean_2017:
      mean: stock.migrants
      where: {year: 2017, country: {not: WORLD}}
      missing: skip
    largest_2017:
      max: stock.migrants
      where: {year: 2017, country: {not: WORLD}}
    smallest_known_2017:
      min: stock.migrants
      where: {year: 2017, country: {not: WORLD}}
      missing: skip
    south_share:
      share: stock.migrants
      where: {region: South}
      of: {year: 2017, country: {not: WORLD}}
    south_known_share:
      share: stock.migrants
      where: {region: South}
      of: {year: 2017, country: {not: WORLD}}
      missing: skip
    carpania_known_share:
      share: stock.migrants
      where: {country: Carpania}
      of: {year: 2017, country: {not: WORLD}}
      missing: skip
    growth:
      formula: 100 * (total_2017 - world_1990) / world_1990
      unit: percent
    world_1990:
      sum: stock.migrants
      where: {year: 1990, country: WORLD}
    carpania_place:
      rank: stock
      sort: -migrants
      where: {country: Carpania, year: 2017}
      among: {year: 2017, country: {not: WORLD}}
"""


@pytest.fixture
def blanked(make_project) -> Quantities:
    """QUANTITIES on STOCK with Carpania's 2017 value (40) left empty."""
    root = make_project(
        {"content/quantities.yaml": QUANTITIES, "data/stock.csv": blank("Carpania,South,2017")}
    )
    return Quantities(read_quantities(root), {}, Datasets(root))


@pytest.mark.parametrize(
    "name", ["total_2017", "mean_2017", "largest_2017", "south_share", "growth", "carpania_place"]
)
def test_a_quantity_over_a_record_with_no_value_has_none(blanked, name):
    value = blanked.get(name, Location(None))
    assert value.value != value.value and value.missing == CARPANIA_2017


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("known_2017", 200 + 150 + 12 + 12),
        ("known_mean_2017", (200 + 150 + 12 + 12) / 4),
        ("smallest_known_2017", 12),
        ("south_known_share", 100 * (200 + 12) / 374),
    ],
)
def test_missing_skip_computes_over_the_values_there_are(blanked, name, expected):
    value = blanked.get(name, Location(None))
    assert (value.value, value.missing) == (pytest.approx(expected), "")


def test_a_share_of_a_part_with_no_value_at_all_is_none_not_zero(blanked):
    assert blanked.get("carpania_known_share", Location(None)).missing == CARPANIA_2017


def test_missing_is_refused_on_a_quantity_it_does_not_fit(make_project):
    text = "c:\n  count: stock\n  missing: skip\n"
    root = make_project({"content/quantities.yaml": text, "data/stock.csv": STOCK})
    with pytest.raises(ReportError) as caught:
        read_quantities(root)
    assert str(caught.value) == (
        "content/quantities.yaml:3:3: missing: is for sum, min, max, mean and share quantities, "
        "not count"
    )


def test_a_formula_over_a_table_cell_with_no_value_has_none(make_project):
    text = "top_share:\n  formula: 100 * first-table.borduria.stock_2017 / 414\n  unit: percent\n"
    text += "bordurian_share:\n  formula: first-table.borduria.share\n  unit: percent\n"
    root = make_project({"content/tables/first-table.yaml": TOP, "content/quantities.yaml": text,
                         "data/stock.csv": blank("Carpania,South,2017")})  # fmt: skip
    project = Project.at(root)
    tables = compute_tables(load(project), project)
    found = Quantities(read_quantities(root), tables, Datasets(root))
    assert found.get("top_share", Location(None)).value == pytest.approx(100 * 200 / 414)
    assert found.get("bordurian_share", Location(None)).missing == CARPANIA_2017
    cell = found.get("first-table.total.stock_2017", Location(None))
    assert (cell.unit, cell.missing) == ("count", CARPANIA_2017)


def test_an_aggregate_with_no_value_comes_back_the_same_from_the_cache(make_project):
    root = make_project(
        {"content/quantities.yaml": QUANTITIES, "data/stock.csv": blank("Carpania,South,2017")}
    )
    values = []
    for _ in range(2):
        cache = Cache(root)
        found = Quantities(read_quantities(root), {}, Datasets(root), cache)
        values.append([found.get(n, Location(None)) for n in ("total_2017", "known_2017")])
    assert cache.hits.count("quantity") == 2
    assert values[1][0].missing == CARPANIA_2017 and values[1][1].value == 374
    assert repr(values[0]) == repr(values[1])  # NaN != NaN: compare what they say
