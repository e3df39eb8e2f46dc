"""reporter/check/rules.py: a figure as written judged against its value — exact figures,
"about", "almost", "more than", "less than" and their kin, ranks, number words, fractions and
multiples — and units that must agree."""

from __future__ import annotations

import pytest

from reporter.check.figures import parse_figure
from reporter.check.rules import UnitMismatch, in_figure_terms, judge


@pytest.mark.parametrize(
    ("text", "value", "unit", "passes"),
    [
        # exact: the value rounded to the precision typed equals the figure
        ("46 million", 45.72, "million", True),
        ("56 per cent", 55.7, "percent", True),
        ("5.4", 5.36, "ratio", True),
        ("38.0", 38.04, "percent", True),
        ("39", 38.0, "percent", False),
        ("46 million", 46.6, "million", False),
        ("155 million", 155_204, "thousand", True),
        ("$372 billion", 372_400, "million", True),
        ("$372 billion", 375_000, "million", False),
        ("Thirty-five", 35, "count", True),
        ("Thirty-five", 36, "count", False),
        # about / approximately / some / around: the value rounds to the figure at the
        # figure's last significant digit, and is within 5 % of it
        ("about 73 million", 73.155, "million", True),
        ("approximately 68 million", 70.9, "million", False),  # say "about 71 million"
        ("about 70 million", 73.0, "million", True),  # 70 is rounded to tens
        ("about 300 million", 349.0, "million", False),  # rounds to 300, but 16 % off
        ("around 84 per cent", 89, "percent", False),
        ("some 13 million", 12.0, "million", False),
        # almost / nearly / just under: below the figure, by less than its last digit and 5 %
        ("almost 60 per cent", 59.6, "percent", True),
        ("almost 60 per cent", 60.2, "percent", False),
        ("nearly 60 per cent", 50.0, "percent", False),
        ("almost 30 per cent", 28.6, "percent", True),
        ("almost 30 per cent", 27.1, "percent", False),  # 9.7 % below: "about 27 per cent"
        ("just under 5", 4.9, "count", True),
        # over / more than / exceeding: above, by less than the figure's last digit (and 5 %);
        # less than / under / fewer than: below, by less than its last digit
        ("more than $20 billion", 21_000, "million", True),
        ("more than $20 billion", 20_000, "million", False),
        ("more than $20 billion", 372_000, "million", False),  # true, but says too little
        ("over 6 million", 6.2, "million", True),
        ("exceeding 6 million", 5.9, "million", False),
        ("less than 10 per cent", 9.9, "percent", True),
        ("less than 1 per cent", 0.2, "percent", True),
        ("fewer than 50", 50, "count", False),
        ("under 50", 45, "count", True),
        ("under 50", 12, "count", False),  # "under 20" would say it
        # ranks
        ("the second largest", 2, "count", True),
        ("the second largest", 3, "count", False),
        ("the largest", 1, "count", True),
        ("6th", 6, "count", True),
        # number words, fractions and multiples
        ("one third", 0.33, "ratio", True),
        ("one third", 40.0, "percent", False),
        ("almost one third", 31.75, "percent", True),
        ("almost one third", 34.0, "percent", False),
        ("half", 49.0, "percent", True),
        ("almost doubled", 74.288 / 39.933, "ratio", True),
        ("almost doubled", 2.1, "ratio", False),
        ("doubled", 1.5, "ratio", False),
    ],
)
def test_rules(text, value, unit, passes):
    stated = parse_figure(text)
    assert judge(stated, in_figure_terms(value, unit, stated)).passed is passes


def test_units_must_agree():
    with pytest.raises(UnitMismatch):
        in_figure_terms(45.7, "million", parse_figure("56 per cent"))


@pytest.mark.parametrize("value", [1e30, -4.2e300, 1e15 * 1e15 + 1])
def test_a_value_of_any_size_is_judged_without_a_crash(value):
    # data at most 1e15 in size, summed and scaled, may pass Decimal's default 28 digits
    stated = parse_figure("48 million")
    assert not judge(stated, in_figure_terms(value, "count", stated)).passed
