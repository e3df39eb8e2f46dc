"""Safe, bounded YAML loading that remembers where every value was written.

Strings come back as `Text` (a str that knows its file, line and column), mappings as `Map`
(which also knows where each key stands), lists as `Seq`. Errors name the file and line.

Content is untrusted (docs/security.md): only the YAML core types are built (no tags that
name Python objects, no merge keys), and every size is bounded before it can cost memory or
time: the file (read only if it is a regular file inside the project, at most MAX_BYTES),
the nesting depth, and what anchors and aliases expand to (values and characters).
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from pathlib import Path

import yaml

from reporter.errors import Location, ReportError, suggest
from reporter.files import read_bytes

MAX_BYTES = 5_000_000  # one YAML file
MAX_DEPTH = 64
MAX_NODES = 200_000  # values after alias expansion ("billion laughs")
MAX_CHARS = 2 * MAX_BYTES  # characters of text after alias expansion
# The largest number, in size, that reporter reads anywhere: in YAML, in data, in formulas. A
# double holds it exactly, and sums of a million of them still print exactly.
MAX_NUMBER = 1e15

_CORE = "tag:yaml.org,2002:"
SCALAR_TAGS = {_CORE + t for t in ("str", "int", "float", "bool", "null", "timestamp")}
MAP_TAG, SEQ_TAG = _CORE + "map", _CORE + "seq"

PLACEHOLDER = re.compile(r"\\\{\{|\{\{\s*([A-Za-z_][\w-]*)\s*\}\}")  # {{country}}; \{{ is "{{"
# An edition's parameters while its content is read (the engine sets them, `parameters`);
# unset, placeholders are left as written (listing the editions reads document.yaml so).
_PARAMETERS: ContextVar[Mapping[str, str] | None] = ContextVar("parameters", default=None)
# Which of them are words of the edition's language, by project root: read once per block.
_WORDS: ContextVar[dict[Path, frozenset[str]] | None] = ContextVar("words", default=None)
LANGUAGES = Path("content/languages")  # LANGUAGE.yaml: the words of each language
_LANGUAGE = re.compile(r"[A-Za-z0-9_-]+")

try:  # libyaml's parser is ~10x faster; marks and errors are the same
    _Loader = yaml.CSafeLoader
except AttributeError:  # pragma: no cover - pure-Python PyYAML
    _Loader = yaml.SafeLoader


@contextmanager
def parameters(values: Mapping[str, str]) -> Iterator[None]:
    """Within the block, `{{name}}` in the strings of content/ files reads as `values[name]`
    (an edition's country, say); a name with no value is an error at its place, and `\\{{`
    is a literal "{{". Data files' declarations (SQL) are never substituted. Without values
    (a project with no editions) text is left as written.

    A value is text: put into prose, `*`, `[^id]`, `[x](url)` or `{=q}` in it are read as
    written, never as markup (each string records where the values stand, `Text.literal`,
    and the inline parser reads those characters as text). The words of the edition's
    language (content/languages/LANGUAGE.yaml) are content, markup and all."""
    token = _PARAMETERS.set(dict(values) or None)
    words = _WORDS.set({})
    try:
        yield
    finally:
        _WORDS.reset(words)
        _PARAMETERS.reset(token)


def current_parameters() -> Mapping[str, str] | None:
    """The values of the edition whose content is being read; None outside editions."""
    return _PARAMETERS.get()


class Text(str):
    """A string from a YAML file, with the location of its first character."""

    loc: Location
    # Where the scalar's text starts in the file: lets `locate` map an offset inside the
    # value back to a line and column.
    start: int
    source: str  # the whole file's text (shared, not copied)
    lines: list[int]  # where each line of `source` starts; shared by a file's Texts, lazy
    # Where an edition's values were put in (start, end): text, which the inline parser
    # reads as written, never as markup (inline.py `parse_inline`).
    literal: tuple[tuple[int, int], ...] = ()

    def __new__(
        cls, value: str, loc: Location, start: int = 0, source: str = "", lines=None
    ) -> Text:
        self = super().__new__(cls, value)
        self.loc, self.start, self.source = loc, start, source
        self.lines = [] if lines is None else lines
        return self


class Map(dict):
    loc: Location
    key_locs: dict[str, Location]


class Seq(list):
    loc: Location


def where(value: object, fallback: Location) -> Location:
    """The location a loaded value was written at, or `fallback` for plain values."""
    return getattr(value, "loc", fallback)


def read_text(path: Path, shown: Path, limit: int = MAX_BYTES, what: str = "file") -> str:
    """File text, refusing oversized, outside and non-UTF-8 files with a located message."""
    raw = read_bytes(path, shown, limit, what)
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
    source = read_text(path, shown, what="YAML file")
    loader = _Loader(source)
    try:
        node = loader.get_single_node()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, col = (mark.line + 1, mark.column + 1) if mark else (0, 0)
        problem = exc.problem or exc.context or "malformed YAML"
        if "maximum nesting depth" in problem:  # libyaml stops at 1000 levels
            raise _too_deep(Location(shown, line, col)) from None
        raise ReportError(
            f"malformed YAML: {problem}", Location(shown, line, col), "fix the YAML syntax"
        ) from None
    except yaml.reader.ReaderError as exc:  # a control character, e.g. NUL
        line = source.count("\n", 0, max(exc.position, 0)) + 1
        code = exc.character if isinstance(exc.character, int) else ord(exc.character)
        raise ReportError(
            f"malformed YAML: {exc.reason} (found #x{code:04x})",
            Location(shown, line),
            "remove the character",
        ) from None
    except RecursionError:  # pragma: no cover - the pure-Python composer recurses
        raise _too_deep(Location(shown)) from None
    finally:
        loader.dispose()
    if node is None:
        return None
    return _Builder(shown, loader, source, _root(path, shown)).build(node, 0)


def _root(path: Path, shown: Path) -> Path | None:
    """The project's folder, when `shown` (content/x.yaml) is `path` relative to it."""
    n = len(shown.parts)
    if (
        shown.is_absolute()
        or len(path.parts) < n
        or path.parts[len(path.parts) - n :] != shown.parts
    ):
        return None
    return Path(*path.parts[: len(path.parts) - n])


def load_mapping(root: Path, name: str, what: str) -> Map:
    """content/NAME as a mapping (an absent or empty file is an empty one)."""
    path = root / "content" / name
    empty = Map()
    empty.loc, empty.key_locs = Location(Path("content") / name), {}
    if not path.exists():
        return empty
    shown = path.relative_to(root)
    data = load_yaml(path, shown)
    if data is None:
        return empty
    if not isinstance(data, Map):
        raise ReportError(
            f"{name} must map {what}", Location(shown), "write one 'key: value' per line"
        )
    return data


def _language_words(root: Path, values: Mapping[str, str]) -> frozenset[str]:
    language = values.get("language", "")
    if not _LANGUAGE.fullmatch(language) or not (root / LANGUAGES / f"{language}.yaml").is_file():
        return frozenset()
    shown = LANGUAGES / f"{language}.yaml"
    token = _PARAMETERS.set(None)  # as written: words hold no placeholders
    try:
        found = load_yaml(root / shown, shown)
    except ReportError:  # reported where the editions are listed (editions.py)
        return frozenset()
    finally:
        _PARAMETERS.reset(token)
    if not isinstance(found, Map):
        return frozenset()
    return frozenset(k for k, v in found.items() if isinstance(v, str) and values.get(k) == v)


def _too_deep(loc: Location) -> ReportError:
    return ReportError(f"YAML nested deeper than {MAX_DEPTH} levels", loc, "flatten it")


def _short(value: object, limit: int = 60) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


class _Builder:
    def __init__(
        self, shown: Path, loader: yaml.BaseLoader, source: str, root: Path | None = None
    ) -> None:
        self.shown = shown
        self.root = root
        self.source = source
        self.lines: list[int] = []  # line starts of `source`, shared by every Text
        self.loader = loader
        self.nodes = 0
        self.chars = 0

    def loc(self, node: yaml.Node) -> Location:
        return Location(self.shown, node.start_mark.line + 1, node.start_mark.column + 1)

    def build(self, node: yaml.Node, depth: int) -> object:
        self.nodes += 1
        if depth > MAX_DEPTH:
            raise _too_deep(self.loc(node))
        if self.nodes > MAX_NODES or self.chars > MAX_CHARS:
            what = (
                f"{MAX_NODES:,} values" if self.nodes > MAX_NODES else f"{MAX_CHARS:,} characters"
            )
            raise ReportError(
                f"YAML expands to more than {what} (aliases?)",
                self.loc(node),
                "remove the anchors and aliases",
            )
        if isinstance(node, yaml.MappingNode):
            if node.tag != MAP_TAG:
                raise self.refuse(node)
            result = Map()
            result.loc, result.key_locs = self.loc(node), {}
            for key_node, value_node in node.value:
                if key_node.tag == _CORE + "merge":
                    raise ReportError(
                        "YAML merge keys (<<) are not allowed",
                        self.loc(key_node),
                        "write the keys out, or quote '<<' if it is a key",
                    )
                key = self.build(key_node, depth + 1)
                if not isinstance(key, str):
                    raise ReportError(
                        f"keys must be text, not {_short(key)}", self.loc(key_node), "quote the key"
                    )
                if key in result:
                    raise ReportError(f"duplicate key {_short(key)}", self.loc(key_node))
                result[str(key)] = self.build(value_node, depth + 1)
                result.key_locs[str(key)] = self.loc(key_node)
            return result
        if isinstance(node, yaml.SequenceNode):
            if node.tag != SEQ_TAG:
                raise self.refuse(node)
            seq = Seq(self.build(item, depth + 1) for item in node.value)
            seq.loc = self.loc(node)
            return seq
        if node.tag not in SCALAR_TAGS:
            raise self.refuse(node)
        self.chars += len(node.value)
        value = self.scalar(node)
        if isinstance(value, str):
            start = node.start_mark.index + (1 if node.style in ('"', "'") else 0)
            text = Text(value, self.loc(node), start, self.source, self.lines)
            return self.substitute(text) if "{{" in value else text
        return value

    def substitute(self, text: Text) -> Text:
        """The edition's values in place of `{{name}}`, in content/ files only; where each
        value stands is kept (`Text.literal`) unless it is a word of the language."""
        values = _PARAMETERS.get()
        if values is None or self.shown.parts[:1] != ("content",):
            return text
        out, spans, size, end = [], [], 0, 0
        for match in PLACEHOLDER.finditer(text):
            name, before = match[1], text[end : match.start()]
            value = "{{" if name is None else values.get(name)
            if value is None:
                hint = suggest(name, values) or f"parameters: {', '.join(values)}"
                raise ReportError(
                    f"unknown parameter {{{{{name}}}}}", locate(text, match.start()), hint
                )
            size += len(before)
            if name is not None and value and name not in self.words(values):
                spans.append((size, size + len(value)))
            out += [before, value]
            size += len(value)
            end = match.end()
        out.append(text[end:])
        result = Text("".join(out), text.loc, text.start, text.source, text.lines)
        if spans:
            result.literal = tuple(spans)
        return result

    def words(self, values: Mapping[str, str]) -> frozenset[str]:
        """The parameters that are words of the edition's language, as its
        content/languages/LANGUAGE.yaml gives them: content, whose markup is markup. Read
        once per `parameters` block; none when the project's folder is not known."""
        cache = _WORDS.get()
        if self.root is None or cache is None:
            return frozenset()
        if self.root not in cache:
            cache[self.root] = _language_words(self.root, values)
        return cache[self.root]

    def scalar(self, node: yaml.ScalarNode) -> object:
        """The value of a scalar: text, a number (finite, at most MAX_NUMBER in size: 1e400
        would read as infinity), a boolean, null or a date."""
        try:
            value = self.loader.construct_object(node, deep=True)
        except (
            yaml.YAMLError,
            ValueError,
            TypeError,
            AttributeError,
            OverflowError,
            IndexError,
            KeyError,
        ) as exc:  # PyYAML's own constructors fail so on "!!int" and "!!bool x"
            kind = node.tag.removeprefix(_CORE)
            why = str(exc).split(":")[0][:80] if type(exc) is ValueError else ""
            raise ReportError(
                f"{_short(node.value)} is not a valid {kind}" + (f" ({why})" if why else ""),
                self.loc(node),
                "quote it to write it as text",
            ) from None
        if isinstance(value, int | float) and not abs(value) <= MAX_NUMBER:
            raise ReportError(
                f"{_short(node.value)}: numbers must be finite and at most {MAX_NUMBER:,.0f} in "
                "size",
                self.loc(node),
                "write it in a larger unit, or quote it to write it as text",
            )
        return value

    def refuse(self, node: yaml.Node) -> ReportError:
        tag = node.tag.replace(_CORE, "!!")
        return ReportError(
            f"YAML tag {_short(tag)} is not allowed",
            self.loc(node),
            "remove the tag: content holds text, numbers, dates, lists and mappings only",
        )


def locate(text: Text, offset: int) -> Location:
    """Line and column in its file of character `offset` of a loaded string.

    YAML folds line breaks and indentation into spaces, so this walks the words of the value
    through the file text instead of adding offsets. The walk is done once per string and
    kept (`_words`), so locating every node of a long paragraph stays linear.
    """
    source = text.source
    starts, ends, after, found = _words(text)
    k = bisect_left(starts, offset) - 1  # the last word that starts before `offset`
    if k < 0:  # up to the first word: where it stands (a block scalar's starts at its `>-`)
        pos = max(text.start, after[0] - ends[0] + offset) if starts and found[0] else text.start
    elif ends[k] <= offset or (k and not found[k - 1]):
        pos = after[k]
    else:  # `offset` is inside word k: find the part of it before `offset`
        pos = after[k - 1] if k else text.start
        at = source.find(text[starts[k] : offset], pos)
        if at >= 0:
            pos = at + offset - starts[k]
    if offset and text[offset - 1].isspace():
        while pos < len(source) and source[pos].isspace():
            pos += 1
    lines = _line_starts(text)
    line = bisect_left(lines, pos + 1)  # lines starting at or before pos (lines[0] == 0)
    return Location(text.loc.path, line, pos - lines[line - 1] + 1)


_WORD = re.compile(r"\S+")


def _words(text: Text) -> tuple[list[int], list[int], list[int], list[bool]]:
    """Each word of `text`: its start and end in the value, where the walk through the file
    stands after it, and whether it was found (after the first miss, none is: an escape
    sequence in a quoted scalar stops the walk at the best guess)."""
    index = text.__dict__.get("_words")
    if index is None:
        starts, ends, after, found = [], [], [], []
        source, pos, ok = text.source, text.start, True
        for m in _WORD.finditer(text):
            if ok:
                at = source.find(m[0], pos)
                ok = at >= 0
                if ok:
                    pos = at + len(m[0])
            starts.append(m.start())
            ends.append(m.end())
            after.append(pos)
            found.append(ok)
        index = text.__dict__["_words"] = (starts, ends, after, found)
    return index


def _line_starts(text: Text) -> list[int]:
    lines = text.lines
    if not lines:  # filled once per file: the list is shared by all its strings
        lines.append(0)
        lines.extend(m.end() for m in re.finditer("\n", text.source))
    return lines
