"""Edit a built PDF the way someone might after the build, with pikepdf: a number changed in
a page's content stream (the glyphs drawn), an attached file replaced, text drawn over a page,
pages added, moved or replaced; and make hostile ones in milliseconds: a zlib bomb attached, a
page tree of 100,000 pages or 100,000 levels (an incremental update, so qpdf never walks it)."""

from __future__ import annotations

import re
import warnings
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


# --- forged pages and hostile files: small PDFs made in milliseconds ---------------------------


def build_basic(folder: Path) -> Path:
    """tests/roots/basic built into `folder` (HTML and PDF): the PDF a module tampers with."""
    from reporter.pipeline import build
    from tests.conftest import copy_root

    project = copy_root("basic", folder / "basic")
    return build(project, out=folder / "out", progress=lambda _: None).pdf


def _forged_font(pdf: pikepdf.Pdf) -> pikepdf.Dictionary:
    return pdf.make_indirect(
        pikepdf.Dictionary(
            Type=pikepdf.Name.Font,
            Subtype=pikepdf.Name.Type1,
            BaseFont=pikepdf.Name.Helvetica,
            Encoding=pikepdf.Name.WinAnsiEncoding,
        )  # fmt: skip
    )


def drawing(text: str, mark: str = "artifact", white: bool = False, mode: int = 0) -> bytes:
    """Content that draws `text` in Helvetica (/FForged) at the top of an A4 page, marked
    as furniture ("artifact"), as an element's content ("mcid:N") or not at all (""); after
    painting the page white, if asked; in text render mode `mode` (3: invisible)."""
    opening, closing = {"artifact": (b"/Artifact BMC\n", b"EMC\n"), "": (b"", b"")}.get(
        mark, (b"/P <</MCID %d>> BDC\n" % int(mark.partition(":")[2] or 0), b"EMC\n")
    )
    paint = b"q 1 1 1 rg 0 0 595.3 841.9 re f Q\n" if white else b""
    escaped = (
        text.encode("latin-1").replace(b"\\", b"\\\\").replace(b"(", b"\\(").replace(b")", b"\\)")
    )
    shown = b"BT /FForged 12 Tf %d Tr 72 760 Td (%s) Tj ET\n" % (mode, escaped)
    return paint + opening + shown + closing


def draw_on_page(pdf_path: Path, target: Path, number: int, content: bytes) -> None:
    """`content` drawn over page `number` (1-based), after what the build drew there."""
    pdf = pikepdf.open(pdf_path)
    page = pdf.pages[number - 1]
    fonts = page.obj.Resources.get("/Font")
    resources = pikepdf.Dictionary(page.obj.Resources)  # a copy: other pages share it
    resources.Font = pikepdf.Dictionary(fonts or {})
    resources.Font.FForged = _forged_font(pdf)
    page.obj.Resources = resources
    page.contents_add(pdf.make_stream(content), prepend=False)
    pdf.save(target)


def append_page(pdf_path: Path, target: Path, content: bytes) -> None:
    """A page added at the end that draws `content` (with /FForged)."""
    pdf = pikepdf.open(pdf_path)
    resources = pikepdf.Dictionary(Font=pikepdf.Dictionary(FForged=_forged_font(pdf)))
    page = pikepdf.Dictionary(Type=pikepdf.Name.Page, MediaBox=[0, 0, 595.3, 841.9],
                              Resources=resources, Contents=pdf.make_stream(content))  # fmt: skip
    pdf.pages.append(pikepdf.Page(page))
    pdf.save(target)


def reorder_pages(pdf_path: Path, target: Path, order: list[int]) -> None:
    """The pages in another order (1-based numbers), repeated or left out as `order` says."""
    pdf = pikepdf.open(pdf_path)
    kept = [pdf.pages[n - 1] for n in order]
    copies = [pikepdf.Page(pdf.make_indirect(pikepdf.Dictionary(p.obj))) for p in kept]
    del pdf.pages[:]
    pdf.pages.extend(copies)
    pdf.save(target)


def replace_pages(pdf_path: Path, other: Path, target: Path) -> None:
    """The pages of `other` (another PDF) instead of this one's; its evidence kept."""
    pdf, donor = pikepdf.open(pdf_path), pikepdf.open(other)
    count = len(pdf.pages)
    with warnings.catch_warnings():  # pikepdf warns that links may not resolve
        warnings.simplefilter("ignore")
        pdf.pages.extend(donor.pages)
    del pdf.pages[:count]
    pdf.save(target)


def annotate(pdf_path: Path, target: Path, number: int, text: str) -> None:
    """A FreeText annotation on page `number`: text a viewer draws over the page."""
    pdf = pikepdf.open(pdf_path)
    note = pdf.make_indirect(pikepdf.Dictionary(
        Type=pikepdf.Name.Annot, Subtype=pikepdf.Name.FreeText, Rect=[72, 700, 400, 730],
        Contents=pikepdf.String(text), DA=pikepdf.String("/Helv 12 Tf 0 g"),
    ))  # fmt: skip
    page = pdf.pages[number - 1].obj
    page.Annots = pikepdf.Array([*page.get("/Annots", []), note])
    pdf.save(target)


def zlib_bomb(size: int, chunk: int = 1 << 20) -> bytes:
    """A zlib stream of `size` zero bytes, about 1,000 times smaller, made without deflating
    them all: one block after a full flush, repeated, then the end and the checksum."""
    import zlib

    packer = zlib.compressobj(9)
    first = packer.compress(bytes(chunk)) + packer.flush(zlib.Z_FULL_FLUSH)
    again = packer.compress(bytes(chunk)) + packer.flush(zlib.Z_FULL_FLUSH)
    end = packer.flush(zlib.Z_FINISH)[:-4]
    checksum, zeros = 1, bytes(chunk)
    for _ in range(size // chunk):
        checksum = zlib.adler32(zeros, checksum)
    return first + again * (size // chunk - 1) + end + checksum.to_bytes(4, "big")


def bomb_attachment(pdf_path: Path, name: str, size: int, target: Path) -> None:
    """The attached file `name` replaced by `size` zero bytes, FlateDecode, ~size/1000 in the
    file; its declared /Params /Size left as it was."""
    pdf = pikepdf.open(pdf_path)
    pdf.attachments[name].obj.EF.F.write(zlib_bomb(size), filter=pikepdf.Name.FlateDecode)
    pdf.save(target, stream_decode_level=pikepdf.StreamDecodeLevel.none)


def incremental_update(pdf_path: Path, target: Path, objects: dict[int, bytes]) -> None:
    """`pdf_path` with an incremental update that replaces or adds `objects` (number -> the
    object's body): page trees of any shape without qpdf walking them."""
    data = pdf_path.read_bytes()
    previous = int(re.findall(rb"startxref\s+(\d+)", data)[-1])
    with pikepdf.open(pdf_path) as pdf:
        root, size = pdf.Root.objgen[0], max(int(pdf.trailer.Size), max(objects) + 1)
        ids = b" ".join(b"<" + bytes(i).hex().encode() + b">" for i in pdf.trailer.ID)
    out = bytearray(data if data.endswith(b"\n") else data + b"\n")
    offsets = {}
    for number, body in sorted(objects.items()):
        offsets[number] = len(out)
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 1\n0000000000 65535 f \n"
    for number, at in sorted(offsets.items()):
        out += b"%d 1\n%010d 00000 n \n" % (number, at)
    out += b"trailer\n<< /Size %d /Root %d 0 R /Prev %d /ID [%s] >>\nstartxref\n%d\n%%%%EOF\n" % (
        size, root, previous, ids, xref)  # fmt: skip
    target.write_bytes(bytes(out))


def repeat_first_page(pdf_path: Path, target: Path, count: int) -> None:
    """A page tree of `count` references to the first page (the 5,000-page file is 70 KB)."""
    with pikepdf.open(pdf_path) as pdf:
        tree, page = pdf.Root.Pages.objgen[0], pdf.pages[0].objgen[0]
    kids = b" ".join(b"%d 0 R" % page for _ in range(count))
    tree_node = b"<< /Type /Pages /Kids [%s] /Count %d >>" % (kids, count)
    incremental_update(pdf_path, target, {tree: tree_node})


def deep_page_tree(pdf_path: Path, target: Path, depth: int) -> None:
    """The first page at the bottom of a page tree `depth` nodes deep."""
    with pikepdf.open(pdf_path) as pdf:
        tree, page, size = pdf.Root.Pages.objgen[0], pdf.pages[0].objgen[0], int(pdf.trailer.Size)
    numbers = [tree, *range(size, size + depth)]
    objects = {
        number: b"<< /Type /Pages /Kids [%d 0 R] /Count 1 >>"
        % (numbers[at + 1] if at + 1 < len(numbers) else page)
        for at, number in enumerate(numbers)
    }
    incremental_update(pdf_path, target, objects)


def attach(pdf_path: Path, target: Path, name: str, data: bytes) -> None:
    """One more attached file, named `name` (any characters)."""
    pdf = pikepdf.open(pdf_path)
    pdf.attachments[name] = pikepdf.AttachedFileSpec(pdf, data, filename=name)
    pdf.save(target)


MEMORY = 1 << 30  # address space a hostile PDF may make the command use: 1 GiB
WRITTEN = 64 << 20  # bytes it may write to a file (its private folder included)


def run_limited(*args: str, cwd: Path):
    """`reporter ARGS` in a fresh process limited to MEMORY of address space and files of
    WRITTEN bytes: an allocation past it fails (MemoryError, or an abort), a write past it
    kills the process (SIGXFSZ)."""
    import resource
    import subprocess
    import sys

    def limit() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (MEMORY, MEMORY))
        resource.setrlimit(resource.RLIMIT_FSIZE, (WRITTEN, WRITTEN))

    command = [sys.executable, "-m", "reporter.cli", *args]
    return subprocess.run(command, cwd=cwd, capture_output=True, text=True, check=False,
                          preexec_fn=limit, timeout=120)  # fmt: skip
