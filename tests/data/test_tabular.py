"""reporter/data/tabular.py: a cell with no value is named where it is — the file and line of
a CSV record, the sheet, row and column of a workbook's cell, the query of an SQL dataset —
with the first cells of its record, each cut short; and it stays no value through SQL (NULL)."""

from __future__ import annotations

import shutil

from reporter.data.datasets import Datasets
from reporter.data.tabular import first_missing, numeric_column
from reporter.errors import Location
from tests.conftest import FIXTURES
from tests.matrix import data_project

AT = Location(None)
XLSX = "UN_MigrantStockTotal_2019.xlsx"


def missing(data, column: str) -> str:
    return str(first_missing(data, numeric_column(data, column, AT), column))


def test_the_first_record_without_a_value_is_named_with_its_first_cells_cut_short(tmp_path):
    long_name = "The Very Long Name of a Country Or Area"  # 39 characters: cut to 30
    text = f"a,b,c,d,e,f,value\n1,2,3,4,5,6,7\n{long_name},x,,y,z,w,\n1,2,3,4,5,6,\n"
    root = data_project(tmp_path, "{}\n", {"cells.csv": text})
    data = Datasets(root)("cells")
    assert missing(data, "value") == (
        "data/cells.csv:3:7: The Very Long Name of a Count…,x,y,z,…: no value of value"
    )
    first = data.subset(data.frame.iloc[:1])
    assert first_missing(first, numeric_column(first, "value", AT), "value") is None


def test_a_workbook_cell_without_a_value_is_named_by_sheet_row_and_column(tmp_path):
    declared = """
        stock_2019:
          file: UN_MigrantStockTotal_2019.xlsx
          sheet: Table 1
          header: [15, 16]
          na: ".."
    """
    root = data_project(tmp_path, declared)
    shutil.copyfile(FIXTURES / "UN_MigrantStockTotal_2019.xlsx", root / "data/" / XLSX)
    data = Datasets(root)("stock_2019")
    names = data.frame["Major area, region, country or area of destination"]
    sudan = data.subset(data.frame[names == "South Sudan"])
    column = "International migrant stock at mid-year (both sexes) 1990"
    assert missing(sudan, column) == (
        f"data/{XLSX}[Table 1]:55:6: 39,South Sudan,728,B R,…: no value of {column}"
    )  # sort order, name, code, type of data


def test_no_value_is_null_in_sql_and_a_query_result_names_the_query(tmp_path):
    declared = """
        matrix:
          file: wide.csv
          na: ".."
        gaps:
          sql: |
            select Destination, Year, Alpha, Alpha is null as unknown
            from matrix order by Year, Destination
    """
    data = Datasets(data_project(tmp_path, declared))("gaps")
    assert data.frame["unknown"].tolist() == [True, False, True, False]
    assert missing(data, "Alpha") == "data/datasets.yaml:4: Alpha,1990,True: no value of Alpha"
