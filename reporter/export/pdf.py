"""HTML -> PDF bytes with WeasyPrint, deterministic: same HTML and assets, same bytes."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import logging
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from reporter.errors import Location, ReportError
from reporter.export.budget import DOCUMENT, ENVIRONMENT, RENDER_PAGES, Budget, run_bounded

if TYPE_CHECKING:
    from reporter.export.fetch import RefusedURL

# PDF/A-3 level A: archival, tagged (WeasyPrint writes the structure tree), attachments
# allowed; declared PDF/UA-1 too (export/tagging.py)
VARIANT = "pdf/a-3a"


def render_pdf(
    html: str,
    base: Path,
    allowed: list[Path],
    identity: str,
    epoch: int,
    attachments: dict[str, tuple[bytes, str]] | None = None,
) -> tuple[bytes, int]:
    """The PDF of `html` and its page count; relative URLs resolve against `base`.

    `identity` seeds the PDF file identifier (normally the document symbol); `epoch` is used
    as SOURCE_DATE_EPOCH, which fontTools reads when it subsets fonts, and as the date of the
    embedded `attachments` (name -> bytes and their PDF/A-3 relationship: Source, Data,
    Supplement), so that they keep the bytes identical too.

    The render runs in the render worker, a child process, within the render's budget of
    time, memory and pages (export/budget.py); assets are fetched within the image and SVG
    limits (export/fetch.py).
    """
    budget = Budget.from_environment()
    _prepare()
    set_here = "SOURCE_DATE_EPOCH" not in os.environ  # one the user set wins, and stays
    if set_here:
        os.environ["SOURCE_DATE_EPOCH"] = str(epoch)
    try:
        # plain values: they are sent to the render worker (a YAML Text is a str with a place)
        files = {str(k): (bytes(data), str(how)) for k, (data, how) in (attachments or {}).items()}
        job = (str(html), Path(base), [Path(p) for p in allowed], str(identity), int(epoch))
        return run_bounded(_render, (*job, files, budget.pages), budget, ("SOURCE_DATE_EPOCH",))
    finally:  # the next document in this process (diff REV builds two) has its own date
        if set_here:
            os.environ.pop("SOURCE_DATE_EPOCH", None)


def warm_up() -> None:
    """Start the render worker now and have it render a line: a process that will render
    PDFs on request (reporter watch's) has its first one as fast as the next."""
    _prepare()
    run_bounded(_warm, (), Budget())


def _warm() -> int:
    import weasyprint

    return len(weasyprint.HTML(string="<p>warm</p>").write_pdf())


def _prepare() -> None:
    """Import what a render uses in this process, before the render worker is forked from it:
    a process that renders again (a fleet's or watch's worker) imports it once, and a worker
    that replaces another starts warm."""
    import weasyprint  # noqa: F401 - slow to import: only when a PDF is made

    import reporter.export.evidence
    import reporter.export.fetch
    import reporter.export.tagging  # noqa: F401

    _quiet_weasyprint()


def _render(html, base, allowed, identity, epoch, attachments, pages=RENDER_PAGES):
    import weasyprint
    from weasyprint.urls import FatalURLFetchingError

    from reporter.export.fetch import ProjectFetcher, RefusedURL
    from reporter.export.tagging import declare_pdf_ua

    _quiet_weasyprint()
    fetcher = ProjectFetcher(allowed, Path(base).parent)
    when = dt.datetime.fromtimestamp(epoch, dt.UTC)
    files = [
        weasyprint.Attachment(
            file_obj=io.BytesIO(data),
            name=name,
            created=when,
            modified=when,
            url_fetcher=fetcher,
            relationship=relationship,
        )
        for name, (data, relationship) in sorted((attachments or {}).items())
    ]
    try:
        with _Watch(pages) as watch:
            document = weasyprint.HTML(
                string=html, base_url=str(base) + "/", url_fetcher=fetcher
            ).render(pdf_variant=VARIANT)
            if len(document.pages) > pages:  # the layout's count, should the log say none
                raise _TooManyPages
            declare_pdf_ua(document.metadata)
            identifier = hashlib.sha256(identity.encode()).hexdigest()[:32].encode()
            pdf = document.write_pdf(
                pdf_identifier=identifier,
                attachments=files,
                pdf_variant=VARIANT,
                finisher=_finish,
            )
    except RefusedURL as exc:
        raise _refused(exc) from None
    except FatalURLFetchingError as exc:
        raise _refused(str(exc)) from None
    except _TooManyPages:
        raise ReportError(
            f"the PDF has more than {pages:,} page{'s' if pages != 1 else ''}",
            DOCUMENT,
            f"a table or a list too long? {ENVIRONMENT['pages']} sets the limit (docs/security.md)",
        ) from None
    if fetcher.refused:  # refused inside an SVG, where WeasyPrint swallows the error
        raise _refused(fetcher.refused[0])
    if watch.out_of_memory:  # a MemoryError WeasyPrint caught (an image it then left out)
        raise MemoryError
    return pdf, len(document.pages)


class _TooManyPages(BaseException):  # not an Exception: nothing in WeasyPrint catches it
    pass


class _Watch(logging.Handler):
    """What the render says in its log: each page laid out (to stop at the page budget) and
    each error it logged and went on from, if a MemoryError caused it."""

    def __init__(self, pages: int) -> None:
        super().__init__(logging.INFO)
        self.pages = pages
        self.out_of_memory = False

    def __enter__(self) -> _Watch:
        self.progress = logging.getLogger("weasyprint.progress")
        self.kept = self.progress.level, self.progress.propagate
        self.progress.setLevel(logging.INFO)
        self.progress.propagate = False
        self.progress.addHandler(self)
        logging.getLogger("weasyprint").addHandler(self)
        return self

    def __exit__(self, *exc: object) -> None:
        logging.getLogger("weasyprint").removeHandler(self)
        self.progress.removeHandler(self)
        self.progress.setLevel(self.kept[0])
        self.progress.propagate = self.kept[1]

    def emit(self, record: logging.LogRecord) -> None:
        if record.name == "weasyprint.progress":
            number = record.args[0] if isinstance(record.args, tuple) and record.args else 0
            if (
                str(record.msg).startswith(_PAGE)
                and isinstance(number, int)
                and number > self.pages
            ):
                raise _TooManyPages
        elif record.levelno >= logging.ERROR:
            error, depth = sys.exc_info()[1], 0
            while error is not None and depth < 16 and not self.out_of_memory:
                self.out_of_memory = isinstance(error, MemoryError)
                error, depth = error.__cause__ or error.__context__, depth + 1

    def handle(self, record: logging.LogRecord) -> bool:  # no lock: one thread renders
        self.emit(record)
        return True


_PAGE = "Step 5 - Creating layout - Page"


def _finish(document, pdf) -> None:
    """WeasyPrint's PDF, before it is written: furniture as artifacts, and each attachment
    associated once (WeasyPrint 70 lists each twice in the catalogue's /AF) with a media
    type of our own (WeasyPrint asks the system's MIME database, which differs between
    machines)."""
    from reporter.export.evidence import media_type
    from reporter.export.tagging import complete_structure

    complete_structure(document, pdf)
    if "AF" in pdf.catalog:
        pdf.catalog["AF"][:] = list(dict.fromkeys(pdf.catalog["AF"]))
    for spec in [o for o in pdf.objects if isinstance(o, dict) and o.get("Type") == "/Filespec"]:
        stream = pdf.objects[int(spec["EF"]["F"].split()[0])]
        stream.extra["Subtype"] = "/" + media_type(spec["UF"].string).replace("/", "#2f")


def _refused(refusal: RefusedURL | str) -> ReportError:
    from reporter.export.fetch import RefusedAsset

    if isinstance(refusal, RefusedAsset):  # a file over a limit: named, with what to do
        return ReportError(refusal.message, Location(Path(refusal.shown)), refusal.hint)
    message = str(refusal)
    return ReportError(message, Location(Path("templates")), "keep assets inside templates/assets")


def _quiet_weasyprint() -> None:
    # WeasyPrint logs CSS it ignores at WARNING; keep errors only, on stderr.
    logging.getLogger("weasyprint").setLevel(logging.ERROR)
