"""Hostile CSV files through reporter.data.readers.read_file, in a forked child each: a
dataset whose numbers are finite and bounded, or one ReportError line naming the file;
never another exception, an abort, more than 1 GiB of memory or an echo of a huge cell."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings

from reporter.data.readers import ReadOptions, read_file
from tests.hostile.checks import dataset_problems
from tests.hostile.conftest import HOSTILE
from tests.hostile.csvs import csv_files
from tests.hostile.isolate import assert_contained, run_isolated

SHOWN = Path("data/x.csv")


def read_in_child(folder: Path, data: bytes, options: ReadOptions):
    path = folder / "data/x.csv"
    path.parent.mkdir()
    path.write_bytes(data)

    def call():
        return dataset_problems(read_file("x", path, SHOWN, options))

    outcome = run_isolated(call, timeout=5)  # (a CSV of at most 1.2 MB: pandas takes 0.1 s)
    assert_contained(outcome)
    if outcome.kind == "report-error":
        assert outcome.detail.startswith(str(SHOWN)), outcome.detail
    return outcome


@settings(HOSTILE, max_examples=40)
@given(csv_files())
def test_any_csv_reads_or_is_one_located_error(scratch, case):
    read_in_child(scratch(), *case)


NASTIEST = {  # each a test of its own, so that each shows apart when it fails
    "1e400": (b"a,b\n1,1e400\n2,-1e400\n", ReadOptions()),
    "an integer beyond a double": (b"a,b\n1," + b"9" * 310 + b"\n", ReadOptions()),
    "BOM and NUL": (b"\xef\xbb\xbfa,b\n1,\x00\n", ReadOptions()),
    "unclosed quote of 1.1 MB": (b'a,b\n1,"' + b"x" * 1_100_000 + b"\n", ReadOptions()),
    "UTF-16": ("a,b\n1,2\n".encode("utf-16"), ReadOptions(encoding="utf-16")),
    "same thousands and decimal": (b"a,b\n1.000,5\n", ReadOptions(thousands=".", decimal=".")),
    "1.1 million line breaks in a cell, blank-row": (
        b'a,b\n1,"' + b"\n" * 1_100_000 + b'"\n',
        ReadOptions(end="blank-row"),
    ),
}


@pytest.mark.parametrize("case", NASTIEST)
def test_the_nastiest_csv_reads_or_is_one_located_error(scratch, case):
    read_in_child(scratch(), *NASTIEST[case])


def test_the_child_sees_what_a_csv_holds(scratch):
    """The harness is real: a CSV that reads is summarised, a bad one is its error line."""
    good = read_in_child(scratch(), b"name,value\na,1.5\n", ReadOptions())
    assert good.kind == "returned" and good.detail == "[]"
    bad = read_in_child(scratch(), b"a,b\n1,inf\n", ReadOptions())
    assert bad.kind == "report-error" and "numbers must be finite" in bad.detail
