"""reporter/data/readers.py: CSV and xlsx files read as published — title rows, headers over
several rows, NA markers, thousands separators, notes below the table, encodings — with
every problem located, and every bad cell of a column reported, not only the first."""

from __future__ import annotations

from pathlib import Path

import pytest

from reporter.data.datasets import Datasets
from reporter.data.readers import ReadOptions, header_names, read_file
from reporter.data.tabular import numeric_column
from reporter.errors import Location, ReportError
from tests.conftest import FIXTURES

WORKBOOK_2019 = FIXTURES / "UN_MigrantStockTotal_2019.xlsx"


def read(tmp_path: Path, text: str | bytes, **options):
    path = tmp_path / "data" / "x.csv"
    path.parent.mkdir(exist_ok=True)
    path.write_bytes(text if isinstance(text, bytes) else text.encode("utf-8"))
    return read_file("x", path, Path("data/x.csv"), ReadOptions(**options))


def errors(caught: pytest.ExceptionInfo) -> list[str]:
    return [str(e) for e in (caught.value, *caught.value.others)]


PUBLISHED = """\ufeffInternational migrant stock,,
"Source: a statistics office, 2019",,
,,
Area,Stock,Stock
,1990,2019
WORLD,"153,011,473","271,642,105"
Ruritania,..,"1,234"
,,
Note: .. means not available,,
,,#VALUE!
"""


def test_a_published_csv_reads_with_its_header_rows_na_and_thousands(tmp_path):
    data = read(tmp_path, PUBLISHED, header=(4, 5), na=("..",), thousands=",", end="blank-row")
    frame = data.frame
    assert list(frame.columns) == ["Area", "Stock 1990", "Stock 2019"]  # BOM gone, joined
    assert frame["Area"].tolist() == ["WORLD", "Ruritania"]  # the notes below are not data
    assert frame["Stock 2019"].tolist() == [271642105, 1234]
    assert str(frame["Stock 2019"].dtype) == "int64"
    assert frame["Stock 1990"].isna().tolist() == [False, True]  # ".." is no value
    assert data.origin.at(frame.index[1], "Stock 2019") == Location(Path("data/x.csv"), 7, 3)


def test_without_the_options_the_same_file_is_text_and_the_sum_names_every_cell(tmp_path):
    data = read(tmp_path, "Area,Stock\n" + "".join(f"A{i},..\n" for i in range(12)) + "B,5\n")
    with pytest.raises(ReportError) as caught:
        numeric_column(data, "Stock", Location(Path("content/tables/t.yaml"), 3))
    found = errors(caught)
    assert len(found) == 11  # ten cells one by one, then a count
    assert found[0].startswith("data/x.csv:2:2: column 'Stock' has '..' where a number is expected")
    assert "(used at content/tables/t.yaml:3)" in found[0]
    assert found[9].startswith("data/x.csv:11:2:")
    assert found[10] == "data/x.csv:12:2: column 'Stock': 2 more cells that are not numbers"


def test_a_quoted_line_break_keeps_line_numbers_right(tmp_path):
    data = read(tmp_path, 'name,value\n"two\nlines",1\n\nb,x\n')
    with pytest.raises(ReportError, match=r"^data/x.csv:5:2: column 'value' has 'x'"):
        numeric_column(data, "value", Location(Path("t.yaml")))


@pytest.mark.parametrize(
    "text, options, message",
    [
        (b"a\n\xe5\n", {}, "data/x.csv:2: not UTF-8 (byte 0xe5) (declare the file's encoding"),
        ("a\n1\n", {"header": (3,)}, "data/x.csv:2: the header is on row 3, but the file has 2"),
        (",,\n1,2,3\n", {}, "data/x.csv:1: the header row is blank"),
        ("a,b\n1,2\n3,4,5\n", {}, "data/x.csv:3: more cells than the header's 2"),
        ("a,b\n1,2\n", {"sheet": "Table 1"}, "data/x.csv: sheet: is for .xlsx workbooks"),
        (b"PK\x03\x04junk", {}, "data/x.csv: an .xlsx workbook: give the sheet to read"),
        (b"\xd0\xcf\x11\xe0junk", {}, "data/x.csv: an .xls workbook (Excel 97-2003) cannot be"),
        ("a\n1\n", {"encoding": "klingon"}, "data/x.csv: unknown encoding 'klingon'"),
    ],
)
def test_a_file_that_cannot_be_read_says_what_it_is(tmp_path, text, options, message):
    with pytest.raises(ReportError) as caught:
        read(tmp_path, text, **options)
    assert str(caught.value).startswith(message)


def test_a_declared_encoding_reads_latin_1(tmp_path):
    data = read(tmp_path, "pays,n\nCôte d'Ivoire,1\n".encode("latin-1"), encoding="latin-1")
    assert data.frame["pays"].tolist() == ["Côte d'Ivoire"]


def test_header_names_carry_a_merged_cell_right_and_report_every_duplicate():
    rows = [["Sort\norder", "Stock (both sexes)", "", "", "Stock (male)", ""],
            ["", 1990.0, 2019.0, "", 1990.0, 2019.0]]  # fmt: skip
    assert header_names(rows, Location(Path("x"))) == [
        "Sort order", "Stock (both sexes) 1990", "Stock (both sexes) 2019",
        "Stock (both sexes)", "Stock (male) 1990", "Stock (male) 2019",
    ]  # fmt: skip
    with pytest.raises(ReportError) as caught:
        header_names([["a", "b", "a", "b"]], Location(Path("x"), 4))
    assert errors(caught) == [
        "x:4: column name 'a' appears twice in the header (columns 1 and 3) (give the header "
        "rows that tell them apart (header: [first, last]))",
        "x:4: column name 'b' appears twice in the header (columns 2 and 4) (give the header "
        "rows that tell them apart (header: [first, last]))",
    ]


# --- the UN DESA 2019 totals workbook, as published --------------------------------------------


@pytest.fixture(scope="module")
def table_1():
    options = ReadOptions(sheet="Table 1", header=(15, 16), na=("..",))
    return read_file("t1", WORKBOOK_2019, Path("data/UN_MigrantStockTotal_2019.xlsx"), options)


def test_the_2019_workbook_reads_as_published(table_1):
    import openpyxl  # an independent reader, for the expected values

    sheet = openpyxl.load_workbook(WORKBOOK_2019, read_only=True, data_only=True)["Table 1"]
    cells = {row[1]: row for row in sheet.iter_rows(min_row=17, values_only=True) if row[1]}
    frame = table_1.frame.set_index("Major area, region, country or area of destination")
    column = "International migrant stock at mid-year (both sexes) {}"
    for area in ("WORLD", "More developed regions", "Germany", "United States of America"):
        for offset, year in enumerate((1990, 1995, 2000, 2005, 2010, 2015, 2019)):
            assert frame.loc[area, column.format(year)] == cells[area][5 + offset]
    assert len(table_1.frame) == len(cells)
    assert (
        frame.loc["UN development groups", column.format(1990)]
        != frame.loc["UN development groups", column.format(1990)]
    )  # ".." rows are no value (NaN), not zero


def test_a_cell_of_the_workbook_is_located_by_sheet_row_and_column(table_1):
    label = table_1.frame.index[0]  # WORLD, on row 17
    at = table_1.origin.at(label, "Code")
    assert str(at) == "data/UN_MigrantStockTotal_2019.xlsx[Table 1]:17:4"


def test_a_workbook_needs_its_sheet_and_a_known_one(tmp_path):
    data = tmp_path / "data"
    data.mkdir()
    (data / "stock.xlsx").write_bytes(WORKBOOK_2019.read_bytes())
    (data / "datasets.yaml").write_text("stock:\n  file: stock.xlsx\n  sheet: Table 7\n")
    with pytest.raises(ReportError) as caught:
        Datasets(tmp_path)("stock")
    assert str(caught.value) == (
        "data/stock.xlsx: the workbook has no sheet 'Table 7' (did you mean 'Table 6'?)"
    )
    (data / "datasets.yaml").write_text("stock:\n  file: stock.xlsx\n")
    with pytest.raises(ReportError, match="an .xlsx workbook: give the sheet to read .*'ANNEX'"):
        Datasets(tmp_path)("stock")


@pytest.mark.parametrize("bom", ["", "\ufeff"])
def test_a_header_far_down_a_large_file_is_found(tmp_path, bom):
    title = '"' + "é" * 40_000 + "\n" + "x" * 40_000 + '"\n'  # one record over 64 KB, two lines
    data = read(tmp_path, bom + title + "a,b\n1,é\n", header=(2,))
    assert list(data.frame.columns) == ["a", "b"]
    assert data.frame["b"].tolist() == ["é"]
    assert data.origin.at(data.frame.index[0], "b") == Location(Path("data/x.csv"), 4, 2)


# --- a cell is never quoted whole --------------------------------------------------------------


def test_a_long_cell_is_quoted_cut_short(tmp_path):
    """A 1.5 GB cell once wrote 3 GB to stderr: a message quotes 80 characters of a cell."""
    data = read(tmp_path, "name,value\na," + "7x" * 500_000 + "\n")
    with pytest.raises(ReportError) as caught:
        numeric_column(data, "value", Location(Path("t.yaml")))
    assert str(caught.value).startswith(
        "data/x.csv:2:2: column 'value' has '" + "7x" * 39 + "7…' where a number is expected"
    )
    assert len(str(caught.value)) < 300


def test_long_column_and_sheet_names_are_quoted_cut_short(tmp_path):
    from reporter.data.tabular import require_columns

    with pytest.raises(ReportError) as caught:
        header_names([["y" * 100_000, "y" * 100_000]], Location(Path("x"), 1))
    assert f"column name '{'y' * 79}…' appears twice" in str(caught.value)
    assert len(str(caught.value)) < 400
    data = read(tmp_path, "z" * 100_000 + ",b\n1,2\n")
    with pytest.raises(ReportError) as caught:
        require_columns(data, ["c"], Location(Path("t.yaml")))
    assert str(caught.value).endswith(f"(columns: {'z' * 79}…, b)")


def test_a_failing_check_quotes_its_rows_cut_short(tmp_path):
    from tests.matrix import data_project

    root = data_project(tmp_path, """
        long:
          file: wide.csv
          checks:
            - sql: select repeat('w', 5000) as note from long limit 1
              message: a note
    """)  # fmt: skip
    with pytest.raises(ReportError) as caught:
        Datasets(root)("long")
    assert str(caught.value) == (
        f"data/datasets.yaml:4:12: check of 'long' fails: a note: note={'w' * 79}…"
    )
