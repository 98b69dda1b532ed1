"""How feedback words what a learner's code did: raised errors and numbers."""

from __future__ import annotations

from autograder.protocol import RETURNED_NONE


def raised(function: str, error: str) -> str:
    """How feedback reports an error the learner's code raised."""
    if error.startswith("NotImplementedError"):
        return f"{function} is not written yet (it still raises NotImplementedError)"
    if error == f"TypeError: {RETURNED_NONE}":
        return f"{function} returned None"
    return f"{function} raised {error}"


def format_number(value: float) -> str:
    """A number as feedback shows it: four significant digits."""
    return f"{value:.4g}"
