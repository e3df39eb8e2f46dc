"""The content-hash cache (reporter/cache.py): reused exactly when what a result depends on is
unchanged, never changing an output's bytes, kept outside the project and authenticated with
the machine's key, so that the files of a project cannot plant an entry (docs/durability.md)."""

from __future__ import annotations

import os
import pickle
import shutil
import stat
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from reporter import cache
from reporter.cache import Cache, digest, folder_of
from reporter.data.datasets import Datasets
from reporter.errors import ReportError
from reporter.pipeline import build, load
from reporter.project import Project


def run(root, **options):
    return build(Project.at(root), progress=lambda _: None, **options)


@pytest.fixture(scope="module")
def warm(tmp_path_factory):
    """A flagship copy built once, so its cache is warm."""
    from tests.conftest import ROOT

    root = tmp_path_factory.mktemp("cached") / "project"
    for name in ("content", "data", "templates"):
        shutil.copytree(ROOT / name, root / name)
    first = run(root)
    return root, first.pdf.read_bytes(), first.html.read_bytes()


def test_no_op_rebuild_reuses_everything_and_writes_the_same_bytes(warm):
    root, pdf, html = warm
    again = run(root)
    assert again.cache.misses == []
    assert sorted(set(again.cache.hits)) == ["chart", "pages", "pdf", "quantity", "table"]
    assert again.pdf.read_bytes() == pdf and again.html.read_bytes() == html


def test_fresh_build_ignores_the_cache_and_gives_the_same_bytes(warm):
    root, pdf, html = warm
    fresh = run(root, fresh=True)
    assert fresh.cache.hits == []
    assert fresh.pdf.read_bytes() == pdf and fresh.html.read_bytes() == html


def test_editing_a_paragraph_recomputes_no_table_or_chart(warm):
    root, pdf, _ = warm
    path = root / "content/02-recent-developments.yaml"
    original = path.read_text(encoding="utf-8")
    path.write_text(original.replace("Paradoxically,", "Surprisingly,"), encoding="utf-8")
    try:
        edited = run(root)
        assert edited.cache.misses == ["pdf", "pages"]  # the pages, then their record
        assert edited.pdf.read_bytes() != pdf
    finally:
        path.write_text(original, encoding="utf-8")


def edited_csv(root, old: str, new: str, **options):
    path = root / "data/a67254_gfmd_round_tables.csv"
    original = path.read_text(encoding="utf-8")
    path.write_text(original.replace(old, new), encoding="utf-8")
    try:
        return run(root, **options)
    finally:
        path.write_text(original, encoding="utf-8")


def test_editing_a_csv_recomputes_what_reads_it_and_nothing_else(warm):
    root, _, _ = warm
    # "759 actions" in para. 40 no longer holds, so this is a draft build
    edited = edited_csv(root, "policies,2,17,0,99,", "policies,2,17,0,98,", draft=True)
    # Table 2 and what reads it (Figure II, the counts of round tables and meetings) are
    # recomputed; Table 1 and Figure I come from the cache
    assert sorted(edited.cache.misses) == [
        "chart", "pages", "pdf", "quantity", "quantity", "table"
    ]  # fmt: skip
    assert sorted(edited.cache.hits) == ["chart", "table"]


def test_a_chart_is_keyed_by_its_values_not_by_the_file(warm):
    root, _, _ = warm
    edited = edited_csv(root, "Labour mobility and development", "Labour mobility and growth")
    assert sorted(edited.cache.misses) == ["pages", "pdf", "quantity", "quantity", "table"]
    assert sorted(edited.cache.hits) == ["chart", "chart", "table"]


def test_the_cache_is_outside_the_project_in_the_cache_folder_of_the_user(warm, cache_base):
    root, _, _ = warm
    assert sorted(p.name for p in root.iterdir()) == ["content", "data", "out", "templates"]
    folder = folder_of(root)
    assert folder.parent == cache_base and len(folder.name) == 32
    assert sorted(p.name for p in folder.iterdir()) == [
        "chart", "pages", "pdf", "quantity", "table"
    ]  # fmt: skip
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700


def test_a_key_covers_reporters_own_code(tmp_path, monkeypatch):
    """A result computed by other code (an upgrade, a fix) is never reused: every key moves
    when a module of reporter changes."""
    import reporter
    from reporter import cache

    before = cache.digest("same input")
    copy = tmp_path / "reporter"
    shutil.copytree(Path(reporter.__file__).parent, copy, symlinks=True)
    (copy / "text.py").write_text((copy / "text.py").read_text() + "\n# a fix\n")
    monkeypatch.setattr(cache, "__file__", str(copy / "cache.py"))
    cache.code_digest.cache_clear()
    try:
        assert cache.digest("same input") != before
    finally:
        monkeypatch.undo()
        cache.code_digest.cache_clear()
    assert cache.digest("same input") == before


# --- where the cache is ------------------------------------------------------------------------


def test_the_base_folder_is_the_users_cache_folder_unless_overridden(monkeypatch, tmp_path):
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.delenv("REPORTER_CACHE_DIR")
    monkeypatch.delenv("XDG_CACHE_HOME", raising=False)
    assert cache.base_folder() == tmp_path / "home/.cache/reporter"
    monkeypatch.setenv("XDG_CACHE_HOME", "relative/cache")  # not absolute: ignored (XDG spec)
    assert cache.base_folder() == tmp_path / "home/.cache/reporter"
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert cache.base_folder() == tmp_path / "xdg/reporter"
    monkeypatch.setenv("REPORTER_CACHE_DIR", str(tmp_path / "ci"))  # CI
    assert cache.base_folder() == tmp_path / "ci"


def test_each_project_path_has_a_folder_of_its_own(tmp_path):
    (tmp_path / "a").mkdir()
    (tmp_path / "link").symlink_to(tmp_path / "a")
    base = tmp_path / "base"
    assert folder_of(tmp_path / "a", base) == folder_of(tmp_path / "link", base)  # resolved
    assert folder_of(tmp_path / "a", base) != folder_of(tmp_path / "b", base)
    assert folder_of(tmp_path / "a", base).parent == base


def test_the_cache_location_changes_no_output_byte(make_project, tmp_path, monkeypatch):
    root = make_project()
    made = {}
    for name in ("one", "two"):
        monkeypatch.setenv("REPORTER_CACHE_DIR", str(tmp_path / name))
        result = build(Project.at(root), out=tmp_path / f"out-{name}", progress=lambda _: None)
        assert result.cache.misses and not result.cache.hits  # a cache of its own
        assert list((tmp_path / name).glob("*/table/*.json"))
        out = tmp_path / f"out-{name}"
        made[name] = {p.name: p.read_bytes() for p in out.iterdir() if p.is_file()}
    assert made["one"] == made["two"]


# --- the machine's key, and entries made with it -----------------------------------------------


def stored(base: Path, root: Path, stage="table", key="k" * 64, suffix="json") -> Path:
    Cache(root, base=base).store(stage, key, b'{"a": 1}', suffix)
    return folder_of(root, base) / stage / f"{key}.{suffix}"


def test_the_key_is_made_once_private_to_the_user(tmp_path):
    base = tmp_path / "base"
    stored(base, tmp_path)
    key = base / "key"
    assert len(key.read_bytes()) == 32 and stat.S_IMODE(key.stat().st_mode) == 0o600
    assert stat.S_IMODE(base.stat().st_mode) == 0o700
    assert sorted(p.name for p in base.iterdir()) == [folder_of(tmp_path).name, "key"]
    before = key.read_bytes()
    assert Cache(tmp_path, base=base).lookup("table", "k" * 64, "json") == b'{"a": 1}'
    assert key.read_bytes() == before


def test_processes_starting_together_agree_on_one_key(tmp_path):
    """The key is linked into place, never replaced: the first one made is everyone's."""
    base = tmp_path / "base"
    base.mkdir(mode=0o700)
    start, keys = threading.Barrier(8), []

    def make():
        start.wait()
        keys.append(cache._machine_key(base))

    threads = [threading.Thread(target=make) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(keys) == 8 and {k for k, _ in keys} == {(base / "key").read_bytes()}
    assert sorted(p.name for p in base.iterdir()) == ["key"]  # no temporary file left


@pytest.mark.parametrize(
    "damage, why",
    [
        (lambda key: key.chmod(0o620), "can be written by other users"),
        (lambda key: key.chmod(0o602), "can be written by other users"),
        (lambda key: key.chmod(0o640), "can be read by other users"),
        (lambda key: os.link(key, key.with_name("other")), "has other names (hard links)"),
        (lambda key: key.write_bytes(b"short"), "is not a key of 32 bytes"),
    ],
)
def test_a_key_that_is_not_private_is_replaced_with_a_warning(tmp_path, damage, why):
    base = tmp_path / "base"
    entry = stored(base, tmp_path)
    key = base / "key"
    old = key.read_bytes()
    damage(key)
    again = Cache(tmp_path, base=base)
    assert again.warnings == [
        f"{key}: the cache's key {why}, so it is not used; a new key was made (the entries "
        "made with the old one will be recomputed)"
    ]
    assert key.read_bytes() != old and stat.S_IMODE(key.stat().st_mode) == 0o600
    assert again.lookup("table", entry.stem, "json") is None  # made with the old key: a miss
    assert Cache(tmp_path, base=base).warnings == []  # the new key is kept


def test_a_key_that_is_a_link_is_replaced(tmp_path):
    base = tmp_path / "base"
    stored(base, tmp_path)
    planted = tmp_path / "planted"
    planted.write_bytes(b"k" * 32)
    planted.chmod(0o600)
    (base / "key").unlink()
    (base / "key").symlink_to(planted)
    warnings = Cache(tmp_path, base=base).warnings
    assert warnings and "the cache's key is a link or cannot be read" in warnings[0]
    assert not (base / "key").is_symlink() and (base / "key").read_bytes() != b"k" * 32


def test_a_key_or_folder_of_another_user_is_refused(tmp_path, monkeypatch):
    base = tmp_path / "base"
    stored(base, tmp_path)
    info = (base / "key").stat()
    assert cache._unsafe(info) == ""
    forged = os.stat_result((info.st_mode, 0, 0, 1, os.getuid() + 1, 0, 32, 0, 0, 0))
    assert cache._unsafe(forged) == "belongs to another user"
    # the whole cache folder somebody else's: no cache at all
    monkeypatch.setattr(os, "getuid", lambda: info.st_uid + 1)
    refused = Cache(tmp_path, base=base)
    assert not refused.enabled and refused.lookup("table", "k" * 64, "json") is None
    assert refused.warnings == [
        f"{base}: the cache folder belongs to another user; make it yours alone (chmod 700) or "
        "set REPORTER_CACHE_DIR; the build goes on without a cache"
    ]


def test_a_cache_folder_others_can_write_is_not_used(tmp_path):
    base = tmp_path / "base"
    entry = stored(base, tmp_path)
    base.chmod(0o777)
    refused = Cache(tmp_path, base=base)
    assert not refused.enabled and refused.lookup("table", entry.stem, "json") is None
    assert refused.warnings[0].startswith(f"{base}: the cache folder can be written by other")
    refused.store("table", "x" * 64, b"{}", "json")
    assert not (entry.parent / ("x" * 64 + ".json")).exists()


def test_a_cache_folder_that_cannot_be_made_is_a_warning(tmp_path):
    (tmp_path / "file").write_text("")
    result = Cache(tmp_path, base=tmp_path / "file")
    assert not result.enabled
    assert result.warnings == [
        f"{tmp_path / 'file'}: the cache could not be written (File exists); the build goes on "
        "without it"
    ]


def test_an_entry_copied_under_another_key_stage_or_suffix_is_a_miss(tmp_path):
    """The MAC covers the entry's place, not only its bytes: an entry is valid only where it
    was written."""
    base = tmp_path / "base"
    entry = stored(base, tmp_path)
    folder = folder_of(tmp_path, base)
    places = [("table", "m" * 64, "json"), ("quantity", "k" * 64, "json"),
              ("table", "k" * 64, "bin")]  # fmt: skip
    for stage, key, suffix in places:
        (folder / stage).mkdir(exist_ok=True)
        shutil.copy(entry, folder / stage / f"{key}.{suffix}")
    reader = Cache(tmp_path, base=base)
    assert [reader.lookup(*place) for place in places] == [None, None, None]
    assert reader.lookup("table", "k" * 64, "json") == b'{"a": 1}'
    assert len(reader.rejected) == 3


def test_an_entry_made_with_another_machines_key_is_a_miss(tmp_path):
    ours, theirs = tmp_path / "ours", tmp_path / "theirs"
    mine, planted = stored(ours, tmp_path), stored(theirs, tmp_path)
    shutil.copy(planted, mine)
    assert Cache(tmp_path, base=ours).lookup("table", mine.stem, "json") is None


def test_a_cache_is_never_sent_to_another_process(tmp_path):
    with pytest.raises(TypeError, match="the machine's key"):
        pickle.dumps(Cache(tmp_path, base=tmp_path / "base"))


def test_temporary_files_of_dead_processes_are_removed(tmp_path):
    base = tmp_path / "base"
    entry = stored(base, tmp_path)
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True).stdout.strip()  # fmt: skip
    left = [base / f"tmp-{dead}-key.tmp", entry.parent / f"tmp-{dead}-entry.tmp"]
    alive = entry.parent / f"tmp-{os.getpid()}-entry.tmp"
    for path in [*left, alive]:
        path.write_bytes(b"half")
    Cache(tmp_path, base=base)
    assert [p.exists() for p in left] == [False, False] and alive.exists()


# --- a planted cache (issue 23) ----------------------------------------------------------------


def table_key(root: Path, table: str) -> str:
    """The key of a table's cells, computed from the project's files as anyone can: the code
    is public, and every input of a key is in the project."""
    project = Project.at(root)
    doc = load(project)
    spec = doc.tables[table]
    data = Datasets(project.root).key(spec.data, spec.data_loc or spec.loc)
    spec_bytes = (root / spec.path).read_bytes()
    language, na = doc.meta.get("language") or "en", str(doc.meta.get("na"))
    return digest(spec_bytes, repr(project.params), language, na, data)


def keys_used(root: Path, monkeypatch) -> list[str]:
    """Build the project, and return the keys of the tables the build looked up."""
    seen, real = [], Cache.bytes

    def spying(self, stage, key, *args, **kwargs):
        seen.extend([key] if stage == "table" else [])
        return real(self, stage, key, *args, **kwargs)

    monkeypatch.setattr(Cache, "bytes", spying)
    build(Project.at(root), progress=lambda _: None)
    monkeypatch.undo()
    return seen


def reporter(*args: str, env=None) -> subprocess.CompletedProcess:
    command = [sys.executable, "-m", "reporter.cli", *args]
    return subprocess.run(command, capture_output=True, text=True, env=env)


STALE_ERROR = "content/main.yaml:6:21: para. 1: “3.8” does not match first-table.total.v = 4.75"


def test_a_planted_cache_cannot_publish_stale_figures(checked, tmp_path, monkeypatch):
    """Issue 23: a contributor commits a cache entry with the old cells of a table under the
    key of the new data. The build must compute the table, and fail on the figure."""
    # the attacker's key for the table is the one the build uses
    assert keys_used(checked, monkeypatch) == [table_key(checked, "first-table")]
    # the attacker builds the project on their own machine and keeps the table's entry
    theirs = tmp_path / "attacker"
    shutil.copytree(checked, theirs / "project", ignore=shutil.ignore_patterns("out", ".*"))
    env = {**os.environ, "REPORTER_CACHE_DIR": str(theirs / "cache")}
    assert reporter("build", "--html-only", str(theirs / "project"), env=env).returncode == 0
    (old,) = [p for p in theirs.rglob("table/*.json") if p.is_file()]
    # then edits a cell, so that "3.8" (the total, 3.75) no longer holds (4.75) ...
    data = checked / "data/values.csv"
    data.write_text(data.read_text().replace("b,2.25", "b,3.25"))
    # ... and commits the old entry under the new key, where a cache was kept in a project
    planted = checked / ".reporter-cache/table" / f"{table_key(checked, 'first-table')}.json"
    planted.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy(old, planted)
    good = {p.name: p.read_bytes() for p in (checked / "out").iterdir() if p.is_file()}
    result = reporter("build", str(checked))
    assert result.returncode == 1, result.stdout
    assert STALE_ERROR in result.stderr and "Traceback" not in result.stderr
    # nothing published: out/ is the last good build
    assert {p.name: p.read_bytes() for p in (checked / "out").iterdir() if p.is_file()} == good
    assert planted.exists()  # never read, never touched


def test_an_entry_replayed_under_the_new_key_is_a_miss(checked, monkeypatch):
    """The user's own entry for the old data, copied under the new data's key in the user's
    cache folder, does not verify there either: the MAC covers the key."""
    (old_key,) = keys_used(checked, monkeypatch)
    data = checked / "data/values.csv"
    data.write_text(data.read_text().replace("b,2.25", "b,3.25"))
    new_key = table_key(checked, "first-table")
    table = folder_of(checked) / "table"
    shutil.copy(table / f"{old_key}.json", table / f"{new_key}.json")
    with pytest.raises(ReportError) as caught:
        build(Project.at(checked), progress=lambda _: None)
    assert STALE_ERROR in str(caught.value)
    # rejected, and replaced by the table as computed
    assert (table / f"{new_key}.json").read_bytes() != (table / f"{old_key}.json").read_bytes()
