"""reporter/data/datasets.py: the datasets of data/ — files read as published, SQL over them,
and plain CSV files — declared in datasets.yaml with every bad declaration located in one
run; checks reporting every row that breaks them; cycles refused; and cache keys that follow
the bytes a query reads."""

from __future__ import annotations

import textwrap

import pytest

from reporter.data.datasets import Datasets
from reporter.errors import ReportError
from tests.matrix import LONG, WIDE, data_project


def every_error(root, name: str) -> list[str]:
    """Every error reading dataset `name` reports, in order."""
    with pytest.raises(ReportError) as caught:
        Datasets(root)(name)
    return [str(e) for e in (caught.value, *caught.value.others)]


def test_wide_to_long_in_sql_from_a_file_as_published(tmp_path):
    data = Datasets(data_project(tmp_path, LONG))("long")
    rows = sorted(map(tuple, data.frame.to_numpy().tolist()))
    assert rows == [
        (1990, "Alpha", 30, "Beta", 30),
        (1990, "Beta", 15, "Alpha", 10),
        (2000, "Alpha", 45, "Beta", 40),
        (2000, "Beta", 20, "Alpha", 12),
    ]  # ".." cells are no value: UNPIVOT leaves them out
    assert str(data.frame["persons"].dtype) == "int64"
    assert str(data.origin.at(0)) == "data/datasets.yaml:4"  # rows of a query: the query


def test_a_plain_csv_of_the_data_folder_is_a_dataset_too(tmp_path):
    root = data_project(tmp_path, "big:\n  sql: select name from extra where value > 1\n",
                   {"extra.csv": "name,value\na,1\nb,2\n"})  # fmt: skip
    assert Datasets(root)("big").frame["name"].tolist() == ["b"]


def test_checks_report_the_rows_that_break_them_all_in_one_run(tmp_path):
    root = data_project(
        tmp_path,
        LONG
        + """
      checks:
        - sql: select * from long where persons > 35
          message: more than 35 persons in a corridor
        - sql: select Destination from matrix where Total < 20
          message: a small destination
        - sql: select 1 where false
          message: never
    """,
    )
    assert every_error(root, "long") == [
        "data/datasets.yaml:10:12: check of 'long' fails: more than 35 persons in a corridor: "
        "Year=2000, Destination=Alpha, Total=45, origin=Beta, persons=40",
        "data/datasets.yaml:12:12: check of 'long' fails: a small destination: Destination=Beta",
    ]


def test_datasets_that_read_each_other_are_a_cycle(tmp_path):
    root = data_project(tmp_path, "a:\n  sql: select * from b\nb:\n  sql: select * from a\n")
    with pytest.raises(ReportError, match="datasets query each other in a cycle: a -> b -> a"):
        Datasets(root)("a")


@pytest.mark.parametrize(
    "text, message",
    [
        ("x:\n  file: wide.csv\n  sql: select 1\n", "'x' needs exactly one of file, sql (it has"),
        ("x:\n  sql: select 1\n  na: '..'\n", "data/datasets.yaml:3:3: na: is for file datasets"),
        ("x-y:\n  sql: select 1\n", "dataset name 'x-y' must be letters, digits and _"),
        ("x:\n  file: ../outside.csv\n", "data/datasets.yaml:2:9: file '../outside.csv' leaves"),
        ("x:\n  file: wide.csv\n  header: [2, 1]\n", "header: rows must be listed in order"),
        ("x:\n  file: wide.csv\n  end: never\n", "datasets.yaml:3:3: unknown table end 'never'"),
    ],
)
def test_a_bad_declaration_is_one_located_line(tmp_path, text, message):
    with pytest.raises(ReportError) as caught:
        Datasets(data_project(tmp_path, text))("x")
    assert message in str(caught.value)


def test_every_unknown_and_missing_key_of_every_dataset_in_one_run(tmp_path):
    text = "a:\n  file: wide.csv\n  sheeet: x\n  naa: '..'\nb:\n  sqll: select 1\n"
    assert every_error(data_project(tmp_path, text), "a") == [
        "data/datasets.yaml:3:3: unknown key 'sheeet' in dataset 'a' (did you mean 'sheet'?)",
        "data/datasets.yaml:4:3: unknown key 'naa' in dataset 'a' (did you mean 'na'?)",
        "data/datasets.yaml:6:3: unknown key 'sqll' in dataset 'b' (did you mean 'sql'?)",
    ]


def test_a_name_both_csv_and_declared_is_refused(tmp_path):
    root = data_project(tmp_path, "wide:\n  sql: select 1\n")
    with pytest.raises(ReportError, match="'wide' is both wide.csv and a dataset"):
        Datasets(root)("wide")


def test_the_cache_key_follows_the_bytes_a_query_reads_and_nothing_else(tmp_path):
    root = data_project(tmp_path, LONG, {"unrelated.csv": "a\n1\n"})
    key = Datasets(root).key("long")
    (root / "data/unrelated.csv").write_text("a\n2\n")
    assert Datasets(root).key("long") == key
    (root / "data/wide.csv").write_text(WIDE.replace("1990,Alpha,30", "1990,Alpha,31"))
    changed = Datasets(root).key("long")
    assert changed != key
    (root / "data/datasets.yaml").write_text(textwrap.dedent(LONG).replace("persons", "people"))
    assert Datasets(root).key("long") not in (key, changed)
