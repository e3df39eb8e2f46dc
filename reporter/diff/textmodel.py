"""A document model read off the pages of a PDF that carries none (the official PDF of a
document, one printed from Word or a browser): numbered paragraphs, headings, footnotes, and
tables and figures as entries of their own, with the running headers and page numbers
removed and the hyphenation at line ends undone, so that two PDFs of the same content read
the same however they were typeset.

With the layout (type sizes, from `layout.page_lines`) a footnote is told by its type: a
number or symbol in small type followed by text smaller than the body, at the page foot or
inline where a browser prints it; a heading by a size larger than the body or bold type.
Without it (plain text) by words alone: a note is a line at the page foot that starts with
the next note's number, called in the text above; a heading is numbered ("II.", "A.")."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field

from reporter.diff.layout import Line, Run, plain_lines
from reporter.diff.words import bag, join, vocabulary

PARAGRAPH = re.compile(r"(\d{1,3})\.(?:\s+(\S.*))?")
# "Table 1", "Figure II" in the six languages of the United Nations (and a few more words)
CAPTIONS = (
    "Table|Figure|Chart|Box|Map|Tableau|Graphique|Encadré|Cuadro|Gráfico|Figura|Recuadro"
    "|Таблица|Диаграмма|Рисунок|表|图|圖|الجدول|الشكل"
)
CAPTION = re.compile(rf"((?:{CAPTIONS}) (?:\d+|[IVXLC]+)[A-Z]?)(?:\s*[:—–].*)?")
HEADING = re.compile(r"(?:[IVXLC]+|[A-H])\.\s+\S.*|Annex(?: [IVXLC\d]+)?|Summary|Contents")
MARK = re.compile(r"\d{1,3}|[*†‡§¶]{1,3}")
PAGE_NUMBER = re.compile(r"(?i)(?:page\s+)?[-–—]?\s*\d{1,4}\s*[-–—]?(?:\s*(?:/|of)\s*\d{1,4})?")
EDGE = 3  # lines at the top and at the foot of a page where running headers and footers sit
# type sizes, relative to the body's: a heading's at least, a note's or a table's below, and
# a note's mark or call at most
LARGE, SMALL, MARKER = 1.08, 0.95, 0.82


@dataclass
class _Reading:
    """What has been read so far, page after page."""

    body: float  # the body's type size (0: unknown, plain text)
    entries: list[dict] = field(default_factory=list)  # {"key", "number", "lines"}
    headings: list[dict] = field(default_factory=list)  # {"where", "lines"}
    notes: list[dict] = field(default_factory=list)  # {"id", "number", "lines", "size", …}
    current: dict | None = None  # the entry that a line of body text continues
    block: bool = False  # the current entry is a table or a figure
    paragraph: int | None = None  # the last paragraph number
    heading: str = ""  # the last heading: it names the unnumbered text below it
    note: dict | None = None  # the footnote whose text runs on (inline, in a browser's PDF)
    seen: list[str] = field(default_factory=list)  # the last page's body text (plain: calls)
    after_heading: Line | None = None  # the line just placed, when it was a heading
    calls: set[str] = field(default_factory=set)  # the marks called in the text so far

    def accepts(self, mark: str) -> bool:
        """The next footnote's number (up to two notes missed), or a symbol."""
        if not mark.isdigit():
            return True
        last = max((n["number"] or 0 for n in self.notes), default=0)
        return last < int(mark) <= last + 3


def text_model(pages: list[str] | list[list[Line]], words: Counter[str] | None = None) -> dict:
    """The model of a document from its pages' lines (or text). `words`: the vocabulary that
    decides line-end hyphens, best taken from both documents being compared."""
    pages = [plain_lines(page) if isinstance(page, str) else page for page in pages]
    if words is None:
        words = vocabulary(line.text for page in pages for line in page)
    reading = _Reading(body_size(pages))
    for number, lines in enumerate(drop_furniture(pages), start=1):
        body = _split_notes(lines, reading) if reading.body else _plain_notes(lines, reading)
        for line in body:
            _place(line, reading, number)
        if reading.note and not reading.note["inline"]:
            reading.note = None  # a note at a page foot ends there; one printed inline runs on
    return {
        "version": 0,
        "paragraphs": [
            _entry(e, words, key=e["key"], number=e["number"], where="") for e in reading.entries
        ],
        "headings": [_entry(h, words, where=h["where"]) for h in reading.headings],
        "footnotes": [
            _entry(n, words, key=f"footnote {n['id']}", id=n["id"], number=n["number"])
            for n in reading.notes
        ],
        "tables": [],
        "figures": [],
    }


def _entry(read: dict, words: Counter[str], **fields) -> dict:
    """A table's or figure's lines are kept too: a change in a table is told by its row."""
    if not read.get("block"):
        return {**fields, "text": join(read["lines"], words)}
    rows = [join([line], words) for line in read["lines"]]
    text = join(read["lines"], words)
    return {**fields, "text": text, "rows": rows, "words": " ".join(bag(rows, words))}


def body_size(pages: list[list[Line]]) -> float:
    """The type size most characters are set in (0 when the text came without sizes)."""
    sizes: Counter[float] = Counter()
    for page in pages:
        for line in page:
            for run in line.runs:
                sizes[run.size] += len(run.text.strip())
    return sizes.most_common(1)[0][0] if sizes else 0.0


def drop_furniture(pages: list[list[Line]]) -> list[list[Line]]:
    """Pages without their running headers and footers: from the top and from the foot of a
    page inwards, page numbers and lines repeated at the edges of most pages ("A/80/123"), or
    repeated but for the page number when what stays has figures of its own ("12-45304 3")."""
    counts: Counter[str] = Counter()
    for page, lines in enumerate(pages, start=1):
        counts.update(set().union(*(_shapes(lines[i], page) for e in _edges(lines) for i in e)))
    repeated = {s for s, n in counts.items() if len(pages) > 2 and n > len(pages) / 2}
    # the document's symbol heads its first page and runs at the top of the others
    masthead = [f" {' '.join(line.text.split())} " for line in pages[0][:EDGE]] if pages else []
    kept = []
    for page, lines in enumerate(pages, start=1):
        flags = [
            bool(PAGE_NUMBER.fullmatch(line.text.strip()) or _shapes(line, page) & repeated)
            or (page > 1 and i < EDGE and _within(line, masthead))
            for i, line in enumerate(lines)
        ]
        furniture = set()
        for edge in _edges(lines):  # inwards while it is furniture: further in, a line is text
            for i in edge:
                if not flags[i]:
                    break
                furniture.add(i)
        kept.append([line for i, line in enumerate(lines) if i not in furniture])
    return kept


def _within(line: Line, masthead: list[str]) -> bool:
    """A symbol ("A/80/123") that the first page's top lines have too."""
    words = line.text.split()
    symbol = len(words) == 1 and re.search(r"[/\d]", words[0])
    return bool(symbol) and any(f" {words[0]} " in top for top in masthead)


def _shapes(line: Line, page: int) -> set[str]:
    words = line.text.split()
    rest = [word for word in words if word != str(page)]
    return {" ".join(words)} | ({" ".join(rest)} if re.search(r"\d", "".join(rest)) else set())


def _edges(lines: list) -> list[list[int]]:
    """The indexes of a page's first and last lines, each from its edge inwards."""
    count = len(lines)
    return [list(range(min(EDGE, count))), list(range(count - 1, max(count - EDGE, 0) - 1, -1))]


def _split_notes(lines: list[Line], reading: _Reading) -> list[Line]:
    """The body lines of a page, its footnotes taken out to `reading.notes` and the calls of
    notes (small numbers in the text) dropped."""
    flat = [(i, run) for i, line in enumerate(lines) for run in line.runs]
    kept: list[list[Run]] = [[] for _ in lines]
    note, foot = reading.note, _foot(lines, reading.body)
    for k, (i, run) in enumerate(flat):
        mark = _mark(run, reading.body)
        after = _after(flat, k, lines)
        if mark and after and _note_sized(after, run, reading.body) and reading.accepts(mark):
            note = _open_note(reading, mark, after.size, inline=bool(kept[i]))
            continue
        if i >= foot and not kept[i] and (number := _numbered(run, reading)):
            note = _open_note(reading, number, run.size, inline=False)  # its number not raised
            _add(note, i, run.text.lstrip()[len(number) :].lstrip())
            continue
        if mark:
            reading.calls.add(mark)
            tail = _tail(kept[i], reading.body)
            if tail and reading.accepts(mark):  # the note's text before its mark (a browser's *)
                star = _open_note(reading, mark, kept[i][-1].size, inline=True)
                _add(star, i, "".join(r.text for r in kept[i][-tail:]))
                del kept[i][-tail:]
            note = None
            _space(kept[i], run)
            continue  # a call of a note: not part of the text
        if note is not None and abs(run.size - note["size"]) <= 0.05 * note["size"]:
            _add(note, i, run.text)
            _space(kept[i], run)
        else:
            note = None
            kept[i].append(run)
    reading.note = note
    if note is not None:
        note["line"] = None
    return [
        Line(runs, line.x, line.y)
        for runs, line in zip(kept, lines, strict=True)
        if "".join(run.text for run in runs).strip()
    ]


def _foot(lines: list[Line], body: float) -> int:
    """Where the page foot starts: after its last line in the body's type."""
    return max((i + 1 for i, line in enumerate(lines) if _near(line.size, body)), default=0)


def _numbered(run: Run, reading: _Reading) -> str:
    """The number of a note whose number is set in the note's type ("7 United Nations …"),
    at the start of a line at the page foot: the next note's, and called in the text."""
    match = re.match(r"(\d{1,3}|[*†‡§¶]{1,3})\s+\S", run.text.lstrip())
    small = 0.5 * reading.body < run.size < SMALL * reading.body
    if match and small and match[1] in reading.calls and reading.accepts(match[1]):
        return match[1]
    return ""


def _space(runs: list[Run], taken: Run) -> None:
    """Text taken out of a line leaves the space that followed it: "origin.³ The" is
    "origin. The", and "figures¹, who" is "figures, who"."""
    if taken.text[-1:].isspace():
        runs.append(Run(" ", taken.size))


def _mark(run: Run, body: float) -> str:
    text = run.text.strip()
    return text if MARK.fullmatch(text) and run.size <= MARKER * body else ""


def _after(flat: list[tuple[int, Run]], k: int, lines: list[Line]) -> Run | None:
    """The run after the k-th, if it follows on the same line or on the line just below (a
    page's type size is about its line pitch, in whatever unit the PDF draws)."""
    if k + 1 >= len(flat):
        return None
    (i, _), (j, run) = flat[k], flat[k + 1]
    return run if j == i or 0 <= lines[i].y - lines[j].y <= 2.5 * run.size else None


def _note_sized(run: Run, mark: Run, body: float) -> bool:
    return 0.5 * body < run.size < SMALL * body and run.size > 1.05 * mark.size


def _tail(runs: list[Run], body: float) -> int:
    """How many runs at the end of a line are in a note's type, after text in the body's."""
    count = 0
    while count < len(runs) and 0.5 * body < runs[-1 - count].size < SMALL * body:
        count += 1
    return count if count < len(runs) and _near(runs[-1 - count].size, body) else 0


def _open_note(reading: _Reading, mark: str, size: float, inline: bool) -> dict:
    number = int(mark) if mark.isdigit() else None
    note = {"id": mark, "number": number, "lines": [], "size": size, "inline": inline, "line": None}
    reading.notes.append(note)
    return note


def _add(note: dict, line: int, text: str) -> None:
    if note["line"] == line and note["lines"]:
        note["lines"][-1] += text
    else:
        note["lines"].append(text)
        note["line"] = line


def _plain_notes(lines: list[Line], reading: _Reading) -> list[Line]:
    """Text without sizes: the notes are the page's last lines, from the first one that starts
    with the next note's number (or a symbol) called in the text above it."""
    texts = [line.text.strip() for line in lines]
    start = next(
        (i for i in range(1, len(lines)) if _plain_start(texts[i], reading, texts[:i])), None
    )
    body = lines if start is None else lines[:start]
    for text in texts[len(body) :]:
        if _plain_start(text, reading, texts[: len(body)]):
            mark = text.split()[0]
            _open_note(reading, mark, 0.0, inline=False)
            text = text[len(mark) :]
        reading.notes[-1]["lines"].append(text)
    reading.seen = [line.text for line in body]
    return body


def _plain_start(text: str, reading: _Reading, above: list[str]) -> bool:
    mark = re.match(r"(\S+)\s+\S", text)
    if not (mark and MARK.fullmatch(mark[1]) and reading.accepts(mark[1])):
        return False
    call = re.compile(rf"(?<=[^\s\d]){re.escape(mark[1])}(?!\d)")
    return any(call.search(line) for line in [*reading.seen, *above])


def _place(line: Line, reading: _Reading, page: int) -> None:
    """One line of body text: it starts a paragraph, a table or figure, or is a heading, or
    continues what came before."""
    text = line.text.strip()
    start = _paragraph_start(line, text, reading)
    caption = CAPTION.fullmatch(text) if _near(line.size, reading.body) else None
    if start is not None:
        reading.paragraph = start[0]
        _open(reading, f"para. {start[0]}", start[0], start[1])
    elif caption:
        _open(reading, caption[1], None, text, block=True)
    elif _is_heading(line, text, reading):
        _heading(line, text, reading, page)
        return
    elif reading.current is None:
        under = f"text under “{_clip(reading.heading)}”" if reading.heading else "text at the start"
        _open(reading, under, None, text)
    else:
        reading.current["lines"].append(text)
    reading.after_heading = None


def _paragraph_start(line: Line, text: str, reading: _Reading) -> tuple[int, str] | None:
    """(number, text) of a line that starts the next numbered paragraph ("12. Text")."""
    match = PARAGRAPH.fullmatch(text)
    if not match or (reading.paragraph is not None and int(match[1]) != reading.paragraph + 1):
        return None
    if reading.body and (line.bold or not _near(line.size, reading.body)):
        return None
    return int(match[1]), match[2] or ""


def _is_heading(line: Line, text: str, reading: _Reading) -> bool:
    body = reading.body
    if not body:
        return bool(HEADING.fullmatch(text))
    if line.size >= LARGE * body:
        return True
    return not reading.block and line.bold and line.size >= SMALL * body


def _heading(line: Line, text: str, reading: _Reading, page: int) -> None:
    """A heading; a heading set on two lines is one."""
    last = reading.after_heading
    if last is not None and reading.body and _continues(last, line):
        reading.headings[-1]["lines"].append(text)
    else:
        reading.headings.append({"where": f"page {page}", "lines": [text]})
    reading.heading = " ".join(reading.headings[-1]["lines"])
    reading.after_heading = line
    reading.current, reading.block = None, False


def _continues(above: Line, line: Line) -> bool:
    return (
        abs(above.size - line.size) <= 0.03 * line.size
        and above.bold == line.bold
        and 0 < above.y - line.y <= 1.3 * line.size
    )


def _open(reading: _Reading, key: str, number: int | None, text: str, block: bool = False):
    lines = [text] if text else []
    reading.current = {"key": key, "number": number, "lines": lines, "block": block}
    reading.entries.append(reading.current)
    reading.block = block


def _near(size: float, body: float) -> bool:
    return not body or abs(size - body) <= (1 - SMALL) * body


def _clip(text: str, size: int = 40) -> str:
    return text if len(text) <= size else text[: size - 1].rstrip() + "…"
