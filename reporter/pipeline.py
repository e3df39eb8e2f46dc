"""The build, stage by stage: load -> number -> compute -> render -> export -> write.

Everything is produced in memory first; out/ is replaced as one unit only when every stage
has succeeded (export/publish.py), so a failed build leaves the last good outputs untouched.
"""

from __future__ import annotations

import calendar
import importlib
import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from reporter.cache import Cache, digest, files_digest
from reporter.check.report import finding_text
from reporter.check.run import Finding, check_document
from reporter.check.tables import table_notes
from reporter.check.unbound import unbound_numbers
from reporter.compute.quantities import Quantities, read_quantities
from reporter.compute.tables import assemble_table, compute_rows, rows_from_json, rows_to_json
from reporter.content.languages import right_to_left
from reporter.content.load import load_document
from reporter.content.model import Document, FigureBlock, TableBlock
from reporter.content.numbering import number_document
from reporter.content.yamlsource import parameters
from reporter.data.datasets import Datasets
from reporter.errors import ReportError
from reporter.interrupts import InterruptGuard
from reporter.project import Project, output_stem, snapshot

Progress = Callable[[str], None]


@dataclass
class BuildResult:
    html: Path
    pdf: Path | None
    pages: int = 0
    timings: dict[str, float] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    check: object = None  # the CheckReport
    cache: Cache | None = None


def load(project: Project) -> Document:
    with parameters(dict(project.params)):
        return number_document(load_document(project.root))


def compute_tables(
    doc: Document, project: Project, datasets: Datasets | None = None, cache: Cache | None = None
) -> dict:
    """Each table's cells, cached by the bytes of its spec and of the data it reads."""

    datasets = datasets or Datasets(project.root)
    cache = cache or Cache(project.root, enabled=False)
    tables, locale = {}, doc.meta.get("language") or "en"
    for block in doc.blocks():
        if isinstance(block, TableBlock) and block.id not in tables:
            spec = doc.tables[block.id]
            at = spec.data_loc or spec.loc
            spec_bytes = (project.root / spec.path).read_bytes()
            key = digest(spec_bytes, repr(project.params), locale, str(doc.meta.get("na")),
                         datasets.key(spec.data, at))  # fmt: skip
            rows = cache.json(
                "table",
                key,
                lambda s=spec, at=at: rows_to_json(compute_rows(s, datasets(s.data, at), locale)),
                decode=rows_from_json,
            )
            table = assemble_table(spec, rows)
            table.number = block.number
            tables[block.id] = table
    return tables


def compute_charts(
    doc: Document, tables: dict, project: Project, cache: Cache | None = None, meanwhile=None
) -> dict:
    """Figures drawn from the computed tables, cached by spec, values and fonts. Charts not
    in the cache are drawn in a worker process while this one runs `meanwhile`."""
    from importlib.metadata import version

    from reporter.compute.charts import Chart, Look, chart_data, draw_in_worker

    cache = cache or Cache(project.root, enabled=False)
    fonts = project.assets / "fonts"
    fonts_key = files_digest(fonts.glob("*.ttf"), project.root)
    mirrored = right_to_left(doc.meta.get("language", "en"))
    found, jobs = {}, {}
    for block in doc.blocks():
        if isinstance(block, FigureBlock) and block.id not in found:
            spec = doc.charts[block.id]
            data = chart_data(spec, tables)
            key = digest(spec.raw_text, repr(project.params), repr(data), fonts_key,
                         version("matplotlib"), str(mirrored))  # fmt: skip
            svg = cache.lookup("chart", key, "svg", verify=is_svg)
            found[block.id] = (block, spec, data, key, svg)
            if found[block.id][-1] is None:
                jobs[block.id] = (Look.of(spec, mirrored), data)
    drawn = draw_in_worker(jobs, fonts, meanwhile)
    charts = {}
    for chart_id, (block, spec, data, key, svg) in found.items():
        if svg is None:
            svg = cache.store("chart", key, drawn[chart_id].encode("utf-8"), "svg")
        charts[chart_id] = Chart(spec, data, svg.decode("utf-8"), block.number)
    return charts


def check(
    doc: Document,
    tables: dict,
    project: Project,
    datasets: Datasets | None = None,
    cache: Cache | None = None,
    strict: bool = False,
):
    """Every figure in the text against the data, and the printed tables against themselves.
    Strict (`--strict`, or `strict: true` in document.yaml): a number left unbound fails."""

    datasets = datasets or Datasets(project.root)
    cache = cache or Cache(project.root, enabled=False)
    quantities = Quantities(read_quantities(project.root), tables, datasets, cache)
    report = check_document(doc, quantities, project.root)
    for table in tables.values():
        notes, failures = table_notes(table, doc.meta.get("language") or "en")
        report.notes += notes
        where = table.spec.loc
        report.findings += [
            Finding(
                "fail",
                f"Table {table.number}",
                where,
                f"table {table.number}",
                message=f,
                kind="table",
            )
            for f in failures
        ]
    report.unbound = unbound_numbers(doc)
    if strict or doc.meta.get("strict") is True:
        report.findings += [
            Finding(
                "fail",
                number,
                where,
                place,
                rule="strict",
                message="neither bound to the data nor declared (the project is strict)",
                kind="unbound",
            )
            for where, place, number in report.unbound
        ]
    return report


def check_project(project: Project, data: Path | None = None, strict: bool = False, doc=None):
    """(document, check report): load, compute the tables, check — what `reporter check`,
    the tests and the build share. `data`: read the data from this folder instead."""
    doc, _, report = check_with_tables(project, data, strict, doc)
    return doc, report


def check_with_tables(project: Project, data: Path | None = None, strict: bool = False, doc=None):
    """(document, tables, check report), as check_project."""
    with parameters(dict(project.params)), snapshot(project) as project:  # quantities.yaml too
        doc = doc or load(project)
        datasets = Datasets(project.root, project.read_from(data) if data else None)
        tables = compute_tables(doc, project, datasets)
        return doc, tables, check(doc, tables, project, datasets, strict=strict)


def draft_stamp(failing: int) -> str:
    """A draft build is stamped only when figures fail: a draft whose figures all hold is
    the document itself, byte for byte."""
    if not failing:
        return ""
    return f"DRAFT \u2014 {failing} figure{'s' * (failing != 1)} fail the check against the data"


def failures_error(failed: list) -> ReportError:
    """One located error per failing figure or table, all reported in one run."""
    errors = [ReportError(finding_text(f), f.where) for f in failed]
    errors[-1].hint = "'reporter check' shows every figure; --draft publishes anyway, stamped"
    first, *rest = errors
    first.others = rest
    return first


def build(
    project: Project,
    out: Path | None = None,
    pdf: bool = True,
    draft: bool = False,
    progress: Progress = print,
    fresh: bool = False,
) -> BuildResult:
    """Build HTML and PDF. A figure failing the check stops the build unless `draft`, which
    stamps every page then. Results are reused from the project's cache unless `fresh`.
    Everything is made in memory, then out/ is replaced as one unit (export/publish.py)."""
    out = out or project.out()
    with (
        InterruptGuard() as guard,
        parameters(dict(project.params)),
        snapshot(project, out) as read,
    ):
        return _build(read, out, pdf, draft, progress, fresh, guard)


def _build(project, out, pdf, draft, progress, fresh, guard: InterruptGuard) -> BuildResult:
    cache = Cache(project.home or project.root, read=not fresh)  # per project folder
    timings: dict[str, float] = {}

    def stage(name: str, fn, *args):
        started = time.perf_counter()
        progress(f"{name} …")
        value = fn(*args)
        guard.check()  # a library may have swallowed the interrupt: it still counts
        timings[name] = time.perf_counter() - started
        return value

    from reporter.render.html import render_html

    doc = stage("Reading content", load, project)
    datasets = Datasets(project.root)
    tables = stage("Computing tables", compute_tables, doc, project, datasets, cache)
    report = stage("Checking figures", check, doc, tables, project, datasets, cache)
    if report.failed and not draft:
        raise failures_error(report.failed)
    # WeasyPrint's import (0.35 s) runs here while a worker draws the charts, if any
    warm = (lambda: importlib.import_module("weasyprint")) if pdf else None
    charts = stage("Drawing charts", compute_charts, doc, tables, project, cache, warm)
    stamp = draft_stamp(len(report.failed)) if draft else ""
    html = stage("Rendering HTML", render_html, doc, tables, project.templates, stamp, charts)
    from reporter.export.manifest import manifest
    from reporter.export.publish import publish

    stem = output_stem(doc.meta["symbol"])
    outputs = {f"{stem}.html": html.encode("utf-8")}
    fonts, params = project.assets / "fonts", dict(project.params)
    described = datasets.describe()
    pdf_bytes, pages = None, 0
    if pdf:
        attached = evidence_of(project, described, tables, report)

        def sealed(made: dict) -> bytes:  # the PDF's own manifest, once its pages are made
            return manifest(project.digests, outputs, fonts, described, params, made)

        pdf_bytes, pages = stage(
            "Writing PDF", export_pdf, doc, tables, charts, html, project, out, cache, guard,
            attached, sealed,
        )  # fmt: skip
        outputs[f"{stem}.pdf"] = pdf_bytes
    record = manifest(project.digests, outputs, fonts, described, params)
    files = outputs | {"manifest.json": record}
    guard.check()
    publish(out, files, project.assets)
    return BuildResult(
        out / f"{stem}.html",
        out / f"{stem}.pdf" if pdf_bytes is not None else None,
        pages=pages,
        timings=timings,
        warnings=doc.warnings + cache.warnings,
        check=report,
        cache=cache,
    )


def evidence_of(project: Project, described: dict, tables: dict, report):
    """What the PDF carries to be re-verified alone (export/evidence.py): the data files the
    datasets were read from (`described`, as in the manifest) and their declarations; the
    manifest is added once the pages are made (export_pdf)."""
    from reporter.check.report import as_json
    from reporter.export.evidence import evidence

    data = [entry["file"] for entry in described.values() if "file" in entry]
    data += [p.relative_to(project.root).as_posix() for p in project.data_dir().glob("*.yaml")]
    check_json = as_json(report, project.root).encode("utf-8")
    return evidence(project.root, data, tables, check_json)


def export_pdf(
    doc, tables, charts, html: str, project: Project, out: Path, cache: Cache, guard=None,
    attached: dict | None = None, sealed=None,
):  # fmt: skip
    """(PDF bytes, page count). The rendered pages (with the embedded model) are cached by
    the HTML, the model, the assets and the renderer's version; the evidence (`attached`) is
    then added to them (export/evidence.py), with the manifest `sealed(made)` writes once
    the pages are known (`made`: each page's record and each attachment's size and sha256,
    what `reporter check FILE.pdf` holds the PDF to). System libraries (Pango, HarfBuzz) are
    not in the key: after upgrading them, build with --fresh."""
    from importlib.metadata import version

    from reporter.export.budget import Budget, check_tables
    from reporter.export.evidence import MANIFEST, Attached, attach
    from reporter.export.model import ATTACHMENT_NAME, document_model, model_json

    check_tables(tables, Budget.from_environment())  # a table too long to lay out: at its spec
    epoch = calendar.timegm(doc.meta["date"].timetuple())
    model = model_json(document_model(doc, tables, charts))
    assets = files_digest([p for p in project.assets.rglob("*") if p.is_file()], project.root)
    key = digest(html, model, assets, version("weasyprint"), str(epoch))

    def render() -> bytes:
        from reporter.export.pdf import render_pdf

        files = {ATTACHMENT_NAME: Attached(model, "Supplement")}
        data, pages = render_pdf(
            html, project.templates, [project.assets, out], doc.meta["symbol"], epoch, files
        )
        if guard is not None:
            guard.check()  # interrupted inside WeasyPrint: the PDF may lack a chart, not cached
        return json.dumps({"pages": pages}).encode() + b"\n" + data

    packed = cache.bytes("pdf", key, render, "pdf", verify=is_whole_pdf)
    header, _, data = packed.partition(b"\n")
    pages = json.loads(header)["pages"]
    if not attached:
        return data, pages
    files = dict(attached)
    if sealed is not None:
        files[MANIFEST] = Attached(sealed(_made(doc, tables, data, key, cache, files, model)),
                                   "Supplement")  # fmt: skip
    return attach(data, files, epoch), pages


def _made(doc, tables, pdf: bytes, key: str, cache: Cache, files: dict, model: bytes) -> dict:
    """The PDF as the build made it, for its manifest: each page's digest and texts (cached
    by the rendered pages and the content's text) and each attachment's size and sha256."""
    from hashlib import sha256

    from reporter.export.model import ATTACHMENT_NAME
    from reporter.export.pagetext import page_records, units

    body, notes = units(doc, tables)
    rtl = right_to_left(doc.meta.get("language", "en"))
    text_key = digest(key, repr(body), repr(notes), str(rtl))
    pages = cache.json("pages", text_key, lambda: page_records(pdf, body, notes, rtl))
    carried = {name: data for name, (data, _) in files.items()} | {ATTACHMENT_NAME: model}
    return {
        "attachments": {
            name: {"sha256": sha256(data).hexdigest(), "size": len(data)}
            for name, data in sorted(carried.items())
        },
        "pages": pages,
    }


def is_whole_pdf(packed: bytes) -> bool:
    """A cached PDF opens and has the pages its layout had (checked before it is cached too)."""
    import pypdfium2 as pdfium

    header, _, data = packed.partition(b"\n")
    try:
        pages = json.loads(header)["pages"]
        document = pdfium.PdfDocument(data)
    except (ValueError, KeyError, TypeError, pdfium.PdfiumError):
        return False
    try:
        return len(document) == pages
    finally:
        document.close()


def is_svg(data: bytes) -> bool:
    """A chart drawn whole: matplotlib's SVG, from its opening to its closing tag."""
    return data.startswith(b"<svg") and data.rstrip().endswith(b"</svg>")
