"""Adding a graded part, end to end, as an author does: in a copy of the repository, one spec
file, its words in the message catalogue and three notebook cells are added to the tensors
assignment, ``python -m autograder.release tensors`` writes the part into the notebooks (the
Chinese variant's new cells stay English until translated, and the release says so), and
``python -m autograder grade`` grades a correct and a buggy class in the sandbox.

The copy holds only what the two commands read: autograder/ (with nbgrader's course
configuration, autograder/nbgrader_config.py, whose course root is the folder above it),
book/ttt/ (the kernel imports ttt.data), solutions/, exercises/ and _config.yml (the
release names its install source in the exercises' set-up cell). The commands run in the
copy with PYTHONPATH pointing into it: the venv's editable install would otherwise import
autograder and ttt from the real repository.
"""

from __future__ import annotations

import copy
import csv
import hashlib
import html
import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import nbformat
import pytest
import yaml

from autograder import parts
from autograder.assignments import grade_cells

pytestmark = [pytest.mark.slow, pytest.mark.sandbox]

ASSIGNMENT = "tensors"
NAME = "row_norms"
NUMBER = len(parts.parts(ASSIGNMENT)) + 1  # the new last part
BUG = "squared norms (no square root)"

SPEC = f'''\
"""Part {NUMBER} of tensors (made by a test): the Euclidean norm of each row, in TF."""

import numpy as np

from autograder.cases import case, normal
from autograder.parts.spec import ArrayPart, Bug


def norms(case, axis=1):
    return np.sqrt((case.arrays["x"].astype(np.float64) ** 2).sum(axis=axis))


PART = ArrayPart(
    number={NUMBER}, points=1, summary="`row_norms` (TensorFlow)", functions=("row_norms",),
    cases=[case("{{n}} rows of {{k}}", dims={{"n": [3, 6], "k": [2, 5]}},
                arrays={{"x": normal("n", "k")}}),
           case("one row", arrays={{"x": normal(1, 4)}})],
    call={{"function": "row_norms", "args": [["tensor", "x"]], "record": [["result"]]}},
    reference=lambda case: [norms(case)],
    bugs=(Bug("row_norms_squared", lambda case: [norms(case) ** 2]),
          Bug("row_norms_columns", lambda case: [norms(case, axis=0)])),
    passed="row_norms",
    require_tensor=True,
)
'''
# Its words, added to autograder/messages.yml in both languages.
WORDS = {
    "bug": {"row_norms_squared": {
                "name": {"en": BUG, "zh-CN": "平方范数（没有开平方根）"},
                "advice": {"en": "Take tf.sqrt of the sums of squares.",
                           "zh-CN": "对平方和取 tf.sqrt。"}},
            "row_norms_columns": {
                "name": {"en": "norms of the columns", "zh-CN": "求的是各列的范数"},
                "advice": {"en": "Reduce along axis 1.", "zh-CN": "沿轴 1 归约。"}}},
    "passed": {"row_norms": {"en": "row_norms is right for every shape tried.",
                             "zh-CN": "row_norms 对试过的每一种形状都是对的。"}},
    "case_name": {"rows_of": {"en": "{n} rows of {k}", "zh-CN": "{n} 行，每行 {k} 个数"}},
}

HEADING = (f"## Part {NUMBER}: the norm of each row\n\n"
           "Write `row_norms(x)`: the Euclidean norm of each row of the `(N, K)` tensor `x`.")
ANSWER = textwrap.dedent("""\
    def row_norms(x):
        \"\"\"(N,) tensor: the Euclidean norm of each row of x.\"\"\"
        ### BEGIN SOLUTION
        return tf.sqrt(tf.reduce_sum(tf.square(x), axis=1))
        ### END SOLUTION""")
VISIBLE_CHECKS = textwrap.dedent("""\
    norms = row_norms(tf.constant([[3.0, 4.0], [0.0, 0.0]]))
    assert isinstance(norms, tf.Tensor), "return a tf.Tensor"
    assert np.allclose(norms, [5.0, 0.0]), norms.numpy()
    print("The visible checks pass.")""")
SQUARED = textwrap.dedent("""\
    def row_norms(x):
        return tf.reduce_sum(tf.square(x), axis=1)""")


def _hashes(root: Path) -> dict[str, str]:
    return {str(path.relative_to(root)): hashlib.sha256(path.read_bytes()).hexdigest()
            for path in sorted(root.rglob("*"))
            if path.is_file() and "__pycache__" not in path.parts}


def _nbgrader(cell) -> dict:
    return cell.metadata.get("nbgrader", {})


def _cell(notebook, grade_id: str):
    (cell,) = [c for c in notebook.cells if _nbgrader(c).get("grade_id") == grade_id]
    return cell


def _run(command: list[str], root: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(root), str(root / "book")])}
    env.pop("TTT_REPORT_DIR", None)
    done = subprocess.run([sys.executable, *command], cwd=root, env=env, capture_output=True,
                          text=True, timeout=900)
    assert done.returncode == 0, done.stderr[-4000:]
    return done


def _submit(folder: Path, notebook, answers: dict[str, str]) -> None:
    """The released notebook with its answer cells filled in, as a learner hands it in."""
    notebook = copy.deepcopy(notebook)
    for cell in notebook.cells:
        if _nbgrader(cell).get("solution"):
            cell.source = answers[_nbgrader(cell)["grade_id"]]
    folder.mkdir(parents=True)
    nbformat.write(notebook, folder / f"{ASSIGNMENT}.ipynb")


@pytest.fixture(scope="module")
def course(tmp_path_factory, repo_root):
    """The copy after the part was added, released and graded: its paths and outputs."""
    assert not (repo_root / "autograder/parts" / ASSIGNMENT / f"{NAME}.py").exists()
    top = tmp_path_factory.mktemp("new-part")
    root = top / "repo"
    for folder in ("autograder", "book/ttt", "solutions", "exercises"):
        shutil.copytree(repo_root / folder, root / folder,
                        ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(repo_root / "_config.yml", root)  # the exercises' set-up cell's source

    # The author's edits: the spec file, and three cells at the end of the source notebook
    # (the third file, a fixture under tests/autograder/files/, is not read here).
    (root / "autograder/parts" / ASSIGNMENT / f"{NAME}.py").write_text(SPEC, encoding="utf-8")
    catalogue = root / "autograder" / "messages.yml"
    words = yaml.safe_load(catalogue.read_text(encoding="utf-8"))
    for group, entries in WORDS.items():
        words[group].update(entries)
    catalogue.write_text(yaml.safe_dump(words, allow_unicode=True), encoding="utf-8")
    source = root / "solutions" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"
    notebook = nbformat.read(source, as_version=4)
    notebook.cells += [nbformat.v4.new_markdown_cell(HEADING, id="norms-heading"),
                       nbformat.v4.new_code_cell(ANSWER, id=NAME),
                       nbformat.v4.new_code_cell(VISIBLE_CHECKS, id=f"test_{NAME}")]
    nbformat.write(notebook, source)
    before = _hashes(root)

    released = _run(["-m", "autograder.release", ASSIGNMENT], root)
    after = _hashes(root)

    source_nb = nbformat.read(source, as_version=4)
    released_nb = nbformat.read(root / "exercises" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb", 4)
    answers = {_nbgrader(c)["grade_id"]: c.source for c in source_nb.cells
               if _nbgrader(c).get("solution")}
    submissions, out = top / "submissions", top / "out"
    _submit(submissions / "ada", released_nb, answers)
    _submit(submissions / "bob", released_nb, {**answers, NAME: SQUARED})
    graded = _run(["-m", "autograder", "grade", ASSIGNMENT, str(submissions), "--out",
                   str(out), "--jobs", "2", "--seed", "1",
                   "--db", f"sqlite:///{top / 'gradebook.db'}"], root)
    with open(out / "grades.csv", newline="", encoding="utf-8") as file:
        rows = {row["learner_id"]: row for row in csv.DictReader(file)}
    return {"root": root, "released": released, "graded": graded,
            "changed": {path for path in after if before.get(path) != after[path]},
            "source": source_nb, "exercise": released_nb, "rows": rows, "out": out}


def test_the_release_writes_only_the_notebooks(course):
    assert f"wrote {course['root'] / 'exercises'}" in course["released"].stdout
    assert course["changed"] == {f"solutions/{ASSIGNMENT}/{ASSIGNMENT}.ipynb",
                                 f"exercises/{ASSIGNMENT}/{ASSIGNMENT}.ipynb",
                                 f"exercises/zh-CN/{ASSIGNMENT}/{ASSIGNMENT}.ipynb"}
    # The new cells, and the intro whose table gained a row, wait for their translation.
    warnings = course["released"].stderr
    for cell in ("intro", "norms-heading", f"test_{NAME}"):
        assert f"solutions/{ASSIGNMENT}/zh-CN.yml: cell '{cell}'" in warnings


def test_the_source_notebook_gets_metadata_hidden_check_heading_and_table_row(course):
    notebook = course["source"]
    assert _nbgrader(_cell(notebook, NAME)) == {
        "grade": False, "grade_id": NAME, "locked": False, "solution": True,
        "schema_version": 3}
    test = _cell(notebook, f"test_{NAME}")
    assert _nbgrader(test) == {"grade": True, "grade_id": f"test_{NAME}", "locked": True,
                               "points": 1, "solution": False, "schema_version": 3}
    assert test.source.startswith("### BEGIN HIDDEN TESTS\nfrom autograder import probe\n")
    assert f'"{ASSIGNMENT}/{NAME}",\n    {{"{NAME}": {NAME}}},' in test.source
    assert VISIBLE_CHECKS in test.source
    assert test.source.endswith("### BEGIN HIDDEN TESTS\n_points\n### END HIDDEN TESTS")
    headings = [c.source for c in notebook.cells if c.cell_type == "markdown"]
    assert any(text.startswith(f"## Part {NUMBER}: the norm of each row (1 point)\n")
               for text in headings)
    assert any(f"\n| {NUMBER} | `row_norms` (TensorFlow) | 1 |\n" in text for text in headings)


def test_the_exercise_gets_the_stub_and_the_visible_checks_only(course):
    notebook = course["exercise"]
    stub = _cell(notebook, NAME).source
    assert stub.startswith("def row_norms(x):") and "raise NotImplementedError()" in stub
    assert "BEGIN SOLUTION" not in stub and "tf.sqrt" not in stub
    test = _cell(notebook, f"test_{NAME}").source
    assert test.strip() == VISIBLE_CHECKS
    assert "HIDDEN" not in test and "probe" not in test and "_points" not in test


def test_the_solution_earns_every_part_in_full(course):
    assert "graded 2 submissions of tensors (1 with full marks" in course["graded"].stdout
    row = course["rows"]["ada"]
    full = {**grade_cells(ASSIGNMENT), f"test_{NAME}": 1.0}  # the old parts' and the new
    assert {grade_id: float(row[grade_id]) for grade_id in full} == full
    assert float(row["score"]) == float(row["max_score"]) == sum(full.values())


def test_the_bug_is_named_and_costs_only_its_part(course):
    row = course["rows"]["bob"]
    assert float(row[f"test_{NAME}"]) == 0
    assert {grade_id: float(row[grade_id]) for grade_id in grade_cells(ASSIGNMENT)} == \
        grade_cells(ASSIGNMENT)
    assert float(row["score"]) == float(row["max_score"]) - 1
    page = html.unescape(
        (course["out"] / "feedback/bob" / ASSIGNMENT / f"{ASSIGNMENT}.html").read_text())
    assert f"Bug: {BUG}" in page
    assert "Bug:" not in html.unescape(
        (course["out"] / "feedback/ada" / ASSIGNMENT / f"{ASSIGNMENT}.html").read_text())
