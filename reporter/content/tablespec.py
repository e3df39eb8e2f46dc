"""Table specs (content/tables/ID.yaml): what a table shows and how each cell is computed.

Rows are sets of data records, either listed (`rows: [{id, label, where}, …]`) or drawn from
the data (`rows: {each: record | COLUMN, where, sort, top, other, group_by, subtotal, total}`:
one row per record, or per distinct value of a column; filtered, sorted, cut to the top N with
a remainder row, grouped with subtotals). Columns are `text` (a data column), `sum` (of a data
column over the row's records, with an optional `where` and `scale`), `formula` (arithmetic
over the row's other columns; `col[row-id]` reads another row) or `rank` (the row's place by
another column). A value missing from the data is no value: a sum over it has none either,
unless the column says `missing: skip`, and it prints as the format's `na:` mark. See
docs/tables.md.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path

from reporter.content import schema
from reporter.content.inline import FootnoteCall, Node, parse_inline, plain_text, walk
from reporter.content.where import Where, parse_where
from reporter.content.yamlsource import Map, load_yaml, where
from reporter.errors import Collector, Location, ReportError

COLUMN_KINDS = ("text", "sum", "formula", "rank")  # a column has one of them
NA_MARK = ".."  # what a cell with no value prints, by default: the UN's "not available"


@dataclass
class NumberFormat:
    decimals: int = 1
    negative: str = "parentheses"
    thousands: str = ","
    na: str = NA_MARK  # printed for no value


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
    territory: str = ""  # text: a data column of M49 codes; the name in the document's language
    missing: str = "na"  # sum: "na" (a missing value makes the sum missing) or "skip"


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


def read_table_spec(root: Path, table_id: str, called_at: Location, na: str = NA_MARK) -> TableSpec:
    """`na`: the document's mark for no value (document.yaml `na:`), unless the spec's own."""
    path = schema.spec_path(root, "tables", table_id, "table", called_at)
    shown = path.relative_to(root)
    return parse_table_spec(load_yaml(path, shown), table_id, shown, na)


def parse_table_spec(data: object, table_id: str, shown: Path, na: str = NA_MARK) -> TableSpec:
    """A table spec: validated against its schema (content/schemas/table.schema.json), then its
    columns, rows and notes read."""
    schema.validate(data, "table", Location(shown))
    assert isinstance(data, Map)
    base = _format(data.get("format"), NumberFormat(na=na))
    errors, columns = Collector(), []
    for item in data["columns"]:  # every bad column and row in one run
        with errors.each():
            columns.append(_column(item, base))
    with errors.each():
        rows = _rows(data["rows"])
    errors.done()
    _unique([c.id for c in columns], "column", data["columns"])
    if isinstance(rows, list):
        _unique([r.id for r in rows], "row", data["rows"])
    notes = data.get("footnotes", {})
    stub = data.get("stub")
    spec = TableSpec(
        id=table_id,
        title=_inline(data["title"], data.key_locs["title"]),
        data=schema.text(data["data"]),
        stub=_inline(stub, data.key_locs["stub"]) if stub is not None else None,
        rows=rows,
        columns=columns,
        notes=[_inline(n, data.key_locs["notes"]) for n in data.get("notes", [])],
        footnotes={k: _inline(v, notes.key_locs[k]) for k, v in notes.items()},
        path=shown,
        loc=data.loc,
        raw=data,
        data_loc=where(data["data"], data.key_locs["data"]),
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


def _inline(value: object, at: Location) -> list[Node]:
    return parse_inline(schema.text(value), where(value, at))


def _unique(ids: list[str], what: str, items: list) -> None:
    seen = set()
    for ident, item in zip(ids, items, strict=True):
        if ident in seen:
            raise ReportError(
                f"{what} id {ident!r} is used twice", item.loc, "give each a distinct id"
            )
        seen.add(ident)


def _format(value: Map | None, base: NumberFormat) -> NumberFormat:
    if value is None:
        return base
    return NumberFormat(
        decimals=int(value.get("decimals", base.decimals)),
        negative=str(value.get("negative", base.negative)),
        thousands=str(value.get("thousands", base.thousands)),
        na=str(value.get("na", base.na)),
    )


def _column(value: Map, base: NumberFormat) -> ColumnSpec:
    kind = next(k for k in COLUMN_KINDS if k in value)
    heading = value["heading"]
    levels = heading if isinstance(heading, list) else [heading]
    fmt = _format(value.get("format"), base)
    if "decimals" in value:
        fmt = replace(fmt, decimals=int(value["decimals"]))
    return ColumnSpec(
        id=schema.text(value["id"]),
        heading=[_inline(level, value.key_locs["heading"]) for level in levels],
        kind=kind,
        source=schema.text(value[kind]),
        where=parse_where(value.get("where"), value.loc),
        scale=float(value.get("scale", 1)),
        repeat=value.get("repeat", True),
        format=fmt,
        loc=value.loc,
        unit=str(value.get("unit", "count")),
        territory=_territory(value, kind),
        missing=_missing(value, kind),
    )


def _territory(value: Map, kind: str) -> str:
    if "territory" not in value:
        return ""
    if kind != "text":
        raise ReportError(
            "territory: is for text columns (a name in the document's language)",
            value.key_locs["territory"],
        )
    return schema.text(value["territory"])


def _missing(value: Map, kind: str) -> str:
    if "missing" not in value:
        return "na"
    if kind != "sum":
        raise ReportError(
            "missing: is for sum columns (a formula over no value has none)",
            value.key_locs["missing"],
        )
    return str(value["missing"])


def _rows(value: Map | list) -> list[RowSpec] | GroupedRows:
    if isinstance(value, Map):
        return _grouped_rows(value)
    rows, errors = [], Collector()
    for item in value:
        with errors.each():
            rows.append(_listed_row(item))
    errors.done()
    return rows


def _listed_row(item: Map) -> RowSpec:
    inlines = _inline(item["label"], item.key_locs["label"])
    return RowSpec(
        id=schema.text(item["id"]),
        label=plain_text(inlines),
        where=parse_where(item.get("where"), item.loc),
        style=str(item.get("style", "")),
        loc=item.loc,
        inlines=inlines,
    )


def _grouped_rows(value: Map) -> GroupedRows:
    def get(key: str) -> str | None:
        return schema.text(value[key]) if key in value else None

    sort = value.get("sort", [])
    top = value.get("top")
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
        sort=tuple(schema.text(s) for s in (sort if isinstance(sort, list) else [sort])),
        top=None if top is None else int(top),
        other=get("other"),
    )
