"""reporter/check/report.py: the check's findings as text, JSON, JUnit XML and GitHub
annotations, each with the file, line and figure of a failure."""

from __future__ import annotations

import json
from xml.etree import ElementTree as ET

import pytest

from reporter.cli import main


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


HOSTILE = "ma\nin\u202e.yaml"  # a part's file name: a line of its own, then text reversed


@pytest.fixture
def hostile(checked):
    """`checked` with its part renamed HOSTILE and a figure that fails there."""
    text = (checked / "content/main.yaml").read_text().replace("[3.8]", "[4.8]")
    (checked / "content/main.yaml").unlink()
    (checked / "content" / HOSTILE).write_text(text)
    document = checked / "content/document.yaml"
    document.write_text(document.read_text().replace("[main.yaml]", '["ma\\nin\\u202e.yaml"]'))
    return checked


def test_every_format_escapes_control_and_bidi_characters(hostile, capsys):
    """No format prints a newline or a bidi control from a name: in text, JUnit and markdown
    as escapes; in JSON as JSON escapes (the data unchanged); GitHub's file= as it reads it
    back. No line of any can start a workflow command."""
    outputs = {}
    for fmt in ("text", "json", "junit", "github", "markdown"):
        assert main(["check", str(hostile), "--format", fmt]) == 1
        outputs[fmt] = capsys.readouterr().out
        assert "\u202e" not in outputs[fmt], fmt
        starts = [line for line in outputs[fmt].splitlines() if line.startswith("::")]
        assert len(starts) == (1 if fmt == "github" else 0), fmt
    shown = "content/ma\\nin\\u202e.yaml:6:"
    assert f"FAIL {shown}" in outputs["text"]
    failed = [f for f in json.loads(outputs["json"])["figures"] if f["status"] == "fail"]
    assert failed[0]["file"] == "content/" + HOSTILE  # the data as they are
    case = ET.fromstring(outputs["junit"]).find("testsuite/testcase/failure/..")
    assert case.get("classname") == "content/ma\\nin\\u202e.yaml"
    assert case.find("failure").get("message").startswith(shown)
    assert outputs["github"].startswith("::error file=content/ma%0Ain\\u202e.yaml,line=6,col=")
    assert f"({shown}" in outputs["markdown"]


def test_an_editions_error_is_escaped_in_every_fleet_format():
    from reporter.check.report import fleet_report
    from reporter.workers import Outcome

    error = "content/a\u202e.yaml: bad\x1b[2J\n::error::second"  # two errors, one a line each
    outcomes = {"fr": Outcome("fr", False, error=error)}
    for fmt in ("text", "junit", "github", "json"):
        text, failed = fleet_report(outcomes, fmt)
        assert failed and "\u202e" not in text and "\x1b" not in text, fmt
        assert "content/a\\u202e.yaml: bad\\" in text, fmt  # JSON: \\u001b for the escape
        assert sum(line.startswith("::") for line in text.splitlines()) == (fmt == "github")
    text = fleet_report(outcomes, "text")[0].splitlines()
    assert text[:2] == [
        "ERROR [fr] content/a\\u202e.yaml: bad\\x1b[2J",
        "ERROR [fr] ::error::second",
    ]
    junit = ET.fromstring(fleet_report(outcomes, "junit")[0])
    assert (
        junit.find("testsuite/testcase/error").text
        == "content/a\\u202e.yaml: bad\\x1b[2J\n::error::second"
    )
    assert json.loads(fleet_report(outcomes, "json")[0])["editions"]["fr"] == error
