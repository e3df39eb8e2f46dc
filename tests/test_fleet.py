"""Every edition built or checked: out/ID/ each, an index, the same bytes however they were
built (one process, warm workers, a Dask cluster), failures kept apart, and only what changed
built again."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from reporter.cli import main
from reporter.export.readback import attachments
from tests.conftest import copy_root

EDITIONS = ["de", "es", "fr", "jp", "ke"]


def tree(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in folder.rglob("*")
            if p.is_file()}  # fmt: skip


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new))


@pytest.fixture(scope="module")
def fleet(tmp_path_factory):
    """The editions root built once with jobs=1: (project folder, its out/ as bytes)."""
    project = copy_root("editions", tmp_path_factory.mktemp("fleet") / "editions")
    assert main(["build", str(project.root), "-q"]) == 0
    return project.root, tree(project.root / "out")


def test_every_edition_gets_its_folder_and_a_line_in_the_index(fleet):
    root, out = fleet
    for ident in EDITIONS:
        for name in (f"T-PROFILE-{ident}.html", f"T-PROFILE-{ident}.pdf", "manifest.json"):
            assert f"{ident}/{name}" in out
    index = out["index.html"].decode()
    assert index.count("<tr id=") == 5 and "Argentina" not in index  # left out by its where:
    assert '<a href="jp/T-PROFILE-jp.pdf">PDF</a>' in index
    css = {(root / "out" / ident / "assets/report.css").stat().st_ino for ident in EDITIONS}
    assert css == {(root / "out/assets/report.css").stat().st_ino}  # one copy, linked
    record = json.loads(out["editions.json"])["editions"]
    assert sorted(record) == EDITIONS and {e["status"] for e in record.values()} == {"ok"}


def test_two_warm_workers_write_the_same_bytes(fleet, make_root):
    _, out = fleet
    project = make_root("editions")
    assert main(["build", str(project.root), "-q", "-j", "2"]) == 0
    assert tree(project.root / "out") == out


def test_a_dask_cluster_writes_the_same_bytes(fleet, make_root):
    distributed = pytest.importorskip("distributed")  # the test extra installs it
    _, out = fleet
    project = make_root("editions")
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  dashboard_address=None, host="127.0.0.1") as cluster:  # fmt: skip
        code = main(["build", str(project.root), "-q", "--scheduler", cluster.scheduler_address])
    assert code == 0
    assert tree(project.root / "out") == out


def test_an_unchanged_fleet_is_not_built_again(make_root, capsys):
    project = make_root("editions")
    assert main(["build", str(project.root)]) == 0
    first = {p: p.stat().st_ino for p in (project.root / "out").rglob("*.pdf")}
    capsys.readouterr()
    assert main(["build", str(project.root)]) == 0
    assert "0 built, 5 unchanged" in capsys.readouterr().out
    assert {p: p.stat().st_ino for p in (project.root / "out").rglob("*.pdf")} == first


def test_a_changed_cell_changes_that_editions_document_only(make_root, capsys):
    project = make_root("editions")
    assert main(["build", str(project.root), "-q"]) == 0
    before = tree(project.root / "out")
    edit(project.root / "data/stock.csv", "Japan,1100,", "Japan,1200,")  # 1990: no total moves
    assert main(["build", str(project.root), "-v"]) == 0
    after = tree(project.root / "out")
    pages = [name for name in after if name.endswith(".html") and "/" in name]
    changed = {name.split("/")[0] for name in pages if after[name] != before[name]}
    assert changed == {"jp"}  # (each manifest records the new data file's digest)
    assert ">1,200<" in after["jp/T-PROFILE-jp.html"].decode()
    # every PDF carries the data file it was built from, so each carries the new one; the
    # document inside (its model, the pages' text) changed in Japan's only
    for ident in EDITIONS:
        carried = attachments(project.root / f"out/{ident}/T-PROFILE-{ident}.pdf")
        assert carried["data/stock.csv"] == (project.root / "data/stock.csv").read_bytes()
        model = json.loads(carried["reporter-model.json"])
        assert (ident == "jp") == ("1,200" in json.dumps(model))


def test_a_failing_edition_is_named_and_the_others_are_built(make_root, capsys):
    project = make_root("editions")
    with open(project.root / "data/countries.csv", "a") as countries:
        countries.write("ru,Ruritania,Europe\n")  # no migrants' record: its table sums nothing
    assert main(["build", str(project.root)]) == 1
    err = capsys.readouterr().err
    assert "error: edition ru: content/tables/stock.yaml:4:5: row 'stock' matches no" in err
    out = project.root / "out"
    assert sorted(p.name for p in out.iterdir() if p.is_dir()) == ["assets", *EDITIONS]
    assert '<tr id="ru"><td>Ruritania</td><td></td><td>failed: ' in (out / "index.html").read_text()


def test_a_failed_edition_keeps_its_last_good_outputs(make_root, capsys):
    project = make_root("editions")
    assert main(["build", str(project.root), "-q"]) == 0
    kenya = tree(project.root / "out/ke")
    edit(project.root / "data/countries.csv", "Kenya", "Kenia")  # the data still say Kenya
    assert main(["build", str(project.root)]) == 1
    assert tree(project.root / "out/ke") == kenya
    index = (project.root / "out/index.html").read_text()
    assert "failed (the last good outputs are kept)" in index
    edit(project.root / "data/countries.csv", "Kenia", "Kenya")
    assert main(["build", str(project.root), "-q"]) == 0  # built again, not taken as done
    assert "failed (the last good" not in (project.root / "out/index.html").read_text()


def test_some_editions_only(make_root, capsys):
    project = make_root("editions")
    assert main(["build", str(project.root), "-q"]) == 0
    before = tree(project.root / "out")
    edit(project.root / "content/profile.yaml", "This profile", "This short profile")
    assert main(["build", str(project.root), "--edition", "fr", "--edition", "ke"]) == 0
    after = tree(project.root / "out")
    assert "2 built, 0 unchanged" in capsys.readouterr().out
    assert after["es/T-PROFILE-es.html"] == before["es/T-PROFILE-es.html"]  # not asked for
    assert b"This short profile" in after["fr/T-PROFILE-fr.html"]
    assert main(["build", str(project.root), "--edition", "fx"]) == 2
    assert "error: no edition 'fx' (5 editions, e.g. fr, es, jp, ke, de)" in capsys.readouterr().err


def test_check_reads_every_edition_one_junit_suite_each(make_root, capsys):
    project = make_root("editions")
    edit(project.root / "data/countries.csv", "Kenya", "Kenia")
    assert main(["check", str(project.root), "--format", "junit"]) == 1
    suites = ET.fromstring(capsys.readouterr().out).findall("testsuite")
    assert [s.get("name") for s in suites] == EDITIONS
    kenya = suites[EDITIONS.index("ke")]
    assert kenya.get("errors") == "1" and "matches no records" in kenya.find("testcase/error").text
    assert main(["check", str(project.root), "--edition", "fr"]) == 0
    assert capsys.readouterr().out == "1 edition: 1 pass, 0 fail\n"


def test_editions_in_one_language_are_not_compared_with_one_another(make_root, capsys):
    """Only an edition in several languages has others that say the same; the five
    countries of the editions root each say their own (they were all held to the first)."""
    project = make_root("editions")
    assert main(["check", str(project.root)]) == 0
    assert capsys.readouterr().out.endswith("5 editions: 5 pass, 0 fail\n")


def in_two_languages(project, french: str, only: str = "fr") -> Path:
    """The editions root in English and French: content/LANGUAGE/profile.yaml each."""
    root = project.root
    document = root / "content/document.yaml"
    edit(document, "parts: [profile.yaml]", 'parts: ["{{language}}/profile.yaml"]')
    document.write_text(document.read_text() + f"  languages: [en, {only}]\n")
    (root / "content/en").mkdir()
    (root / "content/profile.yaml").rename(root / "content/en/profile.yaml")
    (root / "content/fr").mkdir()
    (root / "content/fr/profile.yaml").write_text(french)
    (root / "content/languages").mkdir()
    (root / "content/languages/en.yaml").write_text("stock: International migrants\n")
    (root / "content/languages/fr.yaml").write_text("stock: Migrants internationaux\n")
    table = root / "content/tables/stock.yaml"  # YAML: a value starting with {{ is quoted
    edit(table, "title: International migrants in {{country}}, thousands",
         'title: "{{stock}}: {{country}}, thousands"')  # fmt: skip
    return root


FRENCH = """\
kind: section
title: "{{country}}"
blocks:
  - p: >-
      Ce profil décrit {{country}} ({{region}}). Les pays de cette série accueillaient
      [32,300]{=all_migrants} milliers de migrants internationaux en 2019.
  - table: stock
"""


def test_each_edition_in_each_language_checked_against_the_first(make_root, capsys):
    root = in_two_languages(make_root("editions"), FRENCH)
    assert main(["check", str(root), "-v"]) == 0
    out = capsys.readouterr().out
    assert "[de.fr] 1 bound: 1 passed" in out and "10 editions: 10 pass, 0 fail" in out
    assert main(["build", str(root), "-q", "--edition", "jp.fr"]) == 0
    page = (root / "out/jp.fr/T-PROFILE-jp.html").read_text()  # one symbol in every language
    assert "Ce profil décrit Japan (Asia)." in page and "Migrants internationaux: Japan" in page


def test_a_figure_or_block_missing_in_one_language_fails_there(make_root, capsys):
    unbound = FRENCH.replace("[32,300]{=all_migrants}", "32 300")
    root = in_two_languages(make_root("editions"), unbound)
    assert main(["check", str(root), "--edition", "fr.fr", "--edition", "fr.en"]) == 1
    assert ("FAIL [fr.fr] content/fr/profile.yaml:4:8: para. 1: binds nothing; "
            "in en: all_migrants") in capsys.readouterr().out  # fmt: skip
    added = FRENCH.replace("  - table: stock", "  - p: Un paragraphe de plus.\n  - table: stock")
    (root / "content/fr/profile.yaml").write_text(added)
    assert main(["check", str(root), "--edition", "fr.fr", "--edition", "fr.en"]) == 1
    assert "not in the en edition at this place" in capsys.readouterr().out


def test_a_figure_changed_in_one_language_only_fails(make_root, capsys):
    root = in_two_languages(make_root("editions"), FRENCH.replace("[32,300]", "[32,400]"))
    assert main(["check", str(root), "--edition", "ke.fr", "--edition", "ke.en"]) == 1
    out = capsys.readouterr().out
    assert "FAIL [ke.fr] content/fr/profile.yaml:" in out and "“32,400” does not match" in out
    assert "[ke.en]" not in out


def test_a_language_for_some_editions_and_its_words(make_root, capsys):
    root = in_two_languages(make_root("editions"), FRENCH, only="{fr: [jp, ke]}")
    from reporter.editions import editions_of
    from reporter.project import Project

    ids = [e.id for e in editions_of(Project(root))]
    assert ids == ["fr.en", "es.en", "jp.en", "ke.en", "de.en", "jp.fr", "ke.fr"]
    (root / "content/languages/fr.yaml").write_text("other: Autre\n")
    assert main(["check", str(root)]) == 2  # the project cannot be read
    assert "content/languages/fr.yaml: content/languages/fr.yaml lacks stock" in (
        capsys.readouterr().err
    )
