"""A computed value's text, `{=name FORMAT}`: the value of its quantity written as FORMAT says
(content/computed.py), in the document's language. The digits come from one function,
compute.tables' `format_number` (half up, comma thousands, − for negatives; CLDR's symbols in
a language other than English); the words from content/languages.py.
What is written is then checked like a typed figure (check/run.py)."""

from __future__ import annotations

import math
from dataclasses import dataclass

from reporter.compute.quantities import Value
from reporter.compute.tables import format_number
from reporter.content.english import ordinal_word
from reporter.content.inline import Computed
from reporter.content.languages import language as language_words
from reporter.content.languages import percent_suffix
from reporter.content.tablespec import NumberFormat
from reporter.errors import ReportError

# A unit's family (units of one family convert) and its size in the family's smallest unit;
# the same arithmetic as the check's (rules.in_figure_terms), so that rounding agrees.
SIZES = {"count": ("count", 1.0), "thousand": ("count", 1e3), "million": ("count", 1e6),
         "billion": ("count", 1e9),
         "percent": ("share", 1.0), "ratio": ("share", 100.0)}  # fmt: skip
DEFAULT_DECIMALS = {"count": 0, "thousand": 0, "million": 1, "billion": 1, "percent": 1, "ratio": 2}
UNIT_OF_WORD = {"thousand": "thousand", "million": "million", "billion": "billion",
                "per cent": "percent", "percent": "percent", "%": "percent"}  # fmt: skip
WORD_OF_UNIT = {"thousand": "thousand", "million": "million", "billion": "billion",
                "percent": "per cent"}  # fmt: skip


@dataclass(frozen=True)
class Written:
    text: str  # what the text says
    figure: str  # the part of it checked as a figure ("" for a word chosen by the sign)
    rule: str = ""  # what chose the words: "sign: negative", "plural", "rank"
    problem: str = ""  # why the words chosen do not hold


def write(node: Computed, value: Value, direction: str = "", language: str = "en") -> Written:
    """The text of `node` for `value`, in `language` (en, fr, es, ru, ar, zh; a rank only in
    English). After words that state a direction ("fell by"), a number is written without
    its sign, as an editor would type it."""
    fmt = node.format
    if value.text is not None:
        if fmt.kind != "number" or fmt.decimals is not None or fmt.unit:
            raise ReportError(f"{node.quantity} is a name: it takes no format", node.loc)
        return Written(value.text, value.text)
    number = abs(value.value) if direction else value.value
    if fmt.kind == "sign":
        return _sign(fmt.words, value.value)
    if fmt.kind == "plural":
        return _plural(node, fmt.words, number, value.unit, language)
    if fmt.kind == "rank" and language != "en":
        raise ReportError(f"{node.written}: a rank is written in English only", node.loc)
    if fmt.kind == "rank":
        return _rank(node, fmt.words[0], value)
    text = number_text(node, number, value.unit, language)
    return Written(text, text)


def number_text(node: Computed, number: float, unit: str, language: str = "en") -> str:
    """The number in the unit the format names (the quantity's own without one), rounded to
    its decimals (the unit's default without them), with its unit word."""
    fmt = node.format
    target = UNIT_OF_WORD[fmt.unit] if fmt.unit else unit
    (family, size), (target_family, target_size) = SIZES[unit], SIZES[target]
    if family != target_family:
        raise ReportError(
            f"{node.written}: {fmt.unit!r} does not fit {node.quantity!r}, which is in {unit}",
            node.loc,
            "a count is written in thousand, million or billion; a share in per cent",
        )
    decimals = DEFAULT_DECIMALS[target] if fmt.decimals is None else fmt.decimals
    if language != "en":
        return _in_language(number * size, target, decimals, language)
    digits = format_number(number * size / target_size, NumberFormat(decimals, "minus", ","))
    word = fmt.unit or WORD_OF_UNIT.get(target, "")
    return digits + word if word == "%" else " ".join(filter(None, (digits, word)))


def _in_language(number: float, unit: str, decimals: int, language: str) -> str:
    """`number` (in its family's smallest unit) written in `unit` as `language` writes it:
    CLDR's symbols and per-cent pattern, the language's scale word ("214,2 millions",
    "214,2 млн"). Chinese writes millions in 亿 (10⁸): "2.142亿", with the decimals that keep
    the same rounding (two more for a million)."""
    words = language_words(language)
    if unit not in words.written:
        number /= SIZES[unit][1]
        digits = format_number(number, NumberFormat(decimals, "minus", ","), language)
        return digits + percent_suffix(language) if unit == "percent" else digits
    singular, plural, factor = words.written[unit]
    decimals = max(0, decimals + round(math.log10(factor / SIZES[unit][1])))
    digits = format_number(number / factor, NumberFormat(decimals, "minus", ","), language)
    one = digits == "1" if words.plural_from == 0 else abs(number / factor) < words.plural_from
    return digits + (" " if words.spaced else "") + (singular if one else plural)


def _sign(words: tuple[str, ...], value: float) -> Written:
    if value > 0:
        return Written(words[0], "", "sign: positive")
    if value < 0:
        return Written(words[1], "", "sign: negative")
    if len(words) == 3:
        return Written(words[2], "", "sign: zero")
    problem = f"the value is 0: give a third word, for no change ({'|'.join(words)}|…)"
    return Written("/".join(words), "", "sign: zero", problem)


def _plural(
    node: Computed, words: tuple[str, ...], number: float, unit: str, language: str
) -> Written:
    if unit != "count":
        raise ReportError(
            f"{node.written}: plural needs a count; {node.quantity!r} is in {unit}", node.loc
        )
    digits = format_number(number, NumberFormat(0, "minus", ","), language)
    return Written(f"{digits} {words[0] if digits == '1' else words[1]}", digits, "plural")


def _rank(node: Computed, superlative: str, value: Value) -> Written:
    place = float(value.value)
    if not place.is_integer() or place < 1:
        raise ReportError(
            f"{node.written}: a rank is a place 1, 2, 3 …; {node.quantity!r} is {place:g}",
            node.loc,
        )
    lower = superlative.lower()
    text = f"the {lower}" if place == 1 else f"the {ordinal_word(int(place))} {lower}"
    text = "T" + text[1:] if superlative[0].isupper() else text  # at a sentence's start
    return Written(text, text, "rank")
