"""The evidence a PDF carries, attached as PDF/A-3 associated files: the content and data it
was built from, each table as computed (CSV), the check's report and the manifest. With them
`reporter check FILE.pdf` re-verifies a published PDF alone (reporter/verify/).

Only the data files the build read are attached (the datasets' files and their
declarations), not the whole of data/. Names are paths inside the project (content/…,
data/…) or the build's own files; each has the relationship PDF/A-3 defines
(AFRelationship): the inputs are the Source, the data and the tables the Data the document
presents, the rest a Supplement.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from pathlib import Path
from typing import NamedTuple

SOURCE_FOLDERS = {"content": "Source", "data": "Data"}
TABLES = "tables"  # tables/ID.csv
CHECK = "check.json"
MANIFEST = "manifest.json"


# PDF/A-3 wants each embedded file's media type
MEDIA_TYPES = {
    ".yaml": "application/yaml", ".yml": "application/yaml", ".json": "application/json",
    ".csv": "text/csv", ".md": "text/markdown", ".txt": "text/plain", ".sql": "application/sql",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}  # fmt: skip


class Attached(NamedTuple):
    data: bytes
    relationship: str  # Source | Data | Supplement (PDF/A-3's AFRelationship)


def evidence(
    root: Path, data_files: list[str], tables: dict, check_json: bytes
) -> dict[str, Attached]:
    """name -> what is attached: every file of content/, the `data_files` the build read
    (paths in the project), each table and the check's report; the manifest (MANIFEST) is
    added once the pages are made, as it records them."""
    files = {}
    content = [p.relative_to(root).as_posix() for p in (root / "content").rglob("*")]
    for name in sorted({*content, *data_files}):
        path = root / name
        if path.is_file() and path.resolve().is_relative_to(root.resolve()):
            relationship = SOURCE_FOLDERS.get(name.split("/")[0], "Source")
            files[name] = Attached(path.read_bytes(), relationship)
    for table in tables.values():
        files[f"{TABLES}/{table.spec.id}.csv"] = Attached(table_csv(table), "Data")
    files[CHECK] = Attached(check_json, "Supplement")
    return files


def table_csv(table) -> bytes:
    """A table as computed: one line per row, its id and label, then each column's value as
    computed (not rounded) and as printed; a cell with no value has an empty value and its
    printed mark (`..`)."""
    columns = [c.id for c in table.spec.columns]
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(
        ["row", "label", *(f"{c}{suffix}" for c in columns for suffix in ("", ":printed"))]
    )
    for row in table.rows:
        cells = {cell.column: cell for cell in row.cells}
        values = []
        for column in columns:
            cell = cells.get(column)
            values += [_value(cell.value) if cell else "", cell.text if cell else ""]
        writer.writerow([row.id, row.label, *values])
    return out.getvalue().encode("utf-8")


def _value(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return repr(value)  # shortest round-trip form: the same bytes on every machine
    return str(value)


def media_type(name: str) -> str:
    return MEDIA_TYPES.get(Path(name).suffix.lower(), "application/octet-stream")


def attach(pdf: bytes, files: dict[str, Attached], epoch: int) -> bytes:
    """`pdf` with `files` attached as PDF/A-3 associated files, dated `epoch`.

    The evidence is added to the rendered PDF rather than rendered with it, so that a PDF
    whose pages did not change comes from the cache when only its evidence did: one changed
    data cell re-renders the one edition whose pages it changes, and re-attaches the rest
    (0.05 s against 0.4 s for a country profile). The file identifier's first half (the
    symbol's, export/pdf.py) is kept; qpdf's static second half keeps the bytes stable."""
    import pikepdf

    when = dt.datetime.fromtimestamp(epoch, dt.UTC).strftime("D:%Y%m%d%H%M%SZ")
    with pikepdf.open(io.BytesIO(pdf)) as document:
        for name, (data, relationship) in sorted(files.items()):  # pikepdf lists each in /AF
            spec = pikepdf.AttachedFileSpec(document, data, filename=name,
                mime_type=media_type(name), creation_date=when, mod_date=when,
                relationship=pikepdf.Name("/" + relationship))  # fmt: skip
            document.attachments[name] = spec
        out = io.BytesIO()
        document.save(out, static_id=True, compress_streams=True,
                      object_stream_mode=pikepdf.ObjectStreamMode.preserve)  # fmt: skip
        return out.getvalue()
