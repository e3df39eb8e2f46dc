"""Read a figure as an editor writes it: "almost 60 per cent", "$372 billion", "Thirty-five",
"one third", "almost doubled", "the second largest" -> qualifier, number, typed precision,
scale and unit."""

from __future__ import annotations

import re
from dataclasses import dataclass

from reporter.content.english import (
    FRACTIONS,
    MULTIPLES,
    ONES,
    ORDINALS,
    SUPERLATIVES,
    TENS,
    ordinal_suffix,
)

# Longest first, so "just under" wins over "under".
QUALIFIERS = {
    "approximately": "about", "about": "about", "around": "about", "some": "about",
    "roughly": "about",
    "just under": "almost", "almost": "almost", "nearly": "almost",
    "more than": "over", "over": "over", "exceeding": "over", "above": "over",
    "fewer than": "under", "less than": "under", "under": "under", "below": "under",
    "at least": "at-least", "up to": "at-most", "at most": "at-most",
}  # fmt: skip
SCALES = {"thousand": 1e3, "million": 1e6, "billion": 1e9, "trillion": 1e12}
UNITS = ("per cent", "percent", "%")
_ORDINAL = re.compile(
    rf"(?:the )?(?:(?P<word>{'|'.join(ORDINALS)})|(?P<digits>\d+)(?P<suffix>st|nd|rd|th))"
    rf"(?:[ -](?:{'|'.join(SUPERLATIVES)})\b.*)?"
    rf"|(?:the )?(?P<alone>{'|'.join(SUPERLATIVES)})\b.*"
)

MAX_DIGITS = 15  # beyond, a double cannot hold the figure as typed
_NUMBER = re.compile(r"(\d{1,3}(?:,\d{3})+|\d+)(?:\.(\d+))?")


@dataclass(frozen=True)
class Stated:
    """A figure as written. `value` is in the figure's own terms: 46 for "46 million"."""

    text: str
    qualifier: str  # "" (exact) | about | almost | over | under | at-least | at-most
    value: float
    decimals: int  # digits typed after the point: the precision the figure claims
    scale: float  # 1e6 for "million"
    unit: str  # count | percent | ratio
    kind: str  # digits | words | fraction | multiple | ordinal


class NotAFigure(ValueError):
    pass


def word_number(text: str) -> int | None:
    """'Thirty-five' -> 35, 'seven' -> 7; None when it is not a cardinal number word."""
    word = text.lower()
    if word in ONES:
        return ONES.index(word)
    if word in TENS:
        return 20 + 10 * TENS.index(word)
    tens, _, one = word.partition("-")
    if tens in TENS and one in ONES[1:10]:
        return 20 + 10 * TENS.index(tens) + ONES.index(one)
    return None


def ordinal(text: str) -> int | None:
    """'the second largest' -> 2, 'sixth' -> 6, '3rd-highest' -> 3, 'the largest' -> 1."""
    m = _ORDINAL.fullmatch(" ".join(text.lower().split()))
    if m is None:
        return None
    if m["word"]:
        return ORDINALS.index(m["word"]) + 1
    if not m["digits"]:
        return 1
    place = int(m["digits"])
    return place if m["suffix"] == ordinal_suffix(place) else None  # "21st", not "21th"


def parse_figure(text: str) -> Stated:
    rest = " ".join(text.split())
    lower = rest.lower()
    qualifier = ""
    for phrase in QUALIFIERS:
        if lower.startswith(phrase + " "):
            qualifier = QUALIFIERS[phrase]
            rest, lower = rest[len(phrase) + 1 :], lower[len(phrase) + 1 :]
            break
    if lower in MULTIPLES:
        return Stated(text, qualifier, MULTIPLES[lower], 0, 1.0, "ratio", "multiple")
    if lower in FRACTIONS:
        return Stated(text, qualifier, FRACTIONS[lower], 0, 1.0, "ratio", "fraction")
    if not qualifier and (place := ordinal(lower)) is not None:
        return Stated(text, "", float(place), 0, 1.0, "rank", "ordinal")
    rest = rest.removeprefix("$")  # kept in the text as typed; it does not change the check
    head, _, tail = rest.partition(" ")
    percent = head.endswith("%")  # "46%" as well as "46 %" and "46 per cent"
    head = head.removesuffix("%")
    if m := _NUMBER.fullmatch(head):
        if len(m[1].replace(",", "")) + len(m[2] or "") > MAX_DIGITS:
            raise NotAFigure(f"{text!r} has more than {MAX_DIGITS} digits")
        value = float(m[1].replace(",", "") + ("." + m[2] if m[2] else ""))
        decimals, kind = len(m[2] or ""), "digits"
    elif (number := word_number(head)) is not None:
        value, decimals, kind = float(number), 0, "words"
    else:
        raise NotAFigure(f"{text!r} is not a figure")
    tail = tail.strip().lower()
    scale = 1.0
    for word, factor in SCALES.items():
        if tail == word or tail.startswith(word + " "):
            scale, tail = factor, tail[len(word) :].strip()
            break
    unit = "count"
    if percent or tail in UNITS:
        unit, tail = "percent", ""
    if tail:
        raise NotAFigure(f"{text!r}: unexpected {tail!r} after the number")
    return Stated(text, qualifier, value, decimals, scale, unit, kind)
