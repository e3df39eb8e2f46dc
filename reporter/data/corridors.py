"""Corridors from an origin-destination matrix: origin group x destination group x year.

Every country of the matrix (as an origin column and as a destination row) is put in a group
by a classification (North = more developed regions, South = less developed). Each
destination country's migrants are summed by their origin's group; what the destination's
Total has beyond the countries listed as origins (DESA's "Other North" / "Other South"
origins, when a copy of the file has lost those columns) is kept as an origin of its own,
`unallocated`, so that the corridors and that remainder add up to the published totals.

The result has the shape of the flagship's data: origin, destination, year,
migrants_thousands. Where the matrix has a destination row named after a group
("More developed regions"), the countries classified in it must add up to that row's Total.
"""

from __future__ import annotations

from dataclasses import dataclass

from reporter.data.odmatrix import Matrix
from reporter.errors import Location, ReportError

COLUMNS = ["origin", "destination", "year", "migrants_thousands"]
TOLERANCE = 0.5  # persons: the file's counts are whole numbers


@dataclass(frozen=True)
class Group:
    label: str  # as written in the records: North
    name: str  # as written in the classification (and the matrix's aggregate rows)
    where: Location  # where the mapping name -> label is declared


def origin_labels(
    matrix: Matrix,
    classification: dict[str, tuple[str, int]],
    classification_path,
    groups: list[Group],
    names: dict[str, tuple[str, Location]],
) -> dict[str, str]:
    """Each origin country of the matrix -> its group's label; every one must be classified."""
    label_of = {g.name: g.label for g in groups}
    for name, (target, where) in names.items():
        if name not in matrix.origins:
            raise ReportError(
                f"names: {name!r} is not a country of {matrix.path}", where, "check the spelling"
            )
        if target not in classification:
            raise ReportError(
                f"names: {target!r} is not a country of {classification_path}",
                where,
                "check the spelling",
            )
    labels = {}
    for origin in matrix.origins:
        key = names[origin][0] if origin in names else origin
        if key not in classification:
            raise ReportError(
                f"{origin!r} is not in {classification_path}",
                Location(matrix.path, 1),
                "add it there, or map its spelling under names: in datasets.yaml",
            )
        group, line = classification[key]
        if group not in label_of:
            raise ReportError(
                f"{key!r} is in group {group!r}, which groups: does not name",
                Location(classification_path, line),
                f"groups: {', '.join(label_of)}",
            )
        labels[origin] = label_of[group]
    return labels


def corridor_frame(
    matrix: Matrix,
    labels: dict[str, str],
    groups: list[Group],
    years: list[int],
    unallocated: str,
):
    """The records origin, destination, year, migrants_thousands for `years`."""
    import numpy as np
    import pandas as pd

    countries = matrix.is_country()
    year = np.asarray(matrix.years)
    destination = np.asarray([labels.get(d, "") for d in matrix.destinations], dtype=object)
    values = np.nan_to_num(matrix.values)
    totals = np.nan_to_num(matrix.totals)
    by_group = {}
    for group in groups:
        columns = np.asarray([labels[o] == group.label for o in matrix.origins])
        by_group[group.label] = values[:, columns].sum(axis=1)
    remainder = totals - sum(by_group.values())
    _check_rows(matrix, countries, remainder)
    _check_aggregates(matrix, countries, groups, year, destination, totals)
    wanted = countries & np.isin(year, years)
    frame = pd.DataFrame(
        {"year": year[wanted], "destination": destination[wanted]}
        | {label: v[wanted] for label, v in by_group.items()}
        | {unallocated: remainder[wanted]}
    )
    sums = frame.groupby(["year", "destination"]).sum()
    records = []
    for y in years:
        for origin in [*(g.label for g in groups), unallocated]:
            for dest in (g.label for g in groups):
                persons = sums[origin].get((y, dest), 0.0)
                records.append((origin, dest, y, round(float(persons) / 1000, 3)))
    return pd.DataFrame.from_records(records, columns=COLUMNS)


def _check_rows(matrix: Matrix, countries, remainder) -> None:
    import numpy as np

    listed = ~np.isnan(matrix.values).all(axis=1)
    no_total = np.isnan(matrix.totals) & listed & countries
    if no_total.any():
        raise ReportError(
            "Total is '..' but origins have migrants", matrix.at(int(no_total.argmax()))
        )
    over = (remainder < -TOLERANCE) & countries
    if over.any():
        row = int(over.argmax())
        raise ReportError(
            f"the origins add up to {-remainder[row]:,.0f} more than Total",
            matrix.at(row),
            "Total must be at least the sum of the origin columns",
        )


def _check_aggregates(matrix: Matrix, countries, groups, year, destination, totals) -> None:
    """A row named like a group (More developed regions) must equal the sum of its countries."""
    rows = {
        (y, d): i for i, (y, d) in enumerate(zip(matrix.years, matrix.destinations, strict=True))
    }
    for group in groups:
        for y in sorted(set(matrix.years)):
            row = rows.get((y, group.name))
            if row is None:
                continue
            summed = totals[countries & (year == y) & (destination == group.label)].sum()
            if abs(summed - totals[row]) > TOLERANCE:
                raise ReportError(
                    f"{group.name!r} {y}: Total {totals[row]:,.0f}, but the countries classified "
                    f"{group.label} add up to {summed:,.0f}",
                    matrix.at(row),
                    "the classification (or names:) disagrees with the file's own aggregate",
                )
