"""reporter/files.py: a project's file read safely (a regular file, inside the project,
within a size limit, measured before it is read) and a live process told from a dead one."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from reporter.errors import ReportError
from reporter.files import pid_alive, project_root, read_bytes


def error(path: Path, shown: Path, limit: int = 1_000_000, what: str = "file") -> str:
    with pytest.raises(ReportError) as err:
        read_bytes(path, shown, limit, what)
    return str(err.value)


@pytest.fixture
def basic(make_root):
    return make_root("basic")


def test_a_regular_file_inside_the_project_is_read_whole(basic):
    path = basic.root / "data/hosts.csv"
    assert read_bytes(path, Path("data/hosts.csv"), 10_000) == path.read_bytes()
    size = path.stat().st_size
    assert read_bytes(path, Path("data/hosts.csv"), size) == path.read_bytes()  # exactly the limit


def test_a_file_over_the_limit_is_refused_before_it_is_read(basic):
    path = basic.root / "data/hosts.csv"
    size = path.stat().st_size
    assert error(path, Path("data/hosts.csv"), size - 1, "data file") == (
        f"data/hosts.csv: data file is {size:,} bytes, more than the {size - 1:,} allowed "
        "(split it into smaller files)"
    )


def test_a_missing_file_is_named_as_shown(basic):
    assert error(basic.root / "data/nothing.csv", Path("data/nothing.csv")) == (
        "data/nothing.csv: file not found (create it or fix the name)"
    )


def test_a_link_leading_out_of_the_project_is_refused(basic, tmp_path):
    secret = tmp_path / "secret.csv"
    secret.write_text("a\n1\n", encoding="utf-8")
    (basic.root / "data/linked.csv").symlink_to(secret)
    assert error(basic.root / "data/linked.csv", Path("data/linked.csv"), what="data file") == (
        f"data/linked.csv: data file resolves to {secret}, outside the project "
        "(keep content and data inside the project: no links or '..' leading out)"
    )


def test_a_link_inside_the_project_is_followed(basic):
    (basic.root / "data/again.csv").symlink_to(basic.root / "data/hosts.csv")
    data = read_bytes(basic.root / "data/again.csv", Path("data/again.csv"), 10_000)
    assert data == (basic.root / "data/hosts.csv").read_bytes()


def test_dot_dot_leading_out_is_refused(basic, tmp_path):
    (tmp_path / "outside.csv").write_text("a\n", encoding="utf-8")
    shown = Path("data/../../outside.csv")
    assert "outside the project" in error(basic.root / shown, shown)


def test_folders_and_fifos_are_not_regular_files(basic):
    assert error(basic.root / "content/tables", Path("content/tables")) == (
        "content/tables: file is not a regular file (replace it)"
    )
    fifo = basic.root / "data/pipe.csv"
    os.mkfifo(fifo)  # reading it would block forever: it is refused before it is opened
    assert error(fifo, Path("data/pipe.csv")) == (
        "data/pipe.csv: file is not a regular file (replace it)"
    )


@pytest.mark.parametrize(
    ("path", "shown", "root"),
    [
        ("/p/content/a.yaml", "content/a.yaml", "/p"),
        ("/p/data/sub/b.csv", "data/sub/b.csv", "/p"),
        ("/elsewhere/x/data.csv", "/elsewhere/x/data.csv", "/elsewhere/x"),  # shown absolute
        ("/q/other/c.csv", "c.csv", "/q/other"),  # shown is the name only: its own folder
        ("/q/other/c.csv", "data/c.csv", "/q/other"),  # not a tail of the path
    ],
)
def test_the_folder_a_file_must_stay_inside(path, shown, root):
    assert project_root(Path(path), Path(shown)) == Path(root)


def test_a_running_process_is_alive_and_a_finished_one_is_not():
    assert pid_alive(os.getpid())
    assert pid_alive(1)  # init runs, as whoever it is
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    assert not pid_alive(child.pid)


def test_the_input_limits_are_documented():
    from reporter import files

    text = (Path(__file__).parent.parent / "docs/security.md").read_text(encoding="utf-8")
    for name in ("MAX_INPUT_BYTES", "MAX_CONTENT_BYTES", "MAX_INPUT_FILES", "MAX_INPUTS_BYTES"):
        assert f"{getattr(files, name):,}" in text and f"`{name}`" in text


def test_a_content_file_over_its_limit_is_refused_before_it_is_read(make_root, capsys):
    from reporter.cli import main
    from reporter.files import MAX_CONTENT_BYTES

    project = make_root("basic")
    with open(project.root / "content/picture.png", "wb") as handle:
        handle.truncate(MAX_CONTENT_BYTES + 1)  # not a part, yet it would be attached
    assert main(["build", str(project.root), "--html-only"]) == 1
    assert capsys.readouterr().err == (
        f"error: content/picture.png: content file is {MAX_CONTENT_BYTES + 1:,} bytes, more "
        f"than the {MAX_CONTENT_BYTES:,} allowed (split it, or keep it out of content/, data/ "
        "and templates/)\n"
    )


def test_orphans_of_dead_processes_are_removed_and_the_living_kept(tmp_path):
    from reporter.files import remove_orphans

    dead, alive = 999_999_999, os.getpid()
    made = [tmp_path / f".out.staging-{dead}", tmp_path / f".out.staging-{alive}",
            tmp_path / f".out.inputs-{dead}-{alive}", tmp_path / f"tmp-{dead}-ab12.tmp",
            tmp_path / f"tmp-{alive}-{dead}.tmp"]  # fmt: skip
    for path in made:
        path.mkdir() if path.suffix != ".tmp" else path.write_text("")
    remove_orphans(made[:2], "staging")
    remove_orphans(made[2:3], "inputs")  # the process id, not the thread's
    remove_orphans(made[3:], "tmp")
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        [f".out.staging-{alive}", f"tmp-{alive}-{dead}.tmp"]
    )
