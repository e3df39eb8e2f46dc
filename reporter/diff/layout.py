"""The lines of a PDF's pages as pdfium reads them, in reading order, each cut into runs of
one type size and weight: what the text model needs to tell body text from headings,
footnotes and tables in a PDF that carries no document model."""

from __future__ import annotations

import ctypes
from collections import Counter
from dataclasses import dataclass, field

ROW = 3.0  # points: lines whose baselines are closer than this stand side by side on one row
BOLD_FLAG = 0x40000  # ForceBold in a PDF font descriptor's flags
HYPHEN_CODE = 2  # pdfium's code for a hyphen that ends a line (U+FFFE in its extracted text)


@dataclass(frozen=True)
class Run:
    text: str
    size: float = 0.0  # 0: unknown (text given without its layout)
    bold: bool = False


@dataclass
class Line:
    runs: list[Run] = field(default_factory=list)
    x: float = 0.0
    y: float = 0.0  # the baseline of its first character, from the foot of the page up

    @property
    def text(self) -> str:
        return "".join(run.text for run in self.runs)

    @property
    def size(self) -> float:
        """The size most of its characters are set in."""
        weights: Counter[float] = Counter()
        for run in self.runs:
            weights[run.size] += len(run.text.strip())
        return weights.most_common(1)[0][0] if weights else 0.0

    @property
    def bold(self) -> bool:
        inked = [run for run in self.runs if run.text.strip()]
        return bool(inked) and all(run.bold for run in inked)


def plain_lines(text: str) -> list[Line]:
    """The lines of a page's text, without layout (no sizes: the model reads them by words)."""
    return [Line([Run(line)]) for line in text.replace("\r\n", "\n").split("\n")]


def page_lines(document) -> list[list[Line]]:
    return [_page(page) for page in document]


def _page(page) -> list[Line]:
    textpage = page.get_textpage()
    try:
        chars, lines, line = _Chars(textpage.raw), [], _Building()
        for index in range(chars.count):
            char = chars.char(index)
            if char == "\n":
                lines.append(line.done())
                line = _Building()
            elif char not in "\r\x00" and not line.add(char, chars, index):
                lines.append(line.done())
                line = _Building()
                line.add(char, chars, index)
        lines.append(line.done())
    finally:
        textpage.close()
    return reading_order([line for line in lines if line.text.strip()])


class _Chars:
    """The characters of a text page, through pdfium: code, size, place, and bold face."""

    def __init__(self, raw) -> None:
        import pypdfium2.raw as pdfium_c

        self.pdfium, self.raw = pdfium_c, raw
        self.count = pdfium_c.FPDFText_CountChars(raw)
        self._x, self._y = ctypes.c_double(), ctypes.c_double()
        self._name, self._flags = ctypes.create_string_buffer(128), ctypes.c_int()
        self._bold: dict[tuple[bytes, int], bool] = {}

    def char(self, index: int) -> str:
        code = self.pdfium.FPDFText_GetUnicode(self.raw, index)
        return "\ufffe" if code == HYPHEN_CODE else chr(code)

    def size(self, index: int) -> float:
        return round(self.pdfium.FPDFText_GetFontSize(self.raw, index), 1)

    def origin(self, index: int) -> tuple[float, float]:
        self.pdfium.FPDFText_GetCharOrigin(self.raw, index, self._x, self._y)
        return self._x.value, self._y.value

    def bold(self, index: int) -> bool:
        name, flags = self._name, self._flags
        self.pdfium.FPDFText_GetFontInfo(self.raw, index, name, len(name), ctypes.byref(flags))
        key = (name.value, flags.value)
        if key not in self._bold:
            face = name.value.decode("utf-8", "replace").lower()
            heavy = any(word in face for word in ("bold", "black", "heavy"))
            self._bold[key] = bool(flags.value & BOLD_FLAG) or heavy
        return self._bold[key]


class _Building:
    """A line being read character by character; a space takes the style of the run it ends
    (pdfium generates spaces and line ends in a nominal size of its own)."""

    def __init__(self) -> None:
        self.runs: list[list] = []  # [text, size, bold]
        self.origin: tuple[float, float] | None = None
        self.last_y = 0.0

    def add(self, char: str, chars: _Chars, index: int) -> bool:
        """False when the character is not on this line: pdfium joins a line that ends with a
        hyphen to whatever it reads next, the next page's header too when the page ends."""
        if char.isspace():
            if self.runs:
                self.runs[-1][0] += char
            return True
        size, (x, y) = chars.size(index), chars.origin(index)
        if self.origin is not None and abs(y - self.last_y) > 1.5 * max(size, 1.0):
            return False
        self.origin, self.last_y = self.origin or (x, y), y
        style = [size, chars.bold(index)]
        if self.runs and self.runs[-1][1:] == style:
            self.runs[-1][0] += char
        else:
            self.runs.append([char, *style])
        return True

    def done(self) -> Line:
        x, y = self.origin or (0.0, 0.0)
        return Line([Run(text, size, bold) for text, size, bold in self.runs], x, y)


def reading_order(lines: list[Line]) -> list[Line]:
    """Top to bottom, and left to right within a row: the order a reader takes, whatever order
    the PDF paints in (WeasyPrint paints a figure's caption before the table above it)."""
    rows: list[list[Line]] = []
    for line in sorted(lines, key=lambda line: -line.y):
        if rows and rows[-1][0].y - line.y < ROW:
            rows[-1].append(line)
        else:
            rows.append([line])
    return [line for row in rows for line in sorted(row, key=lambda line: line.x)]
