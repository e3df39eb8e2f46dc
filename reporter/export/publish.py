"""Publish a build's outputs as one unit: out/ is the last good build or the new one, never a mix.

Every output (HTML, PDF, assets, manifest) is first written into a staging folder next to
out/ (`.out.staging-PID`), flushed to disk, and then switched in with one atomic rename:
Linux's renameat2(RENAME_EXCHANGE) swaps the two folders, so a reader, or a crash, sees either
the whole old folder or the whole new one. The old folder, now under the staging name, is then
deleted. Where the exchange is not available (not Linux, or a file system without it), out/ is
moved aside and the staging folder renamed into place: two renames, with a moment in between
when out/ does not exist (the old set is then `.out.old-PID`, and the next build removes it).

out/ belongs to reporter: a folder that holds files and no manifest.json of a build is
refused rather than replaced. Staging and old folders of builds that died (their process is
gone) are removed by the next build.
"""

from __future__ import annotations

import ctypes
import errno
import os
import re
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from reporter import files
from reporter.errors import Location, ReportError

MANIFEST = "manifest.json"


def publish(out: Path, files: dict[str, bytes], assets: Path | None = None) -> None:
    """Replace out/ by a folder holding `files` (name -> bytes) and a copy of `assets`."""
    with staged(out) as staging:
        if assets is not None and assets.is_dir():
            copy_folder(assets, staging / "assets")
        for name, data in files.items():
            write_file(staging / name, data)


def copy_folder(source: Path, target: Path) -> None:
    """`source`'s files (a build's snapshot: regular files only) written as write_file does,
    so that a full disk is one OSError with its errno, not shutil's list of them."""
    for path in sorted(source.rglob("*")):
        if path.is_file() and not path.is_symlink():
            (target / path.relative_to(source)).parent.mkdir(parents=True, exist_ok=True)
            write_file(target / path.relative_to(source), path.read_bytes())


@contextmanager
def staged(out: Path) -> Iterator[Path]:
    """A staging folder next to out/ for the block to fill; switched in as out/ when the
    block ends without an error, removed in every case."""
    out = out.absolute()
    _check_owned(out)
    remove_orphans(out)
    staging = _sibling(out, "staging")
    try:
        try:
            staging.mkdir(parents=True)
            yield staging
            _sync(staging)
        except OSError as exc:
            raise fs_error(exc, out) from None
        _switch(staging, out)
    finally:
        shutil.rmtree(staging, ignore_errors=True)  # the new folder if not switched, else the old


def remove_orphans(out: Path) -> None:
    """Staging and old folders of builds whose process has died."""
    for kind in ("staging", "old"):
        files.remove_orphans(out.parent.glob(f".{out.name}.{kind}-*"), kind)


HINTS = {
    errno.ENOSPC: "the disk is full: free some space",
    errno.EDQUOT: "the disk quota is used up: free some space",
    errno.EROFS: "the file system is read-only: give --out a writable folder",
    errno.EACCES: "no permission: give --out a folder you can write to",
    errno.EPERM: "no permission: give --out a folder you can write to",
    errno.ENOTDIR: "a file stands where a folder is needed: remove it or give --out",
    errno.EEXIST: "a file stands where a folder is needed: remove it or give --out",
    errno.EISDIR: "a folder stands where a file is written: remove it",
}


def fs_error(exc: OSError, path: Path, doing: str = "cannot write") -> ReportError:
    """A file-system error as one line: the path, what happened, what to do."""
    if isinstance(exc, shutil.Error) and exc.args and isinstance(exc.args[0], list):
        # shutil's copytree gathers (source, target, why) for each file: the first says it
        _, target, why = exc.args[0][0]
        number = re.match(r"\[Errno (\d+)\] ([^:]*)", str(why))
        what = number.group(2) if number else str(why)
        code = int(number.group(1)) if number else None
        return ReportError(f"{doing}: {what}", Location(Path(target)), HINTS.get(code, ""))
    where = Path(exc.filename) if exc.filename else path
    return ReportError(f"{doing}: {exc.strerror or exc}", Location(where), HINTS.get(exc.errno, ""))


def _check_owned(out: Path) -> None:
    if out.is_symlink() or (out.exists() and not out.is_dir()):
        raise ReportError(
            "the output folder is a file or a link",
            Location(out),
            "remove it, or give --out another folder",
        )
    if out.is_dir() and not (out / MANIFEST).is_file() and any(out.iterdir()):
        raise ReportError(
            "the output folder holds files reporter did not write, and a build replaces it whole",
            Location(out),
            "give --out a new or empty folder",
        )


def _sibling(out: Path, kind: str) -> Path:
    return out.with_name(f".{out.name}.{kind}-{os.getpid()}")


def write_file(path: Path, data: bytes) -> None:
    """A file written and flushed to disk (its folder is flushed when switched in)."""
    with open(path, "wb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())


def _sync(folder: Path) -> None:
    """Flush the folder's entries, so that the switch never points at unwritten files."""
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _switch(staging: Path, out: Path) -> None:
    try:
        if not out.exists():
            os.rename(staging, out)
        elif not _exchange(staging, out):
            old = _sibling(out, "old")
            os.rename(out, old)
            os.rename(staging, out)
            shutil.rmtree(old, ignore_errors=True)
    except OSError as exc:
        raise fs_error(exc, out) from None


def _exchange(a: Path, b: Path) -> bool:
    """Swap two paths atomically (Linux renameat2 RENAME_EXCHANGE); False if unsupported."""
    renameat2 = getattr(ctypes.CDLL(None, use_errno=True), "renameat2", None)
    if renameat2 is None:
        return False
    at_fdcwd, rename_exchange = -100, 2
    if renameat2(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b), rename_exchange) == 0:
        return True
    code = ctypes.get_errno()
    if code in (errno.EINVAL, errno.ENOSYS, errno.EOPNOTSUPP):
        return False
    raise OSError(code, os.strerror(code), str(b))
