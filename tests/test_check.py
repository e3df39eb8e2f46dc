"""`reporter check`: figures as written, the qualifier rules both ways, bindings, errata,
table consistency, the report formats and exit codes."""

from __future__ import annotations

import json
from xml.etree import ElementTree as ET

import pytest

from reporter.check.figures import NotAFigure, parse_figure
from reporter.check.rules import UnitMismatch, in_figure_terms, judge
from reporter.cli import main


@pytest.mark.parametrize(
    ("text", "value", "unit", "passes"),
    [
        # exact: the value rounded to the precision typed equals the figure
        ("46 million", 45.72, "million", True),
        ("56 per cent", 55.7, "percent", True),
        ("5.4", 5.36, "ratio", True),
        ("38.0", 38.04, "percent", True),
        ("39", 38.0, "percent", False),
        ("46 million", 46.6, "million", False),
        ("155 million", 155_204, "thousand", True),
        ("$372 billion", 372_400, "million", True),
        ("$372 billion", 375_000, "million", False),
        ("Thirty-five", 35, "count", True),
        ("Thirty-five", 36, "count", False),
        # about / approximately / some / around: the value rounds to the figure at the
        # figure's last significant digit, and is within 5 % of it
        ("about 73 million", 73.155, "million", True),
        ("approximately 68 million", 70.9, "million", False),  # say "about 71 million"
        ("about 70 million", 73.0, "million", True),  # 70 is rounded to tens
        ("about 300 million", 349.0, "million", False),  # rounds to 300, but 16 % off
        ("around 84 per cent", 89, "percent", False),
        ("some 13 million", 12.0, "million", False),
        # almost / nearly / just under: below the figure, by less than its last digit and 5 %
        ("almost 60 per cent", 59.6, "percent", True),
        ("almost 60 per cent", 60.2, "percent", False),
        ("nearly 60 per cent", 50.0, "percent", False),
        ("almost 30 per cent", 28.6, "percent", True),
        ("almost 30 per cent", 27.1, "percent", False),  # 9.7 % below: "about 27 per cent"
        ("just under 5", 4.9, "count", True),
        # over / more than / exceeding: above, by less than the figure's last digit (and 5 %);
        # less than / under / fewer than: below, by less than its last digit
        ("more than $20 billion", 21_000, "million", True),
        ("more than $20 billion", 20_000, "million", False),
        ("more than $20 billion", 372_000, "million", False),  # true, but says too little
        ("over 6 million", 6.2, "million", True),
        ("exceeding 6 million", 5.9, "million", False),
        ("less than 10 per cent", 9.9, "percent", True),
        ("less than 1 per cent", 0.2, "percent", True),
        ("fewer than 50", 50, "count", False),
        ("under 50", 45, "count", True),
        ("under 50", 12, "count", False),  # "under 20" would say it
        # ranks
        ("the second largest", 2, "count", True),
        ("the second largest", 3, "count", False),
        ("the largest", 1, "count", True),
        ("6th", 6, "count", True),
        # number words, fractions and multiples
        ("one third", 0.33, "ratio", True),
        ("one third", 40.0, "percent", False),
        ("almost one third", 31.75, "percent", True),
        ("almost one third", 34.0, "percent", False),
        ("half", 49.0, "percent", True),
        ("almost doubled", 74.288 / 39.933, "ratio", True),
        ("almost doubled", 2.1, "ratio", False),
        ("doubled", 1.5, "ratio", False),
    ],
)
def test_rules(text, value, unit, passes):
    stated = parse_figure(text)
    assert judge(stated, in_figure_terms(value, unit, stated)).passed is passes


def test_units_must_agree():
    with pytest.raises(UnitMismatch):
        in_figure_terms(45.7, "million", parse_figure("56 per cent"))


@pytest.mark.parametrize("text", ["the North", "46 million people", "1990-2010 period"])
def test_not_figures(text):
    with pytest.raises(NotAFigure):
        parse_figure(text)


def test_figure_as_written():
    stated = parse_figure("approximately 4.8 million")
    assert (stated.qualifier, stated.value, stated.decimals, stated.scale) == ("about", 4.8, 1, 1e6)


CHECKED = {
    "content/main.yaml": """
        kind: section
        label: only
        title: The only section
        blocks:
          - p: >-
              The total was [3.8]{=first-table.total.v}, of which a was [about 1.5]{=a_value}
              and b [more than half]{=b_share}; the sky holds [9 stars]{src=note}.[^note]
          - table: first-table
    """,
    "content/quantities.yaml": """
        a_value:
          formula: first-table.a.v
        b_share:
          formula: 100 * (first-table.total.v - first-table.a.v) / first-table.total.v
          unit: percent
    """,
}


@pytest.fixture
def checked(make_project):
    return make_project(CHECKED)


def test_check_passes_and_counts(checked, capsys):
    assert main(["check", str(checked)]) == 0
    out = capsys.readouterr().out
    assert "3 bound: 3 passed, 0 failed, 0 errata; 1 declared; 0 unbound" in out


def test_changed_figure_fails_and_is_named(checked, capsys):
    path = checked / "content/main.yaml"
    path.write_text(path.read_text().replace("[about 1.5]", "[about 2.5]"))
    assert main(["check", str(checked)]) == 1
    out = capsys.readouterr().out
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


def test_unbound_numbers_are_listed(checked, capsys):
    path = checked / "content/main.yaml"
    path.write_text(
        path.read_text().replace(
            "The total was", "In 2012, 17 experts said on 3 May at 10 a.m. (A/67/150) the total was"
        )
    )
    assert main(["check", str(checked), "--unbound"]) == 0
    out = capsys.readouterr().out
    listed = [x.rsplit(": ", 1)[1] for x in out.splitlines() if x.startswith("  content/")]
    assert listed == ["17"]


def test_formats(checked, capsys):
    path = checked / "content/main.yaml"
    path.write_text(path.read_text().replace("[3.8]", "[4.8]"))
    assert main(["check", str(checked), "--format", "json"]) == 1
    data = json.loads(capsys.readouterr().out)
    assert data["summary"]["failed"] == 1
    failed = [f for f in data["figures"] if f["status"] == "fail"][0]
    assert (failed["file"], failed["line"], failed["figure"], failed["value"]) == (
        "content/main.yaml",
        6,
        "4.8",
        3.75,
    )

    assert main(["check", str(checked), "--format", "junit"]) == 1
    suite = ET.fromstring(capsys.readouterr().out).find("testsuite")
    assert suite.get("failures") == "1" and suite.get("tests") == "4"

    assert main(["check", str(checked), "--format", "github"]) == 1
    first = capsys.readouterr().out.splitlines()[0]
    assert first.startswith("::error file=content/main.yaml,line=6,col=")


def test_build_refuses_failing_figures_unless_draft(checked, capsys):
    path = checked / "content/main.yaml"
    text = path.read_text().replace("[3.8]", "[4.8]").replace("[about 1.5]", "[about 2.5]")
    path.write_text(text)
    assert main(["build", str(checked)]) == 1
    err = [line for line in capsys.readouterr().err.splitlines() if line.startswith("error")]
    # every failing figure, each at its own place, not only the first
    assert err[0].startswith("error: content/main.yaml:6:") and "“4.8” does not match" in err[0]
    assert err[1].startswith("error: content/main.yaml:6:") and "“about 2.5”" in err[1]
    assert "--draft" in err[1]
    assert not (checked / "out").exists()
    assert main(["build", str(checked), "--draft"]) == 0
    from tests.pdftext import page_texts

    stamp = "DRAFT — 2 figures fail the check against the data"
    assert all(stamp in page for page in page_texts(checked / "out/X-1-2.pdf"))
    assert stamp in (checked / "out/X-1-2.html").read_text()


def test_clean_build_has_no_stamp_draft_or_not(checked):
    from tests.pdftext import page_texts

    assert main(["build", str(checked), "--draft"]) == 0
    drafted = (checked / "out/X-1-2.pdf").read_bytes()
    assert not any("DRAFT" in page for page in page_texts(checked / "out/X-1-2.pdf"))
    assert main(["build", str(checked), "--fresh"]) == 0
    assert (checked / "out/X-1-2.pdf").read_bytes() == drafted  # a passing draft is the document


def test_large_values_are_shown_in_full(checked, capsys):
    path = checked / "content/main.yaml"
    path.write_text(path.read_text().replace("[about 1.5]{=a_value}", "[155]{=big}"))
    quantities = checked / "content/quantities.yaml"
    quantities.write_text(quantities.read_text() + "big:\n  formula: 155204.3\n")
    assert main(["check", str(checked)]) == 1
    assert "“155” does not match big = 155,204 (rule" in capsys.readouterr().out
