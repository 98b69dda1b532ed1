"""Learner text reaches no terminal with its control sequences: the helper, and each writer
(grades.csv, the gradebook; the feedback page is in test_feedback.py) as a last guard."""

from __future__ import annotations

import csv
import sqlite3

import pytest

from autograder import assignments, feedback, gradebook, grades_csv
from autograder.results import PartResult as Part, Result
from autograder.plain_text import is_plain, learner_key, plain

# A window title (OSC 0), a clipboard write (OSC 52), clear-screen, BEL, CSI as a C1 code.
HOSTILE = "boom\x1b]0;owned\x07 \x1b]52;c;cm0gLXJmIH4=\x07\x1b[2J\x9b31m\x00\r\x7f\ud800"


def test_control_characters_are_shown_as_escapes():
    assert plain(HOSTILE) == ("boom\\x1b]0;owned\\x07 \\x1b]52;c;cm0gLXJmIH4=\\x07\\x1b[2J"
                              "\\x9b31m\\x00\\x0d\\x7f\\ud800")
    assert is_plain(plain(HOSTILE)) and not is_plain(HOSTILE)
    plain(HOSTILE).encode("utf-8")  # a lone surrogate no longer stops a UTF-8 writer


@pytest.mark.parametrize("text", [
    "line one\n\tindented", "résumé naïve Ærø", "损失函数没有下降", "Ωμέγα ≈ ∂L/∂W", "", "\\x1b"])
def test_newlines_tabs_and_unicode_text_survive(text):
    assert plain(text) == text and is_plain(text)


def _result(learner_id: str = "ada" + HOSTILE) -> Result:
    return Result(learner_id, "linear_fit", 4.0, 10.0, "graded; " + HOSTILE,
                  [Part("test_train_step_numpy", 4.0, 4.0, "error", "raised " + HOSTILE),
                   Part("test_train_step_tf", 0.0, 4.0, "missing", "")],
                  ["cell 7 (train_step_numpy): RuntimeError: " + HOSTILE])


def test_a_csv_row_holds_no_control_characters(tmp_path):
    path = tmp_path / "grades.csv"
    grades_csv.write_grades_csv(path, [_result()], ["test_train_step_numpy", "test_train_step_tf"])
    text = path.read_text(encoding="utf-8")
    assert is_plain(text.replace("\r\n", "\n"))  # the csv module ends its rows with \r\n
    with open(path, newline="", encoding="utf-8") as file:
        row = list(csv.DictReader(file))[0]
    assert row["learner_id"] == plain("ada" + HOSTILE)
    assert row["status"] == plain("graded; " + HOSTILE)


def test_the_gradebook_record_holds_no_control_characters(tmp_path):
    db = tmp_path / "gradebook.db"
    gradebook.record(f"sqlite:///{db}", assignments.get("linear_fit"), [_result()],
                     course_name="course")
    with sqlite3.connect(db) as connection:
        dump = "\n".join(connection.iterdump())
    assert plain("ada" + HOSTILE) in dump  # the learner is there, shown plainly
    assert is_plain(dump)


def test_learner_keys_are_one_to_one_plain_and_short_enough():
    real_escape, typed_escape = "dup\x1b", "dup\\x1b"  # ESC, and the four characters \x1b
    assert learner_key(real_escape) != learner_key(typed_escape)
    assert learner_key("ada") == "ada" and learner_key("Zoë 张") == "Zoë 张"
    assert learner_key("two\nlines\tand tab") == "two\\x0alines\\x09and tab"
    # Invisible reordering and line separators: shown, never acted on.
    assert learner_key("mallory\u202eecila") == "mallory\\u202eecila"
    assert learner_key("a\u2028b").splitlines() == [learner_key("a\u2028b")]
    long_ids = ["\x01" * 200 + "a", "\x01" * 200 + "b", "张" * 200]
    keys = [learner_key(learner) for learner in long_ids]
    assert len(set(keys)) == 3
    for key in keys:
        assert is_plain(key) and "\n" not in key
        assert len(key) <= 128 and len(key.encode("utf-8")) <= 200


def test_a_long_control_character_id_gets_a_feedback_page(tmp_path):
    result = _result("ctl" + "\x01" * 200)  # a valid 203-byte folder name
    path = feedback.write_feedback(tmp_path, result)
    assert path.parent.parent.name == learner_key(result.learner_id) and path.is_file()


def test_ids_that_escape_alike_stay_two_students_in_the_gradebook(tmp_path):
    db = tmp_path / "gradebook.db"
    gradebook.record(f"sqlite:///{db}", assignments.get("linear_fit"),
                     [_result("dup\x1b"), _result("dup\\x1b")], course_name="course")
    with sqlite3.connect(db) as connection:
        students = [row[0] for row in connection.execute("select id from student")]
    assert sorted(students) == sorted([learner_key("dup\x1b"), learner_key("dup\\x1b")])


def test_a_short_id_cannot_take_a_shortened_ids_key():
    long_id = "x" * 157
    assert learner_key(learner_key(long_id)) != learner_key(long_id)
    assert "~" not in learner_key("a~b")
