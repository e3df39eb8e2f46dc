"""`reporter diff`: changed words, paragraphs, footnotes, table cells, figures and pages,
in the document's own terms; renumbering does not flood the output."""

from __future__ import annotations

import shutil
import subprocess

import pytest

from reporter.cli import main
from reporter.pipeline import build
from reporter.project import Project


def rebuild(root, edit) -> object:
    edit(root)
    return build(Project.at(root), progress=lambda _: None).pdf


def replace(path, old, new):
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_same_pdf_is_exit_0(built, capsys):
    assert main(["diff", str(built.pdf), str(built.pdf)]) == 0
    assert "identical" in capsys.readouterr().out


def test_one_word_in_paragraph_23(built, copy_flagship, capsys):
    section = copy_flagship / "content/02-recent-developments.yaml"
    new = rebuild(copy_flagship, lambda _: replace(section, "Paradoxically,", "Surprisingly,"))
    assert main(["diff", str(built.pdf), str(new)]) == 1
    lines = capsys.readouterr().out.strip().splitlines()
    assert lines[1] == "para. 23: … is often short term. ~~Paradoxically,~~ → **Surprisingly,**"
    assert len(lines) == 3 and lines[2].startswith("pages changed: ")


def test_data_change_shows_cells_and_figure(built, copy_flagship, capsys):
    csv = copy_flagship / "data/a67254_migrant_stock_by_corridor.csv"

    def edit(_):
        replace(csv, "South,North,2010,74288", "South,North,2010,74488")

    # the prose binds "74 million", which 74.5 still rounds to: the check passes, data changed
    new = rebuild(copy_flagship, edit)
    assert main(["diff", str(built.pdf), str(new)]) == 1
    out = capsys.readouterr().out
    assert "Table 1, South-North, Migrant stock (millions) / 2010: 74.3 → 74.5" in out
    assert "Table 1, Grand total, Migrant stock (millions) / 2010: 214.2 → 214.4" in out
    assert "Figure I, 2010, South-North: 74.29 → 74.49" in out
    assert "para." not in out  # no paragraph changed


def test_inserted_paragraph_does_not_flood(built, copy_flagship, capsys):
    section = copy_flagship / "content/03-coherence-partnerships.yaml"

    def edit(_):
        text = section.read_text(encoding="utf-8")
        first = text.index("      - p:")
        section.write_text(
            text[:first] + "      - p: A new paragraph about coordination.\n" + text[first:]
        )

    new = rebuild(copy_flagship, edit)
    assert main(["diff", str(built.pdf), str(new)]) == 1
    lines = capsys.readouterr().out.strip().splitlines()
    assert "para. 31: added: A new paragraph about coordination." in lines
    assert "renumbered: paras. 31-88 are now 32-89" in lines
    # cross-references follow: para. 55's "paras. 60-68" becomes para. 56's "paras. 61-69"
    moved = [line for line in lines if line.startswith("para. 56 (was para. 55): ")]
    assert len(moved) == 1 and moved[0].endswith("(see paras. ~~60-68~~ → **61-69**")
    assert len(lines) < 12


def test_footnote_change(built, copy_flagship, capsys):
    notes = copy_flagship / "content/footnotes.yaml"
    new = rebuild(copy_flagship, lambda _: replace(notes, "(Geneva, 2011).", "(Geneva, 2012)."))
    assert main(["diff", str(built.pdf), str(new)]) == 1
    out = capsys.readouterr().out
    assert "footnote 7: … in Developing Countries (Geneva, ~~2011).~~ → **2012).**" in out


def test_review_page(built, copy_flagship, tmp_path):
    section = copy_flagship / "content/02-recent-developments.yaml"
    new = rebuild(copy_flagship, lambda _: replace(section, "Paradoxically,", "Surprisingly,"))
    review = tmp_path / "review"
    assert main(["diff", str(built.pdf), str(new), "--html", str(review)]) == 1
    page = (review / "index.html").read_text()
    assert "<del>Paradoxically,</del> → <ins>Surprisingly,</ins>" in page
    images = sorted(p.name for p in (review / "pages").iterdir())
    assert images and {"new", "old"} == {name.split("-")[0] for name in images}


def test_fallback_diff_of_pdfs_without_model(tmp_path, capsys):
    import weasyprint

    def pdf(name, word):
        html = f"<p>1. First paragraph here.</p><p>2. The {word} paragraph.</p><p>3. Third one.</p>"
        path = tmp_path / name
        weasyprint.HTML(string=html).write_pdf(path)
        return path

    assert main(["diff", str(pdf("a.pdf", "second")), str(pdf("b.pdf", "other"))]) == 1
    out = capsys.readouterr().out
    assert "compared by text extracted from the pages" in out
    assert "para. 2: … The ~~second~~ → **other**" in out


def test_diff_against_git_revision(copy_flagship, capsys):
    git = shutil.which("git")
    if git is None:
        pytest.fail("git is needed for reporter diff REV")
    run = lambda *a: subprocess.run([git, *a], cwd=copy_flagship, check=True, capture_output=True)  # noqa: E731
    run("init", "-q")
    run("-c", "user.name=t", "-c", "user.email=t@t", "add", "-A")
    run("-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "base")
    replace(
        copy_flagship / "content/02-recent-developments.yaml", "Paradoxically,", "Surprisingly,"
    )
    assert main(["diff", "HEAD", "--project", str(copy_flagship)]) == 1
    assert "~~Paradoxically,~~ → **Surprisingly,**" in capsys.readouterr().out


def test_bad_inputs_are_usage_errors(tmp_path, capsys):
    assert main(["diff", str(tmp_path / "missing.pdf"), str(tmp_path / "other.pdf")]) == 2
    (tmp_path / "x.pdf").write_bytes(b"not a pdf")
    (tmp_path / "y.pdf").write_bytes(b"not a pdf either")
    assert main(["diff", str(tmp_path / "x.pdf"), str(tmp_path / "y.pdf")]) == 2
    err = capsys.readouterr().err
    assert "cannot read PDF" in err and "Traceback" not in err


@pytest.mark.parametrize(
    "model, why",
    [
        (b'{"not json', "not JSON"),
        (b"[1, 2, 3]", "not a document model"),
        (b'{"paragraphs": [{"key": 5}]}', "paragraphs: 'key' missing or of the wrong type"),
        (b'{"paragraphs": [], "tables": [7]}', "an entry of tables is not a mapping"),
    ],
)
def test_a_tampered_model_is_one_line_and_exit_2(built, tmp_path, capsys, model, why):
    from reporter.export.model import ATTACHMENT_NAME
    from reporter.export.pdf import render_pdf

    html = "<html><body><p>1. Text.</p></body></html>"
    pdf, _ = render_pdf(
        html, tmp_path, [tmp_path], "X", 0, {ATTACHMENT_NAME: (model, "Supplement")}
    )
    (tmp_path / "bad.pdf").write_bytes(pdf)
    assert main(["diff", str(tmp_path / "bad.pdf"), str(built.pdf)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert err == [
        f"error: {tmp_path / 'bad.pdf'}: its embedded document model (reporter-model.json) is "
        f"damaged: {why} (rebuild the PDF with reporter)"
    ]
