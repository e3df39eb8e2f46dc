"""Hostile PDFs (mutations of a real reporter PDF, tests/hostile/pdfs.py) through what
`reporter check FILE.pdf` and `reporter diff A B` run: reporter.verify.run.verify_pdf and
reporter.diff.run.diff_pdfs, in a forked child each. Whatever the PDF holds: a report or one
ReportError line, never another exception, an abort or a crash in pdfium, more than 1 GiB of
memory, nor a file left behind (the unpacked evidence is removed, also on an error) or
written outside the private folder. And a PDF whose pages or evidence changed never passes
its check."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from reporter.diff.run import diff_pdfs
from reporter.verify.run import verify_pdf
from tests.hostile.conftest import HOSTILE
from tests.hostile.isolate import assert_contained, run_isolated
from tests.hostile.pdfs import MANIFEST, MODEL, MUTATIONS, mutate


class Original(bytes):
    """The bytes of the basic PDF, shown short in a failing example."""

    def __repr__(self) -> str:
        return "<tests/roots/basic built: PDF>"


@pytest.fixture(scope="module")
def original(basic_pdf) -> Original:
    return Original(basic_pdf.read_bytes())


def in_child(folder: Path, call) -> dict | None:
    """`call()` in a forked child whose temporary files go to folder/tmp; that folder must be
    empty afterwards, and nothing but the PDFs may be left beside it. What the call returned
    (None for a ReportError)."""
    private = folder / "tmp"
    private.mkdir()
    before = sorted(p.name for p in folder.iterdir())

    def child():
        tempfile.tempdir = str(private)
        return call()

    value = assert_contained(run_isolated(child, timeout=60))
    assert sorted(p.name for p in folder.iterdir()) == before, "written beside the PDF"
    assert list(private.iterdir()) == [], "left in the temporary folder"
    return value


def verified(path: Path) -> dict:
    report = verify_pdf(path)
    return {"problems": [], "failed": len(report.failed), "first": str(report.failed[:1])[:300]}


def run_check(folder: Path, data: bytes) -> dict | None:
    path = folder / "x.pdf"
    path.write_bytes(data)
    return in_child(folder, lambda: verified(path))


@settings(HOSTILE, max_examples=20)
@given(MUTATIONS)
def test_check_of_any_pdf_is_a_report_or_one_error(scratch, original, steps):
    run_check(scratch(), mutate(original, steps))


@settings(HOSTILE, max_examples=10)
@given(MUTATIONS)
def test_diff_of_any_pdf_is_a_result_or_one_error(scratch, original, steps):
    run_diff(scratch(), original, steps)


def run_diff(folder: Path, original: bytes, steps: list) -> None:
    old, new = folder / "old.pdf", folder / "new.pdf"
    old.write_bytes(original)
    new.write_bytes(mutate(original, steps))

    def call():
        result = diff_pdfs(old, new)
        return [] if result.text() is not None else ["no text"]

    in_child(folder, call)


NASTIEST = {  # each a test of its own, so that each shows apart when it fails
    "a 1 GiB attachment": [("attachment_bomb", "data/hosts.csv", 1 << 30, 142)],
    "a 1 GiB manifest": [("attachment_bomb", MANIFEST, 1 << 30, 10**12)],
    "a manifest 100,000 deep": [("attachment_replaced", MANIFEST, "deep")],
    "a manifest of inputs: []": [("attachment_replaced", MANIFEST, "inputs-list")],
    "a manifest of parameters: [1, 2]": [("attachment_replaced", MANIFEST, "parameters-list")],
    "an attachment 2,000 folders deep": [
        ("attachment_renamed", "content/document.yaml", "content/" + "a/" * 2_000 + "x.yaml")
    ],
    "an attachment named with a NUL": [
        ("attachment_renamed", "data/hosts.csv", "content/\x00x.yaml")
    ],
    "a page that is its own parent": [("tree_cycle", "page-parent")],
    "40 more pages": [("duplicate_page", 0, 40)],
    "40 more pages, the manifest forged": [("duplicate_page_forged", 0, 40)],
    "pages of 14,400 pt": [("media_box", page, [0, 0, 14400, 14400]) for page in (0, 1)],
    "a /UserUnit of 75,000": [("user_unit", 0, 75_000)],
    "a model 100,000 deep": [("attachment_replaced", MODEL, "deep")],
    "a model with cells of lists": [("attachment_replaced", MODEL, "model-deep-cells")],
    "a 1 GiB model": [("attachment_bomb", MODEL, 1 << 30, 10**12)],
}


@pytest.mark.parametrize("case", NASTIEST)
def test_the_nastiest_pdfs_check_and_diff_or_are_one_error(scratch, original, case):
    run_check(scratch(), mutate(original, NASTIEST[case]))
    run_diff(scratch(), original, NASTIEST[case])


INPUTS = ["content/01-trends.yaml", "data/hosts.csv", "tables/hosts.csv"]
# Mutations that change what the document says or carries: its pages, their order, their
# text, or the bytes of its evidence. (Rotating a page or changing its box does not.)
CHANGES = st.lists(
    st.one_of(
        st.tuples(st.just("remove_page"), st.integers(0, 3)),
        st.tuples(st.just("duplicate_page"), st.integers(0, 3), st.sampled_from([1, 3])),
        st.tuples(st.just("reverse_pages")),
        st.tuples(st.just("replace_contents"), st.integers(0, 3),
                  st.sampled_from(["garbage", "none"])),
        st.tuples(st.just("attachment_replaced"), st.sampled_from(INPUTS),
                  st.sampled_from(["csv-1e400", "binary", "tag"])),
        st.tuples(st.just("attachment_removed"), st.sampled_from(INPUTS)),
        # a forger's: the manifest edited to match
        st.tuples(st.just("duplicate_page_forged"), st.integers(0, 3), st.sampled_from([1, 3])),
        st.tuples(st.just("attachment_forged"), st.just("data/hosts.csv"),
                  st.just("hosts-changed")),
    ),
    min_size=1,
    max_size=2,
    unique_by=lambda step: step[0],  # (reversing twice, say, changes nothing)
)  # fmt: skip


@settings(HOSTILE, max_examples=10)
@given(CHANGES)
@example([("attachment_forged", "data/hosts.csv", "hosts-changed")])
@example([("duplicate_page_forged", 1, 1)])
def test_a_pdf_whose_pages_or_evidence_changed_never_passes(scratch, original, steps):
    folder = scratch()
    path = folder / "x.pdf"
    path.write_bytes(mutate(original, steps))
    report = in_child(folder, lambda: verified(path))
    assert report is None or report["failed"] > 0, f"{steps} passed the check"


def test_the_original_passes_its_check_in_the_child(scratch, original):
    """The harness is real: the unchanged PDF (saved again) is checked, and passes."""
    folder = scratch()
    path = folder / "x.pdf"
    path.write_bytes(mutate(original, []))
    report = in_child(folder, lambda: verified(path))
    assert report is not None and report["failed"] == 0, report
