"""reporter/export/manifest.py: out/manifest.json lists every input and output with its
sha256, what each dataset was made from, and the versions of what made them — sorted, with no
time and no absolute path, so that it is the same on every build of the same inputs."""

from __future__ import annotations

import hashlib
import json
import platform

import pytest

from reporter.cli import main
from reporter.export.manifest import manifest, sha256, versions
from reporter.pipeline import build
from reporter.project import THEME, Project, snapshot
from tests.conftest import ROOT, copy_example
from tests.matrix import LONG, WIDE


def read(data: bytes) -> dict:
    return json.loads(data)


@pytest.fixture
def basic(make_root):
    return make_root("basic", own_templates=True)


def inputs(root) -> dict[str, str]:
    """What a build lists as its inputs: the digests its snapshot of the project read."""
    with snapshot(Project.at(root), root / "out") as read:
        return read.digests


def test_every_input_is_listed_with_its_sha256(basic):
    listed = inputs(basic.root)
    files = sorted(
        p.relative_to(basic.root).as_posix()
        for folder in ("content", "data", "templates")
        for p in (basic.root / folder).rglob("*")
        if p.is_file()
    )
    assert list(listed) == files  # sorted
    assert "content/tables/hosts.yaml" in listed and "templates/assets/report.css" in listed
    assert "README.md" not in listed  # only content/, data/ and templates/ are inputs
    for name, digest in listed.items():
        assert digest == hashlib.sha256((basic.root / name).read_bytes()).hexdigest()


def test_an_edited_input_changes_its_hash_only(basic):
    before = inputs(basic.root)
    (basic.root / "data/hosts.csv").write_text("country,region,migrants_2019\n", encoding="utf-8")
    after = inputs(basic.root)
    assert {n for n in before if before[n] != after[n]} == {"data/hosts.csv"}


def test_a_link_inside_the_project_is_listed_as_what_it_points_to(basic):
    (basic.root / "data/again.csv").symlink_to(basic.root / "data/hosts.csv")
    listed = inputs(basic.root)
    assert listed["data/again.csv"] == listed["data/hosts.csv"]


def test_a_project_without_templates_lists_the_default_themes(make_root):
    project = make_root("basic")  # no templates/: reporter's default theme, as in examples/
    listed = inputs(project.root)
    for name in (
        "document.html.j2",
        "assets/report.css",
        "assets/fonts/LiberationSerif-Regular.ttf",
    ):
        assert listed[f"templates/{name}"] == sha256((THEME / name).read_bytes())


def test_an_examples_manifest_records_its_template_hashes(tmp_path):
    project = copy_example("migration-2017", tmp_path / "example")
    listed = inputs(project)
    assert listed["templates/document.html.j2"] == sha256(
        (ROOT / "templates/document.html.j2").read_bytes()
    )


def test_outputs_inputs_and_versions_in_a_deterministic_document(basic):
    outputs = {"b.pdf": b"%PDF-", "a.html": b"<html>"}
    data = manifest(inputs(basic.root), outputs, basic.assets / "fonts")
    again = manifest(inputs(basic.root), dict(reversed(outputs.items())), basic.assets / "fonts")
    assert data == again
    assert data.endswith(b"}\n")
    found = read(data)
    assert list(found) == ["datasets", "inputs", "outputs", "versions"]
    assert found["outputs"] == {"a.html": sha256(b"<html>"), "b.pdf": sha256(b"%PDF-")}
    assert list(found["inputs"]) == sorted(found["inputs"])
    assert str(basic.root) not in data.decode("utf-8")  # no absolute path


def test_versions_name_the_tools_and_fonts_that_make_the_bytes(basic):
    found = versions(basic.assets / "fonts")
    assert found["python"] == platform.python_version()
    assert {"reporter", "weasyprint", "pydyf", "fonttools", "matplotlib", "pango",
            "harfbuzz-subset"} <= set(found)  # fmt: skip
    fonts = {k: v for k, v in found.items() if k.startswith("font:")}
    assert set(fonts) == {f"font:{p.name}" for p in (basic.assets / "fonts").glob("*.ttf")}
    regular = basic.assets / "fonts/LiberationSerif-Regular.ttf"
    assert fonts["font:LiberationSerif-Regular.ttf"].endswith(
        f"; sha256 {sha256(regular.read_bytes())[:16]}"
    )
    assert found["pango"] == "unknown" or found["pango"].count(".") == 2


def test_a_build_writes_the_manifest_of_its_outputs_and_datasets(make_root):
    project = make_root("sql", own_templates=True)
    result = build(project, pdf=False, progress=lambda _: None)
    found = read((result.html.parent / "manifest.json").read_bytes())
    assert found["outputs"] == {"T-SQL-1.html": sha256(result.html.read_bytes())}
    assert found["inputs"]["data/classification.xlsx"] == sha256(
        (project.root / "data/classification.xlsx").read_bytes()
    )
    datasets = found["datasets"]
    assert set(datasets) == {"stock", "regions", "countries"}
    assert datasets["stock"]["file"] == "data/stock_published.csv"
    assert datasets["stock"]["read"] | {"description": ""} == {
        "description": "", "file": "stock_published.csv", "header": [2, 3], "na": "..",
        "thousands": ",", "end": "blank-row",
    }  # fmt: skip
    assert datasets["regions"]["read"]["sheet"] == "Regions"
    assert datasets["countries"]["reads"] == ["regions", "stock"]
    assert datasets["countries"]["sql"].startswith("select s.Country as country")


def test_two_builds_write_the_same_manifest(make_root, tmp_path):
    project = make_root("basic", own_templates=True)
    first = build(project, out=tmp_path / "one", pdf=False, progress=lambda _: None)
    second = build(project, out=tmp_path / "two", pdf=False, fresh=True, progress=lambda _: None)
    one = (first.html.parent / "manifest.json").read_bytes()
    assert one == (second.html.parent / "manifest.json").read_bytes()


MINIMAL_TABLE = """
    title: Corridors
    data: long
    stub: Origin
    rows:
      - {id: alpha, label: From Alpha, where: {origin: Alpha}}
      - {id: total, label: Total, style: grand-total}
    columns:
      - {id: n, heading: Persons, sum: persons, decimals: 0}
"""


def test_a_table_reads_an_sql_dataset_and_the_manifest_says_how(make_project, tmp_path):
    root = make_project(
        {
            "content/tables/first-table.yaml": MINIMAL_TABLE,
            "data/wide.csv": WIDE,
            "data/datasets.yaml": LONG,
        }
    )
    out = tmp_path / "out"
    assert main(["build", str(root), "--html-only", "--out", str(out)]) == 0
    html = next(out.glob("*.html")).read_text()
    row = html.split('id="table-1-alpha"', 1)[1].split("</tr>", 1)[0]
    assert ">22<" in row  # 10 + 12 persons from Alpha
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["datasets"]["long"]["reads"] == ["matrix"]
    assert "unpivot matrix" in manifest["datasets"]["long"]["sql"]
    assert manifest["datasets"]["matrix"] == {
        "file": "data/wide.csv",
        "read": {"file": "wide.csv", "na": ".."},
    }
