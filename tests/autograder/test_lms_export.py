"""`python -m autograder export`: the gradebook's grades as Canvas's and Moodle's import files.

A real nbgrader gradebook is written once per module (autograder.gradebook.record, from
hand-made results: no notebook runs), then exported through the command line.
"""

from __future__ import annotations

import csv
import warnings

import pytest

from autograder import assignments, cli, gradebook, lms_export
from autograder.results import PartResult, Result
from autograder.roster import RosterError, read_roster

ASSIGNMENT = "tensors"
ROSTER = """learner_id,name,lms_id,sis_id,login,email,section
ada,"Lovelace, Ada",1001,S-1,ada.l,ada@example.org,A
grace,Grace Hopper,1002,S-2,grace.h,grace@example.org,B
kim,Kim Lee,1003,S-3,kim.l,kim@example.org,A
"""


def _result(learner: str, fraction: float) -> Result:
    cells = assignments.get(ASSIGNMENT).grade_cells
    parts = [PartResult(grade_id, points * fraction, points, "passed", "")
             for grade_id, points in cells.items()]
    return Result(learner, ASSIGNMENT, sum(p.score for p in parts),
                  sum(cells.values()), "graded", parts)


@pytest.fixture(scope="module")
def db_url(tmp_path_factory):
    """ada (2/3 of the points), grace (full marks) and mallory (graded, not in the roster)."""
    url = f"sqlite:///{tmp_path_factory.mktemp('gradebook') / 'gradebook.db'}"
    gradebook.record(url, assignments.get(ASSIGNMENT),
                     [_result("ada", 2 / 3), _result("grace", 1.0), _result("mallory", 0.5)])
    return url


@pytest.fixture
def roster(tmp_path):
    path = tmp_path / "roster.csv"
    path.write_text(ROSTER, encoding="utf-8")
    return path


def _rows(path) -> list[list[str]]:
    with open(path, newline="", encoding="utf-8") as file:
        return list(csv.reader(file))


def _export(capsys, *argv) -> tuple[int, str]:
    code = cli.main(["export", ASSIGNMENT, *argv])
    return code, capsys.readouterr().err


def _points(fraction: float) -> str:
    return f"{round(assignments.get(ASSIGNMENT).max_score * fraction, 2):.2f}"


def test_canvas_file_has_canvas_columns_points_possible_and_a_row_per_roster_learner(
        db_url, roster, tmp_path, capsys):
    out = tmp_path / "canvas.csv"
    code, err = _export(capsys, "--format", "canvas", "--roster", str(roster),
                        "--db", db_url, "--out", str(out))
    assert code == 0, err
    rows = _rows(out)
    assert rows[0] == ["Student", "ID", "SIS User ID", "SIS Login ID", "Section", ASSIGNMENT]
    assert rows[1] == ["Points Possible", "", "", "", "", _points(1.0)]
    assert rows[2:] == [["Lovelace, Ada", "1001", "S-1", "ada.l", "A", _points(2 / 3)],
                        ["Grace Hopper", "1002", "S-2", "grace.h", "B", _points(1.0)],
                        ["Kim Lee", "1003", "S-3", "kim.l", "A", ""]]  # kim: no submission
    # Missing on either side: listed beside the file and on stderr, not inside the file.
    assert _rows(tmp_path / "canvas.unmatched.csv") == [
        ["learner_id", "problem"],
        ["mallory", f"graded ({_points(0.5)}) but not in the roster: not in the LMS file"],
        ["kim", f"no submission of {ASSIGNMENT} in the gradebook: empty grade in the LMS file"]]
    assert "mallory: graded" in err and "kim: no submission" in err


def test_moodle_file_has_an_identifier_column_per_moodle_mapping_and_the_grade_item(
        db_url, roster, tmp_path, capsys):
    out = tmp_path / "moodle.csv"
    code, err = _export(capsys, "--format", "moodle", "--roster", str(roster),
                        "--db", db_url, "--out", str(out))
    assert code == 0, err
    rows = _rows(out)
    assert rows[0] == ["Full name", "ID number", "Username", "Email address", ASSIGNMENT]
    assert [row[3] for row in rows[1:]] == ["ada@example.org", "grace@example.org",
                                            "kim@example.org"]
    assert [row[4] for row in rows[1:]] == [_points(2 / 3), _points(1.0), ""]


def test_without_a_roster_the_gradebook_students_are_the_class(db_url, tmp_path, capsys):
    out = tmp_path / "grades.csv"
    code, err = _export(capsys, "--format", "csv", "--db", db_url, "--out", str(out))
    assert code == 0, err
    rows = _rows(out)
    assert rows[0][-4:] == ["raw_score", "late_penalty", "score", "max_score"]
    by_id = {row[0]: row for row in rows[1:]}
    assert set(by_id) == {"ada", "grace", "mallory"}
    assert by_id["mallory"][4] == "mallory"  # the learner id is the LMS login
    assert by_id["ada"][-4:] == [_points(2 / 3), "0.00", _points(2 / 3), _points(1.0)]
    assert _rows(tmp_path / "grades.unmatched.csv") == [["learner_id", "problem"]]


def test_the_final_score_is_exported_after_late_penalty_and_manual_adjustment(tmp_path):
    from nbgrader.api import Gradebook
    from sqlalchemy.exc import SAWarning

    url = f"sqlite:///{tmp_path / 'gradebook.db'}"
    gradebook.record(url, assignments.get(ASSIGNMENT),
                     [_result("ada", 1.0), _result("grace", 1.0)])
    grade_id = next(iter(assignments.get(ASSIGNMENT).grade_cells))
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", category=SAWarning)
        with Gradebook(url, course_id=gradebook.course_id()) as book:
            late = book.find_submission_notebook(ASSIGNMENT, ASSIGNMENT, "ada")
            late.late_submission_penalty = 1.25
            grade = book.find_grade(grade_id, ASSIGNMENT, ASSIGNMENT, "grace")
            grade.manual_score = 0.0  # the formgrader's adjustment replaces the auto score
            book.db.commit()
    exported = lms_export.read_gradebook(url, ASSIGNMENT)
    full = assignments.get(ASSIGNMENT).max_score
    assert exported.grades["ada"].score == pytest.approx(full - 1.25)
    assert exported.grades["grace"].score == pytest.approx(
        full - assignments.get(ASSIGNMENT).grade_cells[grade_id])
    out = tmp_path / "canvas.csv"
    lms_export.export(ASSIGNMENT, "canvas", out, url)
    assert _rows(out)[2][-1] == f"{round(full - 1.25, 2):.2f}"


@pytest.mark.parametrize("text, message", [
    ("", "roster.csv line 1: expected a header row"),
    ("name,email\nAda,a@x\n", "roster.csv line 1: expected the columns learner_id"),
    ("learner_id,e-mail\nada,a@x\n", "found unknown column 'e-mail'"),
    ("learner_id,email\nada,a@x\ngrace,g@x\nada,b@x\n",
     "roster.csv line 4: duplicate learner_id 'ada' (already on line 2)"),
    ("learner_id,email\nada,a@x\ngrace,a@x\n",
     "roster.csv line 3: duplicate email 'a@x' (already on line 2)"),
    ("learner_id,email\nada\n", "roster.csv line 2: expected 2 fields"),
    ("learner_id,email\n,a@x\n", "roster.csv line 2: expected a learner_id"),
])
def test_a_bad_roster_is_one_line_naming_file_and_line(tmp_path, text, message):
    path = tmp_path / "roster.csv"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(RosterError) as error:
        read_roster(path)
    assert message in str(error.value) and "\n" not in str(error.value)


def test_a_roster_learner_the_lms_cannot_match_is_misuse_and_nothing_is_written(
        db_url, tmp_path, capsys):
    path = tmp_path / "roster.csv"
    path.write_text("learner_id,name,email\nada,Ada,ada@example.org\ngrace,Grace,\n")
    out = tmp_path / "moodle.csv"
    code, err = _export(capsys, "--format", "moodle", "--roster", str(path),
                        "--db", db_url, "--out", str(out))
    assert code == 2 and err.count("\n") == 1
    assert "roster.csv line 3: expected sis_id, login or email for 'grace'" in err
    assert not out.exists()
    code, err = _export(capsys, "--format", "canvas", "--roster", str(path),
                        "--db", db_url, "--out", str(out))  # canvas cannot match by email
    assert code == 2 and "line 2: expected lms_id, sis_id or login for 'ada'" in err


@pytest.mark.parametrize("args, message", [
    (["--format", "canvas", "--db", "sqlite:///{tmp}/none.db"], "no gradebook at"),
    (["--format", "blackboard", "--db", "{db}"], "invalid choice: 'blackboard'"),
    (["--format", "csv", "--db", "{db}", "--roster", "{tmp}/missing.csv"],
     "cannot read the roster"),
])
def test_export_misuse_is_one_line(db_url, tmp_path, capsys, args, message):
    out = tmp_path / "out.csv"
    code, err = _export(capsys, *(a.format(tmp=tmp_path, db=db_url) for a in args),
                        "--out", str(out))
    assert code == 2 and message in err and err.count("\n") == 1
    assert not out.exists()


def test_an_assignment_the_gradebook_lacks_is_named_with_those_it_has(db_url, tmp_path, capsys):
    code = cli.main(["export", "linear_fit", "--format", "csv", "--db", db_url,
                     "--out", str(tmp_path / "out.csv")])
    err = capsys.readouterr().err
    assert code == 2 and "no assignment 'linear_fit' (it has: tensors)" in err
