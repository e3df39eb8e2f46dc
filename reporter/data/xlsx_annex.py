"""Convert UN DESA's country classification annex (.xlsx) into a small CSV, once.

`aggregates_correspondence_table_2020_1.xlsx` (International Migrant Stock 2020, sheet
"Annex") lists every country or area with its location code, ISO3 code and, among others, a
"More developed regions (901)" and a "Less developed regions (902)" column holding the group's
code when the country belongs to it. The CSV keeps what a classification needs:
country, location_code, iso3, development_group.

Read with the standard library only (an .xlsx is a zip of XML), so the conversion needs no
spreadsheet package and builds never read the .xlsx:

    python -m reporter.data.desa classification XLSX OUT.csv
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from pathlib import Path
from xml.etree import ElementTree as ET

from reporter.errors import Location, ReportError

MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
REL = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
PKG_REL = "{http://schemas.openxmlformats.org/package/2006/relationships}"
GROUPS = {"901": "More developed regions", "902": "Less developed regions"}
COLUMNS = ["country", "location_code", "iso3", "development_group"]


def sheet_rows(path: Path, sheet: str):
    """(row number, [cell text, …]) for each non-empty row of the named sheet."""
    try:
        book = zipfile.ZipFile(path)
        shared = _shared_strings(book)
        target = _sheet_file(book, sheet)
        root = ET.fromstring(book.read(target))
    except (zipfile.BadZipFile, KeyError, ET.ParseError) as exc:
        raise ReportError(f"not a readable .xlsx ({exc})", Location(path)) from None
    for row in root.iter(f"{MAIN}row"):
        cells = {}
        for cell in row.findall(f"{MAIN}c"):
            kind, value = cell.get("t"), cell.find(f"{MAIN}v")
            if kind == "inlineStr":
                text = "".join(t.text or "" for t in cell.iter(f"{MAIN}t"))
            elif value is None:
                continue
            elif kind == "s":
                text = shared[int(value.text)]
            else:
                text = value.text or ""
            cells[_column(cell.get("r"))] = text
        if cells:
            yield int(row.get("r")), [cells.get(i, "") for i in range(max(cells) + 1)]


def annex_rows(path: Path) -> list[list[str]]:
    """The annex's countries and areas as CSV rows (COLUMNS), in the annex's order."""
    rows = list(sheet_rows(path, "Annex"))
    header_at = next((i for i, (_, r) in enumerate(rows) if "Location code" in r), None)
    if header_at is None or header_at == 0:
        raise ReportError("no header row with 'Location code' in sheet Annex", Location(path))
    number, header = rows[header_at]
    above = rows[header_at - 1][1]

    def find(pattern: str, cells: list[str]) -> int:
        for i, text in enumerate(cells):
            if re.match(pattern, text.strip()):
                return i
        raise ReportError(f"no column {pattern!r} in the annex header", Location(path, number))

    name, code, iso3 = (
        find(r"Region, subregion", header),
        find(r"Location code$", header),
        find(r"ISO3", header),
    )
    kind = find(r"Location Type", above) + 1  # "Location Type" spans Code, Name
    flags = {find(rf".*\n{group}$", header): group for group in GROUPS}
    out = []
    for number, row in rows[header_at + 1 :]:
        row = row + [""] * (max(flags) + 1 - len(row))
        if row[kind].strip() != "Country/Area":
            continue
        country = row[name].strip().rstrip("*").strip()
        groups = [GROUPS[g] for i, g in flags.items() if row[i].strip() == g]
        if len(groups) != 1:
            raise ReportError(
                f"{country!r} has {len(groups)} development groups, not one",
                Location(path, number),
            )
        out.append([country, row[code].strip(), row[iso3].strip(), groups[0]])
    return out


def write_classification(xlsx: Path, out: Path) -> int:
    """Write the CSV; returns the number of countries and areas."""
    rows = annex_rows(xlsx)
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(COLUMNS)
    writer.writerows(rows)
    out.write_text(buffer.getvalue(), encoding="utf-8")
    return len(rows)


def _shared_strings(book: zipfile.ZipFile) -> list[str]:
    if "xl/sharedStrings.xml" not in book.namelist():
        return []
    root = ET.fromstring(book.read("xl/sharedStrings.xml"))
    return ["".join(t.text or "" for t in si.iter(f"{MAIN}t")) for si in root.iter(f"{MAIN}si")]


def _sheet_file(book: zipfile.ZipFile, sheet: str) -> str:
    workbook = ET.fromstring(book.read("xl/workbook.xml"))
    rels = ET.fromstring(book.read("xl/_rels/workbook.xml.rels"))
    targets = {r.get("Id"): r.get("Target") for r in rels.iter(f"{PKG_REL}Relationship")}
    for entry in workbook.iter(f"{MAIN}sheet"):
        if entry.get("name") == sheet:
            target = targets[entry.get(f"{REL}id")]
            return target.lstrip("/") if target.startswith("/") else f"xl/{target}"
    raise KeyError(f"no sheet {sheet!r}")


def _column(ref: str) -> int:
    index = 0
    for letter in re.match(r"[A-Z]+", ref).group():
        index = index * 26 + ord(letter) - 64
    return index - 1
