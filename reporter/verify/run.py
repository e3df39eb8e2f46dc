"""Re-verify a published PDF from what it carries alone (export/evidence.py): its attached
content and data are unpacked into a private folder, every figure is checked again, each
table is computed again and compared with the attached one, each input with the manifest's
digest, and the text of the pages with the content (verify/text.py)."""

from __future__ import annotations

import hashlib
import json
import tempfile
from pathlib import Path, PurePosixPath

from reporter.check.run import CheckReport, Finding
from reporter.content.languages import right_to_left
from reporter.errors import Location, ReportError
from reporter.export.evidence import MANIFEST, SOURCE_FOLDERS, TABLES, table_csv
from reporter.export.readback import attachments, page_content_texts
from reporter.pipeline import check_with_tables
from reporter.project import Project
from reporter.verify.text import compare, units


def verify_pdf(pdf: Path, strict: bool = False) -> CheckReport:
    """The check of the PDF's figures, recomputed, with a finding (kind "evidence") for each
    thing that differs from what the build attached."""
    files = attachments(pdf)
    manifest = _manifest(files, pdf)
    with tempfile.TemporaryDirectory(prefix="reporter-verify-") as folder:
        root = Path(folder).resolve()
        _unpack(files, root, pdf)
        params = tuple(sorted(manifest.get("parameters", {}).items()))
        try:
            doc, tables, report = check_with_tables(Project(root, params), strict=strict)
        except ReportError as exc:
            raise _inside(exc, root, pdf) from None
        _relative(report, root)
    evidence = _changed_inputs(files, manifest, pdf) + _changed_tables(files, tables, pdf)
    body, notes = units(doc, tables)
    rtl = right_to_left(doc.meta.get("language", "en"))
    pages = page_content_texts(pdf)
    evidence += [_unread(pdf, m) for m in compare(pages, body, notes, rtl)]
    report.findings[:0] = evidence
    return report


def _unread(pdf: Path, mismatch) -> Finding:
    """A place whose text the pages do not print as the content has it."""
    if not mismatch.printed:
        where = f"page {mismatch.page}" if mismatch.page else "any page"
        return _finding(
            pdf, mismatch.place, mismatch.expected, f"not on {where} as the content has it"
        )
    return _finding(pdf, f"page {mismatch.page}, {mismatch.place}", mismatch.printed,
        f"the page does not read as its content, which has “{mismatch.expected}”")  # fmt: skip


def _manifest(files: dict[str, bytes], pdf: Path) -> dict:
    if MANIFEST not in files or "content/document.yaml" not in files:
        raise ReportError(
            "the PDF carries no evidence to check (no manifest.json and content attached)",
            Location(pdf),
            "check a PDF built by reporter 0.4 or later, or check its project instead",
        )
    try:
        manifest = json.loads(files[MANIFEST])
        return manifest if isinstance(manifest, dict) else {}
    except ValueError:
        raise ReportError("its attached manifest.json is not JSON", Location(pdf)) from None


def _unpack(files: dict[str, bytes], root: Path, pdf: Path) -> None:
    """The attached content/ and data/ into `root`; a name that would leave it is refused."""
    for name, data in files.items():
        path = PurePosixPath(name)
        if path.parts[:1] not in {(f,) for f in SOURCE_FOLDERS}:
            continue
        if path.is_absolute() or any(p in ("", ".", "..") or "\\" in p for p in path.parts):
            raise ReportError(
                f"an attachment is named {name!r}, outside the project", Location(pdf)
            )
        target = root.joinpath(*path.parts)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)


def _changed_inputs(files: dict[str, bytes], manifest: dict, pdf: Path) -> list[Finding]:
    inputs = manifest.get("inputs", {})
    found = []
    for name, data in sorted(files.items()):
        kept = name.split("/")[0] in SOURCE_FOLDERS
        if kept and inputs.get(name) != hashlib.sha256(data).hexdigest():
            why = "not in the manifest" if name not in inputs else "changed after the build"
            found.append(_finding(pdf, f"attached {name}", name,
                f"{why}: its sha256 is not the one the manifest records"))  # fmt: skip
    for name in sorted(inputs):
        if name.startswith("content/") and name not in files:
            found.append(_finding(pdf, f"attached {name}", name, "missing from the PDF"))
    return found


def _changed_tables(files: dict[str, bytes], tables: dict, pdf: Path) -> list[Finding]:
    found = []
    for table in sorted(tables.values(), key=lambda t: t.number):
        name = f"{TABLES}/{table.spec.id}.csv"
        if files.get(name) != table_csv(table):
            found.append(_finding(pdf, f"Table {table.number}", name,
                "the attached table is not the one computed from the attached data"))  # fmt: skip
    return found


def _finding(pdf: Path, place: str, text: str, message: str) -> Finding:
    return Finding("fail", text, Location(pdf), place, message=message, kind="evidence")


def _relative(report: CheckReport, root: Path) -> None:
    """Places in the attached files, named as in the PDF: content/…, data/…"""
    for finding in report.findings:
        finding.where = _moved(finding.where, root)
    report.unbound = [(_moved(w, root), p, n) for w, p, n in report.unbound]


def _moved(where: Location, root: Path) -> Location:
    if where.path.is_relative_to(root):
        return Location(where.path.relative_to(root), where.line, where.column)
    return where


def _inside(exc: ReportError, root: Path, pdf: Path) -> ReportError:
    """An error in the attached content, named as in the PDF."""
    for error in (exc, *exc.others):
        error.where = _moved(error.where, root) if error.where else Location(pdf)
        error.message = f"{pdf.name}: {error.message}"
    return exc
