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
from reporter.content.yamlsource import Map, load_yaml, where
from reporter.errors import Location, ReportError


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
    """content/charts/ID.yaml: validated against its schema (content/schemas/chart.schema.json),
    then its categories checked."""
    path = schema.spec_path(root, "charts", chart_id, "chart", called_at)
    shown = path.relative_to(root)
    data = load_yaml(path, shown)
    schema.validate(data, "chart", Location(shown))
    assert isinstance(data, Map)
    rows, labels = _categories(data["categories"])
    return ChartSpec(
        id=chart_id,
        title=_inline(data["title"], data.key_locs["title"]),
        kind=str(data["kind"]),
        table=schema.text(data["table"]),
        rows=rows,
        labels=labels,
        series=[_series(s) for s in data["series"]],
        line=_series(data["line"]) if "line" in data else None,
        unit=schema.text(data.get("unit", "")),
        right_unit=schema.text(data.get("right_unit", "")),
        source=_inline(data.get("source", ""), data.key_locs.get("source", data.loc)),
        alt=schema.text(data["alt"]),
        loc=data.loc,
        raw_text=path.read_text(encoding="utf-8"),
    )


def _categories(categories: Map) -> tuple[list[str] | None, list[str] | None]:
    """The rows listed (None: `rows: all`) and their labels, if given: as many as rows."""
    rows = None if categories["rows"] == "all" else [schema.text(r) for r in categories["rows"]]
    if "labels" not in categories:
        return rows, None
    at = where(categories["labels"], categories.key_locs["labels"])
    if rows is None:
        raise ReportError(
            "categories: labels need rows listed (rows: all takes the table's labels)", at
        )
    labels = [schema.text(x) for x in categories["labels"]]
    if len(labels) != len(rows):
        raise ReportError("categories: labels and rows differ in number", at)
    return rows, labels


def _inline(value: object, at: Location) -> list[Node]:
    return parse_inline(schema.text(value), where(value, at))


def _series(value: Map) -> Series:
    return Series(schema.text(value["column"]), schema.text(value["label"]))
