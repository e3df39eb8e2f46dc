"""Hostile content and data: each case is escaped or refused with a clear error, never run,
never embedded, with bounded memory and time (docs/security.md).

Every test would fail without its protection: where a refusal is asserted, the test also
shows that the input is real (the file behind the link exists and is readable, a server is
listening, an unprotected fetcher would have read the file).
"""

from __future__ import annotations

import base64
import http.server
import os
import re
import shutil
import subprocess
import sys
import textwrap
import threading
import tracemalloc
from pathlib import Path

import pytest
import yaml
from weasyprint.urls import URLFetcher

from reporter.cli import main
from reporter.content import yamlsource
from reporter.content.inline import parse_inline
from reporter.content.yamlsource import Text, load_yaml, locate
from reporter.data import readers
from reporter.data.datasets import Datasets
from reporter.data.readers import ReadOptions, read_file
from reporter.errors import Location, ReportError
from reporter.export.fetch import ProjectFetcher, RefusedURL
from reporter.export.pdf import render_pdf
from reporter.render.inline_html import inline_html
from tests.pdftext import page_texts, squash

ROOT = Path(__file__).resolve().parent.parent


def read_csv(path: Path, shown: Path):
    return read_file("x", path, shown, ReadOptions()).frame


HERE = Location(Path("content/x.yaml"), 1, 1)
SECRET = "TOP-SECRET-7f3a"


def error_line(capsys) -> str:
    """The one line a failed command printed; no traceback."""
    err = capsys.readouterr().err
    lines = [line for line in err.splitlines() if line.startswith("error:")]
    assert len(lines) == 1 and "Traceback" not in err, err
    return lines[0]


# --- content is never a template, never markup ----------------------------------------------

# Each would print "zq<n>jx" if the content were evaluated as Jinja.
PLACES = ["meta", "title", "para", "heading", "note", "table", "row", "cell"]
INJECTIONS = {where: f"{{{{ 'zq{i}' ~ 'jx' }}}}" for i, where in enumerate(PLACES)}
INJECTIONS["para"] += " {{ ''.__class__.__mro__ }} {% import os %}"
EVALUATED = [f"zq{i}jx" for i in range(len(PLACES))] + ["&lt;class"]
SCRIPT = "<script>alert(1)</script>"
IMG = "<img src=file:///etc/passwd>"


def q(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


HOSTILE = {
    "content/document.yaml": f"""
        symbol: X/1/2
        title: {q("Report " + INJECTIONS["meta"] + " " + SCRIPT)}
        date: 2020-01-31
        parts: [main.yaml]
    """,
    "content/main.yaml": f"""
        kind: section
        label: only
        title: {q("Title " + INJECTIONS["title"] + " " + SCRIPT)}
        blocks:
          - p: {q("Para " + INJECTIONS["para"] + " " + SCRIPT + " " + IMG + "[^note]")}
          - heading: {q("Heading " + INJECTIONS["heading"] + " <b>bold</b>")}
          - table: first-table
    """,
    "content/footnotes.yaml": f"""
        note: {q("Note " + INJECTIONS["note"] + " " + IMG)}
    """,
    "content/tables/first-table.yaml": f"""
        title: {q("Values " + INJECTIONS["table"] + " " + SCRIPT)}
        data: values
        stub: Name
        rows:
          - {{id: a, label: {q("A " + INJECTIONS["row"] + " <b>x</b>")}, where: {{name: a}}}}
        columns:
          - {{id: l, heading: Label, text: label}}
          - {{id: v, heading: Value, sum: value}}
    """,
    "data/values.csv": f"""
        name,label,value
        a,{q(INJECTIONS["cell"] + " " + SCRIPT).replace(chr(92), "")},1.5
    """,
}


@pytest.fixture(scope="module")
def hostile_build(tmp_path_factory):
    """The MINIMAL project with template injections and markup in every kind of text."""
    root = tmp_path_factory.mktemp("hostile") / "proj"
    shutil.copytree(ROOT / "templates", root / "templates")
    for name, text in HOSTILE.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
    assert main(["build", str(root)]) == 0  # a refused <img> would have failed the build
    return root / "out/X-1-2.html", root / "out/X-1-2.pdf"


def test_template_injection_in_content_is_printed_literally(hostile_build):
    html = hostile_build[0].read_text(encoding="utf-8")
    for marker in EVALUATED:
        assert marker not in html, marker
    for where, text in INJECTIONS.items():
        escaped = text.replace("'", "&#39;")
        assert escaped in html, (where, escaped)


def test_html_in_content_is_escaped_never_markup(hostile_build):
    html = hostile_build[0].read_text(encoding="utf-8")
    assert "<script" not in html and "<img" not in html and "<b>" not in html
    # paragraph, section title, table title, document title (twice), CSV cell
    assert html.count("&lt;script&gt;alert(1)&lt;/script&gt;") >= 6
    # the paragraph, the footnote at its call (for print) and in the list of notes (screen)
    assert html.count("&lt;img src=file:///etc/passwd&gt;") == 3
    assert "&lt;b&gt;bold&lt;/b&gt;" in html and "&lt;b&gt;x&lt;/b&gt;" in html


def test_hostile_content_reaches_the_pdf_as_text_and_embeds_nothing(hostile_build):
    import pypdfium2 as pdfium
    import pypdfium2.raw as pdfium_c

    text = squash(" ".join(page_texts(hostile_build[1])))
    assert INJECTIONS["title"] in text and INJECTIONS["para"] in text
    assert SCRIPT in text and IMG in text
    document = pdfium.PdfDocument(str(hostile_build[1]))
    try:
        images = [
            obj
            for page in document
            for obj in page.get_objects(filter=[pdfium_c.FPDF_PAGEOBJ_IMAGE])
        ]
    finally:
        document.close()
    assert images == []
    assert b"root:x:0:0" not in hostile_build[1].read_bytes()


def test_no_content_string_is_compiled_as_a_template():
    """Jinja compiles only the trusted template files; content could reach a string
    template only through these calls, which would then need a SandboxedEnvironment."""
    compiling = ("from_string(", "compile_expression(", "jinja2.Template(", "Template(source")
    for path in (ROOT / "reporter").rglob("*.py"):
        source = path.read_text(encoding="utf-8")
        if "SandboxedEnvironment" in source:
            continue
        for call in compiling:
            assert call not in source, f"{path.relative_to(ROOT)} calls {call}"


@pytest.mark.parametrize(
    "url",
    ["javascript:alert(1)", "file:///etc/passwd", "data:text/html,<b>x</b>", "vbscript:x", "//x"],
)
def test_links_with_other_schemes_are_refused(url):
    with pytest.raises(ReportError, match="links may use http, https or mailto only"):
        parse_inline(f"[click]({url})", HERE)


def test_link_url_cannot_break_out_of_its_attribute():
    nodes = parse_inline('[x](https://a.org/"onmouseover="alert(1)">)', HERE)
    assert str(inline_html(nodes)) == (
        '<a href="https://a.org/&#34;onmouseover=&#34;alert(1">x</a>&#34;&gt;)'
    )


# --- the PDF renderer reads only the project's assets and outputs ---------------------------


@pytest.fixture
def site(tmp_path):
    """templates/assets with a stylesheet, a secret outside, and a link leading to it."""
    templates = tmp_path / "proj/templates"
    (templates / "assets").mkdir(parents=True)
    (templates / "assets/ok.css").write_text("p { color: red }")
    secret = tmp_path / "secret.txt"
    secret.write_text(SECRET)
    (templates / "assets/link.css").symlink_to(secret)
    out = tmp_path / "proj/out"
    out.mkdir()
    return templates, secret, out


def render(templates: Path, out: Path, body: str):
    html = f"<html><body>{body}<p>x</p></body></html>"
    return render_pdf(html, templates, [templates / "assets", out], "X", 0)


def svg_with_image(href: str) -> str:
    svg = (
        '<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10">'
        f'<image href="{href}" width="10" height="10"/></svg>'
    )
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode()


FILE_CASES = {
    "traversal": lambda s: (
        '<link rel="stylesheet" href="assets/../../../secret.txt">',
        s.as_uri(),
    ),
    "symlink": lambda s: (
        '<link rel="stylesheet" href="assets/link.css">',
        "file://" + str(s.parent / "proj/templates/assets/link.css"),
    ),
    "img": lambda s: (f'<img src="{s.as_uri()}">', s.as_uri()),
    "css url()": lambda s: (f'<style>p {{ background: url("{s.as_uri()}") }}</style>', s.as_uri()),
    "@import": lambda s: (f'<style>@import url("{s.as_uri()}");</style>', s.as_uri()),
    "@font-face": lambda s: (
        f"<style>@font-face {{ font-family: x; src: url({s.as_uri()}) }} p {{ font-family: x }}"
        "</style>",
        s.as_uri(),
    ),
    "svg <image>": lambda s: (f'<img src="{svg_with_image(s.as_uri())}">', s.as_uri()),
    "/etc/passwd": lambda s: ('<img src="file:///etc/passwd">', "file:///etc/passwd"),
    "attachment": lambda s: (f'<a rel="attachment" href="{s.as_uri()}">a</a>', s.as_uri()),
}


@pytest.mark.parametrize("case", FILE_CASES)
def test_files_outside_the_assets_are_refused_with_the_url(site, case):
    templates, secret, out = site
    body, url = FILE_CASES[case](secret)
    with pytest.raises(ReportError) as caught:
        render(templates, out, body)
    assert f"refused to fetch {url}" in str(caught.value)
    assert str(caught.value.where) == "templates"


@pytest.mark.parametrize(
    "url",
    [
        "assets/../../../secret.txt",  # relative to templates/: resolved, then checked
        "assets/link.css",  # inside, but a symlink leading out
        "file:///etc/passwd",
    ],
)
def test_an_unprotected_fetcher_would_have_read_them(site, url):
    """The refusals above are real: WeasyPrint's own fetcher reads these URLs."""
    templates, secret, _ = site
    absolute = url if url.startswith("file:") else (templates / url).as_uri()
    body = URLFetcher().fetch(absolute).read()
    assert body and (SECRET.encode() in body or b"root:" in body)
    with pytest.raises(RefusedURL):
        ProjectFetcher([templates / "assets"]).fetch(absolute)


@pytest.fixture
def server():
    """A local HTTP server that counts the requests it gets."""
    hits = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802 - http.server's naming
            hits.append(self.path)
            self.send_response(200)
            self.send_header("Content-Type", "text/css")
            self.end_headers()
            self.wfile.write(b"p { color: blue }")

        def log_message(self, *args):
            pass

    httpd = http.server.HTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}", hits
    httpd.shutdown()
    httpd.server_close()


@pytest.mark.parametrize(
    "body",
    [
        '<link rel="stylesheet" href="{base}/style.css">',
        '<style>@import url("{base}/style.css");</style>',
        '<style>p {{ background: url("{base}/bg.png") }}</style>',
        '<img src="{base}/x.png">',
        '<img src="{svg}">',
    ],
)
def test_network_urls_are_refused_and_never_requested(site, server, body):
    templates, _, out = site
    base, hits = server
    URLFetcher().fetch(f"{base}/probe").read()  # the server answers an unprotected fetcher
    assert hits == ["/probe"]
    svg = svg_with_image(f"{base}/in-svg.png")
    with pytest.raises(ReportError, match=rf"refused to fetch {base}/\S+: the PDF renderer reads"):
        render(templates, out, body.format(base=base, svg=svg))
    assert hits == ["/probe"]


@pytest.mark.parametrize(
    "url",
    [
        "data:text/html,<script>alert(1)</script>",
        "data:text/html;base64,PGI+eDwvYj4=",
        "data:text/css,p{color:red}",
        "data:,plain",
        "data:image/png-but-not;base64,AAAA",
    ],
)
def test_data_urls_that_are_not_images_are_refused(site, url):
    templates, _, out = site
    for body in (
        f'<iframe src="{url}"></iframe><object data="{url}"></object>',
        f'<img src="{url}">',
    ):
        with pytest.raises(ReportError, match="only image data: URLs are allowed"):
            render(templates, out, body)


def test_assets_and_image_data_urls_still_load(site):
    templates, _, out = site
    pixel = (
        "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8/5+hHgAHggJ/"
        "PchI7wAAAABJRU5ErkJggg=="
    )
    pdf, pages = render(
        templates,
        out,
        f'<link rel="stylesheet" href="assets/ok.css"><img src="data:image/png;base64,{pixel}">',
    )
    assert pdf.startswith(b"%PDF-") and pages == 1


@pytest.mark.parametrize(
    "url, why",
    [
        ("file://example.org/etc/passwd", "not a local absolute file path"),
        ("file:etc/passwd", "not a local absolute file path"),
        ("FILE:///etc/passwd", "outside the project's assets and outputs"),
        ("file:///{assets}/%00x.png", "not a valid file path"),
        ("file:///{assets}/%2e%2e/%2e%2e/%2e%2e/secret.txt", "outside the project's assets"),
        ("ftp://127.0.0.1/x", "reads no network resource"),
        ("https://example.org/x.css", "reads no network resource"),
        ("gopher://127.0.0.1:25/x", "reads no network resource"),
    ],
)
def test_fetcher_refuses_odd_urls(site, url, why):
    templates, _, _ = site
    fetcher = ProjectFetcher([templates / "assets"])
    url = url.format(assets=str(templates / "assets").lstrip("/"))
    with pytest.raises(RefusedURL, match=why):
        fetcher.fetch(url)
    assert fetcher.refused and fetcher.refused[0].url == url


def test_css_url_in_a_template_stops_the_build_naming_the_url(make_project, tmp_path, capsys):
    root = make_project()
    secret = tmp_path / "secret.png"
    secret.write_text(SECRET)
    css = root / "templates/assets/report.css"
    css.write_text(css.read_text() + f'\nbody {{ background: url("{secret.as_uri()}") }}\n')
    assert main(["build", str(root)]) == 1
    line = error_line(capsys)
    assert line == (
        f"error: templates: refused to fetch {secret.as_uri()}: outside the project's assets "
        "and outputs (keep assets inside templates/assets)"
    )
    assert not (root / "out/X-1-2.pdf").exists()


def test_css_url_to_localhost_in_a_template_stops_the_build(make_project, server, capsys):
    base, hits = server
    root = make_project()
    css = root / "templates/assets/report.css"
    css.write_text(f'@import url("{base}/evil.css");\n' + css.read_text())
    assert main(["build", str(root)]) == 1
    assert f"refused to fetch {base}/evil.css: the PDF renderer reads no network" in error_line(
        capsys
    )
    assert hits == []


# --- YAML: safe and bounded ------------------------------------------------------------------

LAUGHS = 'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n' + "".join(
    f"{chr(98 + i)}: &{chr(98 + i)} [{', '.join([f'*{chr(97 + i)}'] * 9)}]\n" for i in range(9)
)  # 9 ** 10 = 3.5 billion strings once expanded


# 100 ** 3 = a million values: over the limit, yet small enough to run unprotected in-process
LAUGHS_SMALL = (
    f"a: &a [{', '.join(['x'] * 100)}]\n"
    f"b: &b [{', '.join(['*a'] * 100)}]\n"
    f"c: [{', '.join(['*b'] * 100)}]\n"
)


def test_billion_laughs_fails_fast_with_a_clear_message(make_project, capsys):
    root = make_project({"content/main.yaml": LAUGHS_SMALL})
    assert main(["build", str(root), "--html-only"]) == 1
    assert re.fullmatch(
        r"error: content/main\.yaml:1:\d+: YAML expands to more than 200,000 values "
        r"\(aliases\?\) \(remove the anchors and aliases\)",
        error_line(capsys),
    )


def test_billion_laughs_memory_is_bounded(tmp_path):
    """In a child process limited to 400 MB of address space and 30 s: without the limit
    on expansion it would run out of both."""
    path = tmp_path / "laughs.yaml"
    path.write_text(LAUGHS)
    code = textwrap.dedent(f"""
        import resource, sys
        resource.setrlimit(resource.RLIMIT_AS, (400 << 20, 400 << 20))
        from pathlib import Path
        from reporter.content.yamlsource import load_yaml
        from reporter.errors import ReportError
        try:
            load_yaml(Path({str(path)!r}))
        except ReportError as exc:
            print(exc)
            sys.exit(0)
        sys.exit(3)
    """)
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=30
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert "expands to more than 200,000 values" in done.stdout


def test_aliases_cannot_multiply_text_either(tmp_path):
    big = "x" * 1_000_000
    path = tmp_path / "wide.yaml"
    path.write_text(f"a: &a {big}\nb: [{', '.join(['*a'] * 50)}]\n")
    with pytest.raises(ReportError, match="expands to more than 10,000,000 characters"):
        load_yaml(path)


@pytest.mark.parametrize(
    "text",
    [
        "a: " + "[" * 10_000 + "]" * 10_000,  # flow: libyaml's own limit, 1000 levels
        "- " * 10_000 + "x\n",  # block
        "a: " + "{b: [" * 5_000 + "]}" * 5_000,
        "[" * 100 + "]" * 100,  # deeper than 64, within libyaml's limit: our own check
    ],
)
def test_deep_yaml_gives_a_clear_error_not_a_recursion_error(make_project, capsys, text):
    root = make_project({"content/main.yaml": text})
    assert main(["build", str(root), "--html-only"]) == 1
    line = error_line(capsys)
    assert line.startswith("error: content/main.yaml:1:")
    assert line.endswith(": YAML nested deeper than 64 levels (flatten it)")


def test_sixty_four_levels_still_load(tmp_path):
    path = tmp_path / "deep.yaml"
    path.write_text("[" * 65 + "]" * 65)
    value, depth = load_yaml(path), 0
    while value:
        value, depth = value[0], depth + 1
    assert depth == 64


@pytest.mark.parametrize(
    "text, message",
    [
        ("!!python/object/apply:os.system [echo pwned]\n", "YAML tag '!!python/object/apply"),
        ("a: !!python/name:os.system\n", "YAML tag '!!python/name:os.system' is not allowed"),
        ("a: !!python/object/new:subprocess.Popen [[ls]]\n", "YAML tag '!!python/object/new"),
        ("a: !!binary aGk=\n", "YAML tag '!!binary' is not allowed"),
        ("a: !!set {x, y}\n", "YAML tag '!!set' is not allowed"),
        ("a: !custom x\n", "YAML tag '!custom' is not allowed"),
        ("a: &x {k: 1}\nb:\n  <<: *x\n", "YAML merge keys (<<) are not allowed"),
        ("a: !!int nope\n", "'nope' is not a valid int"),
        ("a: !!timestamp nope\n", "'nope' is not a valid timestamp"),
        ("a: " + "9" * 5000 + "\n", "is not a valid int (Exceeds the limit"),
        ("a: b\x00\n", "malformed YAML: control characters are not allowed (found #x0000)"),
    ],
)
def test_yaml_builds_plain_values_only(tmp_path, text, message):
    path = tmp_path / "x.yaml"
    path.write_text(text)
    with pytest.raises(ReportError) as caught:
        load_yaml(path, Path("content/x.yaml"))
    assert message in str(caught.value)
    assert str(caught.value).startswith("content/x.yaml:")


def test_an_unsafe_loader_would_have_built_python_objects():
    assert yaml.unsafe_load("!!python/name:os.system") is os.system  # what is refused above


def test_oversized_yaml_is_refused_before_it_is_read(tmp_path):
    path = tmp_path / "big.yaml"
    with open(path, "wb") as handle:
        handle.truncate(yamlsource.MAX_BYTES + 1)
    tracemalloc.start()
    try:
        with pytest.raises(ReportError, match="YAML file is 5,000,001 bytes, more than the"):
            load_yaml(path)
        assert tracemalloc.get_traced_memory()[1] < 1_000_000
    finally:
        tracemalloc.stop()


def outside_yaml(tmp_path: Path) -> Path:
    outside = tmp_path / "outside.yaml"
    outside.write_text("kind: section\ntitle: Outside\nblocks: [Read from outside.]\n")
    return outside


def test_content_symlink_leading_out_of_the_project_is_refused(make_project, tmp_path, capsys):
    root = make_project()
    outside = outside_yaml(tmp_path)
    (root / "content/main.yaml").unlink()
    (root / "content/main.yaml").symlink_to(outside)
    assert "Outside" in (root / "content/main.yaml").read_text()  # the link works
    assert main(["build", str(root), "--html-only"]) == 1
    assert error_line(capsys) == (
        f"error: content/main.yaml: content file resolves to {outside}, outside the project "
        "(keep content, data and templates inside the project: no links leading out)"
    )


def test_part_path_leading_out_of_the_project_is_refused(make_project, tmp_path, capsys):
    outside = outside_yaml(tmp_path)
    root = make_project()
    document = root / "content/document.yaml"
    relative = os.path.relpath(outside, root / "content")
    document.write_text(document.read_text().replace("[main.yaml]", f"[{relative}]"))
    assert (root / "content" / relative).read_text().startswith("kind: section")
    assert main(["build", str(root), "--html-only"]) == 1
    assert f"part '{relative}' leaves its folder" in error_line(capsys)


def test_a_symlinked_part_leading_out_of_the_project_is_refused(make_project, tmp_path, capsys):
    outside = outside_yaml(tmp_path)
    root = make_project()
    (root / "content/main.yaml").unlink()
    (root / "content/main.yaml").symlink_to(outside)
    assert main(["build", str(root), "--html-only"]) == 1
    assert f"content file resolves to {outside}, outside the project" in error_line(capsys)


def test_a_fifo_is_refused_not_waited_on(tmp_path):
    path = tmp_path / "content/x.yaml"
    path.parent.mkdir()
    os.mkfifo(path)
    result: list = []

    def load():
        try:
            load_yaml(path, Path("content/x.yaml"))
        except ReportError as exc:
            result.append(str(exc))

    thread = threading.Thread(target=load, daemon=True)
    thread.start()
    thread.join(5)
    if thread.is_alive():  # unblock the reader so the thread ends, then fail
        with open(path, "wb", opener=lambda p, f: os.open(p, f | os.O_NONBLOCK)):
            pass
        pytest.fail("load_yaml blocked on a FIFO")
    assert result == ["content/x.yaml: YAML file is not a regular file (replace it)"]


def test_locating_markup_in_a_long_paragraph_is_linear(tmp_path, monkeypatch):
    """Each node is located in the file. Walking from the start of the string for every node
    was quadratic (16,000 footnote calls in one paragraph took 37 s): the walk through the
    file must happen once per string, whatever the number of nodes located in it."""
    import reporter.content.yamlsource as yamlsource

    walks = []

    class Counting:
        def finditer(self, text):
            walks.append(1)
            return yamlsource.re.compile(r"\S+").finditer(text)

    monkeypatch.setattr(yamlsource, "_WORD", Counting())
    path = tmp_path / "x.yaml"
    path.write_text("p: " + "word [^a] " * 4_900 + "\n")
    text = load_yaml(path)["p"]
    nodes = parse_inline(text, HERE)
    assert len(walks) == 1
    assert len(nodes) == 2 * 4_900
    assert (nodes[-1].loc.line, nodes[-1].loc.column) == (1, 4 + len("word [^a] ") * 4_899 + 5)


def test_markup_per_string_is_bounded():
    with pytest.raises(ReportError, match="more than 10,000 pieces of markup in one text"):
        parse_inline("[^a]" * 10_001, HERE)


def test_locate_still_maps_folded_text_to_its_line_and_column(tmp_path):
    path = tmp_path / "x.yaml"
    path.write_text("p: >-\n  first line\n  second [^a] line\n\n  next [@b]\n")
    text = load_yaml(path)["p"]
    assert isinstance(text, Text)
    call, ref = (n for n in parse_inline(text, HERE) if hasattr(n, "loc"))
    assert (call.loc.line, call.loc.column) == (3, 10)
    assert (ref.loc.line, ref.loc.column) == (5, 8)
    assert locate(text, text.index("line")) == Location(path, 2, 9)
    assert locate(text, text.index("second") + 3) == Location(path, 3, 6)  # inside a word


# --- CSV: bounded, and only inside the project ----------------------------------------------


def test_a_200_mb_csv_is_refused_by_size_before_it_is_read(make_project, capsys):
    import pandas  # noqa: F401 - imported first, so that its memory is not counted

    root = make_project()
    path = root / "data/values.csv"
    with open(path, "r+b") as handle:
        handle.truncate(200_000_000)  # sparse: costs no disk and no time
    tracemalloc.start()
    try:
        with pytest.raises(ReportError) as caught:
            read_csv(path, Path("data/values.csv"))
        assert tracemalloc.get_traced_memory()[1] < 5_000_000
    finally:
        tracemalloc.stop()
    assert str(caught.value) == (
        "data/values.csv: data file is 200,000,000 bytes, more than the 50,000,000 allowed "
        "(split it into smaller files)"
    )
    assert main(["build", str(root), "--html-only"]) == 1
    assert "data file is 200,000,000 bytes" in error_line(capsys)


def test_data_symlink_leading_out_of_the_project_is_refused(make_project, tmp_path, capsys):
    root = make_project()
    outside = tmp_path / "outside.csv"
    outside.write_text("name,value\na,999\n")
    (root / "data/values.csv").unlink()
    (root / "data/values.csv").symlink_to(outside)
    assert read_csv(outside, outside)["value"].tolist() == [999]  # a readable, valid CSV
    assert main(["build", str(root), "--html-only"]) == 1
    assert error_line(capsys) == (
        f"error: data/values.csv: data file resolves to {outside}, outside the project "
        "(keep content, data and templates inside the project: no links leading out)"
    )


@pytest.mark.parametrize("name", ["../../outside", "/etc/passwd", "sub/values", "..", ""])
def test_data_names_are_file_names_in_data(tmp_path, name):
    (tmp_path / "data").mkdir()
    with pytest.raises(ReportError, match="is not a dataset name"):
        Datasets(tmp_path)(name)


def test_table_spec_cannot_name_a_data_file_outside(make_project, tmp_path, capsys):
    (tmp_path / "outside.csv").write_text("name,value\na,999\n")
    root = make_project()
    spec = root / "content/tables/first-table.yaml"
    spec.write_text(spec.read_text().replace("data: values", "data: ../../outside"))
    assert main(["build", str(root), "--html-only"]) == 1
    assert "data name '../../outside' is not a dataset name" in error_line(capsys)


@pytest.mark.parametrize(
    "text, message",
    [
        ('a,b\n"1,2\n' + "3,4\n" * 300_000, "data/x.csv:2: malformed CSV: Error tokenizing"),
        (",".join(f"c{i}" for i in range(1_001)) + "\n", "1,001 columns, more than the 1,000"),
        ("a\n" + ",".join(["x" * 10] * 100_000), "data/x.csv:2: more cells than the header's 1"),
        ("a,b\n1,2\n3,4,5\n", "data/x.csv:3: more cells than the header's 2"),
        ("a,b\n1,inf\n", "data/x.csv:2:2: column 'b' has inf: numbers must be finite"),
        ("a,b\n1,1e300\n", "data/x.csv:2:2: column 'b' has 1e+300: numbers must be finite"),
        ('"h\n' + "x" * 1_000_001, "data/x.csv:2: a record longer than 1,000,000 characters"),
        ("a,a\n1,2\n", "column name 'a' appears twice in the header"),
    ],
)
def test_hostile_csv_gives_a_located_error(tmp_path, text, message):
    path = tmp_path / "data/x.csv"
    path.parent.mkdir()
    path.write_text(text)
    with pytest.raises(ReportError) as caught:
        read_csv(path, Path("data/x.csv"))
    assert message in str(caught.value)


def test_csv_cells_are_bounded(tmp_path, monkeypatch):
    monkeypatch.setattr(readers, "MAX_CELLS", 1_000)
    path = tmp_path / "data/x.csv"
    path.parent.mkdir()
    path.write_text("a,b\n" + "1,2\n" * 600)
    with pytest.raises(ReportError, match="data/x.csv:2: more than 1,000 cells"):
        read_csv(path, Path("data/x.csv"))
