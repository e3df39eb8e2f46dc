"""UN DESA's 2017 origin-destination matrix: read as published, classified North/South, the
corridors and the unallocated remainder checked against sums computed here from the raw file,
located errors for bad input, and the flagship's prose against the 2017 revision."""

from __future__ import annotations

import csv
import math
import textwrap
from pathlib import Path

import pytest

from reporter.cli import main
from reporter.data.datasets import derived_frame
from reporter.data.desa import flagship_2017
from reporter.data.odmatrix import read_matrix
from reporter.errors import ReportError
from reporter.pipeline import Frames
from reporter.project import Project

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "migration-2017"
DATA = EXAMPLE / "data"
MATRIX = DATA / "un_desa_rev2017_origin_destination_total_1990-2017.csv"
CLASSES = DATA / "desa_development_groups_2020.csv"
SOURCE_XLSX = DATA / "sources" / "aggregates_correspondence_table_2020_1.xlsx"
NAMES = {  # the 2017 file's spelling -> the 2020 annex's
    "Caribbean Netherlands": "Bonaire, Sint Eustatius and Saba",
    "Faeroe Islands": "Faroe Islands",
    "Republic of the Congo": "Congo",
    "Swaziland": "Eswatini",
    "TFYR Macedonia": "North Macedonia",
}


# --- independent sums: the csv module on the raw file, nothing from reporter.data ---------------


@pytest.fixture(scope="module")
def raw():
    """(header, data rows) of the matrix as the csv module reads it, up to the first blank row."""
    with MATRIX.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.reader(handle))
    body = []
    for row in rows[1:]:
        if not row[0] and not row[1]:
            break
        body.append(row)
    return rows[0], body


@pytest.fixture(scope="module")
def north(raw):
    """The set of countries (2017 spelling) in the more developed regions."""
    with CLASSES.open(encoding="utf-8", newline="") as handle:
        group = {r["country"]: r["development_group"] for r in csv.DictReader(handle)}
    origins = raw[0][3:]
    return {o for o in origins if group[NAMES.get(o, o)] == "More developed regions"}


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
        cells = dict(zip(origins, row[3:], strict=True))
        by = {"North": 0, "South": 0}
        for origin, cell in cells.items():
            by["North" if origin in north else "South"] += persons(cell)
        by["Unallocated"] = persons(row[2]) - by["North"] - by["South"]
        for origin, value in by.items():
            sums[(origin, dest)] = sums.get((origin, dest), 0) + value
    return {key: value / 1000 for key, value in sums.items()}


@pytest.fixture(scope="module")
def corridors():
    frame = derived_frame(ROOT, "desa2017_corridors", DATA)
    return {(r.origin, r.destination, r.year): r.migrants_thousands for r in frame.itertuples()}


def test_the_developed_regions_are_56_countries_with_japan_and_without_turkey(north, raw):
    assert len(raw[0][3:]) == 232
    assert len(north) == 56
    assert {"Japan", "Australia", "New Zealand", "Canada", "Germany", "Faeroe Islands"} <= north
    assert not {"Turkey", "Cyprus", "Israel", "Mexico", "China", "Swaziland"} & north


@pytest.mark.parametrize("year", [1990, 2017])
def test_corridors_equal_sums_over_the_raw_matrix(corridors, raw, north, year):
    expected = independent(raw, north, year)
    assert len(expected) == 6
    for (origin, dest), thousands in expected.items():
        assert corridors[(origin, dest, year)] == pytest.approx(thousands, abs=1e-6)
    # two cells spelled out (millions), as in the shared sources' comparison table
    if year == 1990:
        assert round(corridors[("North", "North", 1990)] / 1000, 1) == 40.1
        assert round(corridors[("South", "South", 1990)] / 1000, 1) == 54.5


@pytest.mark.parametrize("year", [1990, 2017])
def test_unallocated_line_is_total_minus_the_countries(corridors, raw, north, year):
    header, body = raw
    origins = header[3:]
    countries = [r for r in body if r[0] == str(year) and r[1] in origins]
    for dest in ("North", "South"):
        rows = [r for r in countries if (r[1] in north) == (dest == "North")]
        total = sum(persons(r[2]) for r in rows)
        listed = sum(persons(cell) for r in rows for cell in r[3:])
        assert corridors[("Unallocated", dest, year)] == pytest.approx((total - listed) / 1000)
    world = next(r for r in body if r[0] == str(year) and r[1] == "WORLD")
    # the corridors and the unallocated line add up to WORLD
    every = sum(v for (_, _, y), v in corridors.items() if y == year)
    assert every == pytest.approx(int(world[2]) / 1000)
    if year == 1990:  # the ≈ 8.5 million of the shared sources' README
        unallocated = sum(corridors[("Unallocated", d, 1990)] for d in ("North", "South"))
        assert round(unallocated / 1000, 1) == 8.5


def test_group_totals_match_the_files_own_aggregate_rows(corridors, raw):
    _, body = raw
    for year in (1990, 2017):
        for dest, row_name in (
            ("North", "More developed regions"),
            ("South", "Less developed regions"),
        ):
            row = next(r for r in body if r[0] == str(year) and r[1] == row_name)
            summed = sum(corridors[(o, dest, year)] for o in ("North", "South", "Unallocated"))
            assert summed == pytest.approx(int(row[2]) / 1000, abs=1e-6)


def test_matrix_is_read_as_published():
    matrix = read_matrix(MATRIX, Path("m.csv"))
    assert matrix.origins[0] == "Afghanistan" and len(matrix.origins) == 232  # BOM stripped
    assert len(matrix.years) == 7 * 270  # trailing blank and scratch rows are not data
    assert matrix.is_country().sum() == 7 * 232
    assert matrix.line(0) == 2 and matrix.line(7 * 270 - 1) == 1891
    south_sudan = matrix.destinations.index("South Sudan")  # `..` Total in 1990
    assert matrix.years[south_sudan] == 1990
    assert math.isnan(matrix.totals[south_sudan])


# --- small matrices for errors ---------------------------------------------------------------

SMALL = """\
Year,Destination,Total,Alpha,Beta,Gamma
1990,WORLD,100,10,20,60
1990,More developed regions,40,5,10,20
1990,Alpha,40,..,10,20
1990,Beta,30,5,..,20
1990,Gamma,30,5,10,..
,,,,,
,,,,WORLD,#VALUE!
"""
CLASSES_SMALL = """\
country,development_group
Alpha,More developed regions
Beta,Less developed regions
Gamma,Less developed regions
"""
DATASETS = """\
small:
  corridors: m.csv
  classification: c.csv
  groups: {More developed regions: North, Less developed regions: South}
  years: [1990]
"""


def small(tmp_path: Path, matrix: str = SMALL, classes: str = CLASSES_SMALL, spec: str = DATASETS):
    data = tmp_path / "data"
    data.mkdir(exist_ok=True)
    (data / "m.csv").write_text("\ufeff" + matrix, encoding="utf-8")
    (data / "c.csv").write_text(classes, encoding="utf-8")
    (data / "datasets.yaml").write_text(textwrap.dedent(spec), encoding="utf-8")
    return derived_frame(tmp_path, "small", None)


def test_small_matrix_gives_corridors_and_unallocated_line(tmp_path):
    frame = small(tmp_path)
    got = {(r.origin, r.destination): r.migrants_thousands * 1000 for r in frame.itertuples()}
    assert got == {
        ("North", "North"): 0, ("North", "South"): 10,
        ("South", "North"): 30, ("South", "South"): 30,
        ("Unallocated", "North"): 10, ("Unallocated", "South"): 20,
    }  # fmt: skip
    assert list(frame.columns) == ["origin", "destination", "year", "migrants_thousands"]
    assert frame.attrs["path"] == Path("data/datasets.yaml")


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            ("1990,Beta,30,5,..,20", "1990,Beta,30,5,n/a,20"),
            "data/m.csv:5: column 'Beta' has 'n/a'",
        ),
        (
            ("1990,Beta,30,5,..,20", "1990,Beta,20,5,..,20"),
            "data/m.csv:5: the origins add up to 5 more",
        ),
        ((",,,,WORLD,#VALUE!", "1990,Delta,1,1,..,.."), "data/m.csv:8: a data row after the end"),
        (
            ("1990,Gamma,30", "1990,Beta,30"),
            "data/m.csv:6: 'Beta' in 1990 appears twice (first at line 5)",
        ),
        (
            ("1990,More developed regions,40", "1990,More developed regions,45"),
            "data/m.csv:3: 'More developed regions' 1990: Total 45, but the countries classified "
            "North add up to 40",
        ),
        (("Year,Destination,Total", "Yr,Destination,Total"), "data/m.csv:1: header starts"),
    ],
)
def test_bad_matrix_is_one_located_line(tmp_path, change, message):
    with pytest.raises(ReportError) as err:
        small(tmp_path, matrix=SMALL.replace(*change))
    assert str(err.value).startswith(message)


def test_unclassified_country_names_the_country_and_the_fix(tmp_path):
    with pytest.raises(ReportError) as err:
        small(tmp_path, classes=CLASSES_SMALL.replace("Gamma,", "Gamma Republic,"))
    assert str(err.value).startswith("data/m.csv:1: 'Gamma' is not in data/c.csv")
    assert "names:" in str(err.value)
    spec = DATASETS + "  names: {Gamma: Gamma Republic}\n"
    frame = small(tmp_path, classes=CLASSES_SMALL.replace("Gamma,", "Gamma Republic,"), spec=spec)
    assert len(frame) == 6


def test_group_without_label_points_at_the_classification_line(tmp_path):
    with pytest.raises(ReportError) as err:
        small(tmp_path, classes=CLASSES_SMALL.replace("Beta,Less", "Beta,Least"))
    assert str(err.value).startswith("data/c.csv:3: 'Beta' is in group 'Least developed regions'")


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            ("years: [1990]", "years: [1990, 2017]"),
            "data/datasets.yaml:5:3: years: data/m.csv has no 2017",
        ),
        (("  years", "  yeers: [1990]\n  years"), "data/datasets.yaml:5:3: unknown key 'yeers'"),
        (
            ("corridors: m.csv", "corridors: ../m.csv"),
            "data/datasets.yaml:2:14: corridors: '../m.csv' is a path",
        ),
        (
            ("corridors: m.csv", "corridors: n.csv"),
            "data/datasets.yaml:2:14: corridors: no file 'n.csv'",
        ),
        (("Beta", "Bet"), "data/datasets.yaml:6:"),
    ],
)
def test_bad_dataset_spec_is_one_located_line(tmp_path, change, message):
    spec = DATASETS + "  names: {Beta: Beta}\n"
    with pytest.raises(ReportError) as err:
        small(tmp_path, spec=spec.replace(*change))
    assert str(err.value).startswith(message)


def test_a_name_both_csv_and_derived_is_refused(tmp_path):
    small(tmp_path)
    (tmp_path / "data" / "small.csv").write_text("a\n1\n")
    with pytest.raises(ReportError, match="'small' is both small.csv and a derived dataset"):
        derived_frame(tmp_path, "small", None)


def test_frames_resolve_a_derived_dataset_and_fall_back_to_csv():
    frames = Frames(Project.at(EXAMPLE))
    assert len(frames("desa2017_corridors")) == 12  # 2 years x 2 destinations x 3 origins
    assert frames("desa2017_corridors") is frames("desa2017_corridors")  # read once per build
    assert derived_frame(ROOT, "a67254_migrant_stock_by_corridor") is None  # the flagship's CSV


# --- provenance: the project's files are the shared sources, converted reproducibly ----------


def test_the_classification_is_converted_reproducibly_from_its_source(tmp_path):
    import hashlib

    from reporter.data.xlsx_annex import write_classification

    digest = hashlib.sha256(SOURCE_XLSX.read_bytes()).hexdigest()
    assert digest == "9947f496afab23381375eba3025cc3f51a80c915de133b2571acb61021ae42ba"
    out = tmp_path / "groups.csv"
    assert write_classification(SOURCE_XLSX, out) == 235
    assert out.read_bytes() == CLASSES.read_bytes()


# --- the flagship's prose against the 2017 revision ------------------------------------------


def test_flagship_against_2017_fails_naming_the_paragraphs(capsys):
    code = main(["check", str(ROOT), "--data", str(ROOT / "data" / "desa-rev2017")])
    out = capsys.readouterr().out
    assert code == 1
    assert "para. 5: “155 million” does not match corridors.total.stock_1990 = 152.5" in out
    assert "para. 7: “almost doubled” does not match south_north_growth_factor = 2.037" in out
    assert "para. 8: “about 13 million” does not match corridors.north-south.stock_2010" in out
    assert "para. 80: “59 million” does not match corridors.total.change = 67.48" in out
    assert "Total in North: parts 40.1 + 37.7 = 77.8, printed 82.4" in out
    failing = {
        line.split(": ")[1] for line in out.splitlines() if line.startswith("FAIL content/0")
    }
    assert failing == {"para. 5", "para. 7", "para. 8", "para. 80"}


def test_worked_example_in_docs_is_what_the_command_writes(tmp_path):
    code, failing, out = flagship_2017(tmp_path, ROOT)
    assert (code, failing) == (1, 17)
    assert out.read_text(encoding="utf-8") == (ROOT / "docs" / "flagship-vs-2017.md").read_text(
        encoding="utf-8"
    ), "docs/flagship-vs-2017.md is stale: run python -m reporter.data.desa flagship-2017 docs"
