"""The book's sections as the feedback links to them: ``"tapes/numpy_tape.md#reductions"``.

A section is a page under book/ (its MyST source) and, after ``#``, the id Sphinx gives one
of its headings (docutils' ``make_id`` of the heading's text). The feedback shows the page's
and the heading's titles and links to the page's HTML under the course's book address; a
test checks that every section a bug names exists in the built book.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

BOOK = Path(__file__).resolve().parent.parent / "book"
_HEADING = re.compile(r"^(#{1,3}) +(.+?) *$", re.M)


class UnknownSection(ValueError):
    """A section that names no page, or no heading of its page."""


def make_id(heading: str) -> str:
    """The id Sphinx gives a heading: docutils' make_id of its text (Markdown's code and
    emphasis marks are not text)."""
    from docutils.nodes import make_id as docutils_make_id

    return docutils_make_id(re.sub(r"[`*]", "", heading))


@cache
def _headings(page: str) -> tuple[str, dict[str, str]]:
    """(the page's title, {heading id: heading text}) of book/<page>."""
    path = BOOK / page
    if path.suffix != ".md" or not path.is_file():
        raise UnknownSection(f"no page book/{page}")
    text = re.sub(r"^(`{3,}|~{3,}).*?^\1\s*$", "", path.read_text(encoding="utf-8"),
                  flags=re.M | re.S)  # a "# comment" in a code block is not a heading
    found = [(len(m.group(1)), m.group(2)) for m in _HEADING.finditer(text)]
    title = next((heading for level, heading in found if level == 1), page)
    return title, {make_id(heading): heading for level, heading in found if level > 1}


def resolve(section: str) -> tuple[str, str]:
    """(the address under the book's HTML root, the words a link shows) of ``section``."""
    page, _, anchor = section.partition("#")
    title, headings = _headings(page)
    href = f"{BOOK.name}/{page[:-len('.md')]}.html"  # the HTML mirrors the sources' paths
    if not anchor:
        return href, title
    if anchor not in headings:
        raise UnknownSection(f"book/{page} has no heading with the id {anchor!r}")
    return f"{href}#{anchor}", f"{title}: {headings[anchor]}"
