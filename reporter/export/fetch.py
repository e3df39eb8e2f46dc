"""The only way WeasyPrint reads anything: files inside the allowed folders, nothing else.

No http(s) or other network scheme, no file:// outside the allowed folders (symlinks resolved
first, so no '../' or link leads out), no data: URL that is not an image. A refused URL stops
the render with an error naming it.

WeasyPrint lets a fatal error through from most fetches, but it swallows every exception
raised while it draws an SVG (an <image> inside an SVG): so each refusal is also recorded in
`refused`, and `render_pdf` fails after the render if any was.
"""

from __future__ import annotations

import re
import stat
from pathlib import Path
from urllib.parse import unquote, urlsplit

from weasyprint.urls import FatalURLFetchingError, URLFetcher

DATA_IMAGE_TYPES = ("image/png", "image/jpeg", "image/gif", "image/svg+xml")
_SCHEME = re.compile(r"([A-Za-z][A-Za-z0-9+.-]*):")


class RefusedURL(FatalURLFetchingError):
    def __init__(self, url: str, why: str) -> None:
        super().__init__(f"refused to fetch {shorten(url)}: {why}")
        self.url = url
        self.why = why


def shorten(url: str, limit: int = 120) -> str:
    return url if len(url) <= limit else url[: limit - 1] + "…"


class ProjectFetcher(URLFetcher):
    def __init__(self, allowed: list[Path]) -> None:
        super().__init__(allowed_protocols={"file", "data"}, allow_redirects=False)
        self.allowed = [p.resolve() for p in allowed]
        self.refused: list[RefusedURL] = []

    def fetch(self, url: str, headers=None):
        try:
            return super().fetch(self.check(url), headers)
        except RefusedURL as refusal:
            self.refused.append(refusal)
            raise

    def check(self, url: str) -> str:
        """The URL to open (a file: URL rewritten to the resolved path), or RefusedURL."""
        match = _SCHEME.match(url)
        scheme = match[1].lower() if match else ""
        if scheme == "data":
            media_type = url[5:].split(",", 1)[0].split(";", 1)[0].strip().lower()
            if media_type not in DATA_IMAGE_TYPES:
                raise RefusedURL(url, "only image data: URLs are allowed")
            return url
        if scheme != "file":
            raise RefusedURL(url, "the PDF renderer reads no network resource")
        parts = urlsplit(url)
        raw_path = unquote(parts.path)
        if parts.netloc not in ("", "localhost") or not raw_path.startswith("/"):
            raise RefusedURL(url, "not a local absolute file path")
        try:
            path = Path(raw_path).resolve()
            info = path.stat() if path.exists() else None
        except (OSError, ValueError):
            raise RefusedURL(url, "not a valid file path") from None
        if not any(path.is_relative_to(root) for root in self.allowed):
            raise RefusedURL(url, "outside the project's assets and outputs")
        if info is not None and not stat.S_ISREG(info.st_mode):
            raise RefusedURL(url, "not a regular file")
        return path.as_uri()
