"""Select records of a dataset: `where:` conditions, and ordering by columns."""

from __future__ import annotations

from reporter.content.where import COMPARISONS, Where
from reporter.data.tabular import Dataset, numeric_column, require_columns
from reporter.errors import Location


def matching(data: Dataset, conditions: Where, used_at: Location):
    """The records of `data` (a DataFrame, labels kept) for which every condition holds."""
    import operator

    import pandas as pd

    frame = data.frame
    if not conditions:
        return frame
    require_columns(data, [c.column for c in conditions], used_at)
    mask = pd.Series(True, index=frame.index)
    compare = {">": operator.gt, ">=": operator.ge, "<": operator.lt, "<=": operator.le}
    for cond in conditions:
        values = frame[cond.column]
        if cond.op in COMPARISONS:
            numbers = numeric_column(data, cond.column, used_at)
            hit = compare[cond.op](numbers, cond.value)
        else:
            wanted = cond.value if isinstance(cond.value, tuple) else (cond.value,)
            hit = _equal_any(values, wanted)
            if cond.op in ("!=", "not in"):
                hit = ~hit & values.notna()
        mask &= hit.fillna(False).astype(bool)
    return frame[mask.to_numpy()]


def _equal_any(values, wanted: tuple[str, ...]):
    """Cells equal to one of the texts: as numbers in a numeric column, else as text."""
    import pandas as pd

    if pd.api.types.is_numeric_dtype(values) and not pd.api.types.is_bool_dtype(values):
        numbers = pd.to_numeric(pd.Series(wanted), errors="coerce").dropna().tolist()
        return values.isin(numbers)
    return values.astype("string").str.strip().isin([w.strip() for w in wanted])


def order_key(name: str) -> tuple[str, bool]:
    """'-stock' -> ('stock', descending)."""
    return (name[1:], True) if name.startswith("-") else (name, False)
