"""Cells named as the learner sees them, for the feedback's list of errors.

The runner reports a cell by its index in the notebook, counted from 0 and including
Markdown cells: "cell 7" points nowhere a learner can find. Here a cell is named from the
notebook the grader ran (the host's own copy, never the runner's word): a part's test cell
by its part, an answer cell by its part and first line, any other code cell as the nth code
cell (counted from 1, as Jupyter's "Run all" shows them) with its first line. Names are
worded when asked for, in the language being spoken (:mod:`autograder.messages`).
"""

from __future__ import annotations

from typing import Callable, Mapping

from autograder.messages import say

FIRST_LINE_CHARS = 60


def first_line(source: str) -> str:
    """The first non-empty line of a cell, cut to fit in a sentence."""
    line = next((line.strip() for line in source.splitlines() if line.strip()), "")
    return line if len(line) <= FIRST_LINE_CHARS else line[:FIRST_LINE_CHARS - 1] + "\u2026"


def cell_namer(notebook, part_titles: Mapping[str, str]) -> Callable[[int | None], str]:
    """``name(index)``: how the feedback names the notebook's cell ``index``.

    ``part_titles``: ``{test grade_id: "Part 1: a NumPy step"}``, read when a name is asked
    for (:attr:`autograder.assignments.Assignment.part_titles` gives them in the language
    being spoken); an answer cell belongs to the part whose test id is
    ``test_<its grade_id>``."""
    code_number = {}
    for index, cell in enumerate(notebook.cells):
        if cell.cell_type == "code":
            code_number[index] = len(code_number) + 1

    def name(index: int | None) -> str:
        if index is None or not 0 <= index < len(notebook.cells) or index not in code_number:
            return say("cell.unknown")
        cell = notebook.cells[index]
        grade_id = cell.metadata.get("nbgrader", {}).get("grade_id")
        line = first_line(cell.source)
        shown = say("cell.first_line", line=line) if line else ""
        if grade_id in part_titles:
            return say("cell.test", part=part_titles[grade_id])
        if grade_id and f"test_{grade_id}" in part_titles:
            return say("cell.answer", part=part_titles[f"test_{grade_id}"], first_line=shown)
        return say("cell.code", number=code_number[index], first_line=shown)

    return name
