"""reporter/export/fetch.py: the only way the PDF renderer reads anything — the project's
assets and the output folder, nothing else: no other file of the project, no file outside it,
no link leading out, no network, no data: URL that is not an image. Every refusal is recorded.

tests/test_security.py renders hostile templates through it; these tests ask it directly."""

from __future__ import annotations

from pathlib import Path

import pytest

from reporter.export.fetch import ProjectFetcher, RefusedURL


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
