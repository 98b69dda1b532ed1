"""The four graded assignments and where their notebooks live.

One assignment per chapter. ``solutions/<name>/<name>.ipynb`` is the nbgrader *source*
notebook (solutions, visible and hidden tests, points); ``exercises/<name>/<name>.ipynb`` is
the learners' copy that ``python -m autograder.release`` generates from it.
"""

from __future__ import annotations

import json
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
ASSIGNMENTS: tuple[str, ...] = ("tensors", "tapes", "variables", "linear_fit")


class UnknownAssignmentError(ValueError):
    """Raised for a name that is not one of :data:`ASSIGNMENTS`."""


def check_assignment(name: str) -> str:
    """Return ``name`` if it is a known assignment, else raise a specific error."""
    if name not in ASSIGNMENTS:
        raise UnknownAssignmentError(
            f"unknown assignment {name!r}; the assignments are {', '.join(ASSIGNMENTS)}"
        )
    return name


def source_notebook(name: str) -> Path:
    """The nbgrader source notebook, ``solutions/<name>/<name>.ipynb``."""
    return REPO_ROOT / "solutions" / check_assignment(name) / f"{name}.ipynb"


def release_notebook(name: str) -> Path:
    """The learners' copy, ``exercises/<name>/<name>.ipynb``."""
    return REPO_ROOT / "exercises" / check_assignment(name) / f"{name}.ipynb"


def grade_cells(name: str) -> dict[str, float]:
    """``{grade_id: points}`` of the autograded test cells, in notebook order.

    Read from the source notebook's nbgrader metadata: the cells with ``grade: true`` that
    are not solution cells (the ones the autograder scores).
    """
    notebook = json.loads(source_notebook(name).read_text(encoding="utf-8"))
    cells = {}
    for cell in notebook["cells"]:
        meta = cell.get("metadata", {}).get("nbgrader", {})
        if meta.get("grade") and not meta.get("solution"):
            cells[meta["grade_id"]] = float(meta["points"])
    return cells
