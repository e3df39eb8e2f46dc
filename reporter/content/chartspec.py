"""Chart specs (content/charts/ID.yaml): what a figure shows, read from a computed table.

title: Exports by region, 1990 and 2010
kind: bar                        # bar | stacked-bar
table: exports                   # the computed table the chart reads: chart and table agree
categories:                      # one group of bars per row
  rows: [africa, asia, europe]   # or `rows: all`: every data row, in table order (a top N)
  labels: [Africa, Asia, Europe]  # optional: row labels
series:                          # one bar (or stack segment) per column
  - {column: value_1990, label: "1990"}
line: {column: ratio, label: …}  # optional: a line on a right-hand scale
unit: Millions                   # axis title
right_unit: Actions per recommendation
source: "…"                      # the source line (inline markup)
alt: "…"                         # text alternative for the HTML
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from reporter.content import schema
from reporter.content.inline import Node, parse_inline
from reporter.content.yamlsource import load_yaml, where
from reporter.errors import Location, ReportError

KINDS = ("bar", "stacked-bar")


@dataclass
class Series:
    column: str
    label: str


@dataclass
class ChartSpec:
    id: str
    title: list[Node]
    kind: str
    table: str
    rows: list[str] | None  # None: every data row of the table (`rows: all`)
    labels: list[str] | None
    series: list[Series]
    line: Series | None
    unit: str
    right_unit: str
    source: list[Node]
    alt: str
    loc: Location
    raw_text: str  # the spec file's text, for cache keys and the manifest


def read_chart_spec(root: Path, chart_id: str, called_at: Location) -> ChartSpec:
    path = schema.spec_path(root, "charts", chart_id, "chart", called_at)
    shown = path.relative_to(root)
    loc = Location(shown)
    data = schema.check_keys(
        load_yaml(path, shown),
        {
            "title",
            "kind",
            "table",
            "categories",
            "series",
            "line",
            "unit",
            "right_unit",
            "source",
            "alt",
        },
        {"title", "kind", "table", "categories", "series", "alt"},
        "chart spec",
        loc,
    )
    if data["kind"] not in KINDS:
        raise ReportError(
            f"unknown chart kind {data['kind']!r}",
            where(data["kind"], loc),
            f"use one of: {', '.join(KINDS)}",
        )
    categories = schema.check_keys(
        data["categories"], {"rows", "labels"}, {"rows"}, "categories", loc
    )
    rows = None
    if categories["rows"] != "all":
        items = schema.listing(categories["rows"], "rows", loc)
        rows = [schema.text(r, "row", loc) for r in items]
    labels = None
    if "labels" in categories and rows is None:
        raise ReportError(
            "categories: labels need rows listed (rows: all takes the table's labels)",
            where(categories["labels"], loc),
        )
    if "labels" in categories:
        labels = [
            schema.text(x, "label", loc)
            for x in schema.listing(categories["labels"], "labels", loc)
        ]
        if len(labels) != len(rows):
            raise ReportError(
                "categories: labels and rows differ in number", where(categories["labels"], loc)
            )
    line = _series(data["line"], loc) if "line" in data else None
    return ChartSpec(
        id=chart_id,
        title=parse_inline(schema.text(data["title"], "title", loc), where(data["title"], loc)),
        kind=str(data["kind"]),
        table=schema.text(data["table"], "table", loc),
        rows=rows,
        labels=labels,
        series=[_series(s, loc) for s in schema.listing(data["series"], "series", loc)],
        line=line,
        unit=schema.text(data.get("unit", ""), "unit", loc),
        right_unit=schema.text(data.get("right_unit", ""), "right_unit", loc),
        source=parse_inline(
            schema.text(data.get("source", ""), "source", loc), where(data.get("source"), loc)
        ),
        alt=schema.text(data["alt"], "alt", loc),
        loc=data.loc,
        raw_text=path.read_text(encoding="utf-8"),
    )


def _series(value: object, loc: Location) -> Series:
    value = schema.check_keys(value, {"column", "label"}, {"column", "label"}, "series", loc)
    return Series(
        schema.text(value["column"], "column", loc), schema.text(value["label"], "label", loc)
    )
