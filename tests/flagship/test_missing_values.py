"""The flagship with the 2010 South→North value blanked (issue 23): Table 1 prints no made-up
total, and every figure that reads the cell fails with one line naming it; a spec that says
`missing: skip` gets the total of the values there are."""

from __future__ import annotations

from reporter.pipeline import check_project, compute_tables, load
from reporter.project import Project

CORRIDORS = "data/a67254_migrant_stock_by_corridor.csv"
EMPTY = f"{CORRIDORS}:8:4: South,North,2010: no value of migrants_thousands"


def blanked(root):
    path = root / CORRIDORS
    lines = path.read_text(encoding="utf-8").split("\n")
    assert lines[7] == "South,North,2010,74288"
    lines[7] = "South,North,2010,"
    path.write_text("\n".join(lines), encoding="utf-8")
    return Project.at(root)


def test_a_blank_cell_is_no_value_in_table_1_and_fails_the_figures_that_read_it(copy_flagship):
    project = blanked(copy_flagship)
    table = compute_tables(load(project), project)["corridors"]
    column = [table.cell(row, "stock_2010").text for row in ("south-north", "in-north", "total")]
    assert column == ["..", "..", ".."]  # not 0.0, 127.8 - 74.3 and 139.9
    assert table.cell("north-north", "stock_2010").text == "53.5"
    _, report = check_project(project)
    failed = {(f.where.line, f.text): f.message for f in report.failed}
    assert failed[(35, "74 million")] == (f"corridors.south-north.stock_2010 has no value: {EMPTY}")
    assert failed[(35, "almost doubled")] == f"south_north_growth_factor has no value: {EMPTY}"
    assert len(failed) == 11 and all(m.endswith(EMPTY) for m in failed.values())
    assert report.count("errata") == 0  # para. 80's erratum is about a value there is not


def test_missing_skip_in_the_spec_totals_the_values_there_are(copy_flagship):
    project = blanked(copy_flagship)
    spec = copy_flagship / "content/tables/corridors.yaml"
    text = spec.read_text(encoding="utf-8")
    old = "    sum: migrants_thousands\n    where: {year: 2010}\n"
    assert old in text
    spec.write_text(text.replace(old, old + "    missing: skip\n"), encoding="utf-8")
    table = compute_tables(load(project), project)["corridors"]
    assert table.cell("total", "stock_2010").text == "139.9"  # the three corridors there are
    assert table.cell("south-north", "stock_2010").text == ".."  # still no value: not 0.0
