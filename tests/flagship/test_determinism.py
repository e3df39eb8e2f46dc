"""The flagship: same inputs, same bytes, in another folder, at another time, under another TZ
and locale; the manifest of a build."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time

from tests.conftest import ROOT


def build_copy(target, env_extra) -> dict[str, bytes]:
    for name in ("content", "data", "templates"):
        shutil.copytree(ROOT / name, target / name)
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("SOURCE_DATE_EPOCH", "LC_ALL", "LANG", "TZ")
    }
    env.update(env_extra)
    command = [sys.executable, "-m", "reporter.cli", "build", str(target)]
    subprocess.run(command, check=True, env=env, capture_output=True, cwd=target)
    out = target / "out"
    return {p.name: p.read_bytes() for p in out.iterdir() if p.is_file()}


def test_two_builds_are_byte_identical(tmp_path):
    first = build_copy(tmp_path / "one", {"TZ": "UTC", "LC_ALL": "C.UTF-8"})
    time.sleep(1.1)  # a different second on the clock
    second = build_copy(tmp_path / "elsewhere" / "two", {"TZ": "Asia/Tokyo", "LANG": "fr_FR.UTF-8"})
    assert sorted(first) == ["A-67-254.html", "A-67-254.pdf", "manifest.json"]
    for name in first:
        assert first[name] == second[name], name


def test_manifest_lists_inputs_outputs_and_versions(built):
    data = json.loads((built.html.parent / "manifest.json").read_text())
    assert "data/a67254_migrant_stock_by_corridor.csv" in data["inputs"]
    assert "templates/assets/fonts/LiberationSerif-Regular.ttf" in data["inputs"]
    assert set(data["outputs"]) == {"A-67-254.html", "A-67-254.pdf"}
    import hashlib

    assert data["outputs"]["A-67-254.pdf"] == hashlib.sha256(built.pdf.read_bytes()).hexdigest()
    for key in ("reporter", "python", "weasyprint", "pandas", "matplotlib", "pango"):
        assert data["versions"][key] not in ("", "unknown", "not installed"), key
    assert data["versions"]["font:LiberationSerif-Regular.ttf"].startswith("Version 2.1.5")
