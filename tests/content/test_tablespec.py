"""reporter/content/tablespec.py: a table spec's errors name the spec file, line and column."""

from __future__ import annotations

import pytest

from reporter.errors import ReportError
from reporter.pipeline import check_project, compute_tables, load
from reporter.project import Project
from tests.conftest import ROOTS


def test_spec_errors_name_the_spec_file(make_project):
    root = make_project()
    path = root / "content/tables/first-table.yaml"
    spec = path.read_text().replace("  - {id: total, label: Total, style: grand-total}\n", "")
    path.write_text(spec.replace("sum: value}", "formula: w * 2}"))
    project = Project.at(root)
    with pytest.raises(ReportError) as err:
        compute_tables(load(project), project)
    assert "names no numeric column 'w'" in str(err.value)
    assert str(err.value).startswith("content/tables/first-table.yaml:7:")


@pytest.mark.parametrize(
    ("old", "new", "place"),
    [
        ("scale: 0.001", "scale: 1.0e+300", "9:63: '1.0e+300'"),  # was: the check crashed
        ("scale: 0.001", "scale: 1.0e+400", "9:63: '1.0e+400'"),  # was: "scale must be a number"
        ("Europe}", "Europe, migrants_2019: {'<': 1.0e+400}}", "5:78: '1.0e+400'"),  # was: all
    ],
)
def test_a_number_beyond_the_limit_in_a_spec_is_refused_where_written(make_root, old, new, place):
    spec = (ROOTS / "basic/content/tables/hosts.yaml").read_text().replace(old, new, 1)
    project = make_root("basic", {"content/tables/hosts.yaml": spec})
    with pytest.raises(ReportError) as err:
        check_project(project)
    assert str(err.value).startswith(f"content/tables/hosts.yaml:{place}: numbers must be finite")


@pytest.mark.parametrize(
    "change",
    [
        "format: {na: '0'}",  # a mark that reads as a number
        "format: {na: ..........., decimals: 1}",  # over 10 characters
    ],
)
def test_an_na_mark_with_digits_or_too_long_is_refused(make_project, change):
    root = make_project()
    path = root / "content/tables/first-table.yaml"
    path.write_text(path.read_text().replace("data: values\n", f"data: values\n{change}\n"))
    project = Project.at(root)
    with pytest.raises(ReportError) as err:
        compute_tables(load(project), project)
    assert str(err.value) == (
        "content/tables/first-table.yaml:3:10: na must be text without digits (it would read "
        'as a number), at most 10 characters (e.g. na: "..", or na: "–")'
    )


def test_missing_takes_na_or_skip(make_project):
    root = make_project()
    path = root / "content/tables/first-table.yaml"
    path.write_text(path.read_text().replace("sum: value}", "sum: value, missing: zero}"))
    project = Project.at(root)
    with pytest.raises(ReportError) as err:
        compute_tables(load(project), project)
    assert str(err.value).startswith("content/tables/first-table.yaml:8:")
    assert "'zero'" in str(err.value) and "na, skip" in str(err.value)
