"""examples/migration-2017: a second project on the flagship's templates, built and checked."""

from __future__ import annotations

import csv
import hashlib
import os

import pytest

from reporter.check.tables import table_notes
from reporter.cli import main
from reporter.data.datasets import Datasets
from reporter.pipeline import build, compute_tables, load
from reporter.project import Project
from tests.conftest import ROOT, copy_example

EXAMPLE = ROOT / "examples" / "migration-2017"


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    out = tmp_path_factory.mktemp("example-out")
    project = copy_example("migration-2017", tmp_path_factory.mktemp("example") / "p")
    return build(Project.at(project), out=out, progress=lambda _: None)


def test_example_uses_the_flagships_templates_without_a_copy():
    """No templates/ of its own (a link to the flagship's would lead out of the project):
    it is rendered with reporter's default theme, which is the flagship's templates."""
    assert not os.path.lexists(EXAMPLE / "templates")
    assert Project.at(EXAMPLE).templates.resolve() == (ROOT / "templates").resolve()


def test_example_checks_clean(capsys):
    assert main(["check", str(EXAMPLE), "--unbound"]) == 0
    out = capsys.readouterr().out
    assert "FAIL" not in out
    assert "23 bound: 23 passed, 0 failed, 0 errata; 2 declared; 0 unbound" in out


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
    tables = compute_tables(load(project), project, Datasets(project.root))
    _, failures = table_notes(tables["corridors"])
    assert failures == []  # every total is the sum of its rows, the unallocated ones included
    value = {r.id: {c.column: c.value for c in r.cells} for r in tables["corridors"].rows}
    for year in ("1990", "2017"):
        column = f"stock_{year}"
        parts = ("north-north", "north-south", "south-north", "south-south")
        parts += ("unallocated-north", "unallocated-south")
        assert sum(value[p][column] for p in parts) == pytest.approx(value["total"][column])


# --- the corridors against sums computed here from the raw files -------------------------------
# The csv module reads the matrix and openpyxl the annex, independently of reporter.data.

MATRIX = EXAMPLE / "data" / "un_desa_rev2017_origin_destination_total_1990-2017.csv"
ANNEX = EXAMPLE / "data" / "aggregates_correspondence_table_2020_1.xlsx"
SPELLING = {  # the 2020 annex's names -> the 2017 file's
    "Bonaire, Sint Eustatius and Saba": "Caribbean Netherlands",
    "Faroe Islands": "Faeroe Islands",
    "Congo": "Republic of the Congo",
    "Eswatini": "Swaziland",
    "North Macedonia": "TFYR Macedonia",
}


@pytest.fixture(scope="module")
def raw():
    """(header, data rows) of the matrix as the csv module reads it, up to the first blank row."""
    with MATRIX.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.reader(handle))
    body = []
    for row in rows[1:]:
        if not any(row):
            break
        body.append(row)
    return rows[0], body


@pytest.fixture(scope="module")
def north():
    """The countries (2017 spelling) of the annex's column "More developed regions 901"."""
    import openpyxl

    sheet = openpyxl.load_workbook(ANNEX, read_only=True, data_only=True)["Annex"]
    header = [str(c or "") for c in next(sheet.iter_rows(min_row=11, max_row=11, values_only=True))]
    name, kind = header.index("Region, subregion, country or area*"), header.index("Name")
    developed = next(i for i, h in enumerate(header) if h.startswith("More developed regions"))
    found = set()
    for row in sheet.iter_rows(min_row=12, values_only=True):
        if row[kind] == "Country/Area" and row[developed] == 901:
            country = str(row[name]).strip().rstrip("*")
            found.add(SPELLING.get(country, country))
    return found


def persons(cell: str) -> int:
    return 0 if cell == ".." else int(cell)


def independent(raw, north, year: int) -> dict[tuple[str, str], float]:
    """(origin, destination) -> thousands, the unallocated remainder included."""
    header, body = raw
    origins = header[3:]
    sums: dict[tuple[str, str], int] = {}
    for row in body:
        if int(row[0]) != year or row[1] not in origins:
            continue  # another year, or an aggregate row (WORLD, regions, income groups)
        dest = "North" if row[1] in north else "South"
        by = {"North": 0, "South": 0}
        for origin, cell in zip(origins, row[3:], strict=True):
            by["North" if origin in north else "South"] += persons(cell)
        by["Unallocated"] = persons(row[2]) - by["North"] - by["South"]
        for origin, value in by.items():
            sums[(origin, dest)] = sums.get((origin, dest), 0) + value
    return {key: value / 1000 for key, value in sums.items()}


@pytest.fixture(scope="module")
def corridors():
    frame = Datasets(EXAMPLE)("desa2017_corridors").frame
    return {(r.origin, r.destination, r.year): r.migrants_thousands for r in frame.itertuples()}


def test_the_developed_regions_are_56_countries_with_japan_and_without_turkey(north, raw):
    assert len(raw[0][3:]) == 232
    assert len(north) == 56 and north <= set(raw[0][3:])
    assert {"Japan", "Australia", "New Zealand", "Canada", "Germany", "Faeroe Islands"} <= north
    assert not {"Turkey", "Cyprus", "Israel", "Mexico", "China", "Swaziland"} & north


@pytest.mark.parametrize("year", [1990, 2017])
def test_sql_corridors_equal_sums_over_the_raw_files(corridors, raw, north, year):
    expected = independent(raw, north, year)
    assert len(expected) == 6
    for (origin, dest), thousands in expected.items():
        assert corridors[(origin, dest, year)] == pytest.approx(thousands, abs=1e-9)
    world = next(r for r in raw[1] if r[0] == str(year) and r[1] == "WORLD")
    every = sum(v for (_, _, y), v in corridors.items() if y == year)
    assert every == pytest.approx(int(world[2]) / 1000)  # corridors + unallocated = WORLD


def test_the_project_reads_the_published_files_with_no_python(raw):
    data = EXAMPLE / "data"
    shared = ROOT.parent / "shared" / "data-sources"
    assert sorted(p.name for p in data.iterdir()) == [
        "README.md",
        "aggregates_correspondence_table_2020_1.xlsx",
        "datasets.yaml",
        "un_desa_rev2017_origin_destination_total_1990-2017.csv",
    ]
    assert not list(EXAMPLE.rglob("*.py"))
    digests = {  # as published (sha256 of the shared data sources)
        MATRIX: "e2d3754b292f5a3fc03885dc221012c2b9fdc046f9788d1f8a125712982edbdb",
        ANNEX: "9947f496afab23381375eba3025cc3f51a80c915de133b2571acb61021ae42ba",
    }
    for path, digest in digests.items():
        assert hashlib.sha256(path.read_bytes()).hexdigest() == digest
        if shared.is_dir():
            assert path.read_bytes() == (shared / path.name).read_bytes()


def test_a_broken_classification_fails_its_check_with_the_country(tmp_path, capsys):
    project = copy_example("migration-2017", tmp_path / "example")
    datasets = project / "data" / "datasets.yaml"
    datasets.write_text(datasets.read_text().replace("('Swaziland', 'Eswatini'),\n", ""))
    assert main(["check", str(project)]) == 2
    err = capsys.readouterr().err
    assert (
        "data/datasets.yaml:35:12: check of 'countries' fails: an origin the annex does not" in err
    )
    assert "origin=Swaziland" in err
    assert "check of 'stock' fails: a development group's row disagrees" in err
