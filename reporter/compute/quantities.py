"""Named quantities (content/quantities.yaml) and table cells, as values figures bind to.

A binding names either a table cell, `table.row.column` (its unit is the column's), or a
quantity defined once in quantities.yaml:

    south_north_share_of_growth:
      formula: 100 * corridors.south-north.change / corridors.in-north.change
      unit: percent
      description: Share of the increase in the North's migrants born in the South
    round_tables:
      count: a67254_gfmd_round_tables        # number of records (optional where:)
    forum_meetings:
      distinct: a67254_gfmd_round_tables.year  # number of different values
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from reporter.cache import digest
from reporter.compute.formula import evaluate, names, parse_formula
from reporter.content import schema
from reporter.content.tablespec import UNITS
from reporter.content.yamlsource import load_mapping, where
from reporter.errors import Location, ReportError

CELL = re.compile(r"([A-Za-z][\w-]*)\.([\w-]+)\.(\w+)")


@dataclass
class QuantitySpec:
    name: str
    kind: str  # formula | count | distinct
    source: str
    unit: str
    description: str
    where: dict[str, str]
    loc: Location


@dataclass(frozen=True)
class Value:
    value: float
    unit: str
    definition: str  # the formula or cell, for reports


def read_quantities(root: Path) -> dict[str, QuantitySpec]:
    data = load_mapping(root, "quantities.yaml", "names to definitions")
    specs = {}
    for name, body in data.items():
        loc = data.key_locs[name]
        if not re.fullmatch(r"[A-Za-z_]\w*", name):
            raise ReportError(f"quantity name {name!r} must be letters, digits and _", loc)
        body = schema.check_keys(
            body,
            {"formula", "count", "distinct", "where", "unit", "description"},
            (),
            f"quantity {name!r}",
            loc,
        )
        kinds = [k for k in ("formula", "count", "distinct") if k in body]
        if len(kinds) != 1:
            raise ReportError(
                f"quantity {name!r} needs exactly one of formula, count, distinct", loc
            )
        unit = body.get("unit", "count")
        if unit not in UNITS:
            raise ReportError(
                f"unknown unit {unit!r}",
                body.key_locs.get("unit", loc),
                f"use one of: {', '.join(UNITS)}",
            )
        specs[name] = QuantitySpec(
            name=name,
            kind=kinds[0],
            source=schema.text(body[kinds[0]], kinds[0], loc),
            unit=str(unit),
            description=str(body.get("description", "")),
            where={k: str(v) for k, v in (body.get("where") or {}).items()},
            loc=where(body, loc),
        )
    return specs


class Quantities:
    """Resolves binding names to values, on demand, with cycle detection."""

    def __init__(self, specs: dict[str, QuantitySpec], tables: dict, frames, cache=None) -> None:
        self.specs = specs
        self.tables = tables
        self.frames = frames  # pipeline.Frames: data name -> DataFrame, and .key(name)
        self.cache = cache  # counts over data files are cached: they need pandas
        self.memo: dict[str, Value] = {}
        self.active: set[str] = set()

    def get(self, name: str, used_at: Location) -> Value:
        if name in self.memo:
            return self.memo[name]
        if CELL.fullmatch(name):
            value = self._cell(name, used_at)
        elif name in self.specs:
            if name in self.active:
                raise ReportError(
                    f"quantity {name!r} is defined in terms of itself", self.specs[name].loc
                )
            self.active.add(name)
            value = self._evaluate(self.specs[name])
            self.active.discard(name)
        else:
            hint = "define it in content/quantities.yaml or write table.row.column"
            raise ReportError(
                f"unknown quantity {name!r}", used_at, schema.suggest(name, self.specs) or hint
            )
        self.memo[name] = value
        return value

    def _cell(self, name: str, used_at: Location) -> Value:
        table_id, row_id, column_id = CELL.fullmatch(name).groups()
        if table_id not in self.tables:
            raise ReportError(
                f"unknown table {table_id!r} in {name!r}",
                used_at,
                schema.suggest(table_id, self.tables),
            )
        table = self.tables[table_id]
        rows = [r.id for r in table.rows]
        if row_id not in rows:
            raise ReportError(
                f"table {table_id!r} has no row {row_id!r}",
                used_at,
                schema.suggest(row_id, rows) or f"rows: {', '.join(rows)}",
            )
        columns = {c.id: c for c in table.spec.columns if c.kind != "text"}
        if column_id not in columns:
            hint = schema.suggest(column_id, columns) or f"columns: {', '.join(columns)}"
            raise ReportError(
                f"table {table_id!r} has no numeric column {column_id!r}", used_at, hint
            )
        return Value(float(table.cell(row_id, column_id).value), columns[column_id].unit, name)

    def _evaluate(self, spec: QuantitySpec) -> Value:
        if spec.kind == "formula":
            refs: dict[str, str] = {}

            def alias(match: re.Match) -> str:
                refs[f"_cell{len(refs)}"] = match[0]
                return f"_cell{len(refs) - 1}"

            tree = parse_formula(CELL.sub(alias, spec.source), spec.loc)
            for name in names(tree):
                refs.setdefault(name, name)
            value = evaluate(
                tree, lambda n, _row: self.get(refs[n], spec.loc).value, spec.source, spec.loc
            )
            return Value(value, spec.unit, spec.source)
        dataset = spec.source.partition(".")[0]
        if self.cache is None:
            value, definition = self._count(spec)
        else:
            key = digest(
                spec.kind, spec.source, repr(sorted(spec.where.items())), self.frames.key(dataset)
            )
            value, definition = self.cache.json("quantity", key, lambda: self._count(spec))
        return Value(value, spec.unit, definition)

    def _count(self, spec: QuantitySpec) -> tuple[float, str]:
        dataset, _, column = spec.source.partition(".")
        frame = self.frames(dataset)
        for key, wanted in spec.where.items():
            frame = frame[frame[key].astype("string") == wanted]
        if spec.kind == "count":
            return float(len(frame)), f"number of records in {dataset}"
        if column not in frame.columns:
            raise ReportError(
                f"{dataset} has no column {column!r}",
                spec.loc,
                f"columns: {', '.join(frame.columns)}",
            )
        return float(frame[column].nunique()), f"number of distinct {column} in {dataset}"
