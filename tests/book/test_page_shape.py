"""The shape every chapter page keeps, read from the sources without running them.

- a page opens by saying what the learner will be able to do, and ends with a summary;
- every section page (a chapter's pages after its index) has an ungraded self-check: a
  sphinx-exercise `exercise` with a `solution` for its label, hidden in a dropdown;
- the glossary's terms are each linked from the chapters at least once, and the chapters
  link only terms the glossary defines (Sphinx fails on an unknown one too; this names it);
- code lines stay short enough to show without horizontal scrolling.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from test_sources import BOOK, REPO, toc_pages

CHAPTERS = ("tensors", "tapes", "variables", "linear_fit", "minibatch")
CHAPTER_PAGES = [path for path in toc_pages() if path.parent.name in CHAPTERS]
SECTION_PAGES = [path for path in CHAPTER_PAGES if path.name != "index.md"]
GLOSSARY = BOOK / "glossary.md"
# Wider code lines scroll sideways in the HTML book's column (checked in Chromium by
# tests/browser); 80 characters fit with room to spare.
MAX_CODE_LINE = 80
# Prose this far into a page (after the header) is still its opening.
OPENING_CHARS = 2500


def _id(path: Path) -> str:
    return path.relative_to(REPO).as_posix()


def _body(path: Path) -> str:
    """The page without its jupytext header."""
    text = path.read_text(encoding="utf-8")
    return re.sub(r"\A---\n.*?\n---\n", "", text, count=1, flags=re.S)


def test_the_chapters_have_pages():
    assert {path.parent.name for path in CHAPTER_PAGES} == set(CHAPTERS)
    assert len(SECTION_PAGES) >= 20


@pytest.mark.parametrize("path", CHAPTER_PAGES, ids=_id)
def test_a_page_opens_with_what_the_learner_will_be_able_to_do(path):
    assert "able to" in _body(path)[:OPENING_CHARS], (
        f"{_id(path)}: say near the top what the learner will be able to do after it")


@pytest.mark.parametrize("path", CHAPTER_PAGES, ids=_id)
def test_a_page_ends_with_a_summary(path):
    headings = re.findall(r"^## (.+?)\s*$", _body(path), flags=re.M)
    assert "Summary" in headings, f"{_id(path)}: no '## Summary' section"
    after = headings[headings.index("Summary") + 1:]
    assert after == [], f"{_id(path)}: the summary comes last, not before {after}"


_EXERCISE = re.compile(r"^(`{3,})\{exercise\}[^\n]*\n:label: (\S+)", re.M)
_SOLUTION = re.compile(r"^(`{3,})\{solution\} (\S+)\n((?::\w+:.*\n)*)", re.M)


@pytest.mark.parametrize("path", SECTION_PAGES, ids=_id)
def test_a_section_page_has_a_self_check_with_a_hidden_solution(path):
    body = _body(path)
    labels = [match.group(2) for match in _EXERCISE.finditer(body)]
    assert labels, f"{_id(path)}: no self-check (a sphinx-exercise `exercise` directive)"
    solutions = {match.group(2): match.group(3) for match in _SOLUTION.finditer(body)}
    for label in labels:
        assert label in solutions, f"{_id(path)}: exercise {label!r} has no solution"
        assert ":class: dropdown" in solutions[label], (
            f"{_id(path)}: the solution of {label!r} is not hidden (:class: dropdown)")


def _glossary_terms() -> set[str]:
    block = re.search(r"```\{glossary\}\n(.*?)\n```", GLOSSARY.read_text(encoding="utf-8"), re.S)
    assert block, "book/glossary.md has no glossary directive"
    return {line.strip().lower() for line in block.group(1).splitlines()
            if line.strip() and not line.startswith(" ")}


def _linked_terms(text: str) -> list[str]:
    targets = []
    for inner in re.findall(r"\{term\}`([^`]+)`", text):
        shown_and_target = re.fullmatch(r"(.*?)\s*<(.+)>", inner, flags=re.S)
        targets.append((shown_and_target.group(2) if shown_and_target else inner).strip().lower())
    return targets


def test_every_glossary_term_is_linked_from_a_chapter_and_every_link_is_defined():
    terms = _glossary_terms()
    assert len(terms) >= 25
    linked = {}
    for path in CHAPTER_PAGES:
        for target in _linked_terms(_body(path)):
            linked.setdefault(target, _id(path))
    undefined = {target: page for target, page in linked.items() if target not in terms}
    assert undefined == {}, f"terms linked but not in the glossary: {undefined}"
    # "vjp" is an alias entry ("See vector–Jacobian product").
    unlinked = sorted(terms - set(linked) - {"vjp"})
    assert unlinked == [], f"glossary terms no chapter links to: {unlinked}"


@pytest.mark.parametrize("path", CHAPTER_PAGES + [p for p in toc_pages() if p.parent.name == "appendix"],
                         ids=_id)
def test_code_lines_fit_the_column(path):
    long_lines = []
    inside = options = False
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if line.startswith("```{code-cell}"):
            inside, options, first = True, False, True
            continue
        if inside and line.startswith("```"):
            inside = False
        elif inside and first and line == "---":
            options = True  # the cell's YAML options (tags, alt text): not shown as code
        elif inside and options:
            options = line != "---"
        elif inside and not line.startswith(":") and len(line) > MAX_CODE_LINE:
            long_lines.append(f"line {number} ({len(line)} characters)")
        first = False
    assert long_lines == [], f"{_id(path)}: code lines over {MAX_CODE_LINE}: {long_lines}"


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_each_chapter_points_to_its_exercise(chapter):
    exercise = f"exercises/{chapter}/{chapter}.ipynb"
    assert (REPO / exercise).is_file()
    assert any(exercise in _body(path) for path in CHAPTER_PAGES if path.parent.name == chapter), (
        f"no page of book/{chapter}/ tells the learner where its exercise is ({exercise})")


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_each_exercise_links_the_sections_each_part_practises(chapter):
    import json

    notebook = json.loads((REPO / "solutions" / chapter / f"{chapter}.ipynb").read_text())
    intro = "".join(notebook["cells"][0]["source"])
    links = re.findall(r"\]\(\.\./\.\./(book/[^)#]+\.md)\)", intro)
    assert links, f"the {chapter} exercise's intro links no section of the book"
    for link in links:
        assert (REPO / link).is_file(), f"the {chapter} exercise links {link}, which is not a page"
        assert link.startswith(f"book/{chapter}/"), f"{link} is not in the chapter {chapter}"
    prose = intro.split("| Part |")[0]  # the table (written by authoring) lists every part
    parts = re.findall(r"^\| (\d+) \|", intro, flags=re.M)
    for number in parts:
        assert re.search(rf"Parts? (?:\d+, )*(?:\d+ and )?{number}\b", prose), (
            f"the {chapter} exercise's intro does not say which section Part {number} practises")


def test_no_page_gives_away_the_fastest_learning_rate():
    """The linear fit exercise's last part asks for the rate 2/(λ_min + λ_max): the book
    explains the factors it comes from, and leaves the formula to the learner."""
    giveaways = ("λ_min+λ_max", r"\lambda_{\min}+\lambda_{\max}", "eigenvalues.sum()",
                 "equalandopposite")
    for path in toc_pages():
        compact = re.sub(r"\s+", "", path.read_text(encoding="utf-8"))
        found = [text for text in giveaways if text in compact]
        assert found == [], f"{_id(path)} prints the graded answer: {found}"
