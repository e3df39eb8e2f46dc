"""Read a PDF back: the embedded document model of a reporter PDF, or, for any other PDF,
a model read off the text of its pages (reporter/diff/textmodel.py)."""

from __future__ import annotations

from pathlib import Path

from reporter.diff.layout import page_lines
from reporter.diff.textmodel import text_model
from reporter.diff.words import vocabulary
from reporter.errors import Location, ReportError
from reporter.export.model import ATTACHMENT_NAME
from reporter.export.readback import MAX_JSON, MAX_PAGES, PdfFile, loads, read_manifest


class Side:
    """One PDF of a diff, read as untrusted input (export/readback.py): its manifest when it
    carries one (checked against its schema), its embedded model (read within the size the
    manifest records), and its pages, as many as the manifest records (any other number is
    an error: pages added or removed after the build) or MAX_PAGES, each walked within
    bounds before pdfium reads it. No other attachment is read."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.file = PdfFile(path)
        try:
            self.manifest = read_manifest(self.file)
            self.model = self._model()
            self.document = self._pages()
        except BaseException:
            self.file.__exit__()
            raise

    def __enter__(self) -> Side:
        return self

    def __exit__(self, *_) -> None:
        self.document.close()
        self.file.__exit__()

    def _model(self) -> dict | None:
        if ATTACHMENT_NAME not in self.file.files():
            return None
        made = (self.manifest or {}).get("pdf", {}).get("attachments", {})
        size = made.get(ATTACHMENT_NAME, {}).get("size", MAX_JSON)
        allowed = f"the {size:,} bytes its manifest records" if size < MAX_JSON else ""
        raw = self.file.read(ATTACHMENT_NAME, min(size, MAX_JSON), allowed)
        return checked_model(raw, self.path)

    def _pages(self):
        recorded = len((self.manifest or {}).get("pdf", {}).get("pages", [])) or None
        pages, count = self.file.pages(recorded or MAX_PAGES)
        if recorded is not None and count != recorded:
            many = f"more than {MAX_PAGES:,}" if count > MAX_PAGES else f"{count:,}"
            raise ReportError(
                f"it has {many} pages, its manifest records {recorded:,}", Location(self.path),
                "pages were added or removed after the build: 'reporter check' says which",
            )  # fmt: skip
        if count > MAX_PAGES:
            raise ReportError(f"cannot read PDF: it has more than {MAX_PAGES:,} pages",
                              Location(self.path), "compare fewer pages")  # fmt: skip
        self.file.digests(pages)
        return self.file.pdfium(pages)


def read_models(old: Side | Path, new: Side | Path) -> tuple[dict, dict, bool]:
    """(old, new, exact): the embedded models when both PDFs carry one; else both read off
    their pages, even the one that carries a model, so that both sides are read the same way
    (the same words, the same normalisation) and only what differs on the pages shows. One
    vocabulary, of both documents, decides the hyphens at line ends on either side."""
    if isinstance(old, Path) and isinstance(new, Path):  # two files: read, then closed
        with Side(old) as first, Side(new) as second:
            return read_models(first, second)
    assert isinstance(old, Side) and isinstance(new, Side)
    if old.model is not None and new.model is not None:
        return old.model, new.model, True
    pages = [page_lines(old.document), page_lines(new.document)]
    words = vocabulary(line.text for side in pages for page in side for line in page)
    return text_model(pages[0], words), text_model(pages[1], words), False


def embedded_model(path: Path) -> dict | None:
    with Side(path) as side:
        return side.model


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
        model = loads(raw)
    except ValueError as exc:
        raise damaged(str(exc)) from None
    if not isinstance(model, dict) or not isinstance(model.get("paragraphs"), list):
        raise damaged("not a document model")
    for kind, fields in _ENTRIES.items():
        entries = model.setdefault(kind, [])
        if not isinstance(entries, list):
            raise damaged(f"{kind} is not a list")
        for entry in entries:
            why = _wrong(entry, fields, kind)
            rows = entry["rows"] if kind == "tables" and not why else []
            why = why or next(filter(None, (_wrong(row, _ROW, kind) for row in rows)), "")
            if why:
                raise damaged(why)
    return model


def _wrong(entry: object, fields: dict, kind: str) -> str:
    """What is wrong with an entry of the model, or "" """
    if not isinstance(entry, dict):
        return f"an entry of {kind} is not a mapping"
    for field, types in fields.items():
        if not isinstance(entry.get(field), types):
            return f"{kind}: {field!r} missing or of the wrong type"
    for field, inner in (("columns", str), ("cells", str), ("series", dict)):
        values = entry.get(field, {}).values() if field in fields else ()
        if not all(isinstance(value, inner) for value in values):
            return f"{kind}: values that are not {'mappings' if inner is dict else 'text'}"
    series = entry["series"].values() if "series" in fields else ()
    if not all(_is_number(number) for values in series for number in values.values()):
        return f"{kind}: values that are not numbers"
    return ""


def _is_number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def page_texts(document) -> list[str]:
    """Each page's text as pdfium extracts it (`text_model` reads it too, without sizes)."""
    return [page.get_textpage().get_text_range().replace("\r\n", "\n") for page in document]
