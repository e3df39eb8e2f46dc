"""reporter/compute/quantities.py: named quantities over a dataset's records — sums, minima,
maxima, means, counts, shares of a total, ranks — filtered with where:, bound in the prose
and checked; bad definitions are located, all of them in one run."""

from __future__ import annotations

import pytest

from reporter.cli import main
from reporter.compute.quantities import Quantities, read_quantities
from reporter.data.datasets import Datasets
from reporter.errors import Location, ReportError
from reporter.project import Project
from tests.test_table_rows import STOCK

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


def quantities(make_project, text: str = QUANTITIES) -> Quantities:
    root = make_project({"content/quantities.yaml": text, "data/stock.csv": STOCK})
    project = Project.at(root)
    return Quantities(read_quantities(root), {}, Datasets(project.root))


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
    assert quantities(make_project).get(name, Location(None)).value == pytest.approx(value)


def test_a_share_is_in_per_cent_and_says_how_it_was_computed(make_project):
    share = quantities(make_project).get("south_share_2017", Location(None))
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
        quantities(make_project, body).get("q", Location(None))
    assert message in str(caught.value)


def test_every_bad_quantity_is_reported_in_one_run(make_project):
    text = "a:\n  summ: stock.migrants\nb:\n  max: stock.migrants\n  unit: furlongs\n"
    with pytest.raises(ReportError) as caught:
        quantities(make_project, text)
    assert [str(e) for e in (caught.value, *caught.value.others)] == [
        "content/quantities.yaml:2:3: unknown key 'summ' in quantity 'a' (did you mean 'sum'?)",
        "content/quantities.yaml:5:3: unknown unit 'furlongs' (use one of: count, thousand, "
        "million, billion, percent, ratio)",
    ]


def test_a_share_takes_its_part_from_the_whole(make_project):
    text = "s:\n  share: stock.migrants\n  where: {region: South}\n"
    text += "  of: {year: 2017, country: {not: WORLD}}\n"
    value = quantities(make_project, text).get("s", Location(None)).value
    assert value == pytest.approx(100 * (200 + 40 + 12) / 414)  # not the South's 1990 records


def test_a_record_with_no_value_has_no_rank(make_project):
    root_text = "r:\n  rank: stock\n  sort: -migrants\n  where: {country: Dorne, year: 2017}\n"
    stock = STOCK.replace("Dorne,North,2017,12", "Dorne,North,2017,")
    root = make_project({"content/quantities.yaml": root_text, "data/stock.csv": stock})
    q = Quantities(read_quantities(root), {}, Datasets(root))
    with pytest.raises(ReportError, match="rank: the record where: picks has no value"):
        q.get("r", Location(None))
