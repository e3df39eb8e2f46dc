"""reporter/compute/quantities.py on data as published: every kind of quantity (formula,
count, distinct, sum, min, max, mean, share, rank) over a CSV read with options, a workbook's
sheet and an SQL dataset joining them (tests/roots/sql); table cells as values; units,
definitions, cycles, unknown names and the cache; then on a plain CSV (tests/stock.py): every
aggregate filtered with where:, bound in the prose and checked, and bad definitions located,
all of them in one run."""

from __future__ import annotations

from pathlib import Path

import pytest

from reporter.cache import Cache, folder_of
from reporter.cli import main
from reporter.compute.quantities import Quantities, read_quantities
from reporter.data.datasets import Datasets
from reporter.errors import Location, ReportError
from reporter.pipeline import check_project, compute_tables, load
from tests.conftest import ROOTS, copy_root
from tests.stock import STOCK

USED_AT = Location(Path("content/01-figures.yaml"), 5, 7)


def quantities(project, cache: Cache | None = None) -> Quantities:
    tables = compute_tables(load(project), project)
    return Quantities(read_quantities(project.root), tables, Datasets(project.root), cache)


@pytest.fixture(scope="module")
def sql(tmp_path_factory):
    return copy_root("sql", tmp_path_factory.mktemp("quantities") / "sql")


@pytest.fixture(scope="module")
def values(sql) -> Quantities:
    return quantities(sql)


@pytest.mark.parametrize(
    ("name", "value", "unit"),
    [
        ("countries_listed", 7, "count"),  # count: every record
        ("developing", 2, "count"),  # count: where:
        ("regions_listed", 3, "count"),  # distinct
        ("europe_2017", 12165 + 7903 + 5907, "thousand"),  # sum: where:
        ("europe_1990", 5936 + 5897 + 1428, "thousand"),
        ("smallest_2017", 2321, "thousand"),  # min: Japan
        ("largest_2017", 12185, "thousand"),  # max: Saudi Arabia
        ("mean_1990", (5936 + 5897 + 1428 + 4998 + 1307 + 4333) / 6, "thousand"),  # ".." skipped
        ("europe_share", 100 * 25975 / 56655, "percent"),  # share of every record
        ("asia_share_of_developed", 100 * 2321 / (7861 + 7903 + 12165 + 5907 + 2321), "percent"),
        ("germany_rank", 2, "count"),  # after Saudi Arabia
        ("germany_rank_in_europe", 1, "count"),  # among:
        ("europe_growth", 100 * (25975 - 13261) / 13261, "percent"),  # formula over quantities
        ("europe_share_in_table", 100 * 25975 / 56655, "percent"),  # formula over table cells
    ],
)
def test_every_kind_on_data_as_published(values, name, value, unit):
    got = values.get(name, USED_AT)
    assert got.value == pytest.approx(value) and got.unit == unit


def test_each_value_says_how_it_was_computed(values):
    definitions = {
        name: values.get(name, USED_AT).definition
        for name in ("countries_listed", "developing", "regions_listed", "europe_2017",
                     "mean_1990", "europe_share", "germany_rank", "europe_growth")
    }  # fmt: skip
    assert definitions == {
        "countries_listed": "number of records in countries",
        "developing": "number of records in countries where grp = 'Developing'",
        "regions_listed": "number of distinct region in countries",
        "europe_2017": "sum of countries.stock_2017 where region = 'Europe'",
        "mean_1990": "mean of countries.stock_1990 (missing values skipped)",
        "europe_share": "share of countries.stock_2017 where region = 'Europe'",
        "germany_rank": "place of countries by stock_2017, largest first",
        "europe_growth": "100 * (europe_2017 - europe_1990) / europe_1990",
    }


def test_a_table_cell_is_a_value_by_row_id_or_by_place(values):
    by_id = values.get("regions.europe.stock_2017", USED_AT)
    assert (by_id.value, by_id.unit, by_id.definition) == (
        25975.0, "thousand", "regions.europe.stock_2017",
    )  # fmt: skip
    assert values.get("regions.1.stock_2017", USED_AT).value == 25975.0  # the first data row
    assert values.get("regions.3.stock_1990", USED_AT).value == 4333.0
    assert values.get("regions.total.stock_2017", USED_AT).value == 56655.0
    # Japan has no 1990 value (".."), and the column does not skip it: no total, and why
    assert values.get("regions.total.stock_1990", USED_AT).missing == (
        "data/datasets.yaml:13: Japan,Asia,Developed,2321: no value of stock_1990"
    )


def test_a_text_cell_is_a_name(make_root):
    spec = (ROOTS / "sql/content/tables/regions.yaml").read_text(encoding="utf-8")
    spec = spec.replace(
        "rows:\n  - {id: europe, label: Europe, where: {region: Europe}}\n",
        "rows:\n  - {id: europe, label: Europe, where: {region: Europe}}\n"
        "  - {id: first, label: First, where: {country: Canada}}\n",
    ).replace("columns:\n", "columns:\n  - {id: country, heading: Country, text: country}\n")
    project = make_root("sql", {"content/tables/regions.yaml": spec})
    name = quantities(project).get("regions.first.country", USED_AT)
    assert (name.text, name.unit) == ("Canada", "name")


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("nothing", "unknown quantity 'nothing' (define it in content/quantities.yaml or write "
                    "table.row.column)"),
        ("europe_2018", "unknown quantity 'europe_2018' (did you mean 'europe_2017'?)"),
        ("region.europe.stock_2017", "unknown table 'region' in 'region.europe.stock_2017' "
                                     "(did you mean 'regions'?)"),
        ("regions.9.stock_2017", "table 'regions' has no row '9' "
                                 "(rows: europe, asia, americas, total)"),
        ("regions.europe.stock_2018", "table 'regions' has no column 'stock_2018'"),
    ],
)  # fmt: skip
def test_an_unknown_name_is_located_where_it_is_used(values, name, message):
    with pytest.raises(ReportError) as err:
        values.get(name, USED_AT)
    assert str(err.value).startswith(f"content/01-figures.yaml:5:7: {message}")


def test_a_quantity_defined_in_terms_of_itself_is_an_error_at_its_definition(make_root):
    project = make_root("sql", {"content/quantities.yaml": """
        first:
          formula: 1 + second
        second:
          formula: first * 2
    """})  # fmt: skip
    with pytest.raises(ReportError) as err:
        quantities(project).get("first", USED_AT)
    assert str(err.value) == (
        "content/quantities.yaml:2:3: quantity 'first' is defined in terms of itself"
    )


def test_a_formula_dividing_by_zero_names_its_definition(make_root):
    text = (ROOTS / "sql/content/quantities.yaml").read_text(encoding="utf-8")
    text += "zero:\n  formula: 100 / (europe_2017 - europe_2017)\n"
    project = make_root("sql", {"content/quantities.yaml": text})
    with pytest.raises(ReportError) as err:
        quantities(project).get("zero", USED_AT)
    assert str(err.value).endswith(": formula '100 / (europe_2017 - europe_2017)' divides by zero")
    assert err.value.where.path == Path("content/quantities.yaml")


def test_equal_values_share_the_better_place(make_root):
    data = (ROOTS / "sql/data/stock_published.csv").read_text(encoding="utf-8")
    data = data.replace('"12,165"', '"12,185"')  # Germany equal to Saudi Arabia
    text = (ROOTS / "sql/content/quantities.yaml").read_text(encoding="utf-8")
    text += "canada_rank:\n  rank: countries\n  sort: -stock_2017\n  where: {country: Canada}\n"
    text += "japan_rank:\n  rank: countries\n  sort: stock_2017\n  where: {country: Japan}\n"
    project = make_root("sql", {"data/stock_published.csv": data, "content/quantities.yaml": text})
    found = quantities(project)
    ranks = [found.get(n, USED_AT).value for n in ("germany_rank", "canada_rank", "japan_rank")]
    assert ranks == [1, 5, 1]  # 12185, 12185, 8313, 7903, 7861: Canada 5th; smallest first: Japan


def test_the_prose_binds_every_kind_and_the_check_passes(sql):
    _, report = check_project(sql)
    assert [f.status for f in report.findings] == ["pass"] * 14
    texts = {f.text for f in report.findings}
    assert {"7", "26.0 million", "96 per cent", "second largest", "the largest"} <= texts


def test_a_change_in_the_data_as_published_changes_the_quantity_and_fails_the_figure(make_root):
    data = (ROOTS / "sql/data/stock_published.csv").read_text(encoding="utf-8")
    project = make_root("sql", {"data/stock_published.csv": data.replace('"7,903"', '"9,903"')})
    assert quantities(project).get("europe_2017", USED_AT).value == 27975.0
    _, report = check_project(project)
    assert {f.text for f in report.failed} >= {"26.0 million", "96 per cent", "45.8 per cent"}


def test_aggregates_come_back_the_same_from_the_cache(make_root):
    project = make_root("sql")
    cold = Cache(project.root)
    first = {n: quantities(project, cold).get(n, USED_AT) for n in ("europe_2017", "germany_rank")}
    assert cold.misses.count("quantity") == 2 and "quantity" not in cold.hits
    warm = Cache(project.root)
    again = {n: quantities(project, warm).get(n, USED_AT) for n in ("europe_2017", "germany_rank")}
    assert again == first and warm.hits.count("quantity") == 2
    assert (folder_of(project.root) / "quantity").is_dir()


# --- on a plain CSV: STOCK of tests/stock.py ---------------------------------------------------

QUANTITIES = """
    world_2017:
      sum: stock.migrants
      where: {country: WORLD, year: 2017}
    largest_2017:
      max: stock.migrants
      where: {year: 2017, country: {not: WORLD}}
    smallest_1990:
      min: stock.migrants
      where: {year: 1990}
    mean_2017:
      mean: stock.migrants
      where: {year: 2017, country: {not: WORLD}}
    big_destinations:
      count: stock
      where: {year: 2017, migrants: {">=": 100}, country: {not: WORLD}}
    regions:
      distinct: stock.region
    south_share_2017:
      share: stock.migrants
      where: {year: 2017, region: South}
      of: {year: 2017, country: {not: WORLD}}
    atlantis_place:
      rank: stock
      sort: -migrants
      where: {country: Atlantis, year: 2017}
      among: {year: 2017, country: {not: WORLD}}
    erewhon_from_the_bottom:
      rank: stock
      sort: migrants
      where: {country: Erewhon, year: 1990}
      among: {year: 1990}
"""


def stock_quantities(make_project, text: str = QUANTITIES) -> Quantities:
    root = make_project({"content/quantities.yaml": text, "data/stock.csv": STOCK})
    return Quantities(read_quantities(root), {}, Datasets(root))


@pytest.mark.parametrize(
    "name, value",
    [
        ("world_2017", 414),
        ("largest_2017", 200),
        ("smallest_1990", 5),
        ("mean_2017", (150 + 200 + 40 + 12 + 12) / 5),
        ("big_destinations", 2),
        ("regions", 2),  # North, South; WORLD's empty region is no value
        ("south_share_2017", 100 * 252 / 414),
        ("atlantis_place", 2),
        ("erewhon_from_the_bottom", 1),
    ],
)
def test_aggregates_over_filtered_records(make_project, name, value):
    assert stock_quantities(make_project).get(name, Location(None)).value == pytest.approx(value)


def test_a_share_is_in_per_cent_and_says_how_it_was_computed(make_project):
    share = stock_quantities(make_project).get("south_share_2017", Location(None))
    assert share.unit == "percent"
    assert share.definition == "share of stock.migrants where year = '2017' and region = 'South'"


def test_aggregates_are_bound_in_the_prose_and_checked(make_project, capsys):
    text = """
        kind: section
        label: only
        title: The only section
        blocks:
          - p: >-
              Migrants numbered [414]{=world_2017} in 2017; Borduria hosted [200]{=largest_2017},
              the South [61 per cent]{=south_share_2017} of them, and Atlantis came
              [2]{=atlantis_place}nd.
          - table: first-table
    """
    root = make_project(
        {"content/quantities.yaml": QUANTITIES, "data/stock.csv": STOCK, "content/main.yaml": text}
    )
    assert main(["check", str(root)]) == 0
    (root / "data/stock.csv").write_text(
        (root / "data/stock.csv")
        .read_text()
        .replace("Borduria,South,2017,200", "Borduria,South,2017,90")
    )
    assert main(["check", str(root)]) == 1
    out = capsys.readouterr().out
    assert "“200” does not match largest_2017 = 150" in out
    assert "“61 per cent” does not match south_share_2017" in out
    assert "“2” does not match atlantis_place = 1" in out


@pytest.mark.parametrize(
    "body, message",
    [
        (
            "q:\n  rank: stock\n  sort: -migrants\n  where: {year: 2017}\n",
            "picks 6 records of stock",
        ),
        ("q:\n  rank: stock\n  where: {country: Dorne}\n", "rank: needs sort:"),
        ("q:\n  share: stock.migrants\n  of: {year: 1800}\n", "share: the sum of stock.migrants"),
        ("q:\n  max: stock.migrants\n  where: {year: 1800}\n", "max: no records of stock"),
        ("q:\n  sum: stock\n", "content/quantities.yaml:2:3: sum: 'stock' names no column"),
        ("q:\n  sum: stock.migrants\n  among: {year: 1990}\n", "among: is for rank: quantities"),
        ("q:\n  mean: stock.country\n", "column 'country' has 'Atlantis' where a number"),
    ],
)
def test_a_bad_quantity_is_one_located_line(make_project, body, message):
    with pytest.raises(ReportError) as caught:
        stock_quantities(make_project, body).get("q", Location(None))
    assert message in str(caught.value)


def test_every_bad_quantity_is_reported_in_one_run(make_project):
    text = "a:\n  summ: stock.migrants\nb:\n  max: stock.migrants\n  unit: furlongs\n"
    with pytest.raises(ReportError) as caught:
        stock_quantities(make_project, text)
    assert [str(e) for e in (caught.value, *caught.value.others)] == [
        "content/quantities.yaml:2:3: unknown key 'summ' in quantity 'a' (did you mean 'sum'?)",
        "content/quantities.yaml:5:3: unknown unit 'furlongs' (use one of: count, thousand, "
        "million, billion, percent, ratio)",
    ]


def test_a_share_takes_its_part_from_the_whole(make_project):
    text = "s:\n  share: stock.migrants\n  where: {region: South}\n"
    text += "  of: {year: 2017, country: {not: WORLD}}\n"
    value = stock_quantities(make_project, text).get("s", Location(None)).value
    assert value == pytest.approx(100 * (200 + 40 + 12) / 414)  # not the South's 1990 records


def test_a_record_with_no_value_has_no_rank(make_project):
    root_text = "r:\n  rank: stock\n  sort: -migrants\n  where: {country: Dorne, year: 2017}\n"
    stock = STOCK.replace("Dorne,North,2017,12", "Dorne,North,2017,")
    root = make_project({"content/quantities.yaml": root_text, "data/stock.csv": stock})
    q = Quantities(read_quantities(root), {}, Datasets(root))
    rank = q.get("r", Location(None))
    assert rank.value != rank.value  # NaN: no place, and the cell that has no value
    assert rank.missing == "data/stock.csv:9:4: Dorne,North,2017: no value of migrants"
