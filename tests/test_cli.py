"""The `reporter build` command: outputs, exit codes, one-line errors, last good output kept."""

from __future__ import annotations

import subprocess
import sys

from reporter.cli import main


def test_build_writes_html_and_pdf_named_after_the_symbol(make_project, capsys):
    root = make_project()
    assert main(["build", str(root)]) == 0
    assert (root / "out/X-1-2.html").is_file()
    assert (root / "out/X-1-2.pdf").read_bytes().startswith(b"%PDF-")
    captured = capsys.readouterr()
    assert "Reading content" in captured.err and "Writing PDF" in captured.err
    assert "1 pages" in captured.out or "pages" in captured.out


def test_failed_build_keeps_last_good_output(make_project, capsys):
    root = make_project()
    assert main(["build", str(root)]) == 0
    good_pdf = (root / "out/X-1-2.pdf").read_bytes()
    good_html = (root / "out/X-1-2.html").read_bytes()
    (root / "content/main.yaml").write_text("kind: section\ntitle: [unclosed\n")
    assert main(["build", str(root)]) == 1
    err = capsys.readouterr().err
    assert "error: content/main.yaml:3:1: malformed YAML" in err
    assert "Traceback" not in err
    assert (root / "out/X-1-2.pdf").read_bytes() == good_pdf
    assert (root / "out/X-1-2.html").read_bytes() == good_html
    assert not list((root / "out").glob(".*.tmp"))


def test_template_error_names_template_line(make_project, capsys):
    root = make_project()
    template = root / "templates/document.html.j2"
    template.write_text(
        template.read_text().replace("{{ meta.symbol }}</span>", "{{ meta.symbl }}</span>")
    )
    assert main(["build", str(root), "--html-only"]) == 1
    err = capsys.readouterr().err
    assert "templates/document.html.j2:" in err and "symbl" in err


def test_not_a_project_is_a_usage_error(tmp_path, capsys):
    assert main(["build", str(tmp_path)]) == 2
    assert "not a report project" in capsys.readouterr().err


def test_bad_option_is_a_usage_error():
    result = subprocess.run(
        [sys.executable, "-m", "reporter.cli", "build", "--no-such-option"],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 2
    assert "unrecognized arguments" in result.stderr


def test_non_utf8_content_is_reported(make_project, capsys):
    root = make_project()
    (root / "content/footnotes.yaml").write_bytes("note: caf\xe9\n".encode("latin-1"))
    assert main(["build", str(root), "--html-only"]) == 1
    assert "content/footnotes.yaml:1: not UTF-8 (byte 0xe9)" in capsys.readouterr().err
