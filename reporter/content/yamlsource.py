"""Safe, bounded YAML loading that remembers where every value was written.

Strings come back as `Text` (a str that knows its file, line and column), mappings as `Map`
(which also knows where each key stands), lists as `Seq`. Errors name the file and line.
"""

from __future__ import annotations

from pathlib import Path

import yaml

from reporter.errors import Location, ReportError

MAX_BYTES = 5_000_000
MAX_DEPTH = 64
MAX_NODES = 200_000  # alias expansion ("billion laughs") is counted against this

try:  # libyaml's parser is ~10x faster; marks and errors are the same
    _Loader = yaml.CSafeLoader
except AttributeError:  # pragma: no cover - pure-Python PyYAML
    _Loader = yaml.SafeLoader


class Text(str):
    """A string from a YAML file, with the location of its first character."""

    loc: Location
    # Where the scalar's text starts in the file: lets `locate` map an offset inside the
    # value back to a line and column.
    start: int
    source: str  # the whole file's text (shared, not copied)

    def __new__(cls, value: str, loc: Location, start: int = 0, source: str = "") -> Text:
        self = super().__new__(cls, value)
        self.loc, self.start, self.source = loc, start, source
        return self


class Map(dict):
    loc: Location
    key_locs: dict[str, Location]


class Seq(list):
    loc: Location


def where(value: object, fallback: Location) -> Location:
    """The location a loaded value was written at, or `fallback` for plain values."""
    return getattr(value, "loc", fallback)


def read_text(path: Path, shown: Path) -> str:
    """File text, refusing oversized and non-UTF-8 files with a located message."""
    try:
        size = path.stat().st_size
    except FileNotFoundError:
        raise ReportError("file not found", Location(shown), "create it or fix the name") from None
    if size > MAX_BYTES:
        raise ReportError(
            f"file is {size:,} bytes, more than the {MAX_BYTES:,} allowed",
            Location(shown),
            "split it into smaller files",
        )
    raw = path.read_bytes()
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise ReportError(
            f"not UTF-8 (byte 0x{raw[exc.start]:02x})",
            Location(shown, line),
            "save the file as UTF-8",
        ) from None


def load_yaml(path: Path, shown: Path | None = None) -> object:
    """Load one YAML document from `path`; `shown` is the path used in messages."""
    shown = shown or path
    source = read_text(path, shown)
    loader = _Loader(source)
    try:
        node = loader.get_single_node()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, col = (mark.line + 1, mark.column + 1) if mark else (0, 0)
        problem = exc.problem or exc.context or "malformed YAML"
        raise ReportError(
            f"malformed YAML: {problem}", Location(shown, line, col), "fix the YAML syntax"
        ) from None
    finally:
        loader.dispose()
    if node is None:
        return None
    return _Builder(shown, loader, source).build(node, 0)


class _Builder:
    def __init__(self, shown: Path, loader: yaml.BaseLoader, source: str) -> None:
        self.shown = shown
        self.source = source
        self.loader = loader
        self.nodes = 0

    def loc(self, node: yaml.Node) -> Location:
        return Location(self.shown, node.start_mark.line + 1, node.start_mark.column + 1)

    def build(self, node: yaml.Node, depth: int) -> object:
        self.nodes += 1
        if depth > MAX_DEPTH:
            raise ReportError(
                f"YAML nested deeper than {MAX_DEPTH} levels", self.loc(node), "flatten it"
            )
        if self.nodes > MAX_NODES:
            raise ReportError(
                f"YAML expands to more than {MAX_NODES:,} values (aliases?)",
                self.loc(node),
                "remove the anchors and aliases",
            )
        if isinstance(node, yaml.MappingNode):
            result = Map()
            result.loc, result.key_locs = self.loc(node), {}
            for key_node, value_node in node.value:
                key = self.build(key_node, depth + 1)
                if not isinstance(key, str):
                    raise ReportError(
                        f"keys must be text, not {key!r}", self.loc(key_node), "quote the key"
                    )
                if key in result:
                    raise ReportError(f"duplicate key {key!r}", self.loc(key_node))
                result[str(key)] = self.build(value_node, depth + 1)
                result.key_locs[str(key)] = self.loc(key_node)
            return result
        if isinstance(node, yaml.SequenceNode):
            seq = Seq(self.build(item, depth + 1) for item in node.value)
            seq.loc = self.loc(node)
            return seq
        if not node.tag.startswith("tag:yaml.org,2002:"):
            raise ReportError(f"YAML tag {node.tag} is not allowed", self.loc(node))
        value = self.loader.construct_object(node, deep=True)
        if isinstance(value, str):
            start = node.start_mark.index + (1 if node.style in ('"', "'") else 0)
            return Text(value, self.loc(node), start, self.source)
        return value


def locate(text: Text, offset: int) -> Location:
    """Line and column in its file of character `offset` of a loaded string.

    YAML folds line breaks and indentation into spaces, so this walks the words of the value
    through the file text instead of adding offsets.
    """
    source, pos = text.source, text.start
    for word in text[:offset].split():
        found = source.find(word, pos)
        if found < 0:  # an escape sequence in a quoted scalar: stop at the best guess
            break
        pos = found + len(word)
    if offset and text[offset - 1].isspace():
        while pos < len(source) and source[pos].isspace():
            pos += 1
    line = source.count("\n", 0, pos) + 1
    column = pos - (source.rfind("\n", 0, pos) + 1) + 1
    return Location(text.loc.path, line, column)
