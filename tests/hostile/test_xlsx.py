"""Hostile .xlsx workbooks through reporter.data.readers.read_file, in a forked child each: a
dataset whose numbers are finite and bounded, or one ReportError line naming the file; never
another exception, an abort (calamine's Rust allocator aborts the process when a sheet's
grid cannot be allocated), more than 1 GiB of memory, or a read of the sentinel."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings

from reporter.data.readers import ReadOptions, read_file
from tests.hostile.checks import dataset_problems
from tests.hostile.conftest import HOSTILE
from tests.hostile.isolate import assert_contained, run_isolated
from tests.hostile.xlsxs import (
    HEADER,
    cell_xml,
    entity_laughs,
    external_entity,
    far_cell,
    far_cell_small_dimension,
    huge_cell,
    row_bomb,
    sheet_xml,
    workbook,
    xlsx_files,
)

SHOWN = Path("data/x.xlsx")
DATA = ReadOptions(sheet="Data")


def read_in_child(folder: Path, data: bytes, options: ReadOptions, timeout: float = 30):
    path = folder / SHOWN
    path.parent.mkdir()
    path.write_bytes(data)
    outcome = run_isolated(
        lambda: dataset_problems(read_file("x", path, SHOWN, options)), timeout=timeout
    )
    assert_contained(outcome)
    if outcome.kind == "report-error":
        assert outcome.detail.startswith(str(SHOWN)), outcome.detail
    return outcome


@settings(HOSTILE, max_examples=30)
@given(xlsx_files())
def test_any_workbook_reads_or_is_one_located_error(scratch, case):
    read_in_child(scratch(), *case)


NASTIEST = {  # each a test of its own, so that each shows apart when it fails
    "cells A1 and XFD1048576": far_cell,
    "the far cell under a dimension of A1:B2": far_cell_small_dimension,
    "10 million rows in 640 KB": row_bomb,
    "a 300 MB cell in 300 KB": huge_cell,
    "the 300 MB cell, its zip headers saying 300 KB": lambda: huge_cell(lie=0.001),
    "billion laughs in the DTD": entity_laughs,
}


@pytest.mark.parametrize("case", NASTIEST)
def test_the_nastiest_workbooks_read_or_are_one_located_error(scratch, case):
    read_in_child(scratch(), NASTIEST[case](), DATA)


def test_an_external_entity_never_reads_the_sentinel(scratch, armed):
    for url in (armed.file.as_uri(), str(armed.file), "../../" + armed.file.name):
        read_in_child(scratch(), external_entity(url), DATA)
    # (the `armed` fixture fails the test if the sentinel was read)


def test_the_child_sees_what_a_workbook_holds(scratch):
    row = '<row r="2">' + cell_xml("A2", "inlineStr", "a") + cell_xml("B2", "n", "2.5") + "</row>"
    good = read_in_child(scratch(), workbook(sheet_xml(HEADER + row, "A1:B2")), DATA)
    assert good.kind == "returned" and good.detail == "[]"
    row = '<row r="2">' + cell_xml("A2", "inlineStr", "a") + cell_xml("B2", "n", "1e300") + "</row>"
    bad = read_in_child(scratch(), workbook(sheet_xml(HEADER + row, "A1:B2")), DATA)
    assert bad.kind == "report-error" and "finite" in bad.detail
