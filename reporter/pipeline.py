"""The build, stage by stage: load -> number -> compute -> render -> export -> write.

Everything is produced in memory first; files are written only when every stage has
succeeded, each one atomically, so a failed build leaves the last good outputs untouched.
"""

from __future__ import annotations

import calendar
import os
import shutil
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from reporter.content.load import load_document
from reporter.content.model import Document
from reporter.content.numbering import number_document
from reporter.project import Project, output_stem

Progress = Callable[[str], None]


@dataclass
class BuildResult:
    html: Path
    pdf: Path | None
    pages: int = 0
    timings: dict[str, float] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)


def load(project: Project) -> Document:
    return number_document(load_document(project.root))


def compute_tables(doc: Document, project: Project, data_dir: Path | None = None) -> dict:
    from reporter.compute.tables import compute_table, load_frame

    frames: dict[str, object] = {}
    tables = {}
    for block in doc.blocks():
        if getattr(block, "id", None) in doc.tables and block.id not in tables:
            spec = doc.tables[block.id]
            if spec.data not in frames:
                frames[spec.data] = load_frame(project.root, spec.data, data_dir)
            table = compute_table(spec, frames[spec.data])
            table.number = block.number
            tables[block.id] = table
    return tables


def build(
    project: Project, out: Path | None = None, pdf: bool = True, progress: Progress = print
) -> BuildResult:
    out = out or project.out()
    timings: dict[str, float] = {}

    def stage(name: str, fn, *args):
        started = time.perf_counter()
        progress(f"{name} …")
        value = fn(*args)
        timings[name] = time.perf_counter() - started
        return value

    from reporter.render.html import render_html

    doc = stage("Reading content", load, project)
    tables = stage("Computing tables", compute_tables, doc, project)
    html = stage("Rendering HTML", render_html, doc, tables, project.templates)
    stem = output_stem(doc.meta["symbol"])
    pdf_bytes, pages = None, 0
    if pdf:
        from reporter.export.pdf import render_pdf

        epoch = calendar.timegm(doc.meta["date"].timetuple())
        pdf_bytes, pages = stage(
            "Writing PDF",
            render_pdf,
            html,
            project.templates,
            [project.assets, out],
            doc.meta["symbol"],
            epoch,
        )
    out.mkdir(parents=True, exist_ok=True)
    sync_assets(project.assets, out / "assets")
    html_path = write_atomic(out / f"{stem}.html", html.encode("utf-8"))
    pdf_path = write_atomic(out / f"{stem}.pdf", pdf_bytes) if pdf_bytes is not None else None
    return BuildResult(html_path, pdf_path, pages=pages, timings=timings, warnings=doc.warnings)


def write_atomic(path: Path, data: bytes) -> Path:
    """Write through a temporary file in the same folder, then rename over the target."""
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


def sync_assets(source: Path, target: Path) -> None:
    """Copy the template assets next to the HTML (for browsers), only what changed."""
    for path in sorted(source.rglob("*")):
        if path.is_file():
            dest = target / path.relative_to(source)
            if not dest.exists() or dest.read_bytes() != path.read_bytes():
                dest.parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(path, dest)
