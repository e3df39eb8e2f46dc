"""A content-hash cache, kept in the user's cache folder, one sub-folder per project: a result
is reused only when the bytes of exactly what it depends on, and reporter's own code, are the
same, and only if this machine's user wrote it.

The cache is outside the project (`$REPORTER_CACHE_DIR`, else `$XDG_CACHE_HOME/reporter`,
else `~/.cache/reporter`; in it, a folder named by a digest of the project's resolved path),
and every entry carries an HMAC-SHA256 made with a key local to the machine (`key`, 32 random
bytes, mode 0600, in that folder) over its stage, key, suffix and bytes. The files of a
project can therefore plant nothing in it: keys are public (anyone can compute them), but an
entry made without the machine's key, or copied under another key or stage, is a miss. A
`.reporter-cache/` folder in a project (where older versions kept the cache) is never read.

Entries are plain JSON or raw bytes, never pickles. A cached value is exactly what the stage
computed, so a cached and a cold build write the same bytes, wherever the cache is. Entries
are written atomically; an unreadable entry is a miss.
"""

from __future__ import annotations

import functools
import hashlib
import hmac
import json
import os
import secrets
import stat
import tempfile
from collections.abc import Callable, Iterable
from pathlib import Path

from reporter import __version__
from reporter.files import remove_orphans

ENVIRONMENT = "REPORTER_CACHE_DIR"  # the base folder, instead of the user's cache folder
KEY = "key"  # the machine's key, in the base folder
KEY_BYTES = 32


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


def base_folder() -> Path:
    """Where the caches of every project and the machine's key are: $REPORTER_CACHE_DIR (CI),
    else $XDG_CACHE_HOME/reporter (when absolute, as the XDG spec wants), else
    ~/.cache/reporter."""
    override = os.environ.get(ENVIRONMENT)
    if override:
        return Path(override).expanduser().absolute()
    xdg = os.environ.get("XDG_CACHE_HOME")
    if xdg and Path(xdg).is_absolute():
        return Path(xdg) / "reporter"
    return Path.home() / ".cache" / "reporter"


def folder_of(root: Path, base: Path | None = None) -> Path:
    """The cache folder of the project at `root`: named by a digest of its resolved path."""
    name = hashlib.sha256(os.fsencode(root.resolve())).hexdigest()[:32]
    return (base if base is not None else base_folder()) / name


class Cache:
    """Entries carry an HMAC of their bytes under the machine's key, checked on every read: a
    truncated, emptied, edited or planted entry is a miss (recomputed and replaced), never an
    error and never published. A caller's `verify` can refuse an entry whose bytes are
    intact but unusable (a PDF that does not open). The cache is optional: a folder that
    cannot be made or written, or a key that cannot be trusted, is a warning."""

    def __init__(
        self, root: Path, enabled: bool = True, read: bool = True, base: Path | None = None
    ) -> None:
        self.enabled = enabled  # False: neither read nor write (in-memory runs, tests)
        self.read = read  # False (--fresh): recompute everything, and refresh the entries
        self.hits: list[str] = []
        self.misses: list[str] = []
        self.rejected: list[str] = []  # entries that failed verification (shown with -v)
        self.warnings: list[str] = []
        self.folder: Path | None = None
        self._key = b""
        if enabled:
            self._open(root, base)

    def _open(self, root: Path, base: Path | None) -> None:
        """Find the folder and the key, or disable the cache with a warning."""
        try:
            base = base if base is not None else base_folder()
        except (RuntimeError, KeyError):  # no home folder to put it in
            return self._disable(
                "the cache has no folder (there is no home folder)",
                f"set {ENVIRONMENT}; the build goes on without a cache",
            )
        try:
            base.mkdir(mode=0o700, parents=True, exist_ok=True)
            refused = _unsafe(os.stat(base), folder=True)
            if refused:
                return self._disable(
                    f"{base}: the cache folder {refused}",
                    f"make it yours alone (chmod 700) or set {ENVIRONMENT}; the build goes "
                    "on without a cache",
                )
            self._key, warning = _machine_key(base)
        except OSError as exc:
            return self._disable(
                f"{base}: the cache could not be written ({exc.strerror or exc})",
                "the build goes on without it",
            )
        if warning:
            self.warnings.append(warning)
        self.folder = folder_of(root, base)
        self._remove_orphans(base)

    def _disable(self, message: str, hint: str) -> None:
        self.enabled = False
        self.warnings.append(f"{message}; {hint}")

    def __reduce__(self):
        raise TypeError("a Cache holds the machine's key: it is never sent to another process")

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
        if not (self.enabled and self.read and self.folder):
            return None
        path = self.folder / stage / f"{key}.{suffix}"
        try:
            raw = path.read_bytes()
        except OSError:
            return None
        data = _unpack(self._key, stage, key, suffix, raw)
        if data is None or (verify is not None and not verify(data)):
            self.rejected.append(f"{stage} {key[:12]}")
            path.unlink(missing_ok=True)
            return None
        self.hits.append(stage)
        return data

    def store(self, stage: str, key: str, data: bytes, suffix: str = "bin") -> bytes:
        self.misses.append(stage)
        if self.enabled and self.folder:
            try:
                path = self.folder / stage / f"{key}.{suffix}"
                self._store(path, _pack(self._key, stage, key, suffix, data))
            except OSError as exc:
                self.warnings.append(
                    f"{self.folder}: the cache could not be written ({exc.strerror or exc}); "
                    "the build goes on without it"
                )
        return data

    def _store(self, path: Path, data: bytes) -> None:
        for folder in (path.parent.parent, path.parent):  # the project's, the stage's
            folder.mkdir(mode=0o700, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f"tmp-{os.getpid()}-", suffix=".tmp")
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
            os.replace(tmp, path)
        except BaseException:  # interrupted (Ctrl-C, a superseded watch build): no stray file
            Path(tmp).unlink(missing_ok=True)
            raise

    def _remove_orphans(self, base: Path) -> None:
        """Temporary files of builds that died before they could remove them (entries of this
        project, and a key being made)."""
        assert self.folder is not None
        remove_orphans([*self.folder.glob("*/tmp-*-*.tmp"), *base.glob("tmp-*-*.tmp")], "tmp")


# --- the machine's key -------------------------------------------------------------------------


def _unsafe(info: os.stat_result, folder: bool = False) -> str:
    """Why the cache's folder (`folder`) or key file cannot be trusted (it is not a folder or
    a file, it is somebody else's, or others could write it), or "" when it can."""
    if not (stat.S_ISDIR if folder else stat.S_ISREG)(info.st_mode):
        return "is not a folder" if folder else "is not a regular file"
    if hasattr(os, "getuid") and info.st_uid != os.getuid():
        return "belongs to another user"
    if info.st_mode & 0o022:
        return "can be written by other users"
    return ""


def _machine_key(base: Path) -> tuple[bytes, str]:
    """(the key in base/key, a warning or ""). A key file that others could read or write,
    that belongs to another user, has other links or is not a key is replaced by a new one,
    with a warning. A new key is written to a temporary file and linked into place, so that
    processes starting together agree on one key (the first linked)."""
    path = base / KEY
    warning = ""
    for _ in range(3):
        key, refused = _read_key(path)
        if key:
            return key, warning
        if refused:
            warning = (
                f"{path}: the cache's key {refused}, so it is not used; a new key was made "
                "(the entries made with the old one will be recomputed)"
            )
            path.unlink(missing_ok=True)
        fd, tmp = tempfile.mkstemp(dir=base, prefix=f"tmp-{os.getpid()}-", suffix=".tmp")
        try:  # mkstemp makes the file 0600
            with os.fdopen(fd, "wb") as handle:
                handle.write(secrets.token_bytes(KEY_BYTES))
                handle.flush()
                os.fsync(handle.fileno())
            os.link(tmp, path)
        except FileExistsError:  # another process made one first: read it
            pass
        finally:
            Path(tmp).unlink(missing_ok=True)
    raise OSError(f"{path}: no usable key could be made")


def _read_key(path: Path) -> tuple[bytes, str]:
    """(the key, "") or (b"", why it is refused); (b"", "") when there is none."""
    flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)
    try:
        fd = os.open(path, flags)
    except FileNotFoundError:
        return b"", ""
    except OSError:  # a link (O_NOFOLLOW: ELOOP), or unreadable
        return b"", "is a link or cannot be read"
    try:
        info = os.fstat(fd)  # of the file opened: no swap between the check and the read
        refused = _unsafe(info)
        if not refused and info.st_mode & 0o044:
            refused = "can be read by other users"
        if not refused and info.st_nlink != 1:
            refused = "has other names (hard links)"
        if refused:
            return b"", refused
        key = os.read(fd, KEY_BYTES + 1)
    finally:
        os.close(fd)
    return (key, "") if len(key) == KEY_BYTES else (b"", f"is not a key of {KEY_BYTES} bytes")


# --- entries -----------------------------------------------------------------------------------

_MAGIC = b"reporter-cache hmac-sha256="


def _mac(secret: bytes, stage: str, key: str, suffix: str, data: bytes) -> bytes:
    """HMAC-SHA256 of the entry's place (stage, key, suffix) and bytes: an entry copied under
    another key, stage or suffix does not verify."""
    mac = hmac.new(secret, digestmod=hashlib.sha256)
    for part in (stage.encode(), key.encode(), suffix.encode(), data):
        mac.update(len(part).to_bytes(8, "big"))
        mac.update(part)
    return mac.hexdigest().encode()


def _pack(secret: bytes, stage: str, key: str, suffix: str, data: bytes) -> bytes:
    return _MAGIC + _mac(secret, stage, key, suffix, data) + b"\n" + data


def _unpack(secret: bytes, stage: str, key: str, suffix: str, raw: bytes) -> bytes | None:
    """The entry's bytes if they are whole, as written, and written here for this place;
    else None."""
    if not raw.startswith(_MAGIC):
        return None
    head, _, data = raw.partition(b"\n")
    expected = _mac(secret, stage, key, suffix, data)
    return data if hmac.compare_digest(head[len(_MAGIC) :], expected) else None
