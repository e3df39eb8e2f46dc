"""Missing values in reporter/check/ (run.py, computed.py): a figure, a computed value or a name
bound to a value the data do not have fails, in one line naming the data cell it lacks."""

from __future__ import annotations

from tests.compute.test_missing import CARPANIA_2017, blank
from tests.stock import STOCK, check, stock_project

NO_TOTAL = "first-table.total.stock_2017 has no value: " + CARPANIA_2017


def test_a_figure_bound_to_no_value_fails_naming_the_data_cell(make_project, capsys):
    root = stock_project(
        make_project,
        "In 2017 they hosted [414]{=first-table.total.stock_2017}, "
        "Borduria [200]{=first-table.borduria.stock_2017}.",
        **{"data/stock.csv": blank("Carpania,South,2017")},
    )
    code, out = check(root, capsys)
    assert code == 1
    assert out.splitlines()[0] == f"FAIL content/main.yaml:6:27: para. 1: “414”: {NO_TOTAL}"
    assert "2 bound: 1 passed, 1 failed" in out


def test_a_computed_value_of_no_value_writes_the_mark_and_fails(make_project, capsys):
    root = stock_project(
        make_project,
        "In 2017 they hosted {=first-table.total.stock_2017}.",
        **{"data/stock.csv": blank("Carpania,South,2017")},
    )
    code, out = check(root, capsys, "-v")
    assert code == 1
    assert f"FAIL content/main.yaml:6:27: para. 1: “..”: {NO_TOTAL}" in out.splitlines()


def test_an_erratum_does_not_excuse_no_value_and_is_not_stale(make_project, capsys):
    erratum = "- figure: '414'\n  quantity: first-table.total.stock_2017\n  reason: Kept.\n"
    root = stock_project(
        make_project,
        "In 2017 they hosted [414]{=first-table.total.stock_2017}.",
        **{"data/stock.csv": blank("Carpania,South,2017"), "content/errata.yaml": erratum},
    )
    code, out = check(root, capsys)
    assert code == 1
    assert out.splitlines()[0].endswith(NO_TOTAL)
    assert "erratum matches no figure" not in out and "0 errata" in out


def test_a_name_bound_to_a_text_cell_with_no_value_fails_naming_it(make_project, capsys):
    spec = """
        title: Largest
        data: stock
        rows:
          each: record
          where: {year: 2017, migrants: {">=": 100}, region: {not: [""]}}
          sort: -n
        columns:
          - {id: country, heading: Country, text: country}
          - {id: n, heading: Migrants, sum: migrants, decimals: 0}
    """
    stock = STOCK.replace("Borduria,South,2017,200", ",South,2017,200")  # no name
    root = stock_project(
        make_project,
        "[Borduria]{=first-table.1.country} hosted the most.",
        **{"content/tables/first-table.yaml": spec, "data/stock.csv": stock},
    )
    code, out = check(root, capsys)
    assert code == 1
    assert out.splitlines()[0] == (
        "FAIL content/main.yaml:6:7: para. 1: “Borduria”: first-table.1.country has no value: "
        "data/stock.csv:5:1: South,2017,200: no value of country"
    )
