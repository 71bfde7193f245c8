"""Reading the pages the tests get back: elements by id, their attributes and their text."""

from __future__ import annotations

import re
from html.parser import HTMLParser

VOID = {"input", "br", "meta", "link", "img", "hr", "area", "base", "col", "source", "wbr"}


class Page(HTMLParser):
    """A page read once: `attrs[id]`, `text[id]` (all the text inside), `links` (hrefs)."""

    def __init__(self, html: str) -> None:
        super().__init__(convert_charrefs=True)
        self.html = html
        self.attrs: dict[str, dict[str, str]] = {}
        self.text: dict[str, str] = {}
        self.links: list[str] = []
        self.inputs: list[dict[str, str]] = []
        self._open: list[tuple[str, str]] = []
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {k: v or "" for k, v in attrs}
        values["tag"] = tag
        if tag == "a" and "href" in values:
            self.links.append(values["href"])
        if tag in {"input", "select", "textarea"}:
            self.inputs.append(values)
        if "id" in values:
            self.attrs[values["id"]] = values
            self.text.setdefault(values["id"], "")
            if tag not in VOID:
                self._open.append((tag, values["id"]))

    def handle_endtag(self, tag: str) -> None:
        if self._open and self._open[-1][0] == tag:
            self._open.pop()

    def handle_data(self, data: str) -> None:
        for _, ident in self._open:
            self.text[ident] += data

    def words(self, ident: str) -> str:
        return " ".join(self.text.get(ident, "").split())


def csrf_of(html: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert found, "the page has no form token"
    return found.group(1)
