"""Grading on Dask workers, as a course runs it: a scheduler and two worker processes on
loopback, `grade --scheduler` into the session's PostgreSQL gradebook.

A worker killed with SIGKILL mid-batch: its submission runs again elsewhere, every learner
is graded once, one gradebook row each, and nbgrader's export agrees with grades.csv. The
scheduler killed mid-batch: a one-line error, the finished grades kept, no sandbox left,
and the same command finishes the rest without grading anyone twice. A worker with another
course is left out, named with what differs, and grades nothing.
"""

from __future__ import annotations

import json
import time
from collections import Counter
from pathlib import Path

import pytest

from autograder.assignments import REPO_ROOT
from dask_processes import (LocalCluster, copy_of_the_course, edit, grade_on_a_lone_worker,
                            running_cluster, sandboxes_of, wait_gone, worker_environment)
from small_classes import grade_command, make_class, nbgrader_export, read_rows

pytestmark = pytest.mark.slow
ASSIGNMENT = "tensors"  # the quickest to grade


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    """A scheduler and two single-slot workers, for the module's batches."""
    with running_cluster(tmp_path_factory.mktemp("dask")) as running:
        yield running


def _journal_learners(out: Path) -> Counter:
    path = out / ".journal" / f"{ASSIGNMENT}.jsonl"
    if not path.exists():
        return Counter()
    lines = path.read_text(encoding="utf-8").splitlines()
    return Counter(json.loads(line)["learner_id"] for line in lines if line.strip())


def _start_grading(submissions: Path, out: Path, db_url: str, address: str, *extra: str):
    import subprocess
    import sys

    return subprocess.Popen(
        [sys.executable, "-m", "autograder", "grade", ASSIGNMENT, str(submissions),
         "--out", str(out), "--db", db_url, "--scheduler", address, *extra],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=REPO_ROOT)


def _busy_worker(cluster: LocalCluster, pids: dict[str, int], grading, seconds: float = 240):
    """(address, pid) of a worker that has been grading for a few seconds (its sandbox is
    running), found through the scheduler."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if grading.poll() is not None:
            raise AssertionError(f"grading ended first: {grading.communicate()[1][-3000:]}")
        for address, keys in cluster.client().processing().items():
            if keys and address in pids and sandboxes_of(pids[address]):
                time.sleep(2)  # well into the notebook
                return address, pids[address]
        time.sleep(0.2)
    raise AssertionError("no worker started grading")


def test_a_worker_killed_mid_batch_costs_nothing_and_grades_land_once(cluster, postgres,
                                                                    tmp_path):
    db_url = postgres.create_database("cluster_class")
    learners = {"ada": "solution", "bob": "solution", "cy": "solution", "eve": "blank",
                "fay": "corrupt"}
    submissions = make_class(tmp_path / "subs", ASSIGNMENT, learners)
    out = tmp_path / "out"
    pids = cluster.wait_for_workers(2)
    grading = _start_grading(submissions, out, db_url, cluster.address)
    try:
        address, pid = _busy_worker(cluster, pids, grading)
        sandboxes = sandboxes_of(pid)
        cluster.workers[[w.pid for w in cluster.workers].index(pid)].kill()  # SIGKILL
        # bubblewrap's --die-with-parent: the killed worker's sandboxes go with it.
        assert not wait_gone(sandboxes, 15), "a sandbox outlived its killed worker"
        _, stderr = grading.communicate(timeout=900)
    finally:
        if grading.poll() is None:
            grading.kill()
        cluster.start_worker()  # the module's next test has two workers again
    assert grading.returncode == 0, stderr[-3000:]
    rows = {row["learner_id"]: row for row in read_rows(out / "grades.csv")}
    assert set(rows) == set(learners)
    full = {learner for learner, row in rows.items() if row["score"] == row["max_score"]}
    assert full == {"ada", "bob", "cy"}  # the re-run submission too
    assert float(rows["eve"]["score"]) == 0 and float(rows["fay"]["score"]) == 0
    assert _journal_learners(out) == Counter(list(learners))  # each graded once
    from nbgrader.api import Gradebook

    from autograder import gradebook

    with Gradebook(db_url, course_id=gradebook.course_id()) as book:
        stored = [submission.student.id for submission in
                  book.assignment_submissions(ASSIGNMENT)]
    assert Counter(stored) == Counter(list(learners))  # one row each
    exported = {row["student_id"]: float(row["score"])
                for row in nbgrader_export(db_url, tmp_path / "export.csv")
                if row["assignment"] == ASSIGNMENT}
    assert exported == {learner: float(row["score"]) for learner, row in rows.items()}


def test_a_worker_with_another_course_grades_nothing_and_is_named(postgres, tmp_path):
    """Alone on its scheduler, the stale worker leaves nothing to grade on: a one-line
    error naming the file that differs, before anything is graded or written."""
    stale_course = copy_of_the_course(tmp_path / "elsewhere")
    edit(stale_course, "autograder/verdict.py")
    submissions = make_class(tmp_path / "subs", ASSIGNMENT, {"ada": "solution"})
    done = grade_on_a_lone_worker(
        tmp_path / "dask", stale_course,
        lambda address: grade_command(ASSIGNMENT, submissions, tmp_path / "out",
                                      postgres.create_database("stale_worker"),
                                      "--scheduler", address))
    assert done.returncode == 2, done.stderr[-3000:]
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("autograder: error: no worker of")
    assert "its course differs" in lines[0] and "autograder/verdict.py" in lines[0]
    assert _journal_learners(tmp_path / "out") == Counter()
    assert not (tmp_path / "out" / "grades.csv").exists()


def test_beside_good_workers_a_stale_one_is_left_out_and_said(cluster, postgres, tmp_path):
    stale_course = copy_of_the_course(tmp_path / "elsewhere")
    edit(stale_course, "book/ttt/data.py")
    cluster.wait_for_workers(2)
    stale = cluster.start_worker(env=worker_environment(stale_course), cwd=stale_course)
    try:
        pids = cluster.wait_for_workers(3)
        stale_address = next(address for address, pid in pids.items() if pid == stale.pid)
        submissions = make_class(tmp_path / "subs", ASSIGNMENT,
                                 {"ada": "solution", "cy": "blank"})
        done = grade_command(ASSIGNMENT, submissions, tmp_path / "out",
                             postgres.create_database("beside_stale"),
                             "--scheduler", cluster.address)
        ran_there = cluster.client().run(lambda dask_worker: dask_worker.state.executed_count,
                                         workers=[stale_address])[stale_address]
    finally:
        stale.terminate()
        stale.wait(timeout=30)
    assert done.returncode == 0, done.stderr[-3000:]
    assert (f"worker {stale_address} left out: its course differs: files that differ: "
            "book/ttt/data.py") in done.stderr
    assert len(read_rows(tmp_path / "out" / "grades.csv")) == 2
    assert ran_there == 0  # no task of the batch ever ran there


@pytest.fixture
def lonely(tmp_path):
    """A scheduler of the test's own, without workers yet."""
    with running_cluster(tmp_path / "dask", workers=0) as cluster:
        yield cluster


def _class_of(tmp_path: Path, count: int) -> tuple[dict, Path, Path]:
    """(learners, their submissions, the --out folder) of ``count`` right solutions."""
    learners = {f"learner{k}": "solution" for k in range(count)}
    return learners, make_class(tmp_path / "subs", ASSIGNMENT, learners), tmp_path / "out"


def _each_graded_once_with_full_marks(out: Path, learners: dict) -> None:
    assert _journal_learners(out) == Counter(list(learners))  # nobody graded twice
    rows = read_rows(out / "grades.csv")
    assert sorted(row["learner_id"] for row in rows) == sorted(learners)
    assert all(row["score"] == row["max_score"] for row in rows)


def _one_line_error(grading, stderr: str, said: str) -> None:
    assert grading.returncode == 1, stderr[-3000:]
    last = stderr.strip().splitlines()[-1]
    assert last.startswith("autograder: error: ") and "Traceback" not in stderr
    assert said in last and "run the same command again" in last, last


def test_a_lost_scheduler_ends_the_batch_in_one_line_and_the_same_command_resumes(
        postgres, tmp_path, lonely):
    db_url = postgres.create_database("lost_scheduler")
    learners, submissions, out = _class_of(tmp_path, 3)
    lonely.start_worker()
    (pid,) = lonely.wait_for_workers(1).values()
    grading = _start_grading(submissions, out, db_url, lonely.address)
    deadline = time.monotonic() + 600
    while sum(_journal_learners(out).values()) < 1 and time.monotonic() < deadline:
        assert grading.poll() is None, grading.communicate()[1][-3000:]
        time.sleep(0.2)
    while not sandboxes_of(pid) and time.monotonic() < deadline:  # the next one runs
        time.sleep(0.2)
    sandboxes = sandboxes_of(pid)
    lonely.kill_scheduler()
    _, stderr = grading.communicate(timeout=120)
    # The worker lost its scheduler: the task it was running ends its sandbox.
    assert not wait_gone(sandboxes, 20), "a sandbox outlived its task"
    _one_line_error(grading, stderr, "the connection to the Dask scheduler was lost")
    kept = _journal_learners(out)
    assert 1 <= sum(kept.values()) < len(learners) and max(kept.values()) == 1

    lonely.start_scheduler()  # the same address
    lonely.start_worker()
    lonely.wait_for_workers(1)
    again = grade_command(ASSIGNMENT, submissions, out, db_url, "--scheduler", lonely.address)
    assert again.returncode == 0, again.stderr[-3000:]
    assert f"resumed {sum(kept.values())} of {len(learners)}" in again.stderr
    _each_graded_once_with_full_marks(out, learners)


def test_when_every_worker_leaves_the_batch_waits_for_a_new_one_or_ends_in_one_line(
        postgres, tmp_path, lonely):
    db_url = postgres.create_database("workers_replaced")
    learners, submissions, out = _class_of(tmp_path, 4)

    def kill_the_busy_worker(grading) -> None:
        pids = lonely.wait_for_workers(1)
        _, pid = _busy_worker(lonely, pids, grading)
        lonely.workers[[w.pid for w in lonely.workers].index(pid)].kill()  # SIGKILL

    # Its only worker killed and none coming: after the wait, one line, grades kept.
    lonely.start_worker()
    grading = _start_grading(submissions, out, db_url, lonely.address,
                             "--wait-for-workers", "5")
    kill_the_busy_worker(grading)
    killed = time.monotonic()
    _, stderr = grading.communicate(timeout=120)
    _one_line_error(grading, stderr, "every worker that could grade it left")
    assert time.monotonic() - killed < 50  # the 5 s wait, not the default minute
    kept = _journal_learners(out)
    assert sum(kept.values()) < len(learners) and max(kept.values(), default=1) == 1

    # The same command again: its worker killed mid-batch, a new one started a little
    # later takes over what was stranded, and the batch completes.
    lonely.start_worker()
    grading = _start_grading(submissions, out, db_url, lonely.address)
    kill_the_busy_worker(grading)
    time.sleep(4)  # the batch sees that no worker is left, and waits
    assert grading.poll() is None, grading.communicate()[1][-3000:]
    lonely.start_worker()
    _, stderr = grading.communicate(timeout=600)
    assert grading.returncode == 0, stderr[-3000:]
    assert "joined the batch" in stderr
    _each_graded_once_with_full_marks(out, learners)


def test_an_unreachable_scheduler_is_a_one_line_error_that_writes_nothing(postgres, tmp_path):
    from dask_processes import free_port

    submissions = make_class(tmp_path / "subs", ASSIGNMENT, {"ada": "solution"})
    done = grade_command(ASSIGNMENT, submissions, tmp_path / "out",
                         postgres.create_database("no_scheduler"),
                         "--scheduler", f"tcp://127.0.0.1:{free_port()}")
    assert done.returncode == 2
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1
    assert lines[0].startswith("autograder: error: cannot reach the Dask scheduler at tcp://")
    assert lines[0].endswith("connection refused (is the scheduler running, on that port?)")
    assert not (tmp_path / "out" / "grades.csv").exists()
