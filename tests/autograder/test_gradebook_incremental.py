"""The gradebook is written only where it differs from the results (autograder.gradebook).

A re-run reuses the journal's results and writes them all to the gradebook again; what the
gradebook already holds is read first (SQLAlchemy only) and only the rows that differ are
written, so a re-run with nothing changed writes nothing, while a deleted gradebook, another
``--db``, a changed score, time, extension or penalty is written as before. Fast: results
are made here, and the command-level tests grade files that never reach a kernel.
"""

from __future__ import annotations

import contextlib
import sqlite3
import subprocess
import sys
import warnings
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Iterator

import pytest
from sqlalchemy import event
from sqlalchemy.engine import Engine

from autograder import assignments, cli, gradebook, journal
from autograder.lateness import Deadlines
from autograder.results import PartResult, Result

FIT = assignments.get("linear_fit")
HANDED_IN = datetime(2026, 12, 1, 16, 30, 15, 250000, tzinfo=timezone.utc)


def _result(learner: str, fraction: float = 1.0, **fields) -> Result:
    parts = [PartResult(grade_id, round(points * fraction, 2), points, "converges", "")
             for grade_id, points in FIT.grade_cells.items()]
    return Result(learner, FIT.name, sum(p.score for p in parts), FIT.max_score, "graded",
                  parts, submitted_at=HANDED_IN, **fields)


@contextlib.contextmanager
def _writes() -> Iterator[list[str]]:
    """The INSERT/UPDATE/DELETE statements any engine sends in the block."""
    sent: list[str] = []

    def seen(conn, cursor, statement, *rest):
        if statement.lstrip().split(None, 1)[0].upper() in {"INSERT", "UPDATE", "DELETE"}:
            sent.append(statement)

    event.listen(Engine, "before_cursor_execute", seen)
    try:
        yield sent
    finally:
        event.remove(Engine, "before_cursor_execute", seen)


def _scores(db) -> dict[tuple[str, str], tuple]:
    with sqlite3.connect(db) as connection:
        rows = connection.execute(
            "SELECT sa.student_id, bc.name, g.auto_score, g.manual_score FROM grade g "
            "JOIN base_cell bc ON bc.id = g.cell_id "
            "JOIN submitted_notebook sn ON sn.id = g.notebook_id "
            "JOIN submitted_assignment sa ON sa.id = sn.assignment_id")
        return {(learner, cell): (auto, manual) for learner, cell, auto, manual in rows}


def test_the_tables_read_are_nbgraders_own():
    from nbgrader.api import Base

    assert set(gradebook.NBGRADER_TABLES) == set(Base.metadata.tables)
    for table in vars(gradebook._tables()).values():
        theirs = Base.metadata.tables[table.name]
        for column in table.columns:
            assert column.name in theirs.columns, (table.name, column.name)
            if column.name != "cell_type":  # theirs an Enum, a kind of String
                assert type(column.type) is type(theirs.columns[column.name].type), column


def test_recording_the_same_results_again_writes_nothing(tmp_path):
    url = f"sqlite:///{tmp_path / 'gb.db'}"
    due = HANDED_IN - timedelta(hours=1)
    deadlines = Deadlines(due=due, extensions={"bob": due + timedelta(days=1)})
    results = [_result("ada", late_penalty=0.5), _result("bob", 0.5)]
    assert gradebook.record(url, FIT, results, deadlines=deadlines) == 2
    with _writes() as sent:
        assert gradebook.record(url, FIT, results, deadlines=deadlines) == 0
    assert sent == []


def _changed(change: str, deadlines: Deadlines):
    """bob's result (of 0.5 when first recorded) and the assignment, with one thing changed."""
    bob, assignment = _result("bob", 0.5), FIT
    if change == "score":
        bob = _result("bob", 0.25)
    elif change == "time":
        bob.submitted_at = HANDED_IN + timedelta(seconds=1)
    elif change == "penalty":
        bob.late_penalty = 1.0
    elif change == "extension":
        deadlines.extensions["bob"] += timedelta(hours=2)
    elif change == "points":  # the tests changed: every row is written again
        assignment = assignments.Assignment(FIT.name, FIT.source_path, FIT.release_path)
        # grade_cells is a cached property of a frozen dataclass: filled in before use.
        assignment.__dict__["grade_cells"] = {grade_id: points + 1
                                              for grade_id, points in FIT.grade_cells.items()}
    return bob, assignment


def test_a_run_that_writes_nothing_never_imports_nbgrader(tmp_path):
    url = f"sqlite:///{tmp_path / 'gb.db'}"
    gradebook.record(url, FIT, [_result("ada"), _result("bob", 0.5)])
    # A new process (this one has nbgrader loaded), as the grading command's, with the
    # same guard as autograder/__main__.py; importing nbgrader takes seconds.
    rerun = (f"import sys; sys.modules.setdefault('rfc3987_syntax', None); "
             f"sys.path.insert(0, {str(Path(__file__).parent)!r}); "
             "import test_gradebook_incremental as t; from autograder import gradebook; "
             f"gradebook.check_available({url!r}); "
             f"due = gradebook.due_date({url!r}, 'linear_fit'); "
             f"written = gradebook.record({url!r}, t.FIT, [t._result('ada'), "
             "t._result('bob', 0.5)]); print(due, written, 'nbgrader' in sys.modules)")
    shown = subprocess.run([sys.executable, "-c", rerun], capture_output=True, text=True,
                           cwd=Path(__file__).parents[2], check=True).stdout.split()
    assert shown == ["None", "0", "False"]


@pytest.mark.parametrize("change, rows", [("score", 1), ("time", 1), ("penalty", 1),
                                          ("extension", 1), ("points", 3)])
def test_rows_that_differ_are_written_and_only_those(tmp_path, change, rows):
    url, db = f"sqlite:///{tmp_path / 'gb.db'}", tmp_path / "gb.db"
    due = HANDED_IN - timedelta(hours=1)
    deadlines = Deadlines(due=due, extensions={"bob": due + timedelta(days=1)})
    ada, cy = _result("ada"), _result("cy", 0.0)
    gradebook.record(url, FIT, [ada, _result("bob", 0.5), cy], deadlines=deadlines)
    bob, assignment = _changed(change, deadlines)
    assert gradebook.record(url, assignment, [ada, bob, cy], deadlines=deadlines) == rows
    assert gradebook.record(url, assignment, [ada, bob, cy], deadlines=deadlines) == 0
    grade_id = next(iter(FIT.grade_cells))
    assert _scores(db)[("bob", grade_id)][0] == bob.parts[0].score


def test_a_manual_score_survives_a_rewritten_row(tmp_path):
    from nbgrader.api import Gradebook
    from sqlalchemy.exc import SAWarning

    url, db = f"sqlite:///{tmp_path / 'gb.db'}", tmp_path / "gb.db"
    gradebook.record(url, FIT, [_result("ada", 0.5)])
    grade_id = next(iter(FIT.grade_cells))
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", category=SAWarning)
        with Gradebook(url, course_id=gradebook.course_id()) as book:
            book.find_grade(grade_id, FIT.name, FIT.name, "ada").manual_score = 0.1
            book.db.commit()
    assert gradebook.record(url, FIT, [_result("ada", 0.5)]) == 0
    assert gradebook.record(url, FIT, [_result("ada", 1.0)]) == 1
    assert _scores(db)[("ada", grade_id)] == (FIT.grade_cells[grade_id], 0.1)


def test_a_cell_left_from_an_older_version_of_the_tests_forces_no_rewrite(tmp_path):
    from nbgrader.api import Gradebook
    from sqlalchemy.exc import SAWarning

    url = f"sqlite:///{tmp_path / 'gb.db'}"
    gradebook.record(url, FIT, [_result("ada")])
    with warnings.catch_warnings():  # writing never removes cells, so one may be left over
        warnings.filterwarnings("ignore", category=SAWarning)
        with Gradebook(url, course_id=gradebook.course_id()) as book:
            book.update_or_create_grade_cell("test_removed_part", FIT.name, FIT.name,
                                             max_score=2.0, cell_type="code")
    assert gradebook.record(url, FIT, [_result("ada")]) == 0
    assert gradebook.record(url, FIT, [_result("ada", 0.5)]) == 1


CORRUPT, NOT_NOTEBOOK = b"{oops", b"hello"  # statuses "corrupt file" and "not a notebook"


@pytest.fixture
def steady_settings(monkeypatch):
    """The grader's code is hashed once per test: a file edited meanwhile changes nothing."""
    real, taken = journal.grading_settings, {}
    monkeypatch.setattr(journal, "grading_settings",
                        lambda *args: taken.setdefault(repr(args), real(*args)))


def _grade(tmp_path, capsys, db):
    code = cli.main(["grade", "linear_fit", str(tmp_path / "subs"), "--out",
                     str(tmp_path / "out"), "--db", f"sqlite:///{db}", "--no-sandbox"])
    assert code == 0, capsys.readouterr().err
    return capsys.readouterr().err


def test_a_rerun_writes_no_row_yet_refills_a_deleted_or_new_gradebook(
        tmp_path, capsys, steady_settings):
    for learner, content in {"ada": CORRUPT, "bob": NOT_NOTEBOOK}.items():
        (tmp_path / "subs" / learner).mkdir(parents=True)
        (tmp_path / "subs" / learner / "linear_fit.ipynb").write_bytes(content)
    db = tmp_path / "gb.db"
    _grade(tmp_path, capsys, db)
    first = _scores(db)
    assert {learner for learner, _ in first} == {"ada", "bob"}

    with _writes() as sent:
        assert "resumed 2 of 2" in _grade(tmp_path, capsys, db)
    assert sent == []
    assert _scores(db) == first

    db.unlink()  # a deleted gradebook, then another --db: both filled again from the journal
    _grade(tmp_path, capsys, db)
    assert _scores(db) == first
    _grade(tmp_path, capsys, tmp_path / "other.db")
    assert _scores(tmp_path / "other.db") == first
