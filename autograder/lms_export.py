"""One assignment's grades from the nbgrader gradebook, as a file an LMS imports.

Formats (the README's *Instructor's term* names the documents they follow):

- ``canvas``: Canvas's gradebook import. Columns ``Student, ID, SIS User ID, SIS Login ID,
  Section``, then one column named after the assignment; the second row is Canvas's
  ``Points Possible`` row (the assignment's maximum). Canvas matches a row by ID, SIS User
  ID or SIS Login ID: each learner needs one of ``lms_id``, ``sis_id``, ``login``.
- ``moodle``: Moodle's CSV grade import. Columns ``Full name, ID number, Username, Email
  address``, then the grade item named after the assignment; on import, map "ID number"
  to useridnumber, "Username" to username or "Email address" to useremail. Each learner
  needs one of ``sis_id``, ``login``, ``email``.
- ``csv``: everything, for a spreadsheet: the roster's columns, then the raw score, the
  late penalty, the final score and the maximum.

The score exported is the final one, as nbgrader's own export computes it: the cells'
scores (a manual score from the formgrader replaces the automatic one) less the late
penalty, never below 0; two decimals. Learners are matched through a roster
(:mod:`autograder.roster`); without one, the gradebook's students are the class and a
learner id is taken as the LMS login. A roster learner the gradebook has no submission from
gets a row with an empty grade (an LMS leaves an empty cell's grade as it was); a learner
graded but not in the roster cannot be placed in the LMS file. Both are listed on stderr
and in FILE's sibling ``<stem>.unmatched.csv``, never inside the LMS file, which must
import as it is.
"""

from __future__ import annotations

import csv
import sys
import warnings
from dataclasses import dataclass
from pathlib import Path

from autograder import course, gradebook, gradebook_home
from autograder.plain_text import plain
from autograder.results import rounded
from autograder.roster import Learner, RosterError, read_roster

FORMATS = ("canvas", "moodle", "csv")
CANVAS_COLUMNS = ("Student", "ID", "SIS User ID", "SIS Login ID", "Section")
CANVAS_POINTS_ROW = "Points Possible"
MOODLE_COLUMNS = ("Full name", "ID number", "Username", "Email address")
CSV_SCORES = ("raw_score", "late_penalty", "score", "max_score")
# The roster columns each LMS can match a learner by (at least one must be filled in).
IDENTIFIERS = {"canvas": ("lms_id", "sis_id", "login"), "moodle": ("sis_id", "login", "email"),
               "csv": ()}


class ExportError(Exception):
    """The export cannot be made; str() is the one-line message."""


@dataclass(frozen=True)
class Grade:
    """One learner's submission of the assignment, as the gradebook holds it."""

    learner_id: str
    raw_score: float
    late_penalty: float

    @property
    def score(self) -> float:  # nbgrader's export: the penalty never makes a score negative
        return max(0.0, self.raw_score - self.late_penalty)


@dataclass(frozen=True)
class Gradebook:
    """What an export needs from the gradebook: the assignment's grades and its class."""

    assignment: str
    max_score: float
    grades: dict[str, Grade]  # by learner id
    students: list[Learner]  # every student of the course, as a roster would name them


def read_gradebook(db_url: str, assignment: str, course_name: str | None = None) -> Gradebook:
    """The assignment's grades; ExportError if the gradebook or the assignment is missing."""
    path = gradebook_home.sqlite_file(db_url)
    if path is not None and not path.is_file():  # opening it would create an empty one
        raise ExportError(f"no gradebook at {path}: grade the assignment first, or name "
                          "the gradebook with --db")
    from nbgrader.api import Gradebook as NbgraderGradebook, MissingEntry
    from sqlalchemy.exc import SAWarning

    try:
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", category=SAWarning)
            with NbgraderGradebook(db_url, course_id=course_name or course.course_id()) as book:
                try:
                    found = book.find_assignment(assignment)
                except MissingEntry:
                    known = ", ".join(a.name for a in book.assignments) or "none"
                    raise ExportError(f"the gradebook {db_url} has no assignment "
                                      f"{assignment!r} (it has: {known})") from None
                grades = {s.student.id: Grade(s.student.id, float(s.score),
                                              float(s.late_submission_penalty or 0.0))
                          for s in found.submissions}
                students = [_as_learner(student) for student in book.students]
                return Gradebook(assignment, float(found.max_score), grades, students)
    except ExportError:
        raise
    except Exception as error:  # SQLAlchemy and driver errors alike: one line
        first_line = (str(error).strip().splitlines() or [type(error).__name__])[0]
        raise ExportError(f"cannot read the gradebook {db_url}: {first_line}") from None


def _as_learner(student) -> Learner:
    name = " ".join(part for part in (student.first_name, student.last_name) if part)
    return Learner(student.id, name=name, lms_id=student.lms_user_id or "",
                   login=student.id, email=student.email or "")


@dataclass(frozen=True)
class Match:
    rows: list[tuple[Learner, Grade | None]]  # one per learner of the class, in its order
    not_in_roster: list[Grade]  # graded, but no row of the roster names them
    not_graded: list[Learner]  # in the class, but the gradebook has no submission


def match(book: Gradebook, roster: list[Learner] | None) -> Match:
    """The class (the roster, else the gradebook's students) with each learner's grade."""
    learners = roster if roster is not None else book.students
    rows = [(learner, book.grades.get(learner.learner_id)) for learner in learners]
    named = {learner.learner_id for learner in learners}
    return Match(rows, [grade for learner_id, grade in sorted(book.grades.items())
                        if learner_id not in named],
                 [learner for learner, grade in rows if grade is None])


def check_identifiers(rows: list[tuple[Learner, Grade | None]], lms: str, roster: Path) -> None:
    """Every learner needs an id the LMS matches by: else a one-line error naming the row."""
    needed = IDENTIFIERS[lms]
    for learner, _ in rows:
        if needed and not any(getattr(learner, column) for column in needed):
            raise RosterError(f"{roster} line {learner.line}: expected {', '.join(needed[:-1])} "
                              f"or {needed[-1]} for {learner.learner_id!r} ({lms} matches "
                              "learners by these), found none")


def _points(value: float) -> str:
    return f"{rounded(value):.2f}"


def _grade(grade: Grade | None) -> str:
    return "" if grade is None else _points(grade.score)


def lms_rows(lms: str, book: Gradebook, rows) -> list[list[str]]:
    """The LMS file's rows, its header first."""
    if lms == "canvas":
        return [[*CANVAS_COLUMNS, book.assignment],
                [CANVAS_POINTS_ROW, *[""] * (len(CANVAS_COLUMNS) - 1), _points(book.max_score)],
                *([learner.name or learner.learner_id, learner.lms_id, learner.sis_id,
                   learner.login, learner.section, _grade(grade)] for learner, grade in rows)]
    if lms == "moodle":
        return [[*MOODLE_COLUMNS, book.assignment],
                *([learner.name or learner.learner_id, learner.sis_id, learner.login,
                   learner.email, _grade(grade)] for learner, grade in rows)]
    return [["learner_id", "name", "lms_id", "sis_id", "login", "email", "section",
             "assignment", *CSV_SCORES],
            *([learner.learner_id, learner.name, learner.lms_id, learner.sis_id, learner.login,
               learner.email, learner.section, book.assignment,
               *(("", "", "") if grade is None else
                 (_points(grade.raw_score), _points(grade.late_penalty), _points(grade.score))),
               _points(book.max_score)] for learner, grade in rows)]


def unmatched_path(out: Path) -> Path:
    return out.with_name(f"{out.stem}.unmatched.csv")


def unmatched_rows(found: Match, assignment: str) -> list[list[str]]:
    """Who the LMS file leaves without a grade, and why: its header first."""
    return [["learner_id", "problem"],
            *([grade.learner_id, f"graded ({_points(grade.score)}) but not in the roster: "
               "not in the LMS file"] for grade in found.not_in_roster),
            *([learner.learner_id, f"no submission of {assignment} in the gradebook: "
               "empty grade in the LMS file"] for learner in found.not_graded)]


def _write_csv(path: Path, rows: list[list[str]]) -> None:
    with open(path, "w", newline="", encoding="utf-8") as file:
        csv.writer(file).writerows([[plain(cell) for cell in row] for row in rows])


def export(assignment: str, lms: str, out: Path, db_url: str | None = None,
           roster_path: Path | None = None) -> Match:
    """Write the LMS file and its ``.unmatched.csv``; ExportError/RosterError before
    anything is written if the roster, the gradebook or --out cannot be used."""
    if lms not in FORMATS:
        raise ExportError(f"unknown format {lms!r}: expected one of {', '.join(FORMATS)}")
    if out.is_dir():
        raise ExportError(f"--out is a folder, not a file: {out}")
    if not out.parent.is_dir():
        raise ExportError(f"--out's folder does not exist: {out.parent}")
    roster = read_roster(roster_path) if roster_path is not None else None
    book = read_gradebook(db_url or gradebook.default_db_url(), assignment)
    found = match(book, roster)
    if roster_path is not None:
        check_identifiers(found.rows, lms, roster_path)
    _write_csv(out, lms_rows(lms, book, found.rows))
    problems = unmatched_rows(found, assignment)
    _write_csv(unmatched_path(out), problems)
    for learner_id, problem in problems[1:]:
        print(plain(f"autograder: warning: {learner_id}: {problem}"), file=sys.stderr)
    return found
