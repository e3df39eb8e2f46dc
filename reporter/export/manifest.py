"""out/manifest.json: every input and output with its sha256, and the versions of what made
them. Deterministic itself: sorted, no times, no absolute paths."""

from __future__ import annotations

import functools
import hashlib
import json
import platform
from importlib import metadata
from pathlib import Path


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def versions(fonts: Path) -> dict[str, str]:
    found = {"reporter": _version("reporter"), "python": platform.python_version()}
    packages = ("weasyprint", "pydyf", "pikepdf", "pandas", "matplotlib", "jinja2", "pyyaml",
                "fonttools")  # fmt: skip
    for package in packages:
        found[package] = _version(package)
    found["pango"] = _pango()
    found["harfbuzz-subset"] = "yes" if _harfbuzz_subset() else "no (fontTools fallback)"
    for font in sorted(fonts.glob("*.ttf")):
        found[f"font:{font.name}"] = _font_version(font)
    for family, path in _system_fonts().items():
        found[f"system-font:{family}"] = _font_version(path) if path else "not installed"
    return found


# the system fonts the theme names for other scripts (report.css: Arabic, CJK)
SYSTEM_FONTS = ("Noto Naskh Arabic", "Noto Serif CJK SC")


@functools.cache
def _system_fonts() -> dict[str, Path | None]:
    """Each of SYSTEM_FONTS -> its regular file as fontconfig finds it, or None."""
    import subprocess

    found: dict[str, Path | None] = {}
    for family in SYSTEM_FONTS:
        try:
            listed = subprocess.run(
                ["fc-list", "--format", "%{file}\n", f":family={family}:style=Regular"],
                capture_output=True,
                text=True,
                check=False,
            ).stdout.split()
        except OSError:  # no fontconfig tools
            listed = []
        found[family] = Path(sorted(listed)[0]) if listed else None
    return found


def manifest(
    inputs: dict[str, str],
    outputs: dict[str, bytes],
    fonts: Path,
    datasets: dict | None = None,
    parameters: dict[str, str] | None = None,
    pdf: dict | None = None,
) -> bytes:
    """`inputs`: every file of the project's content/, data/ and templates/ -> its sha256, as
    the build's snapshot read it (project.snapshot); `datasets`: what each dataset the build
    read was made from (files, read options, queries); `parameters`: an edition's values,
    listed when there are some; `pdf`: in the PDF's own, the PDF as the build made it (each
    page's digest and texts, each attachment's size and sha256: export/pagetext.py), which
    `reporter check FILE.pdf` holds the PDF to (manifest.schema.json)."""
    data = (
        {
            "datasets": datasets or {},
            "inputs": inputs,
            "outputs": {name: sha256(body) for name, body in sorted(outputs.items())},
            "versions": versions(fonts),
        }
        | ({"parameters": parameters} if parameters else {})
        | ({"pdf": pdf} if pdf else {})
    )
    return (json.dumps(data, indent=2, sort_keys=True) + "\n").encode("utf-8")


@functools.cache  # a process's packages do not change under it
def _version(package: str) -> str:
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return "not installed"


@functools.cache
def _pango() -> str:
    """Pango's version, read from the library itself (importing WeasyPrint costs 0.3 s)."""
    import ctypes
    import ctypes.util

    name = ctypes.util.find_library("pango-1.0") or "libpango-1.0.so.0"
    try:
        number = ctypes.CDLL(name).pango_version()  # e.g. 15012 for 1.50.12
    except (OSError, AttributeError):
        return "unknown"
    return f"{number // 10000}.{number // 100 % 100}.{number % 100}"


@functools.cache
def _harfbuzz_subset() -> bool:
    import ctypes.util

    return ctypes.util.find_library("harfbuzz-subset") is not None


def _font_version(path: Path) -> str:
    info = path.stat()
    return _font_version_of(path, info.st_mtime_ns, info.st_size)


@functools.lru_cache(maxsize=64)
def _font_version_of(path: Path, mtime_ns: int, size: int) -> str:
    """A font's version and digest, read once per file as it is (a warm process builds many
    times)."""
    from fontTools.ttLib import TTFont

    with TTFont(path, lazy=True, fontNumber=0) as font:  # a .ttc: its first face
        name = (font["name"].getDebugName(5) or "unknown").split(";")[0]  # not the build tools
    return f"{name}; sha256 {sha256(path.read_bytes())[:16]}"
