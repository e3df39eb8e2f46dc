"""Re-verify a published PDF from what it carries alone (export/evidence.py), reading it as
untrusted input (export/readback.py): its manifest is checked against its schema; each
attachment is read within the size the manifest records and compared with its sha256; the
content and data are unpacked into a private folder and every figure is checked again; each
table is computed again and compared with the attached one; and the pages are held to what
the build recorded of them and to the content (verify/pages.py)."""

from __future__ import annotations

import hashlib
import tempfile
from pathlib import Path, PurePosixPath

from reporter.check.run import CheckReport, Finding
from reporter.content.languages import right_to_left
from reporter.errors import Location, ReportError
from reporter.export.evidence import MANIFEST, SOURCE_FOLDERS, TABLES, table_csv
from reporter.export.pagetext import units
from reporter.export.readback import MAX_EVIDENCE, PdfFile, read_manifest, shown
from reporter.pipeline import check_with_tables
from reporter.project import Project
from reporter.verify.pages import page_findings, read_pages

MAX_NAME_DEPTH = 32  # folders in an attachment's name
MAX_NAME_PART = 255  # characters of one of them
STALE = "rebuild the PDF with this reporter to check it"


def verify_pdf(pdf: Path, strict: bool = False) -> CheckReport:
    """The check of the PDF's figures, recomputed, with a finding (kind "evidence") for each
    thing that differs from what the build attached and recorded."""
    with (
        PdfFile(pdf) as file,
        tempfile.TemporaryDirectory(prefix="reporter-verify-") as folder,
    ):
        root = Path(folder).resolve()
        manifest = _manifest(file, pdf)
        made = manifest["pdf"]
        tables_attached, evidence = _unpack(file, manifest, root, pdf)
        pages = read_pages(file, len(made["pages"]))
        params = tuple(sorted(manifest.get("parameters", {}).items()))
        try:
            doc, tables, report = check_with_tables(Project(root, params), strict=strict)
        except ReportError as exc:
            raise _inside(exc, root, pdf) from None
        _relative(report, root)
    evidence += _changed_tables(tables_attached, tables, pdf)
    body, notes = units(doc, tables)
    rtl = right_to_left(doc.meta.get("language", "en"))
    evidence += page_findings(pdf, pages, made["pages"], body, notes, rtl)
    report.findings[:0] = evidence
    return report


def _manifest(file: PdfFile, pdf: Path) -> dict:
    manifest = read_manifest(file)
    if manifest is None or "content/document.yaml" not in file.files():
        raise ReportError(
            "the PDF carries no evidence to check (no manifest.json and content attached)",
            Location(pdf),
            "check a PDF built by reporter 0.4 or later, or check its project instead",
        )
    if "pdf" not in manifest:
        raise ReportError(
            "its manifest records neither its pages nor its attachments (built by an "
            "earlier reporter)", Location(pdf), STALE,
        )  # fmt: skip
    return manifest


def _unpack(
    file: PdfFile, manifest: dict, root: Path, pdf: Path
) -> tuple[dict[str, bytes], list[Finding]]:
    """Each attachment the manifest records, read within the size it records and compared
    with its sha256: content/ and data/ written into `root`, the tables kept; a finding for
    each one changed, missing, or not recorded (which is not read). A name that would leave
    `root` is refused before anything is read."""
    attached = {name: None for name in file.files() if name != MANIFEST}
    for name in attached:
        _check_name(name, pdf)
    recorded = manifest["pdf"]["attachments"]
    total = sum(entry["size"] for entry in recorded.values())
    if total > MAX_EVIDENCE:
        raise ReportError(f"its manifest records {total:,} bytes of attachments, more than the "
                          f"{MAX_EVIDENCE:,} allowed", Location(pdf), STALE)  # fmt: skip
    inputs, tables, found = manifest["inputs"], {}, []
    for name in sorted(attached):
        if name not in recorded:
            found.append(_finding(pdf, f"attached {shown(name)}", shown(name),
                                  "not in the manifest: the build did not attach it"))  # fmt: skip
            continue
        size = recorded[name]["size"]
        data = file.read(name, size, f"the {size:,} bytes its manifest records")
        digest = hashlib.sha256(data).hexdigest()
        kept, table = name.split("/")[0] in SOURCE_FOLDERS, name.startswith(f"{TABLES}/")
        if table:  # compared byte for byte with the table computed again (_changed_tables)
            tables[name] = data
        elif digest != recorded[name]["sha256"] or (kept and inputs.get(name) != digest):
            why = "changed after the build: its sha256 is not the one the manifest records"
            found.append(_finding(pdf, f"attached {name}", name, why))
        if kept:
            _write(root, name, data, pdf)
    gone = (set(recorded) | {n for n in inputs if n.startswith("content/")}) - set(attached)
    found += [
        _finding(pdf, f"attached {name}", name, "missing from the PDF") for name in sorted(gone)
    ]
    return tables, found


def _write(root: Path, name: str, data: bytes, pdf: Path) -> None:
    target = root.joinpath(*PurePosixPath(name).parts)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
    except OSError as exc:  # a name that is also a folder's: content/a and content/a/b
        raise ReportError(f"cannot unpack its attached {shown(name)}: {exc.strerror}",
                          Location(pdf), "it was changed after the build") from None  # fmt: skip


def _check_name(name: str, pdf: Path) -> None:
    """An attachment unpacked into the private folder must stay inside it."""
    path = PurePosixPath(name)
    if path.parts[:1] not in {(f,) for f in SOURCE_FOLDERS}:
        return
    why = ""
    if path.is_absolute() or any(p in ("", ".", "..") or "\\" in p for p in path.parts):
        why = "outside the project"
    elif shown(name, len(name)) != name or "\x00" in name:
        why = "not a file name (control characters)"
    elif len(path.parts) > MAX_NAME_DEPTH or any(len(p) > MAX_NAME_PART for p in path.parts):
        why = f"deeper than {MAX_NAME_DEPTH} folders or with a part longer than {MAX_NAME_PART}"
    if why:
        raise ReportError(f"an attachment is named “{shown(name)}”, {why}", Location(pdf),
                          "it was changed after the build, or not made by reporter")  # fmt: skip


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
