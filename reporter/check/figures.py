"""Read a figure as an editor writes it: "almost 60 per cent", "$372 billion", "Thirty-five",
"one third", "almost doubled", "the second largest" -> qualifier, number, typed precision,
scale and unit. In French, Spanish, Russian, Arabic and Chinese a rank is an ordinal as the
language writes it ("2e", "2.º", "2-е", "الثانية", "第2": content/languages.py)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from reporter.content.english import (
    FRACTIONS,
    MULTIPLES,
    ONES,
    ORDINALS,
    SUPERLATIVES,
    TENS,
    ordinal_suffix,
)
from reporter.content.languages import ENGLISH, Language, read_ordinal, separators
from reporter.content.languages import language as words_of

QUALIFIERS = words_of("en").qualifiers  # longest first, so "just under" wins over "under"
SCALES = ENGLISH.scales
UNITS = ENGLISH.percent
_ORDINAL = re.compile(
    rf"(?:the )?(?:(?P<word>{'|'.join(ORDINALS)})|(?P<digits>\d+)(?P<suffix>st|nd|rd|th))"
    rf"(?:[ -](?:{'|'.join(SUPERLATIVES)})\b.*)?"
    rf"|(?:the )?(?P<alone>{'|'.join(SUPERLATIVES)})\b.*"
)

MAX_DIGITS = 15  # beyond, a double cannot hold the figure as typed


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


def parse_figure(text: str, language: str = "en") -> Stated:
    """`text` as written in `language` (en, fr, es, ru, ar, zh) -> Stated."""
    words = words_of(language)
    rest = " ".join(text.split())
    if words.digits:
        rest = rest.translate(words.digits)
    qualifier, rest = _qualifier(rest, words)
    lower = rest.lower()
    if words.code == "en" and (stated := _english_words(text, qualifier, lower)):
        return stated
    if words.code != "en" and not qualifier and (place := read_ordinal(rest, language)):
        return Stated(text, "", float(place), 0, 1.0, "rank", "ordinal")
    rest = rest.removeprefix("$")  # kept in the text as typed; it does not change the check
    m = _number_pattern(language).match(rest)
    if m:
        digits = m[1].replace(m["group"] or "\0", "")
        fraction = m["fraction"] or ""
        if len(digits) + len(fraction) > MAX_DIGITS:
            raise NotAFigure(f"{text!r} has more than {MAX_DIGITS} digits")
        value = float(digits + ("." + fraction if fraction else ""))
        decimals, kind, tail = len(fraction), "digits", rest[m.end() :]
    else:
        head, _, tail = rest.partition(" ")
        percent = head.endswith("%")
        number = word_number(head.removesuffix("%")) if words.code == "en" else None
        if number is None:
            raise NotAFigure(f"{text!r} is not a figure")
        value, decimals, kind = float(number), 0, "words"
        tail = "%" + " " + tail if percent else tail
    scale, unit, tail = _scale_and_unit(tail.strip().lower(), words)
    if tail:
        raise NotAFigure(f"{text!r}: unexpected {tail!r} after the number")
    return Stated(text, qualifier, value, decimals, scale, unit, kind)


def _qualifier(rest: str, words: Language) -> tuple[str, str]:
    lower = rest.lower()
    for phrase, rule in words.qualifiers.items():
        if lower.startswith(phrase + " "):
            return rule, rest[len(phrase) + 1 :]
        if not words.spaced and lower.startswith(phrase):
            return rule, rest[len(phrase) :].lstrip()
    return "", rest


def _english_words(text: str, qualifier: str, lower: str) -> Stated | None:
    """Multiples, fractions and ranks: read in English only."""
    if lower in MULTIPLES:
        return Stated(text, qualifier, MULTIPLES[lower], 0, 1.0, "ratio", "multiple")
    if lower in FRACTIONS:
        return Stated(text, qualifier, FRACTIONS[lower], 0, 1.0, "ratio", "fraction")
    if not qualifier and (place := ordinal(lower)) is not None:
        return Stated(text, "", float(place), 0, 1.0, "rank", "ordinal")
    return None


@cache
def _number_pattern(code: str) -> re.Pattern:
    """Digits grouped by threes with the language's group symbol (a space for CLDR's no-break
    spaces, which the text's spaces have become), then its decimal symbol: "1,234.5" in
    English, "1 234,5" in French, "1.234,5" in Spanish ("1.234" is 1234 there)."""
    decimal, group = separators(code)
    group = " " if group.isspace() else group
    end = r"(?=$|[ %])" if words_of(code).spaced else r"(?![\d.,])"
    g, d = re.escape(group), re.escape(decimal)
    return re.compile(rf"(\d{{1,3}}(?:(?P<group>{g})\d{{3}})+|\d+)(?:{d}(?P<fraction>\d+))?{end}")


def _scale_and_unit(tail: str, words: Language) -> tuple[float, str, str]:
    """(scale, unit, what is left) from the words after the number: "million", "%",
    "millions", "млн", "亿", "pour cent"."""
    scale, unit = 1.0, "count"
    gap = " " if words.spaced else ""
    for word, factor in words.scales.items():
        if tail == word or tail.startswith(word + gap):
            scale, tail = factor, tail[len(word) :].strip()
            break
    if tail.startswith("%"):
        unit, tail = "percent", tail[1:].strip()
    elif tail in words.percent:
        unit, tail = "percent", ""
    return scale, unit, tail
