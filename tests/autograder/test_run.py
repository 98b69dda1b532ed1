"""The runner's hand-over: what it reads from the kernel's folder, what the grader accepts."""

from __future__ import annotations

import json
import os

import pytest

from autograder import batch, run, watchdog


def test_the_report_is_read_when_it_is_a_plain_file(tmp_path):
    (tmp_path / "report.jsonl").write_text('{"grade_id": "x"}\n')
    assert run.read_report(tmp_path / "report.jsonl") == '{"grade_id": "x"}\n'


def test_no_report_is_none(tmp_path):
    assert run.read_report(tmp_path / "report.jsonl") is None


def test_a_fifo_a_link_or_a_folder_in_place_of_the_report_is_no_report(tmp_path):
    # The kernel can leave these where the report should be: a FIFO would block a reader,
    # a link would make the runner read another file.
    os.mkfifo(tmp_path / "fifo")
    (tmp_path / "target").write_text("{}\n")
    (tmp_path / "link").symlink_to(tmp_path / "target")
    (tmp_path / "folder").mkdir()
    for name in ("fifo", "link", "folder"):
        assert run.read_report(tmp_path / name) is None, name


def test_an_oversized_report_is_no_report(tmp_path):
    (tmp_path / "report.jsonl").write_bytes(b"x" * 101)
    assert run.read_report(tmp_path / "report.jsonl", max_bytes=100) is None
    assert run.read_report(tmp_path / "report.jsonl", max_bytes=101) == "x" * 101


def _outcome(output: bytes, overflow: bool = False) -> watchdog.Outcome:
    return watchdog.Outcome(0, None, 0, 1.0, output, overflow)


def test_the_grader_accepts_a_well_formed_result_line():
    line = json.dumps({"outcome": "completed", "cells": [], "report": "{}\n"}).encode()
    assert batch.parse_runner_output(_outcome(line + b"\n"))["report"] == "{}\n"


@pytest.mark.parametrize("output", [
    b"",
    b"not json",
    b"[1, 2]",
    b'{"cells": "not a list"}',
    b'{"cells": ' + b"[" * 100_000 + b"]" * 100_000 + b"}",
    b'{"cells": [], "x": ' + b"9" * 5000 + b"}",
    b"\xff\xfe",
])
def test_the_grader_refuses_a_malformed_result_line(output):
    assert batch.parse_runner_output(_outcome(output)) is None


def test_the_grader_refuses_a_result_line_cut_at_the_cap():
    line = json.dumps({"outcome": "completed", "cells": []}).encode()
    assert batch.parse_runner_output(_outcome(line, overflow=True)) is None


# --- which cell raised an error ------------------------------------------------------------

def _error(*frames: str, ename="ValueError", evalue="bad shapes") -> dict:
    """An error output as IPython writes it: coloured frame headers, then the message."""
    return {"output_type": "error", "ename": ename, "evalue": evalue,
            "traceback": ["\x1b[0;31m---------\x1b[0m",
                          *(f"\x1b[0;32m{frame}\x1b[0m\n  1 x = 1" for frame in frames),
                          f"\x1b[0;31m{ename}\x1b[0m: {evalue}"]}


def test_the_innermost_notebook_cell_of_a_traceback_is_found():
    cell_by_count = {3: 4, 7: 9}  # execution count -> cell index
    error = _error("Cell In[7], line 2", "Cell In[3], line 5, in train_step_numpy",
                   "File /venv/numpy/core.py:10, in dot")
    assert run._innermost_cell(error, cell_by_count) == 4
    assert run._innermost_cell(_error("File /x.py:1, in f"), cell_by_count) is None
    assert run._innermost_cell({"traceback": None}, cell_by_count) is None


def _summary_cell(index, grade_id, ename="", raised_in=None):
    return {"index": index, "grade_id": grade_id, "status": "error" if ename else "ok",
            "ename": ename, "evalue": "details", "raised_in": raised_in}


def _status(cells: list[dict], answer_ids=("train_step_numpy",)) -> list[str]:
    outcome = watchdog.Outcome(0, None, 0, 1.0)
    result = batch._Run("ada", 1, None, outcome=outcome,
                        summary={"outcome": "completed", "cells": cells})
    return batch._execution_status(result, batch.Limits(), set(answer_ids))[2]


def test_a_test_cells_error_is_shown_when_the_learners_code_raised_it():
    errors = _status([_summary_cell(4, "train_step_numpy"),
                      _summary_cell(5, "test_train_step_numpy", "ValueError", raised_in=4)])
    assert errors == ["cell 5 (test_train_step_numpy), a test, stopped: ValueError: details"]


def test_a_test_cells_name_error_is_shown():
    # The learner deleted or renamed the function the test calls.
    errors = _status([_summary_cell(5, "test_train_step_numpy", "NameError")])
    assert errors == ["cell 5 (test_train_step_numpy), a test, stopped: NameError: details"]


def test_an_error_raised_by_hidden_test_code_is_not_shown():
    errors = _status([_summary_cell(1, "train_step_numpy"), _summary_cell(2, "setup"),
                      _summary_cell(5, "test_train_step_numpy", "AssertionError", raised_in=5),
                      _summary_cell(6, "test_convergence", "KeyError", raised_in=2),
                      _summary_cell(7, "test_train_step_tf", "KeyError", raised_in=True)])
    assert errors == []


def test_a_learners_own_cells_errors_are_always_shown():
    errors = _status([_summary_cell(4, "train_step_numpy", "TypeError"),
                      _summary_cell(8, None, "ZeroDivisionError")])
    assert errors == ["cell 4 (train_step_numpy): TypeError: details",
                      "cell 8: ZeroDivisionError: details"]


def test_a_forged_flood_of_cells_yields_a_few_lines_only():
    # A kernel that got hold of the runner's line could list any number of cells.
    flood = [_summary_cell(i, None, "ValueError") for i in range(100_000)]
    errors = _status(flood)
    assert len(errors) == batch.MAX_LISTED
