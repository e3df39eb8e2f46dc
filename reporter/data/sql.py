"""Run a dataset's SQL in DuckDB, in process, sandboxed and bounded.

The query sees only the datasets it names, handed over as DataFrames that reporter read
itself (with its bounded readers). It must be one query (SELECT, WITH, VALUES, PIVOT,
UNPIVOT…), as DuckDB's own parser classes it: any other statement (EXPORT DATABASE, COPY,
ATTACH, SET…) is refused before a database exists, so it cannot even start. External access
is switched off before the query runs, and cannot be switched back on while the database
lives: no file, no extension, no network. Memory and threads are capped, and a query that
runs past the time limit is interrupted, so a recursive CTE without end or a cross join of
millions of rows stops with one line.

The result is bounded before it becomes Python objects, which DuckDB's memory limit does not
cover: rows and cells as a file's, only columns a table can show (no LIST, STRUCT or MAP),
and a budget for its text that DuckDB itself enforces row by row, as a running total, so a
query of huge texts stops inside the engine before one of them is fetched.
"""

from __future__ import annotations

import re
import secrets
import threading
from dataclasses import dataclass

from reporter.content.yamlsource import Text, locate
from reporter.data.readers import MAX_CELLS, MAX_COLUMNS, MAX_ROWS
from reporter.data.tabular import Dataset, Origin, check_numbers, clipped, whole_numbers
from reporter.errors import Location, ReportError

TEXT_CELL_BYTES = 50  # what a text cell costs in Python besides its characters, counted in `text`


@dataclass(frozen=True)
class Limits:
    seconds: float = 30.0
    memory: str = "600MB"  # DuckDB overshoots it a little: a query stays under 1 GB
    threads: int = 2
    text: int = 200_000_000  # bytes of text in a result, TEXT_CELL_BYTES more for each cell


LIMITS = Limits()

# The types a result column may have: what a table can show, as numbers, text or dates.
# LIST, STRUCT, MAP, ARRAY, UNION, VARIANT, BLOB, BIT… are refused: converting them makes
# a Python object per element, which no limit of DuckDB's covers (a MAP of 100,000 entries
# per row took minutes and gigabytes).
_SHOWN_TYPES = frozenset(
    {
        "null", "boolean", "tinyint", "smallint", "integer", "bigint", "hugeint", "utinyint",
        "usmallint", "uinteger", "ubigint", "uhugeint", "float", "double", "decimal",
        "varchar", "enum", "uuid", "date", "time", "time_ns", "time with time zone",
        "timestamp", "timestamp_s", "timestamp_ms", "timestamp_ns",
        "timestamp with time zone", "interval",
    }
)  # fmt: skip
_OBJECT_TYPES = frozenset({"varchar", "enum", "uuid", "time", "time_ns", "time with time zone"})


def run_query(
    name: str, query: Text, inputs: dict[str, Dataset], at: Location, limits: Limits = LIMITS
) -> Dataset:
    """The result of `query` over `inputs` (name -> dataset) as the dataset `name`."""
    import duckdb

    check_statement(query, at, f"the query of {name!r}")
    con = duckdb.connect(
        config={"threads": limits.threads, "memory_limit": limits.memory, "temp_directory": ""}
    )
    timer = threading.Timer(limits.seconds, con.interrupt)
    budget = f"reporter: text over budget {secrets.token_hex(8)}"
    try:
        for input_name, data in inputs.items():
            con.register(input_name, data.frame.reset_index(drop=True))
        con.execute("SET enable_external_access = false")
        con.execute("SET lock_configuration = true")
        timer.start()
        relation = con.sql(str(query))
        if relation is None:
            raise ReportError("the query returns no rows (it is not a SELECT)", at)
        frame = _bounded_result(name, relation, _at_query(query, at), limits, budget)
    except duckdb.InterruptException:
        raise ReportError(
            f"the query of {name!r} ran for more than {limits.seconds:g} s and was stopped",
            at,
            "look for a recursive query without end, or a join without a condition",
        ) from None
    except (duckdb.OutOfMemoryException, MemoryError):
        raise ReportError(
            f"the query of {name!r} needs more than {limits.memory} of memory",
            at,
            "look for a join without a condition",
        ) from None
    except duckdb.Error as exc:
        if budget in str(exc):
            raise ReportError(
                f"the result of {name!r} holds more than {limits.text:,} bytes of text "
                f"(counting {TEXT_CELL_BYTES} more for each text cell)",
                _at_query(query, at),
                "filter it, or leave out long text columns",
            ) from None
        raise sql_error(exc, query, at) from None
    finally:
        timer.cancel()
        con.close()
    frame.columns = [str(c) for c in frame.columns]
    data = Dataset(name, whole_numbers(_plain(frame)), Origin(at.path, line=at.line))
    check_numbers(data)
    return data


def check_statement(query: Text, at: Location, what: str = "the query") -> None:
    """`query` must be one query, as DuckDB's parser classes it: SELECT (WITH, VALUES,
    UNPIVOT, FROM-first, DESCRIBE… parse as one), or the PIVOT whose values DuckDB finds
    first (a "multi" statement), which must then read as a subquery too. Only parsed: a
    statement is refused before any database binds it (binding EXPORT DATABASE creates its
    folder)."""
    import duckdb

    text = str(query)
    try:
        statements = duckdb.extract_statements(text)
    except duckdb.Error as exc:
        raise sql_error(exc, query, at) from None
    hint = "a dataset is made by one query: SELECT, WITH, VALUES, PIVOT or UNPIVOT"
    if not statements:
        raise ReportError(f"{what} is empty", _at_query(query, at), hint)
    if len(statements) > 1:
        second = len(statements[0].query)
        second += len(text[second:]) - len(text[second:].lstrip())
        raise ReportError(
            f"{what} holds {len(statements)} statements; nothing was run",
            _at_offset(query, second, at),
            hint + ", without ';' between statements",
        )
    kind = statements[0].type.name
    if kind == "SELECT" or (kind == "MULTI" and _reads_as_subquery(text)):
        return
    kind = (
        "a statement other than a query"
        if kind == "MULTI"
        else f"{_article(kind)} {kind} statement"
    )
    raise ReportError(
        f"{what} is {kind}, not a query; nothing was run",
        _at_query(query, at),
        hint,
    )


_NAMES: tuple[int, object, threading.Lock] | None = None  # (process, connection, its lock)


def table_names(query: str) -> set[str]:
    """The tables `query` reads, as DuckDB's binder finds them (raises duckdb.Error where it
    cannot). Asked of a connection of its own with external access off: binding reads a
    file a table function names (read_csv('/etc/passwd'), a FIFO that never ends) and
    creates EXPORT's folder, so the process's default connection must never see a query."""
    import os

    import duckdb

    global _NAMES
    if _NAMES is None or _NAMES[0] != os.getpid():
        config = {"enable_external_access": False, "lock_configuration": True, "threads": 1,
                  "memory_limit": "100MB", "temp_directory": ""}  # fmt: skip
        _NAMES = (os.getpid(), duckdb.connect(config=config), threading.Lock())
    _, con, lock = _NAMES
    with lock:
        return duckdb.get_table_names(query, connection=con)


def _reads_as_subquery(text: str) -> bool:
    """Whether `text` parses as one statement once it is a subquery, as a PIVOT does and a
    COPY or CREATE TABLE around one does not."""
    import duckdb

    try:
        return len(duckdb.extract_statements(f"select * from (\n{text}\n)")) == 1
    except duckdb.Error:
        return False


def _article(word: str) -> str:
    return "an" if word[:1] in "AEIOU" else "a"


def _bounded_result(name: str, relation, at: Location, limits: Limits, budget: str):
    """The result as a DataFrame, fetched only up to the size a table may read: rows and
    cells as a file's, columns of types a table can show, and text within `limits.text`,
    which the engine counts as it makes the rows (a running sum, in the rows' order) and
    stops at with the error `budget`, before anything is converted to Python."""
    columns = len(relation.columns)
    if columns > MAX_COLUMNS:
        raise ReportError(
            f"the query of {name!r} gives {columns:,} columns, more than {MAX_COLUMNS:,}", at
        )
    for column, kind in zip(relation.columns, relation.types, strict=True):
        if kind.id not in _SHOWN_TYPES:
            raise ReportError(
                f"the query of {name!r} gives column {clipped(column)!r} of type "
                f"{clipped(str(kind))}, which a table cannot show",
                at,
                "give numbers, text or dates: unnest a list into rows, or take its elements",
            )
    most = min(MAX_ROWS, MAX_CELLS // max(columns, 1))
    limited = relation.limit(most + 1)
    names = limited.columns  # as the engine reads the query as a subquery (a, a_1)
    texts = [
        _quote(column)
        for column, kind in zip(names, limited.types, strict=True)
        if kind.id in _OBJECT_TYPES
    ]
    guard = None
    if texts:
        guard = "reporter_text_guard"
        while guard in names:
            guard += "_"
        cells = " + ".join(
            f"(case when {c} is null then 0 else strlen(cast({c} as varchar)) + "
            f"{TEXT_CELL_BYTES} end)"
            for c in texts
        )
        running = f"sum({cells}) over (rows between unbounded preceding and current row)"
        limited = limited.project(
            f"*, case when {running} > {limits.text} then error('{budget}') end as {guard}"
        )
    frame = limited.df()
    if guard is not None:
        frame = frame.drop(columns=guard)
    if len(frame) > most:
        raise ReportError(
            f"the query of {name!r} gives more than {most:,} rows of {columns} columns",
            at,
            "filter it",
        )
    return frame


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


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
_QUOTED = re.compile(r"""(['"])([^'"]{81,})\1""")


def _message(exc: Exception) -> str:
    text = str(exc).split("\n\nLINE ")[0]
    # DuckDB suggests its own catalog tables (pg_indexes…): name the datasets instead
    text = _NO_TABLE.sub(
        r"no dataset \1: a query reads the datasets of datasets.yaml and the data folder's "
        "CSV files",
        text,
    )
    # a value DuckDB quotes ("Could not convert string '…'") is data: never echoed whole
    text = _QUOTED.sub(lambda m: m[1] + clipped(m[2]) + m[1], text)
    return " ".join(text.split())


def _at_query(query: Text, at: Location) -> Location:
    """The query's first line and column in the datasets file (or `at`, for a plain str)."""
    if isinstance(query, Text) and query.loc:
        return Location(at.path, query.loc.line, query.loc.column)
    return at


def _at_offset(query: Text, offset: int, at: Location) -> Location:
    if isinstance(query, Text) and 0 <= offset < len(query):
        return locate(query, offset)
    return _at_query(query, at)


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
