"""A tagged table as PDF/UA wants it (export/tagging.py mends the rest of the tree): its
caption inside it, every header cell scoped, every data cell naming its headers."""

from __future__ import annotations

import pydyf

TABLE_PARTS = ("/THead", "/TBody", "/TFoot")


def mend_table(tree, table) -> None:
    """The caption inside the Table, /Scope on every header cell, /Headers on every data
    cell. `tree`: export/tagging.py's view of the structure tree."""
    _caption_inside(tree, table)
    _scopes(tree, table)
    _headers(tree, table)


def _caption_inside(tree, table) -> None:
    """The caption (<figcaption> before the <table>) becomes the Table's first kid."""
    parent = tree.get(table["P"])
    at = parent["K"].index(table.reference)
    before = tree.get(parent["K"][at - 1]) if at else None
    element = isinstance(before, dict) and before.get("Type") == "/StructElem"
    if element and before["S"] == "/Caption":
        tree.detach(parent, before)
        tree.adopt(table, before.reference, at=0)


def _scopes(tree, table) -> None:
    """/Scope on every header cell: a row's header if a data cell of its own row names it
    in /Headers (tags.py does so for scope="row"), a column's otherwise."""
    for row in _rows(tree, table):
        cells = tree.kids(row)
        named = {h.string for c in cells if c["S"] == "/TD" for h in c["A"].get("Headers", ())}
        for cell in cells:
            if cell["S"] == "/TH":
                by_row = "ID" in cell and cell["ID"].string in named
                cell["A"]["Scope"] = "/Row" if by_row else "/Column"


def _headers(tree, table) -> None:
    """/Headers of every data cell: the column headers above it and the row headers before
    it, placed as HTML places cells (a cell spanning rows takes its columns in the rows
    below). tags.py places a header row's cells without the columns taken from above, so a
    heading under a group (rowspan="2" stub) names the wrong column, or none."""
    placed = _placed_cells(tree, table)
    by_column, by_row = {}, {}
    for cell, rows, columns in placed:
        if cell["S"] == "/TH" and "ID" in cell:
            row_header = cell["A"].get("Scope") == "/Row"
            for at in rows if row_header else columns:
                key = (columns if row_header else rows).start
                (by_row if row_header else by_column).setdefault(at, []).append((key, cell))
    for cell, rows, columns in placed:
        if cell["S"] == "/TD":
            heads = [h for c in columns for start, h in by_column.get(c, ()) if start < rows.start]
            heads += [h for r in rows for start, h in by_row.get(r, ()) if start < columns.start]
            names = dict.fromkeys(h["ID"].string for h in heads)
            cell["A"]["Headers"] = pydyf.Array(pydyf.String(name) for name in names)


def _placed_cells(tree, table) -> list[tuple]:
    """(cell, its rows, its columns) for each cell of the table, in order."""
    taken, placed = set(), []
    for i, row in enumerate(_rows(tree, table)):
        j = 0
        for cell in tree.kids(row):
            if cell["S"] not in ("/TH", "/TD"):
                continue
            while (i, j) in taken:
                j += 1
            rows = range(i, i + cell["A"].get("RowSpan", 1))
            columns = range(j, j + cell["A"].get("ColSpan", 1))
            taken.update((r, c) for r in rows for c in columns)
            placed.append((cell, rows, columns))
            j = columns.stop
    return placed


def _rows(tree, table) -> list:
    groups = [k for k in tree.kids(table) if k["S"] in TABLE_PARTS]
    return [row for group in groups for row in tree.kids(group) if row["S"] == "/TR"]
