"""The reference docs run: every example in them is built and checked, and every key the code
accepts is documented.

How the docs mark their examples (HTML comments, invisible when the Markdown is rendered):

    <!-- example: NAME -->         starts example NAME; it runs to the next such line, or to
                                   <!-- end example -->
    ```yaml                        a fenced block whose first line is "# file: PATH" is the file
    # file: data/datasets.yaml     PATH of the example (the line itself is left out; add
    ...                            "(latin-1)" after PATH to write the file in that encoding)
    ```
    <!-- copy: SRC -> PATH -->     copies a file of the repository (e.g. a workbook as published
                                   from examples/ or tests/fixtures/)

Each example is a small project: tests/conftest.py's MINIMAL with the example's files written
over it. The example's tables and figures are placed in the text (content/main.yaml) unless it
writes its own main.yaml or document.yaml. The test reads every dataset of data/datasets.yaml
(so their checks run, used or not), computes the tables and runs the figure check as
`reporter check` does, then runs `reporter check` itself (exit 0 unless a figure is expected
to fail), and compares what the doc says the example gives, written under one of these marks:

    <!-- expect table: ID -->      a Markdown table: the row id (first column), then the cells
                                   as printed (the stub or a total row's label first)
    <!-- expect dataset: NAME -->  a Markdown table: the dataset's columns and rows, exactly;
                                   "(excerpt)" after NAME: those columns of the first rows only
    <!-- expect quantities -->     a Markdown table: `name` | value (to the decimals written)
    <!-- expect chart: ID -->      a Markdown table: category, then one column per series
    <!-- expect paragraphs -->     a Markdown table: every paragraph's number and plain text
    <!-- expect check: 2 pass, 1 declared -->   counts of findings (no fail unless written)
    <!-- expect error -->          the next fenced block: the example fails with exactly
                                   these errors, printed as `reporter check` prints them

Key tables: `<!-- keys: NAME -->` before a Markdown table whose first column holds `key`s.
Each equals the keys of the mapping the file's schema declares (reporter/content/schemas/,
KEY_TABLES below), and every such mapping of the schemas has its key table.
"""

from __future__ import annotations

import contextlib
import io
import re
import shutil
import textwrap
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import pytest
import yaml

from reporter import cli
from reporter.content import schema
from reporter.content.inline import plain_text
from reporter.errors import ReportError
from tests.conftest import MINIMAL, ROOT

DOCS = ROOT / "docs"
REFERENCE = ["datasets.md", "tables.md", "quantities.md", "charts.md", "content-format.md"]

_EXAMPLE = re.compile(r"<!-- example: ([\w-]+) -->")
_END = "<!-- end example -->"
_COPY = re.compile(r"<!-- copy: (\S+) -> (\S+) -->")
_EXPECT = re.compile(
    r"<!-- expect (table|dataset|quantities|chart|paragraphs|check|error)(?::? ?(.*?))? -->"
)
_KEYS = re.compile(r"<!-- keys: ([\w -]+) -->")
_FILE = re.compile(r"# file: (\S+)(?: \(([\w-]+)\))?$")
_FENCE = re.compile(r"^(```+)(\w*)")


@dataclass
class Example:
    doc: str
    name: str
    line: int
    files: dict[str, tuple[str, str]] = field(default_factory=dict)  # path -> (text, encoding)
    copies: list[tuple[str, str]] = field(default_factory=list)
    expect: list[tuple[str, str, object]] = field(default_factory=list)  # (kind, arg, content)

    @property
    def id(self) -> str:
        return f"{self.doc}:{self.name}"


@dataclass
class Doc:
    name: str
    examples: list[Example]
    keys: dict[str, list[str]]  # key table name -> keys, in order
    loose: list[int]  # lines of yaml/csv blocks that belong to no example


def _markdown_table(lines: list[str], start: int) -> tuple[list[list[str]], int]:
    """The rows of the Markdown table at or after `start` (blank lines skipped), as cell texts
    with code quotes removed; the separator row is left out."""
    i = start
    while i < len(lines) and not lines[i].strip():
        i += 1
    rows = []
    while i < len(lines) and lines[i].lstrip().startswith("|"):
        cells = [c.strip() for c in lines[i].strip().strip("|").split("|")]
        if not all(re.fullmatch(r":?-+:?", c) for c in cells):
            rows.append([re.sub(r"^`(.*)`$", r"\1", c) for c in cells])
        i += 1
    assert rows, f"line {start + 1}: a Markdown table should follow"
    return rows, i


def parse_doc(name: str) -> Doc:
    lines = (DOCS / name).read_text(encoding="utf-8").splitlines()
    examples: list[Example] = []
    keys: dict[str, list[str]] = {}
    loose: list[int] = []
    current: Example | None = None
    expect_error = False
    i = 0
    while i < len(lines):
        line = lines[i]
        fence = _FENCE.match(line)
        if fence:
            end = next(j for j in range(i + 1, len(lines)) if lines[j].startswith(fence[1]))
            body = lines[i + 1 : end]
            found = _FILE.match(body[0]) if body else None
            if expect_error:
                assert current is not None, f"{name}:{i + 1}: expect error outside an example"
                current.expect.append(("error", "", [x for x in body if x.strip()]))
                expect_error = False
            elif found:
                assert current is not None, f"{name}:{i + 1}: a file block outside an example"
                current.files[found[1]] = ("\n".join(body[1:]) + "\n", found[2] or "utf-8")
            elif fence[2] in ("yaml", "csv"):
                loose.append(i + 1)
            i = end + 1
            continue
        if m := _EXAMPLE.search(line):
            current = Example(name, m[1], i + 1)
            examples.append(current)
        elif _END in line:
            current = None
        elif m := _COPY.search(line):
            assert current is not None, f"{name}:{i + 1}: copy outside an example"
            current.copies.append((m[1], m[2]))
        elif m := _KEYS.search(line):
            rows, i = _markdown_table(lines, i + 1)
            keys[m[1].strip()] = [r[0] for r in rows[1:]]
            continue
        elif m := _EXPECT.search(line):
            assert current is not None, f"{name}:{i + 1}: expect outside an example"
            kind, arg = m[1], (m[2] or "").strip()
            if kind == "error":
                expect_error = True
            elif kind == "check":
                current.expect.append((kind, arg, None))
            else:
                rows, i = _markdown_table(lines, i + 1)
                current.expect.append((kind, arg, rows))
                continue
        i += 1
    return Doc(name, examples, keys, loose)


DOC_LIST = [parse_doc(name) for name in REFERENCE]
EXAMPLES = [e for d in DOC_LIST for e in d.examples]


# --- building an example ------------------------------------------------------------------


def _source(path: str) -> Path:
    return ROOT / path


def assemble(example: Example, root: Path) -> Path:
    """The example's project in `root`: MINIMAL, its files over it, its tables placed."""
    shutil.copytree(ROOT / "templates", root / "templates")
    files = {name: (textwrap.dedent(text).lstrip("\n"), "utf-8") for name, text in MINIMAL.items()}
    files.update(example.files)
    own_text = {"content/main.yaml", "content/document.yaml"} & set(example.files)
    if not own_text:
        blocks = [
            f"  - {kind}: {Path(name).stem}\n"
            for name in example.files
            for folder, kind in (("content/tables/", "table"), ("content/charts/", "figure"))
            if name.startswith(folder) and Path(name).stem != "first-table"
        ]
        text, encoding = files["content/main.yaml"]
        files["content/main.yaml"] = (text + "".join(blocks), encoding)
    for name, (text, encoding) in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(text.encode(encoding))
    for source, target in example.copies:
        (root / target).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(_source(source), root / target)
    return root


@dataclass
class Built:
    doc: object
    datasets: object
    tables: dict
    report: object
    quantities: object


def build(root: Path) -> Built:
    """What `reporter check` does, every declared dataset read (and checked) besides."""
    from reporter.compute.quantities import Quantities, read_quantities
    from reporter.data.datasets import Datasets
    from reporter.pipeline import check, compute_tables, load
    from reporter.project import Project

    project = Project.at(root)
    doc = load(project)
    datasets = Datasets(project.root)
    for name in datasets.declared:
        datasets(name)
    tables = compute_tables(doc, project, datasets)
    report = check(doc, tables, project, datasets)
    quantities = Quantities(read_quantities(project.root), tables, datasets)
    return Built(doc, datasets, tables, report, quantities)


def run_cli(root: Path) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = cli.main(["check", str(root)])
    return code, out.getvalue(), err.getvalue()


# --- comparing with what the docs say -------------------------------------------------------


def _same_number(written: str, value: float) -> bool:
    text = written.replace(",", "")
    decimals = len(text.partition(".")[2])
    rounded = Decimal(repr(float(value))).quantize(
        Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP
    )
    return rounded == Decimal(text)


def _is_number(text: str) -> bool:
    return re.fullmatch(r"-?[\d,]*\.?\d+", text) is not None


def printed_table(table) -> list[list[str]]:
    """Header and rows as the docs write them: the row id, then the cells as printed."""
    spec = table.spec
    head = ["id"] + ([plain_text(spec.stub)] if spec.stub is not None else [])
    head += [" / ".join(plain_text(level) for level in c.heading) for c in spec.columns]
    rows = [head]
    for row in table.rows:
        texts = [c.text for c in row.cells]
        if spec.stub is not None:
            shown = [row.label, *texts]
        elif row.style and table.stub_columns:
            shown = [row.label, *[""] * (table.stub_columns - 1), *texts[table.stub_columns :]]
        else:
            shown = texts
        rows.append([row.id, *shown])
    return rows


def _cell_text(value: object) -> str:
    if value is None or (isinstance(value, float) and value != value):
        return ""
    if type(value).__name__ == "NAType":
        return ""
    return str(value)


def compare_dataset(data, rows: list[list[str]], excerpt: bool) -> None:
    frame = data.frame
    head, body = rows[0], rows[1:]
    if excerpt:
        missing = [c for c in head if c not in frame.columns]
        assert not missing, f"{data.name} has no columns {missing}: {list(frame.columns)}"
        frame = frame.head(len(body))
    else:
        assert head == list(frame.columns), f"{data.name}: columns"
    assert len(frame) == len(body), f"{data.name}: {len(frame)} rows, the doc shows {len(body)}"
    for n, (written, record) in enumerate(zip(body, frame[head].to_dict("records"), strict=True)):
        for column, text in zip(head, written, strict=True):
            value = record[column]
            if _is_number(text) and not isinstance(value, str):
                ok = float(text.replace(",", "")) == float(value)
            else:
                ok = text == _cell_text(value)
            assert ok, f"{data.name} row {n + 1}, {column}: doc {text!r}, data {value!r}"


def compare(example: Example, built: Built) -> None:
    from reporter.compute.charts import chart_data
    from reporter.errors import Location

    for kind, arg, content in example.expect:
        if kind == "table":
            assert arg in built.tables, f"no table {arg!r} in the example"
            assert printed_table(built.tables[arg]) == content
        elif kind == "dataset":
            name, _, rest = arg.partition(" ")
            compare_dataset(built.datasets(name), content, rest.strip() == "(excerpt)")
        elif kind == "quantities":
            for name, written, *unit in content[1:]:
                found = built.quantities.get(name, Location(Path("docs")))
                assert _same_number(written, found.value), f"{name}: {written}, not {found.value}"
                assert unit[:1] in ([], [found.unit]), f"{name}: unit {found.unit}"
        elif kind == "chart":
            data = chart_data(built.doc.charts[arg], built.tables)
            series = [*data.series, *([data.line] if data.line else [])]
            assert content[0][1:] == [label for label, _ in series]
            assert [r[0] for r in content[1:]] == data.categories
            for i, row in enumerate(content[1:]):
                for written, (label, values) in zip(row[1:], series, strict=True):
                    assert _same_number(written, values[i]), f"{arg}, {row[0]}, {label}"
        elif kind == "paragraphs":
            numbered = [
                [str(p.number or ""), plain_text(p.inlines)] for _, p in built.doc.paragraphs()
            ]
            assert numbered == content[1:]
        elif kind == "check":
            wanted = {status: int(n) for n, status in re.findall(r"(\d+) (\w+)", arg)}
            found = {s: built.report.count(s) for s in ("pass", "fail", "errata", "declared")}
            assert {s: found[s] for s in wanted} == wanted, [
                (f.status, f.place, f.text, f.message) for f in built.report.findings
            ]
    if not any(kind == "check" and "fail" in arg for kind, arg, _ in example.expect):
        assert not built.report.failed, [(f.place, f.text, f.message) for f in built.report.failed]


# --- the tests ------------------------------------------------------------------------------


def test_the_docs_have_examples():
    assert {d.name: len(d.examples) for d in DOC_LIST if not d.examples} == {}
    names = [e.id for e in EXAMPLES]
    assert len(names) == len(set(names)), "example names must be unique within a doc"
    for example in EXAMPLES:
        assert example.files, f"{example.id}: no file blocks"
        assert example.expect, f"{example.id}: says nothing about what it gives"


def test_every_yaml_and_csv_block_is_part_of_an_example():
    assert {d.name: d.loose for d in DOC_LIST if d.loose} == {}


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda e: e.id)
def test_example(example: Example, tmp_path):
    root = assemble(example, tmp_path / "project")
    errors = [content for kind, _, content in example.expect if kind == "error"]
    if errors:  # every declared dataset is read: the error need not wait for a table
        with pytest.raises(ReportError) as caught:
            build(root)
        assert [f"error: {e}" for e in (caught.value, *caught.value.others)] == errors[0]
        return
    built = build(root)
    compare(example, built)
    code, out, err = run_cli(root)
    assert code == (1 if built.report.failed else 0), out + err


def test_migration_2017_datasets_are_the_worked_example():
    """The worked example of docs/datasets.md is the example project's datasets.yaml."""
    (example,) = [e for e in EXAMPLES if e.id == "datasets.md:migration-2017"]
    shown = example.files["data/datasets.yaml"][0]
    real = (ROOT / "examples/migration-2017/data/datasets.yaml").read_text(encoding="utf-8")
    assert shown == real


# --- every key documented -------------------------------------------------------------------

# the key table -> the schema object that declares its keys (schema kind, JSON pointer)
KEY_TABLES = {
    "document": ("document", ""),
    "agenda": ("document", "/definitions/agenda"),
    "editions": ("document", "/properties/editions"),
    "part": ("part", ""),
    "subsection": ("part", "/definitions/subsection"),
    "block": ("part", "/definitions/block"),
    "schedule": ("part", "/definitions/schedule"),
    "schedule item": ("part", "/definitions/scheduleItem"),
    "erratum": ("errata", "/definitions/erratum"),
    "table": ("table", ""),
    "row": ("table", "/definitions/row"),
    "rows from data": ("table", "/definitions/rowsFromData"),
    "column": ("table", "/definitions/column"),
    "format": ("table", "/definitions/format"),
    "chart": ("chart", ""),
    "categories": ("chart", "/definitions/categories"),
    "series": ("chart", "/definitions/series"),
    "quantity": ("quantities", "/definitions/quantity"),
    "dataset": ("datasets", "/definitions/dataset"),
    "check": ("datasets", "/definitions/check"),
}


def _schema_node(kind: str, pointer: str) -> dict:
    node = schema.load_schema(kind)
    for part in filter(None, pointer.split("/")):
        node = node[part]
    return node


def _objects() -> dict[tuple[str, str], list[str]]:
    """Every mapping a schema declares key by key: (kind, pointer) -> its keys."""
    found = {}

    def walk(kind: str, node: object, pointer: str) -> None:
        if isinstance(node, dict):
            if node.get("additionalProperties") is False:
                found[(kind, pointer)] = list(node["properties"])
            for key, value in node.items():
                walk(kind, value, f"{pointer}/{key}")

    for path in sorted(schema.SCHEMAS.glob("*.schema.json")):
        kind = path.name.removesuffix(".schema.json")
        walk(kind, schema.load_schema(kind), "")
    return found


def _documented() -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for doc in DOC_LIST:
        for name, keys in doc.keys.items():
            assert name not in found, f"key table {name!r} twice"
            found[name] = keys
    return found


def test_every_mapping_of_the_schemas_is_a_key_table():
    documented = _documented()
    assert sorted(KEY_TABLES.values()) == sorted(_objects()), "a key table for each"
    for name, (kind, pointer) in KEY_TABLES.items():
        assert name in documented, f"no <!-- keys: {name} --> table"
        keys = list(_schema_node(kind, pointer)["properties"])
        assert sorted(documented[name]) == sorted(keys), name


def test_the_where_table_matches_the_code():
    from reporter.content import where

    assert sorted(_documented()["where"]) == sorted(
        ["column: value", "column: [values]", *where.OPERATORS]
    )


def _mentions(doc: str, values) -> list[str]:
    text = (DOCS / doc).read_text(encoding="utf-8")
    return [v for v in values if f"`{v}`" not in text]


def _one_of(kind: str, pointer: str) -> list[str]:
    return [key for branch in _schema_node(kind, pointer)["oneOf"] for key in branch["required"]]


def test_allowed_values_are_documented():
    def enum(kind: str, pointer: str) -> list[str]:
        return [v for v in _schema_node(kind, pointer)["enum"] if v is not None]

    assert _mentions("datasets.md", enum("datasets", "/definitions/dataset/properties/end")) == []
    assert _mentions("tables.md", enum("common", "/definitions/unit")) == []
    assert _mentions("tables.md", enum("table", "/definitions/row/properties/style")) == []
    assert _mentions("tables.md", _one_of("table", "/definitions/column")) == []
    assert _mentions("tables.md", enum("table", "/definitions/format/properties/negative")) == []
    assert _mentions("quantities.md", _one_of("quantities", "/definitions/quantity")) == []
    assert _mentions("charts.md", enum("chart", "/properties/kind")) == []
    assert _mentions("content-format.md", enum("part", "/properties/kind")) == []


def test_limits_are_documented():
    from reporter.data import readers, sql, tabular

    text = (DOCS / "datasets.md").read_text(encoding="utf-8")
    for limit in (readers.MAX_BYTES, readers.MAX_ROWS, readers.MAX_COLUMNS, readers.MAX_CELLS):
        assert f"{limit:,}" in text
    assert f"{tabular.MAX_NUMBER:,.0f}" in text
    assert f"{sql.LIMITS.seconds:g} s" in text
    assert sql.LIMITS.memory in text
    assert f"{sql.LIMITS.threads} threads" in text


def _anchors(path: Path) -> set[str]:
    """GitHub's ids of the headings of a Markdown file."""
    headings = re.findall(r"^#+ (.*)$", path.read_text(encoding="utf-8"), re.M)
    return {re.sub(r"[^\w\- ]", "", h.lower()).replace(" ", "-") for h in headings}


def test_links_between_docs_resolve():
    for doc in REFERENCE:
        text = (DOCS / doc).read_text(encoding="utf-8")
        for target, anchor in re.findall(r"\]\(([^)#:]*?\.md|)(?:#([^)]*))?\)", text):
            path = (DOCS / (target or doc)).resolve()
            assert path.is_file(), f"{doc}: link to {target}"
            assert not anchor or anchor in _anchors(path), f"{doc}: link to {target}#{anchor}"
    assert not (DOCS / "derived-datasets.md").exists()


def test_a_dataset_key_follows_the_files_it_reads_through_queries(make_project):
    """docs/datasets.md, "Caching": the key of a query is its declaration and the bytes of every
    file it reads, through the datasets it queries; nothing else."""
    from reporter.data.datasets import Datasets

    declared = """
        counted:
          sql: select count(*) as n from doubled
        doubled:
          sql: select name, 2 * value as value from values
    """
    root = make_project({"data/datasets.yaml": declared, "data/other.csv": "a\n1\n"})

    def key() -> str:
        return Datasets(root).key("counted")

    first = key()
    (root / "data/other.csv").write_text("a\n2\n", encoding="utf-8")
    assert key() == first  # a file it does not read
    (root / "data/values.csv").write_text("name,value\na,1.5\nb,2.5\n", encoding="utf-8")
    second = key()
    assert second != first  # a file read two queries down
    text = yaml.safe_load(textwrap.dedent(declared))
    text["doubled"]["description"] = "twice the values"
    (root / "data/datasets.yaml").write_text(yaml.safe_dump(text), encoding="utf-8")
    assert key() != second  # the declaration of a dataset it queries
