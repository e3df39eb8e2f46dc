"""Small file-system helpers shared by the stages: reading a project's file safely, and
telling a live process from a dead one."""

from __future__ import annotations

import os
import stat
from pathlib import Path

from reporter.errors import Location, ReportError


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
