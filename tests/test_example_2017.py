"""examples/migration-2017: a second project on the flagship's templates, built and checked."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from reporter.check.tables import table_notes
from reporter.cli import main
from reporter.pipeline import Frames, build, compute_tables, load
from reporter.project import Project

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "migration-2017"


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    out = tmp_path_factory.mktemp("example-out")
    return build(Project.at(EXAMPLE), out=out, progress=lambda _: None)


def test_example_uses_the_flagships_templates_without_a_copy():
    templates = EXAMPLE / "templates"
    assert templates.is_symlink()
    assert os.readlink(templates) == "../../templates"
    assert templates.resolve() == (ROOT / "templates").resolve()


def test_example_checks_clean(capsys):
    assert main(["check", str(EXAMPLE), "--unbound"]) == 0
    out = capsys.readouterr().out
    assert "FAIL" not in out
    assert "21 bound: 21 passed, 0 failed, 0 errata; 2 declared; 0 unbound" in out


def test_example_builds_html_and_pdf_with_the_unallocated_line(built):
    assert built.pdf.read_bytes().startswith(b"%PDF-") and built.pages >= 2
    assert not built.check.failed
    html = built.html.read_text(encoding="utf-8")
    assert "Number of international migrants by origin and destination, 1990 and 2017" in html
    row = html.split('id="table-1-unallocated"', 1)[1].split("</tr>", 1)[0]
    assert "Total unallocated" in row and ">8.5<" in row and ">10.6<" in row
    assert ">Unallocated-North<" in html and ">Unallocated-South<" in html
    grand = html.split('id="table-1-total"', 1)[1].split("</tr>", 1)[0]
    assert ">152.5<" in grand and ">257.7<" in grand


def test_example_table_adds_up_with_the_unallocated_line():
    project = Project.at(EXAMPLE)
    tables = compute_tables(load(project), project, Frames(project))
    _, failures = table_notes(tables["corridors"])
    assert failures == []  # every total is the sum of its rows, the unallocated ones included
    value = {r.id: {c.column: c.value for c in r.cells} for r in tables["corridors"].rows}
    for year in ("1990", "2017"):
        column = f"stock_{year}"
        parts = ("north-north", "north-south", "south-north", "south-south")
        parts += ("unallocated-north", "unallocated-south")
        assert sum(value[p][column] for p in parts) == pytest.approx(value["total"][column])
