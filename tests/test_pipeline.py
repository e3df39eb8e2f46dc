"""reporter/pipeline.py: a build refuses a document whose figures fail the check, naming each
one, unless it is a draft, which is stamped as such on every page; a passing draft is the
document itself."""

from __future__ import annotations

from reporter.cli import main
from tests.pdftext import page_texts


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
    stamp = "DRAFT — 2 figures fail the check against the data"
    assert all(stamp in page for page in page_texts(checked / "out/X-1-2.pdf"))
    assert stamp in (checked / "out/X-1-2.html").read_text()


def test_clean_build_has_no_stamp_draft_or_not(checked):
    assert main(["build", str(checked), "--draft"]) == 0
    drafted = (checked / "out/X-1-2.pdf").read_bytes()
    assert not any("DRAFT" in page for page in page_texts(checked / "out/X-1-2.pdf"))
    assert main(["build", str(checked), "--fresh"]) == 0
    assert (checked / "out/X-1-2.pdf").read_bytes() == drafted  # a passing draft is the document
