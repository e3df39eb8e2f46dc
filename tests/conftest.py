"""Shared fixtures: the flagship project, a built copy of it, small throwaway projects, and
the fixture projects of tests/roots/ (copied into a temporary folder for each test).

No test writes into the checkout: every project a test builds is a copy, and a run that leaves
new or rewritten files in the checkout fails at the end (`pytest_sessionfinish`)."""

from __future__ import annotations

import itertools
import os
import shutil
import subprocess
import tempfile
import textwrap
from pathlib import Path

import pytest

from reporter.pipeline import build
from reporter.project import Project
from reporter.scaffold import THEME

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"
ROOTS = Path(__file__).resolve().parent / "roots"
FLAGSHIP_FOLDERS = ("content", "data", "templates")


@pytest.fixture(scope="session", autouse=True)
def cache_base(tmp_path_factory) -> Path:
    """Every build of the run (and its subprocesses) caches into this folder, never into the
    user's cache folder: REPORTER_CACHE_DIR (reporter/cache.py)."""
    base = tmp_path_factory.mktemp("reporter-cache")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("REPORTER_CACHE_DIR", str(base))
        yield base


@pytest.fixture(scope="session")
def flagship(tmp_path_factory) -> Project:
    """The flagship project, as a private copy shared by the session: building it writes its
    outputs into the copy, never into the checkout."""
    target = tmp_path_factory.mktemp("flagship")
    for name in FLAGSHIP_FOLDERS:
        shutil.copytree(ROOT / name, target / name)
    return Project.at(target)


@pytest.fixture(scope="session")
def built(tmp_path_factory, flagship):
    """The flagship built once (HTML and PDF) into a temporary folder."""
    out = tmp_path_factory.mktemp("out")
    return build(flagship, out=out, progress=lambda _: None)


def copy_example(name: str, target: Path) -> Path:
    """A private copy of examples/NAME (built with reporter's default theme, as it has no
    templates/), so that building it writes nothing into the checkout."""
    shutil.copytree(ROOT / "examples" / name, target,
                    ignore=shutil.ignore_patterns("out", ".reporter-cache"))  # fmt: skip
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


# MINIMAL with figures bound in its paragraph: to a table cell, to a quantity, to a share in
# per cent, and one declared from a footnote.
CHECKED = {
    "content/main.yaml": """
        kind: section
        label: only
        title: The only section
        blocks:
          - p: >-
              The total was [3.8]{=first-table.total.v}, of which a was [about 1.5]{=a_value}
              and b [more than half]{=b_share}; the sky holds [9 stars]{src=note}.[^note]
          - table: first-table
    """,
    "content/quantities.yaml": """
        a_value:
          formula: first-table.a.v
        b_share:
          formula: 100 * (first-table.total.v - first-table.a.v) / first-table.total.v
          unit: percent
    """,
}


@pytest.fixture
def checked(make_project) -> Path:
    """MINIMAL with CHECKED written over it: a project whose check passes, to edit in a test."""
    return make_project(CHECKED)


# --- fixture projects: tests/roots/NAME --------------------------------------------------------


def write_files(root: Path, files: dict[str, str | bytes | None]) -> None:
    """Write {path: text} into a project (text dedented; bytes as they are; None removes)."""
    for name, body in files.items():
        path = root / name
        if body is None:
            path.unlink()
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(body, bytes):
            path.write_bytes(body)
        else:
            path.write_text(textwrap.dedent(body).lstrip("\n"), encoding="utf-8")


def copy_root(
    name: str, target: Path, files: dict[str, str | bytes | None] | None = None,
    own_templates: bool = False,
) -> Project:  # fmt: skip
    """A private copy of tests/roots/NAME at `target`, with `files` written over it. A root
    without templates/ is built with reporter's default theme, or with `own_templates` with a
    copy of it that the test may edit."""
    shutil.copytree(ROOTS / name, target)
    templates = target / "templates"
    if own_templates and not templates.exists():
        shutil.copytree(THEME, templates)
    write_files(target, files or {})
    return Project.at(target)


@pytest.fixture
def make_root(tmp_path):
    """make_root(NAME, files={path: text}, own_templates=False) -> a Project: a copy of
    tests/roots/NAME in tmp_path (a new folder on each call), with those files written over it."""
    count = itertools.count(1)

    def make(
        name: str, files: dict[str, str | bytes | None] | None = None, own_templates: bool = False
    ) -> Project:
        number = next(count)
        target = tmp_path / (name if number == 1 else f"{name}-{number}")
        return copy_root(name, target, files, own_templates)

    return make


# --- nothing written into the checkout ---------------------------------------------------------

# Folders of the checkout that a test run may touch: git's, the virtual environment, and
# Python's and pytest's own caches (bytecode, --lf); ruff's is written by the linter, not tests.
UNWATCHED = {".git", ".venv", "__pycache__", ".pytest_cache", ".ruff_cache"}
# Tracked files that tests read as projects or fixtures: rewriting one is a write too.
WATCHED_INPUTS = (*FLAGSHIP_FOLDERS, "examples", "tests/roots", "tests/fixtures")
_SNAPSHOT = pytest.StashKey[dict]()


def checkout_files() -> dict[str, tuple[str, int]] | None:
    """path -> (what git says of it, mtime in ns) for every file of the checkout git ignores
    ("!!"), does not track ("??"), and for the tracked project inputs (""; -1: removed); None
    when git cannot tell (not a checkout)."""

    def git(*args: str) -> list[str]:
        command = ["git", args[0], "-z", *args[1:]]
        result = subprocess.run(command, cwd=ROOT, capture_output=True, check=True)
        return [os.fsdecode(e) for e in result.stdout.split(b"\0") if e]

    try:
        status = git("status", "--porcelain", "--ignored", "--untracked-files=normal")
        tracked = git("ls-files", "--", *WATCHED_INPUTS)
    except (OSError, subprocess.CalledProcessError):
        return None
    entries = [(e[:2], ROOT / e[3:]) for e in status if e[:3] in ("?? ", "!! ")]
    entries += [("", ROOT / p) for p in tracked]
    found: dict[str, tuple[str, int]] = {}
    for kind, path in entries:
        if UNWATCHED & set(path.relative_to(ROOT).parts):
            continue
        if not os.path.lexists(path):
            found[path.relative_to(ROOT).as_posix()] = (kind, -1)
            continue
        for file in path.rglob("*") if path.is_dir() and not path.is_symlink() else [path]:
            name = file.relative_to(ROOT)
            if not UNWATCHED & set(name.parts) and (file.is_symlink() or file.is_file()):
                found[name.as_posix()] = (kind, file.lstat().st_mtime_ns)
    return found


def written_during(before: dict, after: dict) -> list[str]:
    """Files a run wrote: ignored ones new or rewritten (outputs, caches), tracked project
    inputs rewritten or removed, and untracked files that are new (an untracked file that
    was there before is somebody's work in progress, which they may save while tests run)."""
    return sorted(
        path
        for path, (kind, mtime) in after.items()
        if (path not in before if kind == "??" else before.get(path) != (kind, mtime))
    )


def pytest_configure(config):
    # Hypothesis keeps its example database and caches in ./.hypothesis by default
    from hypothesis.configuration import set_hypothesis_home_dir

    set_hypothesis_home_dir(Path(tempfile.gettempdir()) / f"reporter-tests-{os.getuid()}")


def pytest_sessionstart(session):
    session.stash[_SNAPSHOT] = checkout_files()


def pytest_sessionfinish(session, exitstatus):
    before = session.stash.get(_SNAPSHOT, None)
    after = checkout_files() if before is not None else None
    if after is None:
        return
    written = written_during(before, after)
    if written:
        shown = "\n  ".join(written[:20]) + ("\n  …" if len(written) > 20 else "")
        session.config.get_terminal_writer().line(
            f"\nThe test run wrote into the checkout ({len(written)} file(s)); tests must write "
            f"into tmp_path only:\n  {shown}",
            red=True,
        )
        session.exitstatus = pytest.ExitCode.TESTS_FAILED
