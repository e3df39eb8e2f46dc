"""reporter/diff/textmodel.py: a document model read off the pages of a PDF that carries none
— numbered paragraphs, headings, footnotes, tables and figures — with the running headers and
page numbers removed and the hyphenation at line ends undone; from the layout (type sizes)
or, less surely, from the text alone."""

from __future__ import annotations

import pypdfium2 as pdfium

from reporter.diff.layout import Line, Run, page_lines
from reporter.diff.read import embedded_model, page_texts, text_model

KEEP = "\ufffe"  # pdfium's hyphen at a line end

PAGES = [
    "Summary\n"
    "A short summary of the report.\n"
    "I. Introduction\n"
    f"1. The first paragraph, about South{KEEP}South migration and its develop{KEEP}ment.1\n"
    "2. The second paragraph is long and runs on to the\n"
    "1 See the first note (Geneva,\n"
    "2011).\n"
    "A/1/2\n"
    "1/3",
    "A/1/2\n"
    "next page, where it ends.2 Development matters.\n"
    "Table 1\n"
    "Migrants by corridor\n"
    "North-North 42.1 53.5\n"
    "3. The third para\u2010\n"
    "graph.\n"
    "2 The second note.\n"
    "2/3",
    "A/1/2\nII. Conclusions\n4. The last paragraph, with a follow-\nup.\n3/3",
]


def test_plain_text_paragraphs_notes_headings_and_tables():
    model = text_model(PAGES)
    assert [(p["key"], p["text"]) for p in model["paragraphs"]] == [
        ("text under “Summary”", "A short summary of the report."),
        ("para. 1", "The first paragraph, about South-South migration and its development.1"),
        ("para. 2", "The second paragraph is long and runs on to the next page, where it "
                    "ends.2 Development matters."),
        ("Table 1", "Table 1 Migrants by corridor North-North 42.1 53.5"),
        ("para. 3", "The third paragraph."),
        ("para. 4", "The last paragraph, with a follow-up."),
    ]  # fmt: skip
    assert [(n["id"], n["number"], n["text"]) for n in model["footnotes"]] == [
        ("1", 1, "See the first note (Geneva, 2011)."),
        ("2", 2, "The second note."),
    ]
    assert [(h["where"], h["text"]) for h in model["headings"]] == [
        ("page 1", "Summary"),
        ("page 1", "I. Introduction"),
        ("page 3", "II. Conclusions"),
    ]


def test_a_number_at_a_line_start_is_a_note_only_when_called_and_next():
    pages = ["1. A paragraph about 148\n148 countries and 2 more.1\n1 The note.\n3 Not a note."]
    model = text_model(pages)
    assert model["paragraphs"][0]["text"] == "A paragraph about 148 148 countries and 2 more.1"
    assert [n["text"] for n in model["footnotes"]] == ["The note. 3 Not a note."]


BODY, NOTE, CALL = 10.0, 8.5, 7.5


def line(y: float, *runs: tuple, x: float = 72.0) -> Line:
    return Line([Run(text, size, bold) for text, size, bold in runs], x, y)


def test_notes_by_their_type_at_the_page_foot_or_inline_as_a_browser_prints_them():
    page = [
        line(800, ("Item 22 of the agenda ", BODY, False), ("A/1/150. ", NOTE, False),
             ("*", CALL, False)),
        line(780, ("Introduction", 14.0, True)),
        line(760, ("1. Migration grew in 2010.", BODY, False), ("1 ", CALL, False),
             ("See the yearbook ", NOTE, False)),
        line(748, ("(Geneva, 2011). ", NOTE, False), ("It grew again in", BODY, False)),
        line(736, ("2011.", BODY, False), ("2", CALL, False), (", and then fell.", BODY, False)),
        line(724, ("Round table I: a bold heading", BODY, True)),
        line(712, ("2. A paragraph long enough for the body's type to be the most common.",
                   BODY, False), ("3", CALL, False)),
        line(60, ("2 ", 6.0, False), ("At the page foot, as ", NOTE, False),
             ("Word", NOTE, True), (" sets it.", NOTE, False)),
        line(50, ("3 Its number in the note's type.", NOTE, False)),
        line(40, ("4 Not called: the text of note 3.", NOTE, False)),
    ]  # fmt: skip
    model = text_model([page])
    assert [(p["key"], p["text"]) for p in model["paragraphs"]] == [
        ("text at the start", "Item 22 of the agenda"),
        ("para. 1", "Migration grew in 2010. It grew again in 2011., and then fell."),
        ("para. 2", "A paragraph long enough for the body's type to be the most common."),
    ]
    assert [(n["id"], n["text"]) for n in model["footnotes"]] == [
        ("*", "A/1/150."),
        ("1", "See the yearbook (Geneva, 2011)."),
        ("2", "At the page foot, as Word sets it."),
        ("3", "Its number in the note's type. 4 Not called: the text of note 3."),
    ]
    assert [h["text"] for h in model["headings"]] == [
        "Introduction",
        "Round table I: a bold heading",
    ]


def test_a_heading_on_two_lines_is_one_and_running_furniture_goes():
    def page(number: int, *lines: Line) -> list[Line]:
        return [line(800, ("A/1/2", BODY, True)), *lines, line(40, (f"{number}/3", 8.0, True))]

    text = ("Text of a paragraph that is long enough to set the body type.", BODY, False)
    pages = [
        page(1, line(700, ("Proposed programme of the", 14.0, True)),
             line(684, ("High-level Dialogue", 14.0, True)), line(660, text)),
        page(2, line(700, ("Annex", 14.0, True)), line(672, ("Its title", 14.0, True)),
             line(650, text)),
        page(3, line(700, text)),
    ]  # fmt: skip
    model = text_model(pages)
    assert [h["text"] for h in model["headings"]] == [
        "Proposed programme of the High-level Dialogue",
        "Annex",  # further below than a line: another heading
        "Its title",
    ]
    assert not any("A/1/2" in p["text"] or "/3" in p["text"] for p in model["paragraphs"])


def test_the_flagship_read_off_its_pages_is_its_embedded_model(built):
    document = pdfium.PdfDocument(str(built.pdf))
    try:
        model, plain = text_model(page_lines(document)), text_model(page_texts(document))
    finally:
        document.close()
    exact = embedded_model(built.pdf)
    for read in (model, plain):
        assert [p["number"] for p in read["paragraphs"] if p["number"]] == list(range(1, 89))
        blocks = [p["key"] for p in read["paragraphs"] if p["key"].startswith(("Table", "Fig"))]
        assert sorted(blocks) == ["Figure I", "Figure II", "Table 1", "Table 2"]
        assert [n["number"] for n in read["footnotes"]] == [None, *range(1, 20)]
        assert all(KEEP not in p["text"] and "A/67/254" not in p["text"]
                   for p in read["paragraphs"] if p["number"])  # fmt: skip
    # with the layout: in the order they are read, every paragraph and note as the model has
    # it, the note calls aside
    blocks = [p["key"] for p in model["paragraphs"] if p["key"].startswith(("Table", "Fig"))]
    assert blocks == ["Table 1", "Figure I", "Table 2", "Figure II"]
    texts = {p["number"]: p["text"] for p in exact["paragraphs"] if p["number"]}
    read = {p["number"]: p["text"] for p in model["paragraphs"] if p["number"]}
    assert [n for n in texts if not same_but_calls(texts[n], read[n])] == []
    notes = [n["text"] for n in exact["footnotes"]]
    assert [n["text"] for n in model["footnotes"] if n["number"]] == notes
    headings = [h["text"] for h in model["headings"]]
    assert "II. Recent developments on migration and development" in headings
    assert "Round table I: Leveraging diaspora contributions for development" in headings


def same_but_calls(exact: str, read: str) -> bool:
    """The same words but for the note calls ("agenda.1", "in 1990.2") of the exact text."""
    a, b = exact.split(), read.split()
    return len(a) == len(b) and all(
        x == y or (x.startswith(y) and x[len(y) :].isdigit() and len(x) - len(y) <= 2)
        for x, y in zip(a, b, strict=True)
    )


def test_running_heads_and_feet_go_and_what_repeats_further_in_stays():
    pages = [
        "United Nations A/1/2\n1. First.\n12-45304",
        "A/1/2\nTable 2\nMigrants (millions)\n2. Second.\n2 12-45304",
        "A/1/2\nTable 3\nMigrants (millions)\n3. Third.\n12-45304 3",
    ]
    assert [(p["key"], p["text"]) for p in text_model(pages)["paragraphs"]] == [
        ("text at the start", "United Nations A/1/2"),
        ("para. 1", "First."),
        ("Table 2", "Table 2 Migrants (millions)"),  # not "Table <page>" nor a repeated line
        ("para. 2", "Second."),
        ("Table 3", "Table 3 Migrants (millions)"),
        ("para. 3", "Third."),
    ]
    # two pages: too few to tell a running head by its repeating, but it is the masthead's
    two = ["Report\nA/1/2\n1. First.", "A/1/2\n2. Second."]
    assert [p["text"] for p in text_model(two)["paragraphs"]] == [
        "Report A/1/2",
        "First.",
        "Second.",
    ]


def test_captions_in_the_languages_of_the_united_nations():
    words = ["Table 1", "Tableau 2", "Cuadro 3", "Таблица 4", "表 5", "图 I", "Figure II"]
    pages = ["\n".join(f"{i}. Text.\n{caption}\nRows" for i, caption in enumerate(words, 1))]
    blocks = [p["key"] for p in text_model(pages)["paragraphs"] if not p["number"]]
    assert blocks == words
