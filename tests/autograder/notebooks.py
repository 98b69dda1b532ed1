"""Shared helpers of the autograder tests: load, edit and run assignment notebooks.

A wrong submission is the source notebook with one solution cell replaced by a variant
from files/<assignment>/ (one small .py file per variant; its ``# expect`` lines say what
the verdict must find). Running "in process" executes the notebook's setup, locked and
solution cells in a fresh namespace and then the probe calls of the hidden tests, in
sandbox mode (report file, no judging) -- no kernel, so it is fast.
"""

from __future__ import annotations

import copy
import json
import os
import re
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from autograder.assignments import source_notebook

FILES = Path(__file__).parent / "files"
HIDDEN = re.compile(r"### BEGIN HIDDEN TESTS\n(.*?)### END HIDDEN TESTS", re.S)
EXPECT = re.compile(r"^# expect (\S+) (\S+) (one step|trajectory|convergence|passed|missing|error)"
                    r"(?: \| (.+))?$", re.M)


def load(assignment: str) -> dict:
    return json.loads(source_notebook(assignment).read_text(encoding="utf-8"))


def source(cell) -> str:
    text = cell["source"]
    return text if isinstance(text, str) else "".join(text)


def nbgrader_meta(cell) -> dict:
    return cell.get("metadata", {}).get("nbgrader", {})


def with_solutions(notebook: dict, replacements: dict[str, str]) -> dict:
    """A copy of ``notebook`` with the solution cells ``{grade_id: new source}`` replaced."""
    notebook = copy.deepcopy(notebook)
    left = dict(replacements)
    for cell in notebook["cells"]:
        grade_id = nbgrader_meta(cell).get("grade_id")
        if grade_id in left and nbgrader_meta(cell).get("solution"):
            cell["source"] = left.pop(grade_id)
    assert not left, f"no solution cells {sorted(left)}"
    return notebook


@dataclass
class Expectation:
    grade_id: str
    score: float
    stage: str
    bug: str | None


@dataclass
class Variant:
    path: Path
    assignment: str
    grade_id: str  # the solution cell it replaces
    code: str
    expected: list[Expectation]

    @property
    def name(self) -> str:
        return f"{self.assignment}/{self.grade_id}/{self.path.stem}"


def variants(assignment: str) -> list[Variant]:
    """Every wrong submission of the corpus for ``assignment``."""
    found = []
    for path in sorted((FILES / assignment).glob("*/*.py")):
        code = path.read_text(encoding="utf-8")
        expected = [Expectation(g, float(s), stage, bug) for g, s, stage, bug in EXPECT.findall(code)]
        assert expected, f"{path} has no '# expect' line"
        found.append(Variant(path, assignment, path.parent.name, code, expected))
    return found


@contextmanager
def environment(**values):
    saved = {key: os.environ.get(key) for key in values}
    os.environ.update({key: str(value) for key, value in values.items()})
    try:
        yield
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def run_in_process(notebook: dict, report_dir: Path, seed: int) -> Path:
    """Execute the notebook's non-test cells, then its hidden probe calls; the report path."""
    namespace = {"__name__": "__main__"}
    with environment(TTT_REPORT_DIR=report_dir, TTT_GRADING_SEED=seed):
        for cell in notebook["cells"]:
            if cell["cell_type"] != "code":
                continue
            meta = nbgrader_meta(cell)
            if meta.get("grade") and not meta.get("solution"):
                blocks = HIDDEN.findall(source(cell))
                exec(compile(blocks[0], meta["grade_id"], "exec"), namespace)
            else:
                try:
                    exec(compile(source(cell), meta.get("grade_id", "cell"), "exec"), namespace)
                except Exception:  # a broken learner cell: the probe records what follows
                    pass
    return Path(report_dir) / "report.jsonl"
