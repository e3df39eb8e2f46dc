"""What a value read from a hostile file may hold, checked in the child that read it: each
function returns the problems it found (empty: none), as JSON the parent can show."""

from __future__ import annotations

import datetime as dt
import math
import re

from reporter.content.yamlsource import MAX_NUMBER, Map, Seq, Text
from reporter.data.readers import MAX_COLUMNS, MAX_ROWS


class Blob(bytes):
    """A generated file's bytes, shown short in a failing example (a runaway quote may hold a
    million line breaks): its length, how it starts and ends, and the longest run of one
    byte. The reproducer is the example as printed, with the run written out."""

    def __repr__(self) -> str:
        if len(self) <= 200:
            return bytes.__repr__(self)
        runs = [m.span() for m in _RUN.finditer(self)]
        if runs:
            start, end = max(runs, key=lambda span: span[1] - span[0])
            if len(self) - (end - start) <= 2_000:
                head, byte, tail = bytes(self[:start]), bytes(self[start : start + 1]), self[end:]
                return f"({head!r} + {byte!r} * {end - start} + {bytes(tail)!r})"
        return f"<{len(self):,} bytes: {bytes(self[:80])!r} … {bytes(self[-40:])!r}>"


_RUN = re.compile(rb"(.)\1{100,}", re.S)


def dataset_problems(data) -> list[str]:
    """A dataset read from a file: within the row and column limits, and every number finite
    and at most MAX_NUMBER in size (a NaN is a missing value, which is allowed)."""
    import pandas as pd

    frame = data.frame
    problems = []
    if len(frame) > MAX_ROWS or len(frame.columns) > MAX_COLUMNS:
        problems.append(f"{len(frame)} rows x {len(frame.columns)} columns")
    if len(set(frame.columns)) != len(frame.columns):
        problems.append(f"duplicate column names {list(frame.columns)[:10]}")
    for column in frame.columns:
        values = frame[column]
        if pd.api.types.is_numeric_dtype(values) and not pd.api.types.is_bool_dtype(values):
            numbers = values.dropna().astype(float)
            bad = numbers[~numbers.abs().le(MAX_NUMBER)]
            if len(bad):
                problems.append(f"column {column!r} holds {bad.iloc[0]!r}")
    return problems


PLAIN = (str, int, float, bool, type(None), dt.date, dt.datetime)


def yaml_problems(value: object) -> list[str]:
    """A loaded YAML document: plain values only (text as Text, lists as Seq, mappings as Map
    with text keys), numbers finite and at most MAX_NUMBER, at most 64 levels deep."""
    problems: list[str] = []
    stack = [(value, 0)]
    while stack and len(problems) < 5:
        item, depth = stack.pop()
        if depth > 65:
            problems.append("deeper than 64 levels")
        elif isinstance(item, dict):
            if not isinstance(item, Map):
                problems.append(f"a mapping of type {type(item).__name__}")
            for key, inner in item.items():
                if not isinstance(key, str):
                    problems.append(f"a key of type {type(key).__name__}")
                stack.append((inner, depth + 1))
        elif isinstance(item, list):
            if not isinstance(item, Seq):
                problems.append(f"a list of type {type(item).__name__}")
            stack += [(inner, depth + 1) for inner in item]
        elif isinstance(item, str) and not isinstance(item, Text):
            problems.append(f"text without its place: {item[:40]!r}")
        elif isinstance(item, float) and not (math.isfinite(item) and abs(item) <= MAX_NUMBER):
            problems.append(f"the number {item!r}")
        elif isinstance(item, int) and abs(item) > MAX_NUMBER:
            problems.append(f"the number {str(item)[:40]}")
        elif not isinstance(item, PLAIN):
            problems.append(f"a value of type {type(item).__name__}")
    return problems
