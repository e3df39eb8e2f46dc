"""Crash drills: interrupts at several moments of every stage, SIGKILL at random moments,
damaged cache entries and file-system errors. After each: the exit code is honest, out/ is a
consistent set (the manifest's hashes match its files) that is the last good build or the new
one, no temporary file or process of the build is left, and the next build is byte-identical
to a fresh one."""

from __future__ import annotations

import contextlib
import errno
import hashlib
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from reporter.cache import folder_of
from reporter.errors import ReportError
from reporter.interrupts import Interrupted
from reporter.pipeline import build
from reporter.project import Project
from tests.conftest import ROOT

CHART = """
    title: Values
    kind: bar
    table: first-table
    categories:
      rows: [a, total]
    series:
      - column: v
        label: Value
    unit: Units
    alt: A bar chart of the values.
"""
STAGES = ["Reading content", "Computing tables", "Checking figures", "Drawing charts",
          "Rendering HTML", "Writing PDF"]  # fmt: skip


@pytest.fixture(scope="module")
def project(tmp_path_factory) -> Path:
    """A small project with a table, a chart and a footnote, built once (the last good build)."""
    import textwrap

    from tests.conftest import MINIMAL

    root = tmp_path_factory.mktemp("crash") / "proj"
    files = {**MINIMAL, "content/charts/values.yaml": CHART}
    files["content/main.yaml"] = MINIMAL["content/main.yaml"] + "      - figure: values\n"
    shutil.copytree(ROOT / "templates", root / "templates")
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
    assert run(root).returncode == 0
    return root


@pytest.fixture(scope="module")
def fresh(project, tmp_path_factory) -> dict[str, bytes]:
    """The outputs of a --fresh build of the same inputs, in another folder."""
    copy = tmp_path_factory.mktemp("fresh") / "proj"
    shutil.copytree(project, copy, ignore=shutil.ignore_patterns("out"))
    assert run(copy, "--fresh").returncode == 0
    return outputs(copy / "out")


def run(root: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "reporter.cli", "build", str(root), *args],
        capture_output=True,
        text=True,
        cwd=root.parent,
    )


def outputs(out: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(out.iterdir()) if p.is_file()}


def consistent(out: Path) -> dict[str, bytes]:
    """out/'s files, after checking that they are the set its manifest lists."""
    files = outputs(out)
    listed = json.loads(files["manifest.json"])["outputs"]
    assert set(listed) == set(files) - {"manifest.json"}
    for name, digest in listed.items():
        assert hashlib.sha256(files[name]).hexdigest() == digest, name
    return files


def leftovers(root: Path) -> list[str]:
    """Temporary files and folders, and worker processes, of builds of `root`."""
    found = [p.name for p in root.glob(".out.*")]
    found += [str(p) for p in folder_of(root).glob("*/tmp-*.tmp")]
    for cmdline in Path("/proc").glob("[0-9]*/cmdline"):
        try:
            text = cmdline.read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        if "reporter.compute.chart_worker" in text and str(root) in text:
            found.append(text)
    return found


def after_a_drill(project: Path, fresh: dict[str, bytes], before: dict[str, bytes]) -> None:
    now = consistent(project / "out")
    assert now in (before, fresh)  # the last good build, or the new one
    result = run(project)  # removes what a killed build left, and rebuilds from the cache
    assert result.returncode == 0, result.stderr
    assert consistent(project / "out") == fresh
    deadline = time.monotonic() + 5
    while leftovers(project) and time.monotonic() < deadline:
        time.sleep(0.05)  # a killed parent's worker is killed by the kernel, not at once
    assert leftovers(project) == []


def interrupt_at(project: Path, stage: str, delay: float, signum: int) -> tuple[int, str]:
    """Start a build, and send `signum` `delay` seconds after it announces `stage`."""
    process = subprocess.Popen(
        [sys.executable, "-m", "reporter.cli", "build", str(project), "--fresh", "-v"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    announced = ""
    for line in process.stderr:  # -v: one line per stage, also when stderr is a pipe
        announced += line
        if stage in line:
            time.sleep(delay)
            process.send_signal(signum)
            break
    _, err = process.communicate()
    assert stage in announced, f"the build never announced {stage!r}: {announced + err}"
    return process.returncode, err


@pytest.mark.parametrize("stage", STAGES)
@pytest.mark.parametrize("delay", [0.0, 0.15])
def test_ctrl_c_in_every_stage(project, fresh, stage, delay):
    before = consistent(project / "out")
    code, err = interrupt_at(project, stage, delay, signal.SIGINT)
    assert code in (130, 0), err  # 0 only if the build was done before the signal came
    if code == 130:
        assert "interrupted: outputs left as they were" in err and "Traceback" not in err
        assert consistent(project / "out") == before
    after_a_drill(project, fresh, before)


def test_sigterm_is_an_interrupt_too(project, fresh):
    before = consistent(project / "out")
    code, err = interrupt_at(project, "Writing PDF", 0.05, signal.SIGTERM)
    assert code in (143, 0), err
    after_a_drill(project, fresh, before)


def test_sigkill_at_20_random_moments(project, fresh):
    started = time.monotonic()
    assert run(project, "--fresh").returncode == 0
    cold = time.monotonic() - started
    moments = random.Random(20261129).sample(range(1000), 20)
    for moment in moments:
        before = consistent(project / "out")
        process = subprocess.Popen(
            [sys.executable, "-m", "reporter.cli", "build", str(project), "--fresh"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        time.sleep(cold * moment / 1000)
        process.kill()
        process.wait()
        after_a_drill(project, fresh, before)


def test_an_interrupt_swallowed_inside_weasyprint_still_stops_the_build(
    project, monkeypatch, tmp_path
):
    """WeasyPrint catches BaseException while it draws an SVG: the interrupt comes back as a
    normal return with a chart missing. The build must not publish or cache that PDF."""
    from reporter.export import pdf

    real = pdf.render_pdf

    def swallowing(*args, **kwargs):
        with contextlib.suppress(BaseException):  # what WeasyPrint does around an SVG
            os.kill(os.getpid(), signal.SIGINT)
        return real(*args, **kwargs)

    monkeypatch.setattr(pdf, "render_pdf", swallowing)
    copy = tmp_path / "proj"
    shutil.copytree(project, copy)
    before = consistent(copy / "out")
    with pytest.raises(Interrupted):
        build(Project.at(copy), progress=lambda _: None, fresh=True)
    assert consistent(copy / "out") == before
    assert not list(folder_of(copy).glob("pdf/*"))  # the broken PDF was not cached


@pytest.mark.parametrize("stage", ["table", "quantity", "chart", "pdf"])
@pytest.mark.parametrize("damage", ["truncated", "emptied", "junk"])
def test_a_damaged_cache_entry_is_recomputed(project, fresh, tmp_path, stage, damage):
    copy = tmp_path / "proj"
    shutil.copytree(project, copy)
    quantities = copy / "content/quantities.yaml"  # a quantity over data: cached too
    quantities.write_text("n:\n  count: values\n")
    (copy / "content/main.yaml").write_text(
        (copy / "content/main.yaml").read_text().replace("First paragraph.", "First of [2]{=n}.")
    )
    assert run(copy).returncode == 0
    good = outputs(copy / "out")
    entries = list((folder_of(copy) / stage).glob("*.*"))
    assert entries, stage
    for entry in entries:
        data = entry.read_bytes()
        entry.write_bytes({"truncated": data[: len(data) // 2], "emptied": b"",
                           "junk": b'{"not json'}[damage])  # fmt: skip
    result = run(copy)
    assert result.returncode == 0 and "Traceback" not in result.stderr, result.stderr
    assert outputs(copy / "out") == good
    assert leftovers(copy) == []


def test_out_is_a_file(project, tmp_path):
    (tmp_path / "out").write_text("not a folder")
    result = run(project, "--out", str(tmp_path / "out"))
    assert result.returncode == 1
    assert result.stderr.strip().splitlines()[-1] == (
        f"error: {tmp_path / 'out'}: the output folder is a file or a link (remove it, or give "
        "--out another folder)"
    )


@pytest.mark.parametrize(
    "code, hint",
    [
        (errno.ENOSPC, "the disk is full: free some space"),
        (errno.EROFS, "the file system is read-only: give --out a writable folder"),
    ],
)
def test_a_file_system_error_is_one_line_and_keeps_the_last_good_outputs(
    project, tmp_path, monkeypatch, code, hint
):
    from reporter.export import publish

    copy = tmp_path / "proj"
    shutil.copytree(project, copy)
    before = consistent(copy / "out")

    def failing(path, data):
        raise OSError(code, os.strerror(code), str(path))

    monkeypatch.setattr(publish, "write_file", failing)
    with pytest.raises(ReportError) as caught:
        build(Project.at(copy), progress=lambda _: None)
    assert str(caught.value).endswith(f"{os.strerror(code)} ({hint})")
    assert consistent(copy / "out") == before
    assert leftovers(copy) == []


def test_a_full_disk_while_copying_a_folder_is_one_line_not_shutils_list(tmp_path):
    """shutil.copytree gathers its failures into a list of (source, target, why) tuples,
    which printed as such (the fleet still copies an edition's folder with it)."""
    from reporter.export.publish import fs_error

    full = OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(tmp_path / "b"))
    error = shutil.Error([(str(tmp_path / "a"), str(tmp_path / "b"), str(full))])
    assert str(fs_error(error, tmp_path)) == (
        f"{tmp_path / 'b'}: cannot write: No space left on device (the disk is full: free some "
        "space)"
    )


def test_a_cache_that_cannot_be_written_is_a_warning(project, tmp_path, monkeypatch):
    from reporter import cache

    copy = tmp_path / "proj"
    shutil.copytree(project, copy)

    def full(self, path, data):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(path))

    monkeypatch.setattr(cache.Cache, "_store", full)
    result = build(Project.at(copy), progress=lambda _: None)
    assert result.pdf.read_bytes().startswith(b"%PDF-")
    assert any("the cache could not be written (No space left on device)" in w
               for w in result.warnings)  # fmt: skip


def test_concurrent_builds_in_one_folder(project, fresh):
    before = consistent(project / "out")
    builds = [
        subprocess.Popen(
            [sys.executable, "-m", "reporter.cli", "build", str(project), *extra],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        for extra in ([], ["--fresh"], [])
    ]
    for process in builds:
        _, err = process.communicate()
        assert process.returncode == 0, err
    after_a_drill(project, fresh, before)


def test_a_damaged_entry_is_noted_with_verbose(project, tmp_path):
    copy = tmp_path / "proj"
    shutil.copytree(project, copy)
    assert run(copy).returncode == 0  # a cache of its own (the cache is per project folder)
    entries = list((folder_of(copy) / "table").glob("*.json"))
    assert entries
    for entry in entries:
        entry.write_bytes(entry.read_bytes()[:-5])
    result = run(copy, "-v")
    assert result.returncode == 0
    assert "cache: table " in result.stdout and "damaged (its digest does not match)" in (
        result.stdout
    )
