"""reporter/export/tagging.py and the theme, read back with pikepdf and pypdfium2: the tagged
PDF declares its language, title and conformance; its structure tree reads as the document
does (headings one level at a time, each paragraph whole and numbered, each footnote right
after its call, tables after their call, one part however many pages); figures have their
alt text, tables real header cells; every marked sequence of every page is either in the
tree or an artifact, and the running headers, page numbers, repeated draft stamps and
repeated table heads are artifacts. On the flagship, an Arabic edition of
examples/country-profiles, and small projects for a draft and a table across pages."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

import pikepdf
import pytest

from reporter.cli import main
from reporter.content.inline import plain_text
from reporter.export.readback import TextRun, text_runs
from reporter.pipeline import build, load
from reporter.project import Project
from tests.conftest import MINIMAL, ROOTS, copy_example
from tests.pdftext import squash

# --- reading a tagged PDF back ----------------------------------------------------------------


Run = TextRun  # a text object of a page: its marked-content id (-1: none), text and marks


@dataclass
class Element:
    """A structure element, with the text of the marked content under it."""

    type: str  # "P", "H2", … (without the slash)
    obj: pikepdf.Dictionary
    parent: Element | None
    kids: list[Element] = field(default_factory=list)
    text: str = ""

    def texts(self, without: tuple[str, ...] = ()) -> str:
        """The text under the element, leaving out elements of the types `without`."""
        if not self.kids:
            return self.text
        return "".join(k.texts(without) for k in self.kids if k.type not in without)

    def walk(self):
        yield self
        for kid in self.kids:
            yield from kid.walk()


def runs(path: Path) -> list[Run]:
    return text_runs(path)[1]


@dataclass
class Tagged:
    """A tagged PDF: its pikepdf document, structure tree and text runs."""

    pdf: pikepdf.Pdf
    root: Element
    runs: list[Run]

    @classmethod
    def open(cls, path: Path) -> Tagged:
        pdf = pikepdf.open(path)
        found = runs(path)
        texts: dict[tuple[int, int], str] = {}
        for run in found:
            if run.mcid >= 0:
                texts[run.page, run.mcid] = texts.get((run.page, run.mcid), "") + run.text
        pages = {page.obj.objgen: index for index, page in enumerate(pdf.pages)}
        top = pdf.Root.StructTreeRoot.K
        root = _element(top[0] if isinstance(top, pikepdf.Array) else top, None, texts, pages)
        return cls(pdf, root, found)

    def all(self, kind: str) -> list[Element]:
        return [e for e in self.root.walk() if e.type == kind]

    def elements(self) -> list[Element]:
        return list(self.root.walk())


def _element(obj, parent, texts, pages) -> Element:
    element = Element(str(obj.S)[1:], obj, parent)
    parts = []
    for kid in _kids(obj):
        if isinstance(kid, int):
            parts.append(texts.get((pages[obj.Pg.objgen], kid), ""))
        elif kid.get("/Type") == "/MCR":
            parts.append(texts.get((pages[kid.Pg.objgen], int(kid.MCID)), ""))
        elif kid.get("/Type") != "/OBJR":
            child = _element(kid, element, texts, pages)
            element.kids.append(child)
            parts.append(child.text)
    element.text = "".join(parts)
    return element


def _kids(obj) -> list:
    k = obj.get("/K")
    return [] if k is None else list(k) if isinstance(k, pikepdf.Array) else [k]


def destination(link: Element) -> str | None:
    """The named destination of a Link element's annotation."""
    for kid in _kids(link.obj):
        if isinstance(kid, pikepdf.Dictionary) and kid.get("/Type") == "/OBJR":
            dest = kid.Obj.get("/Dest")
            return str(dest) if dest is not None else None
    return None


def squashed(text: str) -> str:
    """Text without its layout: spaces, line breaks, hyphens (tests/pdftext.py; pdfium
    reads a hyphen that ends a line as U+0002 in a text object, or drops it)."""
    return re.sub("[ \x02-]", "", squash(text))


def marked_sequences(tagged: Tagged) -> list[tuple[int, str, int | None]]:
    """(page, tag, MCID or None) of every marked-content sequence of every page's stream."""
    found = []
    for index, page in enumerate(tagged.pdf.pages):
        for operands, operator in pikepdf.parse_content_stream(page):
            if str(operator) in ("BDC", "BMC"):
                properties = operands[1] if str(operator) == "BDC" else {}
                mcid = properties.get("/MCID") if properties else None
                found.append((index, str(operands[0]), None if mcid is None else int(mcid)))
    return found


def owners(tagged: Tagged) -> dict[tuple[int, int], list[Element]]:
    """(page, MCID) -> the elements of the tree that hold it."""
    pages = {page.obj.objgen: index for index, page in enumerate(tagged.pdf.pages)}
    found: dict[tuple[int, int], list[Element]] = {}
    for element in tagged.elements():
        for kid in _kids(element.obj):
            if isinstance(kid, int):
                key = (pages[element.obj.Pg.objgen], kid)
            elif isinstance(kid, pikepdf.Dictionary) and kid.get("/Type") == "/MCR":
                key = (pages[kid.Pg.objgen], int(kid.MCID))
            else:
                continue
            found.setdefault(key, []).append(element)
    return found


def assert_no_orphan_content(tagged: Tagged) -> None:
    """Every marked sequence is an /Artifact or holds an MCID that one element of the tree
    holds, and the parent tree names that element for it."""
    held = owners(tagged)
    parent_tree = tagged.pdf.Root.StructTreeRoot.ParentTree.Nums
    by_page = {int(parent_tree[i]): parent_tree[i + 1] for i in range(0, len(parent_tree), 2)}
    sequences = marked_sequences(tagged)
    assert sequences
    for page, tag, mcid in sequences:
        if tag == "/Artifact":
            continue
        assert mcid is not None, (page, tag)
        assert len(held.get((page, mcid), [])) == 1, (page, tag, mcid)
        (element,) = held[page, mcid]
        assert by_page[page][mcid].objgen == element.obj.objgen, (page, mcid)
    assert len(held) == sum(1 for _, tag, _ in sequences if tag != "/Artifact")


class Headings(HTMLParser):
    """(level, text) of the h1-h6 of an HTML page."""

    def __init__(self, html: str) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[list] = []
        self.level = 0
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        if re.fullmatch(r"h[1-6]", tag):
            self.level = int(tag[1])
            self.found.append([self.level, ""])

    def handle_endtag(self, tag):
        if re.fullmatch(r"h[1-6]", tag):
            self.level = 0

    def handle_data(self, data):
        if self.level:
            self.found[-1][1] += data


def outline(tagged: Tagged) -> list[tuple[int, str]]:
    return [(int(e.type[1]), e.text) for e in tagged.elements() if re.fullmatch(r"H[1-6]", e.type)]


def assert_descends_one_level_at_a_time(levels: list[int]) -> None:
    assert levels[0] == 1 and levels.count(1) == 1
    for before, level in zip(levels, levels[1:], strict=False):
        assert level <= before + 1, levels


# --- the flagship -----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def flagship_pdf(built) -> Tagged:
    return Tagged.open(built.pdf)


def test_the_catalog_declares_language_title_marking_and_conformance(built, flagship_pdf):
    pdf = flagship_pdf.pdf
    assert str(pdf.Root.Lang) == "en"
    assert bool(pdf.Root.MarkInfo.Marked) is True
    assert bool(pdf.Root.ViewerPreferences.DisplayDocTitle) is True
    title = "A/67/254: International migration and development"
    assert str(pdf.docinfo.Title) == title
    meta = pdf.open_metadata()
    assert meta["dc:title"] == title
    assert (meta["pdfaid:part"], meta["pdfaid:conformance"]) == ("3", "A")
    assert meta["pdfuaid:part"] == "1"


def test_the_headings_are_the_documents_one_level_at_a_time(built, flagship_pdf):
    html = Headings(built.html.read_text(encoding="utf-8")).found
    pdf = outline(flagship_pdf)
    assert [(level, squashed(text)) for level, text in pdf] == [
        (level, squashed(text)) for level, text in html
    ]
    assert_descends_one_level_at_a_time([level for level, _ in pdf])
    assert pdf[0] == (1, "International migration and development")
    assert [text for level, text in pdf if level == 2][:3] == [
        "Summary", "I. Introduction", "II. Recent developments on migration and development",
    ]  # fmt: skip
    assert [sum(level == n for level, _ in pdf) for n in (1, 2, 3, 4)] == [1, 7, 18, 6]


def test_every_figure_has_its_alt_text(flagship, flagship_pdf):
    doc = load(flagship)
    alts = [str(f.obj.Alt) for f in flagship_pdf.all("Figure")]
    assert alts == [doc.charts["migrants-by-corridor"].alt, doc.charts["gfmd-recommendations"].alt]
    assert all(len(alt) > 40 for alt in alts)


def test_header_cells_have_a_scope_and_data_cells_name_their_headers(flagship_pdf):
    tables = flagship_pdf.all("Table")
    assert len(tables) == 4  # Table 1, Table 2 and the annex's two schedules
    for table in tables:
        cells = [e for e in table.walk() if e.type in ("TH", "TD")]
        heads = {str(c.obj.ID): c for c in cells if c.type == "TH"}
        assert heads, "a table without header cells"
        for cell in cells:
            if cell.type == "TH":
                row_group = cell.parent.parent.type
                scope = str(cell.obj.A.Scope)
                assert scope == ("/Column" if row_group == "THead" else "/Row"), cell.text
            else:
                names = [str(h) for h in cell.obj.A.Headers]
                assert names and set(names) <= set(heads), cell.text
    # Table 1: a figure is named by its group heading, its year and its row
    table_1 = tables[0]
    assert table_1.kids[0].type == "Caption"
    assert squashed(table_1.kids[0].text).startswith("Table1Numberofinternationalmigrants")
    first_row = [e for e in table_1.walk() if e.type == "TR"][2]
    heads = {str(c.obj.ID): squashed(c.text) for c in table_1.walk() if c.type == "TH"}
    named = [[heads[str(h)] for h in td.obj.A.Headers] for td in first_row.kids if td.type == "TD"]
    assert named[0] == ["Migrantstock(millions)", "1990", "NorthNorth"]
    assert named[2] == ["Migrantstock(millions)", "Absolutechange", "NorthNorth"]
    assert named[3] == ["Migrantstock(percentage)", "1990", "NorthNorth"]
    assert named[5] == ["Migrantstock(percentage)", "Percentagechange", "NorthNorth"]


def test_each_footnote_is_a_note_right_after_its_first_call(flagship, flagship_pdf):
    doc = load(flagship)
    footnotes = sorted((n for n in doc.footnotes.values() if n.number), key=lambda n: n.number)
    notes = {str(note.obj.ID): note for note in flagship_pdf.all("Note")}
    assert sorted(notes) == sorted([f"fn-{n.number}" for n in footnotes] + ["fn-star"])
    names = flagship_pdf.pdf.Root.Names.Dests.Names
    anchors = {str(names[i]) for i in range(0, len(names), 2)}
    for footnote in footnotes:
        note = notes[f"fn-{footnote.number}"]
        start = squashed(f"{footnote.number} {plain_text(footnote.inlines)}")[:30]
        assert squashed(note.text).startswith(start)
        siblings = note.parent.kids
        call = siblings[siblings.index(note) - 1]
        assert call.type == "Reference" and call.text.strip() == str(footnote.number)
        (link,) = call.kids
        assert link.type == "Link" and destination(link) == f"fn-{footnote.number}"
        assert note.parent.type == "P"
        assert f"fn-{footnote.number}" in anchors  # where the call's link goes
        # no earlier link leads to the note
        links = [e for e in flagship_pdf.elements() if e.type == "Link"]
        assert [destination(x) for x in links].index(f"fn-{footnote.number}") == links.index(link)


def test_numbered_paragraphs_are_whole_and_in_order(flagship, flagship_pdf):
    doc = load(flagship)
    expected = {p.number: p for _, p in doc.paragraphs() if p.number}
    numbered = []
    for element in flagship_pdf.all("P"):
        text = element.texts(without=("Note",))
        if match := re.match(r"(\d+)\. ", text):
            numbered.append(int(match[1]))
            paragraph = expected[int(match[1])]
            assert squashed(text) == squashed(
                f"{paragraph.number}. {plain_text(paragraph.inlines)}"
            )
    assert numbered == sorted(expected)  # each paragraph once, its number with it
    assert not any(e.parent.type == "P" for e in flagship_pdf.all("P"))


def test_the_tree_reads_in_the_documents_order(flagship_pdf):
    document = flagship_pdf.root
    assert [k.type for k in document.kids] == ["NonStruct", "Part"]  # masthead, then main
    masthead, main_part = document.kids
    assert [k.type for k in masthead.kids][-2:] == ["H1", "P"]  # the title, the subtitle
    assert main_part.kids[0].kids[0].text == "Summary"
    order = flagship_pdf.elements()
    links = [e for e in order if e.type == "Link"]
    tables = flagship_pdf.all("Table")
    for number, table in (("1", tables[0]), ("2", tables[1])):
        assert squashed(table.texts()).startswith(f"Table{number}")
        first_call = next(x for x in links if destination(x) == f"table-{number}")
        assert order.index(first_call) < order.index(table), number
    # a chart follows the paragraph before it, its caption and source around it
    figure = flagship_pdf.all("Figure")[0]
    siblings = figure.parent.parent.kids
    at = siblings.index(figure.parent)
    assert [k.type for k in siblings[at - 1 : at + 2]] == ["Caption", "Div", "P"]
    assert squashed(siblings[at - 1].text).startswith("FigureIInternationalmigrants")


def test_every_marked_sequence_is_in_the_tree_or_an_artifact(flagship_pdf):
    assert_no_orphan_content(flagship_pdf)
    empty = [e for e in flagship_pdf.elements() if not _kids(e.obj)]
    assert {e.type for e in empty} <= {"TH", "TD"}  # blank cells; no other empty element


def test_running_heads_and_page_numbers_are_artifacts(built, flagship_pdf):
    pages = built.pages
    for run in flagship_pdf.runs:
        furniture = run.text == "A/67/254" and run.page > 0 or run.text == f"{run.page + 1}/{pages}"
        assert ("Artifact" in run.marks) == furniture, run
    heads = [r for r in flagship_pdf.runs if r.text == "A/67/254"]
    assert len(heads) == pages  # page 1's masthead (tagged) and one running head a page
    assert sum(bool(re.fullmatch(r"\d+/\d+", r.text)) for r in flagship_pdf.runs) == pages - 1


# --- an Arabic edition ------------------------------------------------------------------------


@pytest.fixture(scope="module")
def arabic(tmp_path_factory) -> Tagged:
    project = copy_example("country-profiles", tmp_path_factory.mktemp("cp") / "project")
    out = project / "out"
    assert main(["-q", "build", str(project), "--edition=germany.ar", "--out", str(out)]) == 0
    return Tagged.open(out / "germany.ar" / "EXAMPLE-PROFILE-germany.pdf")


def test_an_arabic_edition_is_tagged_as_arabic_and_as_completely(arabic):
    pdf = arabic.pdf
    assert str(pdf.Root.Lang) == "ar"
    assert bool(pdf.Root.ViewerPreferences.DisplayDocTitle) is True
    assert str(pdf.docinfo.Title).startswith("EXAMPLE/PROFILE/germany: ")
    assert pdf.open_metadata()["pdfuaid:part"] == "1"
    levels = [level for level, _ in outline(arabic)]
    assert levels == [1, 2]
    assert not any(e.parent.type == e.type for e in arabic.elements() if e.type in ("H2", "P"))
    (figure,) = arabic.all("Figure")
    assert str(figure.obj.Alt).startswith("رسم بياني")
    # pdfium gives right-to-left lines in visual order: ".1 ..." for "1. ..."
    numbered = [re.match(r"\.?(\d+)\.? ", e.texts()) for e in arabic.all("P")]
    assert [m[1] for m in numbered if m] == ["1", "2", "3"]
    (table,) = arabic.all("Table")
    assert table.kids[0].type == "Caption"
    assert all(list(td.obj.A.Headers) for td in table.walk() if td.type == "TD")
    assert_no_orphan_content(arabic)


# --- furniture: a draft stamp, a table across pages -------------------------------------------


def test_a_draft_stamp_is_read_once_and_is_furniture_on_later_pages(make_root):
    trends = (ROOTS / "basic/content/01-trends.yaml").read_text(encoding="utf-8")
    project = make_root("basic", {"content/01-trends.yaml": trends.replace("[47.9", "[49.9")})
    result = build(project, draft=True, progress=lambda _: None)
    assert result.pages == 2
    tagged = Tagged.open(result.pdf)
    stamp = [r for r in tagged.runs if r.text.startswith("DRAFT")]
    assert [(r.page, "Artifact" in r.marks) for r in stamp] == [(0, False), (1, True)]
    stamped = [e.type for e in tagged.elements()[1:] if e.text.startswith("DRAFT")]
    assert stamped == ["Div", "Span"]  # the stamp, its text
    assert tagged.root.kids[0].type == "Div"  # read first, as it is the first thing in <body>
    assert_no_orphan_content(tagged)


LONG_TABLE = {
    "content/tables/first-table.yaml": """
        title: Values
        data: values
        stub: Name
        rows:
          each: name
          total: Total
        columns:
          - {id: v, heading: [Values, Value], sum: value}
          - {id: w, heading: [Values, Twice], formula: 2 * v}
    """,
    "data/values.csv": "name,value\n" + "".join(f"n{i:03d},{i}.5\n" for i in range(150)),
    "content/main.yaml": """
        kind: section
        label: only
        title: The only section
        blocks:
          - p: First paragraph.
          - table: first-table
          - p: Last paragraph.
    """,
    "content/footnotes.yaml": "{}\n",
}


def test_a_table_across_pages_is_one_table_under_one_head(make_project):
    project = make_project(LONG_TABLE, base=MINIMAL)
    result = build(Project.at(project), progress=lambda _: None)
    tagged = Tagged.open(result.pdf)
    assert result.pages >= 3
    (table,) = tagged.all("Table")
    assert [k.type for k in table.kids] == ["Caption", "THead", "TBody"]
    rows = [e for e in table.kids[2].kids if e.type == "TR"]
    assert len(rows) == 151  # every row, in order, whatever page it is on
    labels = [r.kids[0].text.strip() for r in rows]
    assert labels[:2] + labels[-1:] == ["n000", "n001", "Total"]
    pages = {page.obj.objgen: index for index, page in enumerate(tagged.pdf.pages)}
    assert len({pages[r.obj.Pg.objgen] for r in rows}) == result.pages - 1  # pages 2, 3 …
    heads = {str(c.obj.ID): c.text.strip() for c in table.walk() if c.type == "TH"}
    for row, label in zip(rows, labels, strict=True):
        (_, first, second) = row.kids
        assert [heads[str(h)] for h in first.obj.A.Headers] == ["Values", "Value", label]
        assert [heads[str(h)] for h in second.obj.A.Headers] == ["Values", "Twice", label]
    # the head WeasyPrint repeats on later pages is furniture there
    repeated = [(r.page, "Artifact" in r.marks) for r in tagged.runs if r.text.strip() == "Twice"]
    assert repeated[0] == (1, False) and all(artifact for _, artifact in repeated[1:])
    assert len(repeated) == result.pages - 1
    assert_no_orphan_content(tagged)
