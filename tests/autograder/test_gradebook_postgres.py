"""The gradebook in a real PostgreSQL server, as a course shares it: grading writes it,
nbgrader's own export reads the same grades back, batches running at once lose no row, and
a refused connection costs nothing.

The server is the session's throwaway cluster (tests/postgres.py, fixture ``postgres``).
"""

from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from autograder.assignments import REPO_ROOT
from autograder.course import CONFIG_FILE
from notebooks import load

pytestmark = pytest.mark.slow
NBGRADER = Path(sys.executable).with_name("nbgrader")


def _class(folder: Path, assignment: str, learners: dict[str, str]) -> Path:
    """``folder/<learner>/<assignment>.ipynb``: "solution" (full marks), "blank" (the
    released notebook) or "corrupt" (not JSON: graded 0 without a kernel)."""
    for learner, kind in learners.items():
        (folder / learner).mkdir(parents=True)
        path = folder / learner / f"{assignment}.ipynb"
        if kind == "solution":
            path.write_text(json.dumps(load(assignment)), encoding="utf-8")
        elif kind == "blank":
            path.write_bytes((REPO_ROOT / "exercises" / assignment /
                              f"{assignment}.ipynb").read_bytes())
        else:
            path.write_text("{ not json", encoding="utf-8")
    return folder


def _grade(assignment: str, submissions: Path, out: Path, db_url: str):
    return subprocess.run(
        [sys.executable, "-m", "autograder", "grade", assignment, str(submissions),
         "--out", str(out), "--db", db_url, "--jobs", "2"],
        capture_output=True, text=True, timeout=900, cwd=REPO_ROOT,
        env={**os.environ, "TF_CPP_MIN_LOG_LEVEL": "2"})


def _rows(path: Path) -> list[dict]:
    with open(path, newline="", encoding="utf-8") as file:
        return list(csv.DictReader(file))


def _nbgrader_export(db_url: str, to: Path) -> list[dict]:
    done = subprocess.run(
        [str(NBGRADER), "export", f"--NbGrader.config_file={CONFIG_FILE}",
         f"--CourseDirectory.db_url={db_url}", f"--to={to}"],
        capture_output=True, text=True, timeout=300, cwd=CONFIG_FILE.parent,
        env={**os.environ, "PATH": f"{Path(sys.executable).parent}:{os.environ['PATH']}"})
    assert done.returncode == 0, done.stderr[-2000:]
    return _rows(to)


def test_grades_in_postgresql_are_what_nbgrader_export_and_grades_csv_say(postgres, tmp_path):
    db_url = postgres.create_database("export_agrees")
    submissions = _class(tmp_path / "subs", "tensors",
                         {"ada": "solution", "bob": "blank", "cy": "corrupt"})
    done = _grade("tensors", submissions, tmp_path / "out", db_url)
    assert done.returncode == 0, done.stderr[-3000:]
    assert postgres.url("export_agrees").split("@")[0] not in done.stderr  # no password shown
    csv_scores = {row["learner_id"]: float(row["score"])
                  for row in _rows(tmp_path / "out" / "grades.csv")}
    exported = {row["student_id"]: float(row["score"])
                for row in _nbgrader_export(db_url, tmp_path / "export.csv")
                if row["assignment"] == "tensors"}
    assert exported == csv_scores
    assert csv_scores["ada"] > 0 and csv_scores["cy"] == 0  # real grades, not all zeros


def test_two_batches_at_once_into_one_database_lose_no_row(postgres, tmp_path):
    db_url = postgres.create_database("two_at_once")
    # Files that never reach a kernel: both batches write their rows at about the same time.
    batches = {name: _class(tmp_path / name, name, {f"{name}-{k}": "corrupt" for k in range(6)})
               for name in ("tensors", "variables")}
    with ThreadPoolExecutor(2) as pool:
        runs = list(pool.map(lambda item: _grade(item[0], item[1], tmp_path / f"out-{item[0]}",
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
    submissions = _class(tmp_path / "subs", "tensors", {"ada": "corrupt"})
    wrong = postgres.url("guarded", password="not-the-password")
    done = _grade("tensors", submissions, tmp_path / "out", wrong)
    assert done.returncode == 2
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("autograder: error: cannot open the gradebook")
    assert "password" in lines[0] and "not-the-password" not in done.stderr
    assert not (tmp_path / "out").exists()
