"""Inline markup of prose -> a small tree of nodes. Nothing in it is ever run or taken as HTML.

*italic*   [^footnote-id]   [@label]  [@first..last]  [#label]   [text](https://…)
[46 million]{=quantity}  [5]{=q1 =q2}  (bound figures: each quantity must match)
    [$372 billion]{src=footnote-id}  (a figure declared as coming from outside data/)
\\*  \\[  (a literal * or [)
{=quantity FORMAT}  (a value computed from the data, written in when the figures are checked:
    content/computed.py reads FORMAT)

An edition's values put into a string (yamlsource.py `parameters`) are text: parse_inline
reads them escaped, so a country named "*X* [^n]" is written as it is named.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from reporter.content.computed import BadFormat, Format, parse_format
from reporter.content.yamlsource import Text, locate
from reporter.errors import Location, ReportError

LINK_SCHEMES = ("http://", "https://", "mailto:")
MAX_NODES = 10_000  # markup nodes in one string: bounds memory on hostile content

_ID = r"[A-Za-z0-9][\w.-]*"
_FOOTNOTE = re.compile(rf"\[\^({_ID})\]")
_LABEL = r"[A-Za-z0-9](?:[\w-]|\.(?!\.))*"  # as _ID, but no "..": that joins a range
_REF = re.compile(rf"\[([@#])({_LABEL})(?:\.\.({_LABEL}))?\]")
_RANGE_HINT = "a range joins two labels: write [@first..last]"
_BRACKET = re.compile(r"\[((?:\\.|[^\]\\])*)\](?:\(([^)\s]*)\)|\{([^}]*)\})")
_QUANTITY = r"[A-Za-z][\w-]*(?:\.[\w-]+\.\w+)?"  # a named quantity or table.row.column
_BINDINGS = re.compile(rf"(?:=({_QUANTITY})\s*)+|src=({_ID})")
_COMPUTED = re.compile(rf"\{{=({_QUANTITY})(?:\s+([^{{}}]*))?\}}")
# What `escape` puts a backslash before: every character the markup is made of (not letters,
# digits, "-", "_" or ".", which ids and quantity names are made of)
_SPECIAL = re.compile(r"[\\*\[\](){}=^@#]")


@dataclass
class Node:
    offset: int  # where the node starts in the raw string


@dataclass
class Located(Node):
    loc: Location  # file:line:col where it was written, for messages


@dataclass
class Str(Node):
    text: str
    raw: str = field(default="", repr=False)  # the whole string it came from, for locations


@dataclass
class Emph(Node):
    children: list[Node]


@dataclass
class FootnoteCall(Located):
    id: str
    number: str = ""  # filled by numbering
    first: bool = False  # the first call of this footnote carries its text
    table_note: bool = False  # a table's own lettered note (set when the table spec is read)


@dataclass
class Ref(Located):
    first: str
    last: str | None  # a range first..last
    with_kind: bool  # "[@x]" -> "table 1"; "[#x]" -> "1"
    text: str = ""  # filled by numbering
    target: str = ""  # HTML id of the target


@dataclass
class Link(Located):
    children: list[Node]
    url: str


@dataclass
class Figure(Located):
    """A figure stated in prose, as typed, bound to a quantity or declared with a source."""

    text: str
    quantities: list[str] = field(default_factory=list)
    source: str | None = None
    children: list[Node] = field(default_factory=list)


@dataclass
class Computed(Located):
    """A value computed from the data, `{=quantity FORMAT}`: the check writes its text."""

    quantity: str
    format: Format
    written: str  # as written, "{=stock .1 million}", for messages
    text: str | None = None  # filled when the figures are checked (check/computed.py)

    def shown(self) -> str:
        """The text written in; asking before the check has written it is an error."""
        if self.text is None:
            raise ReportError(
                f"{self.written} has no text yet: computed values are written in when the "
                "figures are checked",
                self.loc,
                "a table's row labels and column headings cannot hold one",
            )
        return self.text


def parse_inline(raw: str, fallback: Location) -> list[Node]:
    """Parse one string of prose; errors point at the offending character. The parts of it
    that are an edition's values (`Text.literal`) are read as text, never as markup."""
    if isinstance(raw, Text) and raw.literal:
        raw = _escaped(raw)
    return _Parser(raw, fallback).parse(0, len(raw), in_emph=False)


def escape(text: str) -> str:
    """Markup that reads as `text` itself: "*X*" -> "\\*X\\*"."""
    return _SPECIAL.sub(r"\\\g<0>", text)


def _escaped(raw: Text) -> Text:
    """`raw` with its literal parts escaped, located where `raw` is."""
    out, end = [], 0
    for start, stop in raw.literal:
        out += [raw[end:start], escape(raw[start:stop])]
        end = stop
    out.append(raw[end:])
    return Text("".join(out), raw.loc, raw.start, raw.source, raw.lines)


def plain_text(nodes: list[Node]) -> str:
    """The text a reader sees (numbers of calls and references included once filled)."""
    out = []
    for node in nodes:
        if isinstance(node, Str):
            out.append(node.text)
        elif isinstance(node, (Emph, Link, Figure)):
            out.append(plain_text(node.children))
        elif isinstance(node, FootnoteCall):
            out.append(node.number)
        elif isinstance(node, Ref):
            out.append(node.text)
        elif isinstance(node, Computed):
            out.append(node.shown())
    return "".join(out)


def walk(nodes: list[Node]):
    """Every node, depth first, in reading order."""
    for node in nodes:
        yield node
        yield from walk(getattr(node, "children", []))


class _Parser:
    def __init__(self, raw: str, fallback: Location) -> None:
        self.raw = raw
        self.fallback = fallback
        self.nodes = 0

    def where(self, offset: int) -> Location:
        return locate(self.raw, offset) if isinstance(self.raw, Text) else self.fallback

    def fail(self, offset: int, message: str, hint: str) -> ReportError:
        return ReportError(message, self.where(offset), hint)

    def parse(self, start: int, end: int, in_emph: bool) -> list[Node]:
        raw, nodes, buf, buf_at, i = self.raw, [], [], start, start

        def flush() -> None:
            if buf:
                nodes.append(Str(buf_at, "".join(buf), self.raw))
                buf.clear()

        while i < end:
            if len(nodes) + self.nodes >= MAX_NODES:
                raise self.fail(
                    i, f"more than {MAX_NODES:,} pieces of markup in one text", "split it"
                )
            ch = raw[i]
            if ch == "\\" and i + 1 < end:
                if not buf:
                    buf_at = i
                buf.append(raw[i + 1])
                i += 2
                continue
            if ch == "*":
                if in_emph:
                    raise self.fail(
                        i, "'*' inside emphasis", "close the emphasis first or write \\*"
                    )
                close = self._find_unescaped("*", i + 1, end)
                if close < 0:
                    raise self.fail(
                        i,
                        "'*' opens emphasis that is never closed",
                        "add the closing * or write \\*",
                    )
                flush()
                nodes.append(Emph(i, self.parse(i + 1, close, in_emph=True)))
                i = close + 1
                continue
            if raw.startswith("{=", i):
                node, i_next = self._computed(i, end)
                flush()
                nodes.append(node)
                i = i_next
                continue
            if ch == "[":
                node, i_next = self._bracket(i, end, in_emph)
                flush()
                nodes.append(node)
                i = i_next
                continue
            if not buf:
                buf_at = i
            buf.append(ch)
            i += 1
        flush()
        self.nodes += len(nodes)
        return nodes

    def _find_unescaped(self, char: str, start: int, end: int) -> int:
        """The first `char` from `start` that is neither escaped nor inside a link or figure
        (whose brackets are passed over whole: "*see [the *Digest*](url)*" is one emphasis)."""
        i = start
        while i < end:
            if self.raw[i] == "\\":
                i += 2
                continue
            if self.raw[i] == "[" and (m := _BRACKET.match(self.raw, i, end)):
                i = m.end()
                continue
            if self.raw[i] == char:
                return i
            i += 1
        return -1

    def _computed(self, i: int, end: int) -> tuple[Node, int]:
        m = _COMPUTED.match(self.raw, i, end)
        if not m:
            raise self.fail(
                i,
                "'{=' starts no computed value",
                "write {=quantity}, {=quantity .1 million}, {=table.row.column} or \\{",
            )
        try:
            fmt = parse_format(m[2] or "")
        except BadFormat as exc:
            raise self.fail(m.start(2) + exc.offset, exc.message, exc.hint) from None
        return Computed(i, self.where(i), m[1], fmt, m[0]), m.end()

    def _bracket(self, i: int, end: int, in_emph: bool) -> tuple[Node, int]:
        raw = self.raw
        if m := _FOOTNOTE.match(raw, i, end):
            return FootnoteCall(i, self.where(i), m[1]), m.end()
        if raw.startswith(("[@", "[#"), i):
            m = _REF.match(raw, i, end)
            if not m:
                close = raw.find("]", i, end)
                if close > 0 and ".." in raw[i:close]:
                    raise self.fail(i, "malformed reference", _RANGE_HINT)
                raise self.fail(
                    i, "malformed reference", "write [@label], [#label] or [@first..last]"
                )
            return Ref(i, self.where(i), m[2], m[3], m[1] == "@"), m.end()
        m = _BRACKET.match(raw, i, end)
        if not m:
            raise self.fail(
                i,
                "'[' starts no footnote, reference, link or figure",
                "write [^id], [@label], [text](url), [figure]{=quantity} or \\[",
            )
        children = self.parse(m.start(1), m.end(1), in_emph)  # no emphasis in emphasis
        if m[2] is not None:
            url = m[2]
            if not url.lower().startswith(LINK_SCHEMES):
                raise self.fail(
                    m.start(2),
                    f"link to {url!r} refused",
                    "links may use http, https or mailto only",
                )
            return Link(i, self.where(i), children, url), m.end()
        attrs = m[3].strip()
        if not _BINDINGS.fullmatch(attrs):
            raise self.fail(
                m.start(3),
                f"unknown figure binding {{{m[3]}}}",
                "write {=quantity-id} or {src=footnote-id}",
            )
        text = plain_text(children)
        source = attrs[4:] if attrs.startswith("src=") else None
        quantities = [] if source else re.findall(rf"=({_QUANTITY})", attrs)
        return Figure(i, self.where(i), text, quantities, source, children), m.end()
