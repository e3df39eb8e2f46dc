"""Run the check: every bound figure against its quantity, declared figures against their
sources, errata, table consistency, and (on request) numbers left unbound."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from reporter.check.computed import computed_value, write
from reporter.check.figures import NotAFigure, parse_figure
from reporter.check.rules import UnitMismatch, Verdict, in_figure_terms, judge
from reporter.compute.quantities import Quantities
from reporter.content import schema
from reporter.content.inline import Computed, Figure, Str, plain_text
from reporter.content.languages import UnknownLanguage, direction, primary
from reporter.content.model import Document
from reporter.content.tablespec import NA_MARK
from reporter.content.yamlsource import load_mapping, load_yaml
from reporter.errors import Collector, Location, ReportError, suggest


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
    kind: str = "figure"  # figure | table (a table's own check) | erratum (stale) | unbound

    @property
    def is_figure(self) -> bool:
        return self.kind == "figure"


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
    """(place, figure, the text before it in its run) for every figure, in reading order:
    paragraphs, headings, the summary, the annex, tables' and charts' texts, footnotes."""
    for place, node, before in claims_in(doc):
        if isinstance(node, Figure):
            yield place, node, before


def claims_in(doc: Document):
    """(place, node, the text before it) for every figure and computed value, in reading
    order; a computed value's text counts in what follows once the check has written it."""
    for place, inlines in doc.runs():
        for node, before in _figures(inlines, []):
            yield place, node, before


def _figures(nodes: list, before: list[str]):
    for node in nodes:
        if isinstance(node, Figure | Computed):
            yield node, "".join(before)
            before.append(node.text or "")
        elif isinstance(node, Str):
            before.append(node.text)
        elif getattr(node, "children", None):
            yield from _figures(node.children, before)
        else:
            before.append(plain_text([node]))


def read_errata(root: Path) -> list[Erratum]:
    """content/errata.yaml, validated against its schema (content/schemas/errata.schema.json)."""
    path = root / "content" / "errata.yaml"
    if not path.exists():
        return []
    shown = path.relative_to(root)
    data = load_yaml(path, shown)
    if data is None:
        return []
    schema.validate(data, "errata", Location(shown))
    return [
        Erratum(schema.text(e["figure"]), schema.text(e["quantity"]), schema.text(e["reason"]),
                e.loc)
        for e in data
    ]  # fmt: skip


def read_sources(root: Path) -> dict[str, str]:
    """Sources of declared figures that the report does not cite in a footnote."""
    data = load_mapping(root, "sources.yaml", "ids to the sources they name")
    schema.validate(data, "sources", data.loc)
    return {str(k): schema.text(v) for k, v in data.items()}


def check_document(doc: Document, quantities: Quantities, root: Path) -> CheckReport:
    report = CheckReport()
    errata = read_errata(root)
    sources = read_sources(root)
    aliases = read_aliases(root)
    language = _language(doc)
    errors = Collector()  # every unknown quantity, wherever it stands, in one run
    for place, figure, before in claims_in(doc):
        if isinstance(figure, Computed):
            with errors.each():
                value = computed_value(figure, quantities, language)
                na = doc.meta.get("na") or NA_MARK
                found = _computed(place, figure, value, before, aliases, language, na)
                report.findings.append(found)
            continue
        if figure.source is not None:
            report.findings.append(_declared(place, figure, doc, sources))
            continue
        for name in figure.quantities:
            with errors.each():
                value = quantities.get(name, figure.loc)
                if value.text is not None:
                    report.findings.append(_named(place, figure, name, value, aliases))
                else:
                    finding = _bound(place, figure, name, value, before, errata, language)
                    report.findings.append(finding)
    errors.done()
    for erratum in errata:
        if not erratum.used:
            report.findings.append(
                Finding("fail", erratum.figure, erratum.loc, "errata", erratum.quantity,
                        message="erratum matches no figure bound to that quantity: remove it",
                        kind="erratum")
            )  # fmt: skip
    return report


def _language(doc: Document) -> str:
    try:
        return primary(doc.meta.get("language", "en"))
    except UnknownLanguage as exc:
        raise ReportError(str(exc), Location(Path("content/document.yaml"))) from None


def _computed(
    place: str, node: Computed, value, before: str, aliases: dict, language: str = "en",
    na: str = NA_MARK,
) -> Finding:  # fmt: skip
    """A computed value: its text written from the data, then checked as a typed figure is
    (words chosen by the sign alone pass, unless no word fits). No value writes the
    document's NA mark (`na`), and fails."""
    if value.missing:
        node.text = na
        return _not_available(place, node, node.quantity, value)
    written = write(node, value, change_direction(before, language), language)
    node.text = written.text
    if value.text is not None:
        return _named(place, node, node.quantity, value, aliases)
    if not written.figure:
        status = "fail" if written.problem else "pass"
        return Finding(status, node.text, node.loc, place, node.quantity, value.value,
                       written.rule, written.problem)  # fmt: skip
    figure = Figure(node.offset, node.loc, written.figure, [node.quantity])
    finding = _bound(place, figure, node.quantity, value, before, [], language)
    finding.text = node.text
    finding.rule = "; ".join(filter(None, (written.rule, finding.rule)))
    if written.figure.startswith("\u2212"):  # as typed: a change is its size after its direction
        finding.message += (
            f" (write the direction before it: {{={node.quantity} sign rose|fell}} by)"
        )
    return finding


def _not_available(place: str, figure: Figure | Computed, name: str, value) -> Finding:
    """A figure bound to no value: it fails, naming the data cell the value is missing from."""
    message = f"{name} has no value: {value.missing}"
    return Finding("fail", figure.text, figure.loc, place, name, None, message=message)


def _named(place: str, figure: Figure, name: str, value, aliases: dict) -> Finding:
    """A name bound to the data: the same name, or one of its declared other spellings."""
    written, computed = _name_key(figure.text), _name_key(value.text)
    spellings = {computed, *(_name_key(a) for a in aliases.get(computed, ()))}
    passed = written in spellings
    rule = "the same name" + (" or a declared alias" if len(spellings) > 1 else "")
    message = "" if passed else f"the data give {value.text!r}"
    if not passed and computed not in aliases:
        message += " (another spelling? declare it in content/aliases.yaml)"
    status = "pass" if passed else "fail"
    return Finding(status, figure.text, figure.loc, place, name, None, rule, message)


def _name_key(text: str) -> str:
    """Names compare without case, extra spaces or a leading "the"."""
    key = " ".join(text.casefold().split())
    return key.removeprefix("the ")


def read_aliases(root: Path) -> dict[str, list[str]]:
    """content/aliases.yaml: a name as the data write it -> the other spellings the text may
    use ("United States of America: [the United States, the USA]"); validated against its
    schema (content/schemas/aliases.schema.json)."""
    data = load_mapping(root, "aliases.yaml", "names to lists of other spellings")
    schema.validate(data, "aliases", data.loc)
    return {
        _name_key(name): [schema.text(s) for s in (items if isinstance(items, list) else [items])]
        for name, items in data.items()
    }


_FELL = re.compile(
    r"\b(?:fell|fallen|falls|declined|declines|decreased|decreases|dropped|drops|shrank|"
    r"shrunk|reduced|down)\s+by\s*$|\b(?:decline|decrease|drop|fall|reduction)\s+of\s*$",
    re.IGNORECASE,
)
_ROSE = re.compile(
    r"\b(?:rose|risen|rises|increased|increases|grew|grown|grows|climbed|up)\s+by\s*$"
    r"|\b(?:increase|rise|growth|gain)\s+of\s*$",
    re.IGNORECASE,
)


def change_direction(before: str, language: str = "en") -> str:
    """ "fell" or "rose" when the words just before a figure state a change's direction
    ("declined by", "an increase of"; content/languages.py in other languages), else ""."""
    if language != "en":
        return direction(before, language)
    tail = before[-40:]
    if _FELL.search(tail):
        return "fell"
    return "rose" if _ROSE.search(tail) else ""


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
            suggest(figure.source, known) or "use a footnote id or add it to content/sources.yaml"
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
    place: str,
    figure: Figure,
    name: str,
    value,
    before: str,
    errata: list[Erratum],
    language: str = "en",
) -> Finding:
    if value.missing:  # an erratum cannot excuse it: the data have no value to be wrong
        for erratum in errata:
            erratum.used = erratum.used or (erratum.figure, erratum.quantity) == (figure.text, name)
        return _not_available(place, figure, name, value)
    try:
        stated = parse_figure(figure.text, language)
        computed = in_figure_terms(value.value, value.unit, stated)
    except (NotAFigure, UnitMismatch) as exc:
        return Finding("fail", figure.text, figure.loc, place, name, value.value, message=str(exc))
    stated_direction = change_direction(before, language)
    fell = stated_direction == "fell"
    verdict = judge(stated, -computed if fell else computed)
    if stated_direction and (computed < 0) != fell:
        sign = "a fall" if computed < 0 else "a rise"
        rule = f"{verdict.rule}; the text says it {stated_direction}, the data give {sign}"
        verdict = Verdict(False, rule, verdict.value)
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
