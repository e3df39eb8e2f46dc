"""reporter/data/sql.py and datasets.py: SQL datasets over the project's files, run by DuckDB
with no access to anything else, under limits; errors located inside the query; checks;
cache keys that follow the bytes a query reads; the manifest says what each dataset was."""

from __future__ import annotations

import json
import textwrap
import time
from pathlib import Path

import pytest

from reporter.cli import main
from reporter.data import sql
from reporter.data.datasets import Datasets
from reporter.errors import ReportError

WIDE = """\
Year,Destination,Total,Alpha,Beta
1990,Alpha,30,..,30
1990,Beta,15,10,..
2000,Alpha,45,..,40
2000,Beta,20,12,..
"""


def project(tmp_path: Path, datasets: str, files: dict[str, str] | None = None) -> Path:
    data = tmp_path / "data"
    data.mkdir(exist_ok=True)
    (data / "wide.csv").write_text(WIDE)
    for name, text in (files or {}).items():
        (data / name).write_text(text)
    (data / "datasets.yaml").write_text(textwrap.dedent(datasets).lstrip())
    return tmp_path


LONG = """
    matrix:
      file: wide.csv
      na: ".."
    long:
      sql: |
        unpivot matrix on columns(* exclude (Year, Destination, Total))
        into name origin value persons
"""


def test_wide_to_long_in_sql_from_a_file_as_published(tmp_path):
    data = Datasets(project(tmp_path, LONG))("long")
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
    root = project(tmp_path, "big:\n  sql: select name from extra where value > 1\n",
                   {"extra.csv": "name,value\na,1\nb,2\n"})  # fmt: skip
    assert Datasets(root)("big").frame["name"].tolist() == ["b"]


@pytest.mark.parametrize(
    "query",
    [
        "select * from read_csv('/etc/passwd')",
        "select * from '/etc/passwd'",
        "select * from read_text('data/wide.csv')",
        "install excel",
        "copy matrix to 'out.csv'",
        "attach 'other.db'",
        "set enable_external_access = true",
        "select * from read_csv('https://example.org/x.csv')",
    ],
)
def test_a_query_reaches_nothing_outside_the_datasets(tmp_path, query):
    root = project(tmp_path, f"matrix:\n  file: wide.csv\n  na: '..'\nbad:\n  sql: {query}\n")
    with pytest.raises(ReportError) as caught:
        Datasets(root)("bad")
    assert str(caught.value).startswith("data/datasets.yaml:5:")
    assert not (root / "out.csv").exists() and not (root / "other.db").exists()


@pytest.mark.parametrize(
    "query",
    [
        "with recursive r(n) as (select 1 union all select n + 1 from r) select count(*) from r",
        "select count(*) from range(100000000) a, range(100000000) b",
    ],
)
def test_a_query_without_end_is_stopped_with_one_line(tmp_path, monkeypatch, query):
    monkeypatch.setattr(sql, "LIMITS", sql.Limits(seconds=0.5))
    monkeypatch.setattr(sql.run_query, "__defaults__", (sql.LIMITS,))
    root = project(tmp_path, f"endless:\n  sql: {query}\n")
    started = time.monotonic()
    with pytest.raises(ReportError) as caught:
        Datasets(root)("endless")
    assert time.monotonic() - started < 20  # stopped, not finished
    assert str(caught.value) == (
        "data/datasets.yaml:1:1: the query of 'endless' ran for more than 0.5 s and was stopped "
        "(look for a recursive query without end, or a join without a condition)"
    )


def test_a_query_needing_too_much_memory_is_one_line(tmp_path, monkeypatch):
    monkeypatch.setattr(sql.run_query, "__defaults__", (sql.Limits(memory="50MB"),))
    query = "select list(repeat('x', 1000)) from range(1000000)"
    with pytest.raises(ReportError, match="needs more than 50MB of memory"):
        Datasets(project(tmp_path, f"big:\n  sql: {query}\n"))("big")


@pytest.mark.parametrize(
    "body, message",
    [
        ("select Year,\n    Destinatoin\n    from matrix", "data/datasets.yaml:7:5: SQL: Binder"),
        ("select Year\n    from matrix\n    where Year >", "data/datasets.yaml:8:16: SQL: Parser"),
        (
            "select * from nothing_here",
            "data/datasets.yaml:6:19: SQL: Catalog Error: no dataset nothing_here",
        ),
    ],
)
def test_an_sql_error_names_the_line_and_column_in_the_datasets_file(tmp_path, body, message):
    root = project(tmp_path, f"matrix:\n  file: wide.csv\n  na: '..'\nq:\n  sql: |\n    {body}\n")
    with pytest.raises(ReportError) as caught:
        Datasets(root)("q")
    assert str(caught.value).startswith(message)


def test_checks_report_the_rows_that_break_them_all_in_one_run(tmp_path):
    root = project(
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
    with pytest.raises(ReportError) as caught:
        Datasets(root)("long")
    assert [str(e) for e in (caught.value, *caught.value.others)] == [
        "data/datasets.yaml:10:12: check of 'long' fails: more than 35 persons in a corridor: "
        "Year=2000, Destination=Alpha, Total=45, origin=Beta, persons=40",
        "data/datasets.yaml:12:12: check of 'long' fails: a small destination: Destination=Beta",
    ]


def test_datasets_that_read_each_other_are_a_cycle(tmp_path):
    root = project(tmp_path, "a:\n  sql: select * from b\nb:\n  sql: select * from a\n")
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
        Datasets(project(tmp_path, text))("x")
    assert message in str(caught.value)


def test_every_unknown_and_missing_key_of_every_dataset_in_one_run(tmp_path):
    text = "a:\n  file: wide.csv\n  sheeet: x\n  naa: '..'\nb:\n  sqll: select 1\n"
    with pytest.raises(ReportError) as caught:
        Datasets(project(tmp_path, text))("a")
    found = [str(e) for e in (caught.value, *caught.value.others)]
    assert found == [
        "data/datasets.yaml:3:3: unknown key 'sheeet' in dataset 'a' (did you mean 'sheet'?)",
        "data/datasets.yaml:4:3: unknown key 'naa' in dataset 'a' (did you mean 'na'?)",
        "data/datasets.yaml:6:3: unknown key 'sqll' in dataset 'b' (did you mean 'sql'?)",
    ]


def test_a_name_both_csv_and_declared_is_refused(tmp_path):
    root = project(tmp_path, "wide:\n  sql: select 1\n")
    with pytest.raises(ReportError, match="'wide' is both wide.csv and a dataset"):
        Datasets(root)("wide")


def test_the_cache_key_follows_the_bytes_a_query_reads_and_nothing_else(tmp_path):
    root = project(tmp_path, LONG, {"unrelated.csv": "a\n1\n"})
    key = Datasets(root).key("long")
    (root / "data/unrelated.csv").write_text("a\n2\n")
    assert Datasets(root).key("long") == key
    (root / "data/wide.csv").write_text(WIDE.replace("1990,Alpha,30", "1990,Alpha,31"))
    changed = Datasets(root).key("long")
    assert changed != key
    (root / "data/datasets.yaml").write_text(textwrap.dedent(LONG).replace("persons", "people"))
    assert Datasets(root).key("long") not in (key, changed)


MINIMAL_TABLE = """
    title: Corridors
    data: long
    stub: Origin
    rows:
      - {id: alpha, label: From Alpha, where: {origin: Alpha}}
      - {id: total, label: Total, style: grand-total}
    columns:
      - {id: n, heading: Persons, sum: persons, decimals: 0}
"""


def test_a_table_reads_an_sql_dataset_and_the_manifest_says_how(make_project, tmp_path):
    root = make_project(
        {
            "content/tables/first-table.yaml": MINIMAL_TABLE,
            "data/wide.csv": WIDE,
            "data/datasets.yaml": LONG,
        }
    )
    out = tmp_path / "out"
    assert main(["build", str(root), "--html-only", "--out", str(out)]) == 0
    html = next(out.glob("*.html")).read_text()
    row = html.split('id="table-1-alpha"', 1)[1].split("</tr>", 1)[0]
    assert ">22<" in row  # 10 + 12 persons from Alpha
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["datasets"]["long"]["reads"] == ["matrix"]
    assert "unpivot matrix" in manifest["datasets"]["long"]["sql"]
    assert manifest["datasets"]["matrix"] == {
        "file": "data/wide.csv",
        "read": {"file": "wide.csv", "na": ".."},
    }
