"""Distributable, as a release is: the sdist and the wheel carry every file a command needs
(the scaffold `reporter new` copies, the default theme, its CSS, fonts and their licence), a
wheel made from the sdist is the same as one made from the tree, and the wheel, installed in a
fresh virtualenv, makes, checks and builds a project from the installed package alone.

The fresh virtualenv downloads nothing: the wheel goes in with --no-deps, and a .pth line
makes visible a folder of links to the distributions of this environment that the wheel
requires, with theirs, and to no other: a module the code imports but pyproject.toml does not
declare fails to import there, and so does a declared one that is not installed. A plain path
line in a .pth does not run that folder's .pth files, and the checkout's editable finder is not
linked anyway (asserted: `reporter` imports from the fresh venv).
"""

from __future__ import annotations

import ctypes
import email
import hashlib
import importlib.metadata
import io
import json
import os
import re
import shutil
import subprocess
import sys
import tarfile
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
THEME = "reporter/theme"  # a link to the flagship's templates/, shipped as a real folder


def git_files(*paths: str) -> list[str]:
    """The files a commit of the work tree would hold: tracked, or new and not ignored."""
    out = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard", "--", *paths],
        cwd=ROOT, capture_output=True, check=True,
    ).stdout.decode()  # fmt: skip
    return sorted({name for name in out.split("\0") if name})


def clean_source(target: Path) -> Path:
    """The repository's files as a clean checkout of them has them (no build/ or egg-info
    left by an earlier build, which setuptools would take files from)."""
    for name in git_files():
        source, copy = ROOT / name, target / name
        copy.parent.mkdir(parents=True, exist_ok=True)
        if source.is_symlink():
            copy.symlink_to(source.readlink())
        elif source.is_file():
            shutil.copyfile(source, copy)
    return target


def shipped_files() -> set[str]:
    """What the package must carry, as paths inside it: every file under reporter/ (modules,
    the scaffold) and, for the theme link, every file of its target (git_files)."""
    theme_source = (ROOT / THEME).resolve().relative_to(ROOT).as_posix()
    files = {name for name in git_files("reporter") if name != THEME and (ROOT / name).is_file()}
    theme = {
        f"{THEME}/{Path(name).relative_to(theme_source).as_posix()}"
        for name in git_files(theme_source)
        if (ROOT / name).is_file()
    }
    return files | theme


def build(args: list[str], cwd: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "build", *args], cwd=cwd, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]


@pytest.fixture(scope="module")
def archives(tmp_path_factory):
    """sdist and wheel from a clean copy of the tree (`python -m build` makes the wheel from
    the sdist, as pip does when it installs one), and a wheel made from the tree directly."""
    tmp = tmp_path_factory.mktemp("dist")
    source = clean_source(tmp / "src")
    build(["--outdir", str(tmp / "release"), str(source)], tmp)
    build(["--wheel", "--outdir", str(tmp / "tree"), str(source)], tmp)
    return {
        "sdist": next((tmp / "release").glob("reporter-*.tar.gz")),
        "wheel": next((tmp / "release").glob("reporter-*.whl")),
        "tree wheel": next((tmp / "tree").glob("reporter-*.whl")),
    }


def wheel_contents(wheel: Path) -> dict[str, str]:
    """name -> sha256 of every file of the wheel but its .dist-info."""
    with zipfile.ZipFile(wheel) as archive:
        return {
            name: hashlib.sha256(archive.read(name)).hexdigest()
            for name in archive.namelist()
            if ".dist-info/" not in name
        }


def test_the_sdist_and_the_wheels_carry_every_file_a_command_needs(archives):
    needed = shipped_files()
    # the brief of the check, so that an empty `git ls-files` cannot make it pass
    assert {
        f"{THEME}/document.html.j2",
        f"{THEME}/assets/report.css",
        f"{THEME}/assets/fonts/LICENSE-Liberation-OFL.txt",
        f"{THEME}/assets/fonts/LiberationSerif-Regular.ttf",
        "reporter/scaffold/project/content/document.yaml",
        "reporter/cli.py",
    } <= needed
    assert len({n for n in needed if n.endswith(".ttf")}) == 4

    wheel = wheel_contents(archives["wheel"])
    missing = sorted(needed - set(wheel))
    assert not missing, f"not in the wheel (pyproject package-data?): {missing}"
    # the wheel pip would make from the sdist is the wheel made from the tree, byte for byte
    assert wheel == wheel_contents(archives["tree wheel"])

    with zipfile.ZipFile(archives["wheel"]) as archive:
        info = next(n for n in archive.namelist() if n.endswith(".dist-info/entry_points.txt"))
        assert re.search(r"^reporter = reporter\.cli:main$", archive.read(info).decode(), re.M)

    with tarfile.open(archives["sdist"]) as sdist:
        members = sdist.getmembers()
    top = archives["sdist"].name.removesuffix(".tar.gz")
    files = {m.name.removeprefix(f"{top}/") for m in members if m.isfile()}
    missing = sorted((needed | {"pyproject.toml", "README.md", "PKG-INFO"}) - files)
    assert not missing, f"not in the sdist (MANIFEST.in?): {missing}"
    # a link in the sdist would point outside it (reporter/theme -> ../templates)
    assert not [m.name for m in members if m.issym() or m.islnk()]


def run(command: list, env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess:
    result = subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True)
    assert result.returncode == 0, f"{command}: {result.returncode}\n{result.stdout}{result.stderr}"
    return result


def wheel_requirements(wheel: Path) -> list[str]:
    with zipfile.ZipFile(wheel) as archive:
        metadata = next(n for n in archive.namelist() if n.endswith(".dist-info/METADATA"))
        parsed = email.message_from_bytes(archive.read(metadata))
    return parsed.get_all("Requires-Dist") or []


def dependency_view(requirements: list[str], target: Path) -> dict[str, str]:
    """Links in target to the files of every distribution of this environment that the
    requirements need, theirs included (markers and extras followed as pip would); name ->
    version. A required distribution that is not installed, or too old, fails the test."""
    from packaging.requirements import Requirement
    from packaging.utils import canonicalize_name

    versions: dict[str, str] = {}
    todo = [(Requirement(r), "") for r in requirements]
    done: set[tuple[str, frozenset[str]]] = set()
    target.mkdir()
    while todo:
        requirement, extra = todo.pop()
        if requirement.marker and not requirement.marker.evaluate({"extra": extra}):
            continue
        name = canonicalize_name(requirement.name)
        if (name, frozenset(requirement.extras)) in done:
            continue
        done.add((name, frozenset(requirement.extras)))
        try:
            dist = importlib.metadata.distribution(name)
        except importlib.metadata.PackageNotFoundError:
            pytest.fail(f"{requirement} is required but not installed in {sys.prefix}")
        assert requirement.specifier.contains(dist.version, prereleases=True), (
            f"{requirement} is required, {dist.version} installed"
        )
        versions[name] = dist.version
        for file in dist.files or pytest.fail(f"{name}: no RECORD, cannot tell its files"):
            top = file.parts[0]
            if top not in ("..", "__pycache__") and not (target / top).exists():
                (target / top).symlink_to(dist.locate_file(top))
        todo += [
            (Requirement(r), e) for r in dist.requires or [] for e in ["", *requirement.extras]
        ]
    return versions


INSTALLED = """
import importlib, importlib.metadata as md, json, re, reporter
norm = lambda name: re.sub(r"[-_.]+", "-", name).lower()
tops = {}
for top, dists in md.packages_distributions().items():
    for dist in dists:
        tops.setdefault(norm(dist), set()).add(top)
versions = {}
for requirement in md.requires("reporter") or []:
    if "extra ==" in requirement:
        continue
    name = norm(re.match(r"[A-Za-z0-9._-]+", requirement).group())
    found = tops.get(name, set())
    module = name.replace("-", "_")
    for module in [module] if module in found else sorted(m for m in found if m[0] != "_"):
        importlib.import_module(module)
    versions[name] = md.version(name)
print(json.dumps({"file": reporter.__file__, "version": md.version("reporter"),
                  "dependencies": versions}))
"""

# no system fonts: a PDF can only have the fonts the theme ships
FONTCONFIG = """<?xml version="1.0"?>
<!DOCTYPE fontconfig SYSTEM "urn:fontconfig:fonts.dtd">
<fontconfig><cachedir>{cache}</cachedir></fontconfig>
"""


def font_names(data: bytes) -> tuple[str, str]:
    """(PostScript name, version) from a font program's name table."""
    from fontTools.ttLib import TTFont

    names = TTFont(io.BytesIO(data))["name"]
    return str(names.getDebugName(6)), str(names.getDebugName(5))


def pdf_fonts(pdf: Path) -> set[tuple[str, str]]:
    """font_names() of the font embedded for every text object of the PDF, forms included
    (WeasyPrint names a font in the PDF after its @font-face family: the program says which)."""
    import pypdfium2 as pdfium
    import pypdfium2.raw as raw

    fonts = set()
    document = pdfium.PdfDocument(pdf)
    try:
        for page in document:
            for obj in page.get_objects(filter=[raw.FPDF_PAGEOBJ_TEXT], max_depth=8):
                font = raw.FPDFTextObj_GetFont(obj.raw)
                size = ctypes.c_size_t()
                assert raw.FPDFFont_GetIsEmbedded(font), "a font is not embedded"
                raw.FPDFFont_GetFontData(font, None, 0, ctypes.byref(size))
                data = (ctypes.c_uint8 * size.value)()
                raw.FPDFFont_GetFontData(font, data, size.value, ctypes.byref(size))
                fonts.add(font_names(bytes(data)))
    finally:
        document.close()
    return fonts


def test_the_wheel_installed_in_a_fresh_venv_makes_checks_and_builds_a_project(archives, tmp_path):
    fresh = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(fresh)], check=True)
    python = fresh / "bin/python"
    subprocess.run(
        [sys.executable, "-m", "pip", "--python", str(python), "install", "-q", "--no-deps",
         "--no-index", str(archives["wheel"])],
        check=True, capture_output=True,
    )  # fmt: skip
    site = run([python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
               dict(os.environ), tmp_path).stdout.strip()  # fmt: skip
    versions = dependency_view(wheel_requirements(archives["wheel"]), tmp_path / "deps")
    (Path(site) / "reporter-dependencies.pth").write_text(f"{tmp_path / 'deps'}\n")

    (tmp_path / "fontconfig.xml").write_text(FONTCONFIG.format(cache=tmp_path / "fc-cache"))
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTHON", "VIRTUAL_ENV"))}
    env |= {
        "PATH": f"{fresh / 'bin'}{os.pathsep}{env.get('PATH', '/usr/bin:/bin')}",
        "FONTCONFIG_FILE": str(tmp_path / "fontconfig.xml"),
    }

    installed = json.loads(run([python, "-c", INSTALLED], env, tmp_path).stdout)
    assert Path(installed["file"]).is_relative_to(fresh), installed["file"]
    assert installed["version"] == archives["wheel"].name.split("-")[1]
    assert installed["dependencies"].items() <= versions.items()
    assert {"weasyprint", "pandas", "duckdb"} <= installed["dependencies"].keys()

    reporter = str(fresh / "bin/reporter")
    assert shutil.which("reporter", path=env["PATH"]) == reporter
    run([reporter, "new", "proj"], env, tmp_path)
    fonts = tmp_path / "proj/templates/assets/fonts"
    assert (fonts / "LICENSE-Liberation-OFL.txt").is_file()
    checked = run([reporter, "check", "proj"], env, tmp_path)
    assert re.search(r"\b0 failed\b", checked.stdout), checked.stdout
    run([reporter, "build", "proj"], env, tmp_path)
    html, pdf = tmp_path / "proj/out/REPORT-2025-1.html", tmp_path / "proj/out/REPORT-2025-1.pdf"
    assert "Table 1" in html.read_text()
    assert pdf.read_bytes().startswith(b"%PDF")

    # the shipped fonts, embedded, and no other (fontconfig sees no system font)
    shipped = {font_names(p.read_bytes()) for p in fonts.glob("*.ttf")}
    assert shipped == {font_names(p.read_bytes()) for p in (ROOT / THEME).glob("**/*.ttf")}
    used = pdf_fonts(pdf)
    assert used, "no text in the PDF"
    assert used <= shipped, used
    assert ("LiberationSerif", "Version 2.1.5") in used
