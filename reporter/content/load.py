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
from reporter.content.tablespec import NA_MARK, read_table_spec
from reporter.content.where import parse_where
from reporter.content.yamlsource import Map, current_parameters, load_mapping, load_yaml, where
from reporter.errors import Collector, Location, ReportError, suggest

# content/ files read by name, not as parts
PROJECT_FILES = ("document.yaml", "footnotes.yaml", "quantities.yaml", "sources.yaml",
                 "errata.yaml", "aliases.yaml")  # fmt: skip
# the keys of content/schemas/document.schema.json that are plain text, "" when absent
META_TEXTS = ("symbol", "title", "organization", "organ", "distribution", "original", "session",
              "subtitle")  # fmt: skip
BLOCK_KINDS = ("p", "text", "heading", "table", "figure", "schedule")  # a block has one of them
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
    doc = Document(meta=meta, parts=parts, footnotes=footnotes, tables={}, charts={})
    for block in doc.blocks():  # each table's and chart's spec, every one's errors reported
        with errors.each():
            if isinstance(block, TableBlock) and block.id not in doc.tables:
                doc.tables[block.id] = read_table_spec(root, block.id, block.loc, meta["na"])
            elif isinstance(block, FigureBlock) and block.id not in doc.charts:
                doc.charts[block.id] = read_chart_spec(root, block.id, block.loc)
    errors.done()
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
    """document.yaml: validated against its schema, then the date read and the page size
    checked (it goes into CSS)."""
    schema.validate(data, "document", loc)
    assert isinstance(data, Map)
    meta: dict = {key: schema.text(data.get(key, "")) for key in META_TEXTS}
    meta["date"] = _date(data["date"], data.key_locs["date"])
    meta["parts"] = [schema.text(p) for p in data["parts"]]
    meta["language"] = schema.text(data.get("language", "en"))
    meta["strict"] = data.get("strict", False)
    meta["na"] = schema.text(data.get("na", NA_MARK))
    agenda = data.get("agenda")
    meta["agenda"] = {} if agenda is None else {
        key: schema.text(agenda.get(key, "")) for key in ("item", "note", "title")
    }  # fmt: skip
    meta["page_size"] = schema.text(data.get("page_size", "A4"))
    if not PAGE_SIZE.fullmatch(meta["page_size"]):
        raise ReportError(
            f"page_size {meta['page_size']!r} is not a page size",
            data.key_locs["page_size"],
            "write A4, letter, 'A4 landscape' or two lengths like '210mm 297mm'",
        )
    return meta


def _date(value: object, at: Location) -> dt.date:
    """A date written 2012-08-03 (YAML reads it as a date) or quoted "2012-08-03"."""
    try:
        return value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value))
    except ValueError:
        raise ReportError(f"{value!r} is not a date", at, "e.g. date: 2012-08-03") from None


def _part(data: object, loc: Location) -> Part:
    """A part file: validated against its schema, then its blocks and subsections read."""
    schema.validate(data, "part", loc)
    assert isinstance(data, Map)
    kind = schema.text(data["kind"])
    errors = Collector()  # every block of the part and its subsections, in one run
    part = _part_body(data, kind, errors)
    for sub in data.get("subsections", []):
        part.subsections.append(_part_body(sub, "subsection", errors))
    errors.done()
    return part


def _part_body(data: Map, kind: str, errors: Collector) -> Part:
    """A part's or a subsection's title and blocks; their errors go to `errors`."""
    blocks, title = [], []
    for item in data.get("blocks", []):
        with errors.each():
            if _included(item):
                blocks.append(_block(item, kind in ("section", "subsection"), data.loc))
    text = data.get("title", "Summary" if kind == "summary" else "")
    with errors.each():
        title = parse_inline(schema.text(text), where(text, data.loc))
    label = data.get("label")
    return Part(
        kind=kind,
        title=title,
        blocks=blocks,
        loc=data.loc,
        label=schema.text(label) if label is not None else None,
    )


def _included(block: object) -> bool:
    """A block with `when:` is in an edition whose parameters meet every condition."""
    if not isinstance(block, Map) or block.get("when") is None:
        return True
    at = block.key_locs["when"]
    conditions = parse_where(block["when"], at)
    values = current_parameters() or {}
    for condition in conditions:
        if condition.column not in values:
            hint = suggest(condition.column, values) or (
                f"parameters: {', '.join(values)}" if values else "when: needs editions"
            )
            raise ReportError(f"when: unknown parameter {condition.column!r}", at, hint)
    return all(c.holds(values[c.column]) for c in conditions)


def _block(data: object, numbered: bool, fallback: Location):
    if isinstance(data, str):  # a bare string is a paragraph
        return _paragraph(data, numbered, None, fallback)
    assert isinstance(data, Map)
    kind = next(k for k in BLOCK_KINDS if k in data)
    label = schema.text(data["label"]) if "label" in data else None
    if label and kind not in ("p", "text"):
        raise ReportError(
            f"label on a {kind} block",
            data.key_locs["label"],
            "labels go on paragraphs; a table's or figure's id is its label",
        )
    value, at = data[kind], data.key_locs[kind]
    if kind in ("p", "text"):
        return _paragraph(value, numbered and kind == "p", label, at)
    if kind == "heading":
        return Heading(parse_inline(schema.text(value), where(value, at)), where(value, at))
    if kind == "table":
        return TableBlock(schema.identifier(value, "table", at), where(value, at))
    if kind == "figure":
        return FigureBlock(schema.identifier(value, "figure", at), where(value, at))
    return _schedule(value)


def _paragraph(value: object, numbered: bool, label: str | None, at: Location) -> Paragraph:
    text = schema.text(value)
    at = where(value, at)
    return Paragraph(parse_inline(text, at), at, text, numbered=numbered, label=label)


def _schedule(data: Map) -> Schedule:
    items = [
        ScheduleItem(
            schema.text(item.get("time", "")),
            parse_inline(schema.text(item["text"]), where(item["text"], item.key_locs["text"])),
            item.loc,
        )
        for item in data["items"]
    ]
    title = data.get("title", "")
    return Schedule(parse_inline(schema.text(title), where(title, data.loc)), items, data.loc)


def _footnotes(root: Path) -> dict[str, Footnote]:
    data = load_mapping(root, "footnotes.yaml", "ids to texts")
    return schema.entries(data, "footnotes", _footnote, data.loc)


def _footnote(key: str, value: object, at: Location) -> Footnote:
    return Footnote(key, parse_inline(schema.text(value), where(value, at)), at)
