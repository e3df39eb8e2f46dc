"""`reporter check FILE.pdf` accounts for every page and all its text (reporter/verify/pages.py,
export/pagetext.py): the pages the manifest records, in its order, each drawn as the build drew
it, and every piece of text in the content, the theme's own text or the furniture the build
recorded. Each forgery is made with pikepdf on a copy of one small built PDF (tests/roots/basic)."""

from __future__ import annotations

import hashlib
import json
import re
import subprocess
import sys
from pathlib import Path

import pikepdf
import pytest

from reporter.errors import ReportError
from reporter.export.readback import attachments
from reporter.verify.run import verify_pdf
from tests.verify.tamper import (
    annotate,
    append_page,
    attach,
    build_basic,
    draw_on_page,
    drawing,
    reorder_pages,
    replace_attachment,
    replace_pages,
)

OUTSIDE = "drawn outside the document's structure (no element of its structure tree holds it, "
NOT_DRAWN = "furniture (an artifact) the build did not draw there"


@pytest.fixture(scope="module")
def pdf(tmp_path_factory) -> Path:
    return build_basic(tmp_path_factory.mktemp("pages"))


def failed(path: Path) -> list[tuple[str, str, str]]:
    return [(f.place, f.text, f.message) for f in verify_pdf(path).failed]


def test_the_manifest_records_every_page_and_every_attachment(pdf):
    assert not verify_pdf(pdf).failed
    carried = attachments(pdf)
    made = json.loads(carried.pop("manifest.json"))["pdf"]
    assert [page["furniture"] for page in made["pages"]] == [[], ["T/BASIC/1", "2/2"]]
    assert made["pages"][0]["theme"][:3] == ["United Nations", "Distr.:", "15 March 2021 Original:"]
    assert made["pages"][1]["theme"] == ["Annex"]  # the rest of the annex is content
    assert made["attachments"] == {
        name: {"sha256": hashlib.sha256(data).hexdigest(), "size": len(data)}
        for name, data in carried.items()
    }


def test_a_page_painted_white_under_new_furniture_fails_naming_page_and_text(pdf, tmp_path):
    tampered = tmp_path / "white.pdf"
    forged = "47.9 million is corrected to 49.9 million"
    draw_on_page(pdf, tampered, 1, drawing(forged, "artifact", white=True))
    assert failed(tampered) == [("page 1", forged, NOT_DRAWN)]


def test_a_page_appended_with_a_correction_fails_and_the_cli_says_so(pdf, tmp_path):
    tampered = tmp_path / "appended.pdf"
    append_page(pdf, tampered, drawing("Correction: read 49.9 million in paragraph 1."))
    assert failed(tampered) == [
        ("page 3", "Correction: read 49.9 million in paragraph 1.",
         "a page the build did not make: the PDF has 3 pages, its manifest records 2"),
    ]  # fmt: skip
    command = [sys.executable, "-m", "reporter.cli", "check", "-q", str(tampered)]
    result = subprocess.run(command, cwd=tmp_path, capture_output=True, text=True, check=False)
    assert result.returncode == 1 and result.stderr == ""
    assert result.stdout.startswith(f"FAIL {tampered}: page 3: “Correction: read 49.9 million")


def test_text_outside_the_structure_fails(pdf, tmp_path):
    tampered = tmp_path / "unmarked.pdf"
    draw_on_page(pdf, tampered, 2, drawing("Unmarked words.", mark=""))
    [(place, text, message)] = failed(tampered)
    assert (place, text) == ("page 2", "Unmarked words.") and message.startswith(OUTSIDE)


def test_text_in_the_structure_but_not_in_the_content_fails(pdf, tmp_path):
    """Marked as the content of an element the page has (the annex's heading), it reads as the
    page's text: neither the content nor the theme's recorded text has it."""
    tampered = tmp_path / "inside.pdf"
    draw_on_page(pdf, tampered, 2, drawing("A sentence nobody wrote.", mark="mcid:0"))
    assert failed(tampered) == [
        (
            "page 2",
            "A sentence nobody wrote.",
            "not in the content, nor text the theme printed there",
        )
    ]


def test_invisible_text_fails(pdf, tmp_path):
    tampered = tmp_path / "invisible.pdf"
    draw_on_page(pdf, tampered, 1, drawing("Hidden words.", "artifact", mode=3))
    assert ("page 1", "Hidden words.", "drawn invisible") in failed(tampered)


def test_furniture_marked_otherwise_is_outside_the_structure(pdf, tmp_path):
    """The running head and page number of page 2 no longer marked as artifacts: text of no
    structure element, each named once."""
    tampered = tmp_path / "unmarked-furniture.pdf"
    source = pikepdf.open(pdf)
    page = source.pages[1]
    page.Contents = source.make_stream(page.Contents.read_bytes().replace(b"Artifact", b"Forged"))
    source.save(tampered)
    assert [(place, text) for place, text, _ in failed(tampered)] == [
        ("page 2", "T/BASIC/1"), ("page 2", "2/2"),
    ]  # fmt: skip
    assert all(message.startswith(OUTSIDE) for _, _, message in failed(tampered))


def test_furniture_removed_fails(pdf, tmp_path):
    """The last artifact the build drew on page 2 (its page number) taken out of it."""
    tampered = tmp_path / "unnumbered.pdf"
    source = pikepdf.open(pdf)
    page = source.pages[1]
    content = page.Contents.read_bytes()
    start = [m.start() for m in re.finditer(rb"/Artifact\s+BMC", content)][-1]
    end = content.index(b"EMC", start) + len(b"EMC")
    page.Contents = source.make_stream(content[:start] + content[end:])
    source.save(tampered)
    assert failed(tampered) == [("page 2", "2/2", "furniture the build drew there is gone")]


def test_pages_in_another_order_are_named(pdf, tmp_path):
    tampered = tmp_path / "swapped.pdf"
    reorder_pages(pdf, tampered, [2, 1])
    assert [(place, message) for place, _, message in failed(tampered)] == [
        ("page 1", "the build's page 2: pages moved or repeated after the build"),
        ("page 2", "the build's page 1: pages moved or repeated after the build"),
    ]


def test_a_page_repeated_in_place_of_another_fails(pdf, tmp_path):
    tampered = tmp_path / "repeated.pdf"
    reorder_pages(pdf, tampered, [1, 1])
    found = failed(tampered)
    assert found[0][0] == "page 2" and found[0][2].startswith("the build's page 1")
    assert ("heading", "Proposed programme", "not on any page as the content has it") in found


def test_pages_replaced_wholesale_by_the_same_text_fail(pdf, tmp_path):
    """The same HTML printed again by plain WeasyPrint: the same words on the same pages, but
    not the pages the build made (no structure, other drawing)."""
    import weasyprint

    donor = tmp_path / "donor.pdf"
    weasyprint.HTML(filename=pdf.with_suffix(".html")).write_pdf(donor)
    tampered = tmp_path / "replaced.pdf"
    replace_pages(pdf, donor, tampered)
    found = failed(tampered)
    assert {place for place, _, message in found if message.startswith(OUTSIDE)} == {
        "page 1", "page 2",
    }  # fmt: skip


def test_a_pdf_without_its_structure_tree_fails_once(pdf, tmp_path):
    tampered = tmp_path / "untagged.pdf"
    source = pikepdf.open(pdf)
    del source.Root.StructTreeRoot
    source.save(tampered)
    [(place, text, message)] = failed(tampered)
    assert place == "page 1" and text.startswith("United Nations T/BASIC/1 General Assembly")
    assert (
        message
        == "the PDF has no structure tree (the build makes one): its text is held by no element"
    )


def test_a_page_drawn_otherwise_with_the_same_text_fails(pdf, tmp_path):
    tampered = tmp_path / "resized.pdf"
    source = pikepdf.open(pdf)
    source.pages[1].MediaBox = [0, 0, 612, 792]
    source.save(tampered)
    [(place, text, message)] = failed(tampered)
    assert place == "page 2" and text.startswith("Annex Proposed programme The round table")
    assert message.startswith("drawn differently from the page the build made")


def test_an_annotation_drawing_over_a_page_fails(pdf, tmp_path):
    tampered = tmp_path / "annotated.pdf"
    annotate(pdf, tampered, 1, "49.9 million")
    assert failed(tampered) == [
        ("page 1", "/FreeText", "an annotation the build does not make: it may draw over the page")
    ]


def test_an_attachment_the_manifest_does_not_record_fails_unread(pdf, tmp_path):
    tampered = tmp_path / "extra.pdf"
    attach(pdf, tampered, "content/extra.yaml", b"x: 1\n")
    assert failed(tampered) == [
        ("attached content/extra.yaml", "content/extra.yaml",
         "not in the manifest: the build did not attach it"),
    ]  # fmt: skip


def test_a_recorded_attachment_removed_or_changed_fails(pdf, tmp_path):
    removed = tmp_path / "removed.pdf"
    source = pikepdf.open(pdf)
    del source.attachments["check.json"]
    source.save(removed)
    assert failed(removed) == [("attached check.json", "check.json", "missing from the PDF")]
    changed = tmp_path / "changed.pdf"
    model = attachments(pdf)["reporter-model.json"]
    replace_attachment(pdf, "reporter-model.json", model.replace(b"47.9", b"49.9"), changed)
    assert [place for place, _, _ in failed(changed)] == ["attached reporter-model.json"]


def test_a_manifest_that_records_no_pages_is_refused(pdf, tmp_path):
    tampered = tmp_path / "stale.pdf"
    manifest = json.loads(attachments(pdf)["manifest.json"])
    del manifest["pdf"]
    replace_attachment(pdf, "manifest.json", json.dumps(manifest).encode(), tampered)
    with pytest.raises(ReportError, match="its manifest records neither its pages nor its"):
        verify_pdf(tampered)
