"""The only way WeasyPrint reads anything: files inside the allowed folders, nothing else.

No http(s), no file:// outside the project (symlinks resolved first), no data: URL that is
not an image. A refused URL stops the render with an error naming it.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import unquote, urlsplit

from weasyprint.urls import FatalURLFetchingError, URLFetcher

DATA_IMAGE_PREFIXES = ("data:image/png", "data:image/jpeg", "data:image/gif", "data:image/svg+xml")


class RefusedURL(FatalURLFetchingError):
    def __init__(self, url: str, why: str) -> None:
        super().__init__(f"refused to fetch {url[:120]}: {why}")
        self.url = url
        self.why = why


class ProjectFetcher(URLFetcher):
    def __init__(self, allowed: list[Path]) -> None:
        super().__init__(allowed_protocols={"file", "data"}, allow_redirects=False)
        self.allowed = [p.resolve() for p in allowed]

    def fetch(self, url: str, headers=None):
        scheme = url.split(":", 1)[0].lower()
        if scheme == "data":
            if not url.lower().startswith(DATA_IMAGE_PREFIXES):
                raise RefusedURL(url, "only image data: URLs are allowed")
            return super().fetch(url, headers)
        if scheme != "file":
            raise RefusedURL(url, "the PDF renderer reads no network resource")
        path = Path(unquote(urlsplit(url).path)).resolve()
        if not any(path.is_relative_to(root) for root in self.allowed):
            raise RefusedURL(url, "outside the project's assets and outputs")
        return super().fetch(path.as_uri(), headers)
