"""`where:` filters written in specs: which records of a dataset a row, column or quantity
takes. Every condition must hold:

```yaml
where:
  year: 2017                      # equal (numbers compare as numbers, text as text)
  region: [Africa, Asia]          # one of
  country: {not: WORLD}           # not equal; {not: [a, b]}: none of
  people: {">=": 1000000, "<": 5000000}     # comparisons, on numeric columns
```
"""

from __future__ import annotations

from dataclasses import dataclass

from reporter.content.yamlsource import Map, Seq, where
from reporter.errors import Location, ReportError

COMPARISONS = (">", ">=", "<", "<=")
OPERATORS = ("not", *COMPARISONS)


@dataclass(frozen=True)
class Condition:
    column: str
    op: str  # "=", "!=", "in", "not in", ">", ">=", "<", "<="
    value: str | float | tuple[str, ...]

    def __str__(self) -> str:
        value = list(self.value) if isinstance(self.value, tuple) else self.value
        return f"{self.column} {self.op} {value!r}"

    def holds(self, value: str) -> bool:
        """Whether one value (an edition's parameter, as text) meets the condition."""
        if self.op in ("=", "!="):
            return (value == self.value) == (self.op == "=")
        if self.op in ("in", "not in"):
            return (value in self.value) == (self.op == "in")
        try:
            number = float(value)
        except ValueError:
            return False  # not a number: no comparison holds
        return {">": number > self.value, ">=": number >= self.value,
                "<": number < self.value, "<=": number <= self.value}[self.op]  # fmt: skip


Where = tuple[Condition, ...]


def parse_where(value: object, at: Location) -> Where:
    """The conditions of a `where:` mapping (None: no condition)."""
    if value is None:
        return ()
    if not isinstance(value, Map):
        raise ReportError(
            "where: must be a mapping", where(value, at), "write column: value lines under it"
        )
    conditions: list[Condition] = []
    for column, wanted in value.items():
        loc = value.key_locs[column]
        if isinstance(wanted, Map):
            for op, operand in wanted.items():
                conditions.append(_operator(column, op, operand, wanted.key_locs[op]))
        elif isinstance(wanted, Seq):
            conditions.append(Condition(column, "in", _texts(wanted, loc)))
        else:
            conditions.append(Condition(column, "=", _text(wanted, loc)))
    return tuple(conditions)


def _operator(column: str, op: str, operand: object, loc: Location) -> Condition:
    if op == "not":
        if isinstance(operand, Seq):
            return Condition(column, "not in", _texts(operand, loc))
        return Condition(column, "!=", _text(operand, loc))
    if op in COMPARISONS:
        if isinstance(operand, bool) or not isinstance(operand, (int, float)):
            raise ReportError(
                f"{column}: {op} needs a number, not {operand!r}", where(operand, loc)
            )
        return Condition(column, op, float(operand))
    raise ReportError(
        f"{column}: unknown condition {op!r}",
        loc,
        f"use one of: {', '.join(OPERATORS)} (quote the comparisons: '>=')",
    )


def _texts(values: Seq, loc: Location) -> tuple[str, ...]:
    if not values:
        raise ReportError("an empty list matches nothing", where(values, loc))
    return tuple(_text(v, loc) for v in values)


def _text(value: object, loc: Location) -> str:
    if value is None or isinstance(value, (Map, Seq)):
        raise ReportError(f"{value!r} is not a value to compare with", where(value, loc))
    if isinstance(value, bool):
        return str(value).upper()
    return str(value)
