"""Editions declared in document.yaml: their values, ids and parameters in the content."""

from __future__ import annotations

import pytest

from reporter.content.inline import plain_text
from reporter.editions import editions_of, select, slug
from reporter.errors import ReportError, UsageError
from reporter.pipeline import build, check_project
from reporter.project import Project


def test_one_edition_per_record_the_where_selects(make_root):
    project = make_root("editions")
    editions = editions_of(project)
    assert [e.id for e in editions] == ["fr", "es", "jp", "ke", "de"]  # not Argentina (Americas)
    assert dict(editions[2].values) == {"country": "Japan", "edition": "jp", "region": "Asia"}


def test_a_list_of_values_gives_slugged_ids(make_root):
    project = make_root("editions")
    document = project.root / "content/document.yaml"
    head = document.read_text().split("editions:")[0]
    document.write_text(head + "editions: {parameter: country, values: [Côte d'Ivoire, Spain]}\n")
    assert [e.id for e in editions_of(project)] == ["cote-d-ivoire", "spain"]
    assert slug("São Tomé and Príncipe") == "sao-tome-and-principe"


def test_two_editions_with_one_id_are_an_error(make_root):
    project = make_root("editions")
    (project.root / "data/countries.csv").write_text("code,name,region\nfr,France,Europe\n"
                                                     "fr,Finland,Europe\n")  # fmt: skip
    with pytest.raises(ReportError, match=r"two editions have the id 'fr' \('France' and"):
        editions_of(project)


def test_a_project_without_editions_has_none(make_root):
    assert editions_of(make_root("basic")) == []


def test_an_unknown_edition_is_a_usage_error_with_a_suggestion(make_root):
    editions = editions_of(make_root("editions"))
    assert [e.id for e in select(editions, ["ke", "fr", "ke"])] == ["ke", "fr"]
    with pytest.raises(UsageError, match="no edition 'frr'") as caught:
        select(editions, ["frr"])
    assert "did you mean 'fr'?" in str(caught.value)


def test_each_edition_reads_its_own_values_everywhere(make_root, tmp_path):
    """Title, prose, table title, row label and where: filter; and the cache keeps the
    editions apart (the table of Spain is not France's, cached a moment before)."""
    project = make_root("editions")
    pages = {}
    for edition in editions_of(project)[:2]:
        done = build(Project(project.root, edition.values), tmp_path / edition.id,
                     pdf=False, progress=lambda _: None)  # fmt: skip
        pages[edition.id] = done.html.read_text()
    assert "<title>T/PROFILE/fr: International migrants in France</title>" in pages["fr"]
    assert "This profile describes Spain, a country of Europe." in pages["es"]
    assert ">8,300<" in pages["fr"] and ">6,100<" in pages["es"] and ">8,300<" not in pages["es"]


def test_an_unknown_parameter_is_located_with_a_suggestion(make_root):
    project = make_root("editions")
    profile = project.root / "content/profile.yaml"
    profile.write_text(profile.read_text().replace("a country of {{region}}", "in {{regoin}}"))
    fr = editions_of(project)[0]
    with pytest.raises(ReportError) as caught:
        check_project(Project(project.root, fr.values))
    message = str(caught.value)
    assert message.startswith("content/profile.yaml:5:")
    assert "unknown parameter {{regoin}} (did you mean 'region'?)" in message


def test_without_editions_braces_are_text_and_with_them_a_backslash_keeps_them(make_root):
    basic = make_root("basic")
    part = basic.root / "content/02-outlook.yaml"
    part.write_text(part.read_text().replace("title: Outlook", "title: Outlook {{country}}"))
    doc = check_project(basic)[0]
    assert "{{country}}" in plain_text(doc.parts[2].title)

    project = make_root("editions")
    profile = project.root / "content/profile.yaml"
    profile.write_text(
        profile.read_text().replace('title: "{{country}}"', r'title: "\\{{country}}"')
    )
    doc = check_project(Project(project.root, editions_of(project)[0].values))[0]
    assert plain_text(doc.parts[0].title) == "{{country}}"


def test_data_declarations_are_never_substituted(make_root):
    """SQL is not a template: a country's name could break out of a quoted string."""
    project = make_root("editions", files={"data/datasets.yaml": """
        named:
          sql: "select '{{country}}' as written"
    """})  # fmt: skip
    from reporter.data.datasets import Datasets

    fr = editions_of(project)[0]
    from reporter.content.yamlsource import parameters

    with parameters(dict(fr.values)):
        frame = Datasets(project.root)("named").frame
    assert list(frame["written"]) == ["{{country}}"]


def test_a_block_with_when_is_in_the_editions_it_names(make_root):
    project = make_root("editions")
    profile = project.root / "content/profile.yaml"
    more = (
        "  - p: A European country.\n    when: {region: Europe}\n"
        "  - p: Outside Europe.\n    when: {region: {not: Europe}}\n"
    )
    profile.write_text(profile.read_text() + more)
    texts = {}
    for edition in editions_of(project):
        doc = check_project(Project(project.root, edition.values))[0]
        texts[edition.id] = [plain_text(p.inlines) for _, p in doc.paragraphs()]
    assert texts["fr"][1:] == ["A European country."] and texts["jp"][1:] == ["Outside Europe."]


def test_when_names_a_parameter(make_root):
    project = make_root("editions")
    profile = project.root / "content/profile.yaml"
    profile.write_text(profile.read_text() + "  - p: Oops.\n    when: {regoin: Europe}\n")
    with pytest.raises(ReportError, match=r"when: unknown parameter 'regoin' \(did you mean"):
        check_project(Project(project.root, editions_of(project)[0].values))
    basic = make_root("basic")
    part = basic.root / "content/02-outlook.yaml"
    part.write_text(part.read_text() + "  - p: Oops.\n    when: {region: Europe}\n")
    with pytest.raises(ReportError, match=r"when: unknown parameter 'region' \(when: needs edi"):
        check_project(basic)


def with_names(make_root, editions_more: str, document_more: str = ""):
    """The editions root with M49 codes (Kenya's left out) and `names:` declared."""
    project = make_root("editions")
    (project.root / "data/countries.csv").write_text(
        "code,name,region,m49\nfr,France,Europe,250\nes,Spain,Europe,724\njp,Japan,Asia,392\n"
        "ke,Kenya,Africa,\nar,Argentina,Americas,32\nde,Germany,Europe,276\n"
    )
    document = project.root / "content/document.yaml"
    document.write_text(document_more + document.read_text() + editions_more)
    return project


def test_a_name_in_each_editions_language_from_its_m49_code(make_root):
    """CLDR's name in the edition's language; the data's in English, and where there is no
    code; {{country}} stays the data's, for where: filters."""
    project = with_names(make_root, "  names: {local: m49}\n  languages: [en, fr, zh]\n")
    names = {e.id: dict(e.values)["local"] for e in editions_of(project)}
    assert names["jp.en"] == "Japan" and names["jp.fr"] == "Japon" and names["jp.zh"] == "日本"
    assert names["de.fr"] == "Allemagne" and names["ke.fr"] == "Kenya"  # no code: the data's
    assert dict(editions_of(project)[0].values)["country"] == "France"


def test_without_languages_the_name_is_in_the_documents_language(make_root):
    project = with_names(make_root, "  names: {local: m49}\n", "language: es\n")
    assert [dict(e.values)["local"] for e in editions_of(project)][:3] == [
        "Francia", "España", "Japón"
    ]  # fmt: skip
    project = with_names(make_root, "  names: {local: m49}\n")
    assert dict(editions_of(project)[2].values)["local"] == "Japan"


@pytest.mark.parametrize(
    ("names", "message"),
    [("{region: m49}", "names: 'region' is already a parameter"),
     ("{local: iso}", "no column 'iso'")],
)  # fmt: skip
def test_a_name_that_is_already_a_parameter_or_has_no_column_is_an_error(make_root, names, message):
    project = with_names(make_root, f"  names: {names}\n")
    with pytest.raises(ReportError, match=message) as caught:
        editions_of(project)
    assert str(caught.value).startswith("content/document.yaml:")


# A value is text: put into prose, it makes no markup (docs/editions.md)

MARKUP = (
    "*Evil* [^note] [site](https://evil.example) [74 million]{=all_migrants} "
    "{=all_migrants} [@stock] \\* \\"
)


def marked_up(make_root):
    """The editions root with France named MARKUP in the data."""
    project = make_root("editions", files={"content/footnotes.yaml": "note: A note.\n"})
    for name in ("countries.csv", "stock.csv"):
        path = project.root / "data" / name
        quoted = '"' + MARKUP.replace('"', '""') + '"'
        path.write_text(path.read_text().replace("France", quoted))
    return project


def test_a_value_with_markup_characters_is_text_in_the_prose_and_still_filters(make_root, tmp_path):
    """No emphasis, footnote call, link, binding, computed value or reference comes of a
    value; the figure the prose binds is still checked, the table's where: still selects the
    value's record, and the title and heading read it as it is."""
    from reporter.content.inline import Figure, Str, walk

    project = marked_up(make_root)
    fr = editions_of(project)[0]
    assert dict(fr.values)["country"] == MARKUP
    doc, report = check_project(Project(project.root, fr.values))
    assert not report.failed and report.count("pass") == 1  # [32,300]{=all_migrants}
    for place, inlines in doc.runs():
        assert {type(node) for node in walk(inlines)} <= {Str, Figure}, place
    paragraph = next(p for _, p in doc.paragraphs())
    assert [type(n) for n in paragraph.inlines] == [Str, Figure, Str]
    assert plain_text(paragraph.inlines).startswith(
        f"This profile describes {MARKUP}, a country of Europe. "
    )
    assert plain_text(doc.parts[0].title) == MARKUP
    html = build(Project(project.root, fr.values), tmp_path / "fr", pdf=False,
                 progress=lambda _: None).html.read_text()  # fmt: skip
    assert "<em>" not in html and 'href="https://' not in html and "A note." not in html
    assert f"<title>T/PROFILE/fr: International migrants in {MARKUP}</title>" in html
    assert f"describes {MARKUP}, a country of Europe." in html
    assert f"International migrants in {MARKUP}, thousands" in html  # the table's title
    assert ">5,900<" in html and ">8,300<" in html  # the where: filter found the record


def test_the_words_of_a_language_keep_their_markup(make_root):
    """content/languages/LANGUAGE.yaml is content, like the prose: its emphasis stays, while
    a value from the data beside it is text."""
    profile = 'kind: section\ntitle: T\nblocks:\n  - p: "{{source}} on {{country}}."\n'
    project = make_root("editions", files={
        "content/languages/en.yaml": 'source: "*Source*: the data"\n',
        "content/profile.yaml": profile,
    })  # fmt: skip
    values = (("country", "*Ruritania*"), ("edition", "ru"), ("language", "en"),
              ("source", "*Source*: the data"))  # fmt: skip
    doc, _ = check_project(Project(project.root, values))
    inlines = next(p for _, p in doc.paragraphs()).inlines
    assert [type(n).__name__ for n in inlines] == ["Emph", "Str"]
    assert plain_text(inlines) == "Source: the data on *Ruritania*."
