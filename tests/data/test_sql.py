"""reporter/data/sql.py: SQL datasets run by DuckDB with no access to anything but the
datasets, under limits of time and memory; an SQL error located inside the query."""

from __future__ import annotations

import os
import subprocess
import sys
import time

import pytest

from reporter.data import sql
from reporter.data.datasets import Datasets
from reporter.errors import ReportError
from tests.matrix import data_project


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
    root = data_project(tmp_path, f"matrix:\n  file: wide.csv\n  na: '..'\nbad:\n  sql: {query}\n")
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
    monkeypatch.setattr(sql, "LIMITS", sql.Limits(seconds=0.5, memory="2GB"))  # time, not memory
    monkeypatch.setattr(sql.run_query, "__defaults__", (sql.LIMITS,))
    root = data_project(tmp_path, f"endless:\n  sql: {query}\n")
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
    query = "select len(list(repeat('x', 1000))) as n from range(1000000)"
    with pytest.raises(ReportError, match="needs more than 50MB of memory"):
        Datasets(data_project(tmp_path, f"big:\n  sql: {query}\n"))("big")


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
    root = data_project(
        tmp_path, f"matrix:\n  file: wide.csv\n  na: '..'\nq:\n  sql: |\n    {body}\n"
    )
    with pytest.raises(ReportError) as caught:
        Datasets(root)("q")
    assert str(caught.value).startswith(message)


@pytest.mark.parametrize(
    "query, message",
    [
        # binding it created the folder, before DuckDB's own access check refused it
        ("export database '{folder}'", "data/datasets.yaml:2:8: the query of 'bad' is an EXPORT "
         "statement, not a query; nothing was run"),
        ("select 1 as a;\n    export database '{folder}'", "data/datasets.yaml:4:5: the query of "
         "'bad' holds 2 statements; nothing was run"),
        ("copy (pivot (select 1 a, 2 b) on a using sum(b)) to '{folder}'", "data/datasets.yaml:2:8:"
         " the query of 'bad' is a statement other than a query, not a query; nothing was run"),
        ("call pragma_version()", "data/datasets.yaml:2:8: the query of 'bad' is a CALL statement"),
        ("import database '{folder}'", "data/datasets.yaml:2:8: the query of 'bad' is a PRAGMA "
         "statement"),
        ("create table t as select 1", "data/datasets.yaml:2:8: the query of 'bad' is a CREATE "
         "statement"),
        ("-- nothing but a comment", "data/datasets.yaml:2:8: the query of 'bad' is empty"),
    ],
)  # fmt: skip
def test_nothing_but_one_query_runs(tmp_path, query, message):
    folder = tmp_path / "exported"
    root = data_project(tmp_path, f"bad:\n  sql: |\n    {query.format(folder=folder)}\n")
    with pytest.raises(ReportError) as caught:
        Datasets(root)("bad")
    assert str(caught.value).startswith(message)
    assert "(a dataset is made by one query: SELECT, WITH, VALUES, PIVOT or UNPIVOT" in str(
        caught.value
    )
    assert not folder.exists()


def test_a_check_is_one_query_too(tmp_path):
    folder = tmp_path / "exported"
    root = data_project(tmp_path, f"""
        matrix:
          file: wide.csv
          na: '..'
          checks:
            - sql: export database '{folder}'
              message: never
    """)  # fmt: skip
    with pytest.raises(ReportError, match=r"^data/datasets.yaml:5:12: the check is an EXPORT"):
        Datasets(root)("matrix")
    assert not folder.exists()


@pytest.mark.parametrize(
    "query, rows",
    [
        ("values (1, 'a'), (2, 'b')", [(1, "a"), (2, "b")]),
        ("with t as (select 1 as x) from t select x", [(1,)]),
        ("pivot (select 'p' as k, 2 as v union all select 'q', 3) on k using sum(v)", [(2, 3)]),
        ("select Year from matrix where Year = 2000 order by Destination limit 1", [(2000,)]),
    ],
)
def test_every_kind_of_query_still_runs(tmp_path, query, rows):
    root = data_project(tmp_path, f"matrix:\n  file: wide.csv\n  na: '..'\nout:\n  sql: {query}\n")
    frame = Datasets(root)("out").frame
    assert [tuple(r) for r in frame.itertuples(index=False)] == rows


def test_a_query_naming_a_fifo_is_refused_without_opening_it(tmp_path):
    """Listing a query's datasets binds it: in DuckDB's default connection, with access on,
    read_csv of a FIFO blocked forever (and read_csv('/etc/passwd') opened the file)."""
    os.mkfifo(tmp_path / "fifo")
    root = data_project(tmp_path, f"bad:\n  sql: select * from read_csv('{tmp_path / 'fifo'}')\n")
    code = (
        f"from pathlib import Path\nfrom reporter.data.datasets import Datasets\n"
        f"Datasets(Path({str(root)!r}))('bad')"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            timeout=120, check=False)  # fmt: skip
    assert "ReportError: data/datasets.yaml:2:8: SQL: Permission Error" in result.stderr


def test_a_result_column_a_table_cannot_show_is_refused_before_it_is_fetched(tmp_path):
    query = "select map(range(0, 1000), range(0, 1000)) as m, [1] as l from range(10)"
    with pytest.raises(ReportError) as caught:
        Datasets(data_project(tmp_path, f"big:\n  sql: {query}\n"))("big")
    assert str(caught.value) == (
        "data/datasets.yaml:2:8: the query of 'big' gives column 'm' of type MAP(BIGINT, BIGINT),"
        " which a table cannot show (give numbers, text or dates: unnest a list into rows, or "
        "take its elements)"
    )


def test_the_text_of_a_result_is_counted_by_the_engine_before_it_is_fetched(tmp_path, monkeypatch):
    monkeypatch.setattr(sql.run_query, "__defaults__", (sql.Limits(text=10_000),))
    fits = "select 'x' || i as s from range(100) t(i)"  # 100 cells of 50 + 2 or 3 bytes
    assert len(Datasets(data_project(tmp_path, f"ok:\n  sql: {fits}\n"))("ok").frame) == 100
    for query in ("select repeat('x', 6000) as s from range(2)", "select 'x' from range(200)"):
        with pytest.raises(ReportError) as caught:
            Datasets(data_project(tmp_path, f"big:\n  sql: {query}\n"))("big")
        assert str(caught.value) == (
            "data/datasets.yaml:2:8: the result of 'big' holds more than 10,000 bytes of text "
            "(counting 50 more for each text cell) (filter it, or leave out long text columns)"
        )


def test_a_value_duckdb_quotes_is_cut_short(tmp_path):
    query = "select cast(repeat('9', 5000) as integer) as n"
    with pytest.raises(ReportError) as caught:
        Datasets(data_project(tmp_path, f"bad:\n  sql: {query}\n"))("bad")
    assert "Conversion Error: Could not convert string '99999" in str(caught.value)
    assert "9999…'" in str(caught.value) and len(str(caught.value)) < 200
