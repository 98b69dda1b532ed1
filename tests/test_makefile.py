"""The Makefile: the everyday targets use the environment as it is; set-up stays explicit."""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def stale_environment(tmp_path) -> Path:
    """A copy of the Makefile beside an installed .venv older than pyproject.toml."""
    shutil.copy(REPO_ROOT / "Makefile", tmp_path / "Makefile")
    (tmp_path / ".venv" / "bin").mkdir(parents=True)
    (tmp_path / ".venv" / "bin" / "python").write_text("")
    (tmp_path / ".venv" / ".installed").write_text("")
    (tmp_path / "requirements.lock").write_text("")
    (tmp_path / "pyproject.toml").write_text("")
    old = time.time() - 3600
    os.utime(tmp_path / ".venv" / ".installed", (old, old))
    return tmp_path


def _planned(folder: Path, target: str) -> str:
    return subprocess.run(["make", "-n", target], cwd=folder, capture_output=True, text=True,
                          check=True, env={**os.environ, "MAKEFLAGS": ""}).stdout


@pytest.mark.parametrize("target", ["exercises", "grade", "lab"])
def test_everyday_targets_never_reinstall_the_environment(stale_environment, target):
    assert "pip install" not in _planned(stale_environment, target)


def test_the_book_brings_a_stale_environment_up_to_date(stale_environment):
    # The same check, seeing what it looks for where it belongs.
    assert "pip install" in _planned(stale_environment, "book")


def test_everyday_targets_still_create_a_missing_environment(stale_environment):
    shutil.rmtree(stale_environment / ".venv")
    assert "pip install" in _planned(stale_environment, "exercises")


def test_make_clean_removes_the_build_but_never_a_gradebook(tmp_path):
    shutil.copy(REPO_ROOT / "Makefile", tmp_path / "Makefile")
    build = tmp_path / "_build"
    for name in ("html/index.html", "grading/feedback/ada/linear_fit.html",
                 "grading/gradebook.db", "elsewhere/term.db", "elsewhere/term.db-journal"):
        (build / name).parent.mkdir(parents=True, exist_ok=True)
        (build / name).write_text(name)
    cleaned = subprocess.run(["make", "clean"], cwd=tmp_path, capture_output=True, text=True,
                             env={**os.environ, "MAKEFLAGS": ""})
    assert cleaned.returncode == 0, cleaned.stderr
    left = sorted(str(p.relative_to(build)) for p in build.rglob("*") if p.is_file())
    assert left == ["elsewhere/term.db", "elsewhere/term.db-journal", "grading/gradebook.db"]
    assert "kept the gradebook(s)" in cleaned.stderr and "grading/gradebook.db" in cleaned.stderr
    # Without a gradebook the whole folder goes, as before.
    shutil.rmtree(build / "elsewhere")
    (build / "grading" / "gradebook.db").unlink()
    subprocess.run(["make", "clean"], cwd=tmp_path, check=True, capture_output=True,
                   env={**os.environ, "MAKEFLAGS": ""})
    assert not build.exists()


def test_make_grade_passes_the_gradebook_and_the_learners_on(stale_environment):
    planned = subprocess.run(
        ["make", "-n", "grade", "ASSIGNMENT=linear_fit", "SUBMISSIONS=subs", "OUT=out",
         "DB=sqlite:////srv/term.db", "ONLY=ada,grace", "DUE=2026-03-01T12:00"],
        cwd=stale_environment, capture_output=True, text=True, check=True,
        env={**os.environ, "MAKEFLAGS": ""}).stdout
    assert "--db 'sqlite:////srv/term.db'" in planned and "--only 'ada,grace'" in planned
    assert "--due '2026-03-01T12:00'" in planned
    assert "--db" not in _planned(stale_environment, "grade")  # the course's default
