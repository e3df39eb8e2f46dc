"""Hostile but plausible YAML content files: documents built from flow and block nodes with
anchors, aliases (undefined, recursive, "billion laughs"), tags (core, Python, custom, %TAG
directives), keys of every type (numbers, booleans, null, dates, lists, mappings, merge keys,
duplicates), scalars that overflow (1e400, 5,000-digit integers, impossible dates, escapes of
surrogates and NULs), nesting far deeper than 64 levels, huge scalars, several documents,
BOMs, UTF-16 and stray bytes."""

from __future__ import annotations

import codecs

from hypothesis import strategies as st

from tests.hostile.checks import Blob

SCALARS = ["a", "Europe", "''", '""', "~", "null", "true", "no", "on", "1", "-0", "0x1f",
           "0o17", "0b101", "1_000", "1e400", "-1e400", ".inf", "-.inf", ".nan", "1e15",
           "1e16", "9" * 5_000, "3.14", "2020-01-31", "2020-13-45", "2020-02-30T25:61:61Z",
           "2001-12-14t21:59:43.10-99:99", '"\\x00"', '"\\ud800"', '"\\U0010ffff"', '"\\N\\_"',
           '"a\\nb"', "'it''s'", '"\\u202e"', "{{country}}", "\\{{x}}", "[^note]",
           "<script>", "*emph*", "{=q}", "'{{ ''.__class__ }}'"]  # fmt: skip
TAGS = ["!!str", "!!int", "!!float", "!!bool", "!!null", "!!timestamp", "!!binary", "!!set",
        "!!omap", "!!pairs", "!!seq", "!!map", "!!python/object/apply:os.system",
        "!!python/name:os.system", "!custom", "!<tag:yaml.org,2002:str>", "!<tag:evil,1:x>",
        "!e!x"]  # fmt: skip
KEYS = ["a", "b", "kind", "title", "blocks", "p", "1", "-1", "1.5", "true", "~", "null",
        "2020-01-31", "<<", "''", "? [a, b]", "? {a: 1}", '"a"', "a", "!!int 3", "*a",
        "&k key", "{{x}}"]  # fmt: skip
ANCHORS = ["&a", "&b", "&a"]  # redefined on purpose
ALIASES = ["*a", "*b", "*nope"]
DEPTHS = [1, 10, 63, 64, 65, 999, 1_001, 10_000]
BIG = [10, 100_000, 4_900_000, 5_100_000]  # characters: the file limit is 5,000,000 bytes


def scalars():
    return st.sampled_from(SCALARS) | st.text(
        st.characters(blacklist_categories=["Cs"]), max_size=6
    ).map(lambda s: '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"')


def nodes():
    """A flow node: [..], {..}, a scalar or an alias, each perhaps tagged or anchored."""

    def extend(inner):
        pairs = st.lists(st.tuples(st.sampled_from(KEYS), inner), max_size=4)
        return st.one_of(
            st.lists(inner, max_size=4).map(lambda xs: "[" + ", ".join(xs) + "]"),
            pairs.map(lambda kv: "{" + ", ".join(f"{k}: {v}" for k, v in kv) + "}"),
            st.tuples(st.sampled_from(TAGS + ANCHORS), inner).map(" ".join),
        )

    return st.recursive(scalars() | st.sampled_from(ALIASES), extend, max_leaves=12)


def nested(depth: int, style: str, inner: str) -> str:
    if style == "flow-list":
        return "[" * depth + inner + "]" * depth
    if style == "flow-map":
        return "{a: " * depth + inner + "}" * depth
    if style == "block-list":
        return "- " * depth + inner
    return "".join(f"{'  ' * i}a:\n" for i in range(depth)) + "  " * depth + inner


def laughs(levels: int, width: int) -> str:
    lines = [f"l0: &l0 [{', '.join(['lol'] * width)}]"]
    lines += [f"l{i}: &l{i} [{', '.join([f'*l{i - 1}'] * width)}]" for i in range(1, levels)]
    return "\n".join(lines)


@st.composite
def yaml_texts(draw) -> str:
    kind = draw(st.sampled_from(["flow", "flow", "block", "block", "block", "deep", "deep",
                                 "big", "multi", "laughs"]))  # fmt: skip
    if kind == "flow":
        text = draw(nodes())
    elif kind == "block":
        pairs = draw(st.lists(st.tuples(st.sampled_from(KEYS), nodes()), min_size=1, max_size=5))
        text = "\n".join(f"{k}: {v}" for k, v in pairs)
    elif kind == "deep":
        style = draw(st.sampled_from(["flow-list", "flow-map", "block-list", "block-map"]))
        text = nested(draw(st.sampled_from(DEPTHS)), style, draw(scalars()))
    elif kind == "laughs":
        text = laughs(draw(st.integers(2, 10)), draw(st.sampled_from([2, 9, 100])))
        if draw(st.booleans()):
            text += "\nself: &r [*r]"  # an alias to the node it is in (undefined in libyaml)
    elif kind == "big":
        size = draw(st.sampled_from(BIG))
        char = draw(st.sampled_from(["x", " ", "é", "\\n", "[^a]"]))
        copies = draw(st.sampled_from([0, 3, 50]))
        text = f'a: &a "{char * (size // len(char))}"\nb: [{", ".join(["*a"] * copies)}]'
    else:
        docs = draw(st.lists(nodes(), min_size=2, max_size=3))
        text = draw(st.sampled_from(["%YAML 1.1\n", "%TAG !e! tag:evil,1:\n", ""])) + (
            "\n---\n".join(["--- " + docs[0], *docs[1:]]) + draw(st.sampled_from(["", "\n..."]))
        )
    return text


@st.composite
def yaml_files(draw) -> bytes:
    text = draw(yaml_texts())
    encoding = draw(st.sampled_from(["utf-8", "utf-8", "utf-8", "utf-8-sig", "utf-16"]))
    data = text.encode(encoding, "surrogatepass")
    if draw(st.integers(0, 5)) == 0:  # a stray byte: NUL, an invalid lead byte, a BOM inside
        at = draw(st.integers(0, len(data)))
        stray = draw(st.sampled_from([b"\x00", b"\xff", b"\xc3", codecs.BOM_UTF8, b"\x1b"]))
        data = data[:at] + stray + data[at:]
    return Blob(data)
