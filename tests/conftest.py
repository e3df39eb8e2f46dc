"""Shared fixtures: the flagship project, a built copy of it, and small throwaway projects."""

from __future__ import annotations

import shutil
import textwrap
from pathlib import Path

import pytest

from reporter.pipeline import build
from reporter.project import Project

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"


@pytest.fixture(scope="session")
def flagship() -> Project:
    return Project.at(ROOT)


@pytest.fixture(scope="session")
def built(tmp_path_factory, flagship):
    """The flagship built once (HTML and PDF) into a temporary folder."""
    out = tmp_path_factory.mktemp("out")
    return build(flagship, out=out, progress=lambda _: None)


def copy_example(name: str, target: Path) -> Path:
    """A private copy of examples/NAME (its templates link re-pointed), so that building it
    writes nothing into the checkout."""
    shutil.copytree(ROOT / "examples" / name, target, symlinks=True,
                    ignore=shutil.ignore_patterns("out", ".reporter-cache"))  # fmt: skip
    (target / "templates").unlink()
    (target / "templates").symlink_to(ROOT / "templates")
    return target


@pytest.fixture
def copy_flagship(tmp_path) -> Path:
    """A private copy of the flagship project, to edit in a test."""
    target = tmp_path / "project"
    for name in ("content", "data", "templates"):
        shutil.copytree(ROOT / name, target / name)
    return target


MINIMAL = {
    "content/document.yaml": """
        symbol: X/1/2
        title: A small report
        date: 2020-01-31
        parts: [main.yaml]
    """,
    "content/main.yaml": """
        kind: section
        label: only
        title: The only section
        blocks:
          - p: First paragraph.[^note]
          - label: second
            p: Second paragraph, see [@first-table].
          - table: first-table
    """,
    "content/footnotes.yaml": """
        note: A note.
    """,
    "content/tables/first-table.yaml": """
        title: Values
        data: values
        stub: Name
        rows:
          - {id: a, label: A, where: {name: a}}
          - {id: total, label: Total, style: grand-total}
        columns:
          - {id: v, heading: Value, sum: value}
    """,
    "data/values.csv": """
        name,value
        a,1.5
        b,2.25
    """,
}


@pytest.fixture
def make_project(tmp_path):
    """make_project({path: text}) -> a project folder: MINIMAL with those files replaced."""

    def make(files: dict[str, str] | None = None, base: dict[str, str] | None = None) -> Path:
        root = tmp_path / "proj"
        shutil.copytree(ROOT / "templates", root / "templates", dirs_exist_ok=True)
        for name, text in {**(MINIMAL if base is None else base), **(files or {})}.items():
            path = root / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
        return root

    return make
