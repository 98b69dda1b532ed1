"""The nbgrader source notebooks are well formed, and exercises/ is their fresh release."""

from __future__ import annotations

import json
import re

import pytest

from autograder import parts, release
from autograder.assignments import (ASSIGNMENTS, REPO_ROOT, UnknownAssignmentError, get,
                                    grade_cells, release_notebook, source_notebook)
from autograder.exercise_translations import TRANSLATED
from notebooks import HIDDEN, nbgrader_meta, source


def _load(path):
    return json.loads(path.read_text(encoding="utf-8"))


def _normalized(notebook: dict) -> dict:
    """Cell sources as one string each (nbformat may store lists of lines)."""
    notebook = json.loads(json.dumps(notebook))
    for cell in notebook["cells"]:
        cell["source"] = source(cell)
    return notebook


@pytest.mark.parametrize("name", ASSIGNMENTS)
def test_source_notebook_is_a_clean_nbgrader_source(name):
    notebook = _load(source_notebook(name))
    ids = [cell["id"] for cell in notebook["cells"]]
    assert len(set(ids)) == len(ids) and all(re.fullmatch(r"[a-z0-9_-]+", i) for i in ids)
    grade_ids = [nbgrader_meta(c)["grade_id"] for c in notebook["cells"] if nbgrader_meta(c)]
    assert len(set(grade_ids)) == len(grade_ids)
    for cell in notebook["cells"]:
        if cell["cell_type"] == "code":
            assert cell["outputs"] == [] and cell["execution_count"] is None
        meta = nbgrader_meta(cell)
        if meta:
            assert meta["schema_version"] == 3
            assert set(meta) <= {"grade", "grade_id", "locked", "points", "schema_version",
                                 "solution", "task"}
        if meta.get("solution"):
            assert "### BEGIN SOLUTION" in source(cell) and "### END SOLUTION" in source(cell)


@pytest.mark.parametrize("name", ASSIGNMENTS)
def test_every_graded_cell_calls_its_own_probe_check_first(name):
    notebook = _load(source_notebook(name))
    specs = {spec.grade_id: spec for spec in parts.parts(name).values()}
    assert set(grade_cells(name)) == set(specs)
    seen = set()
    for cell in notebook["cells"]:
        grade_id = nbgrader_meta(cell).get("grade_id")
        if grade_id in specs and not nbgrader_meta(cell).get("solution"):
            text = source(cell)
            # The probe must run before the visible asserts, which may fail.
            assert text.startswith("### BEGIN HIDDEN TESTS")
            first, last = HIDDEN.findall(text)
            assert first == specs[grade_id].hidden_code()
            assert last.strip() == "_points"
            seen.add(grade_id)
    assert seen == set(specs)


@pytest.mark.parametrize("name", ASSIGNMENTS)
def test_visible_tests_do_not_import_the_answers(name):
    released = _load(release_notebook(name))
    text = "\n".join(source(cell) for cell in released["cells"])
    for forbidden in ("ttt.reference", "ttt.tape", "ttt.optim", "autograder", "BEGIN SOLUTION",
                      "HIDDEN TESTS"):
        assert forbidden not in text


def test_exercises_equal_a_fresh_release_of_solutions(tmp_path):
    written = release.release(ASSIGNMENTS, release_root=tmp_path)
    for name, path in zip(ASSIGNMENTS, written):
        assert path == tmp_path / name / f"{name}.ipynb"
        assert _normalized(_load(path)) == _normalized(_load(release_notebook(name))), (
            f"exercises/{name} is stale: run `make exercises`")
        # Each language's variant too, written beside the English release from the same run.
        for language in TRANSLATED:
            fresh = tmp_path / language / name / f"{name}.ipynb"
            kept = get(name).variant_path(language)
            assert kept == REPO_ROOT / "exercises" / language / name / f"{name}.ipynb"
            assert kept.is_file() and _normalized(_load(fresh)) == _normalized(_load(kept)), (
                f"exercises/{language}/{name} is stale: run `make exercises`")
    assert sorted(path.name for path in (REPO_ROOT / "exercises").iterdir()) == sorted(
        [*ASSIGNMENTS, *TRANSLATED]), "exercises/ holds a folder no release writes"


def test_release_strips_solutions_and_keeps_the_cell_ids():
    for name in ASSIGNMENTS:
        source_cells = _load(source_notebook(name))["cells"]
        released_cells = _load(release_notebook(name))["cells"]
        # The release adds one cell: the book's set-up cell (tests/dist/ checks it).
        assert [c["id"] for c in released_cells if c["id"] != "ttt-setup"] == [
            c["id"] for c in source_cells]
        for cell in released_cells:
            if nbgrader_meta(cell).get("solution"):
                assert "raise NotImplementedError()" in source(cell)


def test_grade_cells_reads_points_in_notebook_order():
    assert grade_cells("linear_fit") == {
        "test_train_step_numpy": 4.0, "test_train_step_tf": 4.0, "test_convergence": 2.0,
        "test_fastest_learning_rate": 2.0}


def test_unknown_assignment_is_a_clear_error():
    with pytest.raises(UnknownAssignmentError, match="unknown assignment 'linear-fit'.*linear_fit"):
        source_notebook("linear-fit")
    with pytest.raises(SystemExit):
        release.main(["nope"])


def test_a_notebook_that_cannot_take_its_specs_stops_the_release_in_one_line(
        capsys, monkeypatch):
    import copy

    from autograder import assignments

    notebook = copy.deepcopy(assignments.get("tensors").source)
    heading = next(c for c in notebook.cells if c.source.startswith("## Part 2:"))
    heading.source = "## Pairwise distances"
    monkeypatch.setitem(assignments.get("tensors").__dict__, "source", notebook)
    written = assignments.get("tensors").source_path.stat().st_mtime_ns
    assert release.main(["tensors"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("release: error: solutions/tensors/tensors.ipynb: no heading "
                          "'## Part 2: <title>'") and err.count("\n") == 1
    assert assignments.get("tensors").source_path.stat().st_mtime_ns == written


def test_an_assignment_without_its_source_notebook_says_where_it_goes(monkeypatch):
    from autograder import assignments, authoring

    missing = assignments.Assignment("tensors", assignments.REPO_ROOT / "solutions" / "nope"
                                     / "nope.ipynb", assignments.REPO_ROOT / "nope.ipynb")
    monkeypatch.setattr(authoring, "get", lambda name: missing)
    with pytest.raises(authoring.AuthoringError, match=r"solutions/nope/nope.ipynb not found: "
                                                       r".*copy of solutions/tensors"):
        authoring.synced("tensors")


@pytest.mark.slow
@pytest.mark.parametrize("name", ASSIGNMENTS)
def test_the_released_setup_cell_prints_nothing(name):
    # A learner's first cell: TensorFlow's start-up lines (oneDNN's among them, printed
    # whatever TF_CPP_MIN_LOG_LEVEL says) would read as an error. A fresh interpreter, with
    # none of the variables set that make, CI or the tests set.
    import os
    import subprocess
    import sys

    import nbformat

    from autograder.assignments import release_notebook

    notebook = nbformat.read(release_notebook(name), as_version=4)
    (setup,) = [c for c in notebook.cells if nbgrader_meta(c).get("grade_id") == "setup"]
    code = setup.source + "\nprint(tf.reduce_sum(tf.ones(3)).numpy())\n"
    environment = {key: value for key, value in os.environ.items()
                   if not key.startswith(("TF_", "ABSL_", "GLOG_"))}
    ran = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         env=environment, timeout=300)
    assert ran.returncode == 0, ran.stderr
    assert ran.stdout == "3.0\n"
    assert ran.stderr == ""
