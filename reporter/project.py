"""Find a report project, name its folders and outputs, and take the snapshot of its inputs
that a build reads."""

from __future__ import annotations

import os
import re
import shutil
import tempfile
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path

from reporter.errors import Location, ReportError, UsageError
from reporter.files import copy_inputs, remove_orphans

INPUT_FOLDERS = ("content", "data", "templates")  # what a build reads, besides reporter
# reporter's default theme: the templates of a project that has no templates/ of its own
THEME = Path(__file__).parent / "theme"


@dataclass(frozen=True)
class Project:
    root: Path  # where the inputs are read: the project folder, or a snapshot of it
    # an edition's values, {{name}} in content/ (editions.py); none for a one-document project
    params: tuple[tuple[str, str], ...] = ()
    # for a snapshot (snapshot()): the project folder it was taken of, and each input's sha256
    home: Path | None = None
    digests: dict[str, str] = field(default_factory=dict, compare=False, hash=False)

    @classmethod
    def at(cls, path: Path) -> Project:
        root = path.resolve()
        if not (root / "content" / "document.yaml").is_file():
            raise UsageError(
                "not a report project: no content/document.yaml",
                Location(root),
                "run in the project folder, give its path, or create one with 'reporter new DIR'",
            )
        return cls(root)

    @property
    def templates(self) -> Path:
        """templates/, or reporter's default theme for a project without one."""
        own = self.root / "templates"
        return own if os.path.lexists(own) else THEME

    @property
    def assets(self) -> Path:
        return self.templates / "assets"

    def data_dir(self) -> Path:
        return self.root / "data"

    def out(self) -> Path:
        return (self.home or self.root) / "out"

    def read_from(self, path: Path) -> Path:
        """Where the build reads `path` (`--data DIR`): in the snapshot when it is a folder of
        the project, where it is otherwise."""
        path = path.resolve()
        if self.home is None or not path.is_relative_to(self.home):
            return path
        inside = path.relative_to(self.home)
        return self.root / inside if inside.parts[:1] in [(f,) for f in INPUT_FOLDERS] else path


@contextmanager
def snapshot(project: Project, near: Path | None = None) -> Iterator[Project]:
    """The project as its inputs are now: content/, data/ and templates/ (or reporter's
    default theme) copied once into a private folder next to `near` (the outputs' folder),
    which the block builds from, hashes and attaches, so that a file edited during a build
    changes nothing of it. Links leading out of the project, special files and oversized
    files are refused before they are opened (files.copy_inputs). Errors name the files as
    in the project. A project that is a snapshot already is used as it is."""
    if project.home is not None:
        yield project
        return
    folder = _private_folder(near or project.out())
    try:
        digests = copy_inputs(project.root, INPUT_FOLDERS, folder, {"templates": THEME})
        yield replace(project, root=folder, home=project.root, digests=digests)
    except ReportError as exc:
        raise _relocated(exc, folder) from None
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _private_folder(near: Path) -> Path:
    """`.OUT.inputs-PID-THREAD` next to the outputs (where a cluster's workers see it too), or
    in the system's temporary folder when that cannot be written. Its name is the same for
    every build of a thread, so that a warm process keeps its compiled templates."""
    near = near.absolute()
    tail = f"inputs-{os.getpid()}-{threading.get_native_id()}"
    for base, name in ((near.parent, f".{near.name}.{tail}"),
                       (Path(tempfile.gettempdir()), f"reporter-{tail}")):  # fmt: skip
        remove_orphans([*base.glob(".*.inputs-*"), *base.glob("reporter-inputs-*")], "inputs")
        folder = base / name
        shutil.rmtree(folder, ignore_errors=True)
        try:
            folder.mkdir(mode=0o700, parents=True)
            return folder
        except OSError:
            continue
    raise ReportError("cannot make a folder for the build", Location(near),
                      "give --out a folder you can write to")  # fmt: skip


def _relocated(exc: ReportError, folder: Path) -> ReportError:
    """Errors met in a snapshot, naming the files as in the project (content/…, data/…)."""
    for error in (exc, *exc.others):
        if error.where and error.where.path.is_relative_to(folder):
            path = error.where.path.relative_to(folder)
            error.where = Location(path, error.where.line, error.where.column)
        error.message = error.message.replace(f"{folder}{os.sep}", "")
        error.hint = error.hint.replace(f"{folder}{os.sep}", "")
    return exc


def output_stem(symbol: str) -> str:
    """File name for a document symbol: A/67/254 -> A-67-254."""
    return re.sub(r"[^A-Za-z0-9.]+", "-", symbol).strip("-") or "report"
