"""Small validation helpers for YAML content: unknown keys with "did you mean", wrong types."""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TypeVar

from reporter.content.yamlsource import Map, where
from reporter.errors import Collector, Location, ReportError

T = TypeVar("T")


def check_keys(
    value: object, allowed: Iterable[str], required: Iterable[str], what: str, fallback: Location
) -> Map:
    """`value` must be a mapping with only `allowed` keys and all `required` ones; every
    unknown and every missing key is reported in the same run."""
    if not isinstance(value, Map):
        raise ReportError(
            f"{what} must be a mapping", where(value, fallback), "write key: value lines"
        )
    allowed = list(allowed)
    errors = []
    for key in value:
        if key not in allowed:
            close = difflib.get_close_matches(key, allowed, n=1)
            hint = f"did you mean {close[0]!r}?" if close else f"allowed: {', '.join(allowed)}"
            errors.append(ReportError(f"unknown key {key!r} in {what}", value.key_locs[key], hint))
    for key in required:
        if key not in value:
            errors.append(ReportError(f"{what} has no {key!r}", value.loc, f"add {key}: …"))
    if errors:
        errors[0].others = errors[1:]
        raise errors[0]
    return value


def entries(mapping: Map, parse: Callable[[str, object, Location], T]) -> dict[str, T]:
    """`parse(name, value, where the name is written)` for every entry of a mapping; every
    bad entry is reported in the same run."""
    found, errors = {}, Collector()
    for name, value in mapping.items():
        with errors.each():
            found[name] = parse(name, value, mapping.key_locs[name])
    errors.done()
    return found


def text(value: object, what: str, fallback: Location) -> str:
    if isinstance(value, bool) or value is None or isinstance(value, (list, dict)):
        raise ReportError(f"{what} must be text", where(value, fallback), "write it as a string")
    return value if isinstance(value, str) else str(value)


def listing(value: object, what: str, fallback: Location) -> list:
    if not isinstance(value, list):
        raise ReportError(
            f"{what} must be a list", where(value, fallback), "write one '- item' per line"
        )
    return value


def suggest(name: str, known: Iterable[str]) -> str:
    close = difflib.get_close_matches(name, list(known), n=1)
    return f"did you mean {close[0]!r}?" if close else ""


_ID = re.compile(r"[A-Za-z0-9][\w.-]*")


def identifier(value: object, what: str, fallback: Location) -> str:
    """An id that names a file (a table, a chart): letters, digits, . _ -; no paths."""
    ident = text(value, what, fallback)
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
