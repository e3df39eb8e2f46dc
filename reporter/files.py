"""Small file-system helpers shared by the stages: copying a project's inputs and reading a
project's file safely, and telling a live process from a dead one."""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import stat
from collections.abc import Iterable
from pathlib import Path

from reporter.errors import Collector, Location, ReportError


def shown(path: Path) -> str:
    """A path as a message shows it: relative to the working folder when inside it."""
    try:
        return str(path.resolve().relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def pid_alive(pid: int) -> bool:
    """Whether a process runs (a file named after a dead one is an orphan to remove)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # it runs, as another user
        return True
    return True


def remove_orphans(paths: Iterable[Path], kind: str) -> None:
    """Files and folders a process left behind when it died, named `…KIND-PID…`
    (`.out.staging-PID`, `tmp-PID-XXXX.tmp`); those of a process that runs are kept."""
    for path in paths:
        pid = re.search(rf"{kind}-(\d+)", path.name)
        if pid and not pid_alive(int(pid.group(1))):
            if path.is_dir() and not path.is_symlink():
                shutil.rmtree(path, ignore_errors=True)
            else:
                path.unlink(missing_ok=True)


def project_root(path: Path, shown: Path) -> Path:
    """The folder a file must stay inside: `path` minus the trailing `shown` parts (callers
    show paths relative to the project), or the file's own folder when `shown` is not such
    a tail (a file given on the command line, e.g. `--data DIR`)."""
    tail = shown.parts
    if tail and not shown.is_absolute() and path.parts[-len(tail) :] == tail:
        return Path(*path.parts[: -len(tail)])
    return path.parent


def read_bytes(path: Path, shown: Path, limit: int, what: str = "file") -> bytes:
    """The bytes of a regular file inside the project, at most `limit` of them.

    The size is checked before anything is read; symlinks are followed only if they stay
    inside the project; FIFOs, devices and folders are refused (they could block or never end).
    """
    root = os.path.realpath(project_root(path, shown))
    try:
        real = os.path.realpath(path)
        info = os.stat(real)
    except FileNotFoundError:
        raise ReportError("file not found", Location(shown), "create it or fix the name") from None
    except (OSError, ValueError) as exc:
        raise ReportError(f"cannot read the file ({exc})", Location(shown)) from None
    if os.path.commonpath([root, real]) != root:
        raise ReportError(
            f"{what} resolves to {real}, outside the project",
            Location(shown),
            "keep content and data inside the project: no links or '..' leading out",
        )
    if not stat.S_ISREG(info.st_mode):
        raise ReportError(f"{what} is not a regular file", Location(shown), "replace it")
    if info.st_size > limit:
        raise ReportError(
            f"{what} is {info.st_size:,} bytes, more than the {limit:,} allowed",
            Location(shown),
            "split it into smaller files",
        )
    with open(real, "rb") as handle:
        raw = handle.read(info.st_size + 1)
    if len(raw) > info.st_size:  # it grew since it was measured
        raise ReportError(f"{what} changed while it was read", Location(shown), "try again")
    return raw


# Limits of a project's input folders (content/, data/, templates/), read whole at the start of
# a build: a file over its size is refused before a byte of it is read.
MAX_INPUT_BYTES = 50_000_000  # one file (the largest a data file may be)
MAX_CONTENT_BYTES = 5_000_000  # one file of content/ (the largest a YAML file may be)
MAX_INPUTS_BYTES = 500_000_000  # all of them
MAX_INPUT_FILES = 10_000
_CHUNK = 1 << 20


def copy_inputs(root: Path, folders: tuple[str, ...], into: Path, fallback: dict[str, Path]):
    """Copy the input `folders` of the project at `root` into `into`, once, as regular files,
    and return {path relative to root: sha256}: what the build reads, hashes and attaches.

    Every file is checked before it is opened: a link (of a file or a folder) that resolves
    outside the project, a FIFO, a device, a file over its size limit is refused, with one
    error per file, all reported in one run. A folder in `fallback` that the project does not
    have is copied from there (reporter's own default theme)."""
    walk = _Walk(os.path.realpath(root), into)
    errors = Collector()
    for folder in folders:
        source = root / folder
        if not os.path.lexists(source) and folder in fallback:
            walk.trusted = os.path.realpath(fallback[folder])
            with errors.each():
                walk.folder(Path(walk.trusted), Path(folder), errors)
            walk.trusted = None
        elif os.path.lexists(source):
            with errors.each():
                walk.entry(source, Path(folder), errors)
    errors.done()
    return dict(sorted(walk.digests.items()))


class _Walk:
    def __init__(self, root: str, into: Path) -> None:
        self.root, self.into = root, into
        self.trusted: str | None = None  # a folder of reporter's own, read in place of one
        self.digests: dict[str, str] = {}
        self.total = 0
        self.open: set[str] = set()  # the real folders being walked: a link back is a loop

    def entry(self, path: Path, shown: Path, errors) -> None:
        real = os.path.realpath(path)
        inside = self.trusted or self.root
        if os.path.commonpath([inside, real]) != inside:
            raise ReportError(
                f"{_kind(shown)} resolves to {real}, outside the project",
                Location(shown),
                "keep content, data and templates inside the project: no links leading out",
            )
        try:
            info = os.stat(real)
        except OSError as exc:
            raise ReportError(f"cannot read it ({exc.strerror or exc})", Location(shown)) from None
        if stat.S_ISDIR(info.st_mode):
            self.folder(Path(real), shown, errors)
        elif stat.S_ISREG(info.st_mode):
            self.file(real, info.st_size, shown)
        else:
            raise ReportError(
                "not a regular file (a FIFO, a socket or a device)", Location(shown), "remove it"
            )

    def folder(self, real: Path, shown: Path, errors) -> None:
        if str(real) in self.open:
            raise ReportError("a link to a folder that holds it (a loop)", Location(shown),
                              "remove the link")  # fmt: skip
        self.open.add(str(real))
        (self.into / shown).mkdir(parents=True, exist_ok=True)
        try:
            for name in sorted(os.listdir(real)):
                with errors.each():
                    self.entry(real / name, shown / name, errors)
        finally:
            self.open.discard(str(real))

    def file(self, real: str, size: int, shown: Path) -> None:
        limit = MAX_CONTENT_BYTES if shown.parts[0] == "content" else MAX_INPUT_BYTES
        if size > limit:
            raise ReportError(
                f"{_kind(shown)} is {size:,} bytes, more than the {limit:,} allowed",
                Location(shown),
                "split it, or keep it out of content/, data/ and templates/",
            )
        if len(self.digests) >= MAX_INPUT_FILES or self.total + size > MAX_INPUTS_BYTES:
            raise ReportError(
                f"more than {MAX_INPUT_FILES:,} files or {MAX_INPUTS_BYTES:,} bytes in the "
                "project's content/, data/ and templates/",
                Location(shown),
                "keep only what the report is built from there",
            )
        h = hashlib.sha256()
        read = 0
        with open(real, "rb") as source, open(self.into / shown, "wb") as target:
            while chunk := source.read(_CHUNK):
                read += len(chunk)
                if read > limit:  # it grew since it was measured: stop at the limit
                    raise ReportError("changed while it was read", Location(shown), "try again")
                h.update(chunk)
                target.write(chunk)
            stamp = os.fstat(source.fileno())
        # the copy keeps the file's time: a warm process (watch) sees an unchanged template as
        # unchanged and keeps it compiled
        os.utime(self.into / shown, ns=(stamp.st_atime_ns, stamp.st_mtime_ns))
        self.total += read
        self.digests[shown.as_posix()] = h.hexdigest()


def _kind(shown: Path) -> str:
    """What a file of an input folder is called in messages."""
    return {"content": "content file", "data": "data file"}.get(shown.parts[0], "template file")
