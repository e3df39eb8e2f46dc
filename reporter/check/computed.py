"""A computed value's text, `{=name FORMAT}`: the value of its quantity written as FORMAT says
(content/computed.py), in the document's language. The digits come from one function,
compute.tables' `format_number` (half up, comma thousands, − for negatives; CLDR's symbols in
a language other than English); the words, ordinals and lists from content/languages.py.
What is written is then checked like a typed figure (check/run.py); a list of names, like a
name, against the names of the data it was written from."""

from __future__ import annotations

import math
from dataclasses import dataclass

from reporter.compute.quantities import CELL, Quantities, Value
from reporter.compute.tables import format_number
from reporter.content.english import ordinal_word
from reporter.content.inline import Computed
from reporter.content.languages import language as language_words
from reporter.content.languages import list_of, ordinal, ordinal_forms, percent_suffix
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


def computed_value(node: Computed, quantities: Quantities, language: str = "en") -> Value:
    """What `node` writes: its quantity's value; for a list (`{=top.1.country list 3}`), a
    name: the text column's names from that row on, at most the number asked, written as
    `language` writes a list."""
    if node.format.kind != "list":
        return quantities.get(node.quantity, node.loc)
    first = quantities.get(node.quantity, node.loc)  # an unknown table, row or column
    if first.missing:
        return first
    m = CELL.fullmatch(node.quantity)
    if m is None or not m[2].isdigit() or first.text is None:
        raise ReportError(
            f"{node.written}: a list is of a text column's names, from a row given by its place",
            node.loc,
            "write {=table.1.column list 3}",
        )
    table, start, column = m[1], int(m[2]), m[3]
    rows = sum(not row.style for row in quantities.tables[table].rows)
    last = min(rows, start + node.format.count - 1)
    values = [quantities.get(f"{table}.{n}.{column}", node.loc) for n in range(start, last + 1)]
    gap = next((v for v in values if v.missing), None)
    if gap is not None:
        return gap
    names = [v.text for v in values]
    cells = f"{table}.{start}.{column} to {table}.{last}.{column}"
    return Value(math.nan, "name", cells, text=list_of(names, language))


def write(node: Computed, value: Value, direction: str = "", language: str = "en") -> Written:
    """The text of `node` for `value`, in `language` (en, fr, es, ru, ar, zh; a rank with a
    superlative only in English). After words that state a direction ("fell by"), a number
    is written without its sign, as an editor would type it."""
    fmt = node.format
    if value.text is not None:
        if fmt.kind not in ("number", "list") or fmt.decimals is not None or fmt.unit:
            raise ReportError(f"{node.quantity} is a name: it takes no format", node.loc)
        return Written(value.text, value.text)
    number = abs(value.value) if direction else value.value
    if fmt.kind == "sign":
        return _sign(fmt.words, value.value)
    if fmt.kind == "plural":
        return _plural(node, fmt.words, number, value.unit, language)
    if fmt.kind == "rank" and language != "en":
        raise ReportError(
            f"{node.written}: a rank with a superlative is written in English only",
            node.loc,
            "write {=name ordinal}: the place as the document's language writes an ordinal",
        )
    if fmt.kind == "rank":
        return _rank(node, fmt.words[0], value)
    if fmt.kind == "ordinal":
        return _ordinal(node, fmt.words, value, language)
    if fmt.kind == "list":
        raise ReportError(
            f"{node.written}: a list is of names; {node.quantity!r} is a number", node.loc
        )
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


def _place(node: Computed, value: Value) -> int:
    place = float(value.value)
    if not place.is_integer() or place < 1:
        raise ReportError(
            f"{node.written}: a rank is a place 1, 2, 3 …; {node.quantity!r} is {place:g}",
            node.loc,
        )
    return int(place)


def _ordinal(node: Computed, form: tuple[str, ...], value: Value, language: str) -> Written:
    place = _place(node, value)
    try:
        text = ordinal(place, "".join(form), language)
    except ValueError as exc:
        forms = ordinal_forms(language)
        hint = f"forms in {language}: {', '.join(forms)}" if forms else ""
        raise ReportError(f"{node.written}: {exc}", node.loc, hint) from None
    return Written(text, text, "rank")


def _rank(node: Computed, superlative: str, value: Value) -> Written:
    place = _place(node, value)
    lower = superlative.lower()
    text = f"the {lower}" if place == 1 else f"the {ordinal_word(place)} {lower}"
    text = "T" + text[1:] if superlative[0].isupper() else text  # at a sentence's start
    return Written(text, text, "rank")
