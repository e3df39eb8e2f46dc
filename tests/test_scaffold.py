"""`reporter new DIR`: a small project that builds and checks clean, tied to nothing of A/67/254."""

from __future__ import annotations

from reporter.cli import main


def test_new_project_checks_and_builds(tmp_path, capsys):
    target = tmp_path / "next-report"
    assert main(["new", str(target)]) == 0
    assert (target / "templates/document.html.j2").is_file()
    assert (target / "templates/assets/fonts/LiberationSerif-Regular.ttf").is_file()
    assert main(["check", str(target), "--unbound"]) == 0
    out = capsys.readouterr().out
    assert "5 bound: 5 passed, 0 failed, 0 errata" in out
    assert main(["build", str(target)]) == 0
    assert (target / "out/REPORT-2025-1.pdf").read_bytes().startswith(b"%PDF")
    html = (target / "out/REPORT-2025-1.html").read_text()
    assert "Figure I" in html and "Table 1" in html and "A/67/254" not in html


def test_new_refuses_a_folder_that_is_not_empty(tmp_path, capsys):
    (tmp_path / "x.txt").write_text("mine")
    assert main(["new", str(tmp_path)]) == 2
    assert "folder is not empty" in capsys.readouterr().err
    assert (tmp_path / "x.txt").read_text() == "mine"
