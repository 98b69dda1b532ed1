"""Record a batch's grades in an nbgrader gradebook, so `nbgrader export` and formgrader see them.

The assignment's structure (one notebook named like the assignment, its graded test cells
with their points, its answer cells) comes from the source notebook. Each learner becomes a
student with a submission whose ``auto_score`` per graded cell is the verdict's score.
Called from the grading process only, after the batch: one writer, so parallel grading
cannot leave the database half-written. Learner ids are stored with their terminal control
characters escaped (:mod:`autograder.plain_text`), as in grades.csv and the feedback.

Every run passes every result (a deleted gradebook or another ``--db`` is filled again from
the journal), but only rows that differ from what the gradebook holds are written: a re-run
with nothing changed reads three queries' worth and writes nothing.
"""

from __future__ import annotations

import contextlib
import functools
import math
import os
import sys
import warnings
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from types import SimpleNamespace

from typing import TYPE_CHECKING

from autograder import course, gradebook_home, gradebook_lock
from autograder.assignments import Assignment
from autograder.lateness import Deadlines
from autograder.results import Result
from autograder.plain_text import learner_key

if TYPE_CHECKING:
    from nbgrader.api import Gradebook

# nbgrader is imported inside the functions, and only to write: importing it takes seconds
# (its package loads its Jupyter server extensions). What the gradebook holds is read with
# SQLAlchemy alone, through the few columns of nbgrader's schema below.

# Every table nbgrader 0.9 makes (a test compares this with nbgrader.api's models).
NBGRADER_TABLES = ("assignment", "base_cell", "comment", "course", "grade", "grade_cells",
                   "notebook", "solution_cells", "source_cell", "student",
                   "submitted_assignment", "submitted_notebook", "task_cells")


@functools.cache
def _tables() -> SimpleNamespace:
    """The columns of nbgrader's tables that tell what a gradebook holds, typed as nbgrader
    types them (so times and intervals read back as it wrote them)."""
    from sqlalchemy import Boolean, Column, DateTime, Float, Interval, MetaData, String, Table

    meta = MetaData()

    def table(name, *columns):
        return Table(name, meta, Column("id", String), *columns)

    return SimpleNamespace(
        course=table("course"),
        assignment=table("assignment", Column("name", String), Column("duedate", DateTime)),
        notebook=table("notebook", Column("name", String), Column("assignment_id", String)),
        base_cell=table("base_cell", Column("name", String), Column("notebook_id", String)),
        grade_cells=table("grade_cells", Column("max_score", Float), Column("cell_type", String)),
        solution_cells=table("solution_cells"),
        submitted_assignment=table("submitted_assignment", Column("assignment_id", String),
                                   Column("student_id", String), Column("timestamp", DateTime),
                                   Column("extension", Interval)),
        submitted_notebook=table("submitted_notebook", Column("assignment_id", String),
                                 Column("notebook_id", String),
                                 Column("late_submission_penalty", Float)),
        grade=table("grade", Column("notebook_id", String), Column("cell_id", String),
                    Column("auto_score", Float), Column("needs_manual_grade", Boolean)))


def default_db_url() -> str:
    """The course's gradebook (autograder/nbgrader_config.py names it); one still at the old
    default home under _build/ is moved there first (:mod:`autograder.gradebook_home`)."""
    url = course.db_url()
    gradebook_home.rescue(url)
    return url


def course_id() -> str:
    return course.course_id()


def _ensure_sqlite_folder(db_url: str) -> None:
    path = gradebook_home.sqlite_file(db_url)
    if path is not None:
        path.parent.mkdir(parents=True, exist_ok=True)


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
    """Open the gradebook once, before any grading, so that a bad ``--db`` costs nothing.

    A gradebook that already has nbgrader's tables is only read (no nbgrader import, which
    takes seconds); a new one gets its schema here, once, through nbgrader."""
    _put_venv_on_path()
    try:
        _ensure_sqlite_folder(db_url)
        if _has_tables(db_url):
            return
        from nbgrader.api import Gradebook
        from sqlalchemy.exc import SAWarning

        _use_in_process_alembic_head()
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", category=SAWarning)
            # Under the writer lock: a new gradebook's schema is made here, once.
            with gradebook_lock.held(db_url), Gradebook(db_url,
                                                        course_id=course_name or course_id()):
                pass
    except Exception as error:  # SQLAlchemy, driver and alembic errors alike
        first_line = (str(error).strip().splitlines() or [type(error).__name__])[0]
        raise GradebookUnavailable(f"{_without_password(db_url)}: {first_line}") from None


def _has_tables(db_url: str) -> bool:
    with _reading(db_url) as connection:
        return _tables_made(connection)


def _tables_made(connection) -> bool:
    """Whether the gradebook has every table nbgrader makes. (The course's row is left to
    nbgrader's writes, which add it: the course's id is read from nbgrader_config.py, and
    that file imports nbgrader.)"""
    from sqlalchemy import inspect

    return set(NBGRADER_TABLES) <= set(inspect(connection).get_table_names())


@contextlib.contextmanager
def _reading(db_url: str):
    """A connection of its own (SQLAlchemy only), closed with its engine afterwards."""
    from sqlalchemy import create_engine

    engine = create_engine(db_url)
    try:
        with engine.connect() as connection:
            yield connection
    finally:
        engine.dispose()


def _without_password(db_url: str) -> str:
    """The URL as it may be shown: user and host, never the password."""
    from sqlalchemy.engine import make_url

    try:
        return make_url(db_url).render_as_string(hide_password=True)
    except Exception:  # not even a URL: show the scheme at most
        return db_url.split(":", 1)[0] + ":..."


def due_date(db_url: str, assignment: str, course_name: str | None = None):
    """The assignment's due date in the gradebook (``nbgrader db assignment add
    --duedate``), timezone-aware UTC; None when it has none or no such assignment.
    (``course_name``: kept for callers; an assignment's name is unique in a gradebook.)"""
    from datetime import timezone

    from sqlalchemy import select

    _ensure_sqlite_folder(db_url)
    table = _tables().assignment
    with _reading(db_url) as connection:
        due = connection.execute(select(table.c.duedate).where(table.c.name == assignment)) \
            .scalar()
    return None if due is None else due.replace(tzinfo=timezone.utc)  # nbgrader keeps UTC


@dataclass(frozen=True)
class _Row:
    """What the gradebook holds for one learner's submission of the assignment."""
    timestamp: object
    extension: timedelta | None
    late_penalty: float | None
    grades: dict  # grade_id -> (auto_score, needs_manual_grade)


@dataclass(frozen=True)
class _Held:
    """What the gradebook holds for an assignment: its structure and learners' rows."""
    duedate: object  # naive UTC, or None
    grade_cells: dict  # grade_id -> (max_score, cell_type)
    solution_cells: frozenset
    rows: dict  # learner key -> _Row


def _held(connection, assignment: str, notebook: str) -> _Held | None:
    """The gradebook's assignment in three queries (its structure, then every submission's
    grades at once); None when it has no such assignment or notebook."""
    from sqlalchemy import select

    t = _tables()
    found = connection.execute(
        select(t.assignment.c.duedate, t.notebook.c.id)
        .join(t.notebook, t.notebook.c.assignment_id == t.assignment.c.id)
        .where(t.assignment.c.name == assignment, t.notebook.c.name == notebook)).first()
    if found is None:
        return None
    duedate, notebook_id = found
    cells = t.base_cell
    grade_cells = {name: (max_score, cell_type) for name, max_score, cell_type in
                   connection.execute(select(cells.c.name, t.grade_cells.c.max_score,
                                             t.grade_cells.c.cell_type)
                                      .join(t.grade_cells, t.grade_cells.c.id == cells.c.id)
                                      .where(cells.c.notebook_id == notebook_id))}
    solution_cells = frozenset(connection.execute(
        select(cells.c.name).join(t.solution_cells, t.solution_cells.c.id == cells.c.id)
        .where(cells.c.notebook_id == notebook_id)).scalars())
    submitted, handed_in = t.submitted_assignment, t.submitted_notebook
    rows: dict[str, _Row] = {}
    for learner, timestamp, extension, penalty, grade_id, auto_score, manual in \
            connection.execute(
                select(submitted.c.student_id, submitted.c.timestamp, submitted.c.extension,
                       handed_in.c.late_submission_penalty, cells.c.name,
                       t.grade.c.auto_score, t.grade.c.needs_manual_grade)
                .join(handed_in, handed_in.c.assignment_id == submitted.c.id)
                .join(t.grade, t.grade.c.notebook_id == handed_in.c.id)
                .join(cells, cells.c.id == t.grade.c.cell_id)
                .where(handed_in.c.notebook_id == notebook_id)):
        row = rows.setdefault(learner, _Row(timestamp, extension, penalty, {}))
        row.grades[grade_id] = (auto_score, manual)
    return _Held(duedate, grade_cells, solution_cells, rows)


def _same(stored: float | None, wanted: float | None) -> bool:
    if stored is None or wanted is None:
        return stored is wanted
    return math.isclose(stored, wanted, rel_tol=1e-9, abs_tol=1e-9)


def _structure_held(held: _Held | None, assignment: Assignment, due) -> bool:
    """Whether the gradebook's assignment already has this due date (if one is set now),
    these graded cells with these points, and these answer cells (writing removes none)."""
    return (held is not None
            and (due is None or held.duedate == _naive_utc(due=due)["due"])
            and assignment.grade_cells.keys() <= held.grade_cells.keys()  # none is removed
            and all(_same(held.grade_cells[grade_id][0], points)
                    and held.grade_cells[grade_id][1] == "code"
                    for grade_id, points in assignment.grade_cells.items())
            and set(assignment.answer_ids) <= held.solution_cells)


def _row_held(row: _Row | None, result: Result, extension) -> bool:
    """Whether the gradebook's row already says what writing ``result`` would write (times
    and extensions left unset by a result are left as they are, so they are not compared)."""
    if row is None:
        return False
    timestamp = _naive_utc(timestamp=result.submitted_at).get("timestamp")
    return ((timestamp is None or row.timestamp == timestamp)
            and (extension is None or row.extension == extension)
            and _same(row.late_penalty, result.late_penalty or None)
            and all(part.grade_id in row.grades
                    and _same(row.grades[part.grade_id][0], part.score)
                    and not row.grades[part.grade_id][1]
                    for part in result.parts))


def record(db_url: str, assignment: Assignment, results: list[Result],
           course_name: str | None = None, deadlines: Deadlines | None = None) -> int:
    """Create or update the assignment, its learners' submissions and their auto scores.

    With ``deadlines``: the due date (when known) becomes the assignment's, a learner's own
    due date their submission's extension, and each result's ``late_penalty`` the
    notebook's ``late_submission_penalty``, so ``nbgrader export`` shows the same raw
    score, penalty and score as grades.csv.

    Only what differs from what the gradebook holds is written (all of it into a new or
    another gradebook; every row when the assignment's cells or due date changed); manual
    scores and comments from the formgrader are never touched. Returns the rows written."""
    from sqlalchemy.exc import SAWarning

    _ensure_sqlite_folder(db_url)
    _put_venv_on_path()
    name = notebook = assignment.name  # one notebook, named like its assignment
    due = deadlines.due if deadlines else None

    def extension_of(result: Result):
        own = deadlines.due_for(result.learner_id) if deadlines else None
        return own - due if own is not None and due is not None else None

    with warnings.catch_warnings(), gradebook_lock.held(db_url):
        # nbgrader 0.9.6 on SQLAlchemy 2.1 warns once per new submission; not our concern.
        warnings.filterwarnings("ignore", category=SAWarning)
        with _reading(db_url) as connection:
            held = _held(connection, name, notebook) if _tables_made(connection) else None
        structure = _structure_held(held, assignment, due)
        changed = [result for result in results
                   if not (structure and _row_held(held.rows.get(learner_key(result.learner_id)),
                                                   result, extension_of(result)))]
        if structure and not changed:
            return 0
        from nbgrader.api import Gradebook

        _use_in_process_alembic_head()
        with Gradebook(db_url, course_id=course_name or course_id()) as gradebook:
            gradebook.update_or_create_assignment(name, **_naive_utc(duedate=due))
            gradebook.update_or_create_notebook(notebook, name)
            for grade_id, points in assignment.grade_cells.items():
                gradebook.update_or_create_grade_cell(
                    grade_id, notebook, name, max_score=points, cell_type="code")
            for answer_id in sorted(assignment.answer_ids):
                gradebook.update_or_create_solution_cell(answer_id, notebook, name)
            for result in changed:
                _record_one(gradebook, name, notebook, result, extension_of(result))
    return len(changed)


def import_writer() -> None:
    """Import what :func:`record` writes with (nbgrader, seconds) and set up its ORM
    classes (a tenth of a second more, else paid at the first query) ahead of it, beside
    the notebooks being graded; a run that writes nothing never calls this."""
    import nbgrader.api  # noqa: F401
    from sqlalchemy.orm import configure_mappers

    configure_mappers()


def _naive_utc(**moments) -> dict:
    """The given times as nbgrader stores them (naive, in UTC); None ones left out."""
    from datetime import timezone

    return {key: moment.astimezone(timezone.utc).replace(tzinfo=None)
            for key, moment in moments.items() if moment is not None}


def _record_one(gradebook: Gradebook, assignment: str, notebook: str, result: Result,
                extension=None) -> None:
    from nbgrader.api import MissingEntry

    learner = learner_key(result.learner_id)
    gradebook.update_or_create_student(learner)
    extra = _naive_utc(timestamp=result.submitted_at)
    if extension is not None:
        extra["extension"] = extension
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
    # nbgrader keeps the raw scores per cell and the penalty per notebook (None: none).
    gradebook.find_submission_notebook(notebook, assignment, learner) \
        .late_submission_penalty = result.late_penalty or None
    gradebook.db.commit()
