"""The words a figure is written with in each of the UN's six languages (en, fr, es, ru, ar,
zh): qualifiers (and the English rule each means), scale and per-cent words, the words that
state a change's direction, how a place is written as an ordinal, CLDR's separators, lists
and names of countries and areas (from Babel, imported only for a language other than
English). English is the reference; number words, fractions, multiples and superlatives
("the second largest") are read in English only.

Ordinals: CLDR has no ordinal spellout that Babel exposes, so a place is written as each
language writes it in figures, by UN usage: fr "2e", "1er" ("1re" feminine: `f`); es "2.º"
("2.ª": `f`); ru "2-е", the ending the sentence needs given as the form ("2-м", "2-й"); zh
"第2"; ar in words to the tenth, then in figures after the noun (Arabic has no ordinal
suffix): "الثانية" (`f`, for المرتبة), "الثاني" (`m`), "12"."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache

from reporter.content.english import ordinal_word


@dataclass(frozen=True)
class Language:
    code: str
    qualifiers: dict[str, str]  # phrase before the number -> rule (about, almost, over …)
    scales: dict[str, float]  # word after the number (read, lower case) -> its factor
    percent: tuple[str, ...]  # per-cent words after the number ("%" is read everywhere)
    written: dict[str, tuple[str, str, float]]  # unit -> (singular, plural, factor) written
    plural_from: float = 2.0  # a scale word is plural from this number (0: but for "1")
    fell: tuple[str, ...] = ()  # words just before a figure that say it fell by …
    rose: tuple[str, ...] = ()
    spaced: bool = True  # words stand apart from the number ("约2.1亿" has no space)
    digits: dict[int, str] | None = None  # other digits and separators read as ASCII
    # ordinals: form -> (how the first place is written, how any other), "{}" the number;
    # the first form is the default; and form -> places 1, 2 … in words (Arabic)
    ordinals: dict[str, tuple[str, str]] = field(default_factory=dict)
    ordinal_words: dict[str, tuple[str, ...]] = field(default_factory=dict)


def _longest_first(words: dict) -> dict:
    return dict(sorted(words.items(), key=lambda item: -len(item[0])))


ENGLISH = Language(
    "en",
    {"approximately": "about", "about": "about", "around": "about", "some": "about",
     "roughly": "about",
     "just under": "almost", "almost": "almost", "nearly": "almost",
     "more than": "over", "over": "over", "exceeding": "over", "above": "over",
     "fewer than": "under", "less than": "under", "under": "under", "below": "under",
     "at least": "at-least", "up to": "at-most", "at most": "at-most"},
    {"thousand": 1e3, "million": 1e6, "billion": 1e9, "trillion": 1e12},
    ("per cent", "percent", "%"),
    {"thousand": ("thousand", "thousand", 1e3), "million": ("million", "million", 1e6),
     "billion": ("billion", "billion", 1e9)},
)  # fmt: skip

_ARABIC_DIGITS = str.maketrans("٠١٢٣٤٥٦٧٨٩٫٬٪", "0123456789.,%")

LANGUAGES = {
    "en": ENGLISH,
    "fr": Language(
        "fr",
        {"environ": "about", "approximativement": "about", "quelque": "about",
         "autour de": "about", "près de": "almost", "presque": "almost", "plus de": "over",
         "moins de": "under", "au moins": "at-least", "au plus": "at-most",
         "jusqu'à": "at-most"},
        {"millier": 1e3, "milliers": 1e3, "million": 1e6, "millions": 1e6, "milliard": 1e9,
         "milliards": 1e9, "billion": 1e12, "billions": 1e12},
        ("pour cent", "%"),
        {"thousand": ("millier", "milliers", 1e3), "million": ("million", "millions", 1e6),
         "billion": ("milliard", "milliards", 1e9)},
        fell=("a diminué de", "a baissé de", "a reculé de", "une baisse de",
              "une diminution de"),
        rose=("a augmenté de", "a progressé de", "une hausse de", "une augmentation de"),
        ordinals={"m": ("{}er", "{}e"), "f": ("{}re", "{}e")},
    ),
    "es": Language(
        "es",
        {"alrededor de": "about", "aproximadamente": "about", "unos": "about", "unas": "about",
         "casi": "almost", "cerca de": "almost", "más de": "over", "menos de": "under",
         "al menos": "at-least", "por lo menos": "at-least", "hasta": "at-most"},
        {"mil": 1e3, "millón": 1e6, "millones": 1e6, "mil millones": 1e9, "billón": 1e12,
         "billones": 1e12},
        ("por ciento", "%"),
        {"thousand": ("mil", "mil", 1e3), "million": ("millón", "millones", 1e6),
         "billion": ("mil millones", "mil millones", 1e9)},
        plural_from=0.0,
        fell=("disminuyó en", "bajó en", "cayó en", "una disminución de", "un descenso de"),
        rose=("aumentó en", "creció en", "un aumento de", "un crecimiento de"),
        ordinals={"m": ("{}.º", "{}.º"), "f": ("{}.ª", "{}.ª")},
    ),
    "ru": Language(
        "ru",
        {"около": "about", "примерно": "about", "почти": "almost", "более": "over",
         "свыше": "over", "менее": "under", "не менее": "at-least", "не более": "at-most"},
        {"тыс.": 1e3, "тысяч": 1e3, "тысячи": 1e3, "млн": 1e6, "млн.": 1e6, "миллион": 1e6,
         "миллиона": 1e6, "миллионов": 1e6, "млрд": 1e9, "млрд.": 1e9, "миллиард": 1e9,
         "миллиарда": 1e9, "миллиардов": 1e9},
        ("процент", "процента", "процентов", "%"),
        {"thousand": ("тыс.", "тыс.", 1e3), "million": ("млн", "млн", 1e6),
         "billion": ("млрд", "млрд", 1e9)},
        fell=("сократилось на", "снизилось на", "уменьшилось на", "сократилась на",
              "снизилась на", "уменьшилась на"),
        rose=("выросло на", "увеличилось на", "выросла на", "увеличилась на"),
        ordinals={e: ("{}-" + e, "{}-" + e) for e in ("й", "е", "я", "го", "му", "м", "х", "ю")},
    ),
    "ar": Language(
        "ar",
        {"حوالي": "about", "نحو": "about", "ما يقرب من": "almost", "قرابة": "almost",
         "أكثر من": "over", "أقل من": "under", "ما لا يقل عن": "at-least",
         "ما لا يزيد عن": "at-most"},
        {"ألف": 1e3, "آلاف": 1e3, "مليون": 1e6, "ملايين": 1e6, "مليار": 1e9, "مليارات": 1e9,
         "بليون": 1e9},
        ("في المائة", "في المئة", "%"),
        {"thousand": ("ألف", "ألف", 1e3), "million": ("مليون", "مليون", 1e6),
         "billion": ("مليار", "مليار", 1e9)},
        fell=("انخفض بمقدار", "انخفض بنسبة", "تراجع بمقدار", "تراجع بنسبة"),
        rose=("ارتفع بمقدار", "ارتفع بنسبة", "زاد بمقدار", "زاد بنسبة"),
        digits=_ARABIC_DIGITS,
        ordinals={"m": ("{}", "{}"), "f": ("{}", "{}")},
        ordinal_words={
            "m": ("الأول", "الثاني", "الثالث", "الرابع", "الخامس", "السادس", "السابع",
                  "الثامن", "التاسع", "العاشر"),
            "f": ("الأولى", "الثانية", "الثالثة", "الرابعة", "الخامسة", "السادسة", "السابعة",
                  "الثامنة", "التاسعة", "العاشرة"),
        },
    ),
    "zh": Language(
        "zh",
        {"约": "about", "大约": "about", "近": "almost", "将近": "almost", "接近": "almost",
         "超过": "over", "逾": "over", "不到": "under", "少于": "under", "至少": "at-least",
         "最多": "at-most", "多达": "at-most"},
        {"千": 1e3, "万": 1e4, "百万": 1e6, "亿": 1e8, "十亿": 1e9, "万亿": 1e12},
        ("%", "％"),
        {"thousand": ("万", "万", 1e4), "million": ("亿", "亿", 1e8),
         "billion": ("亿", "亿", 1e8)},
        fell=("下降了", "减少了", "下降", "减少"),
        rose=("增加了", "增长了", "上升了", "增加", "增长"),
        spaced=False,
        ordinals={"": ("第{}", "第{}")},
    ),
}  # fmt: skip


class UnknownLanguage(ValueError):
    pass


# How a cross-reference names what it points at, by kind: (one, several), {} the number or
# the span. UN usage in each language; a language not listed writes English.
REFERENCES = {
    "en": {"para": ("para. {}", "paras. {}"), "table": ("table {}", "tables {}"),
           "figure": ("figure {}", "figures {}"), "section": ("section {}", "sections {}"),
           "annex": ("annex {}", "annexes {}")},
    "fr": {"para": ("par. {}", "par. {}"), "table": ("tableau {}", "tableaux {}"),
           "figure": ("figure {}", "figures {}"), "section": ("section {}", "sections {}"),
           "annex": ("annexe {}", "annexes {}")},
    "es": {"para": ("párr. {}", "párrs. {}"), "table": ("cuadro {}", "cuadros {}"),
           "figure": ("gráfico {}", "gráficos {}"), "section": ("sección {}", "secciones {}"),
           "annex": ("anexo {}", "anexos {}")},
    "ru": {"para": ("п. {}", "пп. {}"), "table": ("таблица {}", "таблицы {}"),
           "figure": ("диаграмма {}", "диаграммы {}"), "section": ("раздел {}", "разделы {}"),
           "annex": ("приложение {}", "приложения {}")},
    "ar": {"para": ("الفقرة {}", "الفقرات {}"), "table": ("الجدول {}", "الجداول {}"),
           "figure": ("الشكل {}", "الأشكال {}"), "section": ("الفرع {}", "الفروع {}"),
           "annex": ("المرفق {}", "المرفقات {}")},
    "zh": {"para": ("第{}段", "第{}段"), "table": ("表{}", "表{}"), "figure": ("图{}", "图{}"),
           "section": ("第{}节", "第{}节"), "annex": ("附件{}", "附件{}")},
}  # fmt: skip


def reference_words(tag: str) -> dict[str, tuple[str, str]]:
    """REFERENCES for a language tag ("fr-CH" reads as "fr"), English for any other."""
    return REFERENCES.get(tag.replace("_", "-").split("-")[0].lower(), REFERENCES["en"])


@cache
def language(code: str) -> Language:
    """The words of `code` ("fr"), qualifiers and scales longest first ("не более" before
    "более")."""
    try:
        words = LANGUAGES[code]
    except KeyError:
        raise UnknownLanguage(
            f"unknown language {code!r}: write one of {', '.join(LANGUAGES)}"
        ) from None
    return Language(
        **{**words.__dict__, "qualifiers": _longest_first(words.qualifiers),
           "scales": _longest_first(words.scales)}
    )  # fmt: skip


RIGHT_TO_LEFT = ("ar", "fa", "he", "ur")  # as the theme's <html dir> (templates/document.html.j2)


def right_to_left(tag: str) -> bool:
    """Whether a document in this language runs right to left: its pages, tables and charts
    mirrored, its text read back by words (pdfium gives mixed lines in visual order)."""
    return tag.replace("_", "-").split("-")[0].lower() in RIGHT_TO_LEFT


def primary(tag: str) -> str:
    """The language of a tag ("fr-CH" -> "fr"), one whose figures the check reads."""
    code = tag.replace("_", "-").split("-")[0].lower()
    if code not in LANGUAGES:
        raise UnknownLanguage(f"the check reads figures in {', '.join(LANGUAGES)}, not in {tag!r}")
    return code


@cache
def separators(code: str) -> tuple[str, str]:
    """(decimal, group) as CLDR writes them: (",", "\\u202f") in French, (",", ".") in
    Spanish. English needs no Babel (it costs about 11 ms to import)."""
    if code == "en":
        return ".", ","
    from babel.numbers import get_decimal_symbol, get_group_symbol

    return get_decimal_symbol(code), get_group_symbol(code)


@cache
def percent_suffix(code: str) -> str:
    """What follows a percentage in CLDR's pattern: "\\u00a0%" in French, "%" in Chinese;
    " per cent" in English (UN style)."""
    if code == "en":
        return " per cent"
    from babel import Locale

    pattern = Locale.parse(code).percent_formats[None].pattern
    return pattern[pattern.rindex("0") + 1 :]


def direction(before: str, code: str) -> str:
    """ "fell" or "rose" when the words just before a figure in `code` state a change's
    direction ("a diminué de", "下降了"), else "". English is read in check/run.py."""
    tail = " ".join(before.split()).lower()
    words = language(code)
    if any(tail.endswith(w) for w in words.fell):
        return "fell"
    return "rose" if any(tail.endswith(w) for w in words.rose) else ""


def ordinal_forms(code: str) -> list[str]:
    """The forms `{=place ordinal FORM}` takes in `code`: ["m", "f"] in French, the endings
    in Russian; [] where there is no choice (English, Chinese)."""
    return [form for form in language(code).ordinals if form]


def ordinal(place: int, form: str, code: str) -> str:
    """`place` (1, 2, …) as `code` writes it as an ordinal in `form` ("": the language's
    first form): "2e", "1er", "2.º", "2-е", "第2", "الثانية", "12"; English: "second",
    "12th". ValueError names the forms when `form` is not one of them."""
    if code == "en":
        if form:
            raise ValueError("an English ordinal has no form: write {=name ordinal}")
        return ordinal_word(place)
    words = language(code)
    forms = words.ordinals
    if form not in forms and not (form == "" and forms):
        raise ValueError(
            f"no ordinal form {form!r} in {code}: write one of {', '.join(forms)}"
            if ordinal_forms(code)
            else f"an ordinal in {code} has no form: write {{=name ordinal}}"
        )
    form = form or next(iter(forms))
    spelled = words.ordinal_words.get(form, ())
    if place <= len(spelled):
        return spelled[place - 1]
    first, other = forms[form]
    return (first if place == 1 else other).format(place)


def read_ordinal(text: str, code: str) -> int | None:
    """An ordinal as `code` writes it -> its place: "2e", "1er" -> 2, 1; "12-м" -> 12;
    "第12" -> 12; "الثانية" -> 2. None for anything else, "1e" and "2er" included (as
    "21th" in English); a bare number is no ordinal (it is read as a number, and a rank
    equals it)."""
    words = language(code)
    for spelled in words.ordinal_words.values():
        if text in spelled:
            return spelled.index(text) + 1
    m = re.fullmatch(r"(\D*)(\d+)(\D*)", text)
    if m is None or not (m[1] or m[3]):
        return None
    place, written = int(m[2]), m[1] + "{}" + m[3]
    if any(written == (first if place == 1 else other) for first, other in words.ordinals.values()):
        return place
    return None


def list_of(names: list[str], code: str) -> str:
    """Names as `code` writes a list, CLDR's pattern (Babel): "A, B et C", "A, B y C",
    "A وB وC", "A、B和C"; in English UN style, "A, B and C" (CLDR's en-001), without Babel."""
    if code == "en":
        return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]
    from babel.lists import format_list

    return format_list(names, locale=code.replace("-", "_"))


@cache
def territory_name(m49: str, code: str) -> str | None:
    """CLDR's name in `code` of the country or area whose UN M49 numeric code is `m49`
    ("276" -> "Allemagne" in French; a region's too: "150" -> "Europe"). None in English,
    whose names are the data's (UN English), and where CLDR has no one name: no code, or one
    that stands for several territories (830, Channel Islands: Jersey and Guernsey)."""
    if code.split("-")[0] == "en" or not m49.isdigit():
        return None
    from babel import Locale, UnknownLocaleError
    from babel.core import get_global

    number = f"{int(m49):03d}"
    try:
        names = Locale.parse(code.replace("-", "_")).territories
    except (ValueError, UnknownLocaleError):  # a language CLDR does not know: the data's
        return None
    if number in names:
        return names[number]
    aliases = get_global("territory_aliases").get(number, ())
    return names.get(aliases[0]) if len(aliases) == 1 else None
