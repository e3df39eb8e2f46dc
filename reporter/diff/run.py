"""`reporter diff`: two PDFs, or the project at a git revision against the working tree."""

from __future__ import annotations

import filecmp
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

from reporter.diff.compare import Change, compare
from reporter.diff.pages import PageChange, PageImages, compare_pages
from reporter.diff.read import Side, read_models
from reporter.diff.report import as_text, write_review
from reporter.errors import Location, UsageError


@dataclass
class DiffResult:
    changes: list[Change]
    pages: list[PageChange]
    counts: tuple[int, int]
    exact: bool
    identical: bool = False

    @property
    def differ(self) -> bool:
        return bool(self.changes or self.pages)

    def text(self) -> str:
        if self.identical:
            return "identical: the two PDFs are the same bytes\n"
        return as_text(self.changes, self.pages, self.counts, self.exact)


def diff_pdfs(old: Path, new: Path, review: Path | None = None) -> DiffResult:
    """Both PDFs read as untrusted input (diff/read.py): their models and manifests alone of
    their attachments, their pages within bounds, drawn one at a time."""
    for path in (old, new):
        if not path.is_file():
            raise UsageError(f"no such file: {path}", Location(path))
    try:
        same = filecmp.cmp(old, new, shallow=False)  # read in blocks, not whole
    except OSError as exc:
        raise UsageError(f"cannot read {exc.filename}: {exc.strerror}", Location(old)) from None
    if same:
        result = DiffResult([], [], (0, 0), True, identical=True)
        if review is not None:
            write_review(review, [], [], [], [], (str(old), str(new)))
        return result
    with Side(old) as old_side, Side(new) as new_side:
        old_model, new_model, exact = read_models(old_side, new_side)
        old_images, new_images = PageImages(old_side.document), PageImages(new_side.document)
        result = DiffResult(
            compare(old_model, new_model),
            compare_pages(old_images, new_images),
            (len(old_images), len(new_images)),
            exact,
        )
        if review is not None:
            write_review(
                review, result.changes, result.pages, old_images, new_images, (str(old), str(new))
            )
    return result


def diff_revision(root: Path, revision: str, review: Path | None = None) -> DiffResult:
    """Build the project as it was at `revision` (a temporary git worktree) and as it is now,
    and compare the two PDFs."""
    from reporter.pipeline import build
    from reporter.project import Project

    top = _git(root, "rev-parse", "--show-toplevel").strip()
    _git(root, "rev-parse", "--verify", "--quiet", f"{revision}^{{commit}}")
    inside = root.resolve().relative_to(Path(top).resolve())
    with tempfile.TemporaryDirectory(prefix="reporter-diff-") as tmp:
        tree = Path(tmp) / "tree"
        _git(root, "worktree", "add", "--detach", "--quiet", str(tree), revision)
        try:
            quiet = lambda _: None  # noqa: E731
            # drafts on both sides: an old revision whose figures fail the check still diffs
            old = build(
                Project.at(tree / inside), out=Path(tmp) / "old", draft=True, progress=quiet
            ).pdf
            new = build(Project.at(root), out=Path(tmp) / "new", draft=True, progress=quiet).pdf
            return diff_pdfs(old, new, review)
        finally:
            _git(root, "worktree", "remove", "--force", str(tree))


def _git(root: Path, *args: str) -> str:
    try:
        done = subprocess.run(["git", *args], cwd=root, capture_output=True, text=True, check=False)
    except FileNotFoundError:
        raise UsageError("git is not installed", Location(root)) from None
    if done.returncode != 0:
        message = (
            done.stderr.strip().splitlines()[-1] if done.stderr.strip() else f"git {args[0]} failed"
        )
        raise UsageError(f"git: {message}", Location(root), "give a revision of this repository")
    return done.stdout


def is_pdf_path(text: str) -> bool:
    return text.lower().endswith(".pdf") or Path(text).is_file()
