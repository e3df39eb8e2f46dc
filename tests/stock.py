"""A small stock of migrants by country, region and year (STOCK) and the table of its largest
destinations (TOP), on tests/conftest.py's MINIMAL project: shared by the tests of tables,
quantities and the check."""

from __future__ import annotations

from pathlib import Path

from reporter.cli import main
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


MAIN = """
    kind: section
    label: only
    title: The only section
    blocks:
      - p: >-
          TEXT
      - table: first-table
"""


def stock_project(make_project, text: str, **files: str) -> Path:
    """MINIMAL with STOCK as data/stock.csv, TOP as its table, and `text` as its paragraph."""
    return make_project(
        {
            "content/main.yaml": MAIN.replace("TEXT", text),
            "content/tables/first-table.yaml": TOP,
            "data/stock.csv": STOCK,
            **files,
        }
    )


def check(root: Path, capsys, *args: str) -> tuple[int, str]:
    """`reporter check ROOT ARGS`: its exit code and what it printed."""
    code = main(["check", str(root), *args])
    return code, capsys.readouterr().out


def stock_table(make_project, spec: str, name: str = "first-table"):
    """The table `spec` computed on STOCK (data/stock.csv) in MINIMAL."""
    root = make_project({f"content/tables/{name}.yaml": spec, "data/stock.csv": STOCK})
    project = Project.at(root)
    return compute_tables(load(project), project)[name]
