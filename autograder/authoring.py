"""Write the parts' specs into their source notebook, so that nothing there is kept by hand.

For each part of an assignment (:mod:`autograder.parts`), in
``solutions/<name>/<name>.ipynb``:

- the **answer cell** (grade id = the part's name; a new part's is the code cell with a
  ``### BEGIN SOLUTION`` block that defines the part's first function) gets nbgrader's
  metadata of a solution cell;
- the **test cell** (grade id ``test_<part>``; a new part's is the code cell after its answer
  cell, holding the visible checks) gets the metadata of an autograded test with the
  spec's points, the check call as its first hidden block, and ``_points`` as its last;
- the heading ``## Part <n>: ...`` ends with the points, ``(3 points)``;
- the intro table ``| Part | What you write | Points |`` gets one row per part.

``python -m autograder.release`` (``make exercises``) runs this before nbgrader writes the
learners' copy; a test fails when a source notebook is not what this would write.
"""

from __future__ import annotations

import copy
import re

import nbformat

from autograder import parts
from autograder.assignments import HEADING, get

BEGIN, END = "### BEGIN HIDDEN TESTS", "### END HIDDEN TESTS"
HIDDEN_BLOCK = re.compile(r"### BEGIN HIDDEN TESTS\n.*?### END HIDDEN TESTS\n?", re.S)
RESULT_BLOCK = f"{BEGIN}\n_points\n{END}"
TABLE_HEADER = "| Part | What you write | Points |"


class AuthoringError(ValueError):
    """A source notebook that cannot take its parts' specs: the message says what to add."""


def points_text(points: float) -> str:
    return f"{points:g} point" + ("" if points == 1 else "s")


def _nbgrader(cell) -> dict:
    return cell.get("metadata", {}).get("nbgrader", {})


def _defines(cell, function: str) -> bool:
    return bool(re.search(rf"^(def|class) {re.escape(function)}\b", cell.source, re.M))


def _answer_cell(notebook, spec, where: str):
    cells = notebook.cells
    found = [k for k, c in enumerate(cells) if _nbgrader(c).get("grade_id") == spec.name]
    if not found:
        # A new part's: not yet any part's cell.
        found = [k for k, c in enumerate(cells) if c.cell_type == "code"
                 and not _nbgrader(c).get("grade_id") and "### BEGIN SOLUTION" in c.source
                 and _defines(c, spec.functions[0])]
    return found[0] if found else None


def _test_cell(notebook, spec, answer: int | None, where: str) -> int:
    cells = notebook.cells
    found = [k for k, c in enumerate(cells) if _nbgrader(c).get("grade_id") == spec.grade_id]
    if found:
        return found[0]
    if answer is None:
        raise AuthoringError(
            f"{where}: no answer cell for part {spec.number} ({spec.key}): add a code cell "
            f"with a '### BEGIN SOLUTION' block that defines {spec.functions[0]}, followed by "
            "a code cell with its visible checks")
    following = [k for k in range(answer + 1, len(cells)) if cells[k].cell_type == "code"]
    if not following or _nbgrader(cells[following[0]]).get("solution"):
        raise AuthoringError(f"{where}: the answer cell of {spec.key} needs a code cell with "
                             "its visible checks right after it (the test cell)")
    return following[0]


def _with_hidden_blocks(text: str, check: str) -> str:
    """The test cell's text with the check as its first hidden block and the points last."""
    visible = HIDDEN_BLOCK.sub("", text).strip("\n")
    return f"{BEGIN}\n{check}{END}\n{visible}\n{RESULT_BLOCK}"


def _set_cell(cell, metadata: dict, source: str | None = None) -> None:
    cell.metadata["nbgrader"] = {**metadata, "schema_version": 3}
    if source is not None:
        cell.source = source


def _heading(notebook, spec, where: str) -> None:
    for cell in notebook.cells:
        if cell.cell_type != "markdown":
            continue
        match = next((m for m in HEADING.finditer(cell.source)
                      if int(m.group(1)) == spec.number), None)
        if match:
            line = f"## Part {spec.number}:{match.group(2)} ({points_text(spec.points)})"
            cell.source = cell.source[:match.start()] + line + cell.source[match.end():]
            return
    raise AuthoringError(f"{where}: no heading '## Part {spec.number}: <title>' for "
                         f"{spec.key}; add it above the part's instructions")


def _table(notebook, specs, where: str) -> None:
    for cell in notebook.cells:
        lines = cell.source.split("\n")
        starts = [k for k, line in enumerate(lines) if line.strip() == TABLE_HEADER]
        if cell.cell_type != "markdown" or not starts:
            continue
        start = starts[0]
        end = start + 1
        while end < len(lines) and lines[end].startswith("|"):
            end += 1
        rows = [TABLE_HEADER, "|------|----------------|--------|"] + [
            f"| {spec.number} | {spec.summary} | {spec.points:g} |" for spec in specs]
        cell.source = "\n".join(lines[:start] + rows + lines[end:])
        return
    raise AuthoringError(f"{where}: no intro table starting with the line '{TABLE_HEADER}'")


def synced(name: str) -> nbformat.NotebookNode:
    """The source notebook of assignment ``name`` as the specs say it must be (a copy)."""
    assignment = get(name)
    where = str(assignment.source_path.relative_to(assignment.source_path.parents[2]))
    if not assignment.source_path.is_file():
        raise AuthoringError(
            f"{where} not found: each assignment's source notebook lies there. Start from a "
            "copy of solutions/tensors/tensors.ipynb: keep its intro table and its locked "
            "Setup cell, and give each part a heading, an answer cell and a test cell")
    notebook = copy.deepcopy(assignment.source)
    specs = list(parts.parts(name).values())
    order = []
    for spec in specs:
        answer = _answer_cell(notebook, spec, where)
        test = _test_cell(notebook, spec, answer, where)
        if answer is not None:
            order.append(answer)
            _set_cell(notebook.cells[answer], {"grade": False, "grade_id": spec.name,
                                               "locked": False, "solution": True})
        order.append(test)
        _set_cell(notebook.cells[test],
                  {"grade": True, "grade_id": spec.grade_id, "locked": True,
                   "points": spec.points, "solution": False},
                  _with_hidden_blocks(notebook.cells[test].source, spec.hidden_code()))
        _heading(notebook, spec, where)
    if order != sorted(order):
        raise AuthoringError(f"{where}: the parts' cells are not in the order of their "
                             "numbers; renumber the specs or move the cells")
    _table(notebook, specs, where)
    return notebook


def check_synced(name: str) -> None:
    """Raise AuthoringError when the source notebook is not what the specs say it must be:
    its points or checks would differ from the ones the grader judges by."""
    assignment = get(name)
    if synced(name) != assignment.source:
        raise AuthoringError(
            f"{assignment.source_path} is out of step with its parts' specs "
            f"(autograder/parts/{name}/): run `make exercises` to write them into it")


def sync(name: str) -> bool:
    """Write the synced source notebook of ``name`` when it differs; whether it did."""
    assignment = get(name)
    notebook = synced(name)
    if notebook == assignment.source:
        return False
    nbformat.write(notebook, assignment.source_path)
    assignment.__dict__.pop("source", None)  # read it again when next needed
    return True
