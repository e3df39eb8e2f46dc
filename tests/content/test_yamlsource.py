"""reporter/content/yamlsource.py: YAML loaded safely and within bounds, every value knowing
the file, line and column it was written at, and every error located."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from reporter.compute import formula
from reporter.content.yamlsource import (
    MAX_BYTES,
    MAX_DEPTH,
    MAX_NODES,
    MAX_NUMBER,
    Map,
    Seq,
    Text,
    load_mapping,
    load_yaml,
    locate,
    read_text,
    where,
)
from reporter.data import tabular
from reporter.errors import Location, ReportError


def load(project, name: str):
    """content/NAME of a project, as the loader shows it: relative to the project."""
    shown = Path("content") / name
    return load_yaml(project.root / shown, shown)


def written(project, name: str, text: str) -> Path:
    path = project.root / "content" / name
    path.write_bytes(text.encode("utf-8") if isinstance(text, str) else text)
    return path


def error(project, name: str, text: str | bytes | None) -> str:
    """The error loading content/NAME raises, once `text` is written into it."""
    if text is not None:
        written(project, name, text)
    with pytest.raises(ReportError) as err:
        load(project, name)
    return str(err.value)


def position(loc: Location) -> tuple[int, int]:
    return loc.line, loc.column


def line_col(source: str, needle: str, occurrence: int = 1) -> tuple[int, int]:
    """1-based line and column of the n-th `needle` in `source`."""
    at = -1
    for _ in range(occurrence):
        at = source.index(needle, at + 1)
    line = source.count("\n", 0, at) + 1
    return line, at - (source.rfind("\n", 0, at) + 1) + 1


@pytest.fixture
def basic(make_root):
    return make_root("basic")


# --- locations --------------------------------------------------------------------------------


def test_mappings_lists_and_strings_know_where_they_were_written(basic):
    part = load(basic, "01-trends.yaml")
    shown = Path("content/01-trends.yaml")
    assert isinstance(part, Map) and part.loc == Location(shown, 1, 1)
    assert part.key_locs["kind"] == Location(shown, 1, 1)
    assert part.key_locs["title"] == Location(shown, 3, 1)
    assert part.key_locs["subsections"] == Location(shown, 13, 1)
    assert isinstance(part["title"], Text) and part["title"] == "Recent trends"
    assert part["title"].loc == Location(shown, 3, 8)
    blocks = part["blocks"]
    assert isinstance(blocks, Seq) and blocks.loc == Location(shown, 5, 3)
    # each list item where its '- ' content starts; a mapping item where its first key is
    assert [item.loc.line for item in blocks] == [5, 9, 11, 12]
    assert blocks[2]["table"].loc == Location(shown, 11, 12)
    sub = part["subsections"][0]
    assert sub.loc == Location(shown, 14, 5) and sub["title"].loc == Location(shown, 15, 12)
    assert sub["blocks"][1].key_locs["p"] == Location(shown, 19, 9)


def test_a_folded_paragraph_locates_each_character_on_its_own_line(basic):
    part = load(basic, "01-trends.yaml")
    source = (basic.root / "content/01-trends.yaml").read_text(encoding="utf-8")
    para = part["blocks"][0]["p"]  # `>-`: two lines of the file folded into one
    assert "\n" not in para and para.startswith("In 2019, the countries listed hosted")
    for needle in ("2019", "[47.9 million]", "international", "migrants.[^desa]"):
        assert position(locate(para, para.index(needle))) == line_col(source, needle)
    assert locate(para, 0).path == Path("content/01-trends.yaml")


@pytest.mark.parametrize("indicator", [">-", ">", "|", "|-", ">+"])
def test_the_first_character_of_a_block_scalar_is_on_its_first_line(basic, indicator):
    written(basic, "x.yaml", f"p: {indicator}\n  First words\n  of the block.\n")
    block = load(basic, "x.yaml")["p"]
    assert position(locate(block, 0)) == (2, 3)  # not the indicator's place, on line 1
    assert position(locate(block, block.index("of"))) == (3, 3)


def test_a_quoted_string_is_located_inside_its_quotes(basic):
    notes = load(basic, "footnotes.yaml")
    source = (basic.root / "content/footnotes.yaml").read_text(encoding="utf-8")
    desa = notes["desa"]
    assert desa == "United Nations, *International Migrant Stock 2019*."
    assert desa.loc == Location(Path("content/footnotes.yaml"), 1, 7)  # the opening quote
    assert position(locate(desa, 0)) == (1, 8)
    assert position(locate(desa, desa.index("*Int"))) == line_col(source, "*Int")


def test_where_gives_a_loaded_values_location_or_the_fallback(basic):
    meta = load(basic, "document.yaml")
    fallback = Location(Path("elsewhere.yaml"), 9)
    assert where(meta["symbol"], fallback) == Location(Path("content/document.yaml"), 2, 9)
    assert where(meta["parts"], fallback).line == 14
    assert where(meta["date"], fallback) == fallback  # a date is a plain value


def test_scalars_are_the_yaml_core_types(basic):
    written(basic, "x.yaml", "n: 3\nx: 1.5\nok: true\nnothing: null\nday: 2021-03-15\nq: '2021'\n")
    value = load(basic, "x.yaml")
    assert value == {
        "n": 3, "x": 1.5, "ok": True, "nothing": None, "day": dt.date(2021, 3, 15), "q": "2021",
    }  # fmt: skip
    assert type(value["n"]) is int and isinstance(value["q"], Text)
    written(basic, "x.yaml", "- a\n- b\n")
    assert load(basic, "x.yaml") == ["a", "b"]


def test_an_empty_file_is_none_and_an_absent_mapping_file_is_empty(basic):
    written(basic, "x.yaml", "# nothing but a comment\n")
    assert load(basic, "x.yaml") is None
    absent = load_mapping(basic.root, "quantities.yaml", "names to definitions")
    assert absent == {} and absent.loc == Location(Path("content/quantities.yaml"))
    notes = load_mapping(basic.root, "footnotes.yaml", "ids to texts")
    assert list(notes) == ["desa", "eurostat", "oecd"]


def test_a_mapping_file_holding_a_list_says_what_it_must_map(basic):
    written(basic, "footnotes.yaml", "- a note\n")
    with pytest.raises(ReportError) as err:
        load_mapping(basic.root, "footnotes.yaml", "ids to texts")
    assert str(err.value) == (
        "content/footnotes.yaml: footnotes.yaml must map ids to texts "
        "(write one 'key: value' per line)"
    )


def test_a_byte_order_mark_is_not_part_of_the_text(basic):
    written(basic, "x.yaml", b"\xef\xbb\xbftitle: Report\n")
    value = load(basic, "x.yaml")
    assert list(value) == ["title"] and value["title"].loc.column == 8


# --- what is refused, and how the errors read -------------------------------------------------


def test_duplicate_keys_are_an_error_at_the_second(basic):
    text = "title: One\nkind: section\ntitle: Two\n"
    assert error(basic, "x.yaml", text) == "content/x.yaml:3:1: duplicate key 'title'"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "a: !!python/object/apply:os.system [echo]\n",
            "content/x.yaml:1:4: YAML tag '!!python/object/apply:os.system' is not allowed "
            "(remove the tag: content holds text, numbers, dates, lists and mappings only)",
        ),
        ("a: !local 3\n", "content/x.yaml:1:4: YAML tag '!local' is not allowed"),
        ("a: !!set {x}\n", "content/x.yaml:1:4: YAML tag '!!set' is not allowed"),
        (
            "base: &b {x: 1}\nother:\n  <<: *b\n",
            "content/x.yaml:3:3: YAML merge keys (<<) are not allowed "
            "(write the keys out, or quote '<<' if it is a key)",
        ),
        ("1: a\n", "content/x.yaml:1:1: keys must be text, not 1 (quote the key)"),
        ("[a, b]: c\n", "content/x.yaml:1:1: keys must be text, not ['a', 'b']"),
        # YAML 1.1 reads yes/no/on/off as booleans: as a key, that is an error, not a surprise
        ("title: T\nyes: 1\n", "content/x.yaml:2:1: keys must be text, not True (quote the key)"),
        (
            "a: [1, 2\n",
            "content/x.yaml:2:1: malformed YAML: did not find expected ',' or ']' "
            "(fix the YAML syntax)",
        ),
        (
            "date: 2021-02-30\n",
            "content/x.yaml:1:7: '2021-02-30' is not a valid timestamp "
            "(day is out of range for month) (quote it to write it as text)",
        ),
        (b"a: ok\nb: \xff\n", "content/x.yaml:2: not UTF-8 (byte 0xff) (save the file as UTF-8)"),
        (
            b"a: ok\nb: x\x00y\n",
            "content/x.yaml:2: malformed YAML: control characters are not allowed (found #x0000) "
            "(remove the character)",
        ),
    ],
)
def test_what_the_safe_loader_refuses_is_one_located_line(basic, text, message):
    assert error(basic, "x.yaml", text).startswith(message)


@pytest.mark.parametrize(
    "number", ["1.0e+400", "-1.0e+400", ".inf", "-.Inf", ".nan", "1.0e+16", "10000000000000001"]
)
def test_a_number_neither_finite_nor_within_the_limit_is_refused_where_written(basic, number):
    assert error(basic, "x.yaml", f"a: ok\nb: [1, {number}]\n") == (
        f"content/x.yaml:2:8: '{number}': numbers must be finite and at most "
        f"{MAX_NUMBER:,.0f} in size (write it in a larger unit, or quote it to write it as text)"
    )


def test_numbers_up_to_the_limit_load_as_numbers(basic):
    written(basic, "x.yaml", "a: [1.0e+15, -1000000000000000, 0.001, 2019]\nb: '1.0e+400'\n")
    assert load(basic, "x.yaml") == {"a": [1e15, -(10**15), 0.001, 2019], "b": "1.0e+400"}
    assert MAX_NUMBER == tabular.MAX_NUMBER == formula.MAX_NUMBER  # one limit: YAML, data, formulas


def test_nesting_is_bounded(basic):
    deep = "a: " + "[" * (MAX_DEPTH + 5) + "]" * (MAX_DEPTH + 5) + "\n"
    assert error(basic, "x.yaml", deep) == (
        f"content/x.yaml:1:{MAX_DEPTH + 4}: YAML nested deeper than {MAX_DEPTH} levels (flatten it)"
    )
    shallow = "a: " + "[" * (MAX_DEPTH - 1) + "x" + "]" * (MAX_DEPTH - 1) + "\n"
    written(basic, "x.yaml", shallow)
    value = load(basic, "x.yaml")["a"]
    for _ in range(MAX_DEPTH - 2):
        (value,) = value
    assert value == ["x"]


def test_aliases_cannot_expand_past_the_bound(basic):
    lines = ["a: &a [x, x, x, x, x, x, x, x, x, x]"]
    for name, prev in zip("bcde", "abcd", strict=True):
        lines.append(f"{name}: &{name} [{', '.join([f'*{prev}'] * 10)}]")
    lines.append("f: [*e, *e, *e]")  # 3 x 10^5 strings from a 200-byte file
    assert error(basic, "x.yaml", "\n".join(lines) + "\n").startswith(
        f"content/x.yaml:1:14: YAML expands to more than {MAX_NODES:,} values (aliases?)"
    )
    written(basic, "x.yaml", "a: &a [x, y]\nb: *a\n")  # a few aliases are fine
    assert load(basic, "x.yaml") == {"a": ["x", "y"], "b": ["x", "y"]}


def test_a_file_over_the_size_limit_is_refused_before_it_is_read(basic):
    path = basic.root / "content/x.yaml"
    with open(path, "wb") as handle:  # sparse: nothing of it is ever read
        handle.truncate(MAX_BYTES + 1)
    assert error(basic, "x.yaml", None) == (
        f"content/x.yaml: YAML file is {MAX_BYTES + 1:,} bytes, more than the {MAX_BYTES:,} "
        "allowed (split it into smaller files)"
    )


def test_read_text_refuses_a_file_over_its_limit_and_a_missing_file(basic):
    path = basic.root / "content/document.yaml"
    shown = Path("content/document.yaml")
    assert read_text(path, shown).startswith("organization: United Nations\n")
    with pytest.raises(ReportError, match=r"^content/document.yaml: file is \d+ bytes, more than"):
        read_text(path, shown, limit=10)
    with pytest.raises(ReportError) as err:
        read_text(basic.root / "content/nothing.yaml", Path("content/nothing.yaml"))
    assert str(err.value) == "content/nothing.yaml: file not found (create it or fix the name)"


def test_a_loading_error_in_a_project_names_the_file_and_line(basic):
    from reporter.pipeline import load as load_project

    path = basic.root / "content/02-outlook.yaml"
    path.write_text(path.read_text(encoding="utf-8") + "title: Again\n", encoding="utf-8")
    with pytest.raises(ReportError) as err:
        load_project(basic)
    assert str(err.value) == "content/02-outlook.yaml:9:1: duplicate key 'title'"
