"""The learner's feedback page, as a learner opens it: in Chromium, next to the built book.

For every named bug (each array part's bugs, judged from a simulated report, and the linear
fit's step variants, judged from the variant's own steps), the feedback page is rendered
with the book's address pointing at the book served locally, then opened: no raw Markdown
shows, every part is titled as its notebook heads it, the fix opens from "Show the fix", and
every link of the page leads to a page of the book that has the section it names.
"""

from __future__ import annotations

import functools
import re
import sys
from pathlib import Path

import pytest

from autograder import assignments, feedback, parts, probe, scenarios, verdict
from autograder.judging import linear_fit_bugs
from autograder.parts.spec import ArrayPart
from autograder.results import Result

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "autograder"))
import reports  # noqa: E402  (tests/autograder/reports.py: simulated probe reports)

pytestmark = pytest.mark.browser
SEED = 11


def _array_bug_results():
    for name in parts.assignments():
        for spec in parts.parts(name).values():
            if not isinstance(spec, ArrayPart):
                continue
            for bug in spec.bugs:
                record = reports.array_record(spec, SEED, bug)
                if not any(run["outputs"] for run in record["runs"]):
                    continue  # a bug that shows only through a rule (an approximation)
                yield f"{spec.key}: {bug.name}", name, verdict.judge_record(name, record, SEED)


def _step_variant_results():
    for variant in linear_fit_bugs.VARIANTS:
        step = functools.partial(_variant_step, variant.name)
        runs = [probe.record_numpy_steps(step, scenario)
                for scenario in scenarios.linear_fit(SEED)]
        record = {"grade_id": "test_train_step_numpy", "check": "train_step_numpy",
                  "seed": SEED, "runs": runs}
        yield (f"linear_fit: {variant.name}", "linear_fit",
               verdict.judge_record("linear_fit", record, SEED))


def _variant_step(name, W, b, inputs, outputs, learning_rate):
    return linear_fit_bugs.step(name, W, b, inputs, outputs, learning_rate)


CASES = [*_array_bug_results(), *_step_variant_results()]
_SECTIONS_FOUND: set[str] = set()  # links already opened and found, in this process


@pytest.mark.parametrize("name, assignment, part", CASES, ids=[c[0] for c in CASES])
def test_the_feedback_of_each_named_bug_reads_right_in_chromium(
        name, assignment, part, chromium, book_url, tmp_path):
    assert part.score < part.max_score and "Bug: " in part.message, part.message
    result = Result("ada", assignment, part.score, part.max_score, "graded", [part])
    page_path = tmp_path / "feedback.html"
    page_path.write_text(feedback.render(result, book_url=book_url), encoding="utf-8")
    page = chromium.new_page()
    try:
        page.goto(page_path.as_uri())
        text = page.inner_text("body")
        raw = re.findall(r"`|\*\*[A-Za-z][^*]*\*\*|(?<![\w*])\*[A-Za-z][^*]*\*(?![\w*])", text)
        assert not raw, f"{name}: raw Markdown shows ({raw}): {text}"
        heading = assignments.get(assignment).part_titles[part.grade_id]
        assert page.inner_text("th[scope=row]") == heading.replace("`", "")  # code, rendered
        assert not page.is_visible("details p")  # the fix waits for the learner to ask
        if page.locator("details").count():
            page.click("summary")
            assert page.is_visible("details p")
        links = page.eval_on_selector_all("a", "links => links.map(a => a.href)")
        assert links, f"{name}: the feedback links no section of the book"
        for link in links:
            assert link.startswith(book_url), link
            if link in _SECTIONS_FOUND:  # many bugs share a section: open each one once
                continue
            page.goto(link)
            anchor = link.partition("#")[2]
            assert page.title() and "404" not in page.title(), f"{link} is not a page"
            assert anchor and page.locator(f"[id='{anchor}']").count() == 1, (
                f"{name}: {link} has no section {anchor!r}")
            _SECTIONS_FOUND.add(link)
    finally:
        page.close()


def _screen_point(page, selector: str, index: int = 0) -> tuple[float, float]:
    box = page.locator(selector).nth(index).bounding_box()
    return box["x"] + box["width"] / 2, box["y"] + box["height"] / 2


@pytest.mark.parametrize("variant", ["sign flipped", "missing factor 2"])
def test_the_picture_shows_the_slip_before_it_is_read(variant, chromium, tmp_path):
    """A sign flip is seen going the other way; a half-length step, stopping halfway."""
    step = functools.partial(_variant_step, variant)
    runs = [probe.record_numpy_steps(step, scenario) for scenario in scenarios.linear_fit(SEED)]
    part = verdict.judge_record("linear_fit", {
        "grade_id": "test_train_step_numpy", "check": "train_step_numpy", "seed": SEED,
        "runs": runs}, SEED)
    result = Result("ada", "linear_fit", part.score, part.max_score, "graded", [part])
    page_path = tmp_path / "feedback.html"
    page_path.write_text(feedback.render(result), encoding="utf-8")
    page = chromium.new_page(viewport={"width": 800, "height": 1000})
    try:
        page.goto(page_path.as_uri())
        svg = page.locator("figure.steps svg")
        box = svg.bounding_box()
        assert box["width"] > 200 and box["height"] > 150
        assert box["x"] + box["width"] <= 800, "the picture overflows the page"
        assert page.get_by_role("img", name=re.compile("Your first steps")).count() == 1
        # The start is the black circle without fill; its first neighbours on each path.
        start = _screen_point(page, "figure.steps circle[fill='none']")
        mine = _screen_point(page, "figure.steps circle[fill='#d95f02']")
        theirs = _screen_point(page, "figure.steps rect[stroke='#1f62a8']")
        to_mine = (mine[0] - start[0], mine[1] - start[1])
        to_theirs = (theirs[0] - start[0], theirs[1] - start[1])
        if variant == "sign flipped":
            assert to_mine[0] * to_theirs[0] + to_mine[1] * to_theirs[1] < 0
        else:
            assert abs(to_mine[0] - to_theirs[0] / 2) < 2 and abs(to_mine[1] - to_theirs[1] / 2) < 2
    finally:
        page.close()
