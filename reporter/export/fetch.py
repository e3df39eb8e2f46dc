"""The only way WeasyPrint reads anything: files inside the allowed folders, nothing else.

No http(s) or other network scheme, no file:// outside the allowed folders (symlinks resolved
first, so no '../' or link leads out), no data: URL that is not an image. A refused URL stops
the render with an error naming it.

Every resource is also looked at before WeasyPrint has it, as WeasyPrint would read it (it
takes any fetched bytes for an image when Pillow or its SVG parser can read them, whatever
their name): a raster image over MAX_IMAGE_PIXELS is refused from its header, before a pixel
is decoded (Pillow opens images lazily), and an SVG over MAX_SVG_BYTES, or whose references
(`<use>`, `url(#…)`, markers at each vertex, `<image>` of another SVG) expand to more than
MAX_SVG_ELEMENTS elements or loop, is refused before WeasyPrint draws it, with the asset's
path (or the URL) and what to do.

WeasyPrint lets a fatal error through from most fetches, but it swallows every exception
raised while it draws an SVG (an <image> inside an SVG): so each refusal is also recorded in
`refused`, and `render_pdf` fails after the render if any was.
"""

from __future__ import annotations

import io
import re
import stat
import warnings
from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit
from xml.etree import ElementTree

from weasyprint.urls import FatalURLFetchingError, URLFetcher, URLFetcherResponse

DATA_IMAGE_TYPES = ("image/png", "image/jpeg", "image/gif", "image/svg+xml")
_SCHEME = re.compile(r"([A-Za-z][A-Za-z0-9+.-]*):")

# A raster image WeasyPrint decodes costs about 8 bytes a pixel (13,000² took 1.5 GB); Pillow's
# own guard (89 MP a warning, 179 MP an error that WeasyPrint turns into a silently missing
# image) is far above the render's memory. 25 MP (an A4 page at 500 dpi, ~200 MB decoded) is
# also what the build's reading of its own PDF allows a page (export/readback.py
# MAX_PAGE_PIXELS): an image it would refuse in the PDF is refused here, at its file.
MAX_IMAGE_PIXELS = 25_000_000
MAX_SVG_BYTES = 5_000_000  # an SVG file (a logo, an emblem; charts are drawn inline)
# elements of an SVG once every reference is expanded: WeasyPrint draws a referenced element
# again at each reference, so ten levels of ten <use> (2.6 KB) are 10¹⁰ elements to draw
MAX_SVG_ELEMENTS = 200_000

_FONT_MAGIC = (b"\x00\x01\x00\x00", b"OTTO", b"true", b"typ1", b"ttcf", b"wOFF", b"wOF2")
# images whose first bytes may read as text (the others start with a byte text never has)
_IMAGE_MAGIC = (b"GIF8", b"RIFF", b"BM", b"qoif", b"8BPS", b"SIMPLE", b"Image type")
_TEXT_IMAGE = re.compile(rb"\s*(/\* XPM \*/|#define|P[1-7fF]\s)")  # XPM, XBM, PNM
MAX_SVG_NESTING = 16  # SVGs showing SVGs (<image>), one in the other
_XLINK = "{http://www.w3.org/1999/xlink}href"
_URL_REF = re.compile(r"url\(\s*['\"]?\s*#([^'\")\s]+)")
_NUMBER = re.compile(r"[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?")
_MARKERS = ("marker", "marker-start", "marker-mid", "marker-end")


class RefusedURL(FatalURLFetchingError):
    def __init__(self, url: str, why: str) -> None:
        super().__init__(f"refused to fetch {shorten(url)}: {why}")
        self.url = url
        self.why = why


class RefusedAsset(RefusedURL):
    """A resource that may be fetched but is over a budget: `message` is said at `shown` (the
    asset's path in the project, or the URL), with `hint`."""

    def __init__(self, url: str, shown: str, message: str, hint: str) -> None:
        super().__init__(url, message)
        self.args = (f"{shown}: {message} ({hint})",)
        self.shown = shown
        self.message = message
        self.hint = hint


def shorten(url: str, limit: int = 120) -> str:
    return url if len(url) <= limit else url[: limit - 1] + "…"


class ProjectFetcher(URLFetcher):
    def __init__(self, allowed: list[Path], root: Path | None = None) -> None:
        super().__init__(allowed_protocols={"file", "data"}, allow_redirects=False)
        self.allowed = [p.resolve() for p in allowed]
        self.root = root.resolve() if root else None  # paths are shown relative to it
        self.refused: list[RefusedURL] = []
        self._svg_sizes: dict[str, int] = {}  # URL -> elements once expanded (see svg_size)

    def fetch(self, url: str, headers=None):
        try:
            response = super().fetch(self.check(url), headers)
            return self.inspect(url, response)
        except RefusedURL as refusal:
            self.refused.append(refusal)
            raise

    def check(self, url: str) -> str:
        """The URL to open (a file: URL rewritten to the resolved path), or RefusedURL."""
        match = _SCHEME.match(url)
        scheme = match[1].lower() if match else ""
        if scheme == "data":
            media_type = url[5:].split(",", 1)[0].split(";", 1)[0].strip().lower()
            if media_type not in DATA_IMAGE_TYPES:
                raise RefusedURL(url, "only image data: URLs are allowed")
            return url
        if scheme != "file":
            raise RefusedURL(url, "the PDF renderer reads no network resource")
        parts = urlsplit(url)
        raw_path = unquote(parts.path)
        if parts.netloc not in ("", "localhost") or not raw_path.startswith("/"):
            raise RefusedURL(url, "not a local absolute file path")
        try:
            path = Path(raw_path).resolve()
            info = path.stat() if path.exists() else None
        except (OSError, ValueError):
            raise RefusedURL(url, "not a valid file path") from None
        if not any(path.is_relative_to(root) for root in self.allowed):
            raise RefusedURL(url, "outside the project's assets and outputs")
        if info is not None and not stat.S_ISREG(info.st_mode):
            raise RefusedURL(url, "not a regular file")
        return path.as_uri()

    def inspect(self, url: str, response: URLFetcherResponse) -> URLFetcherResponse:
        """The response, read, once its bytes are found within budget (RefusedAsset if not)."""
        try:
            data = response.read()
        finally:
            response.close()
        self.within_budget(url, data)
        return URLFetcherResponse(response.url, data, response.headers, response.status)

    def within_budget(self, url: str, data: bytes) -> None:
        """Raise RefusedAsset if `data`, read as WeasyPrint would read it, is over a budget:
        fonts are passed by their signature, markup is read as SVG, anything else that
        Pillow opens has its size read from its header."""
        head = data[:64]
        if head.startswith(_FONT_MAGIC):
            return
        if _looks_like_markup(head):
            self.svg_size(url, data)
            return
        if _is_plain_text(data[:256]):  # a stylesheet: Pillow reads none
            return
        pixels, size = image_pixels(data)
        if pixels > MAX_IMAGE_PIXELS:
            said = f"{size[0]:,} × {size[1]:,} pixels" if size else f"{pixels:,} pixels"
            raise RefusedAsset(
                url, self.shown(url),
                f"an image of {said}, more than the {MAX_IMAGE_PIXELS:,} pixels the PDF may hold",
                f"scale it down to at most {MAX_IMAGE_PIXELS:,} pixels, e.g. 5,000 × 5,000",
            )  # fmt: skip

    def svg_size(self, url: str, data: bytes, within: tuple[str, ...] = ()) -> int:
        """Elements of the SVG at `url` once its references are expanded (0: not XML, which
        WeasyPrint will not draw either); RefusedAsset if over budget or looping. An <image>
        of another SVG counts that SVG's elements (WeasyPrint draws it at each)."""
        if url in self._svg_sizes:
            return self._svg_sizes[url]
        shown, hint = self.shown(url), "simplify it, or draw it as a PNG"
        if len(data) > MAX_SVG_BYTES:
            message = f"an SVG of {len(data):,} bytes, more than the {MAX_SVG_BYTES:,} allowed"
            raise RefusedAsset(url, shown, message, hint)
        try:
            root = ElementTree.fromstring(data)  # expat: no external entities, no laughs
        except (ElementTree.ParseError, ValueError):
            return 0

        def image(href: str) -> int:
            return self._image_size(urljoin(url, href), (*within, url))

        try:
            size = expanded_size(root, image)
        except _Loop as loop:
            raise RefusedAsset(url, shown, loop.message, loop.hint) from None
        if size > MAX_SVG_ELEMENTS:
            raise RefusedAsset(
                url, shown,
                f"an SVG that expands to more than {MAX_SVG_ELEMENTS:,} elements "
                "(<use> of elements that use others, or too many elements)",
                "draw repeated shapes without nesting <use>, " + hint,
            )  # fmt: skip
        self._svg_sizes[url] = size
        return size

    def _image_size(self, url: str, within: tuple[str, ...]) -> int:
        """What an <image href=url> inside an SVG costs: 1, or the SVG it shows expanded.
        Reading it is looking ahead: a URL that would be refused counts 1 here (WeasyPrint's
        own fetch of it is refused, and recorded)."""
        if url in within:
            raise _Loop(f"an SVG whose images loop: {self.shown(url)} shows itself")
        if len(within) >= MAX_SVG_NESTING:
            raise _Loop(
                f"an SVG whose images nest SVG images more than {MAX_SVG_NESTING} deep",
                "show the innermost SVG as a PNG",
            )
        try:
            response = URLFetcher.fetch(self, self.check(url))
            try:
                data = response.read(MAX_SVG_BYTES + 1)
            finally:
                response.close()
        except (RefusedURL, OSError, ValueError):
            return 1
        if not _looks_like_markup(data[:64]):
            return 1
        return 1 + self.svg_size(url, data, within)

    def shown(self, url: str) -> str:
        """How a message names `url`: a file by its path in the project, anything else by
        the URL (shortened)."""
        if url[:5].lower() == "file:" and self.root is not None:
            path = Path(unquote(urlsplit(url).path))
            try:
                return path.resolve().relative_to(self.root).as_posix()
            except (ValueError, OSError):
                return str(path)
        return shorten(url, 60)


class _Loop(Exception):
    """An SVG that draws itself (or nests too deep): what to say, and what to do."""

    def __init__(self, message: str, hint: str = "remove the reference to itself") -> None:
        super().__init__(message)
        self.message, self.hint = message, hint


def image_pixels(data: bytes) -> tuple[int, tuple[int, int] | None]:
    """(pixels, (width, height)) of the raster image in `data` from its header, read as
    WeasyPrint reads images (Pillow, lazily: nothing is decoded); (0, None) when Pillow reads
    no image in it."""
    from PIL import Image, UnidentifiedImageError

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", Image.DecompressionBombWarning)
        try:
            with Image.open(io.BytesIO(data)) as image:
                width, height = image.size
        except Image.DecompressionBombError as exc:  # over Pillow's own limit: says its size
            found = re.search(r"\((\d+) pixels\)", str(exc))
            return (int(found[1]) if found else MAX_IMAGE_PIXELS + 1), None
        except (UnidentifiedImageError, OSError, ValueError, SyntaxError, EOFError):
            return 0, None
        except Exception:  # noqa: BLE001 - a plugin that fails on odd bytes: no image read
            return 0, None
    return width * height, (width, height)


def _looks_like_markup(head: bytes) -> bool:
    return head.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"<")


def _is_plain_text(head: bytes) -> bool:
    """UTF-8 text without controls, which no image format Pillow reads starts with."""
    if head.startswith(_IMAGE_MAGIC) or _TEXT_IMAGE.match(head):
        return False
    try:
        text = head.decode("utf-8")
    except UnicodeDecodeError as exc:  # a character cut at the end is still text
        if exc.start < len(head) - 3:
            return False
        text = head[: exc.start].decode("utf-8")
    return not any(ord(char) < 32 and char not in "\t\n\r\f" for char in text)


def expanded_size(root: ElementTree.Element, image=lambda href: 1) -> int:
    """Elements of the tree at `root` with every reference expanded as WeasyPrint draws them:
    a `<use>` (or any href="#id") and a `url(#id)` (fill, clip-path, mask, filter…) count
    the element they name, a marker counts once at each vertex of the shape that has it, an
    <image> of something else counts `image(href)`. Each element's expansion is counted once
    (linear time), up to MAX_SVG_ELEMENTS + 1; iteratively, as an SVG may nest deeper than
    Python recurses. _Loop on an element that refers to itself."""
    ids: dict[str, ElementTree.Element] = {}
    for element in root.iter():
        ident = element.get("id")
        if ident is not None:
            ids.setdefault(ident, element)
    cap = MAX_SVG_ELEMENTS + 1
    sizes: dict[int, int] = {}  # id(element) -> its size, expanded
    visiting: set[int] = set()
    frames: list[list] = []  # [element, its edges left, its size so far, weight of the edge]

    def enter(element: ElementTree.Element) -> int | None:
        key = id(element)
        if key in sizes:
            return sizes[key]
        if key in visiting:
            ident = element.get("id") or _local(element.tag)
            raise _Loop(f"an SVG whose references loop: #{ident} refers to itself")
        visiting.add(key)
        edges = [(1, child) for child in element] + _references(element, ids, image)
        frames.append([element, iter(edges), 1, 1])
        return None

    enter(root)
    while frames:
        frame = frames[-1]
        step = next(frame[1], None)
        if step is None:  # all counted: add it to whatever drew it
            frames.pop()
            visiting.discard(id(frame[0]))
            sizes[id(frame[0])] = frame[2]
            if not frames:
                return frame[2]
            parent = frames[-1]
            parent[2] = min(cap, parent[2] + parent[3] * frame[2])
        else:
            weight, target = step
            known = target if isinstance(target, int) else None
            if known is None:
                frame[3] = weight
                known = enter(target)
            if known is not None:
                frame[2] = min(cap, frame[2] + weight * known)
        if frames and frames[-1][2] >= cap:  # over budget already: the rest need not count
            return cap
    return cap  # pragma: no cover - the root's frame returns above


def _local(tag: object) -> str:
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def _references(element, ids: dict, image) -> list[tuple[int, object]]:
    """What drawing `element` draws besides its children: (how many times, element or size)."""
    found: list[tuple[int, object]] = []
    href = (element.get(_XLINK) or element.get("href") or "").strip()
    if href.startswith("#"):
        if (target := ids.get(href[1:])) is not None:
            found.append((1, target))
    elif href and _local(element.tag) == "image":
        found.append((1, image(href)))
    properties = list(element.items())
    for declaration in element.get("style", "").split(";"):
        name, _, value = declaration.partition(":")
        properties.append((name.strip(), value))
    vertices = 0
    for name, value in properties:
        if "url(" not in value or name == "style":
            continue
        for ident in _URL_REF.findall(value):
            if (target := ids.get(ident)) is None:
                continue
            if name in _MARKERS:  # drawn at each vertex
                vertices = vertices or _vertices(element)
                found.append((vertices, target))
            else:
                found.append((1, target))
    return found


def _vertices(element) -> int:
    """An upper bound of the vertices of a shape (where markers are drawn): its numbers."""
    numbers = sum(len(_NUMBER.findall(element.get(a, ""))) for a in ("d", "points"))
    return max(2, numbers)
