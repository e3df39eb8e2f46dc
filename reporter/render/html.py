"""The document model + computed tables -> HTML through the project's Jinja templates.

Templates are no more trusted than content (docs/security.md): they run in Jinja's immutable
sandbox, which refuses private and internal attributes (`__globals__`, `__class__`) and any
change to the values it is given, so a template can print what the build gives it and nothing
else. No content string is ever compiled as a template: prose reaches the template as inline
nodes rendered (and escaped) by `inline_html`.
"""

from __future__ import annotations

import datetime as dt
import functools
from pathlib import Path

import jinja2
from jinja2.sandbox import ImmutableSandboxedEnvironment, SecurityError
from markupsafe import Markup, escape

from reporter.content.english import MONTHS
from reporter.content.inline import plain_text
from reporter.content.model import Document, FigureBlock, Heading, Paragraph, Schedule, TableBlock
from reporter.errors import Location, ReportError
from reporter.render.inline_html import inline_html

TEMPLATE = "document.html.j2"


# The theme's own words in the six official languages of the United Nations (the content
# brings every other word). English is the default, for a language not listed too.
LABELS = {
    "en": {"table": "Table", "figure": "Figure", "distr": "Distr.:", "original": "Original:",
           "annex": "Annex"},
    "fr": {"table": "Tableau", "figure": "Figure", "distr": "Distr. :", "original": "Original :",
           "annex": "Annexe"},
    "es": {"table": "Cuadro", "figure": "Gráfico", "distr": "Distr.:", "original": "Original:",
           "annex": "Anexo"},
    "ru": {"table": "Таблица", "figure": "Диаграмма", "distr": "Distr.:",
           "original": "Original:", "annex": "Приложение"},
    "ar": {"table": "الجدول", "figure": "الشكل", "distr": "Distr.:", "original": "Original:",
           "annex": "المرفق"},
    "zh": {"table": "表", "figure": "图", "distr": "Distr.:", "original": "Original:",
           "annex": "附件"},
}  # fmt: skip


def un_date(date: dt.date, language: str = "en") -> str:
    """'3 August 2012' in English, whatever the machine's locale; in another language, its
    long date as CLDR writes it (Babel): '3 août 2012', '2012年8月3日'."""
    if language.split("-")[0] == "en":
        return f"{date.day} {MONTHS[date.month - 1]} {date.year}"
    from babel.dates import format_date  # only for another language: 0.1 s of import

    return format_date(date, format="long", locale=language.replace("-", "_"))


def label(name: str, language: str = "en") -> str:
    """One of the theme's words (LABELS) in the document's language."""
    return LABELS.get(language.split("-")[0], LABELS["en"])[name]


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
    except SecurityError as exc:
        raise ReportError(
            f"template error: {exc}",
            _template_line(exc),
            "a template may print the document's values only (docs/security.md)",
        ) from None
    except jinja2.TemplateError as exc:
        raise ReportError(f"template error: {exc}", _template_line(exc)) from None


@functools.lru_cache(maxsize=8)
def _environment(templates: Path) -> ImmutableSandboxedEnvironment:
    """One environment per templates folder in a process, so that a watcher or an edition
    worker parses the template once (it is reloaded when its file changes). Nothing in it
    depends on the document: the filters read the notes from the render's context."""
    env = ImmutableSandboxedEnvironment(
        loader=jinja2.FileSystemLoader(templates, followlinks=False),
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
        # drawn by matplotlib, which escapes the labels it writes
        return Markup(titled_svg(chart.svg, chart_alt(chart)))

    @jinja2.pass_context
    def dated(context, date) -> str:
        return un_date(date, context["meta"].get("language") or "en")

    @jinja2.pass_context
    def word(context, name) -> str:
        return label(name, context["meta"].get("language") or "en")

    env.filters.update(
        prose=prose, table_prose=table_prose, un_date=dated, label=word, svg=svg, alt=chart_alt
    )
    env.tests.update(
        paragraph=lambda b: isinstance(b, Paragraph),
        heading=lambda b: isinstance(b, Heading),
        table=lambda b: isinstance(b, TableBlock),
        figure=lambda b: isinstance(b, FigureBlock),
        schedule=lambda b: isinstance(b, Schedule),
    )
    return env


def chart_alt(chart) -> str:
    """A chart's text alternative: its spec's `alt`, or else its title."""
    return chart.spec.alt.strip() or plain_text(chart.spec.title)


def titled_svg(svg: str, title: str) -> str:
    """The SVG with `title` (escaped) as the first child of its root <svg>: a browser reads it
    as the image's name, and WeasyPrint's tagged PDF as the /Alt text of its Figure."""
    start = svg.find("<svg")
    if start < 0:
        return svg
    end = svg.index(">", start) + 1
    return f"{svg[:end]}<title>{escape(title)}</title>{svg[end:]}"


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
