"""Tables 1 and 2, computed from data/ through their specs, match every published cell."""

from __future__ import annotations

import pytest

from reporter.compute.tables import compute_table, format_number
from reporter.content.tablespec import NumberFormat
from reporter.data.datasets import Datasets
from reporter.errors import ReportError
from reporter.pipeline import compute_tables, load
from tests.conftest import FIXTURES


def published_rows(title: str) -> list[list[str]]:
    """The tab-separated data rows of a published table in the source text."""
    lines = (FIXTURES / "A-67-254.txt").read_text(encoding="utf-8").splitlines()
    start = lines.index(title)
    rows = []
    for line in lines[start + 1 :]:
        if not line.strip():
            if rows:
                break
            continue
        cells = line.split("\t")
        if "<i>" in line or not any(c.strip().replace(".", "").isdigit() for c in cells):
            continue  # heading rows
        rows.append(cells)
    return rows


@pytest.fixture(scope="module")
def tables(flagship):
    return compute_tables(load(flagship), flagship)


def test_table_1_every_cell(tables):
    published = published_rows("Table 1")
    table = tables["corridors"]
    assert len(published) == len(table.rows) == 9
    for cells, row in zip(published, table.rows, strict=True):
        assert [row.label, *(c.text for c in row.cells)] == cells


def test_table_2_every_published_cell(tables):
    published = published_rows("Table 2")
    table = tables["gfmd-follow-up"]
    assert len(published) == len(table.rows) == 21
    for cells, row in zip(published, table.rows, strict=True):
        ours = {c.column: c.text for c in row.cells}
        if row.style:  # "Total 2007" and "Grand total" span the text columns
            assert cells[0] == row.label
            numbers = [c for c in cells[1:] if c]
        else:
            assert cells[:3] == [ours["year"], ours["round_table"], ours["title"]]
            numbers = cells[3:]
        # the extraction lost the follow-up actions column: compare the others
        columns = ["recommendations", "one_member", "two_or_more", "no_follow_up", "ratio"]
        assert [ours[c] for c in columns] == numbers


def test_table_2_actions_add_up_to_759(tables):
    # the only published actions figure besides the ratios (para. 40)
    assert tables["gfmd-follow-up"].cell("grand-total", "actions").text == "759"


def test_table_numbers_and_letters(tables):
    assert tables["corridors"].number == 1
    assert tables["gfmd-follow-up"].number == 2
    assert tables["gfmd-follow-up"].note_letters == {"ratio": "a"}


def test_multi_level_headings(tables):
    header = tables["gfmd-follow-up"].header
    assert len(header) == 3
    top = [(c.colspan, c.rowspan) for c in header[0]]
    assert top == [(1, 3), (1, 3), (1, 3), (4, 1), (1, 3), (1, 3)]
    assert [(c.colspan, c.rowspan) for c in header[1]] == [(1, 2), (3, 1)]
    assert [c.column for c in header[2]] == ["one_member", "two_or_more", "no_follow_up"]


@pytest.mark.parametrize(
    ("value", "fmt", "text"),
    [
        (-0.055, NumberFormat(1), "(0.1)"),
        (-0.04, NumberFormat(1), "0.0"),
        (0.25, NumberFormat(1), "0.3"),
        (1234.5, NumberFormat(1), "1,234.5"),
        (-2.0, NumberFormat(0, "minus"), "\u22122"),
        (759.0, NumberFormat(0), "759"),
    ],
)
def test_un_number_format(value, fmt, text):
    assert format_number(value, fmt) == text


def test_spec_errors_name_the_spec_file(make_project):
    root = make_project(
        {
            "content/tables/first-table.yaml": """
                title: Values
                data: values
                stub: Name
                rows:
                  - {id: a, label: A, where: {name: a}}
                columns:
                  - {id: v, heading: Value, formula: w * 2}
            """
        }
    )
    from reporter.project import Project

    project = Project.at(root)
    with pytest.raises(ReportError) as err:
        compute_tables(load(project), project)
    assert "names no numeric column 'w'" in str(err.value)
    assert str(err.value).startswith("content/tables/first-table.yaml:7:")


def test_row_matching_nothing_is_an_error(make_project):
    root = make_project()
    spec_path = root / "content/tables/first-table.yaml"
    spec_path.write_text(spec_path.read_text().replace("name: a}", "name: zz}"))
    from reporter.project import Project

    project = Project.at(root)
    with pytest.raises(ReportError, match="row 'a' matches no records"):
        compute_tables(load(project), project)


def test_text_in_numeric_column_names_the_csv_line(make_project):
    root = make_project({"data/values.csv": "name,value\na,1.5\nb,n/a\n"})
    from reporter.project import Project

    project = Project.at(root)
    with pytest.raises(ReportError) as err:
        compute_tables(load(project), project)
    assert str(err.value).startswith("data/values.csv:3:2: column 'value' has 'n/a' where a number")


def test_grand_total_sums_all_records(make_project):
    from reporter.project import Project

    project = Project.at(make_project())
    spec = load(project).tables["first-table"]
    table = compute_table(spec, Datasets(project.root)("values"))
    assert [r.cells[0].text for r in table.rows] == ["1.5", "3.8"]


def test_a_row_label_can_call_a_table_note(make_project):
    from reporter.project import Project
    from reporter.render.html import render_html

    root = make_project()
    spec = root / "content/tables/first-table.yaml"
    text = spec.read_text().replace("label: A,", 'label: "A[^why]",')
    spec.write_text(text + "footnotes:\n  why: Only the first record.\n")
    project = Project.at(root)
    doc = load(project)
    tables = compute_tables(doc, project)
    table = tables["first-table"]
    assert table.note_letters == {"why": "a"}
    assert table.rows[0].label == "A"  # plain, for charts and diffs
    html = render_html(doc, tables, project.templates)
    call = '<sup class="tn-call"><a href="#table-1-note-a">a</a></sup>'
    assert f'<th scope="row" class="stub">A{call}</th>' in html
    assert "Only the first record." in html


def test_a_missing_record_is_named_not_summed_to_zero(make_project):
    from reporter.project import Project

    spec = """
        title: Values
        data: values
        stub: Name
        rows:
          - {id: a, label: A, where: {name: a}}
        columns:
          - {id: v2010, heading: "2010", sum: value, where: {year: 2010}}
    """
    root = make_project(
        {"content/tables/first-table.yaml": spec, "data/values.csv": "name,year,value\na,1990,1\n"}
    )
    project = Project.at(root)
    with pytest.raises(ReportError) as caught:
        compute_tables(load(project), project)
    assert str(caught.value).startswith(
        "content/tables/first-table.yaml:7:5: row 'A', column 'v2010': no record of "
        "data/values.csv where year = '2010' (a record is missing from the data"
    )
