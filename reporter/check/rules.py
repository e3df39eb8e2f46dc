"""What "matches" means: the computed value, in the figure's own terms, against the figure.

Exact figures match when the value rounded to the typed precision equals them. Qualifiers
change the rule (tolerances are documented in the README, section "What matches means").
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from reporter.check.figures import Stated

ABOUT_TOLERANCE = 0.05  # "about 73 million": within 5 % of the figure (or equal when rounded)
ALMOST_RANGE = 0.10  # "almost 60 per cent": below the figure, and within 10 % of it
FRACTION_TOLERANCE = 0.02  # "one third": within 0.02 (two percentage points) of 1/3

# unit of the quantity -> how to express it per unit of the figure
UNIT_SCALES = {
    "count": 1.0,
    "thousand": 1e3,
    "million": 1e6,
    "billion": 1e9,
    "percent": 1.0,
    "ratio": 1.0,
}
FAMILY = {"count": "count", "thousand": "count", "million": "count", "billion": "count",
          "percent": "share", "ratio": "share"}  # fmt: skip


@dataclass(frozen=True)
class Verdict:
    passed: bool
    rule: str  # what was applied, in words
    value: float  # the computed value in the figure's terms


class UnitMismatch(ValueError):
    pass


def in_figure_terms(value: float, unit: str, stated: Stated) -> float:
    """A quantity's value (in `unit`) expressed as the figure states it (46 for 46 million)."""
    figure_unit = stated.unit
    if stated.kind in ("digits", "words") and figure_unit == "count" and stated.scale == 1:
        return value  # a bare number is read in the quantity's own unit ("from 40 to 74 million")
    if FAMILY.get(unit) != FAMILY.get(figure_unit):
        raise UnitMismatch(f"the figure is a {_unit_name(stated)}, the quantity is in {unit}")
    if FAMILY[unit] == "share":
        if unit == figure_unit:
            return value
        return value / 100 if unit == "percent" else value * 100
    return value * UNIT_SCALES[unit] / stated.scale


def _unit_name(stated: Stated) -> str:
    return {"percent": "percentage", "ratio": "ratio or fraction"}.get(stated.unit, "number")


def rounded(value: float, decimals: int) -> Decimal:
    return Decimal(repr(value)).quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)


def judge(stated: Stated, value: float) -> Verdict:
    """`value` is already in the figure's terms."""
    n, q = stated.value, stated.qualifier
    shown = f"{n:g}"
    if q == "" and stated.kind in ("fraction", "multiple"):
        ok = abs(value - n) <= FRACTION_TOLERANCE * max(1.0, n)
        return Verdict(ok, f"within {FRACTION_TOLERANCE:g} of {n:.3g}", value)
    exact = rounded(value, stated.decimals) == rounded(n, stated.decimals)
    places = f"{stated.decimals} decimal{'s' if stated.decimals != 1 else ''}"
    if q == "":
        return Verdict(exact, f"equal when rounded to {places}", value)
    if q == "about":
        ok = exact or abs(value - n) <= ABOUT_TOLERANCE * abs(n)
        return Verdict(ok, f"within {ABOUT_TOLERANCE:.0%} of {shown} (about)", value)
    if q == "almost":
        ok = n * (1 - ALMOST_RANGE) <= value < n
        return Verdict(ok, f"below {shown} and within {ALMOST_RANGE:.0%} of it (almost)", value)
    if q == "over":
        return Verdict(value > n, f"more than {shown}", value)
    if q == "under":
        return Verdict(value < n, f"less than {shown}", value)
    if q == "at-least":
        return Verdict(value >= n, f"at least {shown}", value)
    return Verdict(value <= n, f"at most {shown}", value)
