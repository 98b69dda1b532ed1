"""A grader killed with SIGKILL mid-batch loses only the submission it was running.

The class: two correct notebooks, a corrupt file and one that sleeps before defining its
answers (the submission that is running when the grader is killed). Graded with --jobs 1,
the grader is killed once the first two results are in the journal and the sleeper's
sandbox is running; the same command, run again, must grade only the other two.
"""

from __future__ import annotations

import csv
import json
import os
import signal
import subprocess
import sys
import time

import nbformat
import psutil
import pytest

import grading_corpus
import grading_templates
from autograder import assignments, gradebook, journal, protocol
from autograder.sandbox.limits import GiB

pytestmark = [pytest.mark.slow,
              pytest.mark.sandbox]

MAX_SCORE = sum(assignments.grade_cells("linear_fit").values())
SEED = 424242  # sets the sandboxes' TTT_GRADING_SEED: tells this test's kernels apart
EXPECTED = {"a_correct": MAX_SCORE, "b_corrupt": 0.0, "c_sleeper": MAX_SCORE,
            "d_correct": MAX_SCORE}


def _build(submissions):
    # Asleep well past the 10 s the sandboxes get to end after the kill: a run that outlived
    # its grader would still be there.
    sleeper = "import time\ntime.sleep(25)\n" + grading_corpus.solution_code()
    notebooks = {"a_correct": grading_corpus.released_with_answers(),
                 "c_sleeper": grading_corpus.released_with_answers(
                     {"train_step_numpy": sleeper}),
                 "d_correct": grading_corpus.released_with_answers()}
    for learner, notebook in notebooks.items():
        (submissions / learner).mkdir(parents=True)
        nbformat.write(notebook, submissions / learner / "linear_fit.ipynb")
    (submissions / "b_corrupt").mkdir()
    (submissions / "b_corrupt" / "linear_fit.ipynb").write_text('{"cells": [')


def _journal_lines(path) -> list[bytes]:
    return path.read_bytes().splitlines(keepends=True) if path.exists() else []


def _kernels() -> list[psutil.Process]:
    """Processes that carry this test's grading seed (the runner sets it for everything in
    the sandbox; --seed gives every learner the same): with --jobs 1 and two results
    journaled, the third learner's, the sleeper's."""
    value = str(SEED)
    found = []
    for process in psutil.process_iter():
        try:
            if process.environ().get(protocol.SEED_VARIABLE) == value:
                found.append(process)
        except (psutil.Error, OSError):
            continue
    return found


def _sandboxes_under(folder) -> list[str]:
    lines = []
    for process in psutil.process_iter(["cmdline"]):
        cmdline = " ".join(process.info["cmdline"] or [])
        if str(folder) in cmdline and "bwrap" in cmdline:
            lines.append(cmdline)
    return lines


def _forked_runs(folder) -> list[psutil.Process]:
    """Runs the grading template of a batch whose workspace is under ``folder`` forked:
    they never exec'd, so their environment in /proc is still the template's (no seed of
    this test's), but each is a child of the template's process."""
    found = []
    for template in grading_templates.templates():
        try:
            if str(folder) in " ".join(template.parent().parent().cmdline()):
                found += template.children()
        except psutil.Error:
            continue
    return found


def test_a_killed_batch_resumes_keeping_every_finished_grade(tmp_path):
    submissions, out, db = tmp_path / "subs", tmp_path / "out", tmp_path / "gradebook.db"
    _build(submissions)
    workspace = tmp_path / "tmp"  # the batch's workspace, so its sandboxes are recognisable
    workspace.mkdir()
    command = [sys.executable, "-m", "autograder", "grade", "linear_fit", str(submissions),
               "--out", str(out), "--jobs", "1", "--db", f"sqlite:///{db}",
               "--timeout", "120", "--wall", "300", "--memory", str(int(1.5 * GiB)),
               "--seed", str(SEED)]
    environment = dict(os.environ, TMPDIR=str(workspace))
    path = journal.journal_path(out, "linear_fit")

    grader = subprocess.Popen(command, env=environment, start_new_session=True,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 300
    try:
        while len(_journal_lines(path)) < 2 or not (_kernels() or _forked_runs(workspace)):
            assert grader.poll() is None, grader.communicate()
            assert time.monotonic() < deadline, "the grader never got to the third learner"
            time.sleep(0.2)
        assert _sandboxes_under(workspace)  # c_sleeper's sandbox runs: the kill matters
        os.killpg(grader.pid, signal.SIGKILL)
    finally:
        if grader.poll() is None:
            os.killpg(grader.pid, signal.SIGKILL)
        grader.communicate()
    before = _journal_lines(path)
    assert [json.loads(line)["learner_id"] for line in before] == ["a_correct", "b_corrupt"]
    assert not (out / "grades.csv").exists()

    # bubblewrap's --die-with-parent ends the sandbox with the grader, and the PID
    # namespace ends every process in it; a grading template ends when the grader's end of
    # its pipe closes, and its runs with it (each forked run dies with its parent).
    deadline = time.monotonic() + 10
    while (_kernels() or _sandboxes_under(workspace) or _forked_runs(workspace)) \
            and time.monotonic() < deadline:
        time.sleep(0.2)
    assert _kernels() == [] and _sandboxes_under(workspace) == []
    assert _forked_runs(workspace) == []

    finished = subprocess.run(command, env=environment, capture_output=True, text=True,
                              timeout=600)
    assert finished.returncode == 0, finished.stderr
    assert "resumed 2 of 4 results" in finished.stderr

    after = _journal_lines(path)
    assert after[:2] == before  # the finished grades kept, byte for byte
    learners = [json.loads(line)["learner_id"] for line in after]
    assert sorted(learners) == sorted(EXPECTED)  # one line each: none graded twice
    with open(out / "grades.csv", newline="", encoding="utf-8") as file:
        rows = {row["learner_id"]: row for row in csv.DictReader(file)}
    assert {learner: float(row["score"]) for learner, row in rows.items()} == EXPECTED
    assert rows["b_corrupt"]["status"].startswith("corrupt file")
    for learner in EXPECTED:
        page = (out / "feedback" / learner / "linear_fit" / "linear_fit.html").read_text()
        assert f"{EXPECTED[learner]:g} of" in page

    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{db}", course_id=gradebook.course_id()) as book:
        for learner, score in EXPECTED.items():
            assert book.find_submission("linear_fit", learner).score == pytest.approx(score)
