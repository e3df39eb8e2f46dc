"""Derived datasets: `data/datasets.yaml` names a dataset and says how it is computed from files
in the same folder, so a table's `data: NAME` can read it like `data/NAME.csv`.

```yaml
desa2017_corridors:                     # the name tables use (data: desa2017_corridors)
  corridors: un_desa_rev2017_origin_destination_total_1990-2017.csv   # an origin-destination matrix
  classification: desa_development_groups_2020.csv                   # country -> group
  group_column: development_group       # the classification's group column (this is the default)
  groups: {More developed regions: North, Less developed regions: South}
  names: {Swaziland: Eswatini}          # matrix spelling: classification spelling
  years: [1990, 2017]
  unallocated: Unallocated              # origin of Total - sum of the countries (the default)
```

The only transformation so far is `corridors` (reporter/data/corridors.py). Files are named,
not pathed: they sit in the same folder as datasets.yaml (a symbolic link can stand there).
"""

from __future__ import annotations

from pathlib import Path

from reporter.content import schema
from reporter.content.yamlsource import Map, load_yaml, where
from reporter.errors import Location, ReportError

FILE_NAME = "datasets.yaml"
KEYS = ("corridors", "classification", "group_column", "groups", "names", "years", "unallocated")
REQUIRED = ("corridors", "classification", "groups", "years")


def derived_frame(root: Path, name: str, data_dir: Path | None = None):
    """The dataset `name` if the data folder's datasets.yaml declares it, else None."""
    folder = data_dir or root / "data"
    path = folder / FILE_NAME
    if not path.is_file():
        return None
    shown = _shown(path, root)
    entries = load_yaml(path, shown)
    if entries is None:
        return None
    if not isinstance(entries, Map):
        raise ReportError(
            f"{FILE_NAME} must map dataset names to their definitions", Location(shown)
        )
    if name not in entries:
        return None
    if (folder / f"{name}.csv").exists():
        raise ReportError(
            f"{name!r} is both {name}.csv and a derived dataset",
            entries.key_locs[name],
            "rename one of them",
        )
    return corridors_dataset(folder, root, entries[name], entries.key_locs[name])


def corridors_dataset(folder: Path, root: Path, entry: object, at: Location):
    """Read the matrix and the classification named by `entry`, and compute the corridors."""
    from reporter.data.classification import read_classification
    from reporter.data.corridors import Group, corridor_frame, origin_labels
    from reporter.data.odmatrix import read_matrix

    entry = schema.check_keys(entry, KEYS, REQUIRED, "derived dataset", at)
    matrix_path = _file(folder, entry, "corridors", root)
    class_path = _file(folder, entry, "classification", root)
    column = schema.text(entry.get("group_column", "development_group"), "group_column", at)
    unallocated = schema.text(entry.get("unallocated", "Unallocated"), "unallocated", at)
    groups = [
        Group(schema.text(label, "a group label", at), name, entry["groups"].key_locs[name])
        for name, label in _mapping(entry, "groups").items()
    ]
    if unallocated in {g.label for g in groups}:
        raise ReportError(
            f"unallocated: {unallocated!r} is also a group label", where(entry["unallocated"], at)
        )
    names = {
        name: (schema.text(target, "a name", at), entry["names"].key_locs[name])
        for name, target in _mapping(entry, "names", required=False).items()
    }
    matrix = read_matrix(matrix_path, _shown(matrix_path, root))
    years = _years(entry, set(matrix.years), matrix.path)
    shown_class = _shown(class_path, root)
    classification = read_classification(
        class_path, shown_class, column, entry.key_locs["classification"]
    )
    labels = origin_labels(matrix, classification, shown_class, groups, names)
    frame = corridor_frame(matrix, labels, groups, years, unallocated)
    frame.attrs["path"] = at.path
    frame.attrs["lines"] = [at.line] * len(frame)
    return frame


def _file(folder: Path, entry: Map, key: str, root: Path) -> Path:
    name = schema.text(entry[key], key, entry.loc)
    loc = where(entry[key], entry.key_locs[key])
    if Path(name).name != name or name.startswith("."):
        raise ReportError(
            f"{key}: {name!r} is a path, not a file name",
            loc,
            f"put the file (or a symbolic link to it) next to {FILE_NAME}",
        )
    path = folder / name
    if not path.is_file():
        raise ReportError(f"{key}: no file {name!r} in {_shown(folder, root)}", loc)
    return path


def _mapping(entry: Map, key: str, required: bool = True) -> Map:
    value = entry.get(key, Map() if not required else None)
    if not isinstance(value, Map):
        raise ReportError(
            f"{key} must be a mapping", where(value, entry.key_locs.get(key, entry.loc))
        )
    if not hasattr(value, "key_locs"):
        value.key_locs = {}
    return value


def _years(entry: Map, available: set[int], matrix: Path) -> list[int]:
    loc = entry.key_locs["years"]
    years = schema.listing(entry["years"], "years", loc)
    for year in years:
        if not isinstance(year, int) or isinstance(year, bool):
            raise ReportError(f"years: {year!r} is not a year", loc, "write e.g. [1990, 2017]")
        if year not in available:
            raise ReportError(
                f"years: {matrix} has no {year}",
                loc,
                f"years in the file: {', '.join(map(str, sorted(available)))}",
            )
    if not years or len(set(years)) != len(years):
        raise ReportError("years must list different years", loc)
    return list(years)


def _shown(path: Path, root: Path) -> Path:
    return path.relative_to(root) if path.is_relative_to(root) else path
