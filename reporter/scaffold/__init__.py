"""`reporter new DIR`: a small working report project to start from.

The project's files are in reporter/scaffold/project/ (copied as they are), and its templates
are the default theme (reporter/theme, the flagship's templates), copied so that the new
project owns them.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from reporter.errors import Location, UsageError

HERE = Path(__file__).parent
THEME = HERE.parent / "theme"


def new_project(target: Path) -> list[Path]:
    if target.exists() and any(target.iterdir()):
        raise UsageError("folder is not empty", Location(target), "give a new or empty folder")
    shutil.copytree(HERE / "project", target, dirs_exist_ok=True)
    shutil.copytree(THEME, target / "templates", dirs_exist_ok=True)
    (target / ".gitignore").write_text("/out/\n/.out.*/\n")  # a build's staging and snapshot
    return sorted(p for p in target.rglob("*") if p.is_file())
