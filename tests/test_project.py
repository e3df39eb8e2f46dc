"""reporter/project.py: a project is a folder with content/document.yaml; its folders and
outputs are named from its root, and output files from the document symbol."""

from __future__ import annotations

import os

import pytest

from reporter.editions import editions_of
from reporter.errors import UsageError
from reporter.pipeline import check_project
from reporter.project import Project, output_stem
from tests.conftest import ROOTS


def test_a_project_is_found_by_its_document_and_its_folders_named(make_root):
    project = make_root("basic")
    found = Project.at(project.root)
    assert found == project and found.root.is_absolute()
    assert found.templates == project.root / "templates"
    assert found.assets == project.root / "templates" / "assets"
    assert found.data_dir() == project.root / "data"
    assert found.out() == project.root / "out"
    assert (found.assets / "report.css").is_file()


def test_a_relative_path_is_resolved(make_root, monkeypatch):
    project = make_root("basic")
    monkeypatch.chdir(project.root / "content")
    assert Project.at(project.root.parent / project.root.name / "content" / "..").root == (
        project.root
    )
    monkeypatch.chdir(project.root.parent)
    assert Project.at(type(project.root)(project.root.name)).root == project.root


def test_a_folder_without_a_document_is_a_usage_error_saying_what_to_do(make_root, tmp_path):
    with pytest.raises(UsageError) as err:
        Project.at(tmp_path)
    assert str(err.value) == (
        f"{tmp_path}: not a report project: no content/document.yaml "
        "(run in the project folder, give its path, or create one with 'reporter new DIR')"
    )
    project = make_root("basic")
    os.unlink(project.root / "content/document.yaml")
    with pytest.raises(UsageError, match="no content/document.yaml"):
        Project.at(project.root)
    (project.root / "content/document.yaml").mkdir()  # a folder of that name is not a document
    with pytest.raises(UsageError, match="no content/document.yaml"):
        Project.at(project.root)


@pytest.mark.parametrize(
    ("symbol", "stem"),
    [
        ("A/67/254", "A-67-254"),
        ("T/BASIC/1", "T-BASIC-1"),
        ("E/CN.9/2012/2", "E-CN.9-2012-2"),  # dots kept
        ("A/HRC/WG.6/1 Add.1", "A-HRC-WG.6-1-Add.1"),
        ("/A//67/", "A-67"),  # no leading, trailing or doubled separators
        ("Rapport n° 5", "Rapport-n-5"),
        ("///", "report"),
        ("", "report"),
        ("../../etc/passwd", "..-..-etc-passwd"),  # no folder separator survives
    ],
)
def test_output_files_are_named_after_the_symbol(symbol, stem):
    assert output_stem(symbol) == stem
    assert "/" not in output_stem(symbol)


@pytest.mark.parametrize("name", sorted(p.name for p in ROOTS.iterdir() if p.is_dir()))
def test_every_fixture_root_is_a_project_that_checks_clean(make_root, name):
    project = make_root(name)
    assert Project.at(project.root) == project
    for values in [e.values for e in editions_of(project)] or [()]:  # each edition, if any
        doc, report = check_project(Project(project.root, values))
        assert report.findings and not report.failed, [(f.text, f.message) for f in report.failed]
        assert doc.warnings == [] and report.unbound == []
