"""The runner's result line as the grader reads it: accepted, refused, and put in words."""

from __future__ import annotations

import json

import pytest

from autograder.sandbox import runner_outcome, watchdog
from autograder.sandbox.limits import Limits


def _outcome(output: bytes, overflow: bool = False) -> watchdog.Outcome:
    return watchdog.Outcome(0, None, 0, 1.0, output, overflow)


def test_the_grader_accepts_a_well_formed_result_line():
    line = json.dumps({"outcome": "completed", "cells": [], "report": "{}\n"}).encode()
    assert runner_outcome.parse_runner_output(_outcome(line + b"\n"))["report"] == "{}\n"


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
    assert runner_outcome.parse_runner_output(_outcome(output)) is None


def test_the_grader_refuses_a_result_line_cut_at_the_cap():
    line = json.dumps({"outcome": "completed", "cells": []}).encode()
    assert runner_outcome.parse_runner_output(_outcome(line, overflow=True)) is None


# --- which cell raised an error ------------------------------------------------------------

def _summary_cell(index, grade_id, ename="", raised_in=None):
    return {"index": index, "grade_id": grade_id, "status": "error" if ename else "ok",
            "ename": ename, "evalue": "details", "raised_in": raised_in}


def _status(cells: list[dict], answer_ids=("train_step_numpy",)) -> list[str]:
    summary = {"outcome": "completed", "cells": cells}
    return runner_outcome.describe(watchdog.Outcome(0, None, 0, 1.0), summary, Limits(),
                                   set(answer_ids)).learner_errors


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
    assert len(errors) == runner_outcome.MAX_LISTED
