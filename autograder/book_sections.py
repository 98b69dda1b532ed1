"""The book's sections as the feedback links to them: ``"tapes/numpy_tape.md#reductions"``.

A section is a page under book/ (its MyST source) and, after ``#``, the id Sphinx gives one
of its headings (docutils' ``make_id`` of the heading's text). The feedback shows the page's
and the heading's titles and links to the page's HTML under the course's book address; a
test checks that every section a bug names exists in the built book.

In another language the link goes to that edition's page (``book/zh-CN/<page>``, built as
``zh-CN/<page>.html``) and shows its titles: its headings are the English page's, in the
same order, translated. Its anchor is the heading's ``make_id`` when that is not empty and
names no other heading of the page; otherwise the link lands at the page's top (Sphinx
numbers the ids of headings without Latin letters, "id3", which the source cannot tell).
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

from autograder.messages import ENGLISH, text

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
def _outline(path: Path) -> tuple[str | None, list[str]]:
    """(the page's title, its lower headings in order) of a MyST page."""
    text = re.sub(r"^(`{3,}|~{3,}).*?^\1\s*$", "", path.read_text(encoding="utf-8"),
                  flags=re.M | re.S)  # a "# comment" in a code block is not a heading
    found = [(len(m.group(1)), m.group(2)) for m in _HEADING.finditer(text)]
    title = next((heading for level, heading in found if level == 1), None)
    return title, [heading for level, heading in found if level > 1]


def _headings(page: str) -> tuple[str, dict[str, str]]:
    """(the page's title, {heading id: heading text}) of book/<page>."""
    path = BOOK / page
    if path.suffix != ".md" or not path.is_file():
        raise UnknownSection(f"no page book/{page}")
    title, headings = _outline(path)
    return title or page, {make_id(heading): heading for heading in headings}


def resolve(section: str, language: str = ENGLISH) -> tuple[str, str]:
    """(the address under the book's HTML root, the words a link shows) of ``section``, in
    the edition of ``language`` (English where it has no such page)."""
    page, _, anchor = section.partition("#")
    title, headings = _headings(page)
    if anchor and anchor not in headings:
        raise UnknownSection(f"book/{page} has no heading with the id {anchor!r}")
    translated = BOOK / language / page
    if language != ENGLISH and translated.is_file():
        other_title, others = _outline(translated)
        href = f"{language}/{page[:-len('.md')]}.html"
        index = list(headings).index(anchor) if anchor else None
        if index is None or len(others) != len(headings):
            return href, other_title or title
        ids = [make_id(heading) for heading in others]
        if ids[index] and ids.count(ids[index]) == 1:
            href = f"{href}#{ids[index]}"
        return href, text("feedback.section", language, page=other_title or title,
                          heading=others[index])
    href = f"{BOOK.name}/{page[:-len('.md')]}.html"  # the HTML mirrors the sources' paths
    if not anchor:
        return href, title
    return f"{href}#{anchor}", text("feedback.section", ENGLISH, page=title,
                                    heading=headings[anchor])
