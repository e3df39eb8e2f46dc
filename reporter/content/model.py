"""The document model: plain dataclasses built once from content/ and read by every stage."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from reporter.content.inline import Node
from reporter.errors import Location


@dataclass
class Paragraph:
    inlines: list[Node]
    loc: Location
    raw: str  # as written, markup included (a yamlsource.Text)
    numbered: bool = True
    label: str | None = None
    number: int | None = None  # filled by numbering

    @property
    def html_id(self) -> str | None:
        return f"para-{self.number}" if self.number else None


@dataclass
class Heading:
    inlines: list[Node]
    loc: Location


@dataclass
class TableBlock:
    id: str
    loc: Location
    number: int = 0  # filled by numbering


@dataclass
class FigureBlock:
    """A chart, placed where the text discusses it; numbered Figure I, II, … in UN style."""

    id: str
    loc: Location
    number: str = ""  # filled by numbering


@dataclass
class ScheduleItem:
    time: str
    inlines: list[Node]
    loc: Location


@dataclass
class Schedule:
    title: list[Node]
    items: list[ScheduleItem]
    loc: Location


Block = Paragraph | Heading | TableBlock | FigureBlock | Schedule


@dataclass
class Part:
    """The summary, a section, a subsection or an annex."""

    kind: str  # summary | section | subsection | annex
    title: list[Node]
    blocks: list[Block]
    loc: Location
    label: str | None = None
    subsections: list[Part] = field(default_factory=list)
    number: str = ""  # "II", "II.A" or "" (filled by numbering)

    @property
    def html_id(self) -> str:
        """Its label, or else its kind and number ("section-ii-a"); its kind alone when it has
        no number (the summary, a single annex)."""
        if self.label:
            return self.label
        return f"{self.kind}-{self.number}".lower().replace(".", "-") if self.number else self.kind

    @property
    def numeral(self) -> str:
        """What stands before the title: "II." for a section, "A." for a subsection."""
        return self.number.rsplit(".", 1)[-1] + "." if self.number else ""


@dataclass
class Footnote:
    id: str
    inlines: list[Node]
    loc: Location
    number: int = 0  # filled by numbering: order of first call


@dataclass
class Target:
    """What a label points at, for cross-references."""

    kind: str  # para | table | section | subsection | annex
    number: str
    html_id: str
    loc: Location


@dataclass
class Document:
    meta: dict[str, Any]
    parts: list[Part]
    footnotes: dict[str, Footnote]
    tables: dict[str, Any]  # id -> content.tablespec.TableSpec
    charts: dict[str, Any] = field(default_factory=dict)  # id -> content.chartspec.ChartSpec
    labels: dict[str, Target] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)

    def walk(self):
        """(part, holder, block) for every part and block in reading order: `holder` is the
        part or the subsection the block stands in, `block` is None for the holder's title.
        The one walk of the document; `place` names what it yields."""
        for part in self.parts:
            for holder in [part, *part.subsections]:
                yield part, holder, None
                for block in holder.blocks:
                    yield part, holder, block

    def blocks(self):
        return (block for _, _, block in self.walk() if block is not None)

    def paragraphs(self):
        """(holder, paragraph) for every paragraph, in reading order."""
        return ((h, b) for _, h, b in self.walk() if isinstance(b, Paragraph))

    def runs(self, footnotes: bool = True):
        """(place, inlines) for every run of text in reading order — titles, paragraphs,
        headings, schedules, each table's and chart's texts where it is first placed — then
        the footnotes that have a number, in number order."""
        placed: set[str] = set()
        for part, holder, block in self.walk():
            where = place(part, holder, block)
            if block is None:
                yield where, holder.title
            elif isinstance(block, Paragraph | Heading):
                yield where, block.inlines
            elif isinstance(block, Schedule):
                yield where, block.title
                yield from ((where, item.inlines) for item in block.items)
            elif block.id not in placed:  # a table or a figure, where it first stands
                placed.add(block.id)
                if isinstance(block, TableBlock):
                    yield from _table_runs(self.tables[block.id], where)
                else:
                    chart = self.charts[block.id]
                    yield f"{where} (title)", chart.title
                    yield f"{where} (source)", chart.source
        if footnotes:
            for note in sorted(self.footnotes.values(), key=lambda n: n.number):
                if note.number:
                    yield f"footnote {note.number}", note.inlines


def place(part: Part, holder: Part, block: Block | None) -> str:
    """How a report names where a block stands: "para. 5", "heading II.A", "Table 2",
    "Summary" (for the unnumbered text of the summary or an annex)."""
    name = {"summary": "Summary", "annex": "Annex"}.get(part.kind, "")
    if block is None:
        return f"heading {holder.number}".strip()
    if isinstance(block, Paragraph):
        return f"para. {block.number}" if block.number else name or "text"
    if isinstance(block, Heading):
        return "heading"
    if isinstance(block, Schedule):
        return name or "schedule"
    return f"{'Table' if isinstance(block, TableBlock) else 'Figure'} {block.number}"


def _table_runs(spec, name: str):
    """A table spec's texts in reading order: title, column headings, row labels, notes."""
    yield f"{name} (title)", spec.title
    if spec.stub:
        yield f"{name} (heading)", spec.stub
    for column in spec.columns:
        for level in column.heading:
            yield f"{name} (heading)", level
    for row in spec.rows if isinstance(spec.rows, list) else []:
        yield f"{name} (row {row.label})", row.inlines
    for note in spec.notes:
        yield f"{name} (note)", note
    for note_id, note in spec.footnotes.items():
        yield f"{name} (note {note_id})", note
