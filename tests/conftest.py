"""Settings every test shares: quiet TensorFlow, headless matplotlib, the repo's root."""

import os
import shutil
import sys
from pathlib import Path

import pytest

# Before anything imports TensorFlow or pyplot.
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "0")
os.environ.setdefault("MPLBACKEND", "Agg")

REPO_ROOT = Path(__file__).resolve().parent.parent
# Helpers shared by several test folders (toc.py) import from here; the build's modules
# (tools/editions.py, page_pairs.py, translations.py) by their names, as the tools do.
for _folder in (Path(__file__).parent, REPO_ROOT / "tools"):
    if str(_folder) not in sys.path:
        sys.path.insert(0, str(_folder))


@pytest.fixture(scope="session")
def repo_root() -> Path:
    return REPO_ROOT


# TensorFlow imports in seconds: tests that need it ask for these fixtures, so collecting
# (or running only the NumPy tests) stays fast.
@pytest.fixture(scope="session")
def tf():
    import tensorflow

    return tensorflow


@pytest.fixture(scope="session")
def reference_tf():
    from ttt import reference_tf

    return reference_tf


def pytest_collection_modifyitems(config, items):
    """Tests marked ``sandbox`` prove the grading sandbox: without bubblewrap they fail, as
    they should, unless TTT_SKIP_SANDBOX_TESTS=1 says the skip is knowing."""
    if shutil.which("bwrap") is None and os.environ.get("TTT_SKIP_SANDBOX_TESTS") == "1":
        skip = pytest.mark.skip(reason="bubblewrap missing and TTT_SKIP_SANDBOX_TESTS=1")
        for item in items:
            if "sandbox" in item.keywords:
                item.add_marker(skip)


@pytest.fixture(scope="session")
def postgres():
    """One throwaway PostgreSQL cluster for the whole session (tests/postgres.py); each test
    makes its own database in it."""
    import postgres as cluster

    try:
        with cluster.throwaway_cluster() as running:
            yield running
    except cluster.PostgresUnavailable as error:
        pytest.fail(str(error))
