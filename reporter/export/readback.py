"""Read a PDF back, as untrusted input: a PDF given to `reporter check` or `reporter diff` may
have been made to hurt. Everything is read within bounds, and nothing is decoded whole
before its size is known:

- its attachments are listed without reading them, and each is decoded only when asked
  for, by zlib, up to a limit (the size the manifest records, or MAX_ATTACHMENT);
- its page tree is walked by reporter, not by qpdf or pdfium (which build it whole), up to
  the pages asked for, MAX_PAGES counted, MAX_TREE_DEPTH levels;
- each page read is walked with pikepdf within bounds (objects, nesting, the decoded size of
  every stream, the pixels of its images, the size of the page) and digested: the digest
  the build records in the manifest, so that a page changed in any way is caught;
- pdfium reads the text and draws the pages of a copy that holds those pages alone, so it
  never parses anything the bounds did not cover (`PdfFile.pdfium`).

Errors are one line (ReportError, exit code 2 for check and diff): "cannot read PDF: …".
"""

from __future__ import annotations

import ctypes
import hashlib
import io
import json
import logging
import re
import zlib
from contextlib import contextmanager
from pathlib import Path
from typing import NamedTuple

from reporter.errors import Location, ReportError

MAX_ATTACHMENT = 50_000_000  # bytes of one attached file decoded: the largest file a build reads
MAX_EVIDENCE = 200_000_000  # bytes of every attachment together (unpacked to a private folder)
MAX_ATTACHMENTS = 10_000
MAX_JSON = 20_000_000  # bytes of an attached JSON file (the manifest, the model, the check)
MAX_JSON_DEPTH = 64  # levels of nesting in it, scanned before json.loads recurses
MAX_PAGES = 10_000  # pages read, or counted
MAX_TREE_DEPTH = 64  # levels of the page tree, and of nesting in the objects a page uses
MAX_OBJECTS = 2_000_000  # objects visited in a PDF's pages
MAX_TEXT_RUNS = 500_000  # pieces of text (text objects) read off the pages
MAX_STREAM = 64_000_000  # bytes of one stream a page uses (a font, its content), decoded
MAX_PAGE_CONTENT = 16_000_000  # bytes of one page's content (its forms and patterns too)
MAX_CONTENT = 256_000_000  # bytes of the content of every page read
MAX_DECODED = 1_000_000_000  # bytes of every stream the pages use, each decoded once
MAX_PAGE_PIXELS = 25_000_000  # pixels of the images one page draws
MAX_PAGE_SIDE = 14_400  # points: the largest page PDF allows (200 inches)

INHERITED = ("/Resources", "/MediaBox", "/CropBox", "/Rotate")  # from the page tree's nodes
KEPT = ("/MediaBox", "/CropBox", "/Rotate", "/Resources", "/Contents", "/Group", "/UserUnit")
NOT_FOLLOWED = {"/Page", "/Pages", "/Catalog", "/StructTreeRoot", "/StructElem", "/MCR", "/OBJR"}
FLATE = ("/FlateDecode",)
TEXT_FILTERS = {"/ASCIIHexDecode", "/ASCII85Decode"}  # expand a stream's size by 2 at most
IMAGE_FILTERS = {(), FLATE, ("/DCTDecode",), ("/CCITTFaxDecode",)}
HINT = "give a PDF file as reporter or another tool wrote it"


class TooLarge(Exception):
    """A stream that decodes to more than its limit (raised before it is decoded whole)."""


class Refused(Exception):
    """Something in a page that is not read (a bound, an encoding): the message says what."""


class Page(NamedTuple):
    obj: object  # the page's dictionary (pikepdf)
    inherited: dict  # the attributes it takes from the page tree's nodes


class PageDigest(NamedTuple):
    sha256: str  # of what the page draws: its content, resources, boxes and annotations
    annotations: list[str]  # those that may draw on the page: not plain links ("/FreeText")


class TextRun(NamedTuple):
    page: int  # 0-based
    mcid: int  # the marked-content id of its structure element; -1 when none
    text: str
    marks: list[str]  # the marked-content tags around it: "Span", "Artifact"…
    visible: bool = True  # False for text drawn invisible (render mode 3 or 7)


class PdfFile:
    """An untrusted PDF, opened with pikepdf (qpdf) without walking its page tree."""

    def __init__(self, source: Path | bytes, shown: Path | None = None) -> None:
        import pikepdf

        self.shown = shown or (source if isinstance(source, Path) else Path("PDF"))
        if isinstance(source, Path) and not source.is_file():
            raise ReportError("no such file", Location(source), "give the path of a PDF file")
        logging.getLogger("pikepdf").setLevel(logging.ERROR)  # qpdf's warnings: not ours
        with self.reading():
            opened = source if isinstance(source, Path) else io.BytesIO(source)
            self.pdf = pikepdf.open(opened, inherit_page_attributes=False)
            self.catalog = self.pdf.Root
        self._files: dict[str, object] | None = None

    def __enter__(self) -> PdfFile:
        return self

    def __exit__(self, *_) -> None:
        self.pdf.close()

    def error(self, message: str, hint: str = HINT) -> ReportError:
        return ReportError(message, Location(self.shown), hint)

    @contextmanager
    def reading(self, what: str = ""):
        """Any failure of qpdf or of a malformed object as one line."""
        import pikepdf

        try:
            yield
        except (ReportError, TooLarge, Refused):
            raise
        except pikepdf.PasswordError:
            raise self.error("cannot read PDF: it is encrypted", "give it unencrypted") from None
        except (pikepdf.PdfError, pikepdf.ForeignObjectError, ValueError, TypeError, KeyError,
                AttributeError, IndexError, RecursionError, OverflowError, zlib.error,
                RuntimeError, MemoryError, OSError) as exc:  # fmt: skip
            where = f" {what}" if what else ""
            raise self.error(f"cannot read PDF{where}: {shown(first_line(exc))}") from None

    # --- attachments ----------------------------------------------------------------------

    def files(self) -> dict[str, object]:
        """name -> the stream of each embedded file, the first of each name (as viewers list
        them); none of them is read."""
        if self._files is None:
            with self.reading("its attachments"):
                self._files = self._list_files()
        return self._files

    def _list_files(self) -> dict[str, object]:
        import pikepdf

        names = self.catalog.get("/Names")
        tree = names.get("/EmbeddedFiles") if isinstance(names, pikepdf.Dictionary) else None
        if not isinstance(tree, pikepdf.Dictionary):
            return {}
        found: dict[str, object] = {}
        for count, (_, spec) in enumerate(pikepdf.NameTree(tree).items()):
            if count >= MAX_ATTACHMENTS:
                raise self.error(f"cannot read PDF: more than {MAX_ATTACHMENTS:,} attachments")
            if not isinstance(spec, pikepdf.Dictionary):
                continue
            name = spec.get("/UF", spec.get("/F"))
            files = spec.get("/EF")
            stream = (
                files.get("/F", files.get("/UF")) if isinstance(files, pikepdf.Dictionary) else None
            )
            if isinstance(name, pikepdf.String) and isinstance(stream, pikepdf.Stream):
                found.setdefault(str(name), stream)
        return found

    def read(self, name: str, limit: int, allowed: str = "") -> bytes:
        """The attached file `name`, decoded; an error if it decodes to more than `limit`
        bytes (`allowed` says whose limit: "the 1,234 bytes its manifest records")."""
        allowed = allowed or f"the {limit:,} bytes allowed"
        with self.reading(f"its attached {shown(name)}"):
            stream = self.files()[name]
            try:
                data = inflate(stream, limit)
            except TooLarge:
                raise self.error(
                    f"its attached {shown(name)} decodes to more than {allowed}",
                    "it was changed after the build, or not made by reporter",
                ) from None
            if data is None:
                encoded = " ".join(filters(stream))
                raise self.error(f"cannot read PDF: its attached {shown(name)} is encoded with "
                                 f"{encoded}, not as reporter writes it")  # fmt: skip
            return data

    # --- pages ----------------------------------------------------------------------------

    def pages(self, wanted: int) -> tuple[list[Page], int]:
        """(the first `wanted` pages, how many the PDF has: counted up to MAX_PAGES + 1),
        walking the page tree in order, within MAX_TREE_DEPTH levels and MAX_OBJECTS nodes."""
        with self.reading("its page tree"):
            return _page_tree(self.catalog.get("/Pages"), wanted, self.error)

    def digests(self, pages: list[Page]) -> list[PageDigest]:
        """Each page walked within bounds (a page that exceeds one is refused, naming it),
        and its digest. Pages are told apart by their place among `pages`."""
        numbers: dict[tuple, int] = {}
        for index, page in enumerate(pages):
            numbers.setdefault(page.obj.objgen, index)
        walk = _Walk(numbers)
        found = []
        for index, page in enumerate(pages):
            with self.reading(f"its page {index + 1}"):
                try:
                    found.append(walk.page(page))
                except (Refused, TooLarge) as exc:
                    raise self.error(f"cannot read PDF: page {index + 1}: {exc}") from None
        return found

    def pdfium(self, pages: list[Page]):
        """pdfium's document of a copy that holds these pages alone (what `digests` walked of
        each: content, resources, boxes; not annotations), so that pdfium parses nothing the
        bounds did not cover. Call after `digests`; the PDF is not read otherwise after it."""
        import pikepdf
        import pypdfium2 as pdfium

        with self.reading("its pages"):
            pdf, kids = self.pdf, pikepdf.Array()
            tree = pdf.make_indirect(
                pikepdf.Dictionary(Type=pikepdf.Name.Pages, Kids=kids, Count=len(pages))
            )
            for page in pages:
                own = {key: page.obj[key] for key in page.obj.keys()}  # noqa: SIM118
                fields = {**page.inherited, **own}
                kept = {k[1:]: fields[k] for k in KEPT if k in fields}
                copy = pikepdf.Dictionary(Type=pikepdf.Name.Page, Parent=tree, **kept)
                tree.Kids.append(pdf.make_indirect(copy))
            catalog = pikepdf.Dictionary(Type=pikepdf.Name.Catalog, Pages=tree)
            pdf.trailer.Root = pdf.make_indirect(catalog)
            out = io.BytesIO()
            pdf.save(
                out,
                stream_decode_level=pikepdf.StreamDecodeLevel.none,  # copied as they are
                compress_streams=False,
                object_stream_mode=pikepdf.ObjectStreamMode.disable,
                encryption=False,
                fix_metadata_version=False,
                deterministic_id=True,
            )
        try:
            document = pdfium.PdfDocument(out.getvalue())
        except pdfium.PdfiumError as exc:
            raise self.error(f"cannot read PDF: {exc}") from None
        if len(document) != len(pages):
            document.close()
            raise self.error("cannot read PDF: its pages do not read alike in qpdf and pdfium")
        return document

    def marked_ids(self, pages: list[Page]) -> list[set[int] | None]:
        """Per page, the marked-content ids of its content that the structure tree's parent
        tree gives an element; None for a PDF without a structure tree."""
        import pikepdf

        with self.reading("its structure tree"):
            root = self.catalog.get("/StructTreeRoot")
            parents = root.get("/ParentTree") if isinstance(root, pikepdf.Dictionary) else None
            if not isinstance(parents, pikepdf.Dictionary):
                return [None] * len(pages)
            tree = pikepdf.NumberTree(parents)
            found: list[set[int] | None] = []
            for page in pages:
                key = page.obj.get("/StructParents")
                entry = tree.get(int(key)) if isinstance(key, int) else None
                if not isinstance(entry, pikepdf.Array) or len(entry) > MAX_OBJECTS:
                    found.append(set())
                    continue
                held = (
                    i for i, element in enumerate(entry) if isinstance(element, pikepdf.Dictionary)
                )
                found.append(set(held))
            return found


def _page_tree(root, wanted: int, error) -> tuple[list[Page], int]:
    import pikepdf

    if not isinstance(root, pikepdf.Dictionary):
        raise error("cannot read PDF: it has no page tree")
    inherited = {k: root[k] for k in INHERITED if k in root}
    stack = [(root, 0, inherited)]  # node, the next of its kids, what its pages inherit
    seen, pages, count, visited = {root.objgen}, [], 0, 0
    while stack and count <= MAX_PAGES:
        node, at, inherited = stack[-1]
        kids = node.get("/Kids")
        if not isinstance(kids, pikepdf.Array) or at >= len(kids):
            stack.pop()
            continue
        stack[-1] = (node, at + 1, inherited)
        kid, visited = kids[at], visited + 1
        if visited > MAX_OBJECTS or not isinstance(kid, pikepdf.Dictionary):
            what = "too many nodes" if visited > MAX_OBJECTS else "a node that is not a page"
            raise error(f"cannot read PDF: its page tree has {what}")
        if "/Kids" not in kid:
            count += 1
            if len(pages) < wanted:
                pages.append(Page(kid, inherited))
            continue
        if len(stack) >= MAX_TREE_DEPTH or kid.objgen in seen:
            what = (
                f"nested deeper than {MAX_TREE_DEPTH} levels"
                if kid.objgen not in seen
                else "a loop"
            )
            raise error(f"cannot read PDF: its page tree is {what}")
        if kid.is_indirect:
            seen.add(kid.objgen)
        stack.append((kid, 0, inherited | {k: kid[k] for k in INHERITED if k in kid}))
    return pages, count


class _Walk:
    """The objects each page uses, walked once each, within bounds; each page's digest: its
    dictionary (without /Parent), the attributes it inherits, and everything they lead to.
    A stream counts by its decoded data when FlateDecode alone (or not encoded: qpdf
    compresses those when the build attaches the evidence), else by its encoded bytes. The
    pages of the document are named by their place, other structure (the page tree, the
    catalogue, the structure tree) by its type alone: what a page draws, nothing else."""

    def __init__(self, numbers: dict[tuple, int]) -> None:
        self.numbers = numbers  # a page's object -> its place among the pages read
        self.done: dict[tuple, tuple[bytes, int, int]] = {}  # -> digest, content, pixels
        self.active: set[tuple] = set()
        self.objects = self.decoded = self.content = 0
        self.page_content = self.page_pixels = 0

    def page(self, page: Page) -> PageDigest:
        self.page_content = self.page_pixels = 0
        own = {key: page.obj[key] for key in page.obj.keys() if key != "/Parent"}  # noqa: SIM118
        fields = {**page.inherited, **own}
        _check_box(fields.get("/MediaBox"), fields.get("/UserUnit"))
        body = b"".join(
            _name(key) + self.value(fields[key], 1, key == "/Contents") for key in sorted(fields)
        )
        return PageDigest(hashlib.sha256(b"page" + body).hexdigest(), _drawing_annotations(fields))

    def value(self, obj, depth: int, content: bool = False, contents: bool = False) -> bytes:
        """`content`: a stream here is content (operators pdfium parses); `contents`: each
        value of this dictionary is (a Type 3 font's glyphs)."""
        import pikepdf

        self.objects += 1
        if depth > MAX_TREE_DEPTH:
            raise Refused(f"objects nested deeper than {MAX_TREE_DEPTH} levels")
        if self.objects > MAX_OBJECTS:
            raise Refused(f"more than {MAX_OBJECTS:,} objects")
        if not isinstance(obj, pikepdf.Object):
            return _scalar(obj)
        if not obj.is_indirect:
            return self.direct(obj, depth, content, contents)
        key = obj.objgen
        if key in self.numbers:
            return b"P%d;" % self.numbers[key]
        kind = (
            str(obj.get("/Type", ""))
            if isinstance(obj, (pikepdf.Dictionary, pikepdf.Stream))
            else ""
        )
        if kind in NOT_FOLLOWED:
            return b"T" + _name(kind)
        if key in self.done:
            digest, content_bytes, pixels = self.done[key]
            self.spend(content_bytes, pixels)
            return b"R" + digest
        if key in self.active:
            return b"L;"  # a loop: the object is being walked
        self.active.add(key)
        before = (self.page_content, self.page_pixels)
        data = self.direct(obj, depth, content, contents)
        self.active.discard(key)
        digest = hashlib.sha256(data).digest()
        self.done[key] = (digest, self.page_content - before[0], self.page_pixels - before[1])
        return b"R" + digest

    def direct(self, obj, depth: int, content: bool, contents: bool) -> bytes:
        import pikepdf

        if isinstance(obj, pikepdf.Stream):
            return self.stream(obj, depth, content)
        if isinstance(obj, pikepdf.Dictionary):
            return b"{" + self.mapping(obj, depth, contents) + b"}"
        if isinstance(obj, pikepdf.Array):
            return b"[" + b"".join(self.value(item, depth + 1, content) for item in obj) + b"]"
        if isinstance(obj, pikepdf.Name):
            return b"N" + _sized(obj.unparse())
        if isinstance(obj, pikepdf.String):
            return b"S" + _sized(bytes(obj))
        return _scalar(obj)

    def mapping(self, obj, depth: int, contents: bool = False, skip=()) -> bytes:
        return b"".join(
            _name(key)
            + self.value(obj[key], depth + 1, content=contents, contents=key == "/CharProcs")
            for key in sorted(obj.keys())
            if key not in skip
        )

    def stream(self, obj, depth: int, content: bool) -> bytes:
        fields = obj.stream_dict
        if fields.get("/Subtype") == "/Image":
            data = self.image(obj, fields)
        else:
            drawn = content or fields.get("/Subtype") == "/Form" or fields.get("/PatternType") == 1
            data = self.data(obj, drawn)
        decoded = data.startswith(b"D")  # then how it is encoded is not the page's
        skip = ("/Length", "/Filter", "/DecodeParms", "/DL") if decoded else ("/Length",)
        return b"<" + self.mapping(fields, depth, skip=skip) + b">" + data

    def data(self, obj, content: bool) -> bytes:
        encoded = filters(obj)
        if encoded in ((), FLATE) and content:  # read whole: its size is the page's content
            data = self.inflate(obj, MAX_PAGE_CONTENT - self.page_content)
            self.spend(len(data), 0)
            self.content += len(data)
            if self.content > MAX_CONTENT:
                raise Refused(f"the pages' content is more than {MAX_CONTENT:,} bytes")
            if _INLINE_IMAGE.search(data):
                self.spend(0, _inline_pixels(obj))
            return b"D" + hashlib.sha256(data).digest()
        if encoded in ((), FLATE):
            return b"D" + self.inflate_digest(obj, MAX_STREAM)
        if content or not set(encoded) <= TEXT_FILTERS:
            raise Refused(f"a stream is encoded with {' '.join(encoded)}: not read")
        return b"W" + hashlib.sha256(raw(obj, MAX_STREAM)).digest()

    def image(self, obj, fields) -> bytes:
        width, height = fields.get("/Width"), fields.get("/Height")
        if not (isinstance(width, int) and isinstance(height, int) and width > 0 and height > 0):
            raise Refused("an image without its width and height")
        encoded = filters(obj)
        if encoded not in IMAGE_FILTERS:
            raise Refused(f"an image is encoded with {' '.join(encoded)}: not read")
        self.spend(0, width * height)
        if encoded in ((), FLATE):  # 16 bits of 4 colours per pixel at most, a byte per row
            return b"D" + self.inflate_digest(obj, width * height * 8 + height)
        data = raw(obj, MAX_STREAM)
        if encoded == ("/DCTDecode",):
            self.spend(0, max(_jpeg_pixels(data) - width * height, 0))
        return b"W" + hashlib.sha256(data).digest()

    def inflate(self, obj, limit: int) -> bytes:
        """A stream's data, decoded whole within `limit` bytes (and what is left to decode)."""
        limit = max(min(limit, MAX_DECODED - self.decoded), 0)
        try:
            data = inflate(obj, limit)
        except TooLarge:
            raise Refused(f"a stream decodes to more than {limit:,} bytes") from None
        assert data is not None
        self.decoded += len(data)
        return data

    def inflate_digest(self, obj, limit: int) -> bytes:
        """The sha256 of a stream's decoded data, decoded a block at a time within `limit`."""
        limit = max(min(limit, MAX_DECODED - self.decoded), 0)
        try:
            digest, size = inflate_digest(obj, limit)
        except TooLarge:
            raise Refused(f"a stream decodes to more than {limit:,} bytes") from None
        self.decoded += size
        return digest

    def spend(self, content: int, pixels: int) -> None:
        self.page_content += content
        self.page_pixels += pixels
        if self.page_content > MAX_PAGE_CONTENT:
            raise Refused(f"its content is more than {MAX_PAGE_CONTENT:,} bytes")
        if self.page_pixels > MAX_PAGE_PIXELS:
            raise Refused(f"its images have more than {MAX_PAGE_PIXELS:,} pixels")


_INLINE_IMAGE = re.compile(rb"(?:^|[\s\]>)}])BI[\s/]")


def _inline_pixels(obj) -> int:
    """The pixels of the inline images a content stream draws (rare: parsed when present)."""
    import pikepdf

    pixels = 0
    for instruction in pikepdf.parse_content_stream(obj):
        if isinstance(instruction, pikepdf.ContentStreamInlineImage):
            image = instruction.iimage
            if image.filters not in ([], ["/FlateDecode"], ["/DCTDecode"]):
                raise Refused(f"an inline image is encoded with {image.filters}: not read")
            pixels += int(image.width) * int(image.height)
            if pixels > MAX_PAGE_PIXELS:
                break
    return pixels


def _check_box(box, unit) -> None:
    import pikepdf

    numbers = list(box) if isinstance(box, pikepdf.Array) and len(box) == 4 else []
    if not numbers or not all(
        isinstance(n, int | float) or hasattr(n, "as_tuple") for n in numbers
    ):
        raise Refused("its page size (MediaBox) is not four numbers")
    scale = float(unit) if isinstance(unit, int) or hasattr(unit, "as_tuple") else 1.0
    width, height = (abs(float(numbers[i + 2]) - float(numbers[i])) * scale for i in (0, 1))
    if not width or not height:
        raise Refused("it has no size (its MediaBox is empty)")
    if width > MAX_PAGE_SIDE or height > MAX_PAGE_SIDE:
        raise Refused(f"it is {width:,.0f} × {height:,.0f} pt, larger than a PDF page may be "
                      f"({MAX_PAGE_SIDE:,} pt)")  # fmt: skip


def _drawing_annotations(fields: dict) -> list[str]:
    """The annotations of a page that may draw on it: any but a link without an appearance
    (reporter's PDFs have links alone: footnote calls, references, addresses)."""
    import pikepdf

    annotations = fields.get("/Annots")
    if not isinstance(annotations, pikepdf.Array):
        return []
    found = []
    for index in range(min(len(annotations), MAX_ATTACHMENTS)):
        annotation = annotations[index]
        if not isinstance(annotation, pikepdf.Dictionary):
            continue
        subtype = str(annotation.get("/Subtype", "/?"))
        if subtype != "/Link" or "/AP" in annotation:
            found.append(subtype + (" with an appearance" if "/AP" in annotation else ""))
    return found


def _jpeg_pixels(data: bytes) -> int:
    """The pixels a JPEG's frame header declares (what a decoder allocates), 0 if none."""
    at = 2 if data[:2] == b"\xff\xd8" else len(data)
    while at + 9 <= len(data) and data[at] == 0xFF:
        marker = data[at + 1]
        if marker == 0xFF:
            at += 1
            continue
        if 0xC0 <= marker <= 0xCF and marker not in (0xC4, 0xC8, 0xCC):
            height = int.from_bytes(data[at + 5 : at + 7], "big")
            width = int.from_bytes(data[at + 7 : at + 9], "big")
            return max(height, 1) * width
        at += 2 + int.from_bytes(data[at + 2 : at + 4], "big")
    return 0


def filters(stream) -> tuple[str, ...]:
    """A stream's filters, in order: () when it is not encoded."""
    import pikepdf

    found = stream.stream_dict.get("/Filter")
    if found is None:
        return ()
    if isinstance(found, pikepdf.Name):
        return (str(found),)
    if isinstance(found, pikepdf.Array) and len(found) <= 8:
        return tuple(str(f) for f in found)
    raise Refused("a stream's filters are not names")


def raw(stream, limit: int) -> bytes:
    """A stream's encoded bytes; TooLarge if its length is more than `limit`."""
    length = stream.stream_dict.get("/Length")
    if not isinstance(length, int) or length > limit:
        raise TooLarge
    data = stream.read_raw_bytes()
    if len(data) > limit:
        raise TooLarge
    return data


def inflate(stream, limit: int) -> bytes | None:
    """A stream's data decoded, when it is FlateDecode alone (or not encoded), by zlib up to
    `limit` bytes (TooLarge beyond); None when it is encoded otherwise."""
    encoded = filters(stream)
    if encoded == ():
        return raw(stream, limit)
    if encoded != FLATE:
        return None
    inflater = zlib.decompressobj()
    decoded = inflater.decompress(_deflated(stream, limit), limit + 1)
    if len(decoded) > limit:
        raise TooLarge
    return decoded


def inflate_digest(stream, limit: int) -> tuple[bytes, int]:
    """(sha256, size) of a FlateDecode (or not encoded) stream's data, decoded by zlib a
    megabyte at a time, up to `limit` bytes (TooLarge beyond)."""
    if filters(stream) == ():
        data = raw(stream, limit)
        return hashlib.sha256(data).digest(), len(data)
    inflater, digest, size = zlib.decompressobj(), hashlib.sha256(), 0
    pending = _deflated(stream, limit)
    while not inflater.eof:
        block = inflater.decompress(pending, 1 << 20)
        pending = inflater.unconsumed_tail
        size += len(block)
        if size > limit:
            raise TooLarge
        digest.update(block)
        if not block and not pending:
            break
    return digest.digest(), size


def _deflated(stream, limit: int) -> bytes:
    return raw(stream, limit + limit // 8 + 65_536)  # deflate adds little to what it packs


def _scalar(value) -> bytes:
    if value is None:
        return b"n;"
    if isinstance(value, bool):
        return b"t;" if value else b"f;"
    if isinstance(value, int):
        return b"i%d;" % value
    return b"r" + str(value).encode() + b";"  # a Decimal, as written in the file


def _name(name) -> bytes:
    return b"N" + _sized(str(name).encode("utf-8", "surrogateescape"))


def _sized(data: bytes) -> bytes:
    return b"%d:" % len(data) + data


# --- attached JSON --------------------------------------------------------------------------

_JSON_TOKENS = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"|[\[\]{}]')


def read_json(pdf: PdfFile, name: str, limit: int, allowed: str = "") -> object:
    """An attached JSON file, read within `limit` bytes and MAX_JSON_DEPTH levels."""
    try:
        return loads(pdf.read(name, limit, allowed))
    except ValueError as exc:
        raise pdf.error(f"its attached {name} is {exc}") from None


def loads(data: bytes) -> object:
    """JSON text, nested at most MAX_JSON_DEPTH levels (scanned before json.loads, which
    recurses); ValueError saying what it is instead ("not JSON")."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise ValueError("not UTF-8 text") from None
    depth = 0
    for token in _JSON_TOKENS.finditer(text):
        bracket = token.group()
        if bracket in "[{":
            depth += 1
            if depth > MAX_JSON_DEPTH:
                raise ValueError(f"nested deeper than {MAX_JSON_DEPTH} levels")
        elif bracket in "]}":
            depth -= 1
    try:
        return json.loads(text)
    except (ValueError, RecursionError):
        raise ValueError("not JSON") from None


def read_manifest(pdf: PdfFile) -> dict | None:
    """The attached manifest.json, checked against export/manifest.schema.json; None when
    the PDF carries none."""
    from reporter.export.evidence import MANIFEST

    if MANIFEST not in pdf.files():
        return None
    manifest = read_json(pdf, MANIFEST, MAX_JSON)
    error = next(_manifest_validator().iter_errors(manifest), None)
    if error is not None:
        at = "/".join(str(step) for step in error.instance_path) or "the top level"
        raise pdf.error(
            f"its attached {MANIFEST} is not a reporter manifest: at {shown(at)}: "
            f"{shown(first_line(error.message))}",
            "it was changed after the build, or not made by reporter",
        )
    pages = manifest.get("pdf", {}).get("pages", [])
    if len(pages) > MAX_PAGES:  # the schema says it too; its validator is not trusted with it
        raise pdf.error(f"its attached {MANIFEST} records more than {MAX_PAGES:,} pages")
    return manifest


_VALIDATOR = []


def _manifest_validator():
    if not _VALIDATOR:
        import jsonschema_rs

        schema = json.loads(Path(__file__).with_name("manifest.schema.json").read_text("utf-8"))
        _VALIDATOR.append(jsonschema_rs.validator_for(schema, retriever=_no_fetch))
    return _VALIDATOR[0]


def _no_fetch(uri: str) -> dict:
    raise ValueError(f"{uri} is not one of reporter's schemas")


# --- pdfium: text and marks -----------------------------------------------------------------


def document_runs(document, shown_as: Path | None = None) -> list[TextRun]:
    """Every text object of every page of a pdfium document, in drawing order (for a
    reporter PDF, the reading order), with its marks; MAX_TEXT_RUNS at most."""
    found: list[TextRun] = []
    for index in range(len(document)):
        page = document[index]
        textpage = page.get_textpage()
        try:
            found += _page_runs(index, page, textpage, MAX_TEXT_RUNS - len(found))
        except Refused as exc:
            raise ReportError(f"cannot read PDF: {exc}", Location(shown_as) if shown_as else None,
                              HINT) from None  # fmt: skip
        finally:
            textpage.close()
            page.close()
    return found


def _page_runs(index: int, page, textpage, room: int) -> list[TextRun]:
    import pypdfium2.raw as raw_pdfium

    found = []
    for obj in page.get_objects(filter=[raw_pdfium.FPDF_PAGEOBJ_TEXT], max_depth=8):
        if len(found) >= room:
            raise Refused(f"more than {MAX_TEXT_RUNS:,} pieces of text")
        text = _utf16(raw_pdfium.FPDFTextObj_GetText, obj.raw, textpage.raw)
        mcid = raw_pdfium.FPDFPageObj_GetMarkedContentID(obj.raw)
        mode = raw_pdfium.FPDFTextObj_GetTextRenderMode(obj.raw)
        found.append(TextRun(index, mcid, text, _marks(obj.raw), mode not in (3, 7)))
    return found


def open_pages(path: Path, wanted: int = MAX_PAGES):
    """(PdfFile, pdfium document of its first `wanted` pages, each walked within bounds):
    what reads a PDF's pages as text or images. Close both."""
    pdf = PdfFile(path)
    try:
        pages, count = pdf.pages(wanted)
        if count > wanted:
            raise pdf.error(f"cannot read PDF: it has more than {wanted:,} pages")
        pdf.digests(pages)
        return pdf, pdf.pdfium(pages)
    except BaseException:
        pdf.__exit__()
        raise


def attachments(path: Path) -> dict[str, bytes]:
    """name -> bytes of each embedded file (the first of a name, as viewers show it), each
    read within MAX_ATTACHMENT bytes: for the tests, and for tools that read their own PDFs."""
    with PdfFile(path) as pdf:
        return {name: pdf.read(name, MAX_ATTACHMENT) for name in pdf.files()}


def text_runs(path: Path) -> tuple[int, list[TextRun]]:
    """(the number of pages, every text object of every page) in drawing order, with its
    marks."""
    pdf, document = open_pages(path)
    try:
        return len(document), document_runs(document, path)
    finally:
        document.close()
        pdf.__exit__()


def page_content_texts(runs: list[TextRun], pages: int) -> list[str]:
    """Per page, the text of its tagged content: text objects marked /Artifact are left out."""
    kept: list[list[str]] = [[] for _ in range(pages)]
    for run in runs:
        if "Artifact" not in run.marks and run.page < pages:
            kept[run.page].append(run.text)
    return [" ".join(texts) for texts in kept]


def _marks(obj) -> list[str]:
    import pypdfium2.raw as raw_pdfium

    names = []
    size = ctypes.c_ulong()
    for index in range(min(raw_pdfium.FPDFPageObj_CountMarks(obj), 64)):
        mark = raw_pdfium.FPDFPageObj_GetMark(obj, index)
        raw_pdfium.FPDFPageObjMark_GetName(mark, _BUFFER, _BUFFER_BYTES, ctypes.byref(size))
        names.append(_decoded(min(size.value, _BUFFER_BYTES)))
    return names


def _utf16(function, *args) -> str:
    """A pdfium string getter's UTF-16 result: into a buffer kept for it, asked again into a
    larger one when it does not fit (each call walks the text page: asked once, mostly)."""
    size = function(*args, _BUFFER, _BUFFER_BYTES)
    if size <= _BUFFER_BYTES:
        return _decoded(size)
    buffer = ctypes.create_string_buffer(size)
    function(*args, ctypes.cast(buffer, ctypes.POINTER(ctypes.c_ushort)), size)
    return buffer.raw[:size].decode("utf-16-le", "replace").rstrip("\x00")


_BUFFER_BYTES = 65_536
_BUFFER = (ctypes.c_ushort * (_BUFFER_BYTES // 2))()


def _decoded(size: int) -> str:
    return ctypes.string_at(_BUFFER, size).decode("utf-16-le", "replace").rstrip("\x00")


# --- messages -------------------------------------------------------------------------------

_UNSHOWN = re.compile(r"[\x00-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def shown(text: str, size: int = 120) -> str:
    """Text from a PDF as a message may print it: control and bidi characters escaped,
    clipped to `size` characters."""
    text = _UNSHOWN.sub(lambda m: f"\\u{ord(m.group()):04x}", text)
    return text if len(text) <= size else text[: size - 1] + "…"


def first_line(exc: object) -> str:
    lines = str(exc).strip().splitlines()
    return lines[0] if lines else type(exc).__name__
