"""reporter/render/html.py: the document model and computed tables through the project's
Jinja templates into one HTML document — content escaped, every anchor unique and every
reference pointing at one, footnotes listed at the end, tables' header cells, headings one
level at a time, a chart's alt text as its SVG's title, the draft stamp only when asked, and
the same bytes on every render."""

from __future__ import annotations

import datetime as dt
import json
from html.parser import HTMLParser

import pytest

from reporter.errors import ReportError
from reporter.pipeline import build, compute_charts, compute_tables, load
from reporter.render.html import render_html, un_date
from tests.conftest import ROOTS, copy_root


class Page(HTMLParser):
    """The elements of an HTML page: (tag, attributes) in order, ids, internal links, text."""

    def __init__(self, html: str) -> None:
        super().__init__(convert_charrefs=True)
        self.elements: list[tuple[str, dict]] = []
        self.text: list[str] = []
        self.feed(html)
        self.close()

    def handle_starttag(self, tag, attrs):
        self.elements.append((tag, dict(attrs)))

    def handle_data(self, data):
        self.text.append(data)

    def ids(self) -> list[str]:
        return [a["id"] for _, a in self.elements if "id" in a]

    def links(self) -> list[str]:
        return [a["href"][1:] for t, a in self.elements if t == "a" and a["href"].startswith("#")]

    def all(self, tag: str, cls: str | None = None) -> list[dict]:
        return [a for t, a in self.elements if t == tag and (cls is None or a.get("class") == cls)]


def render(project, draft: str = "") -> str:
    doc = load(project)
    tables = compute_tables(doc, project)
    return render_html(doc, tables, project.templates, draft, compute_charts(doc, tables, project))


@pytest.fixture(scope="module")
def basic(tmp_path_factory):
    return copy_root("basic", tmp_path_factory.mktemp("html") / "basic")


@pytest.fixture(scope="module")
def html(basic) -> str:
    return render(basic)


@pytest.fixture(scope="module")
def chart_html(tmp_path_factory) -> str:
    return render(copy_root("chart", tmp_path_factory.mktemp("html") / "chart"))


def test_every_id_is_unique_and_every_internal_link_has_its_target(html, chart_html):
    for page in (Page(html), Page(chart_html)):
        ids = page.ids()
        assert len(ids) == len(set(ids)), sorted(i for i in ids if ids.count(i) > 1)
        assert set(page.links()) <= set(ids)


def test_anchors_of_sections_paragraphs_tables_rows_and_footnotes(html):
    ids = Page(html).ids()
    anchors = ["trends", "europe", "outlook", "programme", "para-1", "para-4", "table-1",
               "table-1-europe", "table-1-total", "fn-1", "fnref-1", "fn-3", "fn-star"]  # fmt: skip
    assert set(anchors) <= set(ids)
    assert "para-5" not in ids  # the summary's and the annex's paragraphs are not numbered
    assert Page(html).links().count("para-1") == 1  # [@first..second] links to the first


def test_paragraphs_carry_their_numbers(html):
    page = Page(html)
    numbered = page.all("p", "para")
    assert [p["id"] for p in numbered] == ["para-1", "para-2", "para-3", "para-4"]
    assert len(page.all("p", "text")) == 3
    assert '<span class="para-number">3.</span> Europe hosted' in html


def test_footnotes_are_listed_at_the_end_in_order_and_travel_with_their_first_call(html):
    main_end, notes = html.index("</main>"), html.index('<aside class="notes"')
    assert main_end < notes
    items = Page(html[notes:]).all("li")
    assert [(li["id"], li["value"]) for li in items] == [("fn-1", "1"), ("fn-2", "2"),
                                                         ("fn-3", "3")]  # fmt: skip
    assert "United Nations, <em>International Migrant Stock 2019</em>." in html[notes:]
    # the note's text goes with its first call (for print), and only with the first
    assert html[:main_end].count('class="footnote" data-n="1">') == 1
    calls = Page(html[:main_end]).all("sup", "fn-call")
    assert len(calls) == 4
    second = html.index('<a href="#fn-1">1</a>')  # the second call: no id, no note
    assert html.index('id="fnref-1"') < second


def test_table_header_cells_span_their_columns(chart_html):
    page = Page(chart_html)
    headers = [(a.get("rowspan"), a.get("colspan"), a["class"]) for a in page.all("th")
               if a.get("scope") == "col"]  # fmt: skip
    assert headers == [
        ("2", None, "leaf"),  # Region, the stub's heading, over both rows
        (None, "3", "group"),  # Millions, over 1990, 2019 and Increase
        ("2", None, "leaf num"),
        (None, None, "leaf num"), (None, None, "leaf num"), (None, None, "leaf num"),
    ]  # fmt: skip
    rows = [(a["class"], a["id"]) for a in page.all("tr") if a.get("id", "").startswith("table-")]
    assert rows == [("data", "table-1-europe"), ("data", "table-1-asia"),
                    ("data", "table-1-americas"), ("grand-total", "table-1-total")]  # fmt: skip
    assert len([a for a in page.all("th") if a.get("scope") == "row"]) == 4


def test_figures_are_numbered_with_their_svg_and_alt_text(chart_html):
    page = Page(chart_html)
    assert [a["id"] for a in page.all("figure", "chart")] == ["figure-I", "figure-II"]
    assert [a["aria-label"] for a in page.all("div", "chart-svg")][0] == (
        "Bar chart of the migrants in each region in 1990 and 2019."
    )
    assert chart_html.count("<svg") == 2


def headings(html: str) -> list[tuple[str, str]]:
    """(tag, class) of every heading, in order."""
    return [
        (t, a.get("class", "")) for t, a in Page(html).elements if t in ("h1", "h2", "h3", "h4")
    ]


def test_headings_descend_one_level_at_a_time(html, make_root):
    # part h2, its subsection h3, a heading among the subsection's blocks h4; the annex's
    # label h2 and title h3, its schedule's title h4
    assert headings(html) == [
        ("h1", ""), ("h2", ""), ("h2", ""), ("h3", ""), ("h4", "heading"), ("h2", ""),
        ("h2", "annex-label"), ("h3", "annex-title"), ("h4", "heading"),
    ]  # fmt: skip
    # a heading among a part's own blocks is an h3 (an h4 there would skip a level)
    trends = (ROOTS / "basic/content/01-trends.yaml").read_text(encoding="utf-8")
    moved = trends.replace("  - table: hosts\n", "  - heading: Hosts\n  - table: hosts\n")
    out = render(make_root("basic", {"content/01-trends.yaml": moved}))
    assert [t for t, _ in headings(out)][:5] == ["h1", "h2", "h2", "h3", "h3"]
    assert '<h3 class="heading">Hosts</h3>' in out


def test_the_times_of_a_schedule_head_their_rows(html):
    page = Page(html)
    assert [a for a in page.all("th") if a.get("class") == "time"] == [
        {"scope": "row", "class": "time"}
    ] * 2
    assert '<th scope="row" class="time">10 a.m.-1 p.m.</th>' in html


def test_a_charts_alt_text_is_the_title_of_its_svg(chart_html, make_root):
    # WeasyPrint's tagged PDF takes a Figure's /Alt from its SVG's <title>
    assert chart_html.count("<title>") == 3  # the page's and one per chart
    svg = chart_html[chart_html.index("<svg") :]
    assert svg[svg.index(">") + 1 :].startswith(
        "<title>Bar chart of the migrants in each region in 1990 and 2019.</title>"
    )
    # escaped once; an empty alt falls back to the chart's title
    chart = (ROOTS / "chart/content/charts/by-region.yaml").read_text(encoding="utf-8")
    project = make_root("chart", {
        "content/charts/by-region.yaml": chart.replace(
            "alt: Bar chart", 'alt: "<b>Bars</b> & \\"quotes\\"" #'),
        "content/charts/growth.yaml": (ROOTS / "chart/content/charts/growth.yaml")
        .read_text(encoding="utf-8").replace("alt: Stacked", 'alt: ""  #'),
    })  # fmt: skip
    out = render(project)
    assert "<title>&lt;b&gt;Bars&lt;/b&gt; &amp; &#34;quotes&#34;</title>" in out
    assert 'aria-label="&lt;b&gt;Bars&lt;/b&gt; &amp; &#34;quotes&#34;"' in out
    assert "<title>Migrants in 1990 and the increase to 2019, Europe and Asia</title>" in out


def test_the_masthead(html):
    page = Page(html)
    text = " ".join(" ".join(page.text).split())
    assert "<title>T/BASIC/1: A basic report</title>" in html
    assert '<html lang="en">' in html and "@page { size: A4; }" in html
    assert "15 March 2021" in text and "Distr.: General" in text and "Original: English" in text
    assert "Item 1 of the provisional agenda" in text


DRAFT = "DRAFT \u2014 1 figure fails the check against the data"


def test_the_draft_stamp_is_there_only_when_asked(basic, html):
    assert 'class="draft' not in html and "data-draft" not in html
    stamped = render(basic, draft=DRAFT)
    page = Page(stamped)
    (body,) = page.all("body")
    assert body == {"class": "draft", "data-draft": DRAFT}
    assert len(page.all("div", "draft-stamp")) == 1
    # apart from the stamp, the document is the same
    unstamped = stamped.replace(f' class="draft" data-draft="{DRAFT}"', "")
    start = unstamped.index('<div class="draft-stamp"')
    end = unstamped.index("</div>", start) + len("</div>\n")
    assert unstamped[:start] + unstamped[end:] == html


def test_a_draft_build_is_stamped_when_a_figure_fails(make_root):
    trends = (ROOTS / "basic/content/01-trends.yaml").read_text(encoding="utf-8")
    project = make_root("basic", {"content/01-trends.yaml": trends.replace("[47.9", "[49.9")})
    with pytest.raises(ReportError, match="49.9 million"):
        build(project, pdf=False, progress=lambda _: None)
    result = build(project, pdf=False, draft=True, progress=lambda _: None)
    assert 'class="draft-stamp"' in result.html.read_text(encoding="utf-8")


HOSTILE = '<script>alert(1)</script> & {{ config }} {% raw %} "quoted" <img src=x onerror=y>'


def test_content_is_escaped_everywhere_never_markup_or_template(make_root):
    quoted = json.dumps(HOSTILE)  # a JSON string is a YAML double-quoted scalar
    project = make_root("basic", {
        "content/02-outlook.yaml": f"""
            kind: section
            title: {quoted}
            blocks:
              - heading: {quoted}
              - p: {quoted}
              - text: {json.dumps(HOSTILE + "[^desa]")}
        """,
        "content/footnotes.yaml": f"desa: {quoted}\neurostat: E.\noecd: O.\n",
        "content/document.yaml": (ROOTS / "basic/content/document.yaml")
        .read_text(encoding="utf-8").replace("title: A basic report", f"title: {quoted}"),
    })  # fmt: skip
    html = render(project)
    assert "<script>" not in html and "<img" not in html
    assert html.count("&lt;script&gt;alert(1)&lt;/script&gt; &amp; {{ config }} {% raw %}") >= 7
    text = "".join(Page(html).text)
    assert text.count(HOSTILE) >= 7  # title (2), heading, section title, p, text, footnote (2)


def test_rendering_is_deterministic_in_any_folder(basic, html, tmp_path):
    assert render(basic) == html
    assert render(copy_root("basic", tmp_path / "elsewhere" / "basic")) == html


def test_a_template_error_names_the_template_and_line(make_root):
    project = make_root("basic", own_templates=True)
    template = project.templates / "document.html.j2"
    lines = template.read_text(encoding="utf-8").splitlines(keepends=True)
    broken = lines[:2] + ["{% if %}\n"] + lines[2:]
    template.write_text("".join(broken), encoding="utf-8")
    with pytest.raises(ReportError) as err:
        render(project)
    assert str(err.value).startswith("templates/document.html.j2:3: template error: ")
    assert str(err.value).endswith("(fix the Jinja syntax)")


def test_an_undefined_name_in_a_template_names_its_line(make_root):
    project = make_root("basic", own_templates=True)
    template = project.templates / "document.html.j2"
    text = template.read_text(encoding="utf-8").replace("<main>", "<main>{{ meta.nonsense }}")
    template.write_text(text, encoding="utf-8")
    line = text[: text.index("{{ meta.nonsense }}")].count("\n") + 1
    with pytest.raises(ReportError) as err:
        render(project)
    assert str(err.value).startswith(f"templates/document.html.j2:{line}: template error: ")
    assert "nonsense" in str(err.value)


def test_a_missing_template_is_named(make_root):
    project = make_root("basic", own_templates=True)
    (project.templates / "document.html.j2").unlink()
    with pytest.raises(ReportError) as err:
        render(project)
    assert str(err.value) == "templates: template document.html.j2 not found (restore it)"


# Templates are untrusted (docs/security.md): each of these would run code, read a file or
# change the build's values in a plain Jinja environment.
ESCAPES = [
    "{{ cycler.__init__.__globals__.os.popen('touch MARK') }}",
    "{{ lipsum.__globals__['os'].system('touch MARK') }}",
    "{{ ''.__class__.__mro__[1].__subclasses__() }}",
    "{{ doc.__class__.__init__.__globals__ }}",
    "{% set _ = doc.parts.clear() %}",  # the immutable sandbox: no change to what it is given
    "{% set _ = meta.update({'symbol': 'X'}) %}",
    "{{ meta.__setitem__('symbol', 'X') }}",
]


@pytest.mark.parametrize("template", ESCAPES)
def test_a_template_runs_in_the_sandbox(make_root, tmp_path, capsys, template):
    from reporter.cli import main

    project = make_root("basic", own_templates=True)
    mark = tmp_path / "pwned"
    path = project.templates / "document.html.j2"
    text = path.read_text(encoding="utf-8")
    path.write_text(template.replace("MARK", str(mark)) + "\n" + text, encoding="utf-8")
    assert main(["build", str(project.root), "--html-only"]) == 1
    err = capsys.readouterr().err
    assert len(err.splitlines()) == 1 and "Traceback" not in err, err
    assert err.startswith("error: templates/document.html.j2:1: template error: ")
    assert "(a template may print the document's values only (docs/security.md))" in err
    assert not mark.exists() and not (project.root / "out").exists()


@pytest.mark.parametrize(
    ("date", "text"),
    [(dt.date(2012, 8, 3), "3 August 2012"), (dt.date(2021, 12, 31), "31 December 2021"),
     (dt.date(2020, 1, 1), "1 January 2020")],
)  # fmt: skip
def test_dates_are_written_in_un_style_whatever_the_locale(date, text):
    assert un_date(date) == text


@pytest.mark.parametrize(
    ("language", "words"),
    [
        ("en", ["Table 1", "Distr.: General", "15 March 2021", "Original: English"]),
        ("fr", ["Tableau 1", "Distr. : General", "15 mars 2021", "Original : English"]),
        ("es", ["Cuadro 1", "15 de marzo de 2021"]),
        ("ru", ["Таблица 1", "15 марта 2021"]),
        ("zh", ["表 1", "2021年3月15日"]),
        ("ar", ["الجدول 1", "مارس"]),
    ],
)
def test_the_theme_speaks_the_document_language(tmp_path, language, words):
    """The theme's own words (table, figure, masthead) and the date follow `language:`;
    English is unchanged, day month year whatever the machine's locale."""
    project = copy_root("basic", tmp_path / "basic")
    document = project.root / "content/document.yaml"
    document.write_text(document.read_text() + f"language: {language}\n")
    page = render(project)
    assert all(word in page for word in words), [w for w in words if w not in page]
