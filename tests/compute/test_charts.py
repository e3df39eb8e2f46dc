"""reporter/compute/charts.py: a chart's data drawn from its table — a row the table does not
have, or a text column given as a series, is an error naming what the table has (on the
`chart` root)."""

from __future__ import annotations

import re
from pathlib import Path
from types import SimpleNamespace

import pytest

from reporter.compute.charts import ChartData, Look, chart_data, draw_svg, script_fonts
from reporter.content.inline import Str
from reporter.errors import ReportError
from reporter.pipeline import compute_charts, compute_tables, load
from tests.conftest import ROOT, copy_root

FONTS = ROOT / "templates/assets/fonts"

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


def test_a_chart_of_more_categories_than_it_may_draw_is_refused_before_drawing(computed):
    """Drawing costs about 10 ms a bar: 10,000 rows in a 14 KB spec took minutes."""
    from reporter.compute import charts as module

    tables, charts = computed
    spec = charts["by-region"].spec
    rows = [r.id for r in tables[spec.table].rows if not r.style]
    spec = type(spec)(**{**spec.__dict__, "rows": rows * (module.MAX_CATEGORIES // len(rows) + 1)})
    with pytest.raises(ReportError) as err:
        chart_data(spec, tables)
    assert f"more than the {module.MAX_CATEGORIES:,} a chart may draw" in str(err.value)
    assert str(err.value).startswith(f"{spec.loc}: a chart of ")


def test_a_text_column_is_no_series(computed):
    tables, charts = computed
    spec = charts["growth"].spec
    series = [type(s)(**{**s.__dict__, "column": "names"}) for s in spec.series]
    spec = type(spec)(**{**spec.__dict__, "series": series})
    with pytest.raises(ReportError, match="has no numeric column 'names'"):
        chart_data(spec, tables)


def test_an_axis_title_the_chart_font_cannot_draw_is_left_to_the_caption():
    """Liberation Serif has no Arabic or CJK glyphs: such a unit is not drawn on the axis (it
    stands in the HTML caption), Latin and Cyrillic are."""
    from types import SimpleNamespace

    from reporter.compute.charts import Look, drawable

    def look(unit: str) -> Look:
        spec = SimpleNamespace(id="c", kind="bar", unit=unit, right_unit="Millions", title=[])
        return Look.of(spec)

    assert look("بالآلاف").unit == "" and look("千人").unit == ""
    assert look("Thousands").unit == "Thousands" and look("Тыс.").unit == "Тыс."
    assert look("Milliers — 2017 (€)").right_unit == "Millions"
    assert drawable("Größe, 2017–2018") and not drawable("2017年")


def test_a_charts_names_are_its_tables_in_the_documents_language(make_root):
    """A `territory:` column's names (CLDR's) name the bars, not the rows' labels (the data's)."""
    from tests.compute.test_tables import named_table

    table = named_table(make_root, "fr")
    spec = SimpleNamespace(table="hosts", rows=None, labels=None, line=None, loc=None,
                           series=[SimpleNamespace(column="stock", label="2019")])  # fmt: skip
    data = chart_data(spec, {"hosts": table})
    assert data.categories == ["Allemagne", "Arabie saoudite", "France", "Channel Islands",
                               "Atlantis"]  # fmt: skip


def test_names_in_other_scripts_are_drawn_in_the_systems_noto_fonts():
    """Liberation Serif alone for Latin, Greek and Cyrillic (the charts as before); Noto Naskh
    Arabic and Noto Serif CJK, found through fontconfig, where the names need them."""
    assert script_fonts(["Allemagne", "Германия", "2017"]) == []
    found = dict(script_fonts(["ألمانيا", "德国"]))
    assert list(found) == ["Noto Naskh Arabic", "Noto Serif CJK SC"]
    assert all(Path(path).is_file() for path in found.values())
    svg = draw_svg(Look("c", "bar", "", ""), ChartData(["德国", "波兰"], [("2017", [2, 1])], None),
                   FONTS)  # fmt: skip
    assert "NotoSerifCJK" in svg and "NotoNaskhArabic" not in svg


def bars_from_left(svg: str) -> list[float]:
    """The x of each bar, in the order drawn (first category first): after the figure's and the
    axes' backgrounds."""
    return [float(x) for x in re.findall(r'<g id="c-patch_\d+">\s*<path d="M ([\d.]+) ', svg)[2:]]


def test_a_right_to_left_chart_is_mirrored_and_a_left_to_right_one_is_not():
    """As UN Arabic documents draw them: the first category on the right and the value axis on
    the right, in a document that runs right to left (the pipeline passes its direction)."""
    title = [Str(0, "2017: International migrants")]
    spec = SimpleNamespace(id="c", kind="bar", unit="", right_unit="", title=title)
    assert Look.of(spec, right_to_left=True).right_to_left
    assert not Look.of(spec).right_to_left
    data = ChartData(["بولندا", "تركيا", "روسيا"], [("2017", [3.0, 2.0, 1.0])], None)
    ltr = draw_svg(Look("c", "bar", "", ""), data, FONTS)
    rtl = draw_svg(Look("c", "bar", "", "", right_to_left=True), data, FONTS)
    assert bars_from_left(ltr)[:3] == sorted(bars_from_left(ltr)[:3])
    assert bars_from_left(rtl)[:3] == sorted(bars_from_left(rtl)[:3], reverse=True)

    def value_axis(svg: str) -> float:
        return float(re.search(r'<g id="c-ytick_1">.*?<use [^>]*x="([\d.]+)"', svg, re.S)[1])

    assert value_axis(ltr) < min(bars_from_left(ltr)[:3])
    assert value_axis(rtl) > max(bars_from_left(rtl)[:3])  # the value axis at the right
