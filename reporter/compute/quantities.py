"""Named quantities (content/quantities.yaml) and table cells, as values figures bind to.

A binding names either a table cell, `table.row.column` (its unit is the column's; a text
column gives a name; a row may be given by its place among the table's data rows, `top.1.country`),
or a quantity defined once in quantities.yaml:

    africa_share_of_growth:
      formula: 100 * exports.africa.change / exports.total.change
      unit: percent
      description: Africa's share of the increase in exports
    meetings:
      count: meetings                        # number of records (optional where:)
    meeting_years:
      distinct: meetings.year                # number of different values
    world_2019:
      sum: population.people_2019            # also min, max, mean; where: filters the records
      where: {area: WORLD}
    asia_share:
      share: population.people_2019          # 100 x the sum over where: / the sum over of:
      where: {region: Asia}
      of: {type: country}                    # the whole (default: every record)
    france_rank:
      rank: population                       # the record's place in the sorted dataset
      sort: -people_2019                     # largest first
      where: {country: France}               # the one record ranked
      among: {type: country}                 # the records it is ranked among (default: all)

A value missing from the data is no value: a sum, min, max, mean or share over it has none
either, unless it says `missing: skip`; a formula over no value has none; a record with no
value has no rank. A figure bound to no value fails, naming the data cell.

docs/quantities.md documents every key.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from pathlib import Path

from reporter.cache import digest
from reporter.compute.formula import evaluate, names, parse_formula
from reporter.compute.select import matching, order_key
from reporter.content import schema
from reporter.content.where import Where, parse_where
from reporter.content.yamlsource import Map, load_mapping
from reporter.data.tabular import (
    Missing,
    first_missing,
    missing_cell,
    numeric_column,
    require_columns,
)
from reporter.errors import Location, ReportError, suggest

CELL = re.compile(r"([A-Za-z][\w-]*)\.([\w-]+)\.(\w+)")
AGGREGATES = ("sum", "min", "max", "mean")
KINDS = ("formula", "count", "distinct", *AGGREGATES, "share", "rank")  # a quantity has one


@dataclass
class QuantitySpec:
    name: str
    kind: str  # one of KINDS
    source: str  # the formula, DATASET (count, rank) or DATASET.COLUMN
    unit: str
    description: str
    where: Where
    loc: Location
    of: Where = ()  # share: the records of the whole
    among: Where = ()  # rank: the records ranked
    sort: str = ""  # rank: the column ranked by ("-col": largest first)
    missing: str = "na"  # sum, min, max, mean, share: "na" (no value makes none) or "skip"


@dataclass(frozen=True)
class Value:
    value: float
    unit: str
    definition: str  # the formula or cell, for reports
    text: str | None = None  # a name (a text cell): what a name in the prose is checked against
    missing: str = ""  # no value (`value` is NaN): the data cell it comes from, for the check


def read_quantities(root: Path) -> dict[str, QuantitySpec]:
    """content/quantities.yaml: validated against its schema (content/schemas/
    quantities.schema.json), then each definition checked and read."""
    data = load_mapping(root, "quantities.yaml", "names to definitions")
    return schema.entries(data, "quantities", _quantity, data.loc)


def _quantity(name: str, body: Map, loc: Location) -> QuantitySpec:
    if not re.fullmatch(r"[A-Za-z_]\w*", name):
        raise ReportError(f"quantity name {name!r} must be letters, digits and _", loc)
    kind = next(k for k in KINDS if k in body)
    for key, only in (("of", "share"), ("among", "rank"), ("sort", "rank")):
        if key in body and kind != only:
            raise ReportError(f"{key}: is for {only}: quantities", body.key_locs[key])
    if "missing" in body and kind not in (*AGGREGATES, "share"):
        raise ReportError(
            f"missing: is for sum, min, max, mean and share quantities, not {kind}",
            body.key_locs["missing"],
        )
    if kind == "rank" and "sort" not in body:
        raise ReportError("rank: needs sort: (the column it ranks by; -col: largest first)", loc)
    source = schema.text(body[kind])
    if kind in (*AGGREGATES, "share", "distinct") and "." not in source:
        raise ReportError(
            f"{kind}: {source!r} names no column",
            body.key_locs[kind],
            f"write {kind}: DATASET.COLUMN",
        )
    return QuantitySpec(
        name=name,
        kind=kind,
        source=source,
        unit=str(body.get("unit", "percent" if kind == "share" else "count")),
        description=schema.text(body.get("description", "")),
        where=parse_where(body.get("where"), body.loc),
        loc=body.loc,
        of=parse_where(body.get("of"), body.loc),
        among=parse_where(body.get("among"), body.loc),
        sort=schema.text(body.get("sort", "")),
        missing=str(body.get("missing", "na")),
    )


def _value_pair(cached: object) -> tuple[float | Missing, str]:
    """An aggregate as cached: [value, definition], or [null, definition, why] for no value."""
    value, definition, *missing = cached
    return (Missing(str(missing[0])) if missing else float(value)), str(definition)


def _cached(result: tuple[float | Missing, str]) -> list:
    value, definition = result
    return [None, definition, str(value)] if isinstance(value, Missing) else [value, definition]


def _value(value: float | Missing, unit: str, definition: str) -> Value:
    if isinstance(value, Missing):
        return Value(math.nan, unit, definition, missing=str(value))
    return Value(value, unit, definition)


def _gap(spec: QuantitySpec, records, numbers, column: str) -> Missing | None:
    """The record without a value that leaves the quantity without one, if any."""
    return first_missing(records, numbers, column, skip=spec.missing == "skip")


class Quantities:
    """Resolves binding names to values, on demand, with cycle detection."""

    def __init__(self, specs: dict[str, QuantitySpec], tables: dict, datasets, cache=None) -> None:
        self.specs = specs
        self.tables = tables
        self.datasets = datasets  # data.datasets.Datasets: name -> Dataset, and .key(name)
        self.cache = cache  # aggregates over data are cached: they need pandas
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
            try:
                value = self._evaluate(self.specs[name])
            finally:  # an error inside is reported once, not again as a cycle
                self.active.discard(name)
        else:
            hint = "define it in content/quantities.yaml or write table.row.column"
            raise ReportError(
                f"unknown quantity {name!r}", used_at, suggest(name, self.specs) or hint
            )
        self.memo[name] = value
        return value

    def _cell(self, name: str, used_at: Location) -> Value:
        table_id, row_id, column_id = CELL.fullmatch(name).groups()
        if table_id not in self.tables:
            raise ReportError(
                f"unknown table {table_id!r} in {name!r}",
                used_at,
                suggest(table_id, self.tables),
            )
        table = self.tables[table_id]
        rows = [r.id for r in table.rows]
        data_rows = [r.id for r in table.rows if not r.style]
        if row_id not in rows and row_id.isdigit() and 0 < int(row_id) <= len(data_rows):
            row_id = data_rows[int(row_id) - 1]  # the n-th data row: top.1.country
        if row_id not in rows:
            raise ReportError(
                f"table {table_id!r} has no row {row_id!r}",
                used_at,
                suggest(row_id, rows) or f"rows: {', '.join(rows)}",
            )
        columns = {c.id: c for c in table.spec.columns}
        if column_id not in columns:
            hint = suggest(column_id, columns) or f"columns: {', '.join(columns)}"
            raise ReportError(f"table {table_id!r} has no column {column_id!r}", used_at, hint)
        cell = table.cell(row_id, column_id)
        value = cell.value
        if cell.missing:
            return Value(math.nan, columns[column_id].unit, name, missing=cell.missing)
        if columns[column_id].kind == "text":
            if value is None:
                raise ReportError(f"{name} has no text (a total row?)", used_at)
            return Value(float("nan"), "name", name, text=str(value))
        if value is None:
            raise ReportError(f"{name} has no value (a rank of a total row?)", used_at)
        return Value(float(value), columns[column_id].unit, name)

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
                tree, lambda n, _row: self._number(refs[n], spec.loc), spec.source, spec.loc
            )
            return _value(value, spec.unit, spec.source)
        dataset = spec.source.partition(".")[0]
        if self.cache is None:
            value, definition = self._aggregate(spec)
        else:
            key = digest(
                spec.kind,
                spec.source,
                repr((spec.where, spec.of, spec.among, spec.sort, spec.missing)),
                self.datasets.key(dataset, spec.loc),
            )
            value, definition = self.cache.json(
                "quantity", key, lambda: _cached(self._aggregate(spec)), decode=_value_pair
            )
        return _value(value, spec.unit, definition)

    def _number(self, name: str, used_at: Location) -> float | Missing:
        value = self.get(name, used_at)
        return Missing(value.missing) if value.missing else value.value

    def _aggregate(self, spec: QuantitySpec) -> tuple[float | Missing, str]:
        """A quantity computed over a dataset's records: (value, how, for reports)."""
        name, _, column = spec.source.partition(".")
        data = self.datasets(name, spec.loc)
        records = data.subset(matching(data, spec.where, spec.loc))
        filtered = f" where {' and '.join(map(str, spec.where))}" if spec.where else ""
        if spec.missing == "skip":
            filtered += " (missing values skipped)"
        if spec.kind == "count":
            return float(len(records.frame)), f"number of records in {name}{filtered}"
        if spec.kind == "distinct":
            require_columns(data, [column], spec.loc)
            count = records.frame[column].nunique()
            return float(count), f"number of distinct {column} in {name}{filtered}"
        if spec.kind == "rank":
            return self._rank(spec, data, records)
        if spec.kind == "share":  # the part is taken from the whole: where: and of: both hold
            whole = data.subset(matching(data, spec.of, spec.loc))
            part = data.subset(matching(whole, spec.where, spec.loc))
            wholes, numbers = (numeric_column(d, column, spec.loc) for d in (whole, part))
            how = f"share of {name}.{column}{filtered}"
            gap = _gap(spec, whole, wholes, column) or _gap(spec, part, numbers, column)
            if gap is not None:
                return gap, how
            total = float(wholes.sum())
            if total == 0:
                raise ReportError(f"share: the sum of {name}.{column} over of: is 0", spec.loc)
            return 100 * float(numbers.sum()) / total, how
        numbers = numeric_column(records, column, spec.loc)
        if not len(numbers) and spec.kind != "sum":
            raise ReportError(
                f"{spec.kind}: no records of {name}{filtered}", spec.loc, "check where:"
            )
        how = f"{spec.kind} of {name}.{column}{filtered}"
        gap = _gap(spec, records, numbers, column)
        return (gap, how) if gap is not None else (float(getattr(numbers, spec.kind)()), how)

    def _rank(self, spec: QuantitySpec, data, records) -> tuple[float | Missing, str]:
        """The place of the one record `where:` picks among `among:`, by `sort:` (1, 2, 2,
        4: equal values share the better place). A record with no value has no place, and is
        not counted in the others'."""
        name = spec.source
        column, descending = order_key(spec.sort)
        if len(records.frame) != 1:
            raise ReportError(
                f"rank: where: picks {len(records.frame)} records of {name}, not one",
                spec.loc,
                "make where: name exactly one record",
            )
        among = data.subset(matching(data, spec.among, spec.loc))
        values = numeric_column(among, column, spec.loc).dropna()
        mine = float(numeric_column(records, column, spec.loc).iloc[0])
        order = "largest" if descending else "smallest"
        how = f"place of {name} by {column}, {order} first"
        if mine != mine:
            return missing_cell(records, records.frame.index[0], column), how
        better = (values > mine) if descending else (values < mine)
        return float(1 + int(better.sum())), how
