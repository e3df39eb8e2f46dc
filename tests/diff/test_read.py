"""reporter/diff/read.py: a reporter PDF against PDFs of the same HTML that reporter did not
make (plain WeasyPrint, Chromium, hyphenated): both read off their pages the same way, the
same content shows no change, and an edit shows as one change, named as the document names
it (para. 23, footnote 7, Table 1's row)."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pypdfium2 as pdfium
import pytest
import weasyprint

from reporter.cli import main
from reporter.diff.compare import compare
from reporter.diff.read import page_texts, read_models
from reporter.diff.run import diff_pdfs

HEADER = "1 change, compared by text extracted from the pages:"


@pytest.fixture
def html(built, tmp_path) -> Path:
    """A copy of the flagship's HTML and its assets, to edit and to typeset otherwise."""
    out = tmp_path / "html"
    shutil.copytree(built.html.parent, out, ignore=shutil.ignore_patterns("*.pdf"))
    return out / built.html.name


def edit(html: Path, old: str, new: str) -> Path:
    text = html.read_text(encoding="utf-8")
    assert text.count(old) >= 1
    html.write_text(text.replace(old, new, 1), encoding="utf-8")
    return html


def weasyprint_pdf(html: Path, name: str) -> Path:
    pdf = html.parent.parent / name
    weasyprint.HTML(filename=str(html)).write_pdf(pdf)
    return pdf


def chromium_pdf(html: Path, name: str) -> Path:
    binary = (
        os.environ.get("CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")
    )
    if not binary:
        pytest.fail(
            "chromium is not installed, and this test compares with a PDF a browser printed: "
            "install it with `apt-get install -y chromium` (Debian/Ubuntu), or set "
            "CHROMIUM=/path/to/it",
            pytrace=False,
        )
    pdf, profile = html.parent.parent / name, html.parent.parent / f"{name}-profile"
    subprocess.run(
        [binary, "--headless", "--no-sandbox", "--disable-gpu", "--no-pdf-header-footer",
         f"--user-data-dir={profile}", f"--print-to-pdf={pdf}", html.as_uri()],
        check=True, capture_output=True, timeout=120,
    )  # fmt: skip
    return pdf


def text_of(pdf: Path) -> str:
    document = pdfium.PdfDocument(str(pdf))
    try:
        return "\n".join(page_texts(document))
    finally:
        document.close()


def test_the_same_html_typeset_by_plain_weasyprint_shows_no_change(built, html):
    plain = weasyprint_pdf(html, "plain.pdf")
    result = diff_pdfs(built.pdf, plain)
    assert not result.exact  # one side carries no model: both are read off their pages
    assert result.changes == []
    assert result.text().startswith("no change in the text (text extracted from the pages)")


def test_one_word_edited_is_one_changed_paragraph(built, html, capsys):
    plain = weasyprint_pdf(edit(html, "Paradoxically,", "Surprisingly,"), "edited.pdf")
    assert main(["diff", str(built.pdf), str(plain)]) == 1
    lines = capsys.readouterr().out.strip().splitlines()
    assert lines[:2] == [
        HEADER,
        "para. 23: … is often short term. ~~Paradoxically,~~ → **Surprisingly,**",
    ]
    assert len(lines) == 3 and lines[2].startswith("pages changed: ")


def test_a_footnote_edited_is_a_footnote_change(built, html, capsys):
    plain = weasyprint_pdf(edit(html, "(Geneva, 2011).", "(Geneva, 2012)."), "edited.pdf")
    assert main(["diff", str(built.pdf), str(plain)]) == 1
    lines = capsys.readouterr().out.strip().splitlines()
    assert lines[:2] == [
        HEADER,
        "footnote 7: … in Developing Countries (Geneva, ~~2011).~~ → **2012).**",
    ]


def test_a_table_cell_edited_is_a_change_in_its_row(built, html, capsys):
    plain = weasyprint_pdf(edit(html, "<td>74.3</td>", "<td>74.5</td>"), "edited.pdf")
    assert main(["diff", str(built.pdf), str(plain)]) == 1
    lines = capsys.readouterr().out.strip().splitlines()
    assert lines[:2] == [HEADER, "Table 1, South-North: … South-North 39.9 ~~74.3~~ → **74.5**"]


def test_a_pdf_printed_by_chromium(built, html, capsys):
    """A browser prints the notes inline, where they are called, in their smaller type; it
    sets no running header and breaks lines and pages its own way."""
    printed = chromium_pdf(html, "chromium.pdf")
    assert "agenda.1 See “Realizing" in text_of(printed)  # the note where it is called
    result = diff_pdfs(built.pdf, printed)
    assert result.changes == [] and result.pages  # the same text on other pages
    edited = chromium_pdf(edit(html, "Paradoxically,", "Surprisingly,"), "edited.pdf")
    assert main(["diff", str(built.pdf), str(edited)]) == 1
    lines = capsys.readouterr().out.strip().splitlines()
    assert lines[1:2] == ["para. 23: … is often short term. ~~Paradoxically,~~ → **Surprisingly,**"]
    assert len(lines) == 3


@pytest.mark.parametrize("hyphen", ["\\2010", "-"])
def test_a_hyphenated_typesetting_reads_as_the_same_text(built, html, hyphen):
    """hyphens: auto breaks about 180 words at line ends, with U+2010 (WeasyPrint's default)
    or with a hyphen-minus, which pdfium cannot tell from a compound's ("South-South")."""
    style = f"p, td, .footnote {{ hyphens: auto; hyphenate-character: '{hyphen}' }}"
    pdf = weasyprint_pdf(edit(html, "</head>", f"<style>{style}</style></head>"), "hyph.pdf")
    assert len(re.findall("[a-z][\u2010\ufffe]\n?[a-z]", text_of(pdf))) > 100
    old, new, exact = read_models(built.pdf, pdf)
    assert not exact and compare(old, new) == []
    # word for word, but for the tables (a word broken in a cell has its end rows below)
    assert [p.get("words", p["text"]) for p in old["paragraphs"]] == [
        p.get("words", p["text"]) for p in new["paragraphs"]
    ]
