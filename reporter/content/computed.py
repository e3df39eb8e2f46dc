"""The format of a computed value, `{=name FORMAT}`: how a value from the data is written into
the text when the figures are checked (check/computed.py writes it).

    {=stock}                      the value in its quantity's unit, default decimals
    {=stock .1 million}           .N decimals, then thousand | million | billion | per cent | %
    {=change sign rose|fell|did not change}   a word chosen by the sign: +, -, (0)
    {=countries plural country|countries}     the number and a word chosen by it: "1 country"
    {=place largest}              a rank: "the largest", "the second largest", "the 12th largest"
    {=place ordinal}              a place as the document's language writes an ordinal:
                                  "second", "12th"; fr "2e", "1er"; es "2.º"; ru "2-й"; zh "第2";
                                  ar "الثاني", "12"
    {=place ordinal f}            …in one of the language's forms: f (feminine: fr "1re",
                                  es "2.ª", ar "الثانية"), m; in Russian the ending: е, м, го …
    {=top.1.country list 3}       a text column's names from that row on (at most 3: fewer if
                                  the table has fewer rows), as the document's language writes
                                  a list: "A, B and C"; fr "A, B et C"; es "A, B y C";
                                  ar "A وB وC"; zh "A、B和C"

The words of each language are content/languages.py's; a list is CLDR's pattern (Babel),
English's "A, B and C" (UN style, no comma before "and": CLDR's en-001).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from reporter.content.english import SUPERLATIVES
from reporter.errors import suggest

UNIT_WORDS = ("thousand", "million", "billion", "per cent", "percent", "%")
CHOICES = {"sign": (2, 3), "plural": (2,)}  # how many words each takes
EXAMPLES = {"sign": "sign rose|fell|did not change", "plural": "plural country|countries"}
MAX_DECIMALS = 6
MAX_LIST = 50  # names in one list
_DECIMALS = re.compile(r"\.(\d+)")


@dataclass(frozen=True)
class Format:
    kind: str = "number"  # number | sign | plural | rank | ordinal | list
    decimals: int | None = None  # number: digits after the point; None: the unit's default
    unit: str = ""  # number: the word after it, as written ("million", "per cent"); "": own
    words: tuple[str, ...] = ()  # sign: +, -[, 0]; plural: one, other; rank: the superlative;
    # ordinal: the form, if one is given
    count: int = 0  # list: at most this many names


class BadFormat(ValueError):
    def __init__(self, message: str, hint: str, offset: int) -> None:
        super().__init__(message)
        self.message, self.hint, self.offset = message, hint, offset  # offset in the format


def parse_format(text: str) -> Format:
    """FORMAT of `{=name FORMAT}` (the text after the name) -> Format; BadFormat says what is
    wrong and where in `text`."""
    words = list(re.finditer(r"\S+", text))
    if not words:
        return Format()
    first = words[0]
    if first[0] in CHOICES:
        return _choice(first[0], text[first.end() :], first.end())
    if "|" in text:
        raise BadFormat(
            "words to choose from need 'sign' or 'plural' before them",
            f"write {{=name {EXAMPLES['sign']}}} or {{=name {EXAMPLES['plural']}}}",
            first.start(),
        )
    if len(words) == 1 and first[0].lower() in SUPERLATIVES:
        return Format("rank", words=(first[0],))
    if first[0] == "ordinal":
        if len(words) > 2:
            raise BadFormat(
                "ordinal takes at most one form",
                "write {=name ordinal} or {=name ordinal f}",
                words[2].start(),
            )
        return Format("ordinal", words=tuple(w[0] for w in words[1:]))
    if first[0] == "list":
        return _list(words)
    return _number(words)


def _list(words: list[re.Match]) -> Format:
    count = words[1][0] if len(words) == 2 else ""
    if not count.isdigit() or not 2 <= int(count) <= MAX_LIST:
        at = words[1].start() if len(words) > 1 else words[0].end()
        raise BadFormat(
            f"list takes how many names, 2 to {MAX_LIST}", "write {=table.1.column list 3}", at
        )
    return Format("list", count=int(count))


def _choice(kind: str, rest: str, at: int) -> Format:
    forms = tuple(" ".join(form.split()) for form in rest.split("|"))
    counts = CHOICES[kind]
    if len(forms) not in counts or not all(forms):
        wanted = " or ".join(("two", "three")[: len(counts)])
        raise BadFormat(
            f"{kind} takes {wanted} words separated by '|'", f"write {{=name {EXAMPLES[kind]}}}", at
        )
    return Format(kind, words=forms)


def _number(words: list[re.Match]) -> Format:
    decimals = None
    if m := _DECIMALS.fullmatch(words[0][0]):
        decimals = int(m[1])
        if decimals > MAX_DECIMALS:
            raise BadFormat(
                f"too many decimals: {decimals}", f"write .0 to .{MAX_DECIMALS}", words[0].start()
            )
        words = words[1:]
    unit = " ".join(w[0] for w in words)
    if unit and unit not in UNIT_WORDS:
        known = [*UNIT_WORDS, *CHOICES, *SUPERLATIVES, "ordinal", "list", ".1"]
        hint = suggest(unit, known) or (
            "write .N (decimals) and thousand, million, billion or per cent; sign …, "
            "plural …, a superlative (largest), ordinal or list N"
        )
        raise BadFormat(f"unknown format {unit!r}", hint, words[0].start())
    return Format("number", decimals, unit)
