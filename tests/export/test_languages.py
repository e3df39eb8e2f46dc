"""Documents in Arabic, Chinese and Russian: every character has a glyph in the PDF (no .notdef
boxes), the text reads back as written, and an Arabic page is laid out right to left."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import textwrap
from pathlib import Path

import pikepdf
import pypdfium2 as pdfium
import pytest

from reporter.pipeline import build
from tests.conftest import ROOTS, copy_root

# (title, section title, paragraph, heading, table title) in each language
TEXTS = {
    "ar": ("تقرير الأمين العام", "الاتجاهات الأخيرة",
           "استضافت البلدان المدرجة في القائمة عددا كبيرا من المهاجرين الدوليين، وتعرض الأرقام"
           " في الجدول أدناه حسب المنطقة. وقد استضافت أوروبا أكثر من نصفهم، واستضافت آسيا الباقي.",
           "أكبر منطقة", "المهاجرون الدوليون في بلدان مختارة"),
    "zh": ("秘书长的报告", "最近的趋势",
           "所列国家共接待了大量国际移民，下表按区域列出这些数字。欧洲接待了其中一半以上的移民，"
           "亚洲接待的移民人数也在不断增加，这一趋势预计将在今后几年继续下去。",
           "最大的区域", "部分国家的国际移民"),
    "ru": ("Доклад Генерального секретаря", "Последние тенденции",
           "Перечисленные страны принимали большое число международных мигрантов; данные по"
           " регионам приведены в таблице ниже. Европа приняла более половины из них.",
           "Крупнейший регион", "Международные мигранты в отдельных странах"),
}  # fmt: skip


def language_files(language: str) -> dict[str, str | None]:
    """tests/roots/basic reduced to one section written in `language`."""
    title, section, paragraph, heading, table = TEXTS[language]
    document = (ROOTS / "basic/content/document.yaml").read_text(encoding="utf-8")
    hosts = (ROOTS / "basic/content/tables/hosts.yaml").read_text(encoding="utf-8")
    return {
        "content/document.yaml": document.split("title:")[0]
        + f"language: {language}\ntitle: {title}\nparts: [main.yaml]\n",
        "content/main.yaml": f"kind: section\nlabel: trends\ntitle: {section}\nblocks:\n"
        f"  - {{label: first, p: {paragraph}}}\n  - heading: {heading}\n  - table: hosts\n",
        "content/tables/hosts.yaml": hosts.replace(hosts.splitlines()[0], f"title: {table}"),
        "content/footnotes.yaml": "{}\n",
        **{f"content/{name}": None for name in
           ("summary.yaml", "01-trends.yaml", "02-outlook.yaml", "annex.yaml")},
    }  # fmt: skip


@pytest.fixture(scope="module")
def pdfs(tmp_path_factory) -> dict[str, Path]:
    found = {}
    for language in TEXTS:
        target = tmp_path_factory.mktemp(language) / "project"
        project = copy_root("basic", target, language_files(language))
        found[language] = build(project, out=target / "out", progress=lambda _: None).pdf
    return found


def missing_glyphs(pdf: Path) -> list[tuple[str, int]]:
    """(font, code) of every glyph shown as .notdef. WeasyPrint 70 writes a font whose text
    shows glyph ids (Identity-H); when characters lacked a glyph it gives them unused ids
    and an encoding CMap that maps those ids to CID 0, .notdef (weasyprint/pdf/fonts.py)."""
    missing = []
    with pikepdf.open(pdf) as document:
        for page in document.pages:
            missing += _missing_in(page.obj, page.Resources)
    return missing


def _missing_in(container, resources) -> list[tuple[str, int]]:
    missing, notdef, font = [], {0}, None
    for operands, operator in pikepdf.parse_content_stream(container):
        if str(operator) == "Tf":
            font = resources.Font[operands[0]]
            notdef = _notdef_codes(font)
        elif str(operator) in ("Tj", "TJ"):
            strings = operands[0] if str(operator) == "TJ" else [operands[0]]
            for text in (bytes(s) for s in strings if isinstance(s, pikepdf.String)):
                codes = [int.from_bytes(text[i : i + 2], "big") for i in range(0, len(text), 2)]
                missing += [(str(font.BaseFont), code) for code in codes if code in notdef]
        elif str(operator) == "Do":
            xobject = resources.XObject[operands[0]]
            if xobject.Subtype == "/Form":
                missing += _missing_in(xobject, xobject.get("/Resources", resources))
    return missing


def _notdef_codes(font) -> set[int]:
    """The codes a Type0 font shows as glyph 0."""
    assert font.Subtype == "/Type0"
    if font.Encoding == pikepdf.Name("/Identity-H"):
        return {0}
    cmap = font.Encoding.read_bytes().decode("ascii")
    return {0} | {int(code, 16) for code in re.findall(r"<([0-9a-f]{4})> 0\b", cmap)}


def page_text(pdf: Path) -> str:
    return pdfium.PdfDocument(pdf)[0].get_textpage().get_text_range()


@pytest.mark.parametrize("language", TEXTS)
def test_every_character_has_a_glyph_and_reads_back(pdfs, language):
    assert missing_glyphs(pdfs[language]) == []
    text = "".join(page_text(pdfs[language]).split())  # CJK lines break without a space
    for written in TEXTS[language]:
        assert "".join(written.split()) in text


def test_an_arabic_page_runs_right_to_left(pdfs):
    page = pdfium.PdfDocument(pdfs["ar"])[0]
    chars = page.get_textpage()
    text = chars.get_text_range()
    start = text.index(TEXTS["ar"][2][:10])
    end = text.index("\r\n", start) - 1  # the paragraph's first line
    first, last = chars.get_charbox(start), chars.get_charbox(end)
    assert first[0] > last[2]  # left, bottom, right, top: the line starts on the right
    number = chars.get_charbox(text.rindex(".1", 0, start) + 1)  # "1." read back as ".1"
    assert number[0] > first[2]  # the paragraph number hangs in the right margin
    width = page.get_width()
    assert number[2] > width - 2.25 / 2.54 * 72 - 2  # at the right margin (2.25 cm)
    symbol = chars.get_charbox(text.index("T/BASIC/1"))
    assert symbol[0] < width / 2  # the masthead mirrored: the symbol on the left


ARABIC_HTML = """<html lang="ar" dir="rtl"><style>
@font-face { font-family: Latin; src: url("LiberationSerif-Regular.ttf"); }
html { font-family: Latin; }</style><p>استضافت البلدان</p></html>"""


def test_a_font_without_arabic_shows_missing_glyphs(tmp_path):
    """The check above would catch it: with only a Latin font to be found (no fontconfig
    fallback), Arabic letters come out as .notdef."""
    fonts = Path(__file__).resolve().parents[2] / "templates/assets/fonts"
    (tmp_path / "LiberationSerif-Regular.ttf").symlink_to(fonts / "LiberationSerif-Regular.ttf")
    (tmp_path / "page.html").write_text(ARABIC_HTML, encoding="utf-8")
    (tmp_path / "fonts.conf").write_text(
        textwrap.dedent(f"""\
        <?xml version="1.0"?><!DOCTYPE fontconfig SYSTEM "fonts.dtd">
        <fontconfig><dir>{fonts}</dir><cachedir>{tmp_path}/cache</cachedir></fontconfig>""")
    )
    render = "import weasyprint, sys; weasyprint.HTML(sys.argv[1]).write_pdf(sys.argv[2])"
    env = {**os.environ, "FONTCONFIG_FILE": str(tmp_path / "fonts.conf")}
    subprocess.run([sys.executable, "-c", render, tmp_path / "page.html", tmp_path / "page.pdf"],
                   env=env, check=True, capture_output=True)  # fmt: skip
    assert missing_glyphs(tmp_path / "page.pdf") != []
