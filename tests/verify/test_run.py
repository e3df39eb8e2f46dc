"""`reporter check FILE.pdf`: a published PDF re-verified from what it carries alone, in an
empty folder; each kind of tampering after the build fails, naming the place."""

from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path

import pikepdf
import pytest

from reporter.export.readback import attachments
from reporter.verify.run import verify_pdf
from tests.verify.tamper import change_printed_text, replace_attachment

CORRIDORS = "data/a67254_migrant_stock_by_corridor.csv"


def _check(pdf: Path, cwd: Path, *options: str) -> subprocess.CompletedProcess:
    command = [sys.executable, "-m", "reporter.cli", "check", str(pdf), *options]
    return subprocess.run(command, cwd=cwd, capture_output=True, text=True, check=False)


@pytest.fixture
def empty(tmp_path) -> Path:
    folder = tmp_path / "empty"
    folder.mkdir()
    return folder


def test_a_built_pdf_passes_in_an_empty_folder_and_leaves_nothing(built, empty):
    before = set(Path(tempfile.gettempdir()).glob("reporter-verify-*"))
    result = _check(built.pdf, empty)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "33 bound: 32 passed, 0 failed, 1 erratum" in result.stdout
    assert "from the evidence" not in result.stdout
    assert list(empty.iterdir()) == []
    assert set(Path(tempfile.gettempdir()).glob("reporter-verify-*")) == before


def test_the_pdf_carries_its_inputs_tables_check_and_manifest(built):
    files = attachments(built.pdf)
    assert "content/document.yaml" in files and CORRIDORS in files
    assert {"tables/corridors.csv", "check.json", "manifest.json"} <= set(files)
    assert not any(name.startswith("templates/") for name in files)  # fonts stay out
    pdf = pikepdf.open(built.pdf)
    relationships = {name: str(spec.obj.AFRelationship) for name, spec in pdf.attachments.items()}
    assert relationships["content/document.yaml"] == "/Source"
    assert relationships[CORRIDORS] == "/Data"
    assert relationships["check.json"] == "/Supplement"
    assert len(pdf.Root.AF) == len(files)  # PDF/A-3: every file associated with the document
    types = {name: spec.get_file().mime_type for name, spec in pdf.attachments.items()}
    assert types["content/document.yaml"] == "application/yaml"  # not the system's guess
    assert types[CORRIDORS] == "text/csv" and types["manifest.json"] == "application/json"


def test_a_number_changed_in_a_page_fails_naming_page_and_place(built, empty, tmp_path):
    tampered = tmp_path / "tampered.pdf"
    page = change_printed_text(built.pdf, "214.2", "215.2", tampered)
    result = _check(tampered, empty)
    assert result.returncode == 1
    assert f"page {page}, Table 1, row total: “total 155.2 215.2" in result.stdout
    assert "which has “total 155.2 214.2" in result.stdout
    assert "1 difference from the evidence the PDF carries" in result.stdout


def test_a_changed_figure_in_a_paragraph_is_named_by_its_paragraph(built, tmp_path):
    tampered = tmp_path / "tampered.pdf"
    change_printed_text(built.pdf, "372", "373", tampered)
    failed = verify_pdf(tampered).failed
    assert [(f.kind, f.place.split(", ")[-1], f.text) for f in failed] == [
        ("evidence", "para. 10", "countries reached $373 billion in")
    ]


def test_an_attached_data_file_changed_after_the_build_fails(built, empty, tmp_path):
    data = attachments(built.pdf)[CORRIDORS]
    tampered = tmp_path / "tampered.pdf"
    replace_attachment(built.pdf, CORRIDORS, data.replace(b"73155", b"75155"), tampered)
    result = _check(tampered, empty, "-q")
    assert result.returncode == 1
    lines = result.stdout.splitlines()
    assert f"attached {CORRIDORS}: “{CORRIDORS}”: changed after the build" in lines[0]
    assert "Table 1: “tables/corridors.csv”: the attached table is not the one" in lines[1]
    # the figures are checked again against the changed data, at their lines
    assert any(line.startswith("FAIL content/02-recent-developments.yaml:") for line in lines)


def test_an_attached_table_changed_after_the_build_fails(built, tmp_path):
    table = attachments(built.pdf)["tables/corridors.csv"]
    tampered = tmp_path / "tampered.pdf"
    replace_attachment(
        built.pdf, "tables/corridors.csv", table.replace(b"214.2", b"215.2"), tampered
    )
    assert [f.place for f in verify_pdf(tampered).failed] == ["Table 1"]


def test_attached_content_edited_with_its_manifest_still_fails_on_the_page(built, tmp_path):
    """Content and manifest both edited: the figures pass, but the page does not say it."""
    files = attachments(built.pdf)
    name = "content/02-recent-developments.yaml"
    edited = files[name].replace(b"$372 billion", b"$373 billion")
    assert edited != files[name]
    tampered = tmp_path / "tampered.pdf"
    replace_attachment(built.pdf, name, edited, tampered)
    failed = verify_pdf(tampered).failed
    assert any(f.place == f"attached {name}" for f in failed)
    assert any(f.place.endswith("para. 10") and "$372 billion" in f.text for f in failed)


def test_a_pdf_without_evidence_is_bad_input(tmp_path, empty):
    plain = tmp_path / "plain.pdf"
    pdf = pikepdf.new()
    pdf.add_blank_page()
    pdf.save(plain)
    result = _check(plain, empty)
    assert result.returncode == 2
    assert "carries no evidence to check" in result.stderr
    assert "Traceback" not in result.stderr


def test_an_attachment_named_outside_the_project_is_refused(built, tmp_path):
    tampered = tmp_path / "tampered.pdf"
    pdf = pikepdf.open(built.pdf)
    pdf.attachments["content/../../escape.yaml"] = pikepdf.AttachedFileSpec(pdf, b"x: 1\n")
    pdf.save(tampered)
    with pytest.raises(Exception, match="outside the project"):
        verify_pdf(tampered)
    assert not (tmp_path / "escape.yaml").exists()


def test_project_options_are_refused_with_a_pdf(built, empty):
    result = _check(built.pdf, empty, "--data", "data")
    assert result.returncode == 2
    assert "--data is for a project folder, not a PDF" in result.stderr


def test_an_edition_is_verified_with_its_parameters_from_the_manifest(make_root, tmp_path):
    from reporter.fleet import build_fleet

    project = make_root("editions")
    out = tmp_path / "out"
    build_fleet(project, out, ["fr"], jobs=1)
    [pdf] = (out / "fr").glob("*.pdf")
    report = verify_pdf(pdf)
    assert not report.failed and report.count("pass") > 0
    # the parameters come from the PDF's manifest: as another edition, its pages do not read
    manifest = attachments(pdf)["manifest.json"]
    assert b'"country": "France"' in manifest
    tampered = tmp_path / "tampered.pdf"
    replace_attachment(pdf, "manifest.json", manifest.replace(b"France", b"Spain"), tampered)
    failed = verify_pdf(tampered).failed
    assert any(f.kind == "evidence" and "France" in f.text for f in failed), failed


def test_a_missing_pdf_is_bad_usage_not_a_missing_project(empty):
    result = _check(empty / "report.pdf", empty)
    assert result.returncode == 2
    assert "report.pdf: no such file" in result.stderr
    assert "not a report project" not in result.stderr


def test_the_masthead_is_checked_too(built, tmp_path):
    tampered = tmp_path / "tampered.pdf"
    assert change_printed_text(built.pdf, "General Assembly", "Genaral Assembly", tampered) == 1
    [failed] = verify_pdf(tampered).failed
    assert (failed.kind, failed.place) == ("evidence", "masthead, organ")
    assert (failed.text, failed.message) == (
        "General Assembly",
        "not on page 1 as the content has it",
    )
