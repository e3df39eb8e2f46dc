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
    assert "7 bound: 7 passed, 0 failed, 0 errata; 0 declared; 0 unbound" in out
    assert main(["build", str(target)]) == 0
    assert (target / "out/REPORT-2025-1.pdf").read_bytes().startswith(b"%PDF")
    html = (target / "out/REPORT-2025-1.html").read_text()
    assert "Figure I" in html and "Table 1" in html and "A/67/254" not in html


def test_a_new_project_is_strict(tmp_path, capsys):
    target = tmp_path / "next-report"
    main(["new", str(target)])
    part = target / "content/01-output.yaml"
    part.write_text(part.read_text().replace("(see [@output])", "in five years (see [@output])"))
    assert main(["check", str(target)]) == 1
    assert "para. 1: “five”: neither bound to the data nor declared" in capsys.readouterr().out
    assert main(["build", str(target)]) == 1  # a strict project builds only when it checks
    assert not (target / "out").exists()


def test_the_scaffold_writes_specs_in_block_style(tmp_path):
    """A formula with [ in a flow mapping is a YAML error: the scaffold shows the safe style."""
    target = tmp_path / "next-report"
    main(["new", str(target)])
    for spec in (target / "content").rglob("*.yaml"):
        for line in spec.read_text().splitlines():
            assert "formula:" not in line or not line.lstrip().startswith("- {"), line


def test_new_refuses_a_folder_that_is_not_empty(tmp_path, capsys):
    (tmp_path / "x.txt").write_text("mine")
    assert main(["new", str(tmp_path)]) == 2
    assert "folder is not empty" in capsys.readouterr().err
    assert (tmp_path / "x.txt").read_text() == "mine"


def test_out_holds_the_last_build_only(tmp_path):
    """out/ is replaced as a whole: outputs of an earlier symbol go with the rest."""
    target = tmp_path / "next-report"
    main(["new", str(target)])
    assert main(["build", str(target), "--html-only"]) == 0
    document = target / "content/document.yaml"
    document.write_text(document.read_text().replace("REPORT/2025/1", "REPORT/2025/2"))
    assert main(["build", str(target), "--html-only"]) == 0
    assert sorted(p.name for p in (target / "out").iterdir()) == [
        "REPORT-2025-2.html",
        "assets",
        "manifest.json",
    ]


def test_a_folder_reporter_did_not_write_is_not_replaced(tmp_path, capsys):
    target = tmp_path / "next-report"
    main(["new", str(target)])
    mine = tmp_path / "documents"
    mine.mkdir()
    (mine / "thesis.txt").write_text("mine")
    assert main(["build", str(target), "--html-only", "--out", str(mine)]) == 1
    assert "the output folder holds files reporter did not write" in capsys.readouterr().err
    assert [p.name for p in mine.iterdir()] == ["thesis.txt"]
