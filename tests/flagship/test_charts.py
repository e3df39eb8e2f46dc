"""The flagship's Figures I and II: numbered in UN style, drawn from the computed tables,
deterministic, greyscale, with ids unique across the document."""

from __future__ import annotations

import re

import pytest

from reporter.compute.charts import draw_svg
from reporter.pipeline import compute_charts, compute_tables, load


@pytest.fixture(scope="module")
def computed(flagship):
    doc = load(flagship)
    tables = compute_tables(doc, flagship)
    return doc, tables, compute_charts(doc, tables, flagship)


def test_figures_numbered_in_un_style(computed):
    doc, _, charts = computed
    assert {k: c.number for k, c in charts.items()} == {
        "migrants-by-corridor": "I",
        "gfmd-recommendations": "II",
    }
    assert doc.labels["gfmd-recommendations"].kind == "figure"


def test_chart_and_table_agree(computed):
    _, tables, charts = computed
    corridors = charts["migrants-by-corridor"].data
    table = tables["corridors"]
    rows = ["north-north", "north-south", "south-north", "south-south"]
    assert corridors.series[1] == ("2010", [table.cell(r, "stock_2010").value for r in rows])
    gfmd = charts["gfmd-recommendations"].data
    assert gfmd.line[1] == [
        tables["gfmd-follow-up"].cell(f"total-{y}", "ratio").value for y in range(2007, 2012)
    ]


def test_svg_is_deterministic_and_ids_are_unique(computed, flagship):
    _, _, charts = computed
    chart = charts["migrants-by-corridor"]
    fonts = flagship.assets / "fonts"
    assert draw_svg(chart.spec, chart.data, fonts) == chart.svg
    assert "dc:date" not in chart.svg and "<?xml" not in chart.svg
    ids = [set(re.findall(r'id="([^"]+)"', c.svg)) for c in charts.values()]
    assert ids[0] and ids[1] and not ids[0] & ids[1]


def test_svg_is_greyscale(computed):
    for chart in computed[2].values():
        for colour in re.findall(r"(?:fill|stroke)[:=]\s*\"?#([0-9a-fA-F]{6})", chart.svg):
            red, green, blue = colour[0:2], colour[2:4], colour[4:6]
            assert red == green == blue, colour
