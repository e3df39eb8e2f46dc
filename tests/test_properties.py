"""Property-based tests (hypothesis) of the parsers that read untrusted content and data:
whatever they are given, they return a value or raise the one error users see, and what they
produce holds nothing the input did not ask for. benchmarks/fuzz.py runs the same targets
for minutes; these stay fast (a few hundred examples each)."""

from __future__ import annotations

import ast
import atexit
import contextlib
import re
import shutil
import tempfile
from decimal import Decimal
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from reporter.check.figures import (
    FRACTIONS,
    MULTIPLES,
    QUALIFIERS,
    SCALES,
    NotAFigure,
    parse_figure,
)
from reporter.compute.formula import evaluate, names, parse_formula
from reporter.compute.tables import format_number
from reporter.content.inline import (
    Link,
    parse_inline,
    plain_text,
    walk,
)
from reporter.content.tablespec import NumberFormat, TableSpec, parse_table_spec
from reporter.content.yamlsource import Text, load_yaml, locate
from reporter.data.readers import ReadOptions, read_file
from reporter.errors import Location, ReportError
from tests.markup import rendered

HERE = Location(Path("content/x.yaml"), 1, 1)
FAST = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
SLOW = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
SCRATCH = Path(tempfile.mkdtemp(prefix="reporter-properties-"))
atexit.register(shutil.rmtree, SCRATCH, ignore_errors=True)


def pieces(tokens: list[str], most: int = 30):
    """Text made mostly of meaningful tokens, with any characters mixed in."""
    return st.lists(st.sampled_from(tokens) | st.text(max_size=3), max_size=most).map("".join)


# --- inline markup ---------------------------------------------------------------------------

MARKUP = ["*", "[", "]", "(", ")", "{", "}", "\\", "[^", "[@", "[#", "..", "=", "src=", "<",
          ">", "&", '"', "'", "{{", "}}", "{%", "https://x.org/", "mailto:a@b", "javascript:",
          "<script>", "<img src=x>", "&amp;", " ", "\n", "a", "note-1", "46"]  # fmt: skip


@FAST
@given(pieces(MARKUP))
@example('<script>alert(1)</script>[x](https://a.org/"><script>)')
@example("*[a]{=q}*[^n] [@x..y] \\[<b>")
def test_inline_parses_or_raises_report_error_and_makes_only_its_own_tags(raw):
    try:
        nodes = parse_inline(raw, HERE)
    except ReportError:
        return
    seen = rendered(nodes)
    assert "".join(seen.text) == plain_text(nodes)
    for node in walk(nodes):
        if isinstance(node, Link):
            assert node.url.lower().startswith(("http://", "https://", "mailto:"))


def reference_locate(text: Text, offset: int) -> Location:
    """locate() as it was first written: simple, quadratic over a paragraph's nodes; up to the
    first word, where that word stands (a block scalar's text starts past its `>-`)."""
    source, pos = text.source, text.start
    words = text.split()
    if words and not text[:offset].strip() and (found := source.find(words[0], pos)) >= 0:
        pos = max(pos, found - (len(text) - len(text.lstrip())) + offset)
    for word in text[:offset].split():
        found = source.find(word, pos)
        if found < 0:
            break
        pos = found + len(word)
    if offset and text[offset - 1].isspace():
        while pos < len(source) and source[pos].isspace():
            pos += 1
    line = source.count("\n", 0, pos) + 1
    column = pos - (source.rfind("\n", 0, pos) + 1) + 1
    return Location(text.loc.path, line, column)


WORD = st.text(st.sampled_from("ab[^]*\\\"'é\u00a0.\u2028x"), min_size=1, max_size=5)


@FAST
@given(
    st.lists(st.tuples(WORD, st.sampled_from([" ", "\n  ", "\n\n  ", "  "])), max_size=12),
    st.booleans(),
    st.integers(0, 3),
)
def test_locate_agrees_with_the_simple_walk_at_every_offset(words, mangle, start):
    value = " ".join(w for w, _ in words)
    source = "p: " + "".join(w + sep for w, sep in words)
    if mangle and words:  # a word the walk does not find (an escape sequence): it stops
        source = source.replace(words[len(words) // 2][0], "\\x", 1)
    text = Text(value, HERE, start, source)
    for offset in range(len(value) + 1):
        assert locate(text, offset) == reference_locate(text, offset), offset


# --- figures and number formatting -----------------------------------------------------------

FIGURE_TOKENS = [*QUALIFIERS, *SCALES, *FRACTIONS, *MULTIPLES, "per cent", "%", "$", "46",
                 "1,234", "5.4", "0.25", "thirty-five", "Seven", " ", ",", ".", "-"]  # fmt: skip


@FAST
@given(pieces(FIGURE_TOKENS, 8))
def test_parse_figure_raises_only_not_a_figure(text):
    try:
        stated = parse_figure(text)
    except NotAFigure:
        return
    assert stated.text == text and stated.decimals >= 0
    assert stated.unit in ("count", "percent", "ratio")


@FAST
@given(
    st.sampled_from(["", *QUALIFIERS]),
    st.integers(0, 999_999_999),
    st.integers(0, 4),
    st.booleans(),
    st.sampled_from(["", *SCALES]),
    st.sampled_from(["", "per cent", "%"]),  # "%" written apart: "46 %"
    st.booleans(),
)
def test_parse_figure_reads_back_what_was_written(
    qualifier, whole, decimals, commas, scale, unit, dollar
):
    digits = f"{whole:,}" if commas else str(whole)
    number = digits + ("." + "7" * decimals if decimals else "")
    text = " ".join(part for part in (qualifier, ("$" if dollar else "") + number) if part)
    text += "".join(f" {part}" for part in (scale, unit) if part)
    stated = parse_figure(text)
    assert stated.qualifier == (QUALIFIERS[qualifier] if qualifier else "")
    assert stated.value == float(f"{whole}.{'7' * decimals}" if decimals else whole)
    assert stated.decimals == decimals
    assert stated.scale == SCALES.get(scale, 1.0)
    assert stated.unit == ("percent" if unit else "count")


@pytest.mark.parametrize("text", ["46%", "about 5.4%", "$46%"])
def test_parse_figure_reads_a_percent_sign_attached_to_the_number(text):
    assert parse_figure(text).unit == "percent"


def test_a_figure_too_long_to_be_a_number_is_not_a_figure():
    with pytest.raises(NotAFigure, match="more than 15 digits"):
        parse_figure("4" * 400)


NUMBER = re.compile(r"(\(|\u2212)?(\d{1,3}(?:,\d{3})*)(?:\.(\d+))?\)?")


@FAST
@given(
    st.floats(-1e15, 1e15, allow_nan=False, allow_infinity=False),
    st.integers(0, 6),
    st.sampled_from(["parentheses", "minus"]),
)
@example(-0.04, 1, "parentheses")
@example(2.675, 2, "minus")
@example(-0.0, 0, "parentheses")
def test_format_number_rounds_half_up_and_reads_back(value, decimals, negative):
    fmt = NumberFormat(decimals, negative, ",")
    text = format_number(value, fmt)
    m = NUMBER.fullmatch(text)
    assert m, text
    assert len(m[3] or "") == decimals
    negative_sign = m[1] is not None
    assert text.endswith(")") == (m[1] == "(")
    assert not negative_sign or negative == ("parentheses" if m[1] == "(" else "minus")
    back = Decimal(m[2].replace(",", "") + (f".{m[3]}" if m[3] else ""))
    back = -back if negative_sign else back
    assert not (negative_sign and back == 0)  # no "(0.0)" or "−0"
    exact = Decimal(repr(value))
    assert abs(back - exact) <= Decimal(1).scaleb(-decimals) / 2
    assert format_number(float(back), fmt) == text  # formatting what it printed is stable


# --- formulas: arithmetic only, never code ----------------------------------------------------

FORMULA_TOKENS = ["a", "b", "x_1", "[r-1]", "[ 2 ]", "+", "-", "*", "/", "**", "%", "//", "(",
                  ")", "1", "0", "2.5", "1e308", "0x1f", "1_0", " ", "__import__", "('os')",
                  ".system", "lambda x:", ",", "[", "]", "if", "else", "not", "==", "@", "~",
                  "\x00", "\n", "#", "f'{a}'", "{", "}", "yield", "await", "...", ":=", "'s'",
                  "True", "None", "open", "exec", "eval"]  # fmt: skip
SAFE_NODES = (ast.BinOp, ast.UnaryOp, ast.USub, ast.UAdd, ast.Constant, ast.Name, ast.Subscript,
              ast.Load, ast.Add, ast.Sub, ast.Mult, ast.Div)  # fmt: skip


@pytest.mark.filterwarnings("ignore::SyntaxWarning")  # ast.parse warns about "1a"; see formula.py
@FAST
@given(pieces(FORMULA_TOKENS, 16))
@example("__import__('os').system('echo pwned')")
@example("(lambda: 1)()")
@example("a.__class__")
@example("[x for x in a]")
@example("f'{a}'")
@example("(a := 1)")
def test_formulas_are_arithmetic_or_a_report_error(text):
    try:
        tree = parse_formula(text, HERE)
    except ReportError:
        return
    assert all(isinstance(node, SAFE_NODES) for node in ast.walk(tree)), ast.dump(tree)
    looked_up = []

    def lookup(name, row):
        looked_up.append(name)
        return 2.0

    try:
        value = evaluate(tree, lookup, text, HERE)
    except ReportError:
        return
    assert isinstance(value, float)
    assert set(looked_up) <= names(tree)


@pytest.mark.parametrize(
    "text", ["+".join(["a"] * 5_000), "-" * 5_000 + "1", "1" * 400, "a * 1e300 * 1e300", "1a"]
)
def test_a_very_long_formula_is_a_report_error(text):
    with pytest.raises(ReportError):
        evaluate(parse_formula(text, HERE), lambda name, row: 1.0, text, HERE)


@pytest.mark.parametrize(
    ("value", "text"),
    [(1e27, "1,000,000,000,000,000,000,000,000,000.0"), (float("inf"), ".."), (float("nan"), "..")],
)
def test_format_number_of_huge_or_non_finite_values(value, text):
    assert format_number(value, NumberFormat()) == text


# --- YAML, table specs and CSV on arbitrary input ---------------------------------------------


def write(name: str, data: bytes) -> Path:
    path = SCRATCH / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path


YAML_TOKENS = ["a: ", "- ", "&x ", "*x", "!!str ", "!!python/name:os.system ", "<<: ", "[", "]",
               "{", "}", ",", "\n", "\n  ", '"', "'", "? ", "|\n  ", ">-\n  ", "---\n",
               "%YAML 1.1\n", "1", "2020-01-31", "~", "true", "\t", "#", "\\x00", "\x00",
               "\ufeff"]  # fmt: skip


@FAST
@given(pieces(YAML_TOKENS, 25) | st.text(max_size=60))
def test_any_yaml_text_loads_or_is_a_report_error(text):
    path = write("content/p.yaml", text.encode("utf-8", "surrogatepass"))
    try:
        load_yaml(path, Path("content/p.yaml"))
    except ReportError as exc:
        assert str(exc).startswith("content/p.yaml")


@SLOW
@given(st.binary(max_size=200))
def test_any_yaml_bytes_load_or_are_a_report_error(data):
    path = write("content/b.yaml", data)
    with contextlib.suppress(ReportError):
        load_yaml(path, Path("content/b.yaml"))


BASE_SPEC = {
    "title": "Values",
    "data": "values",
    "stub": "Name",
    "rows": [{"id": "a", "label": "A", "where": {"name": "a"}}],
    "columns": [
        {"id": "v", "heading": "Value", "sum": "value"},
        {"id": "share", "heading": "Share", "formula": "v / v[a] * 100", "decimals": 1},
    ],
}
LEAF = (
    st.none()
    | st.booleans()
    | st.integers(-10, 10)
    | st.floats(allow_nan=False)
    | pieces(["a", "v", "[", "]", "*", "/", "(", ")", "{=", "}", "<b>", "{{", "x-1", " "], 6)
)
ANY = st.recursive(
    LEAF,
    lambda inner: st.lists(inner, max_size=3)
    | st.dictionaries(st.sampled_from(["id", "label", "sum", "formula", "text", "where",
                                       "heading", "each", "format", "decimals", "scale",
                                       "style", "group_by", "unit", "x"]), inner, max_size=4),
    max_leaves=10,
)  # fmt: skip


@st.composite
def table_specs(draw):
    spec = {k: (list(v) if isinstance(v, list) else v) for k, v in BASE_SPEC.items()}
    for _ in range(draw(st.integers(1, 3))):
        key = draw(st.sampled_from([*BASE_SPEC, "format", "notes", "footnotes", "extra"]))
        if key == "columns" and draw(st.booleans()):
            columns = spec["columns"] if isinstance(spec["columns"], list) else []
            spec["columns"] = [*columns, draw(ANY)]
        else:
            spec[key] = draw(ANY)
    return spec


@SLOW
@given(table_specs())
def test_any_table_spec_parses_or_is_a_report_error(spec):
    path = write("content/tables/t.yaml", yaml.safe_dump(spec, allow_unicode=True).encode())
    try:
        parsed = parse_table_spec(
            load_yaml(path, Path("content/tables/t.yaml")), "t", Path("content/tables/t.yaml")
        )
    except ReportError:
        return
    assert isinstance(parsed, TableSpec)


CSV_TOKENS = ["a", "b", "1", "2.5", "-3", "1e5", "inf", "nan", ",", '"', '""', "\n", "\r\n",
              "\r", " ", "\x00", "\ufeff", "é", "1,000"]  # fmt: skip


@SLOW
@given(pieces(CSV_TOKENS, 40).map(str.encode) | st.binary(max_size=120))
def test_any_csv_reads_or_is_a_report_error(data):
    path = write("data/x.csv", data)
    try:
        found = read_file("x", path, Path("data/x.csv"), ReadOptions())
    except ReportError as exc:
        assert str(exc).startswith("data/x.csv")
        return
    lines = [found.origin.at(label).line for label in found.frame.index]
    assert lines == sorted(lines) and all(line > 1 for line in lines)
