"""The course's nbgrader configuration, read one way, once: autograder/nbgrader_config.py.

nbgrader's own commands read that file when run from autograder/; the grading command,
the release step and the gradebook read it here. Reading it changes nothing on disk.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

CONFIG_FILE = Path(__file__).with_name("nbgrader_config.py")


@cache
def config():
    """The course's traitlets configuration (a copy is safe to change: see fresh_config)."""
    from traitlets.config.loader import PyFileConfigLoader

    return PyFileConfigLoader(CONFIG_FILE.name, str(CONFIG_FILE.parent)).load_config()


def fresh_config():
    """A copy of the configuration the caller may change (the release step does)."""
    from copy import deepcopy

    return deepcopy(config())


def db_url() -> str:
    """The course's gradebook: the one nbgrader's own commands use."""
    return config().CourseDirectory.db_url


def course_id() -> str:
    return config().CourseDirectory.course_id


DEFAULT_BOOK_URL = "https://tensors-tapes-training.github.io/book/"


def book_url() -> str:
    """Where the feedback's links to the book point (``c.Feedback.book_url``)."""
    return str(config().Feedback.get("book_url", DEFAULT_BOOK_URL))
