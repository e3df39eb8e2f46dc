"""Table specs (content/tables/ID.yaml): what a table shows and how each cell is computed.

Rows are sets of data records, either listed (`rows: [{id, label, where}, …]`) or drawn from
the data (`rows: {each: record | COLUMN, where, sort, top, other, group_by, subtotal, total}`:
one row per record, or per distinct value of a column; filtered, sorted, cut to the top N with
a remainder row, grouped with subtotals). Columns are `text` (a data column), `sum` (of a data
column over the row's records, with an optional `where` and `scale`), `formula` (arithmetic
over the row's other columns; `col[row-id]` reads another row) or `rank` (the row's place by
another column). See docs/tables.md.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from reporter.content import schema
from reporter.content.inline import FootnoteCall, Node, parse_inline, plain_text, walk
from reporter.content.where import Where, parse_where
from reporter.content.yamlsource import Map, load_yaml, where
from reporter.errors import Collector, Location, ReportError

NEGATIVE_STYLES = ("parentheses", "minus")
UNITS = ("count", "thousand", "million", "billion", "percent", "ratio")
ROW_STYLES = ("", "total", "grand-total")
COLUMN_KINDS = ("text", "sum", "formula", "rank")
MAX_TOP = 10_000


@dataclass
class NumberFormat:
    decimals: int = 1
    negative: str = "parentheses"
    thousands: str = ","


@dataclass
class RowSpec:
    id: str
    label: str  # as plain text (for data, charts and diffs)
    where: Where
    style: str
    loc: Location
    inlines: list[Node] = field(default_factory=list)  # as written: may call a table note


@dataclass
class GroupedRows:
    """Rows drawn from the data: one per record, or one per distinct value of a column;
    filtered, sorted, cut to the top N (the rest in one `other` row), grouped with
    subtotals, and a grand total."""

    id: str | None  # row id template, e.g. "{year}-{round_table}"
    group_by: str | None
    subtotal: str | None  # label template: "Total {year}" fills in the group's {column}
    total: str | None
    loc: Location
    each: str = "record"  # "record", or a data column: one row per distinct value
    where: Where = ()
    sort: tuple[str, ...] = ()  # table or data columns; "-col": largest first
    top: int | None = None
    other: str | None = None  # label of the row of the records left out by top


@dataclass
class ColumnSpec:
    id: str
    heading: list[list[Node]]  # one entry per heading level, outermost first
    kind: str  # text | sum | formula | rank
    source: str  # data column (text, sum), the formula, or the ranked column ("-col": desc)
    where: Where
    scale: float
    repeat: bool  # text columns: repeat the value on every row of a group
    format: NumberFormat
    loc: Location
    unit: str = "count"  # what a cell's value is in, for figures bound to it


@dataclass
class TableSpec:
    id: str
    title: list[Node]
    data: str
    stub: list[Node] | None  # heading of the row-label column (listed rows)
    rows: list[RowSpec] | GroupedRows
    columns: list[ColumnSpec]
    notes: list[list[Node]]
    footnotes: dict[str, list[Node]]
    path: Path
    loc: Location
    raw: dict = field(repr=False, default_factory=dict)
    data_loc: Location | None = None  # where `data:` is written


def read_table_spec(root: Path, table_id: str, called_at: Location) -> TableSpec:
    path = schema.spec_path(root, "tables", table_id, "table", called_at)
    shown = path.relative_to(root)
    return parse_table_spec(load_yaml(path, shown), table_id, shown)


def parse_table_spec(data: object, table_id: str, shown: Path) -> TableSpec:
    loc = Location(shown)
    data = schema.check_keys(
        data,
        {"title", "data", "stub", "rows", "columns", "format", "notes", "footnotes"},
        {"title", "data", "rows", "columns"},
        "table spec",
        loc,
    )
    base = _format(data.get("format"), NumberFormat(), loc)
    items = schema.listing(data["columns"], "columns", loc)
    errors, columns = Collector(), []
    for i, item in enumerate(items):  # every bad column and row in one run
        with errors.each():
            columns.append(_column(item, base, loc, f"columns[{i}]"))
    with errors.each():
        rows = _rows(data["rows"], loc)
    errors.done()
    _unique([c.id for c in columns], "column", data["columns"], loc)
    if isinstance(rows, list):
        _unique([r.id for r in rows], "row", data["rows"], loc)
    footnotes = {}
    if "footnotes" in data:
        notes = schema.check_keys(data["footnotes"], data["footnotes"] or {}, (), "footnotes", loc)
        footnotes = {k: _inline(v, loc) for k, v in notes.items()}
    stub = data.get("stub")
    spec = TableSpec(
        id=table_id,
        title=_inline(data["title"], loc),
        data=schema.text(data["data"], "data", loc),
        stub=_inline(stub, loc) if stub is not None else None,
        rows=rows,
        columns=columns,
        notes=[_inline(n, loc) for n in schema.listing(data.get("notes", []), "notes", loc)],
        footnotes=footnotes,
        path=shown,
        loc=data.loc,
        raw=data,
        data_loc=where(data["data"], loc),
    )
    _mark_table_notes(spec)
    return spec


def _mark_table_notes(spec: TableSpec) -> None:
    """A call of one of the table's own notes is lettered with the table; any other is a
    call of a document footnote."""
    texts = [spec.title, *(h for c in spec.columns for h in c.heading), *spec.notes]
    texts += [r.inlines for r in spec.rows] if isinstance(spec.rows, list) else []
    texts += list(spec.footnotes.values())
    if spec.stub:
        texts.append(spec.stub)
    for inlines in texts:
        for node in walk(inlines):
            if isinstance(node, FootnoteCall):
                node.table_note = node.id in spec.footnotes


def _inline(value: object, loc: Location) -> list[Node]:
    return parse_inline(schema.text(value, "text", loc), where(value, loc))


def _unique(ids: list[str], what: str, items: list, loc: Location) -> None:
    seen = set()
    for ident, item in zip(ids, items, strict=True):
        if ident in seen:
            raise ReportError(
                f"{what} id {ident!r} is used twice", where(item, loc), "give each a distinct id"
            )
        seen.add(ident)


def _format(value: object, base: NumberFormat, loc: Location) -> NumberFormat:
    if value is None:
        return base
    value = schema.check_keys(value, {"decimals", "negative", "thousands"}, (), "format", loc)
    fmt = NumberFormat(
        decimals=value.get("decimals", base.decimals),
        negative=value.get("negative", base.negative),
        thousands=value.get("thousands", base.thousands),
    )
    _decimals(fmt.decimals, value.key_locs.get("decimals", value.loc))
    if fmt.negative not in NEGATIVE_STYLES:
        raise ReportError(
            f"negative must be one of {', '.join(NEGATIVE_STYLES)}",
            value.key_locs.get("negative", value.loc),
        )
    return fmt


def _decimals(value: object, at: Location) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 6:
        raise ReportError("decimals must be a whole number from 0 to 6", at)
    return value


def _column(value: object, base: NumberFormat, loc: Location, path: str) -> ColumnSpec:
    keys = {
        "id",
        "heading",
        *COLUMN_KINDS,
        "where",
        "scale",
        "repeat",
        "decimals",
        "format",
        "unit",
    }
    value = schema.check_keys(value, keys, {"id", "heading"}, path, loc)
    present = [k for k in COLUMN_KINDS if k in value]
    if len(present) != 1:
        raise ReportError(f"a column needs exactly one of {', '.join(COLUMN_KINDS)}", value.loc)
    kind = present[0]
    heading = value["heading"]
    levels = heading if isinstance(heading, list) else [heading]
    fmt = _format(value.get("format"), base, loc)
    if "decimals" in value:
        decimals = _decimals(value["decimals"], value.key_locs["decimals"])
        fmt = NumberFormat(decimals, fmt.negative, fmt.thousands)
    scale = value.get("scale", 1)
    if isinstance(scale, bool) or not isinstance(scale, (int, float)):
        raise ReportError("scale must be a number", value.key_locs["scale"], "e.g. scale: 0.001")
    return ColumnSpec(
        id=schema.text(value["id"], "column id", loc),
        heading=[_inline(level, loc) for level in levels],
        kind=kind,
        source=schema.text(value[kind], kind, loc),
        where=parse_where(value.get("where"), value.loc),
        scale=float(scale),
        repeat=bool(value.get("repeat", True)),
        format=fmt,
        loc=value.loc,
        unit=_unit(value.get("unit", "count"), value, loc),
    )


def _unit(unit: object, column: Map, loc: Location) -> str:
    if unit not in UNITS:
        raise ReportError(
            f"unknown unit {unit!r}",
            column.key_locs.get("unit", loc),
            f"use one of: {', '.join(UNITS)}",
        )
    return str(unit)


def _rows(value: object, loc: Location) -> list[RowSpec] | GroupedRows:
    if isinstance(value, Map):
        return _grouped_rows(value, loc)
    rows, errors = [], Collector()
    for i, item in enumerate(schema.listing(value, "rows", loc)):
        with errors.each():
            rows.append(_listed_row(item, i, loc))
    errors.done()
    return rows


def _listed_row(item: object, i: int, loc: Location) -> RowSpec:
    keys = {"id", "label", "where", "style"}
    item = schema.check_keys(item, keys, {"id", "label"}, f"rows[{i}]", loc)
    style = item.get("style", "")
    if style not in ROW_STYLES:
        raise ReportError(
            f"row style must be one of {', '.join(ROW_STYLES[1:])}", item.key_locs["style"]
        )
    inlines = _inline(item["label"], loc)
    return RowSpec(
        id=schema.text(item["id"], "row id", loc),
        label=plain_text(inlines),
        where=parse_where(item.get("where"), item.loc),
        style=style,
        loc=item.loc,
        inlines=inlines,
    )


def _grouped_rows(value: Map, loc: Location) -> GroupedRows:
    keys = {"each", "id", "where", "sort", "top", "other", "group_by", "subtotal", "total"}
    value = schema.check_keys(value, keys, {"each"}, "rows", loc)
    get = lambda k: schema.text(value[k], k, loc) if k in value else None  # noqa: E731
    sort = value.get("sort", [])
    sort = [sort] if isinstance(sort, str) else schema.listing(sort, "sort", loc)
    top = value.get("top")
    if top is not None and (
        isinstance(top, bool) or not isinstance(top, int) or not 0 < top <= MAX_TOP
    ):
        raise ReportError(
            f"top: must be a whole number from 1 to {MAX_TOP:,}", value.key_locs["top"]
        )
    if top is not None and not sort:
        raise ReportError("top: needs sort: (the top of what order?)", value.key_locs["top"])
    if "other" in value and top is None:
        raise ReportError(
            "other: is the row of the records top: leaves out; give top:", value.key_locs["other"]
        )
    return GroupedRows(
        id=get("id"),
        group_by=get("group_by"),
        subtotal=get("subtotal"),
        total=get("total"),
        loc=value.loc,
        each=get("each") or "record",
        where=parse_where(value.get("where"), value.loc),
        sort=tuple(schema.text(s, "sort", loc) for s in sort),
        top=top,
        other=get("other"),
    )
