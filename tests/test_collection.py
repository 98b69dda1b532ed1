"""Every test file under tests/ is one that `make test` collects.

pytest skips the folders its ``norecursedirs`` names (by default ``dist`` and ``build``
among them) without a word: tests/dist/ once went unrun that way while its tests went stale.
"""

from __future__ import annotations

import fnmatch
import tomllib
from pathlib import Path

TESTS = Path(__file__).parent
PYPROJECT = TESTS.parent / "pyproject.toml"


def _skipped_folders() -> list[str]:
    options = tomllib.loads(PYPROJECT.read_text(encoding="utf-8"))["tool"]["pytest"]["ini_options"]
    return options["norecursedirs"]  # unset, pytest's default list (with "dist") would apply


def test_no_folder_holding_tests_is_one_pytest_skips():
    patterns = _skipped_folders()
    skipped = set()
    for path in TESTS.rglob("test_*.py"):
        for folder in path.relative_to(TESTS).parent.parts:
            if any(fnmatch.fnmatch(folder, pattern) for pattern in patterns):
                skipped.add(str(path.relative_to(TESTS)))
    assert sorted(skipped) == []
