"""HTML -> PDF bytes with WeasyPrint, deterministic: same HTML and assets, same bytes."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import logging
import os
from pathlib import Path

from reporter.errors import Location, ReportError

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
    """
    set_here = "SOURCE_DATE_EPOCH" not in os.environ  # one the user set wins, and stays
    if set_here:
        os.environ["SOURCE_DATE_EPOCH"] = str(epoch)
    try:
        return _render(html, base, allowed, identity, epoch, attachments)
    finally:  # the next document in this process (diff REV builds two) has its own date
        if set_here:
            os.environ.pop("SOURCE_DATE_EPOCH", None)


def _render(html, base, allowed, identity, epoch, attachments) -> tuple[bytes, int]:
    import weasyprint  # slow to import: only when a PDF is made
    from weasyprint.urls import FatalURLFetchingError

    from reporter.export.fetch import ProjectFetcher
    from reporter.export.tagging import declare_pdf_ua

    _quiet_weasyprint()
    fetcher = ProjectFetcher(allowed)
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
        document = weasyprint.HTML(
            string=html, base_url=str(base) + "/", url_fetcher=fetcher
        ).render(pdf_variant=VARIANT)
        declare_pdf_ua(document.metadata)
        identifier = hashlib.sha256(identity.encode()).hexdigest()[:32].encode()
        pdf = document.write_pdf(
            pdf_identifier=identifier,
            attachments=files,
            pdf_variant=VARIANT,
            finisher=_finish,
        )
    except FatalURLFetchingError as exc:
        raise _refused(str(exc)) from None
    if fetcher.refused:  # refused inside an SVG, where WeasyPrint swallows the error
        raise _refused(str(fetcher.refused[0]))
    return pdf, len(document.pages)


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


def _refused(message: str) -> ReportError:
    return ReportError(message, Location(Path("templates")), "keep assets inside templates/assets")


def _quiet_weasyprint() -> None:
    # WeasyPrint logs CSS it ignores at WARNING; keep errors only, on stderr.
    logging.getLogger("weasyprint").setLevel(logging.ERROR)
