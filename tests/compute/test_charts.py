"""reporter/compute/charts.py: a chart's data drawn from its table — a row the table does not
have, or a text column given as a series, is an error naming what the table has (on the
`chart` root)."""

from __future__ import annotations

import pytest

from reporter.compute.charts import chart_data
from reporter.errors import ReportError
from reporter.pipeline import compute_charts, compute_tables, load
from tests.conftest import copy_root

# the chart root's table with a text column besides its numbers
REGIONS_WITH_NAMES = "  - {id: names, heading: Countries, text: country}\n"


@pytest.fixture(scope="module")
def computed(tmp_path_factory):
    project = copy_root("chart", tmp_path_factory.mktemp("charts") / "chart")
    spec = project.root / "content/tables/regions.yaml"
    spec.write_text(spec.read_text() + REGIONS_WITH_NAMES)
    doc = load(project)
    tables = compute_tables(doc, project)
    return tables, compute_charts(doc, tables, project)


def test_unknown_row_is_an_error(computed):
    tables, charts = computed
    spec = charts["by-region"].spec
    spec = type(spec)(**{**spec.__dict__, "rows": ["europe", "asai"]})
    with pytest.raises(ReportError, match="has no row 'asai'"):
        chart_data(spec, tables)


def test_a_text_column_is_no_series(computed):
    tables, charts = computed
    spec = charts["growth"].spec
    series = [type(s)(**{**s.__dict__, "column": "names"}) for s in spec.series]
    spec = type(spec)(**{**spec.__dict__, "series": series})
    with pytest.raises(ReportError, match="has no numeric column 'names'"):
        chart_data(spec, tables)
