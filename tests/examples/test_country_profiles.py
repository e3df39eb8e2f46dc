"""examples/country-profiles: one template, a profile of each of the 232 countries and areas
of destination of the 2017 matrix, in English, French and Spanish, and in Arabic, Chinese
and Russian for five of them; every language checked against the English."""

from __future__ import annotations

import pytest

from reporter.cli import main
from reporter.content.inline import plain_text
from reporter.editions import editions_of
from reporter.pipeline import check_project, compute_tables, load
from reporter.project import Project
from tests.conftest import ROOT, copy_example

EXAMPLE = ROOT / "examples" / "country-profiles"
LANGUAGES = ["ar", "en", "es", "fr", "ru", "zh"]


def test_every_destination_in_three_languages_and_five_in_six():
    editions = editions_of(Project.at(EXAMPLE))
    assert len({e.base for e in editions}) == 232
    by_language = {code: sum(e.language == code for e in editions) for code in LANGUAGES}
    assert by_language == {"en": 232, "fr": 232, "es": 232, "ar": 5, "zh": 5, "ru": 5}


def test_an_edition_checks_clean_in_every_language(capsys):
    """Germany in six languages, and the two areas whose profile reads otherwise (no 1990
    estimate; no origins) in three."""
    asked = [f"germany.{code}" for code in LANGUAGES]
    asked += [f"{area}.{code}" for area in ("south-sudan", "holy-see") for code in ("en", "fr")]
    assert main(["check", str(EXAMPLE), *(f"--edition={e}" for e in asked)]) == 0
    assert capsys.readouterr().out == "10 editions: 10 pass, 0 fail\n"


def test_a_number_typed_in_the_french_alone_fails_both_checks(tmp_path, capsys):
    project = copy_example("country-profiles", tmp_path / "profiles")
    french = project / "content/fr/profile.yaml"
    text = french.read_text(encoding="utf-8")
    french.write_text(text.replace("comptait {=stock_2017}", "comptait 12 165 084"))
    editions = ["--edition=germany.fr", "--edition=germany.en"]
    assert main(["check", str(project), *editions]) == 1
    out = capsys.readouterr().out
    # strict: a number neither bound nor declared; and English binds stock_2017 there
    assert "FAIL [germany.fr] content/fr/profile.yaml:6:" in out
    assert "“12 165 084”: neither bound to the data nor declared (the project is strict)" in out
    assert "para. 1: binds areas, place, share_world; in en: areas, place, share_world, " in out
    assert "[germany.en]" not in out


# (edition, its name, the first paragraph's rank, the largest origins as the text lists them)
GERMANY = [
    ("germany.en", "Germany", "the third largest number", "Poland, Turkey and Russian Federation"),
    ("germany.fr", "Allemagne", "au 3e rang", "Pologne, Turquie et Russie"),
    ("germany.es", "Alemania", "el 3.º puesto", "Polonia, Turquía y Rusia"),
    ("germany.ru", "Германия", "3-е место", "Польша, Турция и Россия"),
    ("germany.ar", "ألمانيا", "في المرتبة الثالثة", "بولندا وتركيا وروسيا"),
    ("germany.zh", "德国", "排名第3位", "波兰、土耳其和俄罗斯"),
]


@pytest.mark.parametrize(("edition", "name", "rank", "origins"), GERMANY)
def test_names_ranks_and_lists_in_the_editions_language(edition, name, rank, origins):
    """The country's name (CLDR's, by its M49 code) in the title and the text, its rank as
    the language writes an ordinal, its largest origins listed, and the origins table's
    names, all in the edition's language; checked clean."""
    values = next(e.values for e in editions_of(Project.at(EXAMPLE)) if e.id == edition)
    project = Project(EXAMPLE, params=values)
    doc, report = check_project(project)
    texts = [plain_text(inlines) for _, inlines in doc.runs()]
    assert name in doc.meta["title"] and texts[0] == name
    assert rank in texts[1] and origins in texts[4]
    table = compute_tables(load(project), project)["top-origins"]
    assert origins.startswith(table.rows[0].cells[1].value)
    assert not report.failed
