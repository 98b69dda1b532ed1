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
