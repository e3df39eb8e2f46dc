"""Which files changed, by polling: every ~0.3 s the project's inputs are listed with their
modification time, size and inode, and compared with the previous listing.

Polling keeps this stdlib-only and the same on every platform and file system (network and
container mounts included); a project has a few hundred files, so one poll costs about a
millisecond. Editor droppings (hidden files such as `.main.yaml.swp`, backups ending in `~`)
are ignored.
"""

from __future__ import annotations

import os
from pathlib import Path

WATCHED = ("content", "data", "templates")

Snapshot = dict[str, tuple[int, int, int]]


def ignored(name: str) -> bool:
    """Hidden files and folders (editor swap and lock files), backups (`file~`), vim's `4913`
    write probe."""
    return name.startswith(".") or name.endswith("~") or name == "4913"


def snapshot(root: Path, folders: tuple[str, ...] = WATCHED) -> Snapshot:
    """{path relative to root: (mtime_ns, size, inode)} for every watched file."""
    files: Snapshot = {}
    for folder in folders:
        for dirpath, dirnames, filenames in os.walk(root / folder):
            dirnames[:] = [name for name in dirnames if not ignored(name)]
            for name in filenames:
                if ignored(name):
                    continue
                path = Path(dirpath, name)
                try:
                    info = path.stat()
                except OSError:  # removed between the listing and the stat
                    continue
                key = path.relative_to(root).as_posix()
                files[key] = (info.st_mtime_ns, info.st_size, info.st_ino)
    return files


def changed(before: Snapshot, after: Snapshot) -> list[str]:
    """Files added, removed or modified between two snapshots, sorted."""
    return sorted(
        name for name in before.keys() | after.keys() if before.get(name) != after.get(name)
    )


class Debounce:
    """When to build after changes: once the files have been quiet for `quiet` seconds, so that
    a burst of writes (an editor saving several files, a `git checkout`) gives one build, but
    at the latest `longest` seconds after the burst began, so a steady stream of writes still
    gets built."""

    def __init__(self, quiet: float = 0.2, longest: float = 2.0) -> None:
        self.quiet, self.longest = quiet, longest
        self.first: float | None = None
        self.last: float | None = None

    @property
    def pending(self) -> bool:
        return self.first is not None

    def change(self, now: float) -> None:
        if self.first is None:
            self.first = now
        self.last = now

    def due(self, now: float) -> bool:
        """True (once) when the pending changes should be built now."""
        if self.first is None or self.last is None:
            return False
        if now - self.last >= self.quiet or now - self.first >= self.longest:
            self.first = self.last = None
            return True
        return False
