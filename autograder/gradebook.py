"""Record a batch's grades in an nbgrader gradebook, so `nbgrader export` and formgrader see them.

The assignment's structure (one notebook named like the assignment, its graded test cells
with their points, its answer cells) comes from the source notebook. Each learner becomes a
student with a submission whose ``auto_score`` per graded cell is the verdict's score.
Called from the grading process only, after the batch: one writer, so parallel grading
cannot leave the database half-written. Learner ids are stored with their terminal control
characters escaped (:mod:`autograder.plain_text`), as in grades.csv and the feedback.
"""

from __future__ import annotations

import os
import sys
import warnings
from pathlib import Path

from typing import TYPE_CHECKING

from autograder import course
from autograder.assignments import Assignment
from autograder.results import Result
from autograder.plain_text import learner_key

if TYPE_CHECKING:
    from nbgrader.api import Gradebook

# nbgrader is imported inside the functions: importing it takes seconds (its package loads
# its Jupyter server extensions), which the grading command spends while the first
# notebooks already run.


def default_db_url() -> str:
    """The course's gradebook (autograder/nbgrader_config.py names it)."""
    return course.db_url()


def course_id() -> str:
    return course.course_id()


def _ensure_sqlite_folder(db_url: str) -> None:
    prefix = "sqlite:///"
    if db_url.startswith(prefix) and db_url != f"{prefix}:memory:":
        Path(db_url[len(prefix):]).parent.mkdir(parents=True, exist_ok=True)


def alembic_head() -> str:
    """The schema version nbgrader stamps on a new gradebook, read in this process.

    nbgrader finds it by running the `alembic heads` command, a new Python process that
    takes seconds; its migration scripts give the same answer in milliseconds (a test
    compares the two).
    """
    import nbgrader
    from alembic.script import ScriptDirectory

    return ScriptDirectory(str(Path(nbgrader.__file__).parent / "alembic")).get_current_head()


def _use_in_process_alembic_head() -> None:
    import nbgrader.api

    nbgrader.api.get_alembic_version = alembic_head


def _put_venv_on_path() -> None:
    """nbgrader runs the `alembic` command when it creates a gradebook; it lives in the venv,
    which is not on PATH when the grader is started as .venv/bin/python without activation."""
    venv_bin = str(Path(sys.executable).parent)
    if venv_bin not in os.environ.get("PATH", "").split(os.pathsep):
        os.environ["PATH"] = os.pathsep.join([venv_bin, os.environ.get("PATH", "")])


class GradebookUnavailable(Exception):
    """The gradebook cannot be opened: a bad URL, a missing driver, a server not answering."""


def check_available(db_url: str, course_name: str | None = None) -> None:
    """Open the gradebook once, before any grading, so that a bad ``--db`` costs nothing."""
    _put_venv_on_path()
    try:
        _ensure_sqlite_folder(db_url)
        from nbgrader.api import Gradebook
        from sqlalchemy.exc import SAWarning

        _use_in_process_alembic_head()
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", category=SAWarning)
            with Gradebook(db_url, course_id=course_name or course_id()):
                pass
    except Exception as error:  # SQLAlchemy, driver and alembic errors alike
        first_line = (str(error).strip().splitlines() or [type(error).__name__])[0]
        raise GradebookUnavailable(f"{_without_password(db_url)}: {first_line}") from None


def _without_password(db_url: str) -> str:
    """The URL as it may be shown: user and host, never the password."""
    from sqlalchemy.engine import make_url

    try:
        return make_url(db_url).render_as_string(hide_password=True)
    except Exception:  # not even a URL: show the scheme at most
        return db_url.split(":", 1)[0] + ":..."


def record(db_url: str, assignment: Assignment, results: list[Result],
           course_name: str | None = None) -> None:
    """Create or update the assignment, its learners' submissions and their auto scores."""
    from nbgrader.api import Gradebook
    from sqlalchemy.exc import SAWarning

    _ensure_sqlite_folder(db_url)
    _put_venv_on_path()
    _use_in_process_alembic_head()
    name = notebook = assignment.name  # one notebook, named like its assignment
    with warnings.catch_warnings():
        # nbgrader 0.9.6 on SQLAlchemy 2.1 warns once per new submission; not our concern.
        warnings.filterwarnings("ignore", category=SAWarning)
        with Gradebook(db_url, course_id=course_name or course_id()) as gradebook:
            gradebook.update_or_create_assignment(name)
            gradebook.update_or_create_notebook(notebook, name)
            for grade_id, points in assignment.grade_cells.items():
                gradebook.update_or_create_grade_cell(
                    grade_id, notebook, name, max_score=points, cell_type="code")
            for answer_id in sorted(assignment.answer_ids):
                gradebook.update_or_create_solution_cell(answer_id, notebook, name)
            for result in results:
                _record_one(gradebook, name, notebook, result)


def _record_one(gradebook: Gradebook, assignment: str, notebook: str, result: Result) -> None:
    from nbgrader.api import MissingEntry

    learner = learner_key(result.learner_id)
    gradebook.update_or_create_student(learner)
    extra = {"timestamp": result.submitted_at} if result.submitted_at else {}
    gradebook.update_or_create_submission(assignment, learner, **extra)
    try:
        grades = {part.grade_id: gradebook.find_grade(part.grade_id, notebook, assignment,
                                                      learner)
                  for part in result.parts}
    except MissingEntry:  # the assignment gained cells since the last grading: start afresh
        gradebook.remove_submission(assignment, learner)
        gradebook.add_submission(assignment, learner, **extra)
        grades = {part.grade_id: gradebook.find_grade(part.grade_id, notebook, assignment,
                                                      learner)
                  for part in result.parts}
    for part in result.parts:
        grades[part.grade_id].auto_score = part.score
        grades[part.grade_id].needs_manual_grade = False
    gradebook.db.commit()
