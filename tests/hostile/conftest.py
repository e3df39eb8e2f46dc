"""Fixtures of the hostile-input suite (tests/hostile/README.md): the Hypothesis profile, a
scratch folder for generated files, the sentinel planted outside every project, and a PDF
built once per session from tests/roots/basic."""

from __future__ import annotations

import itertools
import os
import shutil
import site
import sys
from dataclasses import dataclass
from pathlib import Path

import duckdb  # noqa: F401 - imported here once: each forked example starts warm
import pandas  # noqa: F401
import pikepdf  # noqa: F401
import pypdfium2  # noqa: F401
import pytest
import python_calamine  # noqa: F401
from hypothesis import HealthCheck, settings

import reporter
from reporter.pipeline import build
from reporter.project import THEME
from tests.conftest import copy_root
from tests.hostile.harness import AUDIT, SYSTEM_READS, Allowed, GiB, Run, Runner, inside

# Reproducible in CI: the same examples on every run (derandomize), no example database, no
# deadline (a fork and a parse take what the machine gives them); a test picks its own
# max_examples, small, with settings(parent=HOSTILE).
settings.register_profile(
    "hostile",
    derandomize=True,
    database=None,
    deadline=None,
    print_blob=False,
    suppress_health_check=[
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
        HealthCheck.large_base_example,
    ],
)
HOSTILE = settings.get_profile("hostile")

SECRET = "HOSTILE-SENTINEL-5d1c"  # what the sentinel file holds, and part of its name


class Sentinel:
    """A folder outside every project, holding a secret file (what hostile inputs try to read
    through links, `../`, file:// URLs, SQL) and nothing else (where they try to write). Its
    access time is set before its modification time, so that any read of it, by Python or by
    a library's C code, moves the access time (relatime, the Linux default)."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        folder.mkdir(parents=True, exist_ok=True)
        self.file = folder / f"{SECRET}.csv"
        self.file.write_text(f"name,value\n{SECRET},1\n")
        self.yaml = folder / f"{SECRET}.yaml"
        self.yaml.write_text(f"kind: section\ntitle: {SECRET}\nblocks: [{SECRET}]\n")
        self.arm()

    def arm(self) -> None:
        for path in (self.file, self.yaml):
            info = path.stat()
            os.utime(path, ns=(info.st_mtime_ns - 10**10, info.st_mtime_ns))
        self.listing = self.list()

    def list(self) -> dict[str, tuple[int, int]]:
        return {
            p.relative_to(self.folder).as_posix(): (p.lstat().st_size, p.lstat().st_mtime_ns)
            for p in sorted(self.folder.rglob("*"))
        }

    def read(self) -> list[str]:
        """The files of the sentinel read since it was armed."""
        return [
            p.name for p in (self.file, self.yaml) if p.stat().st_atime_ns >= p.stat().st_mtime_ns
        ]

    def changes(self) -> list[str]:
        """What was written into the folder since it was armed, and what was read."""
        now = self.list()
        written = sorted(k for k in {*now, *self.listing} if now.get(k) != self.listing.get(k))
        return [f"written: {k}" for k in written] + [f"read: {k}" for k in self.read()]


@pytest.fixture(scope="session")
def sentinel(tmp_path_factory) -> Sentinel:
    found = Sentinel(tmp_path_factory.mktemp("outside"))
    probe = found.folder.parent / "atime-probe"
    probe.write_text("x")
    info = probe.stat()
    os.utime(probe, ns=(info.st_mtime_ns - 10**10, info.st_mtime_ns))
    probe.read_text()
    assert probe.stat().st_atime_ns >= info.st_mtime_ns, (
        "this file system does not update access times (noatime): the sentinel cannot see "
        "reads made by C code; run the suite on a relatime or strictatime mount"
    )
    probe.unlink()
    return found


@pytest.fixture
def armed(sentinel):
    """The sentinel, untouched at the start of the test and checked at its end."""
    sentinel.arm()
    yield sentinel
    assert sentinel.changes() == []


@pytest.fixture(scope="module")
def scratch(tmp_path_factory):
    """scratch() -> a new empty folder for one generated example."""
    base = tmp_path_factory.mktemp("examples")
    count = itertools.count()

    def make() -> Path:
        folder = base / str(next(count))
        folder.mkdir()
        return folder

    yield make
    shutil.rmtree(base, ignore_errors=True)


@pytest.fixture(scope="session")
def basic_pdf(tmp_path_factory) -> Path:
    """tests/roots/basic built once (HTML and PDF): the PDF the mutations start from."""
    root = tmp_path_factory.mktemp("basic") / "basic"
    project = copy_root("basic", root)
    result = build(project, out=root / "out", progress=lambda _: None)
    assert result.pdf is not None and result.pages >= 2
    return result.pdf


# --- the command-line runs: limits measured on clean runs ------------------------------------


@dataclass
class Limits:
    address_space: int  # RLIMIT_AS of every hostile run
    allowed: Allowed  # what every run may read and start, besides its own folders
    clean: dict[str, Run]  # the clean runs the limits come from


def _installed() -> Allowed:
    """What the interpreter, reporter and its libraries are made of, and the system's data."""
    folders = {sys.prefix, sys.base_prefix, sys.exec_prefix, *site.getsitepackages(),
               os.path.dirname(reporter.__file__), str(THEME), str(AUDIT)}  # fmt: skip
    reads = {os.path.realpath(f) for f in folders} | set(SYSTEM_READS)
    return Allowed(reads=reads, programs={os.path.basename(sys.executable)})


@pytest.fixture(scope="session")
def limits(tmp_path_factory, basic_pdf) -> Limits:
    """Clean runs of `build --html-only`, `build`, `check` (a project with SQL and a
    workbook), `check FILE.pdf` and `diff A B`, without a memory limit: the address space
    they reserve (DuckDB, numpy's OpenBLAS and WeasyPrint reserve far more than they use)
    sets RLIMIT_AS for the hostile runs at the largest plus 2 GiB: room for a run to go past
    1 GiB resident, which the runs' peak RSS then shows (a limit of 1 GiB more would turn
    DuckDB's 2 GB into a clean out-of-memory error and hide it). The files they read outside
    the installed folders (/etc/mime.types…) and the programs they start (fc-list, ld…) are
    allowed to every run; any other read, write or program is not."""
    base = tmp_path_factory.mktemp("clean")
    cache = tmp_path_factory.mktemp("hostile-cache")
    runner = Runner(base / "runs", cache, matplotlib_dir(tmp_path_factory), 64 * GiB,
                    allowed=_installed())  # fmt: skip
    basic = copy_root("basic", base / "basic").root
    sql = copy_root("sql", base / "sql").root
    work = base / "work"
    work.mkdir()
    shutil.copy(basic_pdf, work / "a.pdf")
    from tests.hostile.pdfs import mutate

    (work / "b.pdf").write_bytes(mutate(basic_pdf.read_bytes(), [("rotate", 0, 90)]))
    clean = {
        "build --html-only": runner.run("build", "--html-only", str(basic),
                                        writes=[basic]),
        "build": runner.run("build", str(basic), writes=[basic]),
        "check": runner.run("check", str(sql), writes=[sql]),
        "check FILE.pdf": runner.run("check", "a.pdf", cwd=work),
        "diff A B": runner.run("diff", "a.pdf", "b.pdf", cwd=work, exits=(1,)),
    }  # fmt: skip
    mine = [str(tmp_path_factory.getbasetemp().resolve())]
    exact, programs = set(), set()
    for run in clean.values():
        roots = run.allowed.reads | run.allowed.writes
        exact |= {p for p in run.opened("r") if not inside(p, roots) and not inside(p, mine)}
        programs |= {os.path.basename(str(e[2]).strip("'\"")) for e in run.events
                     if e[1] == "subprocess.Popen"}  # fmt: skip
    allowed = _installed() | Allowed(exact=exact, programs=programs)
    for run in clean.values():
        run.allowed = allowed | run.allowed
    peak = max(run.vm_peak() for run in clean.values())
    step = 256 << 20
    return Limits(-(-(peak + 2 * GiB) // step) * step, allowed, clean)


def matplotlib_dir(tmp_path_factory) -> Path:
    folder = tmp_path_factory.getbasetemp() / "matplotlib"
    folder.mkdir(exist_ok=True)
    return folder


@pytest.fixture
def runner(tmp_path, tmp_path_factory, limits, sentinel) -> Runner:
    """Runs reporter commands under the measured limits, watched by the sentinel."""
    cache = tmp_path / "cache"
    cache.mkdir()
    return Runner(tmp_path / "runs", cache, matplotlib_dir(tmp_path_factory),
                  limits.address_space, allowed=limits.allowed, sentinel=sentinel)  # fmt: skip
