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


def test_an_axis_title_the_chart_font_cannot_draw_is_left_to_the_caption():
    """Liberation Serif has no Arabic or CJK glyphs and matplotlib does not shape Arabic: such
    a unit is not drawn on the axis (it stands in the HTML caption), Latin and Cyrillic are."""
    from types import SimpleNamespace

    from reporter.compute.charts import Look, drawable

    def look(unit: str) -> Look:
        return Look.of(SimpleNamespace(id="c", kind="bar", unit=unit, right_unit="Millions"))

    assert look("بالآلاف").unit == "" and look("千人").unit == ""
    assert look("Thousands").unit == "Thousands" and look("Тыс.").unit == "Тыс."
    assert look("Milliers — 2017 (€)").right_unit == "Millions"
    assert drawable("Größe, 2017–2018") and not drawable("2017年")
