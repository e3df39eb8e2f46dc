"""Figures read and written in the UN's six languages, judged by the English rules."""

import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest

from reporter.check.computed import write
from reporter.check.figures import NotAFigure, parse_figure
from reporter.check.rules import in_figure_terms, judge
from reporter.check.run import change_direction
from reporter.compute.quantities import Value
from reporter.compute.tables import format_number
from reporter.content.computed import parse_format
from reporter.content.inline import Computed
from reporter.content.languages import LANGUAGES, UnknownLanguage, list_of, primary
from reporter.content.tablespec import NumberFormat
from reporter.errors import Location, ReportError
from reporter.pipeline import check_project
from tests.check.test_computed import outlook, project, with_top
from tests.conftest import ROOTS

NNBSP, NBSP = "\u202f", "\u00a0"


def passes(text: str, language: str, value: float, unit: str = "count") -> bool:
    stated = parse_figure(text, language)
    return judge(stated, in_figure_terms(value, unit, stated)).passed


# (language, figure, the quantity's value and unit, a value that does not match it)
FIGURES = [
    ("fr", "214,2 millions", (214.2, "million"), 214.3),
    ("fr", f"1{NNBSP}234{NNBSP}567", (1234567, "count"), 1234568),
    ("fr", "1 234,5", (1234.5, "count"), 1234.6),
    ("fr", f"56{NBSP}%", (56.2, "percent"), 56.6),
    ("fr", "56 pour cent", (56.0, "percent"), 57),
    ("fr", "environ 214 millions", (213.6, "million"), 214.6),
    ("fr", "près de 60 %", (59.4, "percent"), 60.1),
    ("fr", "plus de 3 milliards", (3.05, "billion"), 2.9),
    ("fr", "moins de 5 %", (4.7, "percent"), 5.1),
    ("fr", "au moins 12", (12, "count"), 11),
    ("fr", "au plus 1,5 million", (1.5, "million"), 1.6),
    ("es", "214,2 millones", (214.2, "million"), 214.3),
    ("es", "1.234", (1234, "count"), 1.234),
    ("es", "1.234.567,5", (1234567.5, "count"), 1234567.4),
    ("es", "1 millón", (1.0, "million"), 1.6),
    ("es", "2 mil millones", (2.0, "billion"), 2.6),
    ("es", "56 por ciento", (56.0, "percent"), 57),
    ("es", "alrededor de 214 millones", (213.6, "million"), 214.6),
    ("es", "casi 60 %", (59.4, "percent"), 60.1),
    ("es", "más de 3 millones", (3.05, "million"), 2.9),
    ("es", "menos de 5 %", (4.7, "percent"), 5.1),
    ("es", "al menos 12", (12, "count"), 11),
    ("es", "hasta 12", (12, "count"), 13),
    ("ru", "214,2 млн", (214.2, "million"), 214.3),
    ("ru", "214,2 миллиона", (214.2, "million"), 214.3),
    ("ru", f"1{NBSP}234,5", (1234.5, "count"), 1234.4),
    ("ru", "3 млрд", (3.0, "billion"), 3.6),
    ("ru", "56 %", (56.0, "percent"), 57),
    ("ru", "56 процентов", (56.0, "percent"), 57),
    ("ru", "около 214 млн", (213.6, "million"), 214.6),
    ("ru", "почти 60 %", (59.4, "percent"), 60.1),
    ("ru", "более 3 млн", (3.05, "million"), 2.9),
    ("ru", "менее 5 %", (4.7, "percent"), 5.1),
    ("ru", "не менее 12", (12, "count"), 11),
    ("ru", "не более 12", (12, "count"), 13),
    ("ar", "214.2 مليون", (214.2, "million"), 214.3),
    ("ar", "1,234.5", (1234.5, "count"), 1234.4),
    ("ar", "١٢٣٤٫٥", (1234.5, "count"), 1234.4),  # Arabic-Indic digits read too
    ("ar", "3 مليار", (3.0, "billion"), 3.6),
    ("ar", "56%", (56.0, "percent"), 57),
    ("ar", "56 في المائة", (56.0, "percent"), 57),
    ("ar", "حوالي 214 مليون", (213.6, "million"), 214.6),
    ("ar", "ما يقرب من 60%", (59.4, "percent"), 60.1),
    ("ar", "أكثر من 3 ملايين", (3.05, "million"), 2.9),
    ("ar", "أقل من 5%", (4.7, "percent"), 5.1),
    ("ar", "ما لا يقل عن 12", (12, "count"), 11),
    ("zh", "2.142亿", (214.2, "million"), 214.3),
    ("zh", "214.2百万", (214.2, "million"), 214.3),
    ("zh", "1,234.5", (1234.5, "count"), 1234.4),
    ("zh", "150万", (1.5, "million"), 1.6),
    ("zh", "56%", (56.0, "percent"), 57),
    ("zh", "约2.1亿", (213.6, "million"), 216),
    ("zh", "近60%", (59.4, "percent"), 60.1),
    ("zh", "超过3亿", (305, "million"), 290),
    ("zh", "不到5%", (4.7, "percent"), 5.1),
    ("zh", "至少12", (12, "count"), 11),
    ("zh", "最多12", (12, "count"), 13),
]


@pytest.mark.parametrize(("language", "text", "value", "wrong"), FIGURES)
def test_a_figure_passes_its_value_and_fails_another(language, text, value, wrong):
    number, unit = value
    assert passes(text, language, number, unit)
    assert not passes(text, language, wrong, unit)


@pytest.mark.parametrize(
    ("language", "text", "qualifier", "value", "decimals", "scale"),
    [
        ("fr", "près de 1 234,56 millions", "almost", 1234.56, 2, 1e6),
        ("fr", "2 milliards", "", 2.0, 0, 1e9),
        ("fr", "3 billions", "", 3.0, 0, 1e12),  # a French billion is 10¹²
        ("es", "1.234", "", 1234.0, 0, 1.0),
        ("es", "3 billones", "", 3.0, 0, 1e12),
        ("ru", "около 5,25 тыс.", "about", 5.25, 2, 1e3),
        ("ar", "نحو 7 آلاف", "about", 7.0, 0, 1e3),
        ("zh", "将近3万亿", "almost", 3.0, 0, 1e12),
        ("zh", "约 3.5 亿", "about", 3.5, 1, 1e8),
    ],
)
def test_what_a_figure_states(language, text, qualifier, value, decimals, scale):
    stated = parse_figure(text, language)
    assert (stated.qualifier, stated.value, stated.decimals, stated.scale) == (
        qualifier,
        value,
        decimals,
        scale,
    )


@pytest.mark.parametrize(
    ("language", "text"),
    [
        ("es", "12.34"),  # a point groups thousands in Spanish: 12.34 is no number
        ("fr", "1,234,567"),
        ("fr", "214.2 millions"),
        ("ru", "214,2 миллионеров"),
        ("zh", "2.1亿人口"),
        ("fr", "trente-cinq"),  # number words are read in English only
    ],
)
def test_what_is_not_a_figure_in_a_language(language, text):
    with pytest.raises(NotAFigure):
        parse_figure(text, language)


VALUES = [
    ("", 0.0, "count"),
    (".1 %", 0.5, "percent"),
    (".2", 12.34, "count"),
    (".1", 1234.5, "count"),
    (".1 million", 214.2e6, "count"),
    (".1 million", 214.2, "million"),
    (".1 million", 1.5, "million"),
    (".0 billion", 2.4, "billion"),
    (".0 thousand", 136814.0, "thousand"),
    ("", 1234567.0, "count"),
]


def written(fmt: str, value: float, unit: str, language: str, direction: str = "") -> str:
    node = Computed(0, Location(Path("content/x.yaml")), "q", parse_format(fmt), fmt)
    return write(node, Value(value, unit, ""), direction, language).figure


@pytest.mark.parametrize("language", ["fr", "es", "ru", "ar", "zh"])
@pytest.mark.parametrize(("fmt", "value", "unit"), VALUES)
def test_what_is_written_is_read_back_and_passes(language, fmt, value, unit):
    text = written(fmt, value, unit, language)
    assert passes(text, language, value, unit), text


@pytest.mark.parametrize(
    ("language", "text"),
    [
        ("fr", "214,2 millions"),
        ("es", "214,2 millones"),
        ("ru", "214,2 млн"),
        ("ar", "214.2 مليون"),
        ("zh", "2.142亿"),  # 亿 (10⁸) is how Chinese writes a count in the hundreds of millions
    ],
)
def test_millions_as_each_language_writes_them(language, text):
    assert written(".1 million", 214.2e6, "count", language) == text


def test_separators_and_percent_are_cldrs():
    assert written("", 1234567.0, "count", "fr") == f"1{NNBSP}234{NNBSP}567"
    assert written("", 1234567.0, "count", "ru") == f"1{NBSP}234{NBSP}567"
    assert written(".0 %", 56.0, "percent", "fr") == f"56{NBSP}%"
    assert written(".0 %", 56.0, "percent", "zh") == "56%"
    assert written(".1 million", 1.5, "million", "fr") == "1,5 million"  # plural from 2
    assert written(".0 million", 1.0, "million", "es") == "1 millón"
    assert format_number(-1234.5, NumberFormat(1, "minus"), "es") == "\u22121.234,5"
    assert format_number(1234.5, NumberFormat(1), "ar") == "1,234.5"


@pytest.mark.parametrize(
    ("language", "before", "direction"),
    [
        ("fr", "Le nombre a diminué de ", "fell"),
        ("fr", "une hausse de ", "rose"),
        ("es", "El número disminuyó en ", "fell"),
        ("ru", "Число выросло на ", "rose"),
        ("ar", "انخفض بمقدار ", "fell"),
        ("zh", "人数下降了", "fell"),
        ("zh", "人数为", ""),
    ],
)
def test_direction_words_and_a_fall_written_without_its_sign(language, before, direction):
    assert change_direction(before, language) == direction
    text = written(".1 million", -3.5, "million", language, "fell")
    assert not text.startswith("\u2212")
    assert passes(text, language, 3.5, "million")


def test_the_language_of_a_tag():
    assert primary("fr-CH") == "fr"
    assert set(LANGUAGES) == {"en", "fr", "es", "ru", "ar", "zh"}
    with pytest.raises(UnknownLanguage):
        primary("de")


def test_a_rank_with_a_superlative_is_written_in_english_only():
    with pytest.raises(ReportError, match="English only") as caught:
        written("largest", 2, "count", "fr")
    assert "write {=name ordinal}" in caught.value.hint


# (language, format, place, as the language writes it)
ORDINALS = [
    ("en", "ordinal", 2, "second"),
    ("en", "ordinal", 12, "12th"),
    ("fr", "ordinal", 1, "1er"),
    ("fr", "ordinal f", 1, "1re"),
    ("fr", "ordinal", 12, "12e"),
    ("fr", "ordinal f", 2, "2e"),
    ("es", "ordinal", 12, "12.º"),
    ("es", "ordinal f", 1, "1.ª"),
    ("ru", "ordinal", 3, "3-й"),
    ("ru", "ordinal е", 12, "12-е"),
    ("ru", "ordinal м", 12, "12-м"),
    ("ru", "ordinal го", 1, "1-го"),
    ("zh", "ordinal", 12, "第12"),
    ("ar", "ordinal", 2, "الثاني"),
    ("ar", "ordinal f", 2, "الثانية"),
    ("ar", "ordinal f", 10, "العاشرة"),
    ("ar", "ordinal f", 11, "11"),  # no ordinal suffix in Arabic: figures after the noun
]


@pytest.mark.parametrize(("language", "fmt", "place", "text"), ORDINALS)
def test_a_place_is_written_as_the_language_writes_an_ordinal_and_read_back(
    language, fmt, place, text
):
    assert written(fmt, place, "count", language) == text
    assert passes(text, language, place)
    assert not passes(text, language, place + 1)


@pytest.mark.parametrize(
    ("language", "text", "place"),
    [("fr", "2e", 2), ("fr", "1re", 1), ("es", "3.ª", 3), ("ru", "5-м", 5), ("zh", "第5", 5),
     ("ar", "الخامسة", 5), ("ar", "الـ5", None), ("fr", "1e", None), ("fr", "2er", None),
     ("es", "2º", None), ("ru", "2-ой", None), ("zh", "第2位", None), ("fr", "2", None)],
)  # fmt: skip
def test_an_ordinal_is_read_only_as_the_language_writes_it(language, text, place):
    """As "21th" is no English ordinal, "1e" and "2er" are no French ones; a bare number is
    read as a number (a rank also equals it), not as an ordinal."""
    try:
        stated = parse_figure(text, language)
    except NotAFigure:
        stated = None
    found = stated.value if stated and stated.kind == "ordinal" else None
    assert found == place


@pytest.mark.parametrize(
    ("language", "fmt", "message", "hint"),
    [("fr", "ordinal x", "no ordinal form 'x' in fr: write one of m, f", "forms in fr: m, f"),
     ("zh", "ordinal f", "an ordinal in zh has no form", ""),
     ("en", "ordinal f", "an English ordinal has no form", "")],
)  # fmt: skip
def test_a_form_the_language_has_not_is_an_error(language, fmt, message, hint):
    with pytest.raises(ReportError, match=message) as caught:
        written(fmt, 2, "count", language)
    assert caught.value.hint == hint


def test_an_ordinal_is_a_place():
    with pytest.raises(ReportError, match="a rank is a place 1, 2, 3"):
        written("ordinal", 2.5, "count", "fr")


def test_english_figures_need_no_babel():
    code = (
        "import sys; from reporter.check.run import check_document; "
        "from reporter.check.figures import parse_figure; parse_figure('about 4.8 million'); "
        "assert 'babel' not in sys.modules"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_the_check_reads_and_writes_in_the_documents_language(make_root):
    document = (ROOTS / "basic" / "content" / "document.yaml").read_text() + "language: fr\n"
    prose = (
        "L'Europe comptait {=europe .1 million} de migrants, "
        "[environ 27 millions]{=europe} en 2019, soit {=europe_share .1 %} du total ; "
        "l'écart a diminué de {=fall .1 million}, et non de [plus de 5 millions]{=gap}."
    )
    proj = project(make_root, prose, **{"content/document.yaml": document})
    doc, report = check_project(proj)
    found = [(f.text, f.status) for f in report.findings if f.place == "para. 4"]
    assert found == [
        ("27,4 millions", "pass"),
        ("environ 27 millions", "pass"),
        (f"57,1{NBSP}%", "pass"),
        ("6,8 millions", "pass"),  # after "a diminué de": the size of a fall
        ("plus de 5 millions", "fail"),  # 6.8 million is more than 5, but not by less than 1
    ]
    assert outlook(doc)[0].startswith("L'Europe comptait 27,4 millions de migrants")


def test_ranks_are_written_and_read_as_ordinals_in_the_documents_language(make_root):
    document = (ROOTS / "basic" / "content" / "document.yaml").read_text() + "language: fr\n"
    prose = (
        "L'Allemagne était au {=germany_rank ordinal} rang, la France au [3e]{=france_rank} "
        "et les Émirats arabes unis au [5e]{=uae_rank}."
    )
    proj = project(make_root, prose, **{"content/document.yaml": document})
    doc, report = check_project(proj)
    found = [(f.text, f.status, f.rule) for f in report.findings if f.place == "para. 4"]
    assert found == [
        ("1er", "pass", "rank; place 1"),
        ("3e", "pass", "place 3"),
        ("5e", "fail", "place 5"),  # the data give the fourth place
    ]
    assert outlook(doc)[0].startswith("L'Allemagne était au 1er rang")


@pytest.mark.parametrize(
    ("language", "text"),
    [("en", "Germany, Saudi Arabia and France"), ("fr", "Germany, Saudi Arabia et France"),
     ("es", "Germany, Saudi Arabia y France"), ("ru", "Germany, Saudi Arabia и France"),
     ("ar", "Germany وSaudi Arabia وFrance"), ("zh", "Germany、Saudi Arabia和France")],
)  # fmt: skip
def test_a_list_of_names_is_written_as_the_documents_language_writes_a_list(
    make_root, language, text
):
    document = (ROOTS / "basic" / "content" / "document.yaml").read_text()
    document += f"language: {language}\n"
    proj = with_top(make_root, "{=top.1.country list 3}", **{"content/document.yaml": document})
    doc, report = check_project(proj)
    assert outlook(doc) == [text]
    (finding,) = [f for f in report.findings if f.place == "para. 4"]
    assert (finding.status, finding.text) == ("pass", text)


def test_two_names_and_babels_lists_only_outside_english():
    assert list_of(["A", "B"], "en") == "A and B" and list_of(["A"], "en") == "A"
    assert list_of(["A", "B"], "es") == "A y B"
    code = (
        "import sys; from reporter.content.languages import list_of; list_of(['a', 'b'], 'en'); "
        "assert 'babel' not in sys.modules"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_a_tables_cells_are_written_in_the_documents_language_and_still_checked(make_root):
    """Cells in CLDR's symbols (27,4 in French); the table's own check reads them back, so
    a total that does not add up is still caught."""
    from reporter.check.tables import _number
    from reporter.pipeline import compute_tables, load

    document = (ROOTS / "basic" / "content" / "document.yaml").read_text() + "language: fr\n"
    proj = make_root("basic", files={"content/document.yaml": document})
    doc, report = check_project(proj)
    table = compute_tables(load(proj), proj)["hosts"]
    cells = {(row.id, cell.column): cell.text for row in table.rows for cell in row.cells}
    assert cells[("europe", "stock")] == "27,4" and cells[("total", "share")] == "100,0"
    assert not [f for f in report.failed if f.kind == "table"]
    column = table.spec.columns[0]
    assert _number(f"1{NBSP}234,5", column, "es") is None  # Spanish groups with "."
    assert _number("1\u202f234,5", column, "fr") == Decimal("1234.5")
    assert _number("1.234,5", column, "es") == Decimal("1234.5")
