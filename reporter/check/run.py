"""Run the check: every bound figure against its quantity, declared figures against their
sources, errata, table consistency, and (on request) numbers left unbound."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from reporter.check.figures import NotAFigure, parse_figure
from reporter.check.rules import UnitMismatch, in_figure_terms, judge
from reporter.compute.quantities import Quantities
from reporter.content import schema
from reporter.content.inline import Figure, walk
from reporter.content.model import Document, Heading, Paragraph, Schedule
from reporter.content.yamlsource import Map, Seq, load_mapping, load_yaml
from reporter.errors import Location, ReportError


@dataclass
class Finding:
    status: str  # pass | fail | errata | declared
    text: str  # the figure as written
    where: Location
    place: str  # "para. 5", "Summary", "footnote 6" …
    quantity: str = ""
    value: float | None = None
    rule: str = ""
    message: str = ""
    is_figure: bool = True  # False for problems that are not a figure (stale errata, tables)


@dataclass
class Erratum:
    figure: str
    quantity: str
    reason: str
    loc: Location
    used: bool = False


@dataclass
class CheckReport:
    findings: list[Finding] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # table rounding artefacts
    unbound: list[tuple[Location, str, str]] = field(default_factory=list)  # where, place, number

    def count(self, status: str) -> int:
        return sum(f.status == status for f in self.findings)

    @property
    def failed(self) -> list[Finding]:
        return [f for f in self.findings if f.status == "fail"]

    @property
    def bound(self) -> int:
        return sum(f.status in ("pass", "fail", "errata") and f.is_figure for f in self.findings)


def figures_in(doc: Document):
    """(place, figure) for every figure in reading order; place is "para. N" or the like."""
    for part in doc.parts:
        for sub in [part, *part.subsections]:
            name = (
                "Summary" if part.kind == "summary" else ("Annex" if part.kind == "annex" else "")
            )
            for node in walk(sub.title):
                if isinstance(node, Figure):
                    yield f"heading {sub.number}".strip(), node
            for block in sub.blocks:
                if isinstance(block, Paragraph):
                    place = f"para. {block.number}" if block.number else name or "text"
                    runs = [block.inlines]
                elif isinstance(block, Heading):
                    place, runs = "heading", [block.inlines]
                elif isinstance(block, Schedule):
                    place, runs = (
                        name or "schedule",
                        [block.title] + [i.inlines for i in block.items],
                    )
                else:
                    continue
                for run in runs:
                    for node in walk(run):
                        if isinstance(node, Figure):
                            yield place, node
    for note in sorted(doc.footnotes.values(), key=lambda n: n.number):
        for node in walk(note.inlines):
            if isinstance(node, Figure):
                yield f"footnote {note.number}", node


def read_errata(root: Path) -> list[Erratum]:
    path = root / "content" / "errata.yaml"
    if not path.exists():
        return []
    shown = path.relative_to(root)
    data = load_yaml(path, shown) or []
    if not isinstance(data, Seq):
        raise ReportError("errata.yaml must be a list of entries", Location(shown))
    errata = []
    for entry in data:
        entry = schema.check_keys(
            entry,
            {"figure", "quantity", "reason"},
            {"figure", "quantity", "reason"},
            "erratum",
            Location(shown),
        )
        assert isinstance(entry, Map)
        errata.append(
            Erratum(str(entry["figure"]), str(entry["quantity"]), str(entry["reason"]), entry.loc)
        )
    return errata


def read_sources(root: Path) -> dict[str, str]:
    """Sources of declared figures that the report does not cite in a footnote."""
    data = load_mapping(root, "sources.yaml", "ids to the sources they name")
    return {str(k): str(v) for k, v in data.items()}


def check_document(doc: Document, quantities: Quantities, root: Path) -> CheckReport:
    report = CheckReport()
    errata = read_errata(root)
    sources = read_sources(root)
    for place, figure in figures_in(doc):
        if figure.source is not None:
            report.findings.append(_declared(place, figure, doc, sources))
            continue
        for name in figure.quantities:
            report.findings.append(_bound(place, figure, name, quantities, errata))
    for erratum in errata:
        if not erratum.used:
            report.findings.append(
                Finding("fail", erratum.figure, erratum.loc, "errata", erratum.quantity,
                        message="erratum matches no figure bound to that quantity: remove it",
                        is_figure=False)
            )  # fmt: skip
    return report


def _declared(place: str, figure: Figure, doc: Document, sources: dict[str, str]) -> Finding:
    if figure.source in doc.footnotes:
        note = doc.footnotes[figure.source]
        origin = (
            f"footnote {note.number}"
            if note.number
            else f"footnote {figure.source!r} (never called)"
        )
    elif figure.source in sources:
        origin = sources[figure.source]
    else:
        known = [*doc.footnotes, *sources]
        hint = (
            schema.suggest(figure.source, known)
            or "use a footnote id or add it to content/sources.yaml"
        )
        return Finding(
            "fail",
            figure.text,
            figure.loc,
            place,
            message=f"unknown source {figure.source!r} ({hint})",
        )
    return Finding(
        "declared", figure.text, figure.loc, place, f"src={figure.source}", rule=f"from {origin}"
    )


def _bound(
    place: str, figure: Figure, name: str, quantities: Quantities, errata: list[Erratum]
) -> Finding:
    value = quantities.get(name, figure.loc)
    try:
        stated = parse_figure(figure.text)
        verdict = judge(stated, in_figure_terms(value.value, value.unit, stated))
    except (NotAFigure, UnitMismatch) as exc:
        return Finding("fail", figure.text, figure.loc, place, name, value.value, message=str(exc))
    finding = Finding(
        "pass" if verdict.passed else "fail",
        figure.text,
        figure.loc,
        place,
        name,
        verdict.value,
        verdict.rule,
    )
    for erratum in errata:
        if erratum.figure == figure.text and erratum.quantity == name:
            erratum.used = True
            if verdict.passed:
                finding.message = (
                    f"erratum at {erratum.loc} no longer applies: the figure now matches; remove it"
                )
                finding.status = "fail"
            else:
                finding.status = "errata"
                finding.message = erratum.reason
    return finding
