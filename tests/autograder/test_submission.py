"""Reading learners' notebooks without trusting them, and restoring the original tests."""

from __future__ import annotations

import json

import nbformat
import pytest

from autograder.assignments import source_notebook
from autograder.submission import (
    SubmissionError, grade_id_of, is_protected, prepare, read_submission, restore)


@pytest.fixture(scope="module")
def source():
    return nbformat.read(source_notebook("linear_fit"), as_version=4)


def _cell(notebook, grade_id):
    return next(c for c in notebook.cells if grade_id_of(c) == grade_id)


def _as_dict(notebook) -> dict:
    return json.loads(nbformat.writes(notebook))


def _test_ids(notebook):
    return [grade_id_of(c) for c in notebook.cells
            if is_protected(c) and c.metadata["nbgrader"].get("grade")]


@pytest.mark.parametrize("content, status", [
    (b"", "corrupt file: the notebook is empty"),
    (b'{"cells": [', "corrupt file: invalid JSON at line 1"),
    (b"\x89PNG\r\n\x1a\n\x00\x00\xff\xfe", "not a notebook: the file is binary"),
    (b"[1, 2, 3]", "not a notebook: the file is not notebook JSON"),
    (b"{\"a\": 1}", "not a notebook: valid JSON but without a list of cells"),
    (b"def f():\n    pass\n", "not a notebook: the file is not notebook JSON"),
    (b'{"cells": [], "nbformat": 3}', "not a notebook: nbformat 3"),
    # Hostile JSON that Python's parser turns into exceptions other than JSONDecodeError.
    (b'{"cells": ' + b"[" * 100_000 + b"]" * 100_000 + b"}", "corrupt file: JSON nested too deeply"),
    (b'{"cells": [], "nbformat": ' + b"9" * 5000 + b"}", "corrupt file: "),
    (b'{"cells": [{"cell_type": "code", "source": "\\ud800"}], "nbformat": 4}',
     "corrupt file: text that is not valid Unicode"),
])
def test_unreadable_files_get_a_status_a_person_understands(tmp_path, content, status):
    path = tmp_path / "linear_fit.ipynb"
    path.write_bytes(content)
    with pytest.raises(SubmissionError, match="^" + status.replace("(", r"\(")):
        read_submission(path)


def test_a_missing_file_and_a_symbolic_link_are_refused(tmp_path):
    with pytest.raises(SubmissionError, match="no submission"):
        read_submission(tmp_path / "linear_fit.ipynb")
    link = tmp_path / "linear_fit.ipynb"
    link.symlink_to(source_notebook("linear_fit"))
    with pytest.raises(SubmissionError, match="symbolic link"):
        read_submission(link)


def test_a_notebook_without_the_assignments_cells_is_the_wrong_notebook(source):
    other = _as_dict(nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("1 + 1")]))
    with pytest.raises(SubmissionError, match="wrong notebook"):
        restore(other, source)


def test_deleted_tests_come_back_in_the_source_order(source):
    learner = _as_dict(source)
    learner["cells"] = [c for c in learner["cells"]
                        if grade_id_of(c) not in ("test_train_step_tf", "test_convergence")]
    restored = restore(learner, source)
    assert _test_ids(restored.notebook) == _test_ids(source)
    graded = [grade_id_of(c) for c in restored.notebook.cells if grade_id_of(c)]
    assert graded == [grade_id_of(c) for c in source.cells if grade_id_of(c)]
    assert restored.notes == ["restored deleted cells: test_convergence, test_train_step_tf"]


def test_edited_tests_and_locked_cells_are_replaced_by_the_originals(source):
    learner = _as_dict(source)
    for cell in learner["cells"]:
        if grade_id_of(cell) in ("test_train_step_numpy", "model"):
            cell["source"] = "print('all good')"
    restored = restore(learner, source)
    for grade_id in ("test_train_step_numpy", "model"):
        assert _cell(restored.notebook, grade_id).source == _cell(source, grade_id).source
    assert "restored edited cells: model, test_train_step_numpy" in restored.notes


def _without_hidden_tests(text: str) -> str:
    """What nbgrader's release does to a test cell: drop each hidden region, markers too."""
    kept, hidden = [], False
    for line in text.splitlines(keepends=True):
        if line.strip().startswith("### BEGIN HIDDEN TESTS"):
            hidden = True
        elif line.strip().startswith("### END HIDDEN TESTS"):
            hidden = False
        elif not hidden:
            kept.append(line)
    return "".join(kept)


def test_released_tests_without_the_hidden_part_count_as_unedited(source):
    learner = _as_dict(source)
    for cell in learner["cells"]:
        text = "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]
        cell["source"] = _without_hidden_tests(text)
    restored = restore(learner, source)
    assert restored.notes == []
    assert "BEGIN HIDDEN TESTS" in _cell(restored.notebook, "test_convergence").source


def test_learners_answers_and_extra_cells_are_kept_where_they_were(source):
    learner = _as_dict(source)
    index = next(i for i, c in enumerate(learner["cells"])
                 if grade_id_of(c) == "train_step_numpy")
    learner["cells"][index]["source"] = "def train_step_numpy(*args):\n    return 1, 2"
    learner["cells"].insert(index + 1, {"cell_type": "code", "metadata": {},
                                        "source": "helper = 42", "outputs": [],
                                        "execution_count": None})
    restored = restore(learner, source).notebook
    ids = [grade_id_of(c) for c in restored.cells]
    answer = ids.index("train_step_numpy")
    assert restored.cells[answer].source == "def train_step_numpy(*args):\n    return 1, 2"
    assert restored.cells[answer + 1].source == "helper = 42"
    assert ids[answer + 2] == "test_train_step_numpy"


def test_duplicate_ids_run_once_as_graded_and_again_as_plain_code(source):
    learner = _as_dict(source)
    index = next(i for i, c in enumerate(learner["cells"])
                 if grade_id_of(c) == "test_train_step_numpy")
    learner["cells"].insert(index + 1, json.loads(json.dumps(learner["cells"][index])))
    restored = restore(learner, source)
    ids = [grade_id_of(c) for c in restored.notebook.cells]
    assert ids.count("test_train_step_numpy") == 1
    cell_ids = [c.id for c in restored.notebook.cells]
    assert len(set(cell_ids)) == len(cell_ids)
    assert restored.notes == ["duplicate cells ran as extra code: test_train_step_numpy"]


def test_nothing_but_the_learners_source_text_is_kept(source):
    learner = _as_dict(source)
    learner["metadata"]["kernelspec"] = {"name": "evil", "display_name": "evil"}
    for cell in learner["cells"]:
        if cell["cell_type"] == "code":
            cell["outputs"] = [{"output_type": "stream", "name": "stdout", "text": "hi"}]
    restored = restore(learner, source).notebook
    assert restored.metadata["kernelspec"]["name"] == source.metadata["kernelspec"]["name"]
    assert all(not c.get("outputs") for c in restored.cells)
    nbformat.validate(restored)


def test_prepare_never_modifies_the_input(tmp_path, source):
    path = tmp_path / "linear_fit.ipynb"
    learner = _as_dict(source)
    learner["cells"] = learner["cells"][:3]
    path.write_text(json.dumps(learner))
    before = path.read_bytes()
    prepare(path, source)
    assert path.read_bytes() == before


def test_a_notebook_of_countless_cells_is_refused_before_any_work(tmp_path, monkeypatch):
    # Half a million empty cells fit in the size cap and once cost the grader minutes: the
    # count is checked before any per-cell work (rebuilding, validating), none of which runs.
    import json

    import nbformat

    def per_cell_work(*args, **kwargs):
        raise AssertionError("the cells were processed before the count was checked")

    for name in ("from_dict", "validate", "reads"):
        monkeypatch.setattr(nbformat, name, per_cell_work)
    path = tmp_path / "linear_fit.ipynb"
    cells = [{"cell_type": "raw", "metadata": {}, "source": ""}] * 100_000
    path.write_text(json.dumps({"nbformat": 4, "nbformat_minor": 5, "metadata": {},
                                "cells": cells}))
    with pytest.raises(SubmissionError, match="refused: the notebook has 100000 cells"):
        read_submission(path)


def test_a_huge_edited_test_cell_is_not_parsed_by_the_grader(source, monkeypatch):
    """A learner's test cell is read outside the sandbox: one of megabytes is restored as
    edited without parsing it (parsing costs seconds and gigabytes)."""
    import autograder.submission as submission_module

    parsed = []
    real = submission_module.code_without_messages
    monkeypatch.setattr(submission_module, "code_without_messages",
                        lambda text: parsed.append(len(text)) or real(text))
    learner = _as_dict(source)
    cell = next(c for c in learner["cells"]
                if c.get("metadata", {}).get("nbgrader", {}).get("grade_id") == "test_convergence")
    cell["source"] = "x = [" + "1," * 500_000 + "]\n"
    restored = restore(learner, source)
    assert "restored edited cells: test_convergence" in restored.notes[0]
    assert all(size < 100_000 for size in parsed), parsed
