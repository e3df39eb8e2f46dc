"""Read a built PDF back as text, for tests: page by page, and as one body stream."""

from __future__ import annotations

import re
from pathlib import Path

import pypdfium2 as pdfium


def page_texts(pdf: Path) -> list[str]:
    document = pdfium.PdfDocument(str(pdf))
    try:
        return [page.get_textpage().get_text_range().replace("\r\n", "\n") for page in document]
    finally:
        document.close()


def squash(text: str) -> str:
    """One line, single spaces, line breaks undone: WeasyPrint's automatic hyphens (U+2010)
    removed, a real hyphen ending a line (pdfium reports U+FFFE) kept, no space after a
    slash where a long address or symbol was broken."""
    text = re.sub("\u2010\\s*", "", text)
    text = re.sub("\ufffe\\s*", "-", text)
    text = re.sub(r"/\s+", "/", text)
    return re.sub(r"\s+", " ", text).strip()
