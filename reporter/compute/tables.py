"""Evaluate a table spec over its data: rows of record sets, columns of sums and formulas."""

from __future__ import annotations

import math
import re
import string
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal, localcontext
from pathlib import Path

from reporter.compute.formula import evaluate, parse_formula
from reporter.content.inline import FootnoteCall, Node, plain_text, walk
from reporter.content.tablespec import ColumnSpec, GroupedRows, NumberFormat, RowSpec, TableSpec
from reporter.data.csvdata import numeric_column, require_columns
from reporter.errors import Location, ReportError


@dataclass
class Cell:
    column: str
    value: float | str | None
    text: str


@dataclass
class Row:
    id: str
    label: str  # the stub text; for grouped rows, set on subtotal and total rows only
    style: str  # "" | "subtotal" | "total" | "grand-total"
    cells: list[Cell]
    group_start: bool = False


@dataclass
class HeaderCell:
    inlines: list[Node]
    colspan: int
    rowspan: int
    column: str | None  # the leaf column's id


@dataclass
class Table:
    spec: TableSpec
    header: list[list[HeaderCell]]
    rows: list[Row]
    stub_columns: int  # leading text columns where total rows put their label
    note_letters: dict[str, str] = field(default_factory=dict)  # table footnote id -> letter
    number: int = 0
    label_inlines: dict[str, list[Node]] = field(default_factory=dict)  # listed rows, as written

    def numeric(self, column_id: str) -> bool:
        return any(c.id == column_id and c.kind != "text" for c in self.spec.columns)

    def cell(self, row_id: str, column_id: str) -> Cell:
        for row in self.rows:
            if row.id == row_id:
                for cell in row.cells:
                    if cell.column == column_id:
                        return cell
        raise KeyError((row_id, column_id))


def format_number(value: float, fmt: NumberFormat) -> str:
    """UN style: fixed decimals, comma thousands, negatives in parentheses; -0.0 prints 0.0.
    A value that is not a finite number prints as ".." (UN: not available)."""
    if not math.isfinite(value):
        return ".."
    quantum = Decimal(1).scaleb(-fmt.decimals)
    with localcontext() as context:
        context.prec = 400  # exact for any double (1e308) at up to 6 decimals
        rounded = Decimal(repr(value)).quantize(quantum, rounding=ROUND_HALF_UP)
        text = f"{abs(rounded):,.{fmt.decimals}f}".replace(",", fmt.thousands)
    if rounded < 0:
        return f"({text})" if fmt.negative == "parentheses" else f"\u2212{text}"
    return text


def compute_table(spec: TableSpec, frame) -> Table:
    """The table `spec` describes, computed from `frame` (its data file)."""
    return assemble_table(spec, compute_rows(spec, frame))


def compute_rows(spec: TableSpec, frame) -> list[Row]:
    """The rows and cells: the part of a table that reads data (and so needs pandas)."""
    frame = frame.copy()
    for column in spec.columns:
        if column.kind in ("text", "sum"):
            require_columns(frame, [column.source, *column.where], column.loc)
        if column.kind == "sum":  # every cell checked here, where lines are still known
            frame[column.source] = numeric_column(frame, column.source, column.loc)
    record_sets = _record_sets(spec, frame)
    values = _Evaluator(spec, frame, record_sets)
    rows = []
    previous: dict[str, object] = {}
    for row_id, (label, style, records, group_start) in record_sets.items():
        cells = []
        for column in spec.columns:
            if column.kind == "text":
                value = None if style else _text_value(records, column)
                shown = value
                if not column.repeat and not group_start and value == previous.get(column.id):
                    shown = ""
                previous[column.id] = value
                cells.append(Cell(column.id, value, "" if shown is None else str(shown)))
            else:
                value = values.get(row_id, column.id)
                cells.append(Cell(column.id, value, format_number(value, column.format)))
        rows.append(Row(row_id, label, style, cells, group_start))
    return rows


def assemble_table(spec: TableSpec, rows: list[Row]) -> Table:
    """Headings, stub width and note letters around computed rows."""
    stub = 0
    for column in spec.columns:
        if column.kind != "text":
            break
        stub += 1
    table = Table(spec, _header(spec), rows, stub)
    if isinstance(spec.rows, list):
        table.label_inlines = {row.id: row.inlines for row in spec.rows}
    table.note_letters = _note_letters(spec, table.header, spec.loc)
    return table


def rows_to_json(rows: list[Row]) -> list[dict]:
    def plain(value):  # labels loaded from YAML are str subclasses: store plain values
        return value if value is None or isinstance(value, float) else str(value)

    def cells(row: Row) -> list[dict]:
        return [
            {"column": c.column, "value": plain(c.value), "text": str(c.text)} for c in row.cells
        ]

    return [
        {"id": str(r.id), "label": str(r.label), "style": r.style, "group_start": r.group_start,
         "cells": cells(r)}
        for r in rows
    ]  # fmt: skip


def rows_from_json(data: list[dict]) -> list[Row]:
    return [Row(**{**row, "cells": [Cell(**cell) for cell in row["cells"]]}) for row in data]


def _text_value(records, column: ColumnSpec) -> str:
    value = records[column.source].iloc[0]
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value)


def _matching(frame, where: dict[str, str]):
    mask = None
    for column, wanted in where.items():
        hit = frame[column].astype("string") == wanted
        mask = hit if mask is None else mask & hit
    return frame if mask is None else frame[mask]


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def _fill(template: str, record) -> str:
    """ "Total {year}" with the record's values; only plain {column} fields."""

    def field(match: re.Match) -> str:
        value = record[match[1]]
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        return str(value)

    return re.sub(r"\{(\w+)\}", field, template)


def _record_sets(spec: TableSpec, frame) -> dict[str, tuple[str, str, object, bool]]:
    """Row id -> (label, style, records, starts a group), in table order."""
    sets: dict[str, tuple[str, str, object, bool]] = {}
    if isinstance(spec.rows, list):
        for row in spec.rows:
            sets[row.id] = (row.label, row.style, _listed_records(frame, row), False)
        return sets
    grouped: GroupedRows = spec.rows
    if grouped.group_by:
        require_columns(frame, [grouped.group_by], grouped.loc)
        keys = list(dict.fromkeys(frame[grouped.group_by].tolist()))
        groups = [frame[frame[grouped.group_by] == key] for key in keys]
    else:
        groups = [frame]
    for group in groups:
        for n, (_, record) in enumerate(group.iterrows()):
            row_id = _slug(_fill(grouped.id, record)) if grouped.id else f"record-{len(sets) + 1}"
            sets[row_id] = ("", "", group.loc[[record.name]], n == 0)
        if grouped.subtotal:
            label = _fill(grouped.subtotal, group.iloc[0])
            sets[_slug(label)] = (label, "subtotal", group, False)
    if grouped.total:
        sets[_slug(grouped.total)] = (grouped.total, "grand-total", frame, False)
    return sets


def _listed_records(frame, row: RowSpec):
    require_columns(frame, list(row.where), row.loc)
    records = _matching(frame, row.where)
    if records.empty:
        raise ReportError(
            f"row {row.id!r} matches no records in the data", row.loc, "check its where: values"
        )
    return records


class _Evaluator:
    """Cell values computed on demand, so formulas may use each other in any order."""

    def __init__(self, spec: TableSpec, frame, record_sets) -> None:
        self.columns = {c.id: c for c in spec.columns}
        self.record_sets = record_sets
        self.frame = frame
        self.trees = {
            c.id: parse_formula(c.source, c.loc) for c in spec.columns if c.kind == "formula"
        }
        self.memo: dict[tuple[str, str], float] = {}
        self.active: set[tuple[str, str]] = set()

    def get(self, row_id: str, column_id: str) -> float:
        key = (row_id, column_id)
        if key in self.memo:
            return self.memo[key]
        column = self.columns[column_id]
        if key in self.active:
            raise ReportError(f"formula of column {column_id!r} depends on itself", column.loc)
        self.active.add(key)
        if column.kind == "sum":
            records = _matching(self.record_sets[row_id][2], column.where)
            value = float(numeric_column(records, column.source, column.loc).sum()) * column.scale
        else:
            value = evaluate(
                self.trees[column_id],
                lambda n, r: self.lookup(n, r or row_id, column),
                column.source,
                column.loc,
            )
        self.active.discard(key)
        self.memo[key] = value
        return value

    def lookup(self, name: str, row_id: str, asking: ColumnSpec) -> float:
        if name not in self.columns or self.columns[name].kind == "text":
            numeric = [c for c, spec in self.columns.items() if spec.kind != "text"]
            raise ReportError(
                f"formula {asking.source!r} names no numeric column {name!r}",
                asking.loc,
                f"columns: {', '.join(numeric)}",
            )
        if row_id not in self.record_sets:
            raise ReportError(
                f"formula {asking.source!r} names no row {row_id!r}",
                asking.loc,
                f"rows: {', '.join(self.record_sets)}",
            )
        return self.get(row_id, name)


def _header(spec: TableSpec) -> list[list[HeaderCell]]:
    """Rows of heading cells with col/row spans from each column's heading path."""
    paths = [(None, [spec.stub])] if spec.stub is not None else []
    paths += [(c.id, c.heading) for c in spec.columns]
    depth = max(len(path) for _, path in paths)
    grid: list[list[HeaderCell]] = []
    for level in range(depth):
        cells: list[HeaderCell] = []
        i = 0
        while i < len(paths):
            column, path = paths[i]
            if len(path) <= level:
                i += 1
                continue
            leaf = len(path) == level + 1
            j = i + 1
            key = [plain_text(p) for p in path[: level + 1]]
            while not leaf and j < len(paths):
                other = paths[j][1]
                if len(other) <= level + 1 or [plain_text(p) for p in other[: level + 1]] != key:
                    break
                j += 1
            cells.append(
                HeaderCell(
                    path[level], j - i, depth - level if leaf else 1, column if leaf else None
                )
            )
            i = j
        grid.append(cells)
    return grid


def _note_letters(spec: TableSpec, header: list[list[HeaderCell]], at: Location) -> dict[str, str]:
    letters: dict[str, str] = {}
    # in reading order: title, column heads, row labels, notes
    labels = [row.inlines for row in spec.rows] if isinstance(spec.rows, list) else []
    places = [spec.title, *(cell.inlines for row in header for cell in row), *labels, *spec.notes]
    for inlines in places:
        for node in walk(inlines):
            if isinstance(node, FootnoteCall):
                if node.id not in spec.footnotes:
                    raise ReportError(
                        f"table note {node.id!r} is not defined",
                        at,
                        "add it under footnotes: in the table spec",
                    )
                letters.setdefault(node.id, string.ascii_lowercase[len(letters)])
                node.number = letters[node.id]
    return letters


def load_frame(root: Path, name: str, data_dir: Path | None = None):
    from reporter.data.csvdata import data_path, read_csv

    path = data_path(root, name, data_dir)
    shown = path.relative_to(root) if path.is_relative_to(root) else path
    return read_csv(path, shown)
