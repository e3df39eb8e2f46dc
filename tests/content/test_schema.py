"""The declared schemas (reporter/content/schemas/) and the adapter that checks every YAML file
against them: each schema is a valid JSON Schema whose keys are exactly those the code reads;
an error in any kind of file is one line at the file:line:col of its key or value, with a
"did you mean" for an unknown key; every error of a file is reported in the same run."""

from __future__ import annotations

import sys
from pathlib import Path

import jsonschema_rs
import pytest

from reporter.check import rules
from reporter.check.run import read_aliases, read_errata, read_sources
from reporter.cli import main
from reporter.compute import quantities
from reporter.compute.quantities import read_quantities
from reporter.content import load, schema, tablespec
from reporter.content.load import load_document
from reporter.content.yamlsource import Map, Seq, load_yaml
from reporter.data import datasets
from reporter.data.datasets import read_declarations
from reporter.editions import editions_of
from reporter.errors import ReportError
from reporter.project import Project

KINDS = sorted(p.name.removesuffix(".schema.json") for p in schema.SCHEMAS.glob("*.schema.json"))
FILE_KINDS = ["aliases", "chart", "datasets", "document", "errata", "footnotes", "part",
              "quantities", "sources", "table"]  # fmt: skip


def _node(kind: str, pointer: str) -> dict:
    node = schema.load_schema(kind)
    for part in filter(None, pointer.split("/")):
        node = node[part]
    return node


def _walk(node: object, pointer: str = ""):
    """Every (JSON pointer, schema) inside a schema."""
    if isinstance(node, dict):
        yield pointer, node
        for key, value in node.items():
            yield from _walk(value, f"{pointer}/{key}")
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from _walk(value, f"{pointer}/{i}")


# --- the schemas themselves -----------------------------------------------------------------


def test_the_schemas_are_the_file_kinds_and_their_common_part():
    assert sorted([*FILE_KINDS, "common"]) == KINDS


@pytest.mark.parametrize("kind", KINDS)
def test_each_schema_is_a_valid_json_schema(kind):
    found = schema.load_schema(kind)
    assert found["$schema"] == "http://json-schema.org/draft-07/schema#"
    jsonschema_rs.meta.validate(found)  # raises on an invalid schema
    if kind != "common":
        schema._validator(kind)  # every $ref resolves, with nothing fetched


@pytest.mark.parametrize("kind", KINDS)
def test_every_example_in_a_schema_is_valid_for_it(kind):
    registry, name = schema._registry(), schema.schema_path(kind).name
    for pointer, node in _walk(schema.load_schema(kind)):
        if not isinstance(node.get("examples"), list):
            continue
        check = jsonschema_rs.validator_for({"$ref": f"{name}#{pointer}"}, registry=registry,
                                            base_uri=schema._BASE + "example.json")  # fmt: skip
        for example in node["examples"]:
            assert check.is_valid(example), (kind, pointer, example)


def test_exactly_one_of_is_always_a_choice_of_keys():
    """The adapter says "needs exactly one of KEYS": each oneOf must be a choice of keys."""
    for kind in KINDS:
        for pointer, node in _walk(schema.load_schema(kind)):
            for branch in node.get("oneOf", []):
                assert list(branch) == ["required"] and len(branch["required"]) == 1, pointer


def test_one_list_of_units_for_tables_quantities_and_the_check():
    units = _node("common", "/definitions/unit")["enum"]
    assert set(units) == set(rules.UNIT_SCALES) == set(rules.FAMILY)
    for kind in ("table", "quantities"):
        refs = [n["$ref"] for _, n in _walk(schema.load_schema(kind)) if "$ref" in n]
        assert "common.schema.json#/definitions/unit" in refs


def test_the_kinds_the_code_dispatches_on_are_the_schemas_choices():
    def choice(kind: str, pointer: str) -> tuple[str, ...]:
        return tuple(b["required"][0] for b in _node(kind, pointer)["oneOf"])

    assert choice("table", "/definitions/column") == tablespec.COLUMN_KINDS
    assert choice("quantities", "/definitions/quantity") == quantities.KINDS
    assert choice("part", "/definitions/block") == load.BLOCK_KINDS
    dataset = _node("datasets", "/definitions/dataset")["properties"]
    assert set(datasets.FILE_KEYS) == set(dataset) - {"sql", "description", "checks"}


# --- every key of a schema is read by the code, and the code reads no other -----------------

EVERY_KEY = {
    "content/document.yaml": """
        organization: United Nations
        symbol: X/1/2
        organ: General Assembly
        distribution: General
        date: 2020-01-31
        original: English
        session: First session
        agenda: {item: Item 1, note: "X/1/1.", title: Everything}
        title: Every key
        subtitle: Of every file
        page_size: letter landscape
        language: en
        strict: false
        parts: [summary.yaml, main.yaml]
        editions:
          parameter: who
          dataset: values
          column: name
          id: name
          with: [value]
          where: {value: {">": 0}}
    """,
    "content/summary.yaml": """
        kind: summary
        title: Summary
        label: summary
        blocks:
          - A bare paragraph.
    """,
    "content/main.yaml": """
        kind: section
        label: only
        title: The only section
        blocks:
          - p: First paragraph.[^note]
          - {label: second, p: Second paragraph.}
          - text: Unnumbered.
          - heading: A heading
          - table: listed
          - table: drawn
          - figure: chart
          - schedule:
              title: First day
              items:
                - {time: 10 a.m., text: Opening}
                - text: Statements
        subsections:
          - {label: sub, title: A subsection, blocks: [Its paragraph.]}
    """,
    "content/footnotes.yaml": "note: A note.\n",
    "content/sources.yaml": "un: United Nations\n",
    "content/aliases.yaml": "United States of America: [the United States, the USA]\n",
    "content/errata.yaml": "- {figure: 5 per cent, quantity: share, reason: Kept as published.}\n",
    "content/tables/listed.yaml": """
        title: Listed rows[^a]
        data: values
        stub: Name
        format: {decimals: 1, negative: minus, thousands: " "}
        rows:
          - {id: a, label: A, where: {name: a}}
          - {id: total, label: Total, style: grand-total}
        columns:
          - {id: name, heading: Name, text: name, repeat: false}
          - id: v
            heading: [Values, Sum]
            sum: value
            where: {name: [a, b]}
            scale: 0.001
            decimals: 2
            format: {negative: parentheses}
            unit: thousand
          - {id: f, heading: Formula, formula: 2 * v}
          - {id: r, heading: Rank, rank: -v}
        notes: [A note under the table.]
        footnotes: {a: A table note.}
    """,
    "content/tables/drawn.yaml": """
        title: Rows drawn from the data
        data: values
        rows:
          each: record
          id: "{name}"
          where: {value: {">": 0}}
          sort: -v
          top: 1
          other: Others
          group_by: name
          subtotal: Total {name}
          total: Total
        columns:
          - {id: v, heading: Value, sum: value}
    """,
    "content/charts/chart.yaml": """
        title: A chart
        kind: bar
        table: listed
        categories: {rows: [a], labels: [The A]}
        series: [{column: v, label: Values}]
        line: {column: f, label: Twice}
        unit: Thousands
        right_unit: Twice as many
        source: "*Source*: Table 1."
        alt: Bars of the values.
    """,
    "content/quantities.yaml": """
        total: {sum: values.value, where: {name: a}, unit: thousand, description: A total}
        share: {share: values.value, where: {name: a}, of: {name: [a, b]}}
        place: {rank: values, sort: -value, where: {name: a}, among: {name: [a, b]}}
        formula: {formula: 2 * total}
        n: {count: values}
        names: {distinct: values.name}
        least: {min: values.value}
        most: {max: values.value}
        mean: {mean: values.value}
    """,
    "data/datasets.yaml": """
        read:
          file: values.xlsx
          sheet: Sheet1
          header: [1, 2]
          na: ["..", "-"]
          thousands: ","
          decimal: "."
          encoding: utf-8
          end: blank-row
          description: every key of a file dataset
        query:
          sql: select * from values
          description: every key of a query
          checks:
            - {sql: select * from values where value < 0, message: a negative value}
    """,
}


def _read_everything(root: Path) -> None:
    load_document(root)
    editions_of(Project(root))
    read_declarations(root / "data", root)
    read_quantities(root)
    read_errata(root)
    read_sources(root)
    read_aliases(root)


def _position(mapping: Map) -> tuple[str, int, int]:
    return (mapping.loc.path.as_posix(), mapping.loc.line, mapping.loc.column)


@pytest.fixture
def keys_read(make_project, monkeypatch) -> tuple[Path, dict[tuple, set[str]]]:
    """The project of EVERY_KEY, and where each mapping of it stands -> the keys the code asks
    it for while every file is read (the loader and the adapter looking at keys do not count)."""
    read: dict[tuple, set[str]] = {}
    skipped = {schema.__file__, sys.modules["reporter.content.yamlsource"].__file__}

    def record(method):
        def recording(self, key, *args):
            if sys._getframe(1).f_code.co_filename not in skipped:
                read.setdefault(_position(self), set()).add(key)
            return method(self, key, *args)

        return recording

    for name in ("__getitem__", "get", "__contains__"):
        monkeypatch.setattr(Map, name, record(getattr(dict, name)), raising=False)
    root = make_project(EVERY_KEY)
    _read_everything(root)
    monkeypatch.undo()
    return root, read


def _mappings(node: object, kind: str, pointer: str, out: dict) -> None:
    """(kind, pointer) of every schema object declared key by key -> the mappings it checks."""
    found = _node(kind, pointer)
    while "$ref" in found:
        file, _, pointer = found["$ref"].partition("#")
        kind = file.removesuffix(".schema.json") or kind
        found = _node(kind, pointer)
    if "if" in found:
        branch = "then" if jsonschema_rs.is_valid(found["if"], schema._plain(node)) else "else"
        if branch in found:
            _mappings(node, kind, f"{pointer}/{branch}", out)
    if isinstance(node, Map):
        if found.get("additionalProperties") is False:
            out.setdefault((kind, pointer), []).append(node)
        for key, value in node.items():
            if key in found.get("properties", {}):
                _mappings(value, kind, f"{pointer}/properties/{key}", out)
            elif isinstance(found.get("additionalProperties"), dict):
                _mappings(value, kind, f"{pointer}/additionalProperties", out)
    elif isinstance(node, Seq) and isinstance(found.get("items"), dict):
        for item in node:
            _mappings(item, kind, f"{pointer}/items", out)


FILE_SCHEMAS = {"summary": "part", "main": "part", "listed": "table", "drawn": "table",
                "chart": "chart"}  # fmt: skip


def test_every_schema_key_is_read_by_the_code_and_no_other(keys_read):
    root, read = keys_read
    checked: dict[tuple[str, str], list[Map]] = {}
    for name in EVERY_KEY:
        stem = Path(name).stem
        _mappings(load_yaml(root / name, Path(name)), FILE_SCHEMAS.get(stem, stem), "", checked)
    declared = {
        (kind, pointer): set(node["properties"])
        for kind in KINDS
        for pointer, node in _walk(schema.load_schema(kind))
        if node.get("additionalProperties") is False
    }
    assert set(checked) == set(declared), "EVERY_KEY has a mapping of each"
    for where, keys in declared.items():
        asked = set().union(*(read.get(_position(m), set()) for m in checked[where]))
        assert asked == keys, (where, sorted(asked ^ keys))


# --- errors in every kind of file -------------------------------------------------------------

CHART = {
    "content/charts/chart.yaml": """
        title: A chart
        kind: bar
        table: first-table
        categories: {rows: [a]}
        series: [{column: v, label: Values}]
        alt: Bars.
    """,
    "content/main.yaml": """
        kind: section
        title: The only section
        blocks:
          - p: First paragraph.[^note]
          - table: first-table
          - figure: chart
    """,
}
ERRORS = {
    "document": ({"content/document.yaml": "symbol: X/1/2\ntitle: T\ndate: 2020-01-31\n"
                  "parts: [main.yaml]\nstrickt: true\n"},
                 "content/document.yaml:5:1: unknown key 'strickt' in document.yaml "
                 "(did you mean 'strict'?)"),
    "part": ({"content/main.yaml": "kind: section\ntitle: S\nblocks:\n  - p: A.[^note]\n"
              "  - {table: first-table, labl: t}\n"},
             "content/main.yaml:5:26: unknown key 'labl' in blocks[1] (did you mean 'label'?)"),
    "footnotes": ({"content/footnotes.yaml": "note: [A note.]\n"},
                  "content/footnotes.yaml:1:1: footnote 'note' must be text"),
    "table": ({"content/tables/first-table.yaml": "title: Values\ndata: values\nrows:\n"
               "  - {id: a, label: A, where: {name: a}}\ncolumns:\n"
               "  - {id: v, heading: Value, sum: value, unit: millions}\n"},
              "content/tables/first-table.yaml:6:41: unknown unit 'millions' (use one of: "
              "count, thousand, million, billion, percent, ratio)"),
    "chart": ({**CHART, "content/charts/chart.yaml": CHART["content/charts/chart.yaml"]
               .replace("kind: bar", "kind: pie")},
              "content/charts/chart.yaml:2:1: unknown chart kind 'pie' (use one of: bar, "
              "stacked-bar)"),
    "quantities": ({"content/quantities.yaml": "q:\n  sum: values.value\n  wher: {name: a}\n"},
                   "content/quantities.yaml:3:3: unknown key 'wher' in quantity 'q' "
                   "(did you mean 'where'?)"),
    "datasets": ({"data/datasets.yaml": "other:\n  file: values.csv\n  header: first\n"},
                 "data/datasets.yaml:3:3: header must be a row number, or a list of row "
                 "numbers (e.g. header: 3, or header: [15, 16])"),
    "aliases": ({"content/aliases.yaml": "a: {b: c}\n"},
                "content/aliases.yaml:1:1: spellings of 'a' must be text or a list "
                "(e.g. a: [the United States, the USA])"),
    "errata": ({"content/errata.yaml": "- {figure: '1.5', quantity: x, reasn: y}\n"},
               "content/errata.yaml:1:3: errata[0] has no 'reason' (add reason: …)"),
    "sources": ({"content/sources.yaml": "un:\n  - United Nations\n"},
                "content/sources.yaml:1:1: source 'un' must be text"),
}  # fmt: skip


def _errors(root: Path, capsys) -> tuple[int, list[str], str]:
    code = main(["check", str(root)])
    err = capsys.readouterr().err
    return code, [line.removeprefix("error: ") for line in err.splitlines()], err


def test_every_file_kind_has_an_error_case():
    assert sorted(ERRORS) == FILE_KINDS


@pytest.mark.parametrize("kind", sorted(ERRORS))
def test_an_error_in_each_kind_of_file_is_one_located_line(kind, make_project, capsys):
    files, message = ERRORS[kind]
    code, errors, err = _errors(make_project(files), capsys)
    assert code != 0 and message in errors, err
    assert "Traceback" not in err


def test_every_error_of_a_file_in_one_run(make_project, capsys):
    spec = """
        title: Many mistakes
        dta: values
        rows:
          - {id: a, label: A, style: bold}
          - {id: b}
        columns:
          - {id: v, heading: Value, sum: value, text: name}
          - {id: w, heading: W, sum: value, decimals: 7, scale: big}
        notes: A note.
    """
    _, errors, err = _errors(make_project({"content/tables/first-table.yaml": spec}), capsys)
    at = "content/tables/first-table.yaml"  # in file order; a mapping's unknown keys first
    assert errors == [
        f"{at}:2:1: unknown key 'dta' in table spec (did you mean 'data'?)",
        f"{at}:1:1: table spec has no 'data' (add data: …)",
        f"{at}:4:23: unknown row style 'bold' (use one of: total, grand-total)",
        f"{at}:5:5: rows[1] has no 'label' (add label: …)",
        f"{at}:7:5: columns[0] needs exactly one of text, sum, formula, rank (it has text and "
        "sum: keep one)",
        f"{at}:8:37: decimals must be a whole number from 0 to 6 (e.g. decimals: 1)",
        f"{at}:8:50: scale must be a number (e.g. scale: 0.001)",
        f"{at}:9:1: notes must be a list (write one '- item' per line)",
    ], err
    assert "Traceback" not in err


def test_schema_errors_and_checks_beyond_the_schema_in_one_run(make_project):
    text = """
        a:
          summ: values.value
        b:
          sum: values
        c:
          count: values
          unit: percents
        d-e:
          count: values
    """
    root = make_project({"content/quantities.yaml": text})
    with pytest.raises(ReportError) as caught:
        read_quantities(root)
    assert [str(e) for e in (caught.value, *caught.value.others)] == [
        "content/quantities.yaml:2:3: unknown key 'summ' in quantity 'a' (did you mean 'sum'?)",
        "content/quantities.yaml:4:3: sum: 'values' names no column (write sum: DATASET.COLUMN)",
        "content/quantities.yaml:7:3: unknown unit 'percents' (use one of: count, thousand, "
        "million, billion, percent, ratio)",
        "content/quantities.yaml:8:1: quantity name 'd-e' must be letters, digits and _",
    ]


@pytest.mark.parametrize(
    "files, message",
    [
        ({"content/main.yaml": "kind: sektion\n"},
         "content/main.yaml:1:1: unknown part kind 'sektion' (use one of: summary, section, "
         "annex)"),
        ({"content/main.yaml": "kind: section\nblocks: [A.]\n"},
         "content/main.yaml:1:1: part has no 'title' (add title: …)"),
        ({"content/main.yaml": "kind: annex\ntitle: A\nsubsections: []\n"},
         "content/main.yaml:3:1: only a section has subsections"),
        ({"content/main.yaml": "kind: section\ntitle: S\nblocks:\n  - [a list]\n"},
         "content/main.yaml:4:5: blocks[0] must be text or a mapping"),
        ({"content/document.yaml": "symbol: X\ntitle: T\ndate: 31/01/2020\nparts: [main.yaml]\n"},
         "content/document.yaml:3:1: date must be written YYYY-MM-DD (e.g. date: 2012-08-03)"),
        ({"content/document.yaml": "symbol: X\ntitle: T\ndate: 2020-01-31\nparts: main.yaml\n"},
         "content/document.yaml:4:1: parts must be a list (e.g. parts: [summary.yaml, "
         "01-introduction.yaml])"),
    ],
)  # fmt: skip
def test_more_located_messages(make_project, files, message):
    with pytest.raises(ReportError) as caught:
        load_document(make_project(files))
    assert message in [str(e) for e in (caught.value, *caught.value.others)]


def test_a_quoted_date_is_a_date(make_project):
    root = make_project(
        {"content/document.yaml": 'symbol: X\ntitle: T\ndate: "2020-01-31"\nparts: [main.yaml]\n'}
    )
    assert str(load_document(root).meta["date"]) == "2020-01-31"


def test_an_empty_or_misshapen_file_is_an_error_not_a_traceback(make_project, capsys):
    code, errors, err = _errors(make_project({"content/document.yaml": ""}), capsys)
    assert code != 0 and "Traceback" not in err
    assert errors == [
        "content/document.yaml: document.yaml must be a mapping (write key: value lines)"
    ]
    root = make_project({"data/datasets.yaml": "- a list\n"})
    with pytest.raises(ReportError) as caught:
        read_declarations(root / "data", root)
    assert str(caught.value) == (
        "data/datasets.yaml:1:1: datasets.yaml must map dataset names to their definitions "
        "(write key: value lines)"
    )


def test_an_empty_value_is_a_key_left_out_where_the_code_always_took_it_so(make_project):
    spec = """
        title: Values
        data: values
        stub:
        format:
        rows:
          - {id: a, label: A, where: }
        columns:
          - {id: v, heading: Value, sum: value, format: , where: }
    """
    root = make_project({"content/tables/first-table.yaml": spec})
    table = load_document(root).tables["first-table"]
    assert (
        table.stub is None and table.rows[0].where == () and table.columns[0].format.decimals == 1
    )
