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
from reporter.errors import ReportError
from reporter.project import Project, output_stem

Progress = Callable[[str], None]


@dataclass
class BuildResult:
    html: Path
    pdf: Path | None
    pages: int = 0
    timings: dict[str, float] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    check: object = None  # the CheckReport


def load(project: Project) -> Document:
    return number_document(load_document(project.root))


class Frames:
    """Data files read once per build, on first use."""

    def __init__(self, project: Project, data_dir: Path | None = None) -> None:
        self.project, self.data_dir, self.cache = project, data_dir, {}

    def __call__(self, name: str):
        if name not in self.cache:
            from reporter.compute.tables import load_frame

            self.cache[name] = load_frame(self.project.root, name, self.data_dir)
        return self.cache[name]


def compute_tables(doc: Document, project: Project, frames: Frames | None = None) -> dict:
    from reporter.compute.tables import compute_table

    frames = frames or Frames(project)
    tables = {}
    for block in doc.blocks():
        if getattr(block, "id", None) in doc.tables and block.id not in tables:
            table = compute_table(doc.tables[block.id], frames(doc.tables[block.id].data))
            table.number = block.number
            tables[block.id] = table
    return tables


def compute_charts(doc: Document, tables: dict, project: Project) -> dict:
    """Figures drawn from the computed tables (matplotlib is imported only if there are any)."""
    from reporter.content.model import FigureBlock

    if not doc.charts:
        return {}
    from reporter.compute.charts import build_charts

    charts = build_charts(doc.charts, tables, project.assets / "fonts")
    for block in doc.blocks():
        if isinstance(block, FigureBlock):
            charts[block.id].number = block.number
    return charts


def check(doc: Document, tables: dict, project: Project, frames: Frames | None = None):
    """Every figure in the prose against the data, and the printed tables against themselves."""
    from reporter.check.run import Finding, check_document
    from reporter.check.tables import table_notes
    from reporter.check.unbound import unbound_numbers
    from reporter.compute.quantities import Quantities, read_quantities

    quantities = Quantities(read_quantities(project.root), tables, frames or Frames(project))
    report = check_document(doc, quantities, project.root)
    for table in tables.values():
        notes, failures = table_notes(table)
        report.notes += notes
        where = table.spec.loc
        report.findings += [
            Finding(
                "fail",
                f"Table {table.number}",
                where,
                f"table {table.number}",
                message=f,
                is_figure=False,
            )
            for f in failures
        ]
    report.unbound = unbound_numbers(doc)
    return report


DRAFT_STAMP = "DRAFT \u2014 figures not verified"


def build(
    project: Project,
    out: Path | None = None,
    pdf: bool = True,
    draft: bool = False,
    progress: Progress = print,
) -> BuildResult:
    """Build HTML and PDF. A figure failing the check stops the build unless `draft`, which
    stamps every page instead."""
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
    frames = Frames(project)
    tables = stage("Computing tables", compute_tables, doc, project, frames)
    report = stage("Checking figures", check, doc, tables, project, frames)
    if report.failed and not draft:
        first = report.failed[0]
        raise ReportError(
            f"{len(report.failed)} figure(s) fail the check, first: {first.place} “{first.text}”",
            first.where,
            "run 'reporter check' for all of them, or build with --draft",
        )
    charts = stage("Drawing charts", compute_charts, doc, tables, project)
    stamp = DRAFT_STAMP if draft else ""
    html = stage("Rendering HTML", render_html, doc, tables, project.templates, stamp, charts)
    stem = output_stem(doc.meta["symbol"])
    pdf_bytes, pages = None, 0
    if pdf:
        from reporter.export.pdf import render_pdf

        epoch = calendar.timegm(doc.meta["date"].timetuple())
        from reporter.export.model import ATTACHMENT_NAME, document_model, model_json

        model = {ATTACHMENT_NAME: model_json(document_model(doc, tables, charts))}
        pdf_bytes, pages = stage(
            "Writing PDF",
            render_pdf,
            html,
            project.templates,
            [project.assets, out],
            doc.meta["symbol"],
            epoch,
            model,
        )
    from reporter.export.manifest import manifest

    html_bytes = html.encode("utf-8")
    outputs = {f"{stem}.html": html_bytes} | ({f"{stem}.pdf": pdf_bytes} if pdf_bytes else {})
    out.mkdir(parents=True, exist_ok=True)
    sync_assets(project.assets, out / "assets")
    html_path = write_atomic(out / f"{stem}.html", html_bytes)
    pdf_path = write_atomic(out / f"{stem}.pdf", pdf_bytes) if pdf_bytes is not None else None
    write_atomic(out / "manifest.json", manifest(project.root, outputs, project.assets / "fonts"))
    return BuildResult(
        html_path, pdf_path, pages=pages, timings=timings, warnings=doc.warnings, check=report
    )


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
