"""reporter/data/sql.py: SQL datasets run by DuckDB with no access to anything but the
datasets, under limits of time and memory; an SQL error located inside the query."""

from __future__ import annotations

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
    monkeypatch.setattr(sql, "LIMITS", sql.Limits(seconds=0.5))
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
    query = "select list(repeat('x', 1000)) from range(1000000)"
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
