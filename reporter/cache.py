"""A content-hash cache in the project (.reporter-cache/): a result is reused only when the
bytes of exactly what it depends on, and reporter's version, are the same.

Entries are plain JSON or raw bytes, never pickles: a cache folder planted in a project can
give wrong numbers at worst (as a planted data file could), never run code. A cached value is
exactly what the stage computed, so a cached and a cold build write the same bytes. Entries
are written atomically; an unreadable entry is a miss.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from collections.abc import Callable, Iterable
from pathlib import Path

from reporter import __version__

FOLDER = ".reporter-cache"


def digest(*parts: bytes | str) -> str:
    h = hashlib.sha256(__version__.encode())
    for part in parts:
        data = part.encode("utf-8") if isinstance(part, str) else part
        h.update(len(data).to_bytes(8, "big"))
        h.update(data)
    return h.hexdigest()


def files_digest(paths: Iterable[Path], root: Path) -> str:
    """Names and bytes of the files (a missing file counts as empty)."""
    parts: list[bytes | str] = []
    for path in sorted(paths):
        parts.append(path.relative_to(root).as_posix() if path.is_relative_to(root) else str(path))
        parts.append(path.read_bytes() if path.is_file() else b"")
    return digest(*parts)


class Cache:
    def __init__(self, root: Path, enabled: bool = True, read: bool = True) -> None:
        self.folder = root / FOLDER
        self.enabled = enabled  # False: neither read nor write (in-memory runs, tests)
        self.read = read  # False (--fresh): recompute everything, and refresh the entries
        self.hits: list[str] = []
        self.misses: list[str] = []

    def json(self, stage: str, key: str, compute: Callable[[], object]) -> object:
        raw = self.bytes(stage, key, lambda: json.dumps(compute(), sort_keys=True).encode(), "json")
        return json.loads(raw)

    def bytes(
        self, stage: str, key: str, compute: Callable[[], bytes], suffix: str = "bin"
    ) -> bytes:
        data = self.lookup(stage, key, suffix)
        return data if data is not None else self.store(stage, key, compute(), suffix)

    def lookup(self, stage: str, key: str, suffix: str = "bin") -> bytes | None:
        """The cached bytes (a hit), or None (a miss, to be followed by `store`)."""
        if self.enabled and self.read:
            try:
                data = (self.folder / stage / f"{key}.{suffix}").read_bytes()
                self.hits.append(stage)
                return data
            except OSError:
                pass
        return None

    def store(self, stage: str, key: str, data: bytes, suffix: str = "bin") -> bytes:
        self.misses.append(stage)
        if self.enabled:
            self._store(self.folder / stage / f"{key}.{suffix}", data)
        return data

    def _store(self, path: Path, data: bytes) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        ignore = self.folder / ".gitignore"
        if not ignore.exists():
            ignore.write_text("*\n")
        fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
            os.replace(tmp, path)
        except BaseException:  # interrupted (Ctrl-C, a superseded watch build): no stray file
            Path(tmp).unlink(missing_ok=True)
            raise
