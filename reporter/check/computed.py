"""A computed value's text, `{=name FORMAT}`: the value of its quantity written as FORMAT says
(content/computed.py), in English. The digits come from one function, compute.tables'
`format_number` (half up, comma thousands, − for negatives), the one place a locale will go.
What is written is then checked like a typed figure (check/run.py)."""

from __future__ import annotations

from dataclasses import dataclass

from reporter.compute.quantities import Value
from reporter.compute.tables import format_number
from reporter.content.english import ordinal_word
from reporter.content.inline import Computed
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


def write(node: Computed, value: Value, direction: str = "") -> Written:
    """The text of `node` for `value`. After words that state a direction ("fell by"), a
    number is written without its sign, as an editor would type it."""
    fmt = node.format
    if value.text is not None:
        if fmt.kind != "number" or fmt.decimals is not None or fmt.unit:
            raise ReportError(f"{node.quantity} is a name: it takes no format", node.loc)
        return Written(value.text, value.text)
    number = abs(value.value) if direction else value.value
    if fmt.kind == "sign":
        return _sign(fmt.words, value.value)
    if fmt.kind == "plural":
        return _plural(node, fmt.words, number, value.unit)
    if fmt.kind == "rank":
        return _rank(node, fmt.words[0], value)
    text = number_text(node, number, value.unit)
    return Written(text, text)


def number_text(node: Computed, number: float, unit: str) -> str:
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
    digits = format_number(number * size / target_size, NumberFormat(decimals, "minus", ","))
    word = fmt.unit or WORD_OF_UNIT.get(target, "")
    return digits + word if word == "%" else " ".join(filter(None, (digits, word)))


def _sign(words: tuple[str, ...], value: float) -> Written:
    if value > 0:
        return Written(words[0], "", "sign: positive")
    if value < 0:
        return Written(words[1], "", "sign: negative")
    if len(words) == 3:
        return Written(words[2], "", "sign: zero")
    problem = f"the value is 0: give a third word, for no change ({'|'.join(words)}|…)"
    return Written("/".join(words), "", "sign: zero", problem)


def _plural(node: Computed, words: tuple[str, ...], number: float, unit: str) -> Written:
    if unit != "count":
        raise ReportError(
            f"{node.written}: plural needs a count; {node.quantity!r} is in {unit}", node.loc
        )
    digits = format_number(number, NumberFormat(0, "minus", ","))
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
