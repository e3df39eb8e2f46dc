"""Read content/*.yaml into the document model, validating as it goes."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

from reporter.content import schema
from reporter.content.chartspec import read_chart_spec
from reporter.content.inline import parse_inline
from reporter.content.model import (
    Document,
    FigureBlock,
    Footnote,
    Heading,
    Paragraph,
    Part,
    Schedule,
    ScheduleItem,
    TableBlock,
)
from reporter.content.tablespec import read_table_spec
from reporter.content.yamlsource import Map, load_mapping, load_yaml, where
from reporter.errors import Collector, Location, ReportError

META_KEYS = {
    "symbol", "organ", "distribution", "date", "original", "session", "agenda", "title",
    "subtitle", "page_size", "language", "parts", "organization", "strict",
}  # fmt: skip
AGENDA_KEYS = {"item", "note", "title"}
# content/ files read by name, not as parts
PROJECT_FILES = ("document.yaml", "footnotes.yaml", "quantities.yaml", "sources.yaml",
                 "errata.yaml", "aliases.yaml")  # fmt: skip
PART_KINDS = ("summary", "section", "annex")
# page_size goes into CSS, so only sizes and lengths are accepted (no CSS injection)
PAGE_SIZE = re.compile(
    r"(?:(?:A[3-6]|B[45]|JIS-B[45]|letter|legal|ledger)(?: (?:portrait|landscape))?"
    r"|\d+(?:\.\d+)?(?:mm|cm|in|pt) \d+(?:\.\d+)?(?:mm|cm|in|pt))",
    re.IGNORECASE,
)


def load_document(root: Path) -> Document:
    """The whole document from `root`/content, footnotes and table specs included."""
    content = root / "content"
    meta_path = content / "document.yaml"
    meta = _meta(
        load_yaml(meta_path, meta_path.relative_to(root)), Location(meta_path.relative_to(root))
    )
    parts = []
    errors = Collector()  # every part file is read, and all their errors reported at once
    for name in meta["parts"]:
        with errors.each():
            at = Location(meta_path.relative_to(root))
            path = content / schema.relative_file(name, "part", at)
            shown = path.relative_to(root)
            parts.append(_part(load_yaml(path, shown), Location(shown)))
    with errors.each():
        footnotes = _footnotes(root)
    errors.done()
    tables, charts = {}, {}
    for part in parts:
        for sub in [part, *part.subsections]:
            for block in sub.blocks:
                if isinstance(block, TableBlock) and block.id not in tables:
                    tables[block.id] = read_table_spec(root, block.id, block.loc)
                elif isinstance(block, FigureBlock) and block.id not in charts:
                    charts[block.id] = read_chart_spec(root, block.id, block.loc)
    doc = Document(meta=meta, parts=parts, footnotes=footnotes, tables=tables, charts=charts)
    doc.warnings += _unused_files(content, meta["parts"], root)
    return doc


def _unused_files(content: Path, parts: list[str], root: Path) -> list[str]:
    """Content files nothing reads: most likely a part left out of document.yaml."""
    used = {*(Path(p).as_posix() for p in parts), *PROJECT_FILES}
    return [
        f"{path.relative_to(root)}: not a part of the document (list it under parts: in "
        "content/document.yaml, or remove it)"
        for path in sorted(content.glob("*.yaml"))
        if path.name not in used
    ]


def _meta(data: object, loc: Location) -> dict:
    data = schema.check_keys(
        data, META_KEYS, {"symbol", "title", "date", "parts"}, "document.yaml", loc
    )
    meta = {key: value for key, value in data.items() if key not in {"agenda", "parts", "date"}}
    date = data["date"]
    if not isinstance(date, dt.date):
        raise ReportError(
            "date must be written YYYY-MM-DD", where(date, loc), "e.g. date: 2012-08-03"
        )
    meta["date"] = date
    if not isinstance(meta.setdefault("strict", False), bool):
        raise ReportError(
            "strict must be true or false",
            data.key_locs["strict"],
            "strict: true fails the "
            "check on any number, number word or rank that is neither bound nor declared",
        )
    if "agenda" in data:
        meta["agenda"] = dict(
            schema.check_keys(data["agenda"], AGENDA_KEYS, {"item"}, "agenda", loc)
        )
    meta["parts"] = [
        schema.text(p, "each part", loc) for p in schema.listing(data["parts"], "parts", loc)
    ]
    page_size = schema.text(meta.setdefault("page_size", "A4"), "page_size", loc)
    if not PAGE_SIZE.fullmatch(page_size):
        raise ReportError(
            f"page_size {page_size!r} is not a page size",
            data.key_locs["page_size"],
            "write A4, letter, 'A4 landscape' or two lengths like '210mm 297mm'",
        )
    meta.setdefault("language", "en")
    for optional in ("organization", "organ", "distribution", "original", "session", "subtitle"):
        meta.setdefault(optional, "")  # templates test them; an absent key is a template error
    meta.setdefault("agenda", {})
    return meta


def _part(data: object, loc: Location) -> Part:
    data = schema.check_keys(
        data, {"kind", "label", "title", "blocks", "subsections"}, {"kind"}, "part", loc
    )
    kind = data["kind"]
    if kind not in PART_KINDS:
        raise ReportError(
            f"unknown part kind {kind!r}", where(kind, loc), f"use one of: {', '.join(PART_KINDS)}"
        )
    errors = Collector()
    with errors.each():
        part = _part_body(data, kind, loc, "")
    for i, sub in enumerate(schema.listing(data.get("subsections", []), "subsections", loc)):
        with errors.each():
            if kind != "section":
                raise ReportError(f"a {kind} has no subsections", where(sub, loc))
            path = f"subsections[{i}]"  # key paths name where a problem is, besides the line
            sub = schema.check_keys(sub, {"label", "title", "blocks"}, {"title"}, path, loc)
            part.subsections.append(_part_body(sub, "subsection", loc, f"{path}."))
    errors.done()
    return part


def _part_body(data: Map, kind: str, loc: Location, path: str) -> Part:
    title = data.get("title", "Summary" if kind == "summary" else "")
    if kind in ("section", "subsection") and not title:
        raise ReportError(f"a {kind} needs a title", data.loc, "add title: …")
    numbered = kind in ("section", "subsection")
    items = schema.listing(data.get("blocks", []), f"{path}blocks", loc)
    blocks, errors = [], Collector()
    for i, item in enumerate(items):
        with errors.each():
            blocks.append(_block(item, numbered, loc, f"{path}blocks[{i}]"))
    errors.done()
    label = data.get("label")
    return Part(
        kind=kind,
        title=parse_inline(schema.text(title, "title", loc), where(title, loc)),
        blocks=blocks,
        loc=data.loc,
        label=schema.text(label, "label", loc) if label is not None else None,
    )


def _block(data: object, numbered: bool, loc: Location, path: str):
    if isinstance(data, str):  # a bare string is a paragraph
        return _paragraph(data, numbered, None, loc)
    block_kinds = ("p", "text", "heading", "table", "figure", "schedule")
    data = schema.check_keys(data, {"label", *block_kinds}, (), path, loc)
    kinds = [k for k in block_kinds if k in data]
    if len(kinds) != 1:
        raise ReportError(
            f"{path}: a block needs exactly one of {', '.join(block_kinds)}",
            data.loc,
            "split it into separate '- ' items",
        )
    kind = kinds[0]
    label = schema.text(data["label"], "label", loc) if "label" in data else None
    if label and kind not in ("p", "text"):
        raise ReportError(
            f"label on a {kind} block",
            data.key_locs["label"],
            "labels go on paragraphs; a table's or figure's id is its label",
        )
    value = data[kind]
    if kind in ("p", "text"):
        return _paragraph(value, numbered and kind == "p", label, loc)
    if kind == "heading":
        text = schema.text(value, "heading", loc)
        return Heading(parse_inline(text, where(value, loc)), where(value, loc))
    if kind == "table":
        return TableBlock(schema.identifier(value, "table", loc), where(value, loc))
    if kind == "figure":
        return FigureBlock(schema.identifier(value, "figure", loc), where(value, loc))
    return _schedule(value, loc)


def _paragraph(value: object, numbered: bool, label: str | None, loc: Location) -> Paragraph:
    text = schema.text(value, "paragraph", loc)
    at = where(value, loc)
    return Paragraph(parse_inline(text, at), at, text, numbered=numbered, label=label)


def _schedule(data: object, loc: Location) -> Schedule:
    data = schema.check_keys(data, {"title", "items"}, {"items"}, "schedule", loc)
    items = []
    for item in schema.listing(data["items"], "items", loc):
        item = schema.check_keys(item, {"time", "text"}, {"text"}, "schedule item", loc)
        text = schema.text(item["text"], "text", loc)
        items.append(
            ScheduleItem(
                schema.text(item.get("time", ""), "time", loc),
                parse_inline(text, where(item["text"], loc)),
                item.loc,
            )
        )
    title = schema.text(data.get("title", ""), "title", loc)
    return Schedule(parse_inline(title, where(data.get("title"), loc)), items, data.loc)


def _footnotes(root: Path) -> dict[str, Footnote]:
    data = load_mapping(root, "footnotes.yaml", "ids to texts")
    notes = {}
    for key, value in data.items():
        text = schema.text(value, f"footnote {key!r}", data.key_locs[key])
        notes[key] = Footnote(
            key, parse_inline(text, where(value, data.key_locs[key])), data.key_locs[key]
        )
    return notes
