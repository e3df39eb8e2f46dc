"""Inline nodes -> HTML. Every piece of content text is escaped here; nothing is interpreted."""

from __future__ import annotations

from markupsafe import Markup, escape

from reporter.content.inline import Computed, Emph, Figure, FootnoteCall, Link, Node, Ref, Str


def inline_html(nodes: list[Node], notes: dict | None = None, table_notes: str = "") -> Markup:
    """HTML for a run of prose. `notes` maps footnote number -> rendered text, for the first
    call of each footnote, which carries the note itself (CSS float: footnote in print).
    `table_notes` is the id prefix of a table's lettered notes."""
    out: list[str] = []
    for node in nodes:
        if isinstance(node, Str):
            out.append(escape(node.text))
        elif isinstance(node, Emph):
            out.append(Markup("<em>%s</em>") % inline_html(node.children, notes, table_notes))
        elif isinstance(node, Link):
            out.append(
                Markup('<a href="%s">%s</a>')
                % (node.url, inline_html(node.children, notes, table_notes))
            )
        elif isinstance(node, Figure):
            attr = " ".join(node.quantities) if node.quantities else f"src:{node.source}"
            out.append(
                Markup('<span class="figure" data-bind="%s">%s</span>')
                % (attr, inline_html(node.children, notes, table_notes))
            )
        elif isinstance(node, Computed):  # its text is written by the check: shown() insists
            out.append(
                Markup('<span class="computed" data-bind="%s">%s</span>')
                % (node.quantity, node.shown())
            )
        elif isinstance(node, Ref):
            out.append(Markup('<a class="ref" href="#%s">%s</a>') % (node.target, node.text))
        elif isinstance(node, FootnoteCall):
            out.append(_call(node, notes, table_notes))
    return Markup("").join(out)


def _call(node: FootnoteCall, notes: dict | None, table_notes: str) -> Markup:
    n = node.number
    if table_notes and node.table_note:
        return Markup('<sup class="tn-call"><a href="#%s-%s">%s</a></sup>') % (table_notes, n, n)
    call = Markup('<sup class="fn-call"><a href="#fn-%s"%s>%s</a></sup>') % (
        n, Markup(f' id="fnref-{n}"') if node.first else "", n,
    )  # fmt: skip
    if node.first and notes is not None:
        # the note travels with its first call: WeasyPrint floats it to the page foot. In
        # print the note is the target of the calls (the list of notes, #fn-N on screen, is
        # not printed): WeasyPrint's anchor property names it; browsers ignore the property
        call += Markup(
            '<span style="-weasy-anchor: \'fn-%s\'" class="footnote" data-n="%s">%s</span>'
        ) % (n, n, notes[n])
    return call
