"""Check printed tables: totals against the sum of their parts (shares summing to 100
included) and ratios against numerator / denominator, on the rounded values as printed,
so rounding artefacts show up as notes instead of being hidden. A cell with no value is not
checked, nor is a total over it; in a sum column that skips missing values (`missing: skip`),
its total is checked against the parts that have one."""

from __future__ import annotations

import ast
from decimal import Decimal, InvalidOperation

from reporter.compute.formula import parse_formula
from reporter.compute.tables import Table
from reporter.content.inline import plain_text
from reporter.content.languages import separators
from reporter.content.tablespec import GroupedRows


def table_notes(table: Table, locale: str = "en") -> tuple[list[str], list[str]]:
    """(notes, failures): rounding artefacts, and printed values that cannot be right."""
    notes, failures = [], []
    printed = {(r.id, c.column): c.text for r in table.rows for c in r.cells}
    empty = {(r.id, c.column) for r in table.rows for c in r.cells if c.missing}

    def number(row_id: str, column) -> Decimal | None:
        if (row_id, column.id) in empty:
            return None
        return _number(printed[(row_id, column.id)], column, locale)

    name = f"Table {table.number}"
    for total, parts in _totals(table):
        for column in (c for c in table.spec.columns if _additive(c)):
            digits = column.format.decimals
            skip = column.kind == "sum" and column.missing == "skip"
            present = [p for p in parts if not skip or (p, column.id) not in empty]
            values = [number(p, column) for p in present]
            stated = number(total, column)
            if stated is None or None in values or not present:
                continue  # no value (or a mark such as "..") is not summed
            summed = sum(values, Decimal(0))
            if summed == stated:
                continue
            # each part is off by at most half a unit of the last digit
            bound = Decimal(len(present)) * Decimal(5).scaleb(-digits - 1)
            terms = " + ".join(printed[(p, column.id)] for p in present)
            line = (
                f"{name}, {_heading(column)}, {_label(table, total)}: "
                f"parts {terms} = {summed}, printed {printed[(total, column.id)]}"
            )
            if abs(summed - stated) <= bound:
                notes.append(line + " (rounding)")
            else:
                failures.append(line)
    for column in table.spec.columns:
        ratio = _ratio(column)
        if not ratio:
            continue
        numerator, denominator = ratio
        for row in table.rows:
            columns = {c.id: c for c in table.spec.columns}
            top = number(row.id, columns[numerator])
            bottom = number(row.id, columns[denominator])
            stated = number(row.id, column)
            if bottom == 0 or None in (top, bottom, stated):
                continue
            quotient = (top / bottom).quantize(Decimal(1).scaleb(-column.format.decimals))
            if quotient != stated:
                line = (
                    f"{name}, {_heading(column)}, {_label(table, row.id)}: "
                    f"{top} / {bottom} = {quotient}, printed {stated}"
                )
                unit = Decimal(1).scaleb(-column.format.decimals)
                (notes if abs(quotient - stated) <= unit else failures).append(line)
    return notes, failures


def _number(text: str, column, locale: str = "en") -> Decimal | None:
    """A printed cell as a number (None for ".." or a blank), in the column's own format, or
    with the symbols of `locale` (format_number writes CLDR's outside English)."""
    negative = text.startswith("(") or text.startswith("\u2212")
    digits = text.strip("()\u2212")
    if locale != "en":
        decimal, group = separators(locale)
        digits = digits.replace(group, "").replace(decimal, ".")
    elif column.format.thousands:
        digits = digits.replace(column.format.thousands, "")
    try:
        value = Decimal(digits or "0")
    except InvalidOperation:
        return None
    return -value if negative else value


def _heading(column) -> str:
    return " / ".join(plain_text(level) for level in column.heading)


def _label(table: Table, row_id: str) -> str:
    row = next(r for r in table.rows if r.id == row_id)
    return row.label or row_id


def _totals(table: Table) -> list[tuple[str, list[str]]]:
    """(total row, its part rows) pairs, read off the row definitions."""
    spec = table.spec
    if isinstance(spec.rows, GroupedRows):
        pairs, group, subtotals, other = [], [], [], []
        for row in table.rows:
            if row.style == "subtotal":
                pairs.append((row.id, group))
                subtotals.append(row.id)
                group = []
            elif row.style == "grand-total":
                pairs.append((row.id, [*subtotals, *other] if subtotals else group))
            elif row.style == "other":  # the records top: leaves out
                other.append(row.id)
                group.append(row.id)
            else:
                group.append(row.id)
        return pairs
    parts = [r for r in spec.rows if not r.style]
    pairs = []
    for total in (r for r in spec.rows if r.style):
        inside = [p.id for p in parts if set(total.where) <= set(p.where)]
        if len(inside) > 1:
            pairs.append((total.id, inside))
    return pairs


def _additive(column) -> bool:
    """Sums, and formulas linear in same-row columns (a - b, 100 * a / a[total])."""
    if column.kind == "sum":
        return True
    if column.kind != "formula":
        return False
    return _linear(parse_formula(column.source, column.loc))


def _linear(node) -> bool:
    constant = (ast.Constant, ast.Subscript)  # numbers, and cells of a fixed row
    if isinstance(node, ast.Name):
        return True
    if isinstance(node, ast.UnaryOp):
        return _linear(node.operand)
    if isinstance(node, ast.BinOp):
        if isinstance(node.op, (ast.Add, ast.Sub)):
            return _linear(node.left) and _linear(node.right)
        if isinstance(node.op, ast.Mult):
            return (isinstance(node.left, constant) and _linear(node.right)) or (
                isinstance(node.right, constant) and _linear(node.left)
            )
        if isinstance(node.op, ast.Div):
            return isinstance(node.right, constant) and _linear(node.left)
    return False


def _ratio(column) -> tuple[str, str] | None:
    if column.kind != "formula":
        return None
    node = parse_formula(column.source, column.loc)
    division = isinstance(node, ast.BinOp) and isinstance(node.op, ast.Div)
    if division and isinstance(node.left, ast.Name) and isinstance(node.right, ast.Name):
        return node.left.id, node.right.id
    return None
