"""Hostile SQL in data/datasets.yaml, run by reporter.data.datasets.Datasets in a new
interpreter each (its working folder the project): statements and table functions that read or
write files (the sentinel's, by absolute and relative paths, file: URLs and globs), attach
databases, install extensions, change settings, and queries that eat memory. Whatever the
query: a dataset or one ReportError line; never another exception, more than 1 GiB of
memory, a read of the sentinel (its access time) or a file written anywhere (the sentinel's
folder, the project, the temporary folder)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from tests.hostile.conftest import HOSTILE
from tests.hostile.isolate import Outcome, assert_contained

REPO = Path(__file__).resolve().parents[2]

# {p}: a path to the sentinel file, in one of PATHS' forms; {d}: the sentinel's folder
READERS = ["read_csv('{p}')", "read_csv_auto('{p}')", "read_text('{p}')", "read_blob('{p}')",
           "read_json('{p}')", "read_parquet('{p}')", "'{p}'", "glob('{d}/*')",
           "sniff_csv('{p}')", "read_xlsx('{p}')", "parquet_scan('{p}')",
           "read_csv(['{p}', '{p}'])"]  # fmt: skip
PATHS = ["{abs}", "{rel}", "file://{abs}", "{d}/*.csv", "data/../{rel}", "~/../..{abs}",
         "{abs}.gz", "s3://bucket/x.csv", "https://127.0.0.1:9/x.csv"]  # fmt: skip
STATEMENTS = [
    "COPY (select 1 as a) TO '{d}/copied.csv'",
    "EXPORT DATABASE '{d}/exported'",
    "ATTACH '{d}/attached.db' AS x",
    "INSTALL httpfs",
    "LOAD httpfs",
    "SET enable_external_access = true",
    "SET lock_configuration = false",
    "SET temp_directory = '{d}'",
    "CREATE TABLE t AS SELECT 1 AS a",
    "select 1 as a; COPY (select 1) TO '{d}/second.csv'",
    "PRAGMA database_list",
    "CALL pragma_version()",
    "select * from duckdb_settings()",
    "select current_setting('home_directory') as a",
    "PIVOT (select 1 as a, 'x' as b) ON b USING sum(a)",
    "select * from values",
    "with t as (COPY (select 1) TO '{d}/cte.csv') select 1",
    "select 1 as a /* ; EXPORT DATABASE '{d}/x' */",
    "select * from values where name = 'a''; EXPORT DATABASE ''{d}/y''; --'",
]  # fmt: skip
HOGS = [  # over the suite's 1 GiB were it not for DuckDB's own limit (600 MB)
    "select count(*) as a from (select i from range(150000000) t(i) order by random())",
]


# The query runs in a new interpreter, not a fork of this one: a process that has run DuckDB
# (earlier tests did, in this process) has threads and locks a forked child inherits held,
# and DuckDB in the child then waits on them for ever.
CHILD = """
import json, os, resource, sys, tempfile, traceback
from pathlib import Path

def status(name):
    with open("/proc/self/status") as handle:
        return next(int(l.split()[1]) * 1024 for l in handle if l.startswith(name + ":"))

limit, root, private = int(sys.argv[1]), sys.argv[2], sys.argv[3]
resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
start = status("VmRSS")
os.chdir(root)
tempfile.tempdir = private
from reporter.errors import ReportError
try:
    from reporter.data.datasets import Datasets
    from tests.hostile.checks import dataset_problems
    found = dataset_problems(Datasets(Path(root))("q"))
    message = {"kind": "returned", "detail": json.dumps(found, default=str)}
except ReportError as exc:
    message = {"kind": "report-error", "detail": str(exc)}
except BaseException:
    message = {"kind": "exception", "detail": traceback.format_exc()}
message["added"] = status("VmHWM") - start
sys.stdout.write("\\n@@result@@" + json.dumps(message))
"""


def run_spawned(root: Path, private: Path, timeout: float, headroom: int) -> Outcome:
    """Datasets(root)("q") in a new interpreter under RLIMIT_AS `headroom` beyond DuckDB's
    reservation, described as run_isolated describes a forked child."""
    started = time.monotonic()
    try:
        run = subprocess.run(
            [sys.executable, "-c", CHILD, str(headroom + (2 << 30)), str(root), str(private)],
            capture_output=True, timeout=timeout, cwd=REPO,
            env={**os.environ, "PYTHONPATH": str(REPO)},
        )  # fmt: skip
    except subprocess.TimeoutExpired as exc:
        output = (exc.stdout or b"") + (exc.stderr or b"")
        return Outcome("timeout", f"still running after {timeout:g} s", 0,
                       time.monotonic() - started, output[:65536], len(output))  # fmt: skip
    seconds = time.monotonic() - started
    before, _, result = run.stdout.partition(b"\n@@result@@")
    output = before + run.stderr
    if run.returncode < 0:
        name = signal.Signals(-run.returncode).name
        return Outcome("signal", f"killed by {name}", 0, seconds, output[:65536], len(output))
    if not result:
        return Outcome("exit", f"exited with {run.returncode} before reporting", 0, seconds,
                       output[:65536], len(output))  # fmt: skip
    message = json.loads(result)
    return Outcome(message["kind"], message["detail"], message["added"], seconds,
                   output[:65536], len(output))  # fmt: skip


@st.composite
def queries(draw) -> str:
    if draw(st.booleans()):
        reader = draw(st.sampled_from(READERS)).replace("{p}", draw(st.sampled_from(PATHS)))
        shape = draw(st.sampled_from(["select * from {r}", "select count(*) as a from {r}",
                                      "select * from values, {r}", "from {r}"]))  # fmt: skip
        return shape.replace("{r}", reader)
    return draw(st.sampled_from(STATEMENTS))


def run_query(folder: Path, sentinel, query: str, headroom: int = 4 << 30):
    """The query as dataset q of a project, in a child whose address space may grow by
    `headroom` (DuckDB reserves 1.3 GB when it connects, and may use 2 GB: the child must
    be able to go past 1 GiB resident for the test to see it)."""
    root = folder / "proj"
    (root / "data").mkdir(parents=True)
    (root / "data/values.csv").write_text("name,value\na,1\n")
    rel = os.path.relpath(sentinel.file, root)
    text = query.format(abs=sentinel.file, rel=rel, d=sentinel.folder)
    (root / "data/datasets.yaml").write_text(
        "q:\n  sql: |\n" + textwrap.indent(text, "    ") + "\n"
    )
    private = folder / "tmp"
    private.mkdir()
    before = sorted(p.name for p in root.rglob("*"))

    sentinel.arm()
    outcome = run_spawned(root, private, timeout=60, headroom=headroom)
    assert_contained(outcome)
    assert sentinel.changes() == [], (text, sentinel.changes())
    assert sorted(p.name for p in root.rglob("*")) == before, text
    assert list(private.iterdir()) == [], text
    return outcome


@settings(HOSTILE, max_examples=20)
@given(queries())
@example("select * from read_csv('{abs}')")
@example("EXPORT DATABASE '{d}/exported'")
@example("COPY (select 1 as a) TO '{d}/copied.csv'")
@example("select * from read_text('{rel}')")
def test_sql_reads_and_writes_no_file(scratch, sentinel, query):
    run_query(scratch(), sentinel, query)


@pytest.mark.parametrize("query", HOGS[:1])
def test_sql_memory_stays_under_1_gib(scratch, sentinel, query):
    outcome = run_query(scratch(), sentinel, query)
    assert outcome.kind == "report-error"  # (neither query builds a dataset)


def test_the_sql_harness_sees_a_query_run(scratch, sentinel):
    good = run_query(scratch(), sentinel, "select name, value * 2 as twice from values")
    assert good.kind == "returned" and good.detail == "[]"
