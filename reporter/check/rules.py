"""What "matches" means: the computed value, in the figure's own terms, against the figure.

Exact figures match when the value rounded to the typed precision equals them. Qualifiers
change the rule (tolerances are documented in the README, section "What matches means").
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, localcontext

from reporter.check.figures import Stated

# A qualified figure is the value rounded to the figure's own last significant digit (its
# "step": 1 for "13", 10 for "70", 0.1 for "2.5"): "about" to the nearest, "almost" up, "more
# than" down; and never further than CAP from it. Examples in the README ("What matches").
CAP = 0.05  # "almost 30 per cent" for 27.1 is 9.7 % off: it fails; 28.6 passes
MULTIPLE_RANGE = 0.10  # "almost doubled": a ratio from 1.8 to 2 (a coarser claim)
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
    if stated.kind == "ordinal":
        if unit != "count":
            raise UnitMismatch(f"the figure is a rank, the quantity is in {unit}")
        return value
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
    """`value` rounded half up at `decimals` places, exactly for any double (past Decimal's
    default 28 digits, which cells summed from data and scaled may reach)."""
    with localcontext() as context:
        context.prec = 400
        return Decimal(repr(value)).quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)


def step(stated: Stated) -> float:
    """The unit of the figure's last significant digit: 0.1 for "2.5", 1 for "13", 10 for
    "70", 100 for "300"."""
    if stated.decimals or stated.kind != "digits":
        return 10.0**-stated.decimals
    n, unit = int(abs(stated.value)), 1
    while n and n % 10 == 0:
        n, unit = n // 10, unit * 10
    return float(unit)


def judge(stated: Stated, value: float) -> Verdict:
    """`value` is already in the figure's terms."""
    n, q = stated.value, stated.qualifier
    shown = f"{n:g}"
    if stated.kind == "ordinal":
        return Verdict(value == n, f"place {n:g}", value)
    if stated.kind == "multiple" and q == "almost":
        ok = n * (1 - MULTIPLE_RANGE) <= value < n
        return Verdict(ok, f"below {shown} and within {MULTIPLE_RANGE:.0%} of it (almost)", value)
    if stated.kind in ("fraction", "multiple"):
        near = abs(value - n) <= FRACTION_TOLERANCE * max(1.0, n)
        ok = {"": near, "about": near, "almost": near and value < n, "over": value > n,
              "under": value < n, "at-least": value >= n, "at-most": value <= n}[q]  # fmt: skip
        return Verdict(ok, f"{q or 'within'} {FRACTION_TOLERANCE:g} of {n:.3g}".strip(), value)
    exact = rounded(value, stated.decimals) == rounded(n, stated.decimals)
    places = f"{stated.decimals} decimal{'s' if stated.decimals != 1 else ''}"
    if q == "":
        return Verdict(exact, f"equal when rounded to {places}", value)
    unit, close = step(stated), abs(value - n) <= CAP * abs(n)
    if q == "about":
        ok = exact or (abs(value - n) <= unit / 2 and close)
        return Verdict(ok, f"rounds to {shown} (to {unit:g}) and within {CAP:.0%} (about)", value)
    if q == "almost":
        ok = n - unit <= value < n and close
        return Verdict(ok, f"below {shown}, by less than {unit:g} and {CAP:.0%} (almost)", value)
    if q == "over":
        ok = n < value < n + unit and close
        return Verdict(ok, f"above {shown}, by less than {unit:g} and {CAP:.0%} (more than)", value)
    if q == "under":
        ok = n - unit < value < n
        return Verdict(ok, f"below {shown}, by less than {unit:g} (less than)", value)
    if q == "at-least":
        return Verdict(value >= n, f"at least {shown}", value)
    return Verdict(value <= n, f"at most {shown}", value)
