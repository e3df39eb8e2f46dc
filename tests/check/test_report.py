"""reporter/check/report.py: the check's findings as text, JSON, JUnit XML and GitHub
annotations, each with the file, line and figure of a failure."""

from __future__ import annotations

import json
from xml.etree import ElementTree as ET

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
