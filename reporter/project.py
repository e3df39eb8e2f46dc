"""Find a report project and name its folders and outputs."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from reporter.errors import Location, UsageError


@dataclass(frozen=True)
class Project:
    root: Path
    # an edition's values, {{name}} in content/ (editions.py); none for a one-document project
    params: tuple[tuple[str, str], ...] = ()

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
        return self.root / "templates"

    @property
    def assets(self) -> Path:
        return self.templates / "assets"

    def data_dir(self) -> Path:
        return self.root / "data"

    def out(self) -> Path:
        return self.root / "out"


def output_stem(symbol: str) -> str:
    """File name for a document symbol: A/67/254 -> A-67-254."""
    return re.sub(r"[^A-Za-z0-9.]+", "-", symbol).strip("-") or "report"
