"""Fixtures of the learners' distribution tests: the wheel and sdist built once per session
into a temporary folder, and the book's launch settings as _config.yml gives them.

Helpers shared by these tests live in distcheck.py (this folder is put on sys.path, as
tests/book/conftest.py does for pages.py).
"""

import sys
from pathlib import Path

import pytest

_HERE = str(Path(__file__).resolve().parent)
if _HERE not in sys.path:
    sys.path.insert(0, _HERE)

import distcheck  # noqa: E402


@pytest.fixture(scope="session")
def dist_files(tmp_path_factory) -> dict[str, Path]:
    """`make dist`'s files, built by tools/build_dist.py into a temporary folder."""
    out = tmp_path_factory.mktemp("dist")
    written = distcheck.build_dist().build(out)
    files = {"wheel": next(p for p in written if p.suffix == ".whl"),
             "sdist": next(p for p in written if p.name.endswith(".tar.gz")),
             "requirements": next(p for p in written if p.name == "requirements.txt")}
    return files


@pytest.fixture(scope="session")
def settings() -> dict[str, str]:
    return distcheck.launch_settings()
