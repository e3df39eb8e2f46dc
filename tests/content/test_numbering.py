"""reporter/content/numbering.py: sections, subsections, annexes, paragraphs, tables, figures
and footnotes numbered from their places, and cross-references resolved to those numbers."""

from __future__ import annotations

import pytest

from reporter.content.inline import FootnoteCall, Ref, plain_text, walk
from reporter.content.model import FigureBlock, Paragraph, TableBlock
from reporter.content.numbering import roman
from reporter.errors import ReportError
from reporter.pipeline import load
from reporter.project import Project
from tests.conftest import ROOTS


def paragraphs(doc) -> list[tuple[int | None, str]]:
    return [(p.number, plain_text(p.inlines)) for _, p in doc.paragraphs()]


def refs(doc) -> dict[str, str]:
    """Each reference as written ([@a], [#a], [@a..b]) -> what it reads, in the document."""
    found = {}
    for _, inlines in doc.runs():
        for node in walk(inlines):
            if isinstance(node, Ref):
                mark = "@" if node.with_kind else "#"
                label = node.first + (f"..{node.last}" if node.last else "")
                found[f"[{mark}{label}]"] = node.text
    return found


def failure(make_root, files: dict) -> ReportError:
    with pytest.raises(ReportError) as err:
        load(make_root("basic", files))
    return err.value


@pytest.fixture
def basic(make_root):
    return load(make_root("basic"))


def test_paragraphs_are_numbered_through_sections_and_subsections_only(basic):
    assert paragraphs(basic) == [
        (None, "The present report reviews recent trends (section I) and proposes a programme "
               "(see annex)."),
        (1, "In 2019, the countries listed hosted 47.9 million international migrants.1"),
        (2, "The figures are in table 1; Europe is discussed in section I.A.1"),
        (None, "An unnumbered paragraph in section I."),
        (3, "Europe hosted 27.4 million, or 57 per cent of them, as paras. 1-2 say.2"),
        (4, "The outlook builds on section I, on section I.A and on paragraph 3 (see Migration "
            "Outlook, online).3"),
        (None, "The round table would meet once."),
    ]  # fmt: skip
    assert [p.html_id for _, p in basic.paragraphs()][:3] == [None, "para-1", "para-2"]


def test_sections_are_roman_subsections_lettered_and_a_single_annex_unnumbered(basic):
    summary, trends, outlook, annex = basic.parts
    assert [p.kind for p in basic.parts] == ["summary", "section", "section", "annex"]
    assert (summary.number, trends.number, outlook.number, annex.number) == ("", "I", "II", "")
    (europe,) = trends.subsections
    assert europe.number == "I.A"
    assert (trends.numeral, europe.numeral, summary.numeral) == ("I.", "A.", "")
    assert (trends.html_id, europe.html_id, annex.html_id) == ("trends", "europe", "programme")


def test_several_annexes_and_subsections_are_numbered_in_order(make_root):
    doc = load(make_root("basic", {
        "content/document.yaml": (ROOTS / "basic/content/document.yaml")
        .read_text().replace("  - annex.yaml\n", "  - annex.yaml\n  - annex-2.yaml\n"),
        "content/annex-2.yaml": "kind: annex\ntitle: Second annex\n",
        "content/02-outlook.yaml": """
            kind: section
            title: Outlook
            subsections:
              - {title: Near, blocks: [First.]}
              - {title: Far, blocks: [Second.]}
              - {title: Farther, label: farther, blocks: ["Third, in [@farther]."]}
        """,
    }))  # fmt: skip
    assert [p.number for p in doc.parts] == ["", "I", "II", "I", "II"]
    assert [s.number for s in doc.parts[2].subsections] == ["II.A", "II.B", "II.C"]
    assert paragraphs(doc)[-4:-1] == [(4, "First."), (5, "Second."), (6, "Third, in section II.C.")]
    assert refs(doc)["[@programme]"] == "annex I"


def test_tables_are_numbered_1_2_and_figures_i_ii(make_root):
    doc = load(make_root("chart"))
    blocks = [b for b in doc.blocks() if isinstance(b, TableBlock | FigureBlock)]
    assert [(type(b).__name__, b.id, b.number) for b in blocks] == [
        ("TableBlock", "regions", 1),
        ("FigureBlock", "by-region", "I"),
        ("FigureBlock", "growth", "II"),
    ]
    assert refs(doc) == {"[@by-region]": "figure I", "[@growth]": "figure II",
                         "[@regions]": "table 1"}  # fmt: skip
    assert {k: (t.kind, t.number, t.html_id) for k, t in doc.labels.items()} == {
        "migrants": ("section", "I", "migrants"),
        "bars": ("para", "1", "para-1"),
        "regions": ("table", "1", "table-1"),
        "by-region": ("figure", "I", "figure-I"),
        "growth": ("figure", "II", "figure-II"),
    }


def test_footnotes_are_numbered_by_first_call_and_a_second_call_reuses_the_number(basic):
    assert {n.id: n.number for n in basic.footnotes.values()} == {
        "desa": 1, "eurostat": 2, "oecd": 3,
    }  # fmt: skip
    calls = [n for _, inlines in basic.runs() for n in walk(inlines) if isinstance(n, FootnoteCall)]
    assert [(c.id, c.number, c.first) for c in calls] == [
        ("desa", "1", True), ("desa", "1", False), ("eurostat", "2", True), ("oecd", "3", True),
    ]  # fmt: skip


def test_footnote_numbers_follow_the_order_of_the_calls_not_of_the_file(make_root):
    project = make_root("basic")
    summary = project.root / "content/summary.yaml"
    text = summary.read_text().replace("(see [@programme]).", "(see [@programme]).[^oecd]")
    summary.write_text(text)
    doc = load(project)
    assert {n.id: n.number for n in doc.footnotes.values()} == {"desa": 2, "eurostat": 3, "oecd": 1}
    assert paragraphs(doc)[0][1].endswith("(see annex).1")
    assert paragraphs(doc)[5][1].endswith("online).1")


def test_a_footnote_never_called_is_a_warning_and_has_no_number(make_root):
    project = make_root("basic")
    notes = project.root / "content/footnotes.yaml"
    notes.write_text(notes.read_text() + "spare: Never called.\n")
    doc = load(project)
    assert doc.footnotes["spare"].number == 0
    assert doc.warnings == ["content/footnotes.yaml:4:1: footnote 'spare' is never called"]


def test_references_resolve_to_numbers_with_or_without_their_kind(basic):
    assert refs(basic) == {
        "[#trends]": "I",
        "[@programme]": "annex",
        "[@hosts]": "table 1",
        "[@europe]": "section I.A",
        "[@first..second]": "paras. 1-2",
        "[@trends]": "section I",
        "[#third]": "3",
    }
    targets = {n.first: n.target for _, i in basic.runs() for n in walk(i) if isinstance(n, Ref)}
    assert targets == {"trends": "trends", "programme": "programme", "hosts": "table-1",
                       "europe": "europe", "first": "para-1", "third": "para-3"}  # fmt: skip


def test_references_follow_an_inserted_paragraph(make_root):
    project = make_root("basic")
    path = project.root / "content/01-trends.yaml"
    path.write_text(path.read_text().replace("blocks:\n", "blocks:\n  - p: Inserted.\n", 1))
    doc = load(project)
    assert refs(doc)["[@first..second]"] == "paras. 2-3"
    assert refs(doc)["[#third]"] == "4"
    assert paragraphs(doc)[1] == (1, "Inserted.")


def test_references_in_tables_and_charts_resolve_too(make_root):
    doc = load(make_root("chart"))
    chart = doc.charts["by-region"]
    assert plain_text(chart.source) == "Source: table 1."


def outlook(paragraph: str) -> dict[str, str]:
    """Section II of the basic root, holding one paragraph (written on line 3, from column 10)."""
    return {"content/02-outlook.yaml": f"kind: section\ntitle: O\nblocks: ['{paragraph}']\n"}


@pytest.mark.parametrize(
    ("paragraph", "reads"),
    [
        ("[@hosts] lists them.", "Table 1 lists them."),
        ("Data vary. [@hosts] lists them; [@europe] too.",
         "Data vary. Table 1 lists them; section I.A too."),
        ("Why? [@first..second] say so! [@trends] agrees.",
         "Why? Paras. 1-2 say so! Section I agrees."),
        ('It is "done." [@programme] says so.', 'It is "done." Annex says so.'),
        ("*[@hosts]* lists them.", "Table 1 lists them."),
        ("As the data, e.g. [@hosts], show (see [@europe]).",
         "As the data, e.g. table 1, show (see section I.A)."),
        ("Done. [#trends] is a numeral, and [@hosts] a table.",
         "Done. I is a numeral, and table 1 a table."),
    ],
)  # fmt: skip
def test_a_reference_starting_a_sentence_is_capitalised(make_root, paragraph, reads):
    doc = load(make_root("basic", outlook(paragraph)))
    assert [text for number, text in paragraphs(doc) if number == 4] == [reads]


def test_a_reference_starting_a_footnote_is_capitalised(make_root):
    notes = "desa: A.\neurostat: B.\noecd: '[@hosts] gives the sources, as [@europe] does.'\n"
    doc = load(make_root("basic", {"content/footnotes.yaml": notes}))
    assert plain_text(doc.footnotes["oecd"].inlines) == (
        "Table 1 gives the sources, as section I.A does."
    )


@pytest.mark.parametrize(
    ("files", "message"),
    [
        (
            {"content/02-outlook.yaml": "kind: section\nlabel: trends\ntitle: Again\n"},
            "content/02-outlook.yaml:1:1: label 'trends' is used twice "
            "(first at content/01-trends.yaml:1:1) (labels must be unique)",
        ),
        (
            outlook("See [@europa]."),
            "content/02-outlook.yaml:3:15: unknown label 'europa' (did you mean 'europe'?)",
        ),
        (
            outlook("See [@hosts..first]."),
            "content/02-outlook.yaml:3:15: a range a..b must join two paragraph labels",
        ),
        (
            outlook("See [@second..first]."),
            "content/02-outlook.yaml:3:15: range second..first runs backwards (para. 2 to 1)",
        ),
        (
            outlook("A note.[^desaa]"),
            "content/02-outlook.yaml:3:18: unknown footnote 'desaa' (did you mean 'desa'?)",
        ),
        (
            {"content/annex.yaml": "kind: annex\ntitle: A\nblocks: [{label: x, p: Unnumbered.}]\n"},
            "content/annex.yaml:3:24: only numbered paragraphs can carry a label",
        ),
        (
            {"content/footnotes.yaml": "desa: A.\neurostat: B.[^desa]\noecd: C.\n"},
            "content/footnotes.yaml:2:1: a footnote cannot call another footnote",
        ),
    ],
)
def test_numbering_errors_are_located(make_root, files, message):
    assert str(failure(make_root, files)) == message


def test_every_unknown_label_and_footnote_is_reported_in_one_run(make_root):
    error = failure(make_root, {
        "content/02-outlook.yaml": """
            kind: section
            title: Outlook
            blocks:
              - See [@nowhere] and [@elsewhere].[^missing]
        """,
    })  # fmt: skip
    found = [str(e) for e in (error, *error.others)]
    assert [m.split(": ", 1)[1] for m in found] == [
        "unknown footnote 'missing' (add it to content/footnotes.yaml)",
        "unknown label 'nowhere' (label the paragraph, section or table it points to)",
        "unknown label 'elsewhere' (label the paragraph, section or table it points to)",
    ]


@pytest.mark.parametrize(
    ("n", "numeral"),
    [(1, "I"), (4, "IV"), (9, "IX"), (14, "XIV"), (40, "XL"), (90, "XC"), (1994, "MCMXCIV")],
)
def test_roman_numerals(n, numeral):
    assert roman(n) == numeral


def test_numbers_are_filled_in_place_on_the_model(basic):
    numbered = [b for b in basic.blocks() if isinstance(b, Paragraph) and b.numbered]
    assert [b.number for b in numbered] == [1, 2, 3, 4]
    assert [b.label for b in numbered] == ["first", "second", "third", "fourth"]


def minimal_error(root, old: str = "", new: str = "") -> str:
    """The error loading the project at `root` once `old` is `new` in its content/main.yaml."""
    path = root / "content/main.yaml"
    path.write_text(path.read_text().replace(old, new))
    with pytest.raises(ReportError) as err:
        load(Project.at(root))
    return str(err.value)


def test_unknown_label_names_file_line_and_column(make_project):
    assert minimal_error(make_project(), "[@first-table]", "[@first-tabel]") == (
        "content/main.yaml:7:30: unknown label 'first-tabel' (did you mean 'first-table'?)"
    )


def test_unknown_footnote_names_file_and_line(make_project):
    root = make_project({"content/footnotes.yaml": "nothing: here\n"})
    assert minimal_error(root).startswith("content/main.yaml:5:24: unknown footnote 'note'")


def test_range_must_run_forwards(make_project):
    root = make_project()
    path = root / "content/main.yaml"
    path.write_text(path.read_text().replace("- p: First", "- label: first\n    p: First"))
    assert "runs backwards" in minimal_error(root, "[@first-table]", "[@second..first]")


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("en", ["table 1", "section I.A", "paras. 1-2", "section I"]),
        ("fr", ["tableau 1", "section I.A", "par. 1-2", "section I"]),
        ("es", ["cuadro 1", "sección I.A", "párrs. 1-2", "sección I"]),
        ("ru", ["таблица 1", "раздел I.A", "пп. 1-2", "раздел I"]),
        ("ar", ["الجدول 1", "الفرع I.A", "الفقرات 1-2", "الفرع I"]),
        ("zh", ["表1", "第I.A节", "第1-2段", "第I节"]),
    ],
)
def test_references_are_written_in_the_documents_language(make_root, language, expected):
    from reporter.content.inline import Ref, walk
    from reporter.pipeline import load

    project = make_root("basic")
    document = project.root / "content/document.yaml"
    document.write_text(document.read_text() + f"language: {language}\n")
    doc = load(project)
    texts = {n.text for _, run in doc.runs() for n in walk(run) if isinstance(n, Ref)}
    assert set(expected) <= texts, texts
