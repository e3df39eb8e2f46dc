"""Arithmetic formulas written in specs: + - * / ( ), numbers, names, name[row-id].

Parsed with Python's `ast` and evaluated by walking an allow-list of node types: no names
but the ones given, no calls, no attributes, so a formula can never run code. A value that is
missing (no value in the data) makes the result missing: the first one met, left to right.
"""

from __future__ import annotations

import ast
import math
import operator
import re
import warnings
from collections.abc import Callable

from reporter.content.yamlsource import MAX_NUMBER  # as in data: at most 1e15 in size
from reporter.data.tabular import Missing
from reporter.errors import Location, ReportError

_OPS = {
    ast.Add: operator.add,
    ast.Sub: operator.sub,
    ast.Mult: operator.mul,
    ast.Div: operator.truediv,
}
_ROW_REF = re.compile(r"\[\s*([A-Za-z0-9][\w.-]*)\s*\]")

MAX_LENGTH = 500  # characters; ast and the evaluator recurse, so depth must stay bounded
Lookup = Callable[[str, str | None], float | Missing]  # (name, row id or None) -> value


def parse_formula(text: str, where: Location) -> ast.expr:
    if len(text) > MAX_LENGTH:
        raise ReportError(
            f"formula of {len(text):,} characters", where, f"keep formulas under {MAX_LENGTH}"
        )
    # row ids may contain '-', which Python would read as minus: quote them first
    source = _ROW_REF.sub(lambda m: f'["{m[1]}"]', text)
    try:
        with warnings.catch_warnings():  # "1a" is a SyntaxWarning before it is an error
            warnings.simplefilter("ignore")
            tree = ast.parse(source, mode="eval").body
    except (SyntaxError, RecursionError, MemoryError, ValueError):
        raise ReportError(
            f"formula {text!r} is not valid arithmetic", where, "use + - * / ( ) and column ids"
        ) from None
    allowed = (ast.BinOp, ast.UnaryOp, ast.USub, ast.UAdd, ast.Constant, ast.Name, ast.Subscript)
    row_ids = {id(n.slice) for n in ast.walk(tree) if isinstance(n, ast.Subscript)}
    for node in ast.walk(tree):
        if not isinstance(node, allowed + (ast.Load, *_OPS)):
            raise ReportError(
                f"formula {text!r} uses {type(node).__name__}",
                where,
                "use + - * / ( ) and column ids",
            )
        number = isinstance(node, ast.Constant) and type(node.value) in (int, float)
        if isinstance(node, ast.Constant) and not number and id(node) not in row_ids:
            raise ReportError(f"formula {text!r}: {node.value!r} is not a number", where)
        if number and not abs(node.value) <= MAX_NUMBER:
            raise ReportError(f"formula {text[:40]!r}…: a number too large", where)
    return tree


def names(tree: ast.expr) -> set[str]:
    return {node.id for node in ast.walk(tree) if isinstance(node, ast.Name)}


def evaluate(tree: ast.expr, lookup: Lookup, text: str, where: Location) -> float | Missing:
    def ev(node: ast.expr) -> float | Missing:
        if isinstance(node, ast.Constant):
            return float(node.value)
        if isinstance(node, ast.Name):
            return lookup(node.id, None)
        if isinstance(node, ast.Subscript):
            if not isinstance(node.value, ast.Name) or not isinstance(node.slice, ast.Constant):
                raise ReportError(f"formula {text!r}: write column[row-id]", where)
            return lookup(node.value.id, str(node.slice.value))
        if isinstance(node, ast.UnaryOp):
            value = ev(node.operand)
            negate = isinstance(node.op, ast.USub) and not isinstance(value, Missing)
            return -value if negate else value
        left, right = ev(node.left), ev(node.right)  # both: a bad name on the right is reported
        if isinstance(left, Missing) or isinstance(right, Missing):
            return left if isinstance(left, Missing) else right
        if isinstance(node.op, ast.Div) and right == 0:
            raise ReportError(f"formula {text!r} divides by zero", where)
        return _OPS[type(node.op)](left, right)

    value = ev(tree)
    if isinstance(value, Missing):
        return value
    if not math.isfinite(value) or abs(value) > MAX_NUMBER:
        raise ReportError(f"formula {text!r} gives {value:g}, not a number a table can show", where)
    return value
