"""Every claim checked (reporter/check/run.py): names and ranks bound to the data, the direction
of a change, figures wherever they stand (footnotes, table titles and notes, chart sources),
references there resolved, and strict projects that leave nothing unbound."""

from __future__ import annotations

import shutil

import pytest

from reporter.cli import main
from tests.conftest import ROOT
from tests.test_table_rows import STOCK, TOP

MAIN = """
    kind: section
    label: only
    title: The only section
    blocks:
      - p: >-
          TEXT
      - table: first-table
"""


def project(make_project, text: str, **files: str):
    return make_project(
        {
            "content/main.yaml": MAIN.replace("TEXT", text),
            "content/tables/first-table.yaml": TOP,
            "data/stock.csv": STOCK,
            **files,
        }
    )


def check(root, capsys, *args: str) -> tuple[int, str]:
    code = main(["check", str(root), *args])
    return code, capsys.readouterr().out


NAMES = (
    "[Borduria]{=first-table.1.country} hosted [the largest]{=first-table.borduria.rank} number"
    " of migrants, followed by [the Atlantic Republic]{=first-table.2.country}, the"
    " [second largest]{=first-table.atlantis.rank}."
)
ALIASES = "Atlantis: [the Atlantic Republic, Atlantis proper]\n"


def test_names_and_ranks_bound_to_the_data_pass(make_project, capsys):
    root = project(make_project, NAMES, **{"content/aliases.yaml": ALIASES})
    code, out = check(root, capsys, "-v")
    assert code == 0, out
    assert "“the Atlantic Republic” = first-table.2.country" in out
    assert "4 bound: 4 passed, 0 failed" in out


@pytest.mark.parametrize(
    "change, message",
    [
        (("[Borduria]", "[Carpania]"), "“Carpania”: the data give 'Borduria'"),
        (("[second largest]", "[third largest]"), "“third largest” does not match"),
        (("[the largest]", "[the second largest]"), "“the second largest” does not match"),
    ],
)
def test_a_changed_name_or_rank_fails_and_is_named(make_project, capsys, change, message):
    root = project(make_project, NAMES.replace(*change), **{"content/aliases.yaml": ALIASES})
    code, out = check(root, capsys)
    assert code == 1
    assert message in out and out.startswith("FAIL content/main.yaml:")


def test_another_spelling_needs_an_alias(make_project, capsys):
    root = project(make_project, NAMES)  # no aliases.yaml
    code, out = check(root, capsys)
    assert code == 1
    assert "“the Atlantic Republic”: the data give 'Atlantis' (another spelling? declare it" in out


@pytest.mark.parametrize(
    "text, passes",
    [
        ("Carpania's migrants fell by [33 per cent]{=change}.", True),
        ("Carpania's migrants declined by [33 per cent]{=change}.", True),
        ("Carpania saw a decrease of [33 per cent]{=change}.", True),
        ("Carpania's migrants rose by [33 per cent]{=change}.", False),
        ("Carpania's migrants increased by [33 per cent]{=change}.", False),
        ("Carpania's migrants changed by [-33 per cent]{=change}.", False),  # not a figure
    ],
)
def test_the_direction_of_a_change_is_part_of_the_claim(make_project, capsys, text, passes):
    quantities = "change:\n  formula: 100 * (40 - 60) / 60\n  unit: percent\n"
    root = project(make_project, text, **{"content/quantities.yaml": quantities})
    code, out = check(root, capsys)
    assert code == (0 if passes else 1), out
    if "rose" in text or "increased" in text:
        assert "the text says it rose, the data give a fall" in out


WRONG = "[99 per cent]{=first-table.borduria.share}"


@pytest.mark.parametrize(
    "path, old, new, place",
    [
        ("content/footnotes.yaml", "A note.", f"A note, {WRONG}.", "footnote 1"),
        ("content/tables/first-table.yaml", "destinations, 2017", f"destinations, {WRONG}",
         "Table 1 (title)"),
        ("content/tables/first-table.yaml", "title: The", "notes: [\"Note: WRONG\"]\n"
         "title: The", "Table 1 (note)"),
        ("content/tables/first-table.yaml", "heading: Country", f"heading: \"Country {WRONG}\"",
         "Table 1 (heading)"),
    ],
)  # fmt: skip
def test_a_wrong_figure_fails_wherever_it_stands(make_project, capsys, path, old, new, place):
    root = project(make_project, "Text.[^note]")
    target = root / path
    target.write_text(target.read_text().replace(old, new.replace("WRONG", WRONG), 1))
    code, out = check(root, capsys)
    assert code == 1
    assert f": {place}: “99 per cent” does not match first-table.borduria.share = 48.31" in out
    assert main(["build", str(root)]) == 1  # and it is not published


def test_a_chart_source_is_checked(make_project, capsys):
    chart = """
        title: The largest destinations
        kind: bar
        table: first-table
        categories:
          rows: [borduria, atlantis]
        series:
          - column: stock_2017
            label: "2017"
        source: "*Source*: Table 1; WRONG of the total in Borduria."
        alt: A bar chart.
    """.replace("WRONG", WRONG)
    root = project(make_project, "Text.", **{"content/charts/top.yaml": chart})
    part = root / "content/main.yaml"
    part.write_text(part.read_text() + "  - figure: top\n")
    code, out = check(root, capsys)
    assert code == 1 and ": Figure I (source): “99 per cent” does not match" in out


def test_references_in_a_table_note_resolve_or_fail_located(make_project, tmp_path, capsys):
    note = 'notes: ["See [@only] and the survey.[^note]"]\ntitle: The'
    root = project(make_project, "Text.")
    spec = root / "content/tables/first-table.yaml"
    spec.write_text(spec.read_text().replace("title: The", note, 1))
    out = tmp_path / "out"
    assert main(["build", str(root), "--html-only", "--out", str(out)]) == 0
    html = next(out.glob("*.html")).read_text()
    notes = html.split('class="table-notes"', 1)[1].split("</div>", 1)[0]
    assert 'href="#only">section I</a>' in notes  # the reference is filled in
    assert 'class="fn-call"><a href="#fn-1"' in notes  # a document footnote, numbered
    assert 'class="footnote" data-n="1">A note.</span>' in notes  # carried by its first call
    spec.write_text(spec.read_text().replace("[@only]", "[@nowhere]"))
    assert main(["check", str(root)]) == 2
    err = capsys.readouterr().err
    assert "error: content/tables/first-table.yaml:1:14: unknown label 'nowhere'" in err


def test_unbound_lists_ranks_and_numbers_in_every_place(make_project, capsys):
    text = "Ruritania hosts the sixth largest number of migrants, and [@first-table] shows 12."
    root = project(make_project, text)
    footnotes = root / "content/footnotes.yaml"
    footnotes.write_text("note: Counted in 3 rounds.\n")
    part = root / "content/main.yaml"
    part.write_text(part.read_text().replace("shows 12.", "shows 12.[^note]"))
    code, out = check(root, capsys, "--unbound")
    assert code == 0  # not strict: listed only
    listed = out.split("unbound numbers", 1)[1]
    assert "para. 1: sixth largest" in listed and "para. 1: 12" in listed
    assert "footnote 1: 3" in listed
    code, out = check(root, capsys, "--strict")
    assert code == 1
    assert "“sixth largest”: neither bound to the data nor declared" in out


def test_the_flagship_is_strict_an_unbound_number_fails(tmp_path, capsys):
    root = tmp_path / "flagship"
    for name in ("content", "data", "templates"):
        shutil.copytree(ROOT / name, root / name, symlinks=True)
    part = root / "content/02-recent-developments.yaml"
    text = part.read_text()
    part.write_text(text.replace("than at any time in history", "than in 17 earlier decades", 1))
    assert text != part.read_text()
    code, out = check(root, capsys)
    assert code == 1
    assert "“17”: neither bound to the data nor declared (the project is strict)" in out
