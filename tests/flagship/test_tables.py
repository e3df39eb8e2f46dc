"""The flagship's Tables 1 and 2, computed from data/ through their specs, match every
published cell; their numbers, note letters and headings over several rows."""

from __future__ import annotations

import pytest

from reporter.pipeline import compute_tables, load
from tests.conftest import FIXTURES


def published_rows(title: str) -> list[list[str]]:
    """The tab-separated data rows of a published table in the source text."""
    lines = (FIXTURES / "A-67-254.txt").read_text(encoding="utf-8").splitlines()
    start = lines.index(title)
    rows = []
    for line in lines[start + 1 :]:
        if not line.strip():
            if rows:
                break
            continue
        cells = line.split("\t")
        if "<i>" in line or not any(c.strip().replace(".", "").isdigit() for c in cells):
            continue  # heading rows
        rows.append(cells)
    return rows


@pytest.fixture(scope="module")
def tables(flagship):
    return compute_tables(load(flagship), flagship)


def test_table_1_every_cell(tables):
    published = published_rows("Table 1")
    table = tables["corridors"]
    assert len(published) == len(table.rows) == 9
    for cells, row in zip(published, table.rows, strict=True):
        assert [row.label, *(c.text for c in row.cells)] == cells


def test_table_2_every_published_cell(tables):
    published = published_rows("Table 2")
    table = tables["gfmd-follow-up"]
    assert len(published) == len(table.rows) == 21
    for cells, row in zip(published, table.rows, strict=True):
        ours = {c.column: c.text for c in row.cells}
        if row.style:  # "Total 2007" and "Grand total" span the text columns
            assert cells[0] == row.label
            numbers = [c for c in cells[1:] if c]
        else:
            assert cells[:3] == [ours["year"], ours["round_table"], ours["title"]]
            numbers = cells[3:]
        # the extraction lost the follow-up actions column: compare the others
        columns = ["recommendations", "one_member", "two_or_more", "no_follow_up", "ratio"]
        assert [ours[c] for c in columns] == numbers


def test_table_2_actions_add_up_to_759(tables):
    # the only published actions figure besides the ratios (para. 40)
    assert tables["gfmd-follow-up"].cell("grand-total", "actions").text == "759"


def test_table_numbers_and_letters(tables):
    assert tables["corridors"].number == 1
    assert tables["gfmd-follow-up"].number == 2
    assert tables["gfmd-follow-up"].note_letters == {"ratio": "a"}


def test_multi_level_headings(tables):
    header = tables["gfmd-follow-up"].header
    assert len(header) == 3
    top = [(c.colspan, c.rowspan) for c in header[0]]
    assert top == [(1, 3), (1, 3), (1, 3), (4, 1), (1, 3), (1, 3)]
    assert [(c.colspan, c.rowspan) for c in header[1]] == [(1, 2), (3, 1)]
    assert [c.column for c in header[2]] == ["one_member", "two_or_more", "no_follow_up"]
