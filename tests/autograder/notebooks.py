"""Shared helpers of the autograder tests: load, edit and run assignment notebooks.

A wrong submission is the source notebook with one solution cell replaced by a variant
from files/<assignment>/<part>/ (one small .py file per variant, replacing the solution
cell ``<part>``). Running "in process" executes the notebook's setup, locked and solution
cells in a fresh namespace and then the probe calls of the hidden tests, in sandbox mode
(report file, no judging) -- no kernel, so it is fast.

A variant's ``# expect`` lines say what the verdict must find; every graded part they do
not name must keep its full marks. Two forms:

``# expect <grade_id> <score> <stage> | <fragment>``
    explicit: the part ``<grade_id>`` gets exactly ``<score>`` points at ``<stage>`` (one
    of :data:`autograder.results.STAGES`), and its message contains ``<fragment>`` (the
    ``| <fragment>`` is optional). One line per part the variant changes. The only form
    for a :class:`~autograder.parts.spec.CustomPart` (linear_fit: its bugs are not
    simulated), for a hint or a partial-credit wording rather than a named bug, and for a
    bug that the variant shows in more cases than the spec's simulation does.

``# expect bug: <bug name>``
    derived: the variant is the named bug of its part's spec (the folder's name; the name
    is one of that :class:`~autograder.parts.spec.ArrayPart`'s ``bugs``). The part gets
    the score and stage that the spec's own judging gives the simulated bug at the seed
    the variant runs with -- ``verdict.judge_record`` of ``reports.array_record(spec,
    seed, bug)``, so a bug that shows only in some cases, or a partial-credit rule, is
    priced as the spec prices it -- and its message contains ``Bug: <bug name>``.
    At most one such line, and no explicit line for the same part.
"""

from __future__ import annotations

import copy
import json
import os
import re
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import reports
from autograder import parts
from autograder.assignments import source_notebook
from autograder import verdict
from autograder.parts.spec import ArrayPart

FILES = Path(__file__).parent / "files"
HIDDEN = re.compile(r"### BEGIN HIDDEN TESTS\n(.*?)### END HIDDEN TESTS", re.S)
EXPECT = re.compile(r"^# expect (?!bug:)(\S+) (\S+) "
                    r"(one step|trajectory|convergence|passed|missing|error)(?: \| (.+))?$", re.M)
EXPECT_BUG = re.compile(r"^# expect bug: (.+?)[ \t]*$", re.M)


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
    bug: str | None  # a fragment the part's message must contain


@dataclass
class Variant:
    path: Path
    assignment: str
    grade_id: str  # the solution cell it replaces: its part's name
    code: str
    expected: list[Expectation]  # the explicit ``# expect`` lines
    bug: str | None = None  # ``# expect bug: <name>``: a named bug of the part's spec

    @property
    def name(self) -> str:
        return f"{self.assignment}/{self.grade_id}/{self.path.stem}"

    def expectations(self, seed: int) -> list[Expectation]:
        """Every part this variant changes and what it must get when run with ``seed``:
        the explicit lines, and the derived one of ``# expect bug:``."""
        if self.bug is None:
            return list(self.expected)
        spec = parts.part(self.assignment, self.grade_id)
        bug = next(bug for bug in spec.bugs if bug.name == self.bug)
        simulated = verdict.judge_record(self.assignment,
                                         reports.array_record(spec, seed, bug), seed)
        return self.expected + [Expectation(spec.grade_id, simulated.score, simulated.stage,
                                            f"Bug: {bug.name}")]


def _expected_bug(path: Path, assignment: str, part: str, code: str,
                  expected: list[Expectation]) -> str | None:
    """The bug named by the variant's ``# expect bug:`` line, checked against its spec."""
    named = EXPECT_BUG.findall(code)
    if not named:
        return None
    assert len(named) == 1, f"{path}: more than one '# expect bug:' line"
    spec = parts.part(assignment, part)
    assert isinstance(spec, ArrayPart), (
        f"{path}: {spec.key} is a {type(spec).__name__}, whose bugs are not simulated; "
        "write '# expect <grade_id> <score> <stage> | <fragment>' instead")
    bugs = [bug.name for bug in spec.bugs]
    assert named[0] in bugs, (f"{path}: '# expect bug: {named[0]}' names no bug of "
                              f"{spec.key}; its bugs are: {'; '.join(bugs)}")
    assert all(e.grade_id != spec.grade_id for e in expected), (
        f"{path}: both '# expect bug:' and an explicit line for {spec.grade_id}")
    return named[0]


def variants(assignment: str) -> list[Variant]:
    """Every wrong submission of the corpus for ``assignment``."""
    found = []
    for path in sorted((FILES / assignment).glob("*/*.py")):
        code = path.read_text(encoding="utf-8")
        part = path.parent.name
        expected = [Expectation(g, float(s), stage, fragment)
                    for g, s, stage, fragment in EXPECT.findall(code)]
        bug = _expected_bug(path, assignment, part, code, expected)
        assert expected or bug, f"{path} has no '# expect' line"
        found.append(Variant(path, assignment, part, code, expected, bug))
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


@contextmanager
def _keras_settings_restored():
    """A learner's code run in the test process may change Keras's global float type (a
    hostile fixture does): put it back, or later tests compute in another precision."""
    import sys

    keras = sys.modules.get("keras")
    floatx = keras.backend.floatx() if keras else None
    try:
        yield
    finally:
        keras = sys.modules.get("keras")
        if keras is not None:
            keras.backend.set_floatx(floatx or "float32")


def run_in_process(notebook: dict, report_dir: Path, seed: int) -> Path:
    """Execute the notebook's non-test cells, then its hidden probe calls; the report path."""
    namespace = {"__name__": "__main__"}
    with environment(TTT_REPORT_DIR=report_dir, TTT_GRADING_SEED=seed), \
            _keras_settings_restored():
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


def run_visible_checks(notebook: dict) -> dict[str, str | None]:
    """Run the notebook as a learner's "Run all" does, hidden tests left out (they are not in
    the released copy): ``{test grade_id: the error its visible checks raised, or None}``."""
    namespace = {"__name__": "__main__"}
    failures: dict[str, str | None] = {}
    with _keras_settings_restored():
        for cell in notebook["cells"]:
            if cell["cell_type"] != "code":
                continue
            meta = nbgrader_meta(cell)
            code = HIDDEN.sub("", source(cell))
            try:
                exec(compile(code, meta.get("grade_id", "cell"), "exec"), namespace)
                error = None
            except Exception as raised:  # a failing check, or a learner cell that raised
                error = f"{type(raised).__name__}: {raised}"[:300]
            if meta.get("grade") and not meta.get("solution"):
                failures[meta["grade_id"]] = error
    return failures
