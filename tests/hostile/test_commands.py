"""The real commands on the nastiest hostile projects and PDFs, each in a child process under
the measured limits (tests/hostile/harness.py): `reporter build --html-only`, `reporter build`,
`reporter check`, `reporter check FILE.pdf` and `reporter diff A B`. Each run must end with a
documented exit code and one line per error, never a traceback, an abort or 1 GiB of memory,
read nothing outside the project (or the PDF's folder) and the installed software, write
nothing outside the project and its outputs, start no program a clean run does not, and leave
nothing behind; the sentinel planted outside sees any read (by Python or C code) or write.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from reporter.project import THEME
from tests.conftest import copy_root
from tests.hostile import xlsxs
from tests.hostile.harness import GiB
from tests.hostile.pdfs import MANIFEST, mutate
from tests.hostile.yamls import laughs, nested


def assert_clean(run) -> None:
    problems = run.problems()
    assert problems == [], f"{run}\n--- problems ---\n" + "\n".join(problems)


# --- the harness is real ---------------------------------------------------------------------


def test_clean_runs_are_within_the_limits_and_set_them(limits):
    """The clean runs the limits come from keep every property, and the harness saw them
    work: the audit hook recorded the project's files being read, and memory was measured."""
    for name, run in limits.clean.items():
        assert_clean(run)
        assert run.max_rss > 20 << 20, name
        assert any(p.endswith(".yaml") or p.endswith(".pdf") for p in run.opened("r")), name
    # what a clean check reserves (DuckDB, OpenBLAS, WeasyPrint) is far above what it uses
    check = limits.clean["check"]
    assert check.vm_peak() > check.max_rss
    assert limits.address_space >= max(r.vm_peak() for r in limits.clean.values()) + 2 * GiB
    # nothing outside the installed software is read, but for a few files of the system's
    assert all(p.startswith(("/etc/", "/usr/", "/dev/")) for p in limits.allowed.exact), (
        limits.allowed.exact
    )
    print(  # shown with -s: the numbers tests/hostile/README.md quotes
        "\n".join(
            f"{name}: VmPeak {run.vm_peak() / 2**20:.0f} MiB, max RSS "
            f"{run.max_rss / 2**20:.0f} MiB, {run.seconds:.1f} s"
            for name, run in limits.clean.items()
        )
        + f"\nRLIMIT_AS {limits.address_space / 2**20:.0f} MiB; also read: "
        f"{sorted(limits.allowed.exact)}; programs: {sorted(limits.allowed.programs)}"
    )


def test_the_harness_sees_a_read_and_a_write_outside(runner, tmp_path, sentinel):
    """The properties below can fail. A project with a file of data/ that is a hard link to
    the sentinel (no symlink: the snapshot cannot tell it from a file of the project, and
    copies it) is seen reading it, by the sentinel; outputs sent into the sentinel's folder
    (--out: the user may send them anywhere; the harness allows the project alone) are seen
    written outside, by the audit hook and by the sentinel."""
    project = copy_root("basic", tmp_path / "proj").root
    os.link(sentinel.file, project / "data/notes.txt")
    site = sentinel.folder / "site"
    try:
        run = runner.run("build", "--html-only", str(project), "--out", str(site),
                         writes=[project])  # fmt: skip
        assert (site / "T-BASIC-1.html").is_file(), run
        assert "read: " + sentinel.file.name in run.sentinel
        assert "written: site/T-BASIC-1.html" in run.sentinel
        outside = run.outside()
        assert outside and all(str(sentinel.folder) in p for p in outside), outside
    finally:
        shutil.rmtree(site, ignore_errors=True)
        (project / "data/notes.txt").unlink()
        sentinel.arm()


# --- hostile projects: build and check -------------------------------------------------------


def hostile_project(tmp_path, sentinel, root: str = "basic", files=None, links=None,
                    own_templates=False) -> Path:  # fmt: skip
    """A copy of tests/roots/ROOT with `files` written over it (<secret>, <secret_yaml>,
    <secret_uri>, <outside>, <rel_secret> in their text stand for the sentinel's paths) and
    `links` (path -> where it points) made."""
    target = tmp_path / "proj"
    names = {
        "secret": sentinel.file,
        "secret_yaml": sentinel.yaml,
        "outside": sentinel.folder,
        "secret_uri": sentinel.file.as_uri(),
        "rel_secret": os.path.relpath(sentinel.file, target / "content"),
        "rel_yaml": os.path.relpath(sentinel.yaml, target / "content"),
    }
    written = {}
    for name, text in (files or {}).items():
        if isinstance(text, str):
            for key, value in names.items():
                text = text.replace(f"<{key}>", str(value))
        written[name] = text
    project = copy_root(root, target, written, own_templates=own_templates).root
    for name, to in (links or {}).items():
        path = project / name
        if path.exists() or path.is_symlink():
            path.unlink()
        path.parent.mkdir(parents=True, exist_ok=True)
        path.symlink_to({"secret": sentinel.file, "secret_yaml": sentinel.yaml,
                         "outside": sentinel.folder}[to])  # fmt: skip
    return project


def test_links_leading_out_are_refused_before_anything_is_read(runner, tmp_path, sentinel):
    project = hostile_project(
        tmp_path, sentinel, own_templates=True,
        links={"data/hosts.csv": "secret", "content/outside.yaml": "secret_yaml",
               "templates/assets/s.txt": "secret", "data/linked": "outside"},
    )  # fmt: skip
    run = runner.run("build", "--html-only", str(project), writes=[project])
    assert_clean(run)
    assert run.returncode == 1


PATHS_OUT = {  # (parts leading out: tests/test_security.py)
    "content/tables/hosts.yaml": """
        title: Hosts
        data: "../../outside/x"
        rows: [{id: a, label: A}]
        columns: [{id: v, heading: V, sum: migrants_2019}]
    """,
    "data/datasets.yaml": """
        hosts:
          file: "<secret>"
        other:
          file: "../../<rel_secret>"
    """,
}


def test_paths_leading_out_are_refused(runner, tmp_path, sentinel):
    project = hostile_project(tmp_path, sentinel, files=PATHS_OUT)
    run = runner.run("check", str(project), writes=[project])
    assert_clean(run)
    assert run.returncode in (1, 2)


def test_templates_include_nothing_outside(runner, tmp_path, sentinel):
    template = (
        "{% include '../../../<rel_secret>' %}{% include '<secret>' %}"
        "{% import '../../outside/x.j2' as x %}"
    )
    project = hostile_project(tmp_path, sentinel, own_templates=True,
                              files={"templates/document.html.j2": template})  # fmt: skip
    run = runner.run("build", "--html-only", str(project), writes=[project])
    assert_clean(run)
    assert run.returncode == 1


FETCHES = """
@import url("<secret_uri>");
@font-face { font-family: x; src: url("<secret_uri>") }
body { font-family: x; background: url("../<rel_secret>") }
p { background: url("http://127.0.0.1:9/x.png") }
h1 { background: url("file://localhost<secret>") }
"""


def test_the_pdf_renderer_fetches_nothing_outside(runner, tmp_path, sentinel):
    css = (THEME / "assets/report.css").read_text()
    project = hostile_project(tmp_path, sentinel, own_templates=True,
                              files={"templates/assets/report.css": FETCHES + css})  # fmt: skip
    template = project / "templates/document.html.j2"
    extra = (f'<img src="{sentinel.file.as_uri()}"><a rel="attachment" '
             f'href="{sentinel.file.as_uri()}">x</a>')  # fmt: skip
    template.write_text(template.read_text().replace("</body>", extra + "</body>"))
    run = runner.run("build", str(project), writes=[project])
    assert_clean(run)
    assert run.returncode == 1


def test_sql_reads_nothing_outside(runner, tmp_path, sentinel):
    datasets = (roots_dir() / "sql/data/datasets.yaml").read_text().replace(
        "from stock s join regions r", "from stock s join read_csv('<secret>') x on true "
        "join regions r"
    )  # fmt: skip
    project = hostile_project(tmp_path, sentinel, "sql", files={"data/datasets.yaml": datasets})
    run = runner.run("build", "--html-only", str(project), writes=[project])
    assert_clean(run)
    assert run.returncode == 1


def roots_dir() -> Path:
    return Path(__file__).resolve().parents[1] / "roots"


@pytest.mark.parametrize(
    "case, command",
    [("far cell", "build"), ("external entity", "check")],
)
def test_hostile_workbooks(runner, tmp_path, sentinel, case, command):
    workbook = {
        "far cell": lambda: xlsxs.far_cell_small_dimension(),
        "external entity": lambda: xlsxs.external_entity(sentinel.file.as_uri()),
    }[case]()
    datasets = (roots_dir() / "sql/data/datasets.yaml").read_text().replace("Regions", "Data")
    project = hostile_project(tmp_path, sentinel, "sql", files={
        "data/classification.xlsx": workbook, "data/datasets.yaml": datasets})  # fmt: skip
    args = ["build", "--html-only"] if command == "build" else ["check"]
    run = runner.run(*args, str(project), writes=[project])
    assert_clean(run)
    assert run.returncode in (1, 2)


def test_the_largest_csv_within_the_limits(runner, tmp_path, sentinel):
    """Just under every limit of a CSV (49 MB, 999,999 rows, 20 columns: 20 million cells,
    texts that differ): the check reads it, computes the table and checks its figures."""
    header = "country,region,migrants_2019," + ",".join(f"c{i}" for i in range(17))
    rows = [f"k{i % 99_991},Europe,{i % 7}," + ",".join(["x"] * 17) for i in range(999_998)]
    data = (header + "\n" + "\n".join(rows) + "\n").encode()
    assert len(data) < 50_000_000
    project = hostile_project(tmp_path, sentinel, files={"data/hosts.csv": data})
    run = runner.run("check", str(project), writes=[project])
    assert_clean(run)


YAML_BOMBS = {
    "content/document.yaml": """
        symbol: T/BASIC/1
        title: A basic report
        date: 2021-03-15
        parts: [laughs.yaml, deep.yaml, self.yaml, wide.yaml, tags.yaml]
    """,
    "content/laughs.yaml": laughs(10, 9),
    "content/deep.yaml": nested(10_000, "flow-list", "x"),
    "content/self.yaml": "a: &r [*r]\n",
    "content/wide.yaml": 'a: &a "' + "x" * 4_900_000 + '"\nb: [*a, *a, *a]\n',
    "content/tags.yaml": "a: !!python/object/apply:os.system ['touch <outside>/pwned']\n",
}


def test_yaml_bombs_are_one_line_each(runner, tmp_path, sentinel):
    project = hostile_project(tmp_path, sentinel, files=YAML_BOMBS)
    run = runner.run("build", "--html-only", str(project), writes=[project])
    assert_clean(run)
    assert run.returncode == 1


def test_edition_ids_that_are_paths_write_nothing_outside(runner, tmp_path, sentinel):
    countries = (
        "code,name,region\n../../../<rel_outside>/pwned,France,Europe\n..,Spain,Europe\n"
        "<outside>/abs,Japan,Asia\na/b,Kenya,Africa\n.,Germany,Europe\n"
    )
    rel = os.path.relpath(sentinel.folder, tmp_path / "proj/out")
    countries = countries.replace("<rel_outside>", rel)
    project = hostile_project(tmp_path, sentinel, "editions",
                              files={"data/countries.csv": countries})  # fmt: skip
    run = runner.run("build", "--html-only", str(project), writes=[project])
    assert_clean(run)
    assert run.returncode == 1


def test_a_chart_of_many_categories_is_bounded(runner, tmp_path, sentinel):
    """10,000 bars in a 70 KB chart spec (tests/roots/chart): the figures all hold, so the
    build draws it. Drawing takes about 9 ms a category (2,000: 19 s; a 5 MB content file
    holds 700,000): it must be refused, or done, within the run's 20 s."""
    chart = (roots_dir() / "chart/content/charts/growth.yaml").read_text()
    chart = chart.replace("rows: [europe, asia]", f"rows: [{', '.join(['europe'] * 10_000)}]")
    chart = chart.replace("labels: [Europe (3 countries), Asia (2 countries)]", "")
    project = hostile_project(tmp_path, sentinel, "chart",
                              files={"content/charts/growth.yaml": chart})  # fmt: skip
    run = runner.run("build", "--html-only", str(project), writes=[project],
                     timeout=20)  # fmt: skip
    assert_clean(run)


# --- hostile PDFs: check FILE.pdf and diff A B -----------------------------------------------


@pytest.fixture
def pdfs(tmp_path, basic_pdf):
    """pdfs(steps) -> a folder holding a.pdf (the basic PDF) and b.pdf (mutated)."""

    def make(steps) -> Path:
        work = tmp_path / "work"
        work.mkdir()
        shutil.copy(basic_pdf, work / "a.pdf")
        (work / "b.pdf").write_bytes(mutate(basic_pdf.read_bytes(), steps))
        return work

    return make


PDF_CASES = {
    "1 GiB attachment": [("attachment_bomb", "data/hosts.csv", 1 << 30, 142)],
    "1 GiB manifest": [("attachment_bomb", MANIFEST, 1 << 30, 10**12)],
    "300 pages": [("duplicate_page_forged", 1, 300)],
    "3,000 pages": [("duplicate_page_forged", 1, 3_000)],
    "14,400 pt pages": [
        ("media_box", 0, [0, 0, 14400, 14400]),
        ("media_box", 1, [0, 0, 14400, 14400]),
    ],
    "page tree cycle": [("tree_cycle", "page-parent"), ("count_lie", 2**31)],
}


@pytest.mark.parametrize(
    "case, command",
    [("1 GiB attachment", "check"), ("1 GiB manifest", "diff"), ("300 pages", "check"),
     ("3,000 pages", "diff"), ("14,400 pt pages", "diff"), ("page tree cycle", "check")],
)  # fmt: skip
def test_hostile_pdfs(runner, pdfs, case, command):
    work = pdfs(PDF_CASES[case])
    args = ["check", "b.pdf"] if command == "check" else ["diff", "a.pdf", "b.pdf"]
    run = runner.run(*args, cwd=work)
    assert_clean(run)
    assert run.returncode in (1, 2)


def test_forged_evidence_runs_no_sql_outside(runner, tmp_path, basic_pdf, sentinel):
    """A PDF whose attached data/datasets.yaml reads the sentinel in the query of the table's
    dataset, with the table's spec and the manifest forged to match (sha256 and size):
    `check FILE.pdf` unpacks and runs it, and must reach nothing."""
    datasets = f"hosts_sql:\n  sql: select * from read_csv('{sentinel.file}')\n"
    spec = (roots_dir() / "basic/content/tables/hosts.yaml").read_text()
    steps = [
        ("attachment_forged", "data/datasets.yaml", datasets),
        (
            "attachment_forged",
            "content/tables/hosts.yaml",
            spec.replace("data: hosts", "data: hosts_sql"),
        ),
    ]
    work = tmp_path / "work"
    work.mkdir()
    (work / "b.pdf").write_bytes(mutate(basic_pdf.read_bytes(), steps))
    run = runner.run("check", "b.pdf", cwd=work)
    assert_clean(run)
    assert run.returncode in (1, 2)
