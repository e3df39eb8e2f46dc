"""Read a PDF back: the embedded document model of a reporter PDF, or, for any other PDF,
numbered paragraphs segmented from the text of its pages."""

from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path

from reporter.errors import Location, ReportError
from reporter.export.model import ATTACHMENT_NAME


def open_pdf(path: Path):
    import pypdfium2 as pdfium

    try:
        return pdfium.PdfDocument(str(path))
    except (pdfium.PdfiumError, FileNotFoundError, OSError) as exc:
        raise ReportError(
            f"cannot read PDF: {exc}", Location(path), "give the path of a PDF file"
        ) from None


def read_model(path: Path) -> tuple[dict, bool]:
    """(model, exact): the embedded model when there is one, else a model read off the text."""
    document = open_pdf(path)
    try:
        for index in range(document.count_attachments()):
            attachment = document.get_attachment(index)
            if attachment.get_name() == ATTACHMENT_NAME:
                return checked_model(bytes(attachment.get_data()), path), True
        return text_model(page_texts(document)), False
    finally:
        document.close()


# what `compare` reads of each kind of entry: field -> allowed types
_NUMBER = (int, type(None))
_ENTRIES = {
    "paragraphs": {"key": str, "number": _NUMBER, "text": str, "where": str},
    "headings": {"where": str, "text": str},
    "footnotes": {"id": str, "number": _NUMBER, "text": str},
    "tables": {"id": str, "number": _NUMBER, "title": str, "columns": dict, "rows": list},
    "figures": {"id": str, "number": (str, int), "title": str, "series": dict},
}
_ROW = {"id": str, "label": str, "cells": dict}


def checked_model(raw: bytes, path: Path) -> dict:
    """The embedded model, or an error saying it is damaged: a PDF edited after the build
    must not pass for a document that differs (exit 1) or crash the diff."""

    def damaged(why: str) -> ReportError:
        return ReportError(
            f"its embedded document model ({ATTACHMENT_NAME}) is damaged: {why}",
            Location(path),
            "rebuild the PDF with reporter",
        )

    try:
        model = json.loads(raw)
    except (ValueError, RecursionError):
        raise damaged("not JSON") from None
    if not isinstance(model, dict) or not isinstance(model.get("paragraphs"), list):
        raise damaged("not a document model")
    for kind, fields in _ENTRIES.items():
        entries = model.setdefault(kind, [])
        rows = [r for t in entries if kind == "tables" and isinstance(t, dict)
                for r in t.get("rows", [])]  # fmt: skip
        for entry, expected in [*((e, fields) for e in entries), *((r, _ROW) for r in rows)]:
            if not isinstance(entry, dict):
                raise damaged(f"an entry of {kind} is not a mapping")
            for field, types in expected.items():
                if not isinstance(entry.get(field), types):
                    raise damaged(f"{kind}: {field!r} missing or of the wrong type")
            nested = [
                *entry.get("series", {}).values(),
                *([entry["cells"]] if "cells" in entry else []),
            ]
            if not all(isinstance(values, dict) for values in nested):
                raise damaged(f"{kind}: values that are not mappings")
    return model


def page_texts(document) -> list[str]:
    return [page.get_textpage().get_text_range().replace("\r\n", "\n") for page in document]


def text_model(pages: list[str]) -> dict:
    """Paragraphs segmented from extracted text: furniture (lines repeated on most pages, page
    numbers) removed, lines re-joined, split where a line starts with "N. "."""
    lines_per_page = [[line.strip() for line in text.split("\n")] for text in pages]
    repeated = Counter(line for lines in lines_per_page for line in set(lines) if line)
    furniture = {line for line, n in repeated.items() if len(pages) > 2 and n > len(pages) / 2}
    body = []
    for lines in lines_per_page:
        for line in lines:
            if line and line not in furniture and not re.fullmatch(r"\d+(?:/\d+)?", line):
                body.append(line)
    text = "\n".join(body)
    text = re.sub("\u2010\n|\ufffe\n", lambda m: "" if m[0][0] == "\u2010" else "-", text)
    paragraphs, current = [], None
    for line in text.split("\n"):
        if m := re.fullmatch(r"(\d{1,3})\.(?:\s+(\S.*))?", line):
            number = int(m[1])  # a number alone on a line: its text went to the next page
            if current is None or number == current["number"] + 1:
                current = {
                    "key": f"para. {number}",
                    "number": number,
                    "where": "",
                    "text": m[2] or "",
                }
                paragraphs.append(current)
                continue
        if current is not None:
            current["text"] += " " + line
    for paragraph in paragraphs:
        paragraph["text"] = re.sub(r"\s+", " ", paragraph["text"]).strip()
    return {
        "version": 0,
        "paragraphs": paragraphs,
        "headings": [],
        "footnotes": [],
        "tables": [],
        "figures": [],
    }
