"""Small classes of submissions for tests that grade through the command line, and the
readers of what grading wrote (grades.csv, nbgrader's own export of a gradebook)."""

from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
from pathlib import Path

from autograder.assignments import REPO_ROOT
from autograder.course import CONFIG_FILE
from notebooks import load

NBGRADER = Path(sys.executable).with_name("nbgrader")


def make_class(folder: Path, assignment: str, learners: dict[str, str]) -> Path:
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


def grade_command(assignment: str, submissions: Path, out: Path, db_url: str,
                  *options: str, timeout: float = 900) -> subprocess.CompletedProcess:
    """``python -m autograder grade`` as an instructor runs it (``--jobs 2`` unless
    ``options`` choose a scheduler)."""
    where = list(options) if any(o.startswith("--scheduler") for o in options) \
        else ["--jobs", "2", *options]
    return subprocess.run(
        [sys.executable, "-m", "autograder", "grade", assignment, str(submissions),
         "--out", str(out), "--db", db_url, *where],
        capture_output=True, text=True, timeout=timeout, cwd=REPO_ROOT,
        env={**os.environ, "TF_CPP_MIN_LOG_LEVEL": "2"})


def read_rows(path: Path) -> list[dict]:
    with open(path, newline="", encoding="utf-8") as file:
        return list(csv.DictReader(file))


def nbgrader_export(db_url: str, to: Path) -> list[dict]:
    """nbgrader's own ``export`` of the gradebook at ``db_url``: its CSV rows."""
    done = subprocess.run(
        [str(NBGRADER), "export", f"--NbGrader.config_file={CONFIG_FILE}",
         f"--CourseDirectory.db_url={db_url}", f"--to={to}"],
        capture_output=True, text=True, timeout=300, cwd=CONFIG_FILE.parent,
        env={**os.environ, "PATH": f"{Path(sys.executable).parent}:{os.environ['PATH']}"})
    assert done.returncode == 0, done.stderr[-2000:]
    return read_rows(to)
