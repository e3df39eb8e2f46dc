"""Read a classification of countries: a CSV with a `country` column and a group column.

`data/desa-rev2017/desa_development_groups_2020.csv` is one: each country or area of UN DESA's
2020 annex with its development group (More developed regions / Less developed regions).
"""

from __future__ import annotations

from pathlib import Path

from reporter.data.csvdata import read_csv, require_columns
from reporter.errors import Location, ReportError


def read_classification(path: Path, shown: Path, column: str, used_at: Location) -> dict:
    """country -> (group, line) from the CSV at `path`; each country once, each with a group."""
    frame = read_csv(path, shown)
    require_columns(frame, ["country", column], used_at)
    groups: dict[str, tuple[str, int]] = {}
    for index, (country, group) in enumerate(zip(frame["country"], frame[column], strict=True)):
        line = frame.attrs["lines"][index]
        country, group = str(country).strip(), str(group).strip()
        if country in groups:
            first = groups[country][1]
            raise ReportError(
                f"{country!r} is classified twice (first at line {first})", Location(shown, line)
            )
        if not group:
            raise ReportError(f"{country!r} has no {column}", Location(shown, line))
        groups[country] = (group, line)
    return groups
