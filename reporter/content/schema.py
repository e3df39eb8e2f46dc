"""The declared schemas of the project's YAML files (schemas/KIND.schema.json) and the one
adapter that checks a loaded file against its schema: every error, each at the file:line:col of
the key or value it is about, in one line with what to do. Helpers for the checks a schema
cannot express (names that become file names, paths that must stay inside a folder) follow.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import re
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TypeVar

from reporter.content.yamlsource import Map, Seq, where
from reporter.errors import Collector, Location, ReportError, suggest

T = TypeVar("T")
SCHEMAS = Path(__file__).parent / "schemas"
# The schemas' relative $refs ("common.schema.json#/…") resolve against this; nothing is fetched.
_BASE = "https://reporter.invalid/schemas/"
_CONTAINERS = {"properties", "patternProperties", "definitions", "dependencies", "allOf",
               "anyOf", "oneOf"}  # fmt: skip
_STEPS_IN = {"properties", "patternProperties", "additionalProperties", "items", "additionalItems"}
# in file order; a mapping's unknown keys first, then its missing ones (a misspelt key is both)
_RANKS = {"additionalProperties": 0, "required": 1}
_TYPE_HINTS = {"object": "write key: value lines", "array": "write one '- item' per line"}
_PLAIN = re.compile(r"\w[\w .()/-]*")  # an example printed without quotes, unless a keyword
_KEYWORDS = re.compile(r"true|false|yes|no|on|off|null|[-+]?[\d_]*\.?[\d_]+(?:e[-+]?\d+)?", re.I)


class Invalid(ReportError):
    """An error against a schema; `path` is where it is in the file's data (keys, indices)."""

    def __init__(self, message: str, at: Location, hint: str, path: Sequence[str | int]) -> None:
        super().__init__(message, at, hint)
        self.path = tuple(path)


def schema_path(kind: str) -> Path:
    """The file of schema KIND: document, part, table, chart, quantities, datasets, …"""
    return SCHEMAS / f"{kind}.schema.json"


@functools.cache
def load_schema(kind: str) -> dict:
    return json.loads(schema_path(kind).read_text(encoding="utf-8"))


def validate(node: object, kind: str, fallback: Location) -> None:
    """Raise every error of `node` (a loaded YAML file) against schema KIND, all at once."""
    _raise_all(problems(node, kind, fallback))


def problems(node: object, kind: str, fallback: Location) -> list[Invalid]:
    """The errors of `node` against schema KIND, in the order they stand in the file."""
    errors = list(_validator(kind).iter_errors(_plain(node)))
    unknown = {tuple(e.instance_path) for e in errors if e.kind.name == "additionalProperties"}
    found: dict[str, tuple[tuple, Invalid]] = {}  # two branches of a schema can say the same
    for error in errors:
        if error.kind.name == "oneOf" and (
            tuple(error.instance_path) in unknown or not isinstance(error.instance, dict)
        ):
            continue  # an unknown key is most likely the misspelt one; a non-mapping says so
        _, at = _locate(node, list(error.instance_path), fallback)
        rank = _RANKS.get(error.kind.name, len(_RANKS))
        for problem in _explain(error, node, kind, fallback):
            order = (at.line, at.column, rank, problem.where.line, problem.where.column)
            found.setdefault(str(problem), (order, problem))
    return [problem for _, problem in sorted(found.values(), key=lambda pair: pair[0])]


def entries(
    mapping: object, kind: str, parse: Callable[[str, object, Location], T], fallback: Location
) -> dict[str, T]:
    """A file of named entries checked against schema KIND, then `parse(name, value, where the
    name is written)` for every entry the schema accepts: every error of both in one run."""
    by_entry: dict[object, list[Invalid]] = {}
    for problem in problems(mapping, kind, fallback):
        by_entry.setdefault(problem.path[0] if problem.path else None, []).append(problem)
    _raise_all(by_entry.get(None, []))
    assert isinstance(mapping, Map)
    found, errors = {}, Collector()
    for name, value in mapping.items():
        with errors.each():
            _raise_all(by_entry.get(name, []))
            found[name] = parse(name, value, mapping.key_locs[name])
    errors.done()
    return found


def text(value: object) -> str:
    """A value the schema accepted as text (a string or a number) as a string; a string read
    from a file keeps its location."""
    return value if isinstance(value, str) else str(value)


_ID = re.compile(r"[A-Za-z0-9][\w.-]*")


def identifier(value: object, what: str, fallback: Location) -> str:
    """An id that names a file (a table, a chart): letters, digits, . _ -; no paths."""
    ident = text(value)
    if not _ID.fullmatch(ident) or ".." in ident:
        raise ReportError(
            f"{what} {ident!r} is not an id", where(value, fallback), "use letters, digits, - _ ."
        )
    return ident


def relative_file(name: str, what: str, at: Location) -> Path:
    """A file name relative to its folder: no absolute path, no '..'."""
    path = Path(name)
    if path.is_absolute() or ".." in path.parts or not name.strip():
        raise ReportError(f"{what} {name!r} leaves its folder", at, "name a file inside it")
    return path


def spec_path(root: Path, folder: str, ident: str, kind: str, called_at: Location) -> Path:
    """content/FOLDER/IDENT.yaml, or an error naming the known ones."""
    path = root / "content" / folder / f"{ident}.yaml"
    if not path.exists():
        known = sorted(p.stem for p in (root / "content" / folder).glob("*.yaml"))
        raise ReportError(
            f"unknown {kind} {ident!r}: no content/{folder}/{ident}.yaml",
            called_at,
            suggest(ident, known) or f"create the {kind} spec",
        )
    return path


# --- the adapter ---------------------------------------------------------------------------


@functools.cache
def _validator(kind: str):
    import jsonschema_rs  # imported where a file is validated, not by every command

    return jsonschema_rs.validator_for(
        load_schema(kind), registry=_registry(), base_uri=_BASE + schema_path(kind).name,
        retriever=_no_fetch,
    )  # fmt: skip


@functools.cache
def _registry():
    """Every schema, by the address its relative $refs resolve to."""
    import jsonschema_rs

    return jsonschema_rs.Registry(
        [(_BASE + path.name, load_schema(path.name.removesuffix(".schema.json")))
         for path in sorted(SCHEMAS.glob("*.schema.json"))]
    )  # fmt: skip


def _no_fetch(uri: str) -> dict:
    raise ValueError(f"{uri} is not one of reporter's schemas")


def _plain(value: object) -> object:
    """A loaded YAML value as the validator takes it: plain dicts, lists and strings (it
    refuses subclasses), dates written as YYYY-MM-DD."""
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, str):
        return str(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def _raise_all(errors: list[Invalid]) -> None:
    if errors:
        errors[0].others = errors[1:]
        raise errors[0]


def _explain(error, node: object, kind: str, fallback: Location) -> list[Invalid]:
    """One validator error as our messages: an unknown key, a missing key, not exactly one of
    several keys, or a value of the wrong type, form or range."""
    path = list(error.instance_path)
    steps = _steps(kind, list(error.evaluation_path))
    what, name = _names(path, steps, load_schema(kind).get("title", kind))
    target, at = _locate(node, path, fallback)
    nodes = steps[-1][1]  # the schemas that apply to the value, the failing one last
    info = error.kind.as_dict()
    if error.kind.name == "additionalProperties":
        allowed = list(nodes[-1].get("properties", {}))
        return [
            Invalid(f"unknown key {key!r} in {what}", target.key_locs[key],
                    suggest(key, allowed) or f"allowed: {', '.join(allowed)}", [*path, key])
            for key in info["unexpected"]
        ]  # fmt: skip
    if error.kind.name == "required":
        key = info["property"]
        return [Invalid(f"{what} has no {key!r}", at, f"add {key}: …", path)]
    if error.kind.name == "oneOf":
        keys = [k for branch in nodes[-1]["oneOf"] for k in branch.get("required", ())]
        present = [k for k in keys if k in error.instance]
        hint = f"it has {' and '.join(present)}: keep one" if present else ""
        return [Invalid(f"{what} needs exactly one of {', '.join(keys)}", at, hint, path)]
    return [_wrong_value(error, nodes, name, path, at)]


def _wrong_value(error, nodes: list[dict], name: str, path: list, at: Location) -> Invalid:
    failing, custom = nodes[-1], _annotation(nodes, "errorMessage")
    if "enum" in failing and not custom:
        title = _annotation(nodes, "title") or name
        options = ", ".join(str(x) for x in failing["enum"] if x is not None)
        return Invalid(f"unknown {title} {error.instance!r}", at, f"use one of: {options}", path)
    phrase, types = _phrase(failing), _types(failing)
    message = custom or (f"{name} must be {phrase}" if phrase else f"{name}: {error.message}")
    hint = _examples(nodes, path) or (_TYPE_HINTS.get(types[0], "") if len(types) == 1 else "")
    return Invalid(message, at, hint, path)


def _steps(kind: str, tokens: list) -> list[tuple[str, list[dict]]]:
    """The schemas an error's evaluation path goes through, one group per step into the data
    (the root's first): [(the keyword that stepped in, [schema, …])]. The last token is the
    keyword that failed."""
    resource, node = kind, load_schema(kind)
    steps: list[tuple[str, list[dict]]] = [("", [node])]
    i = 0
    while i < len(tokens) - 1:
        token = tokens[i]
        if token == "$ref":
            resource, node = _resolve(resource, node["$ref"])
        elif token in _CONTAINERS:
            i += 1
            inner = node[token]
            node = inner[int(tokens[i])] if isinstance(inner, list) else inner[tokens[i]]
        else:
            node = node[token]
        if token in _STEPS_IN:
            steps.append((token, []))
        steps[-1][1].append(node)
        i += 1
    return steps


def _resolve(resource: str, ref: str) -> tuple[str, dict]:
    file, _, pointer = ref.partition("#")
    resource = file.removesuffix(".schema.json") if file else resource
    node = load_schema(resource)
    for part in filter(None, pointer.split("/")):
        node = node[part]
    return resource, node


def _names(path: list, steps: list[tuple[str, list[dict]]], root: str) -> tuple[str, str]:
    """What a mapping is called in messages ("blocks[2]", "checks[0] of dataset 'a'") and
    what its value is called ("scale", "parts[1]", "footnote 'x'")."""
    parts: list[str] = []
    named = ""  # an entry of a mapping of names: "quantity 'a'"
    for token, (how, nodes) in zip(path, steps[1:], strict=False):
        title = _annotation(nodes, "title")
        if how == "additionalProperties" and title:
            named, parts = f"{title} {token!r}", []
        elif isinstance(token, int) and (parts or not named):
            parts.append(f"{parts.pop() if parts else root}[{token}]")
        elif isinstance(token, int):
            named += f"[{token}]"
        else:
            parts.append(str(token))
    what = ".".join(parts)
    if named:
        what = f"{what} of {named}" if parts else named
    return what or root, parts[-1] if parts else named or root


def _locate(node: object, path: list, fallback: Location) -> tuple[object, Location]:
    """The value at `path` and where it is written: its key in a mapping, itself in a list."""
    at = where(node, fallback)
    for token in path:
        if isinstance(node, Map) and dict.__contains__(node, token):
            at, node = node.key_locs[token], node[token]
        elif isinstance(node, Seq) and isinstance(token, int) and token < len(node):
            at, node = where(node[token], node.loc), node[token]
        else:
            break
    return node, at


def _annotation(nodes: list[dict], key: str) -> object:
    return next((n[key] for n in reversed(nodes) if isinstance(n, dict) and key in n), None)


def _types(node: dict) -> list[str]:
    """The types a schema allows, null (a key left empty) and number-as-text left out."""
    types = node.get("type", [])
    types = [t for t in ([types] if isinstance(types, str) else types) if t != "null"]
    return [t for t in types if t != "number"] if "string" in types else types


def _phrase(node: dict) -> str:
    """What a value must be, in words: "a whole number from 0 to 6", "text or a list"."""
    return " or ".join(_type_phrase(t, node) for t in _types(node))


def _type_phrase(kind: str, node: dict) -> str:
    if kind == "integer":
        low, high = node.get("minimum"), node.get("maximum")
        if low is not None and high is not None:
            return f"a whole number from {low:,} to {high:,}"
        return "a whole number" + (f" of at least {low:,}" if low is not None else "")
    if kind == "string":
        if node.get("maxLength") == 1:
            return "one character"
        return "non-empty text" if node.get("minLength") else "text"
    if kind == "array":
        return "a non-empty list" if node.get("minItems") else "a list"
    words = {"number": "a number", "boolean": "true or false", "object": "a mapping"}
    return words.get(kind, kind)


def _examples(nodes: list[dict], path: list) -> str:
    """ "e.g. key: example" from the schema's examples."""
    examples = _annotation(nodes, "examples") or []
    key = f"{path[-1]}: " if path and isinstance(path[-1], str) else ""
    return ", or ".join(f"e.g. {key}{_yaml(x)}" if i == 0 else f"{key}{_yaml(x)}"
                        for i, x in enumerate(examples[:2]))  # fmt: skip


def _yaml(value: object) -> str:
    """An example as it is written in YAML."""
    if isinstance(value, list):
        return "[" + ", ".join(map(_yaml, value)) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k}: {_yaml(v)}" for k, v in value.items()) + "}"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str) and (not _PLAIN.fullmatch(value) or _KEYWORDS.fullmatch(value)):
        return json.dumps(value, ensure_ascii=False)
    return str(value)
