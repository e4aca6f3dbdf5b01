#!/usr/bin/env python3
"""Checks the links of the built book (docs/book) and of the README: every relative link
names a file that exists, and every #fragment an id in that file. Links to other sites
are not followed (CI has no internet). Exit status 1 lists every broken link."""

import html.parser
import pathlib
import re
import sys
import urllib.parse

ROOT = pathlib.Path(__file__).resolve().parent.parent
BOOK = ROOT / "docs" / "book"


class Page(html.parser.HTMLParser):
    def __init__(self):
        super().__init__()
        self.links, self.ids = [], set()

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            if name == "id" and value:
                self.ids.add(value)
            if value and ((tag == "a" and name == "href") or (tag == "img" and name == "src")):
                self.links.append(value)


def external(link):
    return re.match(r"^[a-z][a-z0-9+.-]*:", link) is not None


def main():
    if not (BOOK / "index.html").is_file():
        sys.exit(f"no book at {BOOK}: run `mdbook build docs` first")
    pages = {}
    for path in BOOK.rglob("*.html"):
        page = Page()
        page.feed(path.read_text(encoding="utf-8"))
        pages[path.resolve()] = page
    broken = []
    for path, page in sorted(pages.items()):
        for link in page.links:
            if external(link):
                continue
            target, _, fragment = link.partition("#")
            target = urllib.parse.unquote(target)
            resolved = (path.parent / target).resolve() if target else path
            if resolved.is_dir():
                resolved = resolved / "index.html"
            where = path.relative_to(BOOK)
            if not resolved.exists():
                broken.append(f"{where}: {link} (no such file)")
            elif fragment and resolved.suffix == ".html":
                ids = pages.get(resolved, Page()).ids
                if urllib.parse.unquote(fragment) not in ids:
                    broken.append(f"{where}: {link} (no such anchor)")
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for link in re.findall(r"\]\(([^)\s]+)\)", readme):
        if external(link) or link.startswith("#"):
            continue
        if not (ROOT / link.partition("#")[0]).exists():
            broken.append(f"README.md: {link} (no such file)")
    for line in broken:
        print(f"broken link: {line}")
    checked = sum(len(p.links) for p in pages.values())
    print(f"links: {checked} in {len(pages)} pages checked, {len(broken)} broken")
    return 1 if broken else 0


if __name__ == "__main__":
    sys.exit(main())
