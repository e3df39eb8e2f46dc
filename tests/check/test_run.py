"""reporter/check/run.py: every claim checked — figures bound to quantities and table cells,
pass, fail and errata, unknown quantities, large values shown in full; names and ranks bound
to the data, the direction of a change, figures wherever they stand (footnotes, table titles
and notes, chart sources), and references there resolved."""

from __future__ import annotations

import pytest

from reporter.cli import main
from tests.stock import check, stock_project


def test_check_passes_and_counts(checked, capsys):
    code, out = check(checked, capsys)
    assert code == 0
    assert "3 bound: 3 passed, 0 failed, 0 errata; 1 declared; 0 unbound" in out


def test_changed_figure_fails_and_is_named(checked, capsys):
    path = checked / "content/main.yaml"
    path.write_text(path.read_text().replace("[about 1.5]", "[about 2.5]"))
    code, out = check(checked, capsys)
    assert code == 1
    line = next(x for x in out.splitlines() if x.startswith("FAIL"))
    assert line.startswith(
        "FAIL content/main.yaml:6:65: para. 1: “about 2.5” does not match a_value = 1.5"
    )
    assert "rule: rounds to 2.5 (to 0.1) and within 5% (about)" in line


def test_changed_data_fails(checked, capsys):
    (checked / "data/values.csv").write_text("name,value\na,1.5\nb,4.25\n")
    assert main(["check", str(checked)]) == 1
    out = capsys.readouterr().out
    assert "“3.8” does not match first-table.total.v = 5.75" in out


def test_unknown_quantity_is_named(checked, capsys):
    path = checked / "content/main.yaml"
    path.write_text(path.read_text().replace("{=a_value}", "{=a_valeu}"))
    assert main(["check", str(checked)]) == 2  # bad input: the check cannot run
    assert "unknown quantity 'a_valeu' (did you mean 'a_value'?)" in capsys.readouterr().err


def test_errata_are_printed_and_do_not_fail(checked, capsys):
    path = checked / "content/main.yaml"
    path.write_text(path.read_text().replace("[3.8]", "[3.9]"))
    erratum = "- figure: '3.9'\n  quantity: first-table.total.v\n  reason: Data say 3.8.\n"
    (checked / "content/errata.yaml").write_text(erratum)
    assert main(["check", str(checked)]) == 0
    out = capsys.readouterr().out
    assert "erratum: Data say 3.8." in out
    assert "1 erratum" in out
    # once the data support the figure, the erratum is stale and must go
    (checked / "data/values.csv").write_text("name,value\na,1.5\nb,2.4\n")
    assert main(["check", str(checked)]) == 1
    assert "no longer applies" in capsys.readouterr().out
    # and an erratum whose figure is gone from the text must go too
    path.write_text(path.read_text().replace("[3.9]", "[3.8]"))
    (checked / "data/values.csv").write_text("name,value\na,1.5\nb,2.25\n")
    assert main(["check", str(checked)]) == 1
    assert "erratum matches no figure" in capsys.readouterr().out


def test_large_values_are_shown_in_full(checked, capsys):
    path = checked / "content/main.yaml"
    path.write_text(path.read_text().replace("[about 1.5]{=a_value}", "[155]{=big}"))
    quantities = checked / "content/quantities.yaml"
    quantities.write_text(quantities.read_text() + "big:\n  formula: 155204.3\n")
    assert main(["check", str(checked)]) == 1
    assert "“155” does not match big = 155,204 (rule" in capsys.readouterr().out


NAMES = (
    "[Borduria]{=first-table.1.country} hosted [the largest]{=first-table.borduria.rank} number"
    " of migrants, followed by [the Atlantic Republic]{=first-table.2.country}, the"
    " [second largest]{=first-table.atlantis.rank}."
)


ALIASES = "Atlantis: [the Atlantic Republic, Atlantis proper]\n"


def test_names_and_ranks_bound_to_the_data_pass(make_project, capsys):
    root = stock_project(make_project, NAMES, **{"content/aliases.yaml": ALIASES})
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
    root = stock_project(make_project, NAMES.replace(*change), **{"content/aliases.yaml": ALIASES})
    code, out = check(root, capsys)
    assert code == 1
    assert message in out and out.startswith("FAIL content/main.yaml:")


def test_another_spelling_needs_an_alias(make_project, capsys):
    root = stock_project(make_project, NAMES)  # no aliases.yaml
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
    root = stock_project(make_project, text, **{"content/quantities.yaml": quantities})
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
    root = stock_project(make_project, "Text.[^note]")
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
    root = stock_project(make_project, "Text.", **{"content/charts/top.yaml": chart})
    part = root / "content/main.yaml"
    part.write_text(part.read_text() + "  - figure: top\n")
    code, out = check(root, capsys)
    assert code == 1 and ": Figure I (source): “99 per cent” does not match" in out


def test_references_in_a_table_note_resolve_or_fail_located(make_project, tmp_path, capsys):
    note = 'notes: ["See [@only] and the survey.[^note]"]\ntitle: The'
    root = stock_project(make_project, "Text.")
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
