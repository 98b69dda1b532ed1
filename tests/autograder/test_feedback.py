"""The learner's feedback page."""

from __future__ import annotations

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
    assert path == tmp_path / "feedback" / "ada" / "linear_fit.html"
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
