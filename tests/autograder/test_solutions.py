"""Through real kernels: plain nbgrader grades the solutions full and the blanks zero,
learners can validate, and a sandbox-mode run of a wrong notebook is judged as expected.

One throwaway course folder holds every assignment (solutions/ copied in,
generate_assignment, two submissions each: the solution itself and the untouched release),
graded by ``nbgrader autograde`` exactly as an instructor without our grading command would.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient
from nbgrader.api import Gradebook

from autograder import verdict
from autograder.assignments import ASSIGNMENTS, grade_cells, source_notebook
from autograder.course import CONFIG_FILE
from notebooks import environment, load, variants, with_solutions

NBGRADER = Path(sys.executable).with_name("nbgrader")
pytestmark = pytest.mark.slow


def _nbgrader(*args, root: Path) -> subprocess.CompletedProcess:
    command = [str(NBGRADER), *args, f"--NbGrader.config_file={CONFIG_FILE}",
               f"--CourseDirectory.root={root}",
               f"--CourseDirectory.db_url=sqlite:///{root / 'gradebook.db'}"]
    # PATH as the caller has it: the course config itself finds the venv's `alembic`.
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "2"}
    env.pop("TTT_REPORT_DIR", None)  # plain mode: the probe judges in the kernel
    return subprocess.run(command, cwd=root, env=env, capture_output=True, text=True,
                          timeout=900)


@pytest.fixture(scope="module")
def course(tmp_path_factory):
    """(course root, {assignment: {student: {grade_id: score}}}) after plain autograde.

    One course holds every assignment, released and graded by one `nbgrader ... "*"` each,
    as an instructor grading them all at once would: the same converters, run once per
    assignment inside one process, not five processes (each pays nbgrader's import)."""
    root = tmp_path_factory.mktemp("course")
    for name in ASSIGNMENTS:
        shutil.copytree(source_notebook(name).parent, root / "solutions" / name)
    done = _nbgrader("generate_assignment", "*", root=root)
    assert done.returncode == 0, done.stderr[-3000:]
    submitted = {}
    for name in ASSIGNMENTS:
        submitted[name] = {"solution": load(name), "blank": json.loads(
            (root / "exercises" / name / f"{name}.ipynb").read_text(encoding="utf-8"))}
        if name == "linear_fit":  # a right answer that warns and prints on stderr
            noisy = next(v for v in variants(name) if v.path.stem == "stderr_noise")
            submitted[name]["noisy"] = with_solutions(load(name), {noisy.grade_id: noisy.code})
        for student, notebook in submitted[name].items():
            folder = root / "_build" / "grading" / "submitted" / student / name
            folder.mkdir(parents=True)
            (folder / f"{name}.ipynb").write_text(json.dumps(notebook), encoding="utf-8")
    done = _nbgrader("autograde", "*", root=root)
    assert done.returncode == 0, done.stderr[-3000:]
    scores = {}
    with Gradebook(f"sqlite:///{root / 'gradebook.db'}") as gradebook:
        for name, students in submitted.items():
            scores[name] = {}
            for student in students:
                submission = gradebook.find_submission_notebook(name, name, student)
                scores[name][student] = {grade.name: grade.score for grade in submission.grades
                                         if grade.name in grade_cells(name)}
    return root, scores


@pytest.fixture(params=ASSIGNMENTS)
def autograded(request, course):
    """(assignment, course root, {student: {grade_id: score}}) of one assignment."""
    root, scores = course
    return request.param, root, scores[request.param]


def test_the_solution_scores_full_marks_under_plain_nbgrader(autograded):
    name, root, scores = autograded
    assert scores["solution"] == grade_cells(name)
    graded = nbformat.read(root / "_build/grading/autograded/solution" / name / f"{name}.ipynb", 4)
    for cell in graded.cells:
        if cell.cell_type == "code":
            assert not [o for o in cell.outputs if o.output_type == "error"], cell.source


def test_output_on_stderr_costs_no_points(autograded):
    """TensorFlow's logs, and for linear_fit a learner who warns and prints on stderr."""
    name, root, scores = autograded
    for student in scores.keys() - {"blank"}:
        assert scores[student] == grade_cells(name), student
        graded = nbformat.read(root / "_build/grading/autograded" / student / name
                               / f"{name}.ipynb", 4)
        stderr = [o for cell in graded.cells if cell.cell_type == "code" for o in cell.outputs
                  if o.output_type == "stream" and o.name == "stderr"]
        assert stderr == []  # IgnorePattern dropped them before scoring


def test_the_untouched_release_scores_zero_without_crashing(autograded):
    name, root, scores = autograded
    assert scores["blank"] == {grade_id: 0.0 for grade_id in grade_cells(name)}
    graded = root / "_build/grading/autograded/blank" / name / f"{name}.ipynb"
    assert graded.exists()


@pytest.mark.parametrize("name", ASSIGNMENTS)
def test_learners_can_validate_a_finished_notebook(name, tmp_path):
    # The solution with its hidden tests removed is what a learner who got it right holds.
    notebook = json.loads(source_notebook(name).read_text(encoding="utf-8"))
    for cell in notebook["cells"]:
        text = "".join(cell["source"])
        while "### BEGIN HIDDEN TESTS" in text:
            start = text.index("### BEGIN HIDDEN TESTS")
            end = text.index("### END HIDDEN TESTS") + len("### END HIDDEN TESTS")
            text = text[:start] + text[end:]
        cell["source"] = text
    path = tmp_path / f"{name}.ipynb"
    path.write_text(json.dumps(notebook), encoding="utf-8")
    done = _nbgrader("validate", str(path), root=tmp_path)
    assert "Success! Your notebook passes all the tests." in done.stdout, done.stdout[-3000:]


def test_a_wrong_notebook_run_in_sandbox_mode_is_judged_outside(tmp_path):
    """The grading command's path, minus the sandbox: kernel writes, verdict judges."""
    chosen = {v.path.stem + "/" + v.grade_id: v for v in variants("linear_fit")}
    numpy_bug = chosen["sum_instead_of_mean/train_step_numpy"]
    tf_bug = chosen["rebound/train_step_tf"]
    notebook = with_solutions(load("linear_fit"), {numpy_bug.grade_id: numpy_bug.code,
                                                   tf_bug.grade_id: tf_bug.code})
    seed = 424242
    with environment(TTT_REPORT_DIR=tmp_path, TTT_GRADING_SEED=seed, TF_CPP_MIN_LOG_LEVEL=2):
        client = NotebookClient(nbformat.reads(json.dumps(notebook), as_version=4), timeout=300, allow_errors=True,
                                kernel_name="python3", resources={"metadata": {"path": tmp_path}})
        client.execute()
    parts = {p.grade_id: p for p in verdict.judge("linear_fit", tmp_path / "report.jsonl", seed)}
    assert (parts["test_train_step_numpy"].score, parts["test_train_step_numpy"].stage) == (0, "one step")
    assert "sum instead of mean" in parts["test_train_step_numpy"].message
    assert (parts["test_train_step_tf"].score, parts["test_train_step_tf"].stage) == (0, "one step")
    assert "variables rebound" in parts["test_train_step_tf"].message
    assert (parts["test_convergence"].score, parts["test_convergence"].stage) == (0, "convergence")
