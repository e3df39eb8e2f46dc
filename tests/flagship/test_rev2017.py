"""The flagship's prose checked against the 2017 revision of its data (data/desa-rev2017): the
paragraphs whose figures the revision changes fail, and docs/flagship-vs-2017.md is the
check's own report of it."""

from __future__ import annotations

from reporter.cli import main
from tests.conftest import ROOT


def test_flagship_against_2017_fails_naming_the_paragraphs(capsys):
    code = main(["check", str(ROOT), "--data", str(ROOT / "data" / "desa-rev2017")])
    out = capsys.readouterr().out
    assert code == 1
    assert "para. 5: “155 million” does not match corridors.total.stock_1990 = 152.5" in out
    assert "para. 7: “almost doubled” does not match south_north_growth_factor = 2.037" in out
    assert "para. 80: “59 million” does not match corridors.total.change = 67.48" in out
    assert "Total in North: parts 40.1 + 37.7 = 77.8, printed 82.4" in out
    failing = {
        line.split(": ")[1] for line in out.splitlines() if line.startswith("FAIL content/0")
    }
    assert failing == {"para. 5", "para. 7", "para. 8", "para. 80"}


def test_docs_flagship_vs_2017_is_what_check_writes(tmp_path, monkeypatch):
    monkeypatch.chdir(ROOT)
    out = tmp_path / "report.md"
    args = ["check", ".", "--data", "data/desa-rev2017", "--format", "markdown", "-o", str(out)]
    assert main(args) == 1
    text = out.read_text(encoding="utf-8")
    assert "| 155 million | `corridors.total.stock_1990` | 155.2 | 152.5 |" in text
    assert text == (ROOT / "docs" / "flagship-vs-2017.md").read_text(encoding="utf-8"), (
        "docs/flagship-vs-2017.md is stale: run reporter check --data data/desa-rev2017 "
        "--format markdown -o docs/flagship-vs-2017.md"
    )
