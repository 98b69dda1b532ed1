"""One running kernel template for the tests of this folder (its imports cost seconds)."""

from __future__ import annotations

import pytest

from autograder.kernel_template.kernelspec import kernels_from_template


@pytest.fixture(scope="module")
def template():
    """The template process; kernels started by name (python3) meanwhile are forked by it."""
    with kernels_from_template() as process:
        yield process


@pytest.fixture
def own_template():
    """A template for one test alone (to kill it, say)."""
    with kernels_from_template() as process:
        yield process
