"""reporter/export/fetch.py: the only way the PDF renderer reads anything — the project's
assets and the output folder, nothing else: no other file of the project, no file outside it,
no link leading out, no network, no data: URL that is not an image. Every refusal is recorded.
Images over the pixel limit and SVGs that expand past their budget are refused from their
bytes, before WeasyPrint decodes or draws them.

tests/test_security.py renders hostile templates through it, tests/export/test_render_budget.py
builds with hostile assets; these tests ask it directly."""

from __future__ import annotations

import base64
import io
from pathlib import Path

import pytest
from PIL import Image

from reporter.export import fetch as fetch_module
from reporter.export.fetch import (
    MAX_IMAGE_PIXELS,
    MAX_SVG_BYTES,
    MAX_SVG_ELEMENTS,
    ProjectFetcher,
    RefusedAsset,
    RefusedURL,
)


@pytest.fixture
def project(make_root):
    """A root with its own copy of the theme (files are added to its assets) and an out/."""
    project = make_root("basic", own_templates=True)
    (project.root / "out").mkdir()
    (project.root / "out" / "chart.svg").write_text("<svg/>", encoding="utf-8")
    return project


@pytest.fixture
def fetcher(project) -> ProjectFetcher:
    return ProjectFetcher([project.assets, project.root / "out"])


def refusal(fetcher: ProjectFetcher, url: str) -> str:
    with pytest.raises(RefusedURL) as err:
        fetcher.fetch(url)
    assert fetcher.refused[-1] is err.value  # recorded, even where WeasyPrint swallows it
    return err.value.why


def test_the_assets_and_the_outputs_are_read(project, fetcher):
    css = project.assets / "report.css"
    response = fetcher.fetch(css.as_uri())
    assert response.read() == css.read_bytes()
    response.close()
    svg = fetcher.fetch((project.root / "out" / "chart.svg").as_uri())
    assert svg.read() == b"<svg/>"
    svg.close()
    assert fetcher.refused == []


def test_a_file_url_is_checked_on_its_resolved_path(project, fetcher):
    font = project.assets / "fonts" / "LiberationSerif-Regular.ttf"
    roundabout = f"file://{project.assets}/fonts/../fonts/{font.name}"
    assert fetcher.check(roundabout) == font.resolve().as_uri()


@pytest.mark.parametrize(
    "inside",
    ["content/document.yaml", "data/hosts.csv", "templates/document.html.j2", "README.md"],
)
def test_the_projects_other_files_are_refused(project, fetcher, inside):
    path = project.root / inside
    assert path.is_file()  # it exists and could be read: only the fetcher stops it
    assert refusal(fetcher, path.as_uri()) == "outside the project's assets and outputs"


def test_files_outside_the_project_are_refused(project, fetcher, tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("not for the PDF", encoding="utf-8")
    assert refusal(fetcher, secret.as_uri()) == "outside the project's assets and outputs"
    dotted = f"file://{project.assets}/../../../secret.txt"
    assert refusal(fetcher, dotted) == "outside the project's assets and outputs"
    assert refusal(fetcher, "file:///etc/hostname") == "outside the project's assets and outputs"


def test_a_link_in_the_assets_leading_out_is_refused(project, fetcher, tmp_path):
    secret = tmp_path / "secret.css"
    secret.write_text("body { color: red }", encoding="utf-8")
    (project.assets / "innocent.css").symlink_to(secret)
    assert refusal(fetcher, (project.assets / "innocent.css").as_uri()) == (
        "outside the project's assets and outputs"
    )
    (project.assets / "inside.css").symlink_to(project.assets / "report.css")
    assert fetcher.check((project.assets / "inside.css").as_uri()).endswith("/assets/report.css")


def test_a_folder_is_not_a_file(project, fetcher):
    assert refusal(fetcher, (project.assets / "fonts").as_uri()) == "not a regular file"


@pytest.mark.parametrize(
    ("url", "why"),
    [
        ("https://example.org/style.css", "the PDF renderer reads no network resource"),
        ("http://127.0.0.1:8000/x.png", "the PDF renderer reads no network resource"),
        ("ftp://example.org/x", "the PDF renderer reads no network resource"),
        ("assets/report.css", "the PDF renderer reads no network resource"),  # no scheme
        ("file://example.org/etc/hosts", "not a local absolute file path"),
        ("data:text/html,<script>alert(1)</script>", "only image data: URLs are allowed"),
        ("data:application/pdf;base64,JVBERi0=", "only image data: URLs are allowed"),
    ],
)
def test_other_schemes_and_non_image_data_are_refused(fetcher, url, why):
    assert refusal(fetcher, url) == why


def test_an_image_data_url_is_allowed(fetcher):
    url = "data:image/svg+xml,<svg xmlns='http://www.w3.org/2000/svg'/>"
    assert fetcher.check(url) == url
    assert fetcher.check("DATA:IMAGE/PNG;base64,iVBORw0KGgo=").startswith("DATA:")


def test_the_message_names_the_url_shortened(fetcher):
    long = "https://example.org/" + "x" * 300
    with pytest.raises(RefusedURL) as err:
        fetcher.fetch(long)
    assert str(err.value).startswith("refused to fetch https://example.org/xxx")
    assert str(err.value).endswith("…: the PDF renderer reads no network resource")
    assert len(str(err.value)) < 200 and err.value.url == long


def test_only_the_folders_given_are_allowed(project):
    only_out = ProjectFetcher([project.root / "out"])
    with pytest.raises(RefusedURL):
        only_out.fetch((project.assets / "report.css").as_uri())
    assert Path(only_out.check((project.root / "out/chart.svg").as_uri())[7:]).name == "chart.svg"


# --- images and SVGs within their budget ------------------------------------------------------

OVER = (5_000, 5_001)  # one row over MAX_IMAGE_PIXELS
assert OVER[0] * OVER[1] > MAX_IMAGE_PIXELS >= 5_000 * 5_000


@pytest.fixture(scope="module")
def over_limit() -> dict[str, bytes]:
    """An image one row over the pixel limit in each format a template would use."""
    image = Image.new("L", OVER)
    found = {}
    for kind, options in {"png": {}, "jpeg": {"quality": 10}, "gif": {}, "webp": {}}.items():
        saved = io.BytesIO()
        image.save(saved, kind, **options)
        found[kind] = saved.getvalue()
    return found


@pytest.mark.parametrize("kind", ["png", "jpeg", "gif", "webp"])
def test_an_image_over_the_pixel_limit_is_refused_by_its_header(project, kind, over_limit):
    path = project.assets / f"big.{kind}"
    path.write_bytes(over_limit[kind])
    fetcher = ProjectFetcher([project.assets], project.root)
    with pytest.raises(RefusedAsset) as err:
        fetcher.fetch(path.as_uri())
    assert err.value.shown == f"templates/assets/big.{kind}"
    assert err.value.message == (
        f"an image of 5,000 × 5,001 pixels, more than the {MAX_IMAGE_PIXELS:,} pixels the PDF "
        "may hold"
    )
    assert err.value.hint.startswith("scale it down")
    assert fetcher.refused == [err.value]  # recorded: an <image> in an SVG swallows it


@pytest.mark.parametrize("kind", ["png", "jpeg", "gif", "webp"])
def test_an_image_within_the_limit_is_fetched_as_it_is(project, kind):
    saved = io.BytesIO()
    Image.new("RGB", (5_000, 5_000)).save(saved, kind)
    path = project.assets / f"ok.{kind}"
    path.write_bytes(saved.getvalue())
    response = ProjectFetcher([project.assets]).fetch(path.as_uri())
    assert response.read() == saved.getvalue()


def test_a_data_url_image_is_checked_too(project, over_limit):
    url = "data:image/png;base64," + base64.b64encode(over_limit["png"]).decode()
    with pytest.raises(RefusedAsset) as err:
        ProjectFetcher([project.assets], project.root).fetch(url)
    assert err.value.shown.startswith("data:image/png;base64,iVBOR") and len(err.value.shown) < 80


def test_an_image_is_known_by_its_bytes_not_its_name(project, over_limit):
    """WeasyPrint gives Pillow whatever an <img> fetched: a PNG called .css is an image."""
    (project.assets / "style.css").write_bytes(over_limit["png"])
    with pytest.raises(RefusedAsset):
        ProjectFetcher([project.assets]).fetch((project.assets / "style.css").as_uri())


def test_stylesheets_and_fonts_are_not_opened_as_images(project, fetcher, monkeypatch):
    """Pillow tries every format it knows on bytes it cannot place (50 ms the first time):
    a stylesheet and a font are passed by their first bytes."""

    def never(data):
        raise AssertionError("opened as an image")

    monkeypatch.setattr(fetch_module, "image_pixels", never)
    for name in ("report.css", "fonts/LiberationSerif-Regular.ttf"):
        path = project.assets / name
        assert fetcher.fetch(path.as_uri()).read() == path.read_bytes()


def use_bomb(levels: int = 10, fan: int = 10) -> str:
    groups = "".join(
        f'<g id="l{i}">' + f'<use href="#l{i - 1}"/>' * fan + "</g>" for i in range(1, levels)
    )
    return (
        '<svg xmlns="http://www.w3.org/2000/svg"><defs><rect id="l0" width="1" height="1"/>'
        f'{groups}</defs><use href="#l{levels - 1}"/></svg>'
    )


def svg_refusal(project, name: str, text: str, **others: str) -> RefusedAsset:
    for other, body in others.items():
        (project.assets / other).write_text(body, encoding="utf-8")
    (project.assets / name).write_text(text, encoding="utf-8")
    with pytest.raises(RefusedAsset) as err:
        ProjectFetcher([project.assets], project.root).fetch((project.assets / name).as_uri())
    assert err.value.shown.startswith("templates/assets/")
    return err.value


def test_an_svg_use_bomb_is_refused_in_linear_time(project):
    """Ten levels of ten <use>: 10¹⁰ elements to draw, counted by expanding each once."""
    error = svg_refusal(project, "bomb.svg", use_bomb(levels=60, fan=2))  # 2⁶⁰, 3 KB
    assert error.message.startswith(f"an SVG that expands to more than {MAX_SVG_ELEMENTS:,}")
    assert error.shown == "templates/assets/bomb.svg"


def test_markers_count_at_each_vertex(project):
    """A marker is drawn at every vertex of the path that has it: markers whose shapes have
    markers multiply like <use>."""
    points = " ".join(f"{i},{i}" for i in range(60))
    markers = '<marker id="m0"><rect width="1" height="1"/></marker>' + "".join(
        f'<marker id="m{i}"><polyline points="{points}" marker-mid="url(#m{i - 1})"/></marker>'
        for i in range(1, 5)
    )
    svg = (
        f'<svg xmlns="http://www.w3.org/2000/svg"><defs>{markers}</defs>'
        f'<polyline points="{points}" style="fill: none; marker-mid: url(#m4)"/></svg>'
    )
    error = svg_refusal(project, "markers.svg", svg)
    assert "expands to more than" in error.message


def test_svg_images_of_svgs_count_what_they_show(project):
    """Each file is small, but a.svg draws b.svg 500 times and b.svg has 500 shapes."""
    shapes = '<rect width="1" height="1"/>' * 500
    images = '<image href="b.svg" width="1" height="1"/>' * 500
    error = svg_refusal(
        project, "a.svg", f'<svg xmlns="http://www.w3.org/2000/svg">{images}</svg>',
        **{"b.svg": f'<svg xmlns="http://www.w3.org/2000/svg">{shapes}</svg>'},
    )  # fmt: skip
    assert "expands to more than" in error.message and error.shown == "templates/assets/a.svg"


@pytest.mark.parametrize(
    ("svg", "message"),
    [
        ('<g id="g"><use href="#g"/></g>', "an SVG whose references loop: #g refers to itself"),
        ('<image href="loop.svg"/>',
         "an SVG whose images loop: templates/assets/loop.svg shows itself"),
    ],
)  # fmt: skip
def test_an_svg_referring_to_itself_is_refused(project, svg, message):
    error = svg_refusal(project, "loop.svg", f'<svg xmlns="http://www.w3.org/2000/svg">{svg}</svg>')
    assert error.message == message


def test_an_svg_over_its_size_is_refused(project):
    padding = "<!--" + "x" * MAX_SVG_BYTES + "-->"
    error = svg_refusal(
        project, "big.svg", f'<svg xmlns="http://www.w3.org/2000/svg">{padding}</svg>'
    )
    assert error.message == (
        f"an SVG of {MAX_SVG_BYTES + 53:,} bytes, more than the {MAX_SVG_BYTES:,} allowed"
    )


def test_svgs_within_their_budget_are_fetched(project, fetcher):
    """Shapes used many times (a chart's markers, a font's glyphs), nesting deeper than
    Python recurses, and an SVG that does not parse (WeasyPrint skips it)."""
    uses = '<use href="#dot"/>' * 5_000
    nested = "<g>" * 50_000 + "</g>" * 50_000
    for name, svg in {
        "uses.svg": f'<svg xmlns="http://www.w3.org/2000/svg"><circle id="dot" r="1"/>{uses}</svg>',
        "deep.svg": f'<svg xmlns="http://www.w3.org/2000/svg">{nested}</svg>',
        "broken.svg": "<svg><g></svg>",
    }.items():
        (project.assets / name).write_text(svg, encoding="utf-8")
        assert fetcher.fetch((project.assets / name).as_uri()).read() == svg.encode()
    assert fetcher.refused == []
