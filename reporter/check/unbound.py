"""Numbers in prose that are neither bound nor declared. Years, dates, times, document
symbols, resolution and convention numbers, names in quotes or italics, and references are
recognised as not being quantities."""

from __future__ import annotations

import re
from pathlib import Path

from reporter.content.english import (
    MONTHS,
    MULTIPLES,
    ONES,
    ORDINALS,
    SUPERLATIVES,
    TENS,
)
from reporter.content.inline import Emph, Figure, Link, Node, Str
from reporter.content.model import Document
from reporter.content.yamlsource import Text, locate
from reporter.errors import Location

_MONTHS = "|".join(MONTHS)
_CARDINAL = "|".join(ONES[2:] + TENS)
_ORDINAL = "|".join(ORDINALS) + r"|\d+(?:st|nd|rd|th)"
_SUPERLATIVE = "|".join(SUPERLATIVES)
NUMBER = re.compile(
    rf"\b(?:{_ORDINAL})[ -](?:{_SUPERLATIVE})\b"  # ranks: the sixth largest, 2nd-highest
    rf"|\branked (?:{_ORDINAL})\b"
    rf"|\$?\d[\d,]*(?:\.\d+)?|\b(?:{_CARDINAL})(?:-(?:one|two|three|four|five|six|seven|eight|nine))?\b"
    r"|\b(?:one|a|two|three) (?:half|third|thirds|quarter|quarters|fifth|fifths)\b|\bhalf\b"
    rf"|\b(?:{'|'.join(MULTIPLES)})\b",
    re.IGNORECASE,
)
# In a language that groups digits with spaces (fr, ru: 12 165 084; CLDR's no-break spaces),
# a grouped number is one number, not three
SPACE_GROUPED = re.compile(r"\d{1,3}(?:[ \u00a0\u202f]\d{3})+(?:,\d+)?(?!\d)")
NOT_QUANTITIES = re.compile(
    "|".join(
        [
            r"\b(?:https?://|www\.)\S+",  # web addresses: www.unrwa.org/etemplate.php?id=253
            r"\b\d+/\d+\b",  # resolution numbers: 65/170, 2006/2 (before years: 2006/2 whole)
            r"\b(?:[Tt]ables?|[Ff]igures?|[Ss]ections?|[Aa]nnex(?:es)?|[Pp]aras?\.) [\dIVX]+\b",
            # years and year ranges (1990-1999), also where no space parts them from words:
            # Chinese 2017年
            r"(?<!\d)(?<!\d[.,])(?:19|20)\d{2}(?:[-–](?:19|20)?\d{2})?(?!\d|[.,]\d|%)",
            rf"\b\d{{1,2}}(?: and \d{{1,2}})? (?:{_MONTHS})\b",  # dates: 24 and 25 September
            r"\b\d{1,2}(?:\.\d{2})?\s?[ap]\.m\.",  # times: 10 a.m., 10.30 a.m.
            r"\b[A-Z][A-Za-z.]*(?:/[\w.]+)+",  # document symbols: A/67/150, POP/DB/Rev.2010
            r"\bNo\. \d+",  # convention and issue numbers: (No. 97)
            r"\bGroup of (?:Eight|Seven|Twenty|\d+)\b",  # names of groups
            r"“[^”]*”",  # quoted names and titles: “5 by 5”, “Trade brief 18”
            r"\b(?:twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety)-(?:first|second|third|\w+th)\b",
        ]
    )
)


def unbound_numbers(doc: Document) -> list[tuple[Location, str, str]]:
    """(where, place, number as written) for each number, number word or rank in the text —
    paragraphs, headings, the summary, the annex, tables' and charts' texts, footnotes — that
    is neither bound nor declared."""
    found = []
    grouped = (doc.meta.get("language") or "en").split("-")[0] not in ("en", "zh")
    for place, run in doc.runs():
        for node, text in _loose_text(run):
            masked = NOT_QUANTITIES.sub(lambda m: " " * len(m[0]), text)
            here = []
            for m in SPACE_GROUPED.finditer(masked) if grouped else ():
                here.append((m.start(), m[0]))  # one number, then masked for NUMBER
                masked = masked[: m.start()] + " " * len(m[0]) + masked[m.end() :]
            here += [(m.start(), m[0]) for m in NUMBER.finditer(masked)]
            found += [(_where(node, at), place, number) for at, number in sorted(here)]
    return found


def _loose_text(nodes: list[Node]):
    """Text not inside a figure, an italic title or a link."""
    for node in nodes:
        if isinstance(node, Str):
            yield node, node.text
        elif isinstance(node, (Figure, Emph, Link)):
            continue


def _where(node: Str, offset: int) -> Location:
    if isinstance(node.raw, Text):
        return locate(node.raw, node.offset + offset)
    return Location(Path("?"))
