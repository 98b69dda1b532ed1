"""The learner's feedback page."""

from __future__ import annotations

import os

from autograder import feedback
from autograder.results import PartResult as Part, Result


def _result(errors: list[str]) -> Result:
    return Result("ada", "linear_fit", 4.0, 10.0, "graded",
                  [Part("test_train_step_numpy", 4.0, 4.0, "passed", "right <b>")], errors)


def test_errors_raised_by_the_learners_code_are_listed_escaped():
    page = feedback.render(_result(["cell 7 (test_x), a test, stopped: NameError: name "
                                    "'<script>' is not defined"]))
    assert "Errors while your notebook ran" in page
    assert "&#x27;&lt;script&gt;&#x27; is not defined" in page and "<script>" not in page
    assert "right &lt;b&gt;" in page


def test_without_errors_there_is_no_error_section():
    assert "Errors while" not in feedback.render(_result([]))


def test_the_page_is_written_where_the_readme_says(tmp_path):
    path = feedback.write_feedback(tmp_path, _result([]))
    assert path == tmp_path / "feedback" / "ada" / "linear_fit" / "linear_fit.html"
    assert path.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")


def test_terminal_control_sequences_never_reach_the_page(tmp_path):
    from autograder.plain_text import is_plain

    osc = "\x1b]52;c;cm0gLXJmIH4=\x07\x1b]0;pwned\x07\x9b2J"  # clipboard, title, C1 CSI
    result = Result("ada" + osc, "linear_fit", 0.0, 10.0, "graded; " + osc,
                    [Part("test_train_step_numpy", 0.0, 4.0, "error", "raised " + osc)],
                    ["cell 3 (train_step_numpy): RuntimeError: " + osc])
    path = feedback.write_feedback(tmp_path, result)
    page = path.read_text(encoding="utf-8")
    assert is_plain(page)
    assert "RuntimeError: \\x1b]52;c;cm0gLXJmIH4=\\x07\\x1b]0;pwned\\x07\\x9b2J" in page
    assert is_plain(str(path.relative_to(tmp_path)))


OLD_NS = 946_684_800 * 10**9  # 2000-01-01: no write made by a test leaves this time


def test_a_page_is_written_again_only_when_it_changes(tmp_path):
    path = feedback.write_feedback(tmp_path, _result([]))
    os.utime(path, ns=(OLD_NS, OLD_NS))
    assert feedback.write_feedback(tmp_path, _result([])) == path
    assert path.stat().st_mtime_ns == OLD_NS  # the same page: left as it was
    feedback.write_feedback(tmp_path, _result(["cell 3 (x): NameError: name 'W' is not "
                                               "defined"]))
    assert path.stat().st_mtime_ns != OLD_NS
    assert "NameError" in path.read_text(encoding="utf-8")
    path.unlink()  # a page deleted since is written again
    feedback.write_feedback(tmp_path, _result([]))
    assert "Errors while" not in path.read_text(encoding="utf-8")
    assert [file.name for file in path.parent.iterdir()] == [path.name]  # no scratch left


# --- in the learner's terms (issue 18) ----------------------------------------------------

import re
from pathlib import Path

import pytest

from autograder import assignments, book_sections, parts
from autograder.judging import linear_fit_bugs
from autograder.judging.arrays import CaseRun, CaseVerdict, explain_all, summarize
from autograder.cases import ArrayCase
from autograder.parts.spec import ArrayPart

REPO = Path(__file__).resolve().parents[2]
BOOK_URL = "https://books.example.edu/ttt/"


def _page(parts_, assignment="variables", errors=()):
    return feedback.render(Result("ada", assignment, 0.0, 7.0, "graded", list(parts_),
                                  list(errors)), book_url=BOOK_URL)


def test_parts_are_named_as_the_notebook_heads_them():
    titles = assignments.get("tapes").part_titles
    assert titles["test_hessian"] == "Part 4: a Hessian from two tapes"
    page = _page([Part("test_derivative", 0.0, 3.0, "error", "x")], assignment="tapes")
    assert "Part 2: a derivative with <code>tf.GradientTape</code>" in page
    assert "test_derivative" not in page


def test_markdown_in_messages_is_rendered_and_learner_text_stays_escaped():
    page = _page([Part("test_momentum_step", 0.0, 3.0, "one step",
                       "use `W.assign_sub(<x>)` and *never* `W = ...`")])
    assert "use <code>W.assign_sub(&lt;x&gt;)</code> and <em>never</em> <code>W = ...</code>" \
        in page
    assert "`" not in re.sub(r"<style>.*?</style>", "", page, flags=re.S)


def test_the_fix_comes_after_the_hint_behind_a_disclosure_and_the_book_is_linked():
    bug = parts.part("variables", "momentum_step").bugs[1]  # sign flipped
    message = f"momentum_step, case \u201crun 1\u201d: {bug.explanation()}"
    page = _page([Part("test_momentum_step", 0.0, 3.0, "one step", message)])
    hint, fix = page.index(bug.advice.split(":")[0]), page.index("Show the fix")
    assert hint < fix
    assert "<details><summary>Show the fix</summary><p><code>W.assign_sub(learning_rate * " \
           "velocity)</code></p></details>" in page
    assert (f'<a href="{BOOK_URL}book/variables/index.html#updating-a-variable">'
            "Variables: Updating a variable</a>") in page
    assert bug.fix not in bug.advice


def test_a_stage_legend_only_for_parts_that_have_stages():
    tapes = _page([Part("test_derivative", 0.0, 3.0, "one step", "x")], assignment="tapes")
    assert "Stage reached" not in tapes and "The stages of a part" not in tapes
    momentum = _page([Part("test_momentum_step", 1.5, 3.0, "trajectory", "x")])
    assert "Stage reached: <em>trajectory</em>" in momentum
    assert "<em>one step</em>:" in momentum and "<em>trajectory</em>:" in momentum
    assert "convergence" not in momentum  # momentum has no convergence stage
    fit = _page([Part("test_train_step_numpy", 0.0, 4.0, "convergence", "x")], "linear_fit")
    assert "<em>convergence</em>:" in fit


def _verdict(name, cause, credit=0.0):
    run = CaseRun(ArrayCase(name, {}, {}), [], None)
    if cause is None:
        return CaseVerdict(run, 1.0, function="f")
    return CaseVerdict(run, credit, f"f, case \u201c{name}\u201d: {cause}", cause, "f")


def test_every_failing_case_is_explained_once_per_cause():
    verdicts = [_verdict("a", "Bug: one."), _verdict("b", None), _verdict("c", "Bug: two."),
                _verdict("d", "Bug: one.")]
    assert explain_all(verdicts) == ("f, cases \u201ca\u201d and \u201cd\u201d: Bug: one.\n"
                                     "f, case \u201cc\u201d: Bug: two.")
    fraction, stage, message = summarize(verdicts, "fine")
    assert fraction == 0.25 and stage == "one step"
    assert message.startswith("f, cases \u201ca\u201d and \u201cd\u201d: Bug: one. (1 of 4 "
                              "cases right.)\n")


def _every_bug():
    for name in parts.assignments():
        for spec in parts.parts(name).values():
            if isinstance(spec, ArrayPart):
                yield from ((f"{spec.key}: {bug.name}", bug) for bug in spec.bugs)
    for variant in (*linear_fit_bugs.VARIANTS, linear_fit_bugs.REBOUND,
                    linear_fit_bugs.NOT_THE_TAPE, linear_fit_bugs.FINITE_DIFFERENCES):
        yield f"linear_fit: {variant.name}", variant


@pytest.mark.parametrize("name, bug", list(_every_bug()), ids=lambda x: x if isinstance(x, str) else "")
def test_every_named_bug_links_a_section_of_the_book_that_exists(name, bug):
    assert bug.section, f"{name} names no section of the book"
    href, words = book_sections.resolve(bug.section)  # the page and its heading, in source
    html = Path(os.environ.get("TTT_BOOK_HTML", REPO / "_build" / "html"))  # as tests/browser
    built = html / href.split("#")[0]
    assert built.is_file(), f"{name}: {built} was not built (run make book first)"
    anchor = href.partition("#")[2]
    assert f'id="{anchor}"' in built.read_text(encoding="utf-8"), (
        f"{name}: the built page has no section {anchor!r}")
    assert not bug.fix or bug.fix not in bug.advice, f"{name}: the hint gives the fix away"


def test_scores_carry_two_decimals_everywhere(tmp_path):
    from autograder.grades_csv import write_grades_csv
    from autograder.results import rounded

    assert rounded(2 / 3 * 3 + 5.6667) == 7.67
    result = Result("ada", "tapes", rounded(2.83 + 2.84), 12.0, "graded",
                    [Part("test_derivative", 2.83, 3.0, "one step", "x"),
                     Part("test_hessian", 2.84, 3.0, "one step", "y")])
    write_grades_csv(tmp_path / "g.csv", [result], ["test_derivative", "test_hessian"])
    row = (tmp_path / "g.csv").read_text().splitlines()[1]
    assert row.split(",")[2] == "5.67" and "5.6700000" not in row
    assert "5.67 of 12 points" in feedback.render(result, book_url=BOOK_URL)


def test_nbgrader_export_shows_two_decimals_not_float_noise(tmp_path):
    """Parts of 0.1 and 0.2 points: nbgrader adds them to 0.30000000000000004."""
    import csv as csv_module

    from nbgrader.api import Gradebook

    from autograder import gradebook
    from autograder.nbgrader_export import RoundedCsvExportPlugin

    db = f"sqlite:///{tmp_path / 'gradebook.db'}"
    fit = assignments.get("linear_fit")
    scores = {"test_train_step_numpy": 0.1, "test_train_step_tf": 0.2}
    result = Result("ada", "linear_fit", 0.3, fit.max_score, "graded", [
        Part(grade_id, scores.get(grade_id, 0.0), points, "one step", "x")
        for grade_id, points in fit.grade_cells.items()])
    gradebook.record(db, fit, [result], course_name="course")
    with Gradebook(db, course_id=gradebook.course_id()) as book:
        assert book.find_submission("linear_fit", "ada").score == 0.1 + 0.2 != 0.3
        RoundedCsvExportPlugin(to=str(tmp_path / "export.csv")).export(book)
    with open(tmp_path / "export.csv", newline="") as file:
        row = next(csv_module.DictReader(file))
    assert (row["raw_score"], row["score"], row["student_id"]) == ("0.3", "0.3", "ada")
    assert float(row["max_score"]) == fit.max_score
    from autograder import course
    assert course.config().ExportApp.plugin_class.endswith("RoundedCsvExportPlugin")
