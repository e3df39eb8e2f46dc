"""The flagship's prose against its data: every computable figure is bound, all pass but the
one documented erratum, nothing is unbound and the project is strict; changing any bound
figure or a data cell fails."""

from __future__ import annotations

import re
import shutil

import pytest

from reporter.cli import main
from reporter.pipeline import check_project
from reporter.project import Project

WORDS = {"Thirty-five": "Seventy", "five": "nine", "doubled": "tripled"}


def run_check(root):
    return check_project(Project.at(root))[1]


@pytest.fixture(scope="module")
def report(flagship):
    return run_check(flagship.root)


def test_flagship_checks_clean(report):
    assert report.failed == []
    assert report.unbound == []
    assert [(f.place, f.text) for f in report.findings if f.status == "errata"] == [
        ("para. 80", "39 per cent")
    ]


@pytest.mark.parametrize("para", [5, 7, 8, 40, 80])
def test_all_figures_of_key_paragraphs_are_bound(report, para):
    figures = [f for f in report.findings if f.place == f"para. {para}"]
    # "followed by two or more [Group members]" names a category of Table 2: not a figure
    figures = [f for f in figures if f.quantity != "src=category"]
    assert figures and all(f.status in ("pass", "errata") for f in figures)


def test_counts(report):
    assert report.bound >= 30
    assert report.count("declared") < 80


def mutate(text: str) -> str:
    """The figure with its number changed well beyond any rule's tolerance."""
    if m := re.search(r"\d+(?:\.\d+)?", text):
        number = m[0]
        decimals = len(number.partition(".")[2])
        changed = f"{float(number) * 3 + 7:.{decimals}f}"
        return text[: m.start()] + changed + text[m.end() :]
    for word, other in WORDS.items():
        if word in text:
            return text.replace(word, other)
    raise AssertionError(f"cannot mutate {text!r}")


def test_changing_any_bound_figure_fails_and_names_it(report, copy_flagship):
    bound = [f for f in report.findings if f.status == "pass"]
    assert bound
    pristine = {p: p.read_bytes() for p in (copy_flagship / "content").glob("*.yaml")}
    for finding in bound:
        path = copy_flagship / finding.where.path
        text = path.read_text(encoding="utf-8")
        lines = text.split("\n")
        start = sum(len(x) + 1 for x in lines[: finding.where.line - 1]) + finding.where.column - 1
        assert text[start] == "[", finding.where
        end = text.index("]", start)  # a span may wrap onto the next line
        path.write_text(
            text[: start + 1] + mutate(text[start + 1 : end]) + text[end:], encoding="utf-8"
        )
        failed = run_check(copy_flagship).failed
        # only this figure fails (twice if it is bound to two quantities)
        assert {f.where for f in failed} == {finding.where}, finding
        assert finding.quantity in {f.quantity for f in failed}
        path.write_bytes(pristine[path])


def test_changing_a_data_cell_fails_the_figures_that_read_it(copy_flagship):
    path = copy_flagship / "data/a67254_migrant_stock_by_corridor.csv"
    path.write_text(path.read_text().replace("South,North,2010,74288", "South,North,2010,80288"))
    failed = run_check(copy_flagship).failed
    places = {f.place for f in failed}
    assert {"para. 7", "para. 8"} <= places
    assert any(f.text == "74 million" for f in failed)


def test_check_against_other_data_folder(flagship, tmp_path, capsys):
    other = tmp_path / "data"
    shutil.copytree(flagship.root / "data", other)
    csv = other / "a67254_gfmd_round_tables.csv"
    csv.write_text(
        csv.read_text().replace(
            "2011,II,Addressing irregular migration through coherent strategies,0,9,0,46",
            "2011,II,Addressing irregular migration through coherent strategies,0,9,0,146",
        )
    )
    assert main(["check", str(flagship.root), "--data", str(other)]) == 1
    out = capsys.readouterr().out
    assert "“759”" in out and "para. 40" in out


def test_the_flagship_is_strict_an_unbound_number_fails(copy_flagship, capsys):
    part = copy_flagship / "content/02-recent-developments.yaml"
    text = part.read_text()
    part.write_text(text.replace("than at any time in history", "than in 17 earlier decades", 1))
    assert text != part.read_text()
    assert main(["check", str(copy_flagship)]) == 1
    out = capsys.readouterr().out
    assert "“17”: neither bound to the data nor declared (the project is strict)" in out
