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
        return self.label or f"{self.kind}-{self.number}".lower().replace(".", "-")

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

    def paragraphs(self):
        """Every paragraph in reading order, with the part that holds it."""
        for part in self.parts:
            for sub in [part, *part.subsections]:
                for block in sub.blocks:
                    if isinstance(block, Paragraph):
                        yield sub, block

    def blocks(self):
        for part in self.parts:
            for sub in [part, *part.subsections]:
                yield from sub.blocks

    def runs(self, footnotes: bool = True):
        """(place, inlines) for every run of text in reading order — titles, paragraphs,
        headings, schedules, each table's and chart's texts where it is first placed — then
        the footnotes that have a number, in number order. The one walk every stage uses."""
        placed: set[str] = set()
        for part in self.parts:
            name = {"summary": "Summary", "annex": "Annex"}.get(part.kind, "")
            for sub in [part, *part.subsections]:
                yield f"heading {sub.number}".strip(), sub.title
                for block in sub.blocks:
                    if isinstance(block, Paragraph):
                        yield (
                            f"para. {block.number}" if block.number else name or "text",
                            (block.inlines),
                        )
                    elif isinstance(block, Heading):
                        yield "heading", block.inlines
                    elif isinstance(block, Schedule):
                        yield name or "schedule", block.title
                        for item in block.items:
                            yield name or "schedule", item.inlines
                    elif isinstance(block, TableBlock) and block.id not in placed:
                        placed.add(block.id)
                        yield from _table_runs(self.tables[block.id], f"Table {block.number}")
                    elif isinstance(block, FigureBlock) and block.id not in placed:
                        placed.add(block.id)
                        chart = self.charts[block.id]
                        yield f"Figure {block.number} (title)", chart.title
                        yield f"Figure {block.number} (source)", chart.source
        if footnotes:
            for note in sorted(self.footnotes.values(), key=lambda n: n.number):
                if note.number:
                    yield f"footnote {note.number}", note.inlines


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
