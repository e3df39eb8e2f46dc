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
                return json.loads(bytes(attachment.get_data())), True
        return text_model(page_texts(document)), False
    finally:
        document.close()


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
