"""reporter/compute/formula.py: arithmetic in specs (+ - * / ( ), numbers, names, name[row]),
evaluated from an allow-list of syntax so that a formula can never run code; every error names
where the formula was written."""

from __future__ import annotations

from pathlib import Path

import pytest

from reporter.compute.formula import MAX_LENGTH, MAX_NUMBER, evaluate, names, parse_formula
from reporter.errors import Location, ReportError
from reporter.pipeline import compute_tables, load
from tests.conftest import ROOTS

WHERE = Location(Path("content/tables/t.yaml"), 12, 5)
VALUES = {"a": 2.0, "b": 0.0, "c": 4.0, "big": 1e14}
ROWS = {("stock", "in-north"): 7.0, ("stock", "total"): 10.0, ("stock", "2010"): 3.0}


def lookup(name: str, row: str | None) -> float:
    return VALUES[name] if row is None else ROWS[(name, row)]


def value(text: str) -> float:
    return evaluate(parse_formula(text, WHERE), lookup, text, WHERE)


def error(text: str) -> str:
    with pytest.raises(ReportError) as err:
        value(text)
    return str(err.value)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1 + 2 * 3", 7.0),
        ("(1 + 2) * 3", 9.0),
        ("10 - 4 - 3", 3.0),  # left to right
        ("12 / 4 / 3", 1.0),
        ("-a + 5", 3.0),
        ("+a", 2.0),
        ("- -a", 2.0),
        ("100 * (c - a) / a", 100.0),
        ("1 / 3", 1 / 3),
        ("1_000 + 0.5", 1000.5),
        ("a - a", 0.0),
    ],
)
def test_arithmetic(text, expected):
    assert value(text) == pytest.approx(expected)


def test_names_and_another_rows_cell():
    tree = parse_formula("100 * stock[in-north] / stock[total] + a", WHERE)
    assert names(tree) == {"stock", "a"}
    assert evaluate(tree, lookup, "…", WHERE) == pytest.approx(72.0)
    # a row id with a hyphen or of digits is an id, never arithmetic
    assert value("stock[ in-north ] - stock[2010]") == 4.0


def test_the_lookup_is_asked_for_exactly_what_the_formula_names():
    asked = []

    def recording(name, row):
        asked.append((name, row))
        return 1.0

    text = "a + stock[total] * c"
    evaluate(parse_formula(text, WHERE), recording, text, WHERE)
    assert asked == [("a", None), ("stock", "total"), ("c", None)]


@pytest.mark.parametrize(
    ("text", "used"),
    [
        ("a ** 2", "Pow"),
        ("a // 2", "FloorDiv"),
        ("a % 2", "Mod"),
        ("abs(a)", "Call"),
        ("__import__('os').system('true')", "Call"),
        ("a.real", "Attribute"),
        ("a < c", "Compare"),
        ("a if c else b", "IfExp"),
        ("lambda: 1", "Lambda"),
        ("[a, c]", "List"),
    ],
)
def test_anything_but_arithmetic_is_refused_naming_what_it_uses(text, used):
    assert error(text) == (
        f"content/tables/t.yaml:12:5: formula {text!r} uses {used} (use + - * / ( ) and column ids)"
    )


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("1 +", "formula '1 +' is not valid arithmetic (use + - * / ( ) and column ids)"),
        ("a b", "formula 'a b' is not valid arithmetic (use + - * / ( ) and column ids)"),
        ("'x'", "formula \"'x'\": 'x' is not a number"),
        ("True", "formula 'True': True is not a number"),
        ("a / b", "formula 'a / b' divides by zero"),
        ("c / (a - a)", "formula 'c / (a - a)' divides by zero"),
    ],
)
def test_errors_name_the_formula_and_where_it_was_written(text, message):
    assert error(text) == f"content/tables/t.yaml:12:5: {message}"


def test_numbers_up_to_the_limit_of_data_are_allowed_as_constants_and_results():
    assert value("1000000000000000") == value("1e15") == MAX_NUMBER  # as data allow: at most
    assert value("big * 10 + big * 0") == value("-big * 10") * -1 == MAX_NUMBER
    assert error("1000000000000001") == (
        "content/tables/t.yaml:12:5: formula '1000000000000001'…: a number too large"
    )
    assert error("9" * 400).endswith(": a number too large")
    assert error("big * big") == (
        "content/tables/t.yaml:12:5: formula 'big * big' gives 1e+28, not a number a table can show"
    )
    assert error("big * 10 + 1") == (
        "content/tables/t.yaml:12:5: formula 'big * 10 + 1' gives 1e+15, "
        "not a number a table can show"
    )


def test_a_formula_is_bounded_in_length():
    longest = "+".join(["1"] * (MAX_LENGTH // 2))  # 499 characters
    assert value(longest) == MAX_LENGTH // 2
    assert error("1" + "+1" * (MAX_LENGTH // 2)) == (
        f"content/tables/t.yaml:12:5: formula of {MAX_LENGTH + 1:,} characters "
        f"(keep formulas under {MAX_LENGTH})"
    )


def test_deep_nesting_within_the_length_is_an_error_not_a_crash():
    deep = "(" * 240 + "1" + ")" * 240
    try:
        assert value(deep) == 1.0
    except ReportError as err:  # Python's parser may refuse so many parentheses
        assert "is not valid arithmetic" in str(err)


def test_a_table_formula_error_names_the_column_in_its_spec(make_root):
    spec = (ROOTS / "basic/content/tables/hosts.yaml").read_text(encoding="utf-8")
    broken = spec.replace("stock / stock[total]", "stock / (stock[asia] - stock[asia])")
    project = make_root("basic", {"content/tables/hosts.yaml": broken})
    with pytest.raises(ReportError) as err:
        compute_tables(load(project), project)
    assert str(err.value) == (
        "content/tables/hosts.yaml:10:5: formula '100 * stock / (stock[asia] - stock[asia])' "
        "divides by zero"
    )


def test_a_table_formula_computes_from_the_rows_cells(make_root):
    project = make_root("basic")
    table = compute_tables(load(project), project)["hosts"]
    shares = {row.id: table.cell(row.id, "share").value for row in table.rows}
    assert shares == pytest.approx({"europe": 57.14673, "asia": 42.85327, "total": 100.0})
