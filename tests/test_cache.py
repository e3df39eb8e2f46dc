"""The content-hash cache: reused exactly when what a result depends on is unchanged, and
never changing an output's bytes."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from reporter.pipeline import build
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
    assert sorted(set(again.cache.hits)) == ["chart", "pdf", "quantity", "table"]
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
        assert edited.cache.misses == ["pdf"]
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
    assert sorted(edited.cache.misses) == ["chart", "pdf", "quantity", "quantity", "table"]
    assert sorted(edited.cache.hits) == ["chart", "table"]


def test_a_chart_is_keyed_by_its_values_not_by_the_file(warm):
    root, _, _ = warm
    edited = edited_csv(root, "Labour mobility and development", "Labour mobility and growth")
    assert sorted(edited.cache.misses) == ["pdf", "quantity", "quantity", "table"]
    assert sorted(edited.cache.hits) == ["chart", "chart", "table"]


def test_cache_is_ignored_by_git(warm):
    root, _, _ = warm
    assert (root / ".reporter-cache/.gitignore").read_text() == "*\n"


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
