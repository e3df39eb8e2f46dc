"""Evaluate a table spec over its data: rows of record sets, columns of sums and formulas.

A value missing from the data stays missing: a sum over it (unless its column skips missing
values), a formula over that and a rank by it have no value either. Such a cell has value None,
prints as its format's `na:` mark, and keeps in `missing` the data cell it comes from, for a
figure bound to it to name."""

from __future__ import annotations

import math
import numbers
import re
import string
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal, localcontext

from reporter.compute.formula import evaluate, parse_formula
from reporter.compute.select import matching, order_key
from reporter.content.inline import FootnoteCall, Node, plain_text, walk
from reporter.content.languages import separators, territory_name
from reporter.content.tablespec import ColumnSpec, GroupedRows, NumberFormat, RowSpec, TableSpec
from reporter.data.tabular import (
    Dataset,
    Missing,
    as_text,
    first_missing,
    is_na,
    missing_cell,
    numeric_column,
    require_columns,
)
from reporter.errors import Location, ReportError


@dataclass
class Cell:
    column: str
    value: float | str | None  # None: blank (a total row's text or rank), or no value
    text: str
    missing: str = ""  # no value: the data cell it comes from ("data/x.csv:8:4: …: no value …")


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
        """Laid out as a number column (ranks stand with the labels, at the left)."""
        return any(c.id == column_id and c.kind in ("sum", "formula") for c in self.spec.columns)

    def cell(self, row_id: str, column_id: str) -> Cell:
        for row in self.rows:
            if row.id == row_id:
                for cell in row.cells:
                    if cell.column == column_id:
                        return cell
        raise KeyError((row_id, column_id))


def format_number(value: float, fmt: NumberFormat, locale: str = "en") -> str:
    """UN style: fixed decimals, comma thousands, negatives in parentheses; -0.0 prints 0.0.
    A value that is not a finite number prints as the format's NA mark (default "..", the
    UN's "not available"). In a `locale` other than English, the decimal and group symbols are
    CLDR's ("1\u202f234,5" in fr)."""
    if not math.isfinite(value):
        return fmt.na
    quantum = Decimal(1).scaleb(-fmt.decimals)
    with localcontext() as context:
        context.prec = 400  # exact for any double (1e308) at up to 6 decimals
        rounded = Decimal(repr(value)).quantize(quantum, rounding=ROUND_HALF_UP)
        text = f"{abs(rounded):,.{fmt.decimals}f}"
    if locale == "en":
        text = text.replace(",", fmt.thousands)
    else:
        decimal, group = separators(locale)
        text = text.translate(str.maketrans({",": group, ".": decimal}))
    if rounded < 0:
        return f"({text})" if fmt.negative == "parentheses" else f"\u2212{text}"
    return text


def compute_table(spec: TableSpec, data: Dataset) -> Table:
    """The table `spec` describes, computed from `data` (the dataset it reads)."""
    return assemble_table(spec, compute_rows(spec, data))


def compute_rows(spec: TableSpec, data: Dataset, locale: str = "en") -> list[Row]:
    """The rows and cells: the part of a table that reads data (and so needs pandas); the
    numbers written as `locale` writes them (CLDR's decimal and group symbols), and the names
    of a `territory:` column in its language (CLDR's)."""
    for column in spec.columns:
        if column.kind in ("text", "sum"):
            require_columns(data, [column.source, *(c.column for c in column.where)], column.loc)
        if column.territory:
            require_columns(data, [column.territory], column.loc)
        if column.kind == "sum":  # every cell checked here, where lines are still known
            numeric_column(data, column.source, column.loc)
    record_sets = _record_sets(spec, data)
    values = _Evaluator(spec, data, record_sets)
    rows = []
    previous: dict[str, object] = {}
    for row_id, (label, style, records, group_start) in record_sets.items():
        cells = []
        for column in spec.columns:
            if column.kind == "text":
                value = None if style else _text_value(records, column, locale)
                shown = value
                if not column.repeat and not group_start and value == previous.get(column.id):
                    shown = ""
                previous[column.id] = value
                gap = "" if style or value is not None else _no_text(data, records, column)
                cells.append(Cell(column.id, value, "" if shown is None else str(shown), gap))
            elif column.kind == "rank":
                value = None if style else values.rank(row_id, column)
                if isinstance(value, Missing):
                    cells.append(Cell(column.id, None, column.format.na, str(value)))
                else:
                    cells.append(Cell(column.id, value, "" if value is None else f"{value:.0f}"))
            else:
                value = values.get(row_id, column.id)
                if isinstance(value, Missing):
                    cells.append(Cell(column.id, None, column.format.na, str(value)))
                else:
                    text = format_number(value, column.format, locale)
                    cells.append(Cell(column.id, value, text))
        rows.append(Row(row_id, label, style, cells, group_start))
    return rows


def assemble_table(spec: TableSpec, rows: list[Row]) -> Table:
    """Headings, stub width and note letters around computed rows."""
    stub = 0  # leading label columns (texts, ranks): a total row's label spans them
    for column in spec.columns:
        if column.kind not in ("text", "rank"):
            break
        stub += 1
    table = Table(spec, _header(spec), rows, stub)
    if isinstance(spec.rows, list):
        table.label_inlines = {row.id: row.inlines for row in spec.rows}
    table.note_letters = _note_letters(spec, table.header)
    return table


def rows_to_json(rows: list[Row]) -> list[dict]:
    def plain(value):  # labels loaded from YAML are str subclasses: store plain values
        return value if value is None or isinstance(value, float) else str(value)

    def cells(row: Row) -> list[dict]:
        return [
            {"column": c.column, "value": plain(c.value), "text": str(c.text)}
            | ({"missing": c.missing} if c.missing else {})
            for c in row.cells
        ]

    return [
        {"id": str(r.id), "label": str(r.label), "style": r.style, "group_start": r.group_start,
         "cells": cells(r)}
        for r in rows
    ]  # fmt: skip


def rows_from_json(data: list[dict]) -> list[Row]:
    return [Row(**{**row, "cells": [Cell(**cell) for cell in row["cells"]]}) for row in data]


def _text_value(records, column: ColumnSpec, locale: str = "en") -> str | None:
    """The first record's text; for a `territory:` column, CLDR's name in `locale` of the
    country or area of its M49 code, the text where CLDR has none (and in English)."""
    if not len(records):
        return None
    value = records[column.source].iloc[0]
    if _missing(value):
        return None
    code = records[column.territory].iloc[0] if column.territory else None
    named = None if _missing(code) else territory_name(as_text(code), locale)
    return named or as_text(value)


def _no_text(data: Dataset, records, column: ColumnSpec) -> str:
    """Why a plain row's text cell is blank: its first record has no value there."""
    return str(missing_cell(data, records.index[0], column.source)) if len(records) else ""


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def _fill(template: str, record, at: Location) -> str:
    """ "Total {year}" with the record's values; only plain {column} fields."""

    def field(match: re.Match) -> str:
        if match[1] not in record.index:
            raise ReportError(
                f"{template!r}: the data have no column {match[1]!r}",
                at,
                f"columns: {', '.join(map(str, record.index))}",
            )
        return as_text(record[match[1]])

    return re.sub(r"\{(\w+)\}", field, template)


RecordSets = dict[str, tuple[str, str, object, bool]]  # id -> (label, style, records, starts)


def _record_sets(spec: TableSpec, data: Dataset) -> RecordSets:
    """Row id -> (label, style, records, starts a group), in table order."""
    sets: RecordSets = {}
    if isinstance(spec.rows, list):
        for row in spec.rows:
            sets[row.id] = (row.label, row.style, _listed_records(data, row), False)
        return sets
    rows: GroupedRows = spec.rows
    frame = matching(data, rows.where, rows.loc)
    candidates = _candidates(rows, data.subset(frame))
    if rows.sort:
        candidates = _sorted(spec, data, frame, candidates)
    left_out = candidates[rows.top :] if rows.top else []
    candidates = candidates[: rows.top] if rows.top else candidates
    groups: list[list] = [candidates]
    if rows.group_by:
        require_columns(data, [rows.group_by], rows.loc)
        by_key: dict[object, list] = {}
        for candidate in candidates:
            key = candidate[2][rows.group_by].iloc[0]
            by_key.setdefault(None if _missing(key) else key, []).append(candidate)
        groups = list(by_key.values())
    for group in groups:
        for n, (row_id, label, records) in enumerate(group):
            sets[row_id] = (label, "", records, n == 0)
        if rows.subtotal and group:
            label = _fill(rows.subtotal, group[0][2].iloc[0], rows.loc)
            records = _concat([records for _, _, records in group], frame)
            sets[_unique_id(_slug(label), sets)] = (label, "subtotal", records, False)
    if rows.other:
        records = _concat([records for _, _, records in left_out], frame)
        sets[_unique_id(_slug(rows.other), sets)] = (rows.other, "other", records, False)
    if rows.total:
        sets[_unique_id(_slug(rows.total), sets)] = (rows.total, "grand-total", frame, False)
    return sets


def _candidates(rows: GroupedRows, data: Dataset) -> list[tuple[str, str, object]]:
    """(id, label, records) for each record, or for each distinct value of `each`."""
    frame, found, ids = data.frame, [], set()
    if rows.each == "record":
        for n, label in enumerate(frame.index):
            records = frame.loc[[label]]
            row_id = (
                _slug(_fill(rows.id, records.iloc[0], rows.loc)) if rows.id else f"record-{n + 1}"
            )
            found.append((_unique_id(row_id, ids), "", records))
            ids.add(found[-1][0])
        return found
    require_columns(data, [rows.each], rows.loc)
    for value, records in frame.groupby(rows.each, sort=False, dropna=True):
        label = as_text(value)
        row_id = (
            _slug(_fill(rows.id, records.iloc[0], rows.loc)) if rows.id else _slug(label) or "row"
        )
        found.append((_unique_id(row_id, ids), label, records))
        ids.add(found[-1][0])
    return found


def _sorted(spec: TableSpec, data: Dataset, frame, candidates: list) -> list:
    """Candidates ordered by `sort:`, each key a table column (its computed value) or a data
    column (the first record's value); ties keep data order."""
    rows: GroupedRows = spec.rows
    sets = {row_id: (label, "", records, False) for row_id, label, records in candidates}
    if rows.total:
        sets[_slug(rows.total)] = (rows.total, "grand-total", frame, False)
    values = _Evaluator(spec, data, sets)
    columns = {c.id: c for c in spec.columns}
    ordered = list(candidates)
    for key in reversed(rows.sort):  # stable sorts, last key first
        name, descending = order_key(key)
        kind = columns[name].kind if name in columns else None
        if kind == "rank":
            raise ReportError(
                f"sort: {name!r} is a rank column", rows.loc, "sort by the column it ranks"
            )
        if kind in ("sum", "formula"):
            value = lambda c, n=name: values.get(c[0], n)  # noqa: E731
        else:
            source = columns[name].source if kind == "text" else name
            require_columns(data, [source], rows.loc)
            value = lambda c, n=source: c[2][n].iloc[0]  # noqa: E731
        keyed = [(value(c), c) for c in ordered]
        present = sorted(
            ((v, c) for v, c in keyed if not _missing(v)),
            key=lambda vc: _comparable(vc[0]),
            reverse=descending,
        )
        ordered = [c for _, c in present] + [c for v, c in keyed if _missing(v)]  # missing last
    return ordered


def _comparable(value: object):
    """Numbers (numpy's too: an int64 column) by value, before any text."""
    return (0, float(value), "") if isinstance(value, numbers.Real) else (1, 0.0, str(value))


def _missing(value: object) -> bool:
    """A cell with no value, or a computed value that is missing."""
    return isinstance(value, Missing) or is_na(value)


def _concat(parts: list, frame):
    import pandas as pd

    return pd.concat(parts) if parts else frame.iloc[0:0]


def _unique_id(row_id: str, taken) -> str:
    n, found = 1, row_id
    while found in taken:
        n += 1
        found = f"{row_id}-{n}"
    return found


def _listed_records(data: Dataset, row: RowSpec):
    records = matching(data, row.where, row.loc)
    if records.empty:
        raise ReportError(
            f"row {row.id!r} matches no records in the data", row.loc, "check its where: values"
        )
    return records


class _Evaluator:
    """Cell values computed on demand, so formulas may use each other in any order."""

    def __init__(self, spec: TableSpec, data: Dataset, record_sets: RecordSets) -> None:
        self.columns = {c.id: c for c in spec.columns}
        self.record_sets = record_sets
        self.data = data
        self.trees = {
            c.id: parse_formula(c.source, c.loc) for c in spec.columns if c.kind == "formula"
        }
        self.memo: dict[tuple[str, str], float | Missing] = {}
        self.active: set[tuple[str, str]] = set()
        self.ranks: dict[str, dict[str, int]] = {}

    def get(self, row_id: str, column_id: str) -> float | Missing:
        key = (row_id, column_id)
        if key in self.memo:
            return self.memo[key]
        column = self.columns[column_id]
        if key in self.active:
            raise ReportError(f"formula of column {column_id!r} depends on itself", column.loc)
        self.active.add(key)
        if column.kind == "sum":
            label, style, row_records, _ = self.record_sets[row_id]
            records = self.data.subset(matching(self.data.subset(row_records), column.where,
                                                column.loc))  # fmt: skip
            if not len(records.frame) and style != "other":  # a sum of nothing is no figure
                where = " and ".join(map(str, column.where))
                raise ReportError(
                    f"row {label or row_id!r}, column {column_id!r}: no record of "
                    f"{self.data.origin.path} where {where}",
                    column.loc,
                    "a record is missing from the data (add it, with 0 if none is meant), or "
                    "fix the where: values",
                )
            value = _sum(records, column)
        elif column.kind == "rank":
            place = self.rank(row_id, column)
            value = place if isinstance(place, Missing) else float(place)
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

    def rank(self, row_id: str, column: ColumnSpec) -> int | Missing:
        """The row's place among the table's data rows by another column (1, 2, 2, 4: equal
        values share the better place); "-col" ranks the largest first. A row with no value
        has no place, and is not counted in the others'."""
        if column.id not in self.ranks:
            name, descending = order_key(column.source)
            if name not in self.columns or self.columns[name].kind not in ("sum", "formula"):
                numeric = [c for c, spec in self.columns.items() if spec.kind in ("sum", "formula")]
                raise ReportError(
                    f"rank: {name!r} is not a numeric column of the table",
                    column.loc,
                    f"columns: {', '.join(numeric)}",
                )
            rows = [r for r, (_, style, _, _) in self.record_sets.items() if not style]
            values = {r: self.get(r, name) for r in rows}
            sign = -1 if descending else 1
            present = [sign * v for v in values.values() if not isinstance(v, Missing)]
            self.ranks[column.id] = {
                r: v if isinstance(v, Missing) else 1 + sum(o < sign * v for o in present)
                for r, v in values.items()
            }
        return self.ranks[column.id][row_id]

    def lookup(self, name: str, row_id: str, asking: ColumnSpec) -> float | Missing:
        if name not in self.columns or self.columns[name].kind == "text":
            numeric = [c for c, spec in self.columns.items() if spec.kind != "text"]
            raise ReportError(
                f"formula {asking.source!r} names no numeric column {name!r}",
                asking.loc,
                f"columns: {', '.join(numeric)}",
            )
        row_id = self._alias(row_id)
        if row_id not in self.record_sets:
            raise ReportError(
                f"formula {asking.source!r} names no row {row_id!r}",
                asking.loc,
                f"rows: {', '.join(self.record_sets)}",
            )
        return self.get(row_id, name)

    def _alias(self, row_id: str) -> str:
        """`[total]` and `[other]` name the grand total and the remainder row whatever their
        labels say (a label in another language makes another id)."""
        if row_id in self.record_sets or row_id not in ("total", "other"):
            return row_id
        style = "grand-total" if row_id == "total" else "other"
        found = [k for k, (_, kind, _, _) in self.record_sets.items() if kind == style]
        return found[0] if len(found) == 1 else row_id


def _sum(records: Dataset, column: ColumnSpec) -> float | Missing:
    """The sum of the column over the records, scaled. A record with no value makes it
    missing; with `missing: skip`, only records that all have none do (no record: 0)."""
    numbers = numeric_column(records, column.source, column.loc)
    gap = first_missing(records, numbers, column.source, skip=column.missing == "skip")
    return gap if gap is not None else float(numbers.sum()) * column.scale


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


def _note_letters(spec: TableSpec, header: list[list[HeaderCell]]) -> dict[str, str]:
    letters: dict[str, str] = {}
    # in reading order: title, column heads, row labels, notes
    labels = [row.inlines for row in spec.rows] if isinstance(spec.rows, list) else []
    places = [spec.title, *(cell.inlines for row in header for cell in row), *labels, *spec.notes]
    for inlines in places:
        for node in walk(inlines):
            if isinstance(node, FootnoteCall) and node.table_note:
                letters.setdefault(node.id, string.ascii_lowercase[len(letters)])
                node.number = letters[node.id]
    return letters
