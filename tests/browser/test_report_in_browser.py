"""The class report as the instructor opens it: a local file in Chromium, nothing else.

A fixture class (hand-made results with the linear fit's named bugs) is rendered; the page
must load nothing, draw every histogram with its bars, and list the class's most common bug
first with its learners and its book section. Uses the session's one Chromium.
"""

from __future__ import annotations

import pytest

from autograder import book_sections, class_report
from autograder.judging import linear_fit_bugs
from autograder.results import PartResult, Result

pytestmark = pytest.mark.browser
BOOK = "https://book.example.org/"
SIGN, SUM = linear_fit_bugs.VARIANTS[0], linear_fit_bugs.VARIANTS[2]


def _result(learner: str, numpy_score: float, bugs, status: str = "graded") -> Result:
    parts = [PartResult("test_train_step_numpy", numpy_score, 3, "one step", "",
                        bugs=[(bug.name, bug.section) for bug in bugs]),
             PartResult("test_convergence", 2, 2, "passed", "")]
    return Result(learner, "linear_fit", numpy_score + 2, 5, status, parts)


# Three learners flipped the sign, one summed instead of averaging, two were clean.
CLASS = [_result("ada", 0, [SUM]), _result("grace", 0, [SIGN]), _result("kim", 1, [SIGN]),
         _result("lin", 0, [SIGN], "cell 6 (train_step_numpy) timed out after 180 s"),
         _result("mo", 3, []), _result("ned", 3, [])]


@pytest.fixture(scope="module")
def report_page(tmp_path_factory, chromium):
    # The session's one Chromium (tests/browser/conftest.py): Playwright's sync API cannot
    # start a second one while it runs.
    path = tmp_path_factory.mktemp("report") / class_report.REPORT_FILE
    path.write_text(class_report.render("linear_fit", CLASS, BOOK), encoding="utf-8")
    requests = []
    page = chromium.new_page(viewport={"width": 1280, "height": 900})
    try:
        page.on("request", lambda request: requests.append(request.url))
        page.goto(path.as_uri(), wait_until="load")
        yield page, [url for url in requests if url != path.as_uri()]
    finally:
        page.close()


def test_the_report_loads_nothing_but_itself(report_page):
    _, requests = report_page
    assert requests == []


def test_every_histogram_is_drawn_with_its_bars(report_page):
    page, _ = report_page
    figures = page.locator("figure svg")
    assert figures.count() == 3  # the whole assignment and the two parts with results
    assert "No results for Part 2" in page.inner_text("#distribution + p")
    for k in range(figures.count()):
        box = figures.nth(k).bounding_box()
        assert box and box["width"] > 200 and box["height"] > 80, box
        bars = figures.nth(k).locator("rect.bar")
        heights = [bars.nth(j).bounding_box()["height"] for j in range(bars.count())]
        assert bars.count() == len(class_report.BINS) and max(heights) > 20, heights
    # The NumPy step's figure: 0 points for ada, grace and lin, the tallest bar.
    numpy_figure = page.locator("figure", has_text="NumPy").locator("rect.bar")
    heights = [numpy_figure.nth(j).bounding_box()["height"] for j in range(6)]
    assert heights[0] == max(heights) and heights[0] > heights[-1] > 0


def test_the_most_common_bug_is_listed_first_with_its_learners_and_section(report_page):
    page, _ = report_page
    first = page.locator("table.bugs tbody tr").first
    cells = first.locator("td")
    assert cells.nth(0).inner_text() == SIGN.name and cells.nth(1).inner_text() == "3"
    assert cells.nth(3).inner_text() == "grace, kim, lin"
    href, words = book_sections.resolve(SIGN.section)
    link = cells.nth(4).locator("a")
    assert link.get_attribute("href") == BOOK + href and link.inner_text() == words
    assert page.locator("table.bugs tbody tr").nth(1).locator("td").first.inner_text() \
        == SUM.name


def test_the_timeout_is_listed_for_a_person(report_page):
    page, _ = report_page
    assert page.locator("table.people").inner_text().count("timed out after 180 s") == 1
