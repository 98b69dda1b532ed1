"""A class collected by nbgrader's own exchange grades as the same class laid out flat, and
a late learner loses what the late policy says.

nbgrader's release, submit and collect run in-process on a temporary course and exchange,
so ``submitted/<learner>/linear_fit/`` holds exactly what ``nbgrader collect`` writes:
the notebook, ``timestamp.txt`` in nbgrader's format and ``submission_secret.txt``. The
due date falls between the first learner's submission and the others'; the third has an
extension. Three learners, graded twice (collected, then flat) with ``--jobs 2``, without
the sandbox (the sandbox is not what is tested here).
"""

from __future__ import annotations

import csv
import os
import shutil
import time
from datetime import timedelta

import nbformat
import pytest

import grading_corpus
from autograder import cli, gradebook, lateness

pytestmark = pytest.mark.slow

A = "linear_fit"
SEED = "7"


def _collect(course, exchange, notebooks: dict) -> None:
    """nbgrader's release, each learner's submit (a second apart after the first), collect."""
    from nbgrader.auth import Authenticator
    from nbgrader.coursedir import CourseDirectory
    from nbgrader.exchange.default import (ExchangeCollect, ExchangeReleaseAssignment,
                                           ExchangeSubmit)
    from traitlets.config import Config

    gradebook._use_in_process_alembic_head()  # collect opens the course's gradebook

    def run(kind, student=None):
        config = Config()
        config.CourseDirectory.root = str(course)
        config.CourseDirectory.course_id = "ttt"
        config.CourseDirectory.assignment_id = A
        config.CourseDirectory.db_url = f"sqlite:///{course / 'gradebook.db'}"
        config.Exchange.root = str(exchange)
        if student:
            config.CourseDirectory.student_id = student
        kind(coursedir=CourseDirectory(config=config),
             authenticator=Authenticator(config=config), config=config).start()

    (course / "release" / A).mkdir(parents=True)
    exchange.mkdir()
    nbformat.write(grading_corpus.released_with_answers({}), course / "release" / A / f"{A}.ipynb")
    run(ExchangeReleaseAssignment)
    for number, (learner, notebook) in enumerate(notebooks.items()):
        home = course.parent / "home" / learner
        (home / A).mkdir(parents=True)
        nbformat.write(notebook, home / A / f"{A}.ipynb")
        if number == 1:
            time.sleep(1.2)  # the due date falls in between
        cwd = os.getcwd()
        os.chdir(home)  # nbgrader submits the assignment folder in the working directory
        try:
            run(ExchangeSubmit, learner)
        finally:
            os.chdir(cwd)
    run(ExchangeCollect)


def _rows(out) -> dict[str, dict]:
    with open(out / "grades.csv", newline="", encoding="utf-8") as file:
        return {row["learner_id"]: row for row in csv.DictReader(file)}


def test_a_collected_class_grades_as_flat_and_late_work_loses_points(tmp_path, capsys):
    notebooks = {"ada": grading_corpus.released_with_answers(),
                 "grace": grading_corpus.released_with_answers(),
                 "alan": grading_corpus.released_with_answers({"train_step_numpy": "pass"})}
    course = tmp_path / "course"
    _collect(course, tmp_path / "exchange", notebooks)
    submitted = course / "submitted"
    assert sorted(p.name for p in (submitted / "ada" / A).iterdir()) == [
        "linear_fit.ipynb", "submission_secret.txt", "timestamp.txt"]
    first = lateness.parse_time((submitted / "ada" / A / "timestamp.txt").read_text())
    due = first + timedelta(seconds=0.5)
    (tmp_path / "extensions.csv").write_text(
        f"learner_id,due\nalan,{(due + timedelta(days=1)).isoformat()}\n")
    flat = tmp_path / "flat"
    for learner in notebooks:
        (flat / learner).mkdir(parents=True)
        shutil.copy(submitted / learner / A / f"{A}.ipynb", flat / learner / f"{A}.ipynb")

    def grade(submissions, out, *extra):
        code = cli.main(["grade", A, str(submissions), "--out", str(out), "--jobs", "2",
                         "--no-sandbox", "--seed", SEED, "--db",
                         f"sqlite:///{tmp_path / (out.name + '.db')}", *extra])
        assert code == 0, capsys.readouterr().err
        return _rows(out)

    collected = grade(course, tmp_path / "collected", "--due", due.isoformat(),
                      "--extensions", str(tmp_path / "extensions.csv"),
                      "--late-policy", "subtract:1")
    err = capsys.readouterr().err
    laid_flat = grade(flat, tmp_path / "laid_flat")

    parts = [name for name in laid_flat["ada"] if name.startswith("test_")]
    assert set(collected) == set(laid_flat) == set(notebooks)
    for learner in notebooks:  # the same notebooks, the same seed: the same points
        assert [collected[learner][p] for p in parts] == [laid_flat[learner][p] for p in parts]
        assert collected[learner]["raw_score"] == laid_flat[learner]["score"]
    assert float(laid_flat["alan"]["score"]) < float(laid_flat["ada"]["score"])
    # grace submitted after the due date (within the first hour): subtract:1 takes 1 point.
    grace = collected["grace"]
    assert grace["late_penalty"] == "1"
    assert float(grace["score"]) == float(grace["raw_score"]) - 1
    assert "late by 1 min (due " in grace["status"] and "-1 points (subtract:1)" \
        in grace["status"]
    assert collected["ada"]["late_penalty"] == collected["alan"]["late_penalty"] == "0"
    assert collected["ada"]["score"] == collected["ada"]["raw_score"]
    assert collected["alan"]["score"] == collected["alan"]["raw_score"]  # extended
    assert "time from" not in collected["ada"]["status"]  # nbgrader's timestamp.txt was read
    assert collected["ada"]["submitted_at"] == first.isoformat(timespec="seconds")

    # The course folder's other entries were listed, not silently passed over.
    assert "gradebook.db: in nbgrader's course folder" in err
    skipped = (tmp_path / "collected" / "skipped-linear_fit.csv").read_text().splitlines()
    assert skipped[1:] == ["gradebook.db,in nbgrader's course folder: only submitted/ is read",
                           "release/,in nbgrader's course folder: only submitted/ is read"]
    # nbgrader's gradebook keeps the penalty where its export reads it.
    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{tmp_path / 'collected.db'}",
                   course_id=gradebook.course_id()) as book:
        submission = book.find_submission(A, "grace")
        assert submission.late_submission_penalty == 1
        assert submission.score == float(grace["raw_score"])
        assert book.find_assignment(A).duedate == due.replace(tzinfo=None)
        alan = book.find_submission(A, "alan")
        assert alan.extension == timedelta(days=1) and alan.total_seconds_late == 0
