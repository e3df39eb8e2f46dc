"""A content-hash cache in the project (.reporter-cache/): a result is reused only when the
bytes of exactly what it depends on, and reporter's own code, are the same.

Entries are plain JSON or raw bytes, never pickles: a cache folder planted in a project can
give wrong numbers at worst (as a planted data file could), never run code. A cached value is
exactly what the stage computed, so a cached and a cold build write the same bytes. Entries
are written atomically; an unreadable entry is a miss.
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import tempfile
from collections.abc import Callable, Iterable
from pathlib import Path

from reporter import __version__
from reporter.files import pid_alive

FOLDER = ".reporter-cache"


@functools.cache
def code_digest() -> bytes:
    """reporter's version and the bytes of its modules and schemas: a result computed by
    other code (an upgrade, a fix, a checkout of another revision) is never reused."""
    package = Path(__file__).parent
    h = hashlib.sha256(__version__.encode())
    for path in sorted([*package.rglob("*.py"), *package.glob("content/schemas/*.json")]):
        h.update(path.relative_to(package).as_posix().encode() + b"\0" + path.read_bytes())
    return h.digest()


def digest(*parts: bytes | str) -> str:
    h = hashlib.sha256(code_digest())
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
    """Entries carry the sha256 of their bytes, checked on every read: a truncated, emptied or
    edited entry is a miss (recomputed and replaced), never an error and never published. A
    caller's `verify` can refuse an entry whose bytes are intact but unusable (a PDF that does
    not open). Writing is best effort: the cache is optional, so a full disk or a read-only
    folder is a warning."""

    def __init__(self, root: Path, enabled: bool = True, read: bool = True) -> None:
        self.folder = root / FOLDER
        self.enabled = enabled  # False: neither read nor write (in-memory runs, tests)
        self.read = read  # False (--fresh): recompute everything, and refresh the entries
        self.hits: list[str] = []
        self.misses: list[str] = []
        self.rejected: list[str] = []  # entries that failed verification (shown with -v)
        self.warnings: list[str] = []
        if enabled:
            self._remove_orphans()

    def json(self, stage: str, key: str, compute: Callable[[], object], decode=None) -> object:
        """The value, JSON in the cache; `decode` turns it into what the caller uses, and an
        entry it cannot decode (ValueError, KeyError, TypeError) is recomputed."""
        decode = decode or (lambda value: value)
        decoded: list[object] = []  # what `valid` decoded last: the entry is decoded once

        def valid(data: bytes) -> bool:
            try:
                decoded[:] = [decode(json.loads(data))]
            except (ValueError, KeyError, TypeError, AttributeError):
                return False
            return True

        self.bytes(
            stage, key, lambda: json.dumps(compute(), sort_keys=True).encode(), "json", valid
        )
        return decoded[0]

    def bytes(
        self,
        stage: str,
        key: str,
        compute: Callable[[], bytes],
        suffix: str = "bin",
        verify: Callable[[bytes], bool] | None = None,
    ) -> bytes:
        data = self.lookup(stage, key, suffix, verify)
        if data is not None:
            return data
        data = compute()
        if verify is not None and not verify(data):
            raise RuntimeError(f"{stage}: a freshly computed entry does not verify")
        return self.store(stage, key, data, suffix)

    def lookup(
        self,
        stage: str,
        key: str,
        suffix: str = "bin",
        verify: Callable[[bytes], bool] | None = None,
    ) -> bytes | None:
        """The cached bytes (a hit), or None (a miss, to be followed by `store`)."""
        if not (self.enabled and self.read):
            return None
        path = self.folder / stage / f"{key}.{suffix}"
        try:
            raw = path.read_bytes()
        except OSError:
            return None
        data = _unpack(raw)
        if data is None or (verify is not None and not verify(data)):
            self.rejected.append(f"{stage} {key[:12]}")
            path.unlink(missing_ok=True)
            return None
        self.hits.append(stage)
        return data

    def store(self, stage: str, key: str, data: bytes, suffix: str = "bin") -> bytes:
        self.misses.append(stage)
        if self.enabled:
            try:
                self._store(self.folder / stage / f"{key}.{suffix}", _pack(data))
            except OSError as exc:
                self.warnings.append(
                    f"{self.folder}: the cache could not be written ({exc.strerror or exc}); "
                    "the build goes on without it"
                )
        return data

    def _store(self, path: Path, data: bytes) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        ignore = self.folder / ".gitignore"
        if not ignore.exists():
            ignore.write_text("*\n")
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f"tmp-{os.getpid()}-", suffix=".tmp")
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
            os.replace(tmp, path)
        except BaseException:  # interrupted (Ctrl-C, a superseded watch build): no stray file
            Path(tmp).unlink(missing_ok=True)
            raise

    def _remove_orphans(self) -> None:
        """Temporary files of builds that died before they could remove them."""
        for tmp in self.folder.glob("*/tmp-*-*.tmp"):
            pid = tmp.name.split("-")[1]
            if pid.isdigit() and not pid_alive(int(pid)):
                tmp.unlink(missing_ok=True)


_MAGIC = b"reporter-cache sha256="


def _pack(data: bytes) -> bytes:
    return _MAGIC + hashlib.sha256(data).hexdigest().encode() + b"\n" + data


def _unpack(raw: bytes) -> bytes | None:
    """The entry's bytes if they are whole and as written, else None."""
    if not raw.startswith(_MAGIC):
        return None
    head, _, data = raw.partition(b"\n")
    if head[len(_MAGIC) :] != hashlib.sha256(data).hexdigest().encode():
        return None
    return data
