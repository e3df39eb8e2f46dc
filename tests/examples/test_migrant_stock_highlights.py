"""examples/migrant-stock-highlights: a report on UN DESA's files as published, with no Python,
every figure, name and rank bound — and each one, changed, fails the check at its place."""

from __future__ import annotations

import re

import pytest

from reporter.check.figures import parse_figure
from reporter.check.run import check_document, figures_in
from reporter.cli import main
from reporter.compute.quantities import Quantities, read_quantities
from reporter.data.datasets import Datasets
from reporter.pipeline import build, compute_tables, load
from reporter.project import Project
from tests.conftest import ROOT, copy_example

EXAMPLE = ROOT / "examples" / "migrant-stock-highlights"
SOURCES = ROOT / "examples" / "migration-2017" / "data"


def test_it_checks_clean_and_strict(capsys):
    assert main(["check", str(EXAMPLE)]) == 0
    out = capsys.readouterr().out
    assert "51 bound: 51 passed, 0 failed, 0 errata; 0 declared; 0 unbound" in out


def test_it_reads_the_files_as_published_with_no_python():
    data = EXAMPLE / "data"
    for name in (
        "un_desa_rev2017_origin_destination_total_1990-2017.csv",
        "aggregates_correspondence_table_2020_1.xlsx",
    ):
        assert (data / name).read_bytes() == (SOURCES / name).read_bytes()
    assert not list(EXAMPLE.rglob("*.py"))
    doc = load(Project.at(EXAMPLE))
    paragraphs = [b for _, b in doc.paragraphs() if b.number]
    assert len(paragraphs) >= 8


def test_it_builds_with_its_tables_and_chart(tmp_path):
    project = copy_example("migrant-stock-highlights", tmp_path / "p")
    result = build(Project.at(project), out=tmp_path / "out", progress=lambda _: None)
    assert result.pdf.read_bytes().startswith(b"%PDF-") and not result.check.failed
    html = result.html.read_text(encoding="utf-8")
    top = html.split('id="table-2"', 1)[1].split("</table>", 1)[0]
    rows = re.findall(r'<tr class="(?:data|other|grand-total)[^"]*" id="table-2-([^"]+)"', top)
    assert rows[:3] == ["united-states-of-america", "saudi-arabia", "germany"]
    assert rows[-2:] == ["all-other-countries-or-areas", "world"] and len(rows) == 12
    assert 'id="figure-I"' in html
    assert '<td class="neg">(16.0)</td>' in html  # a negative figure hangs its parenthesis


def wrong(text: str, value) -> str:
    """A plausible edit of a figure that the data do not support."""
    if value.text is not None:
        return "Atlantis"
    stated = parse_figure(text)
    if stated.kind == "ordinal":
        return (
            f"the {['second', 'third', 'fourth', 'fifth', 'sixth'][int(stated.value) % 5]} largest"
        )
    if stated.kind == "fraction":
        return "a third"
    if stated.kind == "words":
        return "twelve"
    number = re.search(r"\d[\d,]*(?:\.\d+)?", text)[0]
    decimals = len(number.partition(".")[2])
    changed = f"{float(number.replace(',', '')) * 1.5 + 1:,.{decimals}f}"
    return text.replace(number, changed, 1)


@pytest.fixture(scope="module")
def computed():
    project = Project.at(EXAMPLE)
    doc = load(project)
    datasets = Datasets(project.root)
    tables = compute_tables(doc, project, datasets)
    return doc, Quantities(read_quantities(project.root), tables, datasets)


def test_every_figure_name_and_rank_changed_fails_at_its_place(computed):
    doc, quantities = computed
    figures = [(place, f) for place, f, _ in figures_in(doc) if f.quantities]
    assert len(figures) == 50  # one figure is bound to two quantities: 51 bindings
    for place, figure in figures:
        original = figure.text
        figure.text = wrong(original, quantities.get(figure.quantities[0], figure.loc))
        try:
            report = check_document(doc, quantities, EXAMPLE)
        finally:
            figure.text = original
        failed = {(f.place, f.where, f.text) for f in report.failed}
        assert (place, figure.loc, wrong(original, quantities.get(figure.quantities[0], None))) in (
            failed
        ), f"{place}: {original!r} changed still passes"
