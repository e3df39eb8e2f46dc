"""reporter/content/tablespec.py: a table spec's errors name the spec file, line and column."""

from __future__ import annotations

import pytest

from reporter.errors import ReportError
from reporter.pipeline import compute_tables, load
from reporter.project import Project


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
