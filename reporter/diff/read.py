"""Read a PDF back: the embedded document model of a reporter PDF, or, for any other PDF,
a model read off the text of its pages (reporter/diff/textmodel.py)."""

from __future__ import annotations

import json
from pathlib import Path

from reporter.diff.layout import page_lines
from reporter.diff.textmodel import text_model
from reporter.diff.words import vocabulary
from reporter.errors import Location, ReportError
from reporter.export.model import ATTACHMENT_NAME
from reporter.export.readback import attachments, open_pdf


def read_models(old: Path, new: Path) -> tuple[dict, dict, bool]:
    """(old, new, exact): the embedded models when both PDFs carry one; else both read off
    their pages, even the one that carries a model, so that both sides are read the same way
    (the same words, the same normalisation) and only what differs on the pages shows. One
    vocabulary, of both documents, decides the hyphens at line ends on either side."""
    models = [embedded_model(old), embedded_model(new)]
    if models[0] is not None and models[1] is not None:
        return models[0], models[1], True
    pages = [_lines(old), _lines(new)]
    words = vocabulary(line.text for side in pages for page in side for line in page)
    return text_model(pages[0], words), text_model(pages[1], words), False


def embedded_model(path: Path) -> dict | None:
    raw = attachments(path).get(ATTACHMENT_NAME)
    return None if raw is None else checked_model(raw, path)


def _lines(path: Path) -> list:
    document = open_pdf(path)
    try:
        return page_lines(document)
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
    """Each page's text as pdfium extracts it (`text_model` reads it too, without sizes)."""
    return [page.get_textpage().get_text_range().replace("\r\n", "\n") for page in document]
