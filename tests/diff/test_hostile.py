"""`reporter diff` on hostile PDFs (reporter/diff/read.py, diff/pages.py, export/readback.py):
only the manifest and the model of the attachments are read, the model within the size the
manifest records; the pages as many as the manifest records, walked within bounds and drawn one
at a time at a bounded size. Each ends in one line and exit code 2 when a PDF cannot be read
(1 means that the documents differ), in 1 GiB of address space, without a traceback."""

from __future__ import annotations

import json
from pathlib import Path

import pikepdf
import pytest

from reporter.cli import main
from reporter.diff.pages import MAX_PIXELS, PageImages
from reporter.diff.read import Side
from reporter.export.readback import MAX_PAGE_SIDE, attachments
from tests.verify.tamper import (
    bomb_attachment,
    build_basic,
    deep_page_tree,
    repeat_first_page,
    replace_attachment,
    run_limited,
)

GIB = 1 << 30


@pytest.fixture(scope="module")
def pdf(tmp_path_factory) -> Path:
    return build_basic(tmp_path_factory.mktemp("diff-hostile"))


def one_error(result) -> str:
    lines = result.stderr.splitlines()
    assert result.returncode == 2, result.stdout + result.stderr
    assert len(lines) == 1 and lines[0].startswith("error: "), result.stderr
    return lines[0]


def test_a_1_gib_data_attachment_is_not_read(pdf, tmp_path):
    """diff needs the model alone: it cost 3.2 GB before."""
    hostile = tmp_path / "bomb.pdf"
    bomb_attachment(pdf, "data/hosts.csv", GIB, hostile)
    result = run_limited("diff", str(pdf), str(hostile), cwd=tmp_path)
    assert result.returncode == 0 and result.stderr == "", result.stderr
    assert result.stdout.startswith("no change in the text (document models embedded in both")


def test_a_1_gib_model_is_refused_at_the_size_the_manifest_records(pdf, tmp_path):
    hostile = tmp_path / "model-bomb.pdf"
    bomb_attachment(pdf, "reporter-model.json", GIB, hostile)
    size = len(attachments(pdf)["reporter-model.json"])
    line = one_error(run_limited("diff", str(pdf), str(hostile), cwd=tmp_path))
    assert line == (
        f"error: {hostile}: its attached reporter-model.json decodes to more than the "
        f"{size:,} bytes its manifest records (it was changed after the build, or not made by "
        "reporter)"
    )


@pytest.mark.parametrize("count", [5_000, 100_000])
def test_pages_other_than_the_manifest_records_are_refused_unread(pdf, tmp_path, count):
    """5,000 pages cost 2.5 GB and 100,000 crashed the diff before."""
    hostile = tmp_path / f"pages-{count}.pdf"
    repeat_first_page(pdf, hostile, count)
    many = "more than 10,000" if count > 10_000 else f"{count:,}"
    line = one_error(run_limited("diff", str(pdf), str(hostile), cwd=tmp_path))
    assert line == (
        f"error: {hostile}: it has {many} pages, its manifest records 2 (pages were added or "
        "removed after the build: 'reporter check' says which)"
    )


def test_a_page_of_the_largest_size_is_drawn_at_a_bounded_size(pdf, tmp_path):
    """A 14,400 pt page drawn at 72 dpi is 207 million pixels: it cost 3.3 GB before."""
    hostile = tmp_path / "large.pdf"
    source = pikepdf.open(pdf)
    source.pages[0].MediaBox = [0, 0, MAX_PAGE_SIDE, MAX_PAGE_SIDE]
    source.save(hostile)
    result = run_limited("diff", str(pdf), str(hostile), cwd=tmp_path)
    assert result.returncode == 1 and result.stderr == "", result.stderr
    assert result.stdout.splitlines()[-1] == "pages changed: 1 (of 2 → 2)"
    with Side(hostile) as side:
        image = PageImages(side.document)[0]
    assert image.width * image.height <= MAX_PIXELS and image.width == image.height


def test_a_deep_page_tree_is_one_line(pdf, tmp_path, capsys):
    hostile = tmp_path / "deep.pdf"
    deep_page_tree(pdf, hostile, 100_000)
    assert main(["diff", str(pdf), str(hostile)]) == 2
    assert capsys.readouterr().err.splitlines() == [
        f"error: {hostile}: cannot read PDF: its page tree is nested deeper than 64 levels "
        "(give a PDF file as reporter or another tool wrote it)"
    ]


@pytest.mark.parametrize(
    "text, why",
    [
        (lambda m: json.dumps(m | {"inputs": []}),
         'is not a reporter manifest: at inputs: [] is not of type "object" (it was changed '
         "after the build, or not made by reporter)"),
        (lambda m: json.dumps(m | {"parameters": "fr"}),
         'is not a reporter manifest: at parameters: "fr" is not of type "object" (it was '
         "changed after the build, or not made by reporter)"),
        (lambda m: "[" * 100_000 + "]" * 100_000,
         "is nested deeper than 64 levels (give a PDF file as reporter or another tool wrote it)"),
    ],
)  # fmt: skip
def test_a_damaged_manifest_is_one_line(pdf, tmp_path, capsys, text, why):
    hostile = tmp_path / "manifest.pdf"
    manifest = json.loads(attachments(pdf)["manifest.json"])
    replace_attachment(pdf, "manifest.json", text(manifest).encode(), hostile)
    assert main(["diff", str(pdf), str(hostile)]) == 2
    assert capsys.readouterr().err.splitlines() == [
        f"error: {hostile}: its attached manifest.json {why}"
    ]


@pytest.mark.parametrize(
    "model, why",
    [
        ("[" * 100_000 + "]" * 100_000, "nested deeper than 64 levels"),
        ('{"paragraphs": [], "tables": 5}', "tables is not a list"),
        ('{"paragraphs": [], "figures": [{"id": "f", "number": 1, "title": "t", '
         '"series": {"s": {"2010": "x"}}}]}', "figures: values that are not numbers"),
        ('{"paragraphs": [], "tables": [{"id": "t", "number": 1, "title": "t", '
         '"columns": {"c": 5}, "rows": []}]}', "tables: values that are not text"),
    ],
)  # fmt: skip
def test_a_model_of_the_wrong_shape_is_one_line(pdf, tmp_path, capsys, model, why):
    """The model and its size in the manifest both changed: the model is read, and refused."""
    hostile, data = tmp_path / "model.pdf", model.encode()
    manifest = json.loads(attachments(pdf)["manifest.json"])
    manifest["pdf"]["attachments"]["reporter-model.json"]["size"] = len(data)
    replace_attachment(pdf, "manifest.json", json.dumps(manifest).encode(), tmp_path / "m.pdf")
    replace_attachment(tmp_path / "m.pdf", "reporter-model.json", data, hostile)
    assert main(["diff", str(pdf), str(hostile)]) == 2
    assert capsys.readouterr().err.splitlines() == [
        f"error: {hostile}: its embedded document model (reporter-model.json) is damaged: {why} "
        "(rebuild the PDF with reporter)"
    ]


def test_a_pdf_without_a_manifest_is_read_up_to_10_000_pages(tmp_path, capsys):
    plain = pikepdf.new()
    plain.add_blank_page()
    plain.save(tmp_path / "one.pdf")
    repeat_first_page(tmp_path / "one.pdf", tmp_path / "many.pdf", 10_001)
    assert main(["diff", str(tmp_path / "one.pdf"), str(tmp_path / "many.pdf")]) == 2
    assert capsys.readouterr().err.splitlines() == [
        f"error: {tmp_path / 'many.pdf'}: cannot read PDF: it has more than 10,000 pages "
        "(compare fewer pages)"
    ]
