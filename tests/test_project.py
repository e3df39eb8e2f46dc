"""reporter/project.py: a project is a folder with content/document.yaml; its folders and
outputs are named from its root, and output files from the document symbol."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from reporter.editions import editions_of
from reporter.errors import UsageError
from reporter.pipeline import check_project
from reporter.project import THEME, Project, output_stem
from tests.conftest import ROOTS


def test_a_project_is_found_by_its_document_and_its_folders_named(make_root):
    project = make_root("basic")
    found = Project.at(project.root)
    assert found == project and found.root.is_absolute()
    assert found.templates == THEME  # no templates/ of its own: reporter's default theme
    assert found.data_dir() == project.root / "data"
    assert found.out() == project.root / "out"
    assert (found.assets / "report.css").is_file()
    own = make_root("basic", own_templates=True)
    assert own.templates == own.root / "templates"
    assert own.assets == own.root / "templates" / "assets"


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


# --- the snapshot a build reads: inputs read once, links leading out refused -------------------


def build_quietly(project: Project, out, progress=lambda _: None):
    from reporter.pipeline import build

    return build(project, out, progress=progress)


def test_a_file_edited_during_a_build_changes_nothing_of_it(make_root, tmp_path):
    """The pages, the attached files and the manifest's digests all come from the inputs as
    they were when the build began, though data and content change under it."""
    import hashlib
    import json

    from reporter.export.readback import attachments

    project = make_root("basic")
    data, part = project.root / "data/hosts.csv", project.root / "content/01-trends.yaml"
    before = {name: p.read_bytes() for name, p in (("data", data), ("part", part))}

    def edit(stage: str) -> None:
        if stage.startswith("Rendering HTML"):  # after the content and data were read once
            data.write_bytes(before["data"].replace(b"4", b"9"))
            part.write_bytes(before["part"] + b"\n# edited during the build\n")

    done = build_quietly(project, tmp_path / "out", edit)
    attached = attachments(done.pdf)
    assert attached["data/hosts.csv"] == before["data"]
    assert attached["content/01-trends.yaml"] == before["part"]
    for record in (json.loads(attached["manifest.json"]), json.loads(done.html.with_name(
            "manifest.json").read_text())):  # fmt: skip
        assert record["inputs"]["data/hosts.csv"] == hashlib.sha256(before["data"]).hexdigest()
        assert record["inputs"]["content/01-trends.yaml"] == (
            hashlib.sha256(before["part"]).hexdigest()
        )


def secret(tmp_path) -> Path:
    found = tmp_path / "outside" / "secret-name.txt"
    found.parent.mkdir()
    found.write_text("the secret\n")
    return found


@pytest.mark.parametrize(
    ("link", "target"),
    [
        ("templates/assets/s.txt", "file"),  # would be copied into out/assets and served
        ("templates/part.html.j2", "file"),  # {% include %}
        ("content/notes.txt", "file"),  # attached to the PDF
        ("data", "folder"),  # data/ -> $HOME: every name under it in the manifest
        ("templates", "folder"),
    ],
)
def test_no_link_may_lead_out_of_the_project(make_root, tmp_path, capsys, link, target):
    from reporter.cli import main

    project = make_root("basic", own_templates=link.startswith("templates/"))
    outside = secret(tmp_path)
    path = project.root / link
    if path.exists():
        shutil.rmtree(path)
    path.symlink_to(outside if target == "file" else outside.parent)
    assert main(["build", str(project.root), "--html-only"]) == 1
    err = capsys.readouterr().err
    kind = {"content": "content", "data": "data"}.get(link.split("/")[0], "template")
    assert err.splitlines() == [
        f"error: {link}: {kind} file resolves to {path.resolve()}, outside the project (keep "
        "content, data and templates inside the project: no links leading out)"
    ]
    assert not (project.root / "out").exists()
    if target == "folder":  # nothing under it is listed
        assert "secret-name" not in err


def test_a_link_is_refused_before_its_target_is_opened(make_root, tmp_path):
    """The target is a FIFO with no writer: opening it would block the build for ever."""
    project = make_root("basic")
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    (project.root / "data/hosts.csv").unlink()
    (project.root / "data/hosts.csv").symlink_to(fifo)
    run = subprocess.run([sys.executable, "-m", "reporter.cli", "build", str(project.root),
                          "--html-only"], capture_output=True, text=True, timeout=120)  # fmt: skip
    assert run.returncode == 1
    assert "data/hosts.csv: data file resolves to" in run.stderr


def test_an_oversized_input_is_refused_by_its_size_before_it_is_read(make_root):
    """A 2 GB sparse file in templates/: one error line, and the build's memory stays small."""
    project = make_root("basic", own_templates=True)
    with open(project.root / "templates/assets/big.bin", "wb") as handle:
        handle.truncate(2_000_000_000)
    # measured by a launcher, from its child: a process forked from pytest would report
    # pytest's own peak (Linux keeps the high-water mark across fork and exec)
    code = (
        "import resource, subprocess, sys\n"
        f"run = subprocess.run([sys.executable, '-m', 'reporter.cli', 'build', "
        f"{str(project.root)!r}, '--html-only'])\n"
        "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, file=sys.stderr)\n"
        "sys.exit(run.returncode)"
    )
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         timeout=120)  # fmt: skip
    *lines, peak = run.stderr.splitlines()
    assert run.returncode == 1
    assert lines == [
        "error: templates/assets/big.bin: template file is 2,000,000,000 bytes, more than the "
        "50,000,000 allowed (split it, or keep it out of content/, data/ and templates/)"
    ]
    assert int(peak) < 400_000  # KiB


def test_the_snapshot_is_removed_and_a_dead_builds_is_swept(make_root, tmp_path):
    project = make_root("basic")
    out = tmp_path / "out"
    dead = tmp_path / ".out.inputs-999999999-1"  # a pid no process has
    (dead / "content").mkdir(parents=True)
    build_quietly(project, out)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["basic", "out"]


def test_errors_in_a_snapshot_name_the_project_files(make_root, capsys):
    from reporter.cli import main

    project = make_root("basic", {"content/01-trends.yaml": "kind: [unclosed\n"})
    assert main(["check", str(project.root)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: content/01-trends.yaml:2:1: ") and "inputs-" not in err


def test_a_project_without_templates_is_built_with_the_default_theme(make_root, tmp_path):
    project = make_root("basic")
    assert not (project.root / "templates").exists()
    done = build_quietly(project, tmp_path / "out")
    assert (done.html.parent / "assets/report.css").read_bytes() == (
        THEME / "assets/report.css"
    ).read_bytes()
