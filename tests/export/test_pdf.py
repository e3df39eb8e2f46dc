"""reporter/export/pdf.py: HTML to PDF through WeasyPrint — the text and page count of a
small report, its metadata and embedded document model, the same bytes on every render,
SOURCE_DATE_EPOCH set for one render only, and refused URLs stopping the render."""

from __future__ import annotations

import calendar
import datetime as dt
import json
import os
import re

import pypdfium2 as pdfium
import pytest

from reporter.errors import ReportError
from reporter.export import pdf as pdf_module
from reporter.export.pdf import render_pdf
from reporter.export.readback import attachments
from reporter.pipeline import build
from tests.conftest import copy_root
from tests.pdftext import page_texts, squash

EPOCH = calendar.timegm(dt.date(2021, 3, 15).timetuple())  # the basic root's date


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    project = copy_root("basic", tmp_path_factory.mktemp("pdf") / "basic")
    return project, build(project, out=project.root / "out", progress=lambda _: None)


def tiny(project, body: str = "<p>One paragraph.</p>") -> tuple[bytes, int]:
    html = f'<html><head><link rel="stylesheet" href="assets/report.css"></head><body>{body}'
    return render_pdf(html, project.templates, [project.assets], "T/TINY/1", EPOCH)


def test_the_pdf_holds_the_text_on_its_pages(built):
    _, result = built
    pages = [squash(text) for text in page_texts(result.pdf)]
    assert len(pages) == result.pages == 2
    first = pages[0]
    assert first.startswith("United Nations T/BASIC/1")
    assert "A basic report" in first and "15 March 2021" in first
    whole = " ".join(pages)
    for text in (
        "1. In 2019, the countries listed hosted 47.9 million international migrants.",
        "2. The figures are in table 1; Europe is discussed in section I.A.",
        "4. The outlook builds on section I, on section I.A and on paragraph 3",
        "Table 1 International migrants in selected countries, 2019",
        "Europe 27.4 57.1",
        "United Nations, International Migrant Stock 2019.",  # footnote 1
        "10 a.m.-1 p.m. Opening of the round table",
    ):
        assert text in whole, text


def test_metadata_and_dates_are_the_documents(built):
    _, result = built
    document = pdfium.PdfDocument(str(result.pdf))
    try:
        meta = document.get_metadata_dict()
    finally:
        document.close()
    assert meta["Title"] == "T/BASIC/1: A basic report"
    assert meta["Author"] == "United Nations" and meta["Creator"] == "reporter"
    assert meta["CreationDate"] == meta["ModDate"] == "D:20210315000000+00'00"


def test_the_document_model_is_embedded(built):
    _, result = built
    model = json.loads(attachments(result.pdf)["reporter-model.json"])
    assert model["symbol"] == "T/BASIC/1"
    assert [p["number"] for p in model["paragraphs"] if p["number"]] == [1, 2, 3, 4]
    assert [n["id"] for n in model["footnotes"]] == ["desa", "eurostat", "oecd"]
    assert model["tables"][0]["rows"][0]["cells"] == {"stock": "27.4", "share": "57.1"}


def test_the_same_inputs_give_the_same_bytes(built, tmp_path):
    project, result = built
    again = build(project, out=tmp_path / "again", fresh=True, progress=lambda _: None)
    assert again.pdf.read_bytes() == result.pdf.read_bytes()
    assert tiny(project) == tiny(project)


def test_the_identity_seeds_the_file_identifier_and_the_epoch_dates_the_attachments(built):
    project, _ = built

    def render(identity: str, epoch: int) -> bytes:
        html, folders = "<p>One paragraph.</p>", [project.assets]
        files = {"model.json": (b"{}", "Supplement")}
        return render_pdf(html, project.templates, folders, identity, epoch, files)[0]

    one = render("T/TINY/1", EPOCH)
    assert render("T/TINY/1", EPOCH) == one
    assert file_id(render("T/TINY/2", EPOCH)) != file_id(one)
    other_day = render("T/TINY/1", EPOCH + 86400)
    assert b"D:20210315" in one and b"D:20210316" in other_day and b"D:20210315" not in other_day


def file_id(pdf: bytes) -> bytes:
    """The first half of the trailer's /ID: the identifier reporter derives from the symbol."""
    return re.search(rb"/ID \[\(([0-9a-f]+)\)", pdf)[1]


def seen_epoch(*args) -> tuple[bytes, int]:
    """In place of the render, in the render worker: the SOURCE_DATE_EPOCH it sees."""
    return os.environ.get("SOURCE_DATE_EPOCH", "unset").encode(), 0


def test_source_date_epoch_is_set_for_the_render_only(built, monkeypatch):
    project, _ = built
    monkeypatch.setattr(pdf_module, "_render", seen_epoch)
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    assert tiny(project) == (str(EPOCH).encode(), 0)
    assert "SOURCE_DATE_EPOCH" not in os.environ
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "86400")  # the render worker has the user's
    assert tiny(project) == (b"86400", 0)


def test_a_source_date_epoch_set_by_the_user_wins_and_stays(built, monkeypatch):
    project, _ = built
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "86400")
    tiny(project)
    assert os.environ["SOURCE_DATE_EPOCH"] == "86400"


def test_the_environment_is_restored_when_the_render_fails(built, monkeypatch):
    project, _ = built
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    with pytest.raises(ReportError):
        tiny(project, '<img src="https://example.org/x.png">')
    assert "SOURCE_DATE_EPOCH" not in os.environ


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (
            '<img src="file:///etc/hostname">',
            "templates: refused to fetch file:///etc/hostname: outside the project's assets and "
            "outputs (keep assets inside templates/assets)",
        ),
        (
            '<link rel="stylesheet" href="https://example.org/x.css">',
            "templates: refused to fetch https://example.org/x.css: "
            "the PDF renderer reads no network resource",
        ),
    ],
)
def test_a_refused_url_stops_the_render_naming_it(built, body, message):
    project, _ = built
    with pytest.raises(ReportError) as err:
        tiny(project, body)
    assert str(err.value).startswith(message)


def test_the_build_writes_the_pdf_next_to_the_html_and_the_manifest(built):
    project, result = built
    assert result.pdf == project.root / "out" / "T-BASIC-1.pdf"
    assert sorted(p.name for p in result.pdf.parent.iterdir()) == [
        "T-BASIC-1.html", "T-BASIC-1.pdf", "assets", "manifest.json",
    ]  # fmt: skip
    data = result.pdf.read_bytes()
    assert data.startswith(b"%PDF-1.") and data.rstrip().endswith(b"%%EOF")
