"""The gradebook in a real PostgreSQL server, as a course shares it: grading writes it,
nbgrader's own export reads the same grades back, batches running at once lose no row, and
a refused connection costs nothing.

The server is the session's throwaway cluster (tests/postgres.py, fixture ``postgres``).
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest

from small_classes import grade_command, make_class, nbgrader_export, read_rows

pytestmark = pytest.mark.slow


def test_grades_in_postgresql_are_what_nbgrader_export_and_grades_csv_say(postgres, tmp_path):
    db_url = postgres.create_database("export_agrees")
    submissions = make_class(tmp_path / "subs", "tensors",
                         {"ada": "solution", "bob": "blank", "cy": "corrupt"})
    done = grade_command("tensors", submissions, tmp_path / "out", db_url)
    assert done.returncode == 0, done.stderr[-3000:]
    assert postgres.url("export_agrees").split("@")[0] not in done.stderr  # no password shown
    csv_scores = {row["learner_id"]: float(row["score"])
                  for row in read_rows(tmp_path / "out" / "grades.csv")}
    exported = {row["student_id"]: float(row["score"])
                for row in nbgrader_export(db_url, tmp_path / "export.csv")
                if row["assignment"] == "tensors"}
    assert exported == csv_scores
    assert csv_scores["ada"] > 0 and csv_scores["cy"] == 0  # real grades, not all zeros


def test_two_batches_at_once_into_one_database_lose_no_row(postgres, tmp_path):
    db_url = postgres.create_database("two_at_once")
    # Files that never reach a kernel: both batches write their rows at about the same time.
    batches = {name: make_class(tmp_path / name, name, {f"{name}-{k}": "corrupt" for k in range(6)})
               for name in ("tensors", "variables")}
    with ThreadPoolExecutor(2) as pool:
        runs = list(pool.map(lambda item: grade_command(item[0], item[1], tmp_path / f"out-{item[0]}",
                                                 db_url), batches.items()))
    for run in runs:
        assert run.returncode == 0, run.stderr[-3000:]
    from nbgrader.api import Gradebook

    from autograder import gradebook

    with Gradebook(db_url, course_id=gradebook.course_id()) as book:
        rows = {(name, submission.student.id) for name in batches
                for submission in book.assignment_submissions(name)}
    assert rows == {(name, f"{name}-{k}") for name in batches for k in range(6)}


def test_a_wrong_password_is_a_one_line_error_that_writes_nothing(postgres, tmp_path):
    postgres.create_database("guarded")
    submissions = make_class(tmp_path / "subs", "tensors", {"ada": "corrupt"})
    wrong = postgres.url("guarded", password="not-the-password")
    done = grade_command("tensors", submissions, tmp_path / "out", wrong)
    assert done.returncode == 2
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("autograder: error: cannot open the gradebook")
    assert "password" in lines[0] and "not-the-password" not in done.stderr
    assert not (tmp_path / "out").exists()


def test_an_unreachable_server_is_a_one_line_error_that_writes_nothing(tmp_path):
    import socket

    with socket.socket() as probe:  # a loopback port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    submissions = make_class(tmp_path / "subs", "tensors", {"ada": "corrupt"})
    done = grade_command("tensors", submissions, tmp_path / "out",
                         f"postgresql://grader:secret@127.0.0.1:{port}/course")
    assert done.returncode == 2
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("autograder: error: cannot open the gradebook")
    assert "secret" not in done.stderr
    assert not (tmp_path / "out").exists()
