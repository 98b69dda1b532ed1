"""The adversarial review's submissions of minibatch (files/hostile_minibatch/) earn what
their ``# earns:`` lines say, judged as the grading command judges them: the notebook run
in process, the report judged by autograder.verdict, the parts' source rules
(autograder.source_rules) read from the rebuilt notebook.

A fixture's code goes into the answer cell of the first function it defines; the answer
cells of the others it defines are emptied; every other part keeps the solution and its
full points.
"""

from __future__ import annotations

import ast
import re
import zlib
from dataclasses import dataclass
from pathlib import Path

import nbformat
import pytest

from autograder import assignments, parts, source_rules, verdict
from autograder.cell_names import cell_namer
from notebooks import FILES, load, run_in_process, with_solutions

HOSTILE = FILES / "hostile_minibatch"
EARNS = re.compile(r"^# earns: (\S+) (\S+) (one step|trajectory|passed|missing|error)"
                   r"(?: \| (.+))?$", re.M)


@dataclass
class Earns:
    grade_id: str
    score: float
    stage: str
    fragment: str | None


def _fixtures() -> list[Path]:
    return sorted(HOSTILE.glob("*.py"))


def _earns(path: Path) -> dict[str, Earns]:
    found = {grade_id: Earns(grade_id, float(score), stage, fragment)
             for grade_id, score, stage, fragment in EARNS.findall(path.read_text())}
    assert found, f"{path} has no '# earns: <grade_id> <score> <stage>' line"
    return found


def _notebook(path: Path) -> dict:
    code = path.read_text(encoding="utf-8")
    defined = [node.name for node in ast.parse(code).body if isinstance(node, ast.FunctionDef)]
    return with_solutions(load("minibatch"), {defined[0]: code,
                                              **{name: "" for name in defined[1:]}})


def graded(notebook: dict, report_dir: Path, seed: int) -> dict:
    """{grade_id: PartResult} as batch.judge_run gets them: verdict, then source rules."""
    rebuilt = nbformat.from_dict(notebook)
    names = cell_namer(rebuilt, assignments.get("minibatch").part_titles)
    breaches = source_rules.breaches(rebuilt, parts.parts("minibatch").values(), names)
    judged = verdict.judge("minibatch", run_in_process(notebook, report_dir, seed), seed)
    return {part.grade_id: part for part in source_rules.applied(judged, breaches)}


def test_the_readme_lists_every_fixture():
    readme = (HOSTILE / "README.md").read_text(encoding="utf-8")
    assert {path.name for path in _fixtures()} == set(re.findall(r"`(\w+\.py)`", readme))


@pytest.mark.slow
@pytest.mark.parametrize("path", _fixtures(), ids=lambda path: path.stem)
def test_a_hostile_submission_earns_only_what_it_should(path, tmp_path):
    seed = zlib.crc32(path.stem.encode())
    expected = _earns(path)
    for grade_id, part in graded(_notebook(path), tmp_path, seed).items():
        if grade_id not in expected:  # the solution's parts keep their points
            assert (part.score, part.stage) == (part.max_score, "passed"), part.message
            continue
        want = expected[grade_id]
        assert (part.score, part.stage) == (want.score, want.stage), part.message
        assert want.fragment is None or want.fragment in part.message, part.message


@pytest.mark.slow
def test_the_solution_breaks_no_source_rule_and_keeps_full_marks(tmp_path):
    results = graded(load("minibatch"), tmp_path, 4242)
    assert [(part.score, part.stage) for part in results.values()] == [
        (part.max_score, "passed") for part in results.values()]
