"""Run a dataset's SQL in DuckDB, in process, sandboxed and bounded.

The query sees only the datasets it names, handed over as DataFrames that reporter read
itself (with its bounded readers). External access is switched off before the query runs, and
cannot be switched back on while the database lives: no file, no extension, no network.
Memory and threads are capped, and a query that runs past the time limit is interrupted, so
a recursive CTE without end or a cross join of millions of rows stops with one line.
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass

from reporter.content.yamlsource import Text, locate
from reporter.data.readers import MAX_CELLS, MAX_COLUMNS, MAX_ROWS
from reporter.data.tabular import Dataset, Origin, check_numbers, whole_numbers
from reporter.errors import Location, ReportError


@dataclass(frozen=True)
class Limits:
    seconds: float = 30.0
    memory: str = "2GB"
    threads: int = 2


LIMITS = Limits()


def run_query(
    name: str, query: Text, inputs: dict[str, Dataset], at: Location, limits: Limits = LIMITS
) -> Dataset:
    """The result of `query` over `inputs` (name -> dataset) as the dataset `name`."""
    import duckdb

    con = duckdb.connect(
        config={"threads": limits.threads, "memory_limit": limits.memory, "temp_directory": ""}
    )
    timer = threading.Timer(limits.seconds, con.interrupt)
    try:
        for input_name, data in inputs.items():
            con.register(input_name, data.frame.reset_index(drop=True))
        con.execute("SET enable_external_access = false")
        con.execute("SET lock_configuration = true")
        timer.start()
        relation = con.sql(str(query))
        if relation is None:
            raise ReportError("the query returns no rows (it is not a SELECT)", at)
        frame = _bounded_result(relation, at)
    except duckdb.InterruptException:
        raise ReportError(
            f"the query of {name!r} ran for more than {limits.seconds:g} s and was stopped",
            at,
            "look for a recursive query without end, or a join without a condition",
        ) from None
    except duckdb.OutOfMemoryException:
        raise ReportError(
            f"the query of {name!r} needs more than {limits.memory} of memory",
            at,
            "look for a join without a condition",
        ) from None
    except duckdb.Error as exc:
        raise sql_error(exc, query, at) from None
    finally:
        timer.cancel()
        con.close()
    frame.columns = [str(c) for c in frame.columns]
    data = Dataset(name, whole_numbers(_plain(frame)), Origin(at.path, line=at.line))
    check_numbers(data)
    return data


def _bounded_result(relation, at: Location):
    """The result as a DataFrame, fetched only up to the size a table may read."""
    columns = len(relation.columns)
    if columns > MAX_COLUMNS:
        raise ReportError(f"the query gives {columns:,} columns, more than {MAX_COLUMNS:,}", at)
    most = min(MAX_ROWS, MAX_CELLS // max(columns, 1))
    frame = relation.limit(most + 1).df()
    if len(frame) > most:
        raise ReportError(
            f"the query gives more than {most:,} rows of {columns} columns", at, "filter it"
        )
    return frame


def _plain(frame):
    """Whole numbers as int64 and text as strings, as the file readers give them."""
    import pandas as pd

    for column in frame.columns:
        values = frame[column]
        if pd.api.types.is_integer_dtype(values) and values.dtype != "int64":
            frame[column] = values.astype("float64" if values.isna().any() else "int64")
        elif pd.api.types.is_float_dtype(values) and values.dtype != "float64":
            frame[column] = values.astype("float64")
        elif values.dtype == object:
            frame[column] = values.map(str, na_action="ignore").astype("string")
    return frame


def sql_error(exc: Exception, query: Text, at: Location) -> ReportError:
    """DuckDB's error as one line, placed in the datasets file."""
    return ReportError(f"SQL: {_message(exc)}", _position(exc, query, at))


_NO_TABLE = re.compile(r"Table with name (\S+) does not exist!.*", re.S)


def _message(exc: Exception) -> str:
    text = str(exc).split("\n\nLINE ")[0]
    # DuckDB suggests its own catalog tables (pg_indexes…): name the datasets instead
    text = _NO_TABLE.sub(
        r"no dataset \1: a query reads the datasets of datasets.yaml and the data folder's "
        "CSV files",
        text,
    )
    return " ".join(text.split())


def _position(exc: Exception, query: Text, at: Location) -> Location:
    """Where in the datasets file the error is: DuckDB's LINE n and caret, or the first
    place the name it complains about appears, or the query's start."""
    if not isinstance(query, Text):
        return at
    text = str(exc)
    found = re.search(r"LINE (\d+): (.*)\n( *)\^", text)
    lines = str(query).split("\n")
    if found and 0 < int(found[1]) <= len(lines):
        number, shown = int(found[1]), found[2]
        line = lines[number - 1]
        column = len(found[3]) - len(f"LINE {number}: ")
        if shown.startswith("..."):  # DuckDB cuts long lines: find the part it shows
            column += max(line.find(shown[3:].rstrip(".")), 0) - 3
        offset = sum(len(x) + 1 for x in lines[: number - 1]) + min(max(column, 0), len(line))
        return locate(query, min(offset, len(query) - 1))
    named = _NO_TABLE.search(text) or re.search(r'"([^"]+)"', text)
    if named:
        at_name = re.search(rf"\b{re.escape(named[1])}\b", str(query), re.I)
        if at_name:
            return locate(query, at_name.start())
    return Location(at.path, query.loc.line, query.loc.column) if query.loc else at
