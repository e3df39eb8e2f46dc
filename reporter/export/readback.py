"""Read a PDF back: its attachments, and the text of its pages without their artifacts
(running headers, page numbers), in the order the content streams draw it."""

from __future__ import annotations

import ctypes
from pathlib import Path
from typing import NamedTuple

from reporter.errors import Location, ReportError


def open_pdf(path: Path):
    import pypdfium2 as pdfium

    if not path.is_file():
        raise ReportError("no such file", Location(path), "give the path of a PDF file")
    try:
        return pdfium.PdfDocument(str(path))
    except (pdfium.PdfiumError, FileNotFoundError, OSError) as exc:
        raise ReportError(
            f"cannot read PDF: {exc}", Location(path), "give the path of a PDF file"
        ) from None


def attachments(path: Path) -> dict[str, bytes]:
    """name -> bytes of each embedded file (the first of a name, as viewers show it)."""
    document = open_pdf(path)
    try:
        found: dict[str, bytes] = {}
        for index in range(document.count_attachments()):
            attachment = document.get_attachment(index)
            found.setdefault(attachment.get_name(), bytes(attachment.get_data()))
        return found
    finally:
        document.close()


class TextRun(NamedTuple):
    page: int  # 0-based
    mcid: int  # the marked-content id of its structure element; -1 when none
    text: str
    marks: list[str]  # the marked-content tags around it: "Span", "Artifact"…


def text_runs(path: Path) -> tuple[int, list[TextRun]]:
    """(the number of pages, every text object of every page) in drawing order (for a
    reporter PDF, the reading order), with its marks."""
    import pypdfium2.raw as raw

    document = open_pdf(path)
    try:
        found = []
        for index, page in enumerate(document):
            textpage = page.get_textpage()
            for obj in page.get_objects(filter=[raw.FPDF_PAGEOBJ_TEXT], max_depth=8):
                text = _utf16(raw.FPDFTextObj_GetText, obj.raw, textpage.raw)
                mcid = raw.FPDFPageObj_GetMarkedContentID(obj.raw)
                found.append(TextRun(index, mcid, text, _marks(obj.raw)))
        return len(document), found
    finally:
        document.close()


def page_content_texts(path: Path) -> list[str]:
    """Per page, the text of its tagged content: text objects marked /Artifact are left out."""
    pages, runs = text_runs(path)
    kept: list[list[str]] = [[] for _ in range(pages)]
    for run in runs:
        if "Artifact" not in run.marks:
            kept[run.page].append(run.text)
    return [" ".join(texts) for texts in kept]


def _marks(obj) -> list[str]:
    import pypdfium2.raw as raw

    names = []
    for index in range(raw.FPDFPageObj_CountMarks(obj)):
        mark = raw.FPDFPageObj_GetMark(obj, index)
        size = ctypes.c_ulong()
        raw.FPDFPageObjMark_GetName(mark, None, 0, ctypes.byref(size))
        buffer = ctypes.create_string_buffer(size.value)
        raw.FPDFPageObjMark_GetName(mark, _wide(buffer), size.value, ctypes.byref(size))
        names.append(buffer.raw[: size.value].decode("utf-16-le").rstrip("\x00"))
    return names


def _utf16(function, *args) -> str:
    """A pdfium string getter's UTF-16 result: asked once for its size, then filled."""
    size = function(*args, None, 0)
    buffer = ctypes.create_string_buffer(size)
    function(*args, _wide(buffer), size)
    return buffer.raw[:size].decode("utf-16-le").rstrip("\x00")


def _wide(buffer):
    return ctypes.cast(buffer, ctypes.POINTER(ctypes.c_ushort))
