"""A class of linear_fit submissions for the grading-command tests: honest, broken, hostile.

``build_class(folder)`` writes ``folder/<learner_id>/linear_fit.ipynb`` for every learner in
:data:`EXPECTED` and returns nothing; the hostile cells come from files/hostile/.
"""

from __future__ import annotations

import copy
import json
import os
import re
from pathlib import Path

import nbformat

from autograder.assignments import REPO_ROOT, source_notebook
from autograder.submission import HIDDEN_TESTS, grade_id_of, is_answer, is_protected

HOSTILE = Path(__file__).parent / "files" / "hostile"
ASSIGNMENT = "linear_fit"
FULL = "full"  # expected score: the assignment's maximum

# learner_id -> (expected score, a fragment the status must contain)
EXPECTED: dict[str, tuple[float | str, str]] = {
    "correct_learner": (FULL, "graded"),
    "background_processes": (FULL, "graded"),
    "deleted_tests": (FULL, "restored deleted cells: test_convergence, "
                            "test_fastest_learning_rate, test_train_step_numpy"),
    "duplicate_ids": (FULL, "duplicate cells ran as extra code: test_train_step_numpy"),
    "edited_tests": (0.0, "restored edited cells: test_convergence, "
                          "test_fastest_learning_rate, test_train_step_numpy"),
    "corrupt_json": (0.0, "corrupt file: invalid JSON"),
    "not_a_notebook": (0.0, "not a notebook"),
    "wrong_notebook": (0.0, "wrong notebook"),
    "symlink_to_solutions": (0.0, "refused: the submission is a symbolic link"),
    "missing_file": (0.0, "no submission: linear_fit.ipynb not found"),
    "infinite_loop": (0.0, "(train_step_numpy) timed out"),
    "os_exit": (0.0, "kernel died"),
    "memory_hog": (0.0, "stopped: used more than"),
    "thread_bomb": (0.0, "stopped: ran more than 512 processes or threads"),
    "fills_disk": (FULL, "graded"),
    "monkeypatched_asserts": (0.0, "graded"),
    "patched_grader": (0.0, "graded"),
    "rigged_eq": (0.0, "graded"),
    "reads_solutions": (0.0, "graded"),
    "overwrites_files": (0.0, "graded"),
    "kills_parent": (0.0, "stopped: the notebook's processes were killed"),
    "jumps_after_first_call": (0.0, "graded"),  # no descent: no convergence points either
    # The NumPy step's 4, its convergence point, and the fastest rate's 2 (every learner here
    # but the broken ones keeps that part's solution).
    "finite_differences": (7.0, "graded"),
    "socket_hog": (0.0, "stopped: used more than 1.5 GiB of memory beyond its in-memory "
                        "folders, counting what the kernel held"),
    "inode_hog": (0.0, "stopped: made more than 65536 files and folders in /tmp"),
    "recognises_swapped_losses": (7.0, "graded"),
    "inner_tf_function": (FULL, "graded"),
    # The NumPy step's 4, its convergence point and the fastest rate's 2; its escape
    # sequences reach no file.
    "control_chars": (7.0, "graded"),
    # A forged part "could not be read"; the honest NumPy (4), convergence (2) and fastest
    # rate (2) parts count.
    "forged_report_types": (8.0, "graded"),
}
# Where the grader can make no control group, the host floor stops what it would have.
WITHOUT_CGROUPS = {"socket_hog": "stopped: the machine ran low on memory"}
LEFTOVER_MARKERS = ("987654", "987653")  # the sleep durations of background_processes.py
PWNED_NAME = "pwned-by-hostile-submission.txt"


def _source() -> nbformat.NotebookNode:
    return nbformat.read(source_notebook(ASSIGNMENT), as_version=4)


def released_with_answers(answers: dict[str, str] | None = None) -> nbformat.NotebookNode:
    """What a learner hands in: hidden tests removed, answer cells as given (default: the
    solution's own answers)."""
    notebook = _source()
    for cell in notebook.cells:
        if is_protected(cell):
            cell.source = HIDDEN_TESTS.sub("", cell.source)
        elif is_answer(cell) and answers is not None:
            cell.source = answers.get(grade_id_of(cell), "")
    return notebook


def solution_code() -> str:
    return "\n\n".join(c.source for c in _source().cells
                       if is_answer(c) and not is_protected(c))


def _hostile_cell(name: str) -> str:
    """files/hostile/<name>.py with its NOOP, SOLUTION and ``FIXTURE <path>`` lines expanded
    (the last: a bug fixture's code, files/<path>, so an attack is written only once)."""
    noop = (HOSTILE / "_noop_steps.py").read_text(encoding="utf-8")
    solution = solution_code()

    def expand(match: re.Match) -> str:
        indent, word = match.group(1), match.group(2)
        if word.startswith("FIXTURE "):
            fixture = (HOSTILE.parent / word.split(maxsplit=1)[1]).read_text(encoding="utf-8")
            body = "\n".join(line for line in fixture.splitlines()
                             if not line.startswith("# expect "))
        else:
            body = noop if word == "NOOP" else solution
        return "\n".join(indent + line if line else line for line in body.splitlines())

    code = (HOSTILE / f"{name}.py").read_text(encoding="utf-8")
    # The attacks name the instructor's checkout as @REPO_ROOT@: aim them at this one.
    code = code.replace("@REPO_ROOT@", str(REPO_ROOT))
    return re.sub(r"^([ \t]*)(NOOP|SOLUTION|FIXTURE \S+)[ \t]*$", expand, code, flags=re.M)


def _write(notebook, folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    nbformat.write(notebook, folder / f"{ASSIGNMENT}.ipynb")


def build_class(root: Path, learners: list[str] | None = None) -> None:
    """Write the submissions of the given learners (default: all of EXPECTED) under root."""
    for learner in learners or list(EXPECTED):
        folder = root / learner
        hostile = HOSTILE / f"{learner}.py"
        if hostile.is_file():
            _write(released_with_answers({"train_step_numpy": _hostile_cell(learner),
                                          "train_step_tf": "# (see the cell above)"}), folder)
        elif learner == "correct_learner":
            _write(released_with_answers(), folder)
        elif learner == "deleted_tests":
            notebook = released_with_answers()
            notebook.cells = [c for c in notebook.cells
                              if not (is_protected(c) and c.metadata["nbgrader"].get("grade"))]
            _write(notebook, folder)
        elif learner == "edited_tests":
            notebook = released_with_answers({"train_step_numpy": _hostile_cell("_noop_steps")})
            for cell in notebook.cells:
                if is_protected(cell) and cell.metadata["nbgrader"].get("grade"):
                    cell.source = 'print("all tests passed")'
            _write(notebook, folder)
        elif learner == "duplicate_ids":
            notebook = released_with_answers()
            index, test = next((i, c) for i, c in enumerate(notebook.cells)
                               if grade_id_of(c) == "test_train_step_numpy")
            twin = copy.deepcopy(test)
            twin.source = "pass"
            notebook.cells.insert(index + 1, twin)  # same grade_id AND same cell id
            folder.mkdir(parents=True, exist_ok=True)
            (folder / f"{ASSIGNMENT}.ipynb").write_text(json.dumps(notebook), encoding="utf-8")
        elif learner in ("corrupt_json", "not_a_notebook"):
            folder.mkdir(parents=True, exist_ok=True)
            # Kept as .broken, not .ipynb: tools that check the repo's notebooks skip them.
            (folder / f"{ASSIGNMENT}.ipynb").write_bytes(
                (HOSTILE / f"{learner}.broken").read_bytes())
        elif learner == "wrong_notebook":
            _write(nbformat.v4.new_notebook(cells=[
                nbformat.v4.new_markdown_cell("# My tensors homework"),
                nbformat.v4.new_code_cell("import numpy as np\nnp.ones(3)")]), folder)
        elif learner == "symlink_to_solutions":
            folder.mkdir(parents=True, exist_ok=True)
            os.symlink(source_notebook(ASSIGNMENT), folder / f"{ASSIGNMENT}.ipynb")
        elif learner == "missing_file":
            folder.mkdir(parents=True, exist_ok=True)
            (folder / "notes.txt").write_text("I could not finish, sorry.\n")
        else:
            raise KeyError(f"no recipe for learner {learner!r}")
