"""The package's shape: its layers import one way (one import-linter contract per layer in
pyproject.toml), every module belongs to a layer, and no function runs past 60 lines."""

from __future__ import annotations

import ast
import os
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CONFIG = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]


def _lint_imports(cwd: Path, env: dict | None = None) -> subprocess.CompletedProcess:
    command = shutil.which("lint-imports", path=str(Path(sys.executable).parent))
    assert command, "import-linter is installed by make setup (the dev extra)"
    return subprocess.run([command, "--no-cache"], cwd=cwd, capture_output=True, text=True, env=env)


def test_the_stages_import_one_way():
    result = _lint_imports(ROOT)
    assert result.returncode == 0, result.stdout
    contracts = len(CONFIG["contracts"])
    assert f"Contracts: {contracts} kept, 0 broken." in result.stdout


def test_every_module_is_in_a_layer():
    layered = set()
    for contract in CONFIG["contracts"]:
        layered |= set(contract.get("source_modules", []))
    modules = {
        f"reporter.{p.stem if p.is_file() else p.name}"
        for p in (ROOT / "reporter").iterdir()
        if (p.suffix == ".py" and p.stem != "__init__") or (p / "__init__.py").is_file()
    }
    assert modules - layered == {"reporter.cli"}  # the top layer: nothing above it to forbid


def test_an_import_against_the_layers_is_caught(tmp_path):
    shutil.copytree(ROOT / "reporter", tmp_path / "reporter", symlinks=True)
    shutil.copy(ROOT / "pyproject.toml", tmp_path)
    model = tmp_path / "reporter/content/model.py"
    model.write_text(model.read_text() + "\nfrom reporter.pipeline import build  # noqa\n")
    env = os.environ | {"PYTHONPATH": str(tmp_path)}
    result = _lint_imports(tmp_path, env)
    assert result.returncode == 1
    assert "content (the document model) imports no layer above it BROKEN" in result.stdout
    assert "reporter.content.model -> reporter.pipeline" in result.stdout


def test_no_function_of_the_package_is_longer_than_60_lines():
    long = {}
    for path in sorted((ROOT / "reporter").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                lines = node.end_lineno - node.lineno + 1
                if lines > 60:
                    long[f"{path.relative_to(ROOT)}:{node.lineno} {node.name}"] = lines
    assert long == {}
