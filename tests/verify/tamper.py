"""Edit a built PDF the way someone might after the build, with pikepdf: a number changed in
a page's content stream (the glyphs drawn), or an attached file replaced."""

from __future__ import annotations

import re
from pathlib import Path

import pikepdf


def change_printed_text(pdf_path: Path, old: str, new: str, target: Path) -> int:
    """Draw `new` instead of the first `old` drawn by one text-showing operator of a page
    (its glyphs may be spread over the strings of a justified line); the page's number
    (1-based). Both have the same length, and `new` only glyphs the font has."""
    pdf = pikepdf.open(pdf_path)
    for number, page in enumerate(pdf.pages, start=1):
        fonts, font = page.Resources.Font, None
        operations = pikepdf.parse_content_stream(page)
        for index, (operands, operator) in enumerate(operations):
            if str(operator) == "Tf":
                font = _to_unicode(fonts[operands[0]])
            elif str(operator) == "TJ" and font and _replace(operands[0], font, old, new):
                operations[index] = pikepdf.ContentStreamInstruction(operands, operator)
                page.Contents = pdf.make_stream(pikepdf.unparse_content_stream(operations))
                pdf.save(target)
                return number
    raise AssertionError(f"{old!r} is not drawn by one operator of {pdf_path}")


def _to_unicode(font) -> dict[bytes, str]:
    cmap = font.ToUnicode.read_bytes().decode("latin-1")
    pairs = re.findall(r"<([0-9a-f]{4})>\s*<([0-9a-f]{4})>", cmap, re.I)
    return {bytes.fromhex(code): chr(int(char, 16)) for code, char in pairs}


def _replace(array, font: dict[bytes, str], old: str, new: str) -> bool:
    """Edit the TJ array in place: each glyph of `old` becomes the glyph of `new`."""
    glyphs = []  # (item, offset) of each glyph drawn, in order
    for item, string in enumerate(array):
        if isinstance(string, pikepdf.String):
            glyphs += [(item, at) for at in range(0, len(bytes(string)), 2)]
    codes = {item: bytearray(bytes(array[item])) for item, _ in glyphs}
    text = "".join(font.get(bytes(codes[i][at : at + 2]), "\ufffd") for i, at in glyphs)
    found = text.find(old)
    if found < 0:
        return False
    code_of = {char: code for code, char in font.items()}
    for (item, at), char in zip(glyphs[found : found + len(new)], new, strict=True):
        codes[item][at : at + 2] = code_of[char]
    for item, data in codes.items():
        array[item] = pikepdf.String(bytes(data))
    return True


def replace_attachment(pdf_path: Path, name: str, data: bytes, target: Path) -> None:
    """The attached file `name` with other bytes; its file specification kept as it is."""
    pdf = pikepdf.open(pdf_path)
    spec = pdf.attachments[name]
    spec.obj.EF.F.write(data)
    pdf.save(target)
