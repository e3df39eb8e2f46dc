"""Number everything that is counted (sections, paragraphs, tables, footnotes) and resolve
cross-references, so no number is ever typed by an editor."""

from __future__ import annotations

from collections.abc import Iterator

from reporter.content.inline import FootnoteCall, Node, Ref, Str, walk
from reporter.content.languages import reference_words
from reporter.content.model import Document, FigureBlock, Paragraph, TableBlock, Target
from reporter.errors import Collector, ReportError, suggest

ROMAN = [(1000, "M"), (900, "CM"), (500, "D"), (400, "CD"), (100, "C"), (90, "XC"),
         (50, "L"), (40, "XL"), (10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I")]  # fmt: skip
# Words ending in a full stop that end no sentence: "e.g. [@x]" stays "e.g. table 1".
ABBREVIATIONS = {"e.g.", "i.e.", "cf.", "para.", "paras.", "no.", "nos.", "vol.", "viz.", "pp.",
                 "par.", "párr.", "párrs.", "п.", "пп.", "см."}  # fmt: skip


def roman(n: int) -> str:
    out = []
    for value, numeral in ROMAN:
        count, n = divmod(n, value)
        out.append(numeral * count)
    return "".join(out)


def number_document(doc: Document) -> Document:
    """Fill numbers in place: parts, paragraphs, tables, labels, then footnotes and references."""
    _number_parts(doc)
    errors = Collector()  # every unknown footnote and label, not only the first
    _number_footnotes(doc, errors)
    for inlines in _all_inlines(doc):
        for ref, opens_sentence in _refs(inlines):
            with errors.each():
                _resolve(ref, doc, opens_sentence)
    errors.done()
    return doc


def _refs(inlines: list[Node]) -> Iterator[tuple[Ref, bool]]:
    """Each reference of a run, and whether it starts a sentence; the text of one, once
    resolved, is read before the next."""
    before = ""
    for node in walk(inlines):
        if isinstance(node, Ref):
            yield node, _starts_sentence(before)
        if isinstance(node, Ref | Str):
            before = (before + node.text)[-40:]


def _starts_sentence(before: str) -> bool:
    """Whether what follows `before` starts a sentence: nothing but space before it in its
    paragraph (footnote, note), or a full stop, question or exclamation mark, maybe closing
    quotes or brackets, and a space; an abbreviation's full stop ("e.g.") ends no sentence."""
    text = before.rstrip()
    if not text:
        return True
    if text == before:
        return False  # "x.[@a]": no space
    last = text.rsplit(None, 1)[-1].rstrip("\"'\u201d\u2019)]")
    return last.endswith((".", "?", "!")) and last.lower() not in ABBREVIATIONS


def _register(doc: Document, label: str | None, target: Target) -> None:
    if not label:
        return
    if label in doc.labels:
        raise ReportError(
            f"label {label!r} is used twice (first at {doc.labels[label].loc})",
            target.loc,
            "labels must be unique",
        )
    doc.labels[label] = target


def _number_parts(doc: Document) -> None:
    sections = annexes = 0
    annex_parts = [p for p in doc.parts if p.kind == "annex"]
    for part in doc.parts:
        if part.kind == "section":
            sections += 1
            part.number = roman(sections)
        elif part.kind == "annex":
            annexes += 1
            part.number = roman(annexes) if len(annex_parts) > 1 else ""
        _register(doc, part.label, Target(part.kind, part.number, part.html_id, part.loc))
        for letter, sub in zip("ABCDEFGHIJKLMNOPQRSTUVWXYZ", part.subsections, strict=False):
            sub.number = f"{part.number}.{letter}"
            _register(doc, sub.label, Target("subsection", sub.number, sub.html_id, sub.loc))
    _number_blocks(doc)


def _number_blocks(doc: Document) -> None:
    """Paragraphs 1, 2, … through the whole document; tables 1, 2, …; figures I, II, …"""
    paragraphs = tables = figures = 0
    for block in doc.blocks():
        if isinstance(block, Paragraph) and block.numbered:
            paragraphs += 1
            block.number = paragraphs
            target = Target("para", str(paragraphs), block.html_id, block.loc)
            _register(doc, block.label, target)
        elif isinstance(block, Paragraph) and block.label:
            raise ReportError("only numbered paragraphs can carry a label", block.loc)
        elif isinstance(block, TableBlock):
            tables += 1
            block.number = tables
            _register(doc, block.id, Target("table", str(tables), f"table-{tables}", block.loc))
        elif isinstance(block, FigureBlock):
            figures += 1
            block.number = roman(figures)
            target = Target("figure", block.number, f"figure-{block.number}", block.loc)
            _register(doc, block.id, target)


def _all_inlines(doc: Document):
    """Every run of text in reading order, tables' and charts' included; footnotes once
    numbered (they follow their calls)."""
    for _, inlines in doc.runs():
        yield inlines


def _number_footnotes(doc: Document, errors: Collector) -> None:
    count = 0
    for _, inlines in list(doc.runs(footnotes=False)):
        for node in walk(inlines):
            if not isinstance(node, FootnoteCall) or node.table_note:
                continue  # a table's own notes are lettered with the table
            note = doc.footnotes.get(node.id)
            if note is None:
                hint = suggest(node.id, doc.footnotes) or "add it to content/footnotes.yaml"
                errors.errors.append(ReportError(f"unknown footnote {node.id!r}", node.loc, hint))
                continue
            if not note.number:
                count += 1
                note.number = count
                node.first = True
            node.number = str(note.number)
    for note in doc.footnotes.values():
        if not note.number:
            doc.warnings.append(f"{note.loc}: footnote {note.id!r} is never called")
        for node in walk(note.inlines):
            if isinstance(node, FootnoteCall):
                raise ReportError("a footnote cannot call another footnote", note.loc)


def _resolve(ref: Ref, doc: Document, capital: bool = False) -> None:
    """Fill the reference's text and target; `capital`: it starts a sentence, and so does
    its kind word ("Table 1 shows")."""
    first = _target(ref.first, ref, doc)
    ref.target = first.html_id
    words = reference_words(doc.meta.get("language") or "en")  # "table {}", "第{}段"
    if ref.last is None:
        one = words["section" if first.kind == "subsection" else first.kind][0]
        ref.text = one.format(first.number).strip() if ref.with_kind else first.number
    else:
        span = _span(ref, first, _target(ref.last, ref, doc))
        ref.text = words["para"][1].format(span) if ref.with_kind else span
    if capital and ref.with_kind:
        ref.text = ref.text[:1].upper() + ref.text[1:]


def _span(ref: Ref, first: Target, last: Target) -> str:
    """The numbers of a range of paragraphs, "60-68"."""
    if first.kind != "para" or last.kind != "para":
        raise ReportError("a range a..b must join two paragraph labels", ref.loc)
    if int(last.number) <= int(first.number):
        raise ReportError(
            f"range {ref.first}..{ref.last} runs backwards (para. {first.number} to {last.number})",
            ref.loc,
        )
    return f"{first.number}-{last.number}"


def _target(label: str, ref: Ref, doc: Document) -> Target:
    if label not in doc.labels:
        raise ReportError(
            f"unknown label {label!r}",
            ref.loc,
            suggest(label, doc.labels) or "label the paragraph, section or table it points to",
        )
    return doc.labels[label]
