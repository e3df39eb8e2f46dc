"""Installed from a wheel, as a release is: the default theme and `reporter new`'s project
files are in it, and `reporter new` works from the installed package alone."""

from __future__ import annotations

import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def clean_source(target: Path) -> Path:
    """The repository's tracked files, as a clean checkout has them (no build/ or egg-info
    left by an earlier build, which setuptools would take files from)."""
    files = (
        subprocess.run(["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, check=True)
        .stdout.decode()
        .split("\0")
    )
    for name in filter(None, files):
        source, copy = ROOT / name, target / name
        copy.parent.mkdir(parents=True, exist_ok=True)
        if source.is_symlink():
            copy.symlink_to(source.readlink())
        elif source.is_file():
            shutil.copyfile(source, copy)
    return target


def test_reporter_new_works_from_the_wheel(tmp_path):
    source = clean_source(tmp_path / "src")
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q",
         "-w", str(tmp_path / "dist"), str(source)],
        check=True, capture_output=True,
    )  # fmt: skip
    wheel = next((tmp_path / "dist").glob("reporter-*.whl"))
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
        archive.extractall(tmp_path / "site")
    scaffold = [p.relative_to(ROOT).as_posix() for p in (ROOT / "reporter/scaffold/project")
                .rglob("*") if p.is_file()]  # fmt: skip
    assert set(scaffold) <= names
    assert "reporter/theme/document.html.j2" in names
    result = subprocess.run(
        [sys.executable, "-c", "import sys; from reporter.cli import main; "
         f"sys.exit(main(['new', {str(tmp_path / 'made')!r}]))"],
        cwd=tmp_path, env={"PYTHONPATH": str(tmp_path / "site"), "PATH": "/usr/bin:/bin"},
        capture_output=True, text=True,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "made/content/document.yaml").is_file()
    assert (tmp_path / "made/templates/assets/fonts/LiberationSerif-Regular.ttf").is_file()
