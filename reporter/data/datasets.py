"""The datasets of a data folder: files read as published, and SQL over them.

A table or a quantity names a dataset (`data: NAME`). It is either `data/NAME.csv`, read
with the defaults, or declared in the data folder's `datasets.yaml`:

```yaml
trade:                                   # a file, read as published
  file: exports_by_partner_2017.csv
  na: ".."                               # what means "no value"
  end: blank-row                         # the table stops at its first blank row
regions:
  file: sources/classification.xlsx      # a sheet of a workbook
  sheet: Annex
  header: [10, 11]                       # a header over two rows
by_region:                               # SQL over other datasets (DuckDB)
  sql: |
    select … from trade join regions on …
  checks:                                # queries that must return no rows
    - sql: select Country from trade where Total < 0
      message: a negative total
```

Each dataset is read or computed once per build, on first use; its cache key is the bytes
of its declaration and of every file it reads, through the datasets it queries.
docs/datasets.md documents every key.
"""

from __future__ import annotations

import json
import re
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path

from reporter.cache import digest, files_digest
from reporter.content import schema
from reporter.content.yamlsource import Map, Text, load_yaml, where
from reporter.data.readers import ReadOptions, read_file
from reporter.data.sql import check_statement, run_query, sql_error, table_names
from reporter.data.tabular import Dataset, as_text, clipped
from reporter.errors import Collector, Location, ReportError, suggest

FILE_NAME = "datasets.yaml"
# the keys of a file dataset (content/schemas/datasets.schema.json): a sql one has none of them
FILE_KEYS = ("file", "sheet", "header", "na", "thousands", "decimal", "encoding", "end")
MAX_CHECK_ROWS = 5  # rows a failing check shows
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_DATA_NAME = re.compile(r"[A-Za-z0-9][\w.-]*")


@dataclass(frozen=True)
class Check:
    sql: Text
    message: str
    loc: Location


@dataclass(frozen=True)
class Declared:
    name: str
    loc: Location  # the name's key in datasets.yaml
    definition: str  # canonical JSON of the entry: part of the cache key
    file: Path | None = None
    options: ReadOptions = ReadOptions()
    sql: Text | None = None
    description: str = ""
    checks: tuple[Check, ...] = ()


# Datasets read or computed in this process, by name and key (a digest of the declaration and
# of the bytes of every file behind it), and those whose checks passed: a worker building one
# edition after another reads each file once. A loaded frame is never changed (a subset is a
# new frame), so sharing it is safe; the oldest entries go first.
_MEMO: OrderedDict[tuple[str, str], Dataset] = OrderedDict()
_MEMO_SIZE = 32
_CHECKED: set[tuple[str, str]] = set()


class Datasets:
    """The datasets of one data folder, each read or computed once, on first use."""

    def __init__(self, root: Path, folder: Path | None = None) -> None:
        self.root = root
        self.folder = folder or root / "data"
        self._declared: dict[str, Declared] | None = None
        self.loaded: dict[str, Dataset] = {}
        self.keys: dict[str, str] = {}
        self.checked: set[str] = set()
        self.inputs: dict[str, list[str]] = {}  # query -> the datasets it reads
        self.active: list[str] = []

    @property
    def declared(self) -> dict[str, Declared]:
        if self._declared is None:
            self._declared = read_declarations(self.folder, self.root)
        return self._declared

    def names(self) -> list[str]:
        return sorted({*self.declared, *(p.stem for p in self.folder.glob("*.csv"))})

    def __call__(self, name: str, used_at: Location | None = None) -> Dataset:
        """The dataset, once its checks and those of every dataset it is made from pass.
        Checks run after the computing, so a check may read any dataset."""
        data = self.computed(name, used_at)
        errors = Collector()
        for each in self._lineage(name):
            if each not in self.checked:
                with errors.each():
                    if (each, self.key(each)) not in _CHECKED:
                        self._run_checks(each)
                        _CHECKED.add((each, self.key(each)))
                    self.checked.add(each)
        errors.done()
        return data

    def _lineage(self, name: str) -> list[str]:
        """`name` and the datasets its query reads, theirs, and so on: inputs first."""
        found: list[str] = []
        declared = self.declared.get(name)
        if declared is not None and declared.sql is not None:
            for input_name in self._inputs(declared):
                found += [n for n in self._lineage(input_name) if n not in found]
        return [*found, name]

    def computed(self, name: str, used_at: Location | None = None) -> Dataset:
        """The dataset as read or computed, before its checks (which may read it)."""
        if name not in self.loaded:
            if name in self.active:
                cycle = " -> ".join([*self.active[self.active.index(name) :], name])
                raise ReportError(f"datasets query each other in a cycle: {cycle}", self._at(name))
            self.active.append(name)
            try:
                self.loaded[name] = self._remembered(name, used_at)
            finally:
                self.active.pop()
        return self.loaded[name]

    def _remembered(self, name: str, used_at: Location | None) -> Dataset:
        memo = (name, self.key(name, used_at))
        if memo in _MEMO:
            _MEMO.move_to_end(memo)
        else:
            _MEMO[memo] = self._load(name, used_at)
            while len(_MEMO) > _MEMO_SIZE:
                _MEMO.popitem(last=False)
        return _MEMO[memo]

    def key(self, name: str, used_at: Location | None = None) -> str:
        """A digest of everything dataset `name` is made from."""
        if name not in self.keys:
            declared = self._find(name, used_at)
            if declared is None:
                path = self._csv(name, used_at)
                self.keys[name] = files_digest([path], self.root)
            elif declared.file is not None:
                files = files_digest([self.folder / declared.file], self.root)
                self.keys[name] = digest(declared.definition, files)
            else:
                self.keys[name] = "…"  # a placeholder while its inputs are keyed: no cycles
                inputs = [self.key(n, declared.loc) for n in self._inputs(declared)]
                self.keys[name] = digest(declared.definition, *inputs)
        return self.keys[name]

    def describe(self) -> dict[str, dict]:
        """What each dataset used by the build was made from, for the manifest."""
        found = {}
        for name in sorted(self.keys):
            declared = self.declared.get(name)
            if declared is None or declared.file is not None:
                path = self.folder / (declared.file if declared else f"{name}.csv")
                entry = {"file": _shown(path, self.root).as_posix()}
                if declared:
                    entry["read"] = json.loads(declared.definition)
                found[name] = entry
            else:
                found[name] = {"sql": str(declared.sql), "reads": self._inputs(declared)}
        return found

    def _load(self, name: str, used_at: Location | None) -> Dataset:
        declared = self._find(name, used_at)
        if declared is None:
            path = self._csv(name, used_at)
            return read_file(name, path, _shown(path, self.root), ReadOptions())
        if declared.file is not None:
            path = self.folder / declared.file
            data = read_file(name, path, _shown(path, self.root), declared.options)
        else:
            inputs, errors = {}, Collector()
            for input_name in self._inputs(declared):
                with errors.each():  # every input that fails is reported
                    inputs[input_name] = self.computed(input_name, declared.loc)
            errors.done()
            data = run_query(name, declared.sql, inputs, declared.loc)
        return data

    def _run_checks(self, name: str) -> None:
        declared = self.declared.get(name)
        if declared is None or not declared.checks:
            return
        errors = Collector()
        for check in declared.checks:
            with errors.each():  # every check runs, even when another (or an input's) fails
                inputs = {n: self.computed(n, check.loc) for n in self._inputs(check)}
                found = run_query(f"{name} check", check.sql, inputs, check.loc).frame
                if len(found):
                    rows = "; ".join(
                        ", ".join(f"{clipped(k)}={clipped(as_text(v))}" for k, v in row.items())
                        for row in found.head(MAX_CHECK_ROWS).to_dict("records")
                    )
                    more = len(found) - MAX_CHECK_ROWS
                    raise ReportError(
                        f"check of {name!r} fails: {check.message}: {rows}"
                        + (f" (and {more} more)" if more > 0 else ""),
                        check.loc,
                    )
        errors.done()

    def _inputs(self, item: Declared | Check) -> list[str]:
        """The datasets a query reads: the table names DuckDB's binder finds in it, asked of
        a connection with no access to files (sql.table_names), once the query is known to be
        one query (sql.check_statement). Where DuckDB cannot list them (some UNPIVOTs, a
        PIVOT), every known name the query mentions as a word; the query's own run then
        reports real errors."""
        import duckdb

        query = str(item.sql)
        if query in self.inputs:
            return self.inputs[query]
        what = f"the query of {item.name!r}" if isinstance(item, Declared) else "the check"
        check_statement(item.sql, item.loc, what)  # nothing but a query is even bound
        known = {n.lower(): n for n in self.names()}
        try:
            tables = table_names(query)
        except duckdb.ParserException as exc:
            raise sql_error(exc, item.sql, item.loc) from None
        except duckdb.Error:
            tables = set(re.findall(r"[A-Za-z_]\w*", query))
        self.inputs[query] = sorted({known[t.lower()] for t in tables if t.lower() in known})
        return self.inputs[query]

    def _find(self, name: str, used_at: Location | None) -> Declared | None:
        declared = self.declared.get(name)
        if declared is not None and (self.folder / f"{name}.csv").exists():
            raise ReportError(
                f"{name!r} is both {name}.csv and a dataset in {FILE_NAME}",
                declared.loc,
                "rename one of them",
            )
        return declared

    def _csv(self, name: str, used_at: Location | None) -> Path:
        at = used_at or Location(_shown(self.folder, self.root))
        if not _DATA_NAME.fullmatch(name) or ".." in name:
            raise ReportError(
                f"data name {name!r} is not a dataset name",
                at,
                "write a CSV file's name without folder or extension, e.g. data: values",
            )
        path = self.folder / f"{name}.csv"
        if not path.exists():
            raise ReportError(
                f"no dataset {name!r}: no {_shown(path, self.root)}, and {FILE_NAME} does not "
                "declare it",
                at,
                suggest(name, self.names()) or f"datasets: {', '.join(self.names())}",
            )
        return path

    def _at(self, name: str) -> Location:
        declared = self.declared.get(name)
        return declared.loc if declared else Location(_shown(self.folder, self.root))


def read_declarations(folder: Path, root: Path) -> dict[str, Declared]:
    """datasets.yaml: validated against its schema (content/schemas/datasets.schema.json), then
    each declaration checked and read."""
    path = folder / FILE_NAME
    if not path.is_file():
        return {}
    shown = _shown(path, root)
    entries = load_yaml(path, shown)
    if entries is None:
        return {}
    return schema.entries(entries, "datasets", _declared, Location(shown))


def _declared(name: str, entry: Map, at: Location) -> Declared:
    if not _NAME.fullmatch(name):
        raise ReportError(
            f"dataset name {name!r} must be letters, digits and _ (a name SQL can use)", at
        )
    common = dict(
        name=name,
        loc=at,
        definition=json.dumps(entry, sort_keys=True, default=str),
        description=schema.text(entry.get("description", "")),
        checks=tuple(Check(c["sql"], schema.text(c["message"]), c["sql"].loc)
                     for c in entry.get("checks", [])),
    )  # fmt: skip
    if "sql" in entry:
        extra = [k for k in FILE_KEYS if k in entry]
        if extra:
            raise ReportError(
                f"{extra[0]}: is for file datasets, not sql ones", entry.key_locs[extra[0]]
            )
        return Declared(sql=entry["sql"], **common)
    file = schema.relative_file(schema.text(entry["file"]), "file", where(entry["file"], at))
    return Declared(file=file, options=_options(entry), **common)


def _options(entry: Map) -> ReadOptions:
    header = entry.get("header", 1)
    rows = [int(r) for r in (header if isinstance(header, list) else [header])]
    if sorted(set(rows)) != rows:
        raise ReportError(
            "header: rows must be listed in order, each once", entry.key_locs["header"]
        )
    na = entry.get("na", [])
    return ReadOptions(
        header=tuple(rows),
        na=tuple(str(n).strip() for n in ([na] if isinstance(na, str) else na)),
        thousands=entry.get("thousands"),
        decimal=entry.get("decimal", "."),
        encoding=schema.text(entry.get("encoding", "utf-8")),
        end=entry.get("end"),
        sheet=schema.text(entry["sheet"]) if "sheet" in entry else None,
    )


def _shown(path: Path, root: Path) -> Path:
    return path.relative_to(root) if path.is_relative_to(root) else path
