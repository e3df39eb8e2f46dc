"""`reporter check FILE.pdf` on hostile PDFs (reporter/export/readback.py, verify/run.py): each
ends in one line and exit code 2 when the PDF cannot be read, or in findings (exit 1) when it can
and was changed, in bounded memory (1 GiB of address space, 64 MB of files), without a traceback.
Each file is a copy of one small built PDF, made hostile with pikepdf in milliseconds."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pikepdf
import pytest

from reporter.cli import main
from reporter.export.readback import MAX_EVIDENCE, MAX_PAGE_SIDE, attachments
from tests.verify.tamper import (
    attach,
    bomb_attachment,
    build_basic,
    deep_page_tree,
    repeat_first_page,
    replace_attachment,
    run_limited,
    zlib_bomb,
)

GIB = 1 << 30


@pytest.fixture(scope="module")
def pdf(tmp_path_factory) -> Path:
    return build_basic(tmp_path_factory.mktemp("hostile"))


@pytest.fixture
def empty(tmp_path) -> Path:
    folder = tmp_path / "empty"
    folder.mkdir()
    return folder


def one_error(result) -> str:
    """The one line of a run that could not read its input (exit code 2)."""
    lines = result.stderr.splitlines()
    assert result.returncode == 2, result.stdout + result.stderr
    assert len(lines) == 1 and lines[0].startswith("error: "), result.stderr
    return lines[0]


def check(path: Path, capsys) -> tuple[int, list[str], str]:
    code = main(["check", str(path)])
    out, err = capsys.readouterr()
    return code, err.splitlines(), out


# --- resources: each run is limited to 1 GiB and 64 MB of files ---------------------------


def test_a_1_gib_attachment_is_refused_at_the_size_the_manifest_records(pdf, tmp_path, empty):
    """1 MB in the file: it cost 3.2 GB and wrote 1 GB to /tmp before."""
    hostile = tmp_path / "bomb.pdf"
    bomb_attachment(pdf, "data/hosts.csv", GIB, hostile)
    assert hostile.stat().st_size < 2_000_000
    line = one_error(run_limited("check", str(hostile), cwd=empty))
    assert line == (
        f"error: {hostile}: its attached data/hosts.csv decodes to more than the 142 bytes its "
        "manifest records (it was changed after the build, or not made by reporter)"
    )
    assert list(empty.iterdir()) == []


def test_a_1_gib_attachment_the_manifest_does_not_record_is_not_read(pdf, tmp_path, empty):
    hostile = tmp_path / "extra-bomb.pdf"
    attach(pdf, hostile, "data/extra.csv", b"x")
    source = pikepdf.open(hostile)
    source.attachments["data/extra.csv"].obj.EF.F.write(
        zlib_bomb(GIB), filter=pikepdf.Name.FlateDecode
    )
    source.save(hostile.with_name("extra.pdf"), stream_decode_level=pikepdf.StreamDecodeLevel.none)
    result = run_limited("check", "-q", str(hostile.with_name("extra.pdf")), cwd=empty)
    assert result.returncode == 1 and result.stderr == ""
    assert "attached data/extra.csv: “data/extra.csv”: not in the manifest" in result.stdout


def test_a_1_gib_page_content_is_refused_naming_the_page(pdf, tmp_path, empty):
    hostile = tmp_path / "content-bomb.pdf"
    source = pikepdf.open(pdf)
    source.pages[1].Contents.write(zlib_bomb(GIB), filter=pikepdf.Name.FlateDecode)
    source.save(hostile, stream_decode_level=pikepdf.StreamDecodeLevel.none)
    line = one_error(run_limited("check", str(hostile), cwd=empty))
    assert line.startswith(
        f"error: {hostile}: cannot read PDF: page 2: a stream decodes to more than"
    )


@pytest.mark.parametrize("count", [5_000, 100_000])
def test_thousands_of_pages_fail_and_are_not_read(pdf, tmp_path, empty, count):
    """5,000 pages (70 KB) passed and 100,000 hung before: now the pages past the manifest's
    are counted (up to 10,000), not read."""
    hostile = tmp_path / f"pages-{count}.pdf"
    repeat_first_page(pdf, hostile, count)
    started = time.monotonic()
    result = run_limited("check", "-q", str(hostile), cwd=empty)
    assert time.monotonic() - started < 30
    assert result.returncode == 1 and result.stderr == "", result.stderr
    many = "more than 10,000" if count > 10_000 else f"{count:,}"
    lines = result.stdout.splitlines()
    assert lines[0].startswith(f"FAIL {hostile}: page 3: “United Nations T/BASIC/1 General")
    assert lines[0].endswith(f"a page the build did not make: the PDF has {many} pages, "
                             "its manifest records 2")  # fmt: skip
    assert "page 2: “United Nations T/BASIC/1" in lines[1] and "the build's page 1" in lines[1]


def test_a_page_of_the_largest_size_is_read_in_bounded_memory(pdf, tmp_path, empty):
    hostile = tmp_path / "large.pdf"
    source = pikepdf.open(pdf)
    source.pages[0].MediaBox = [0, 0, MAX_PAGE_SIDE, MAX_PAGE_SIDE]
    source.save(hostile)
    result = run_limited("check", "-q", str(hostile), cwd=empty)
    assert result.returncode == 1 and result.stderr == ""
    assert "page 1: “United Nations" in result.stdout and "drawn differently" in result.stdout


def test_a_page_larger_than_pdf_allows_is_refused(pdf, tmp_path, capsys):
    hostile = tmp_path / "larger.pdf"
    source = pikepdf.open(pdf)
    source.pages[0].MediaBox = [0, 0, 20_000, 842]
    source.save(hostile)
    code, err, _ = check(hostile, capsys)
    assert code == 2 and err == [
        f"error: {hostile}: cannot read PDF: page 1: it is 20,000 × 842 pt, larger than a PDF "
        "page may be (14,400 pt) (give a PDF file as reporter or another tool wrote it)"
    ]


def test_an_inline_image_of_10_billion_pixels_is_refused(pdf, tmp_path, capsys):
    """Drawn by pdfium only if `diff` renders it; refused before, by what it declares."""
    hostile = tmp_path / "inline.pdf"
    source = pikepdf.open(pdf)
    image = b"q BI /W 100000 /H 100000 /CS /G /BPC 8 ID \x00\x00 EI Q\n"
    source.pages[1].contents_add(source.make_stream(image), prepend=False)
    source.save(hostile)
    code, err, _ = check(hostile, capsys)
    assert code == 2 and err == [
        f"error: {hostile}: cannot read PDF: page 2: its images have more than 25,000,000 "
        "pixels (give a PDF file as reporter or another tool wrote it)"
    ]


def test_a_page_tree_100_000_levels_deep_is_refused(pdf, tmp_path, capsys):
    hostile = tmp_path / "deep.pdf"
    deep_page_tree(pdf, hostile, 100_000)
    code, err, _ = check(hostile, capsys)
    assert code == 2 and err == [
        f"error: {hostile}: cannot read PDF: its page tree is nested deeper than 64 levels "
        "(give a PDF file as reporter or another tool wrote it)"
    ]


# --- a damaged manifest or attachment names: one line, exit 2, no traceback ----------------


def _manifest(pdf: Path, target: Path, edit) -> Path:
    manifest = json.loads(attachments(pdf)["manifest.json"])
    text = edit(manifest)
    replace_attachment(pdf, "manifest.json", text if isinstance(text, bytes) else
                       json.dumps(text).encode(), target)  # fmt: skip
    return target


@pytest.mark.parametrize(
    "edit, why",
    [
        (lambda m: m | {"inputs": []}, 'at inputs: [] is not of type "object"'),
        (lambda m: m | {"parameters": ["fr"]}, 'at parameters: ["fr"] is not of type "object"'),
        (
            lambda m: m | {"parameters": {"country": 1}},
            'at parameters/country: 1 is not of type "string"',
        ),
        (
            lambda m: {**m, "pdf": {**m["pdf"], "pages": "2"}},
            'at pdf/pages: "2" is not of type "array"',
        ),
    ],
)
def test_a_manifest_of_the_wrong_shape_is_one_line(pdf, tmp_path, capsys, edit, why):
    hostile = _manifest(pdf, tmp_path / "manifest.pdf", edit)
    code, err, _ = check(hostile, capsys)
    assert code == 2 and err == [
        f"error: {hostile}: its attached manifest.json is not a reporter manifest: {why} "
        "(it was changed after the build, or not made by reporter)"
    ]


@pytest.mark.parametrize(
    "text, why",
    [
        (b"[" * 100_000 + b"]" * 100_000, "is nested deeper than 64 levels"),
        (b'{"inputs": ', "is not JSON"),
        (b"\xff\xfe", "is not UTF-8 text"),
    ],
)
def test_a_manifest_that_is_not_json_is_one_line(pdf, tmp_path, capsys, text, why):
    hostile = _manifest(pdf, tmp_path / "manifest.pdf", lambda _: text)
    code, err, _ = check(hostile, capsys)
    assert code == 2 and err == [
        f"error: {hostile}: its attached manifest.json {why} "
        "(give a PDF file as reporter or another tool wrote it)"
    ]


def test_a_manifest_recording_too_many_bytes_is_refused_before_reading(pdf, tmp_path, capsys):
    def inflate(manifest):
        for entry in manifest["pdf"]["attachments"].values():
            entry["size"] = 50_000_000
        return manifest

    hostile = _manifest(pdf, tmp_path / "sizes.pdf", inflate)
    code, err, _ = check(hostile, capsys)
    assert code == 2 and err[0].startswith(
        f"error: {hostile}: its manifest records 550,000,000 bytes"
    )
    assert f"more than the {MAX_EVIDENCE:,} allowed" in err[0]


@pytest.mark.parametrize(
    "name, why",
    [
        ("content/a\x00b.yaml", "“content/a\\u0000b.yaml”, not a file name (control characters)"),
        ("content/" + "a/" * 2_000 + "x.yaml", "deeper than 32 folders"),
        ("content/../../escape.yaml", "“content/../../escape.yaml”, outside the project"),
        ("data/\u202egnp.yaml", "“data/\\u202egnp.yaml”, not a file name"),
    ],
)
def test_an_attachment_name_that_cannot_be_unpacked_is_one_line(pdf, tmp_path, capsys, name, why):
    hostile = tmp_path / "named.pdf"
    attach(pdf, hostile, name, b"x: 1\n")
    code, err, _ = check(hostile, capsys)
    assert code == 2 and len(err) == 1 and why in err[0], err
    assert err[0].startswith(f"error: {hostile}: an attachment is named “")
    assert not (tmp_path / "escape.yaml").exists()
