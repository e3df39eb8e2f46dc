"""The document model + computed tables -> HTML through the project's Jinja templates.

Templates are trusted; content is not: no content string is ever compiled as a template.
Prose reaches the template as inline nodes rendered (and escaped) by `inline_html`.
"""

from __future__ import annotations

import datetime as dt
import functools
from pathlib import Path

import jinja2
from markupsafe import Markup

from reporter.content.english import MONTHS
from reporter.content.model import Document, FigureBlock, Heading, Paragraph, Schedule, TableBlock
from reporter.errors import Location, ReportError
from reporter.render.inline_html import inline_html

TEMPLATE = "document.html.j2"


def un_date(date: dt.date) -> str:
    """'3 August 2012', whatever the machine's locale."""
    return f"{date.day} {MONTHS[date.month - 1]} {date.year}"


def render_html(
    doc: Document, tables: dict, templates: Path, draft: str = "", charts: dict | None = None
) -> str:
    env = _environment(templates)
    notes = {str(n.number): inline_html(n.inlines) for n in doc.footnotes.values() if n.number}
    try:
        template = env.get_template(TEMPLATE)
        return template.render(
            doc=doc,
            meta=doc.meta,
            tables=tables,
            charts=charts or {},
            footnotes=sorted(
                (n for n in doc.footnotes.values() if n.number), key=lambda n: n.number
            ),
            notes=notes,
            draft=draft,
        )
    except jinja2.TemplateSyntaxError as exc:
        raise ReportError(
            f"template error: {exc.message}",
            Location(Path("templates") / (exc.name or TEMPLATE), exc.lineno or 0),
            "fix the Jinja syntax",
        ) from None
    except jinja2.TemplateNotFound as exc:
        raise ReportError(
            f"template {exc.name} not found", Location(Path("templates")), "restore it"
        ) from None
    except jinja2.UndefinedError as exc:
        raise ReportError(
            f"template error: {exc.message}", _template_line(exc), "check the variable name"
        ) from None


@functools.lru_cache(maxsize=8)
def _environment(templates: Path) -> jinja2.Environment:
    """One environment per templates folder in a process, so that a watcher or an edition
    worker parses the template once (it is reloaded when its file changes). Nothing in it
    depends on the document: the filters read the notes from the render's context."""
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(templates),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )

    @jinja2.pass_context
    def prose(context, nodes) -> Markup:
        return inline_html(nodes, context["notes"])

    @jinja2.pass_context
    def table_prose(context, nodes, table) -> Markup:
        return inline_html(nodes, context["notes"], table_notes=f"table-{table.number}-note")

    def svg(chart) -> Markup:
        return Markup(chart.svg)  # drawn by matplotlib, which escapes the labels it writes

    env.filters.update(prose=prose, table_prose=table_prose, un_date=un_date, svg=svg)
    env.tests.update(
        paragraph=lambda b: isinstance(b, Paragraph),
        heading=lambda b: isinstance(b, Heading),
        table=lambda b: isinstance(b, TableBlock),
        figure=lambda b: isinstance(b, FigureBlock),
        schedule=lambda b: isinstance(b, Schedule),
    )
    return env


def _template_line(exc: Exception) -> Location:
    """The template file and line an error was raised from, read off the traceback."""
    tb = exc.__traceback__
    where = Location(Path("templates") / TEMPLATE)
    while tb is not None:
        name = tb.tb_frame.f_code.co_filename
        if name.endswith(".j2"):
            where = Location(Path("templates") / Path(name).name, tb.tb_lineno)
        tb = tb.tb_next
    return where
