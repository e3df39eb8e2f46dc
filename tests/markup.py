"""What inline markup may produce in HTML: shared by the property tests and the fuzzer."""

from __future__ import annotations

from html.parser import HTMLParser

from reporter.content.inline import Emph, Figure, FootnoteCall, Link, Ref, walk
from reporter.render.inline_html import inline_html


class Collect(HTMLParser):
    """The tags and the text of an HTML fragment."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[str] = []
        self.text: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)

    def handle_startendtag(self, tag, attrs):
        self.tags.append(tag)

    def handle_data(self, data):
        self.text.append(data)


def rendered(nodes) -> Collect:
    """The nodes' HTML, checked to hold exactly the tags the markup produced, nothing else."""
    html = str(inline_html(nodes))
    seen = Collect()
    seen.feed(html)
    seen.close()
    expected = {"em": 0, "a": 0, "span": 0, "sup": 0}
    for node in walk(nodes):
        if isinstance(node, Emph):
            expected["em"] += 1
        elif isinstance(node, (Link, Ref)):
            expected["a"] += 1
        elif isinstance(node, Figure):
            expected["span"] += 1
        elif isinstance(node, FootnoteCall):
            expected["sup"] += 1
            expected["a"] += 1
    got = {tag: seen.tags.count(tag) for tag in set(seen.tags) | set(expected)}
    if got != expected:
        raise AssertionError(f"tags {got} != {expected} in {html!r}")
    return seen
