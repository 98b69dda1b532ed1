"""Everything a learner's kernel writes is input: any JSON, in any field, is judged or
refused, part by part, and never makes the grader fail.

The honest records here are built in float64 by the test's own formulas, central
differences and loops (no kernel, no TensorFlow, none of the judges' references);
hypothesis then replaces or deletes one field, anywhere in one record of the probe's
report or in the runner's summary line, with arbitrary JSON: huge integers, nested lists,
strings, NaN spellings, booleans.
"""

from __future__ import annotations

import dataclasses
import functools
import json
import tempfile
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from autograder import assignments, batch, calling, parts as registry, scenarios
from autograder.assignments import ASSIGNMENTS, grade_cells
from autograder import verdict
from autograder.results import STAGES
from autograder.sandbox import runner_outcome, watchdog
from autograder.sandbox.execute import Ran
from autograder.sandbox.limits import Limits
from autograder.plain_text import is_plain
from autograder.results import PartResult
from autograder.judging import report_values
from autograder.parts.spec import ArrayPart

SEED = 20240611
FAST = settings(max_examples=100, deadline=None, derandomize=True, database=None,
                suppress_health_check=[HealthCheck.too_slow])


# --- honest records ----------------------------------------------------------------------
# Built here, in float64 NumPy, by other means than the judges' references (log-sum-exp,
# the dot-product expansion, central differences, loops): the honest records then check
# the judges rather than restate them.

_H = 1e-6  # central-difference step: float64 error ~1e-10, far inside the judges' 1e-4


def _central(f, x):
    """Elementwise central differences of an elementwise function ``f`` at ``x``."""
    return (f(x + _H) - f(x - _H)) / (2 * _H)


def _f64(case, key):
    return case.arrays[key].astype(np.float64)


def _softmax(case):
    x = _f64(case, "logits")
    top = x.max(axis=1, keepdims=True)
    log_normaliser = top + np.log(np.exp(x - top).sum(axis=1, keepdims=True))
    return [np.exp(x - log_normaliser)]


def _squared_distances(case):
    a, b = _f64(case, "a"), _f64(case, "b")  # |a|^2 + |b|^2 - 2 a.b
    return [(a**2).sum(1)[:, None] + (b**2).sum(1)[None, :] - 2 * a @ b.T]


def _row_replaced(case):
    t, i = _f64(case, "t"), case.settings["i"]
    return [np.concatenate([t[:i], _f64(case, "row")[None, :], t[i + 1:]]), t]


def _backward(case):
    g, x = _f64(case, "grad"), _f64(case, "x")
    if case.name == "exp":
        return [g * _central(np.exp, x)]
    y = _f64(case, "y")
    op = {"multiply": np.multiply, "divide": np.divide}[case.name]
    return [g * _central(lambda v: op(v, y), x), g * _central(lambda v: op(x, v), y)]


_FUNCTIONS = {  # NumPy forms of the probe's TensorFlow functions
    "x * sin(x)": lambda x: x * np.sin(x),
    "exp(-x**2)": lambda x: np.exp(-x**2),
    "x**3 - 2*x": lambda x: x**3 - 2 * x,
    "log(1 + x**2)": lambda x: np.log1p(x**2),
}


def _derivative(case):
    x = _f64(case, "x")
    partner = calling.partner_of(case.name)
    if partner:  # a twin: the gradient the probe registers, the slope plus an extra term
        c0, c1, c2 = calling.GRADIENT_TWINS[partner]
        return [_central(_FUNCTIONS[partner], x) + c0 + c1 * x + c2 * x**2]
    return [_central(_FUNCTIONS[case.name], x)]


def _momentum(case):
    """The exercise's rule: v <- momentum * v + g, then W <- W - learning_rate * v."""
    W, velocity = list(_f64(case, "W")), list(_f64(case, "velocity"))
    lr, mu = case.settings["learning_rate"], case.settings["momentum"]
    outputs = []
    for gradient in _f64(case, "gradients"):
        for k, g in enumerate(gradient):
            velocity[k] = mu * velocity[k] + g
            W[k] -= lr * velocity[k]
        outputs += [np.array(W), np.array(velocity)]
    return outputs


def _sparse(case):
    table = _f64(case, "table")
    for row, update in zip(case.arrays["indices"], _f64(case, "updates")):
        table[row] -= update  # one at a time: a repeated row takes every update
    return [table]


def _array_output(values) -> dict:
    array = values.astype(float)
    return {"shape": list(array.shape), "values": array.ravel().tolist(), "tensor": True}


def _array_runs(cases, reference) -> list[dict]:
    return [{"case": case.name, "outputs": [_array_output(a) for a in reference(case)],
             "error": None} for case in cases]


_ARRAY_REFERENCES = {  # array part -> the right outputs of one of its drawn cases
    "tensors/softmax_rows": _softmax,
    "tensors/pairwise_squared_distances": _squared_distances,
    "tensors/with_row_replaced": _row_replaced,
    "tapes/backward_rules": _backward,
    "tapes/derivative": _derivative,
    "variables/momentum_step": _momentum,
    "variables/sparse_update_numpy": _sparse,
    "variables/sparse_update_tf": _sparse,
}


def test_the_parts_written_before_the_specs_keep_their_own_honest_reference():
    # A part added later is checked against its spec's reference here, and against the
    # solution notebook's own code elsewhere (test_verdict: the solution earns full marks).
    array_parts = {spec.key for name in ASSIGNMENTS for spec in registry.parts(name).values()
                   if isinstance(spec, ArrayPart)}
    assert set(_ARRAY_REFERENCES) <= array_parts


def _mse(W, b, x, y):
    return float(np.mean((W * x + b - y) ** 2))


def _mae(W, b, x, y):
    return float(np.mean(np.abs(W * x + b - y)))


def _slope(loss, W, b, x, y):
    return ((loss(W + _H, b, x, y) - loss(W - _H, b, x, y)) / (2 * _H),
            (loss(W, b + _H, x, y) - loss(W, b - _H, x, y)) / (2 * _H))


# What a tape-based step descends, per swapped-in loss: its value, and the gradient the
# tape returns (for "reversed", minus the MSE's slope, as the probe registers it).
_TAPE_LOSSES = {
    "mse": (_mse, lambda *a: _slope(_mse, *a)),
    "mae": (_mae, lambda *a: _slope(_mae, *a)),
    "reversed": (_mse, lambda *a: tuple(-g for g in _slope(_mse, *a))),
}


def _descent(scenario, loss_name="mse", steps=None):
    """(W before each step, b before, W after, b after) of honest gradient descent."""
    x, y = scenario.inputs.astype(np.float64), scenario.outputs.astype(np.float64)
    W, b = scenario.W0, scenario.b0
    before, after = [], []
    for _ in range(steps or scenario.steps):
        before.append((W, b))
        dW, db = _TAPE_LOSSES[loss_name][1](W, b, x, y)
        W, b = W - scenario.learning_rate * dW, b - scenario.learning_rate * db
        after.append((W, b))
    return before, after


def _numpy_run(scenario, steps=None) -> dict:
    _, after = _descent(scenario, steps=steps)
    return {"scenario": scenario.name, "W": [W for W, _ in after], "b": [b for _, b in after],
            "error": None}


def _tf_run(scenario, loss_name, steps=None) -> dict:
    before, after = _descent(scenario, loss_name, steps)
    x, y = scenario.inputs.astype(np.float64), scenario.outputs.astype(np.float64)
    return {"scenario": scenario.name, "loss_name": loss_name,
            "W": [W for W, _ in after], "b": [b for _, b in after],
            "loss": [_TAPE_LOSSES[loss_name][0](W, b, x, y) for W, b in before],
            "kept_variables": [True] * len(after), "error": None}


def _runs(spec, seed: int) -> list[dict]:
    if isinstance(spec, ArrayPart):  # the part's own cases, this test's own reference
        return _array_runs(spec.draw(seed), _ARRAY_REFERENCES.get(
            spec.key, lambda case: spec.reference(case)))
    check = spec.name
    if check == "train_step_numpy":
        return [_numpy_run(s) for s in scenarios.linear_fit(seed)]
    if check == "train_step_tf":  # as probe.check_train_step_tf runs them
        return [_tf_run(s, loss) for s in scenarios.linear_fit(seed)
                for loss in scenarios.TF_LOSSES]
    if check == "convergence":  # as probe.check_convergence runs them
        s = scenarios.linear_fit_convergence(seed)
        return [_numpy_run(s), _tf_run(s, "mse"),
                *(_tf_run(s, loss, steps=1) for loss in scenarios.TF_LOSSES[1:])]
    raise AssertionError(f"no honest runs for {spec.key}")


def honest_records(assignment: str, seed: int) -> list[dict]:
    return [{"grade_id": spec.grade_id, "check": spec.name, "seed": seed,
             "runs": _runs(spec, seed)} for spec in registry.parts(assignment).values()]


def _judged(assignment: str, text: str, seed: int = SEED) -> list[PartResult]:
    with tempfile.TemporaryDirectory() as folder:
        report = Path(folder) / "report.jsonl"
        report.write_text(text, encoding="utf-8", errors="surrogatepass")
        return verdict.judge(assignment, report, seed)


def _lines(records) -> str:
    return "".join(json.dumps(record) + "\n" for record in records)


HONEST = {name: honest_records(name, SEED) for name in ASSIGNMENTS}
LINEAR_FIT_POINTS = list(grade_cells("linear_fit").values())  # 4, 4, 2, ...


@functools.cache
def _honest_parts(assignment: str) -> dict[str, PartResult]:
    return {p.grade_id: p for p in _judged(assignment, _lines(HONEST[assignment]))}


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_the_honest_records_earn_full_marks(assignment):
    # Without this, "the other parts keep their points" below would prove nothing.
    parts = _judged(assignment, _lines(HONEST[assignment]))
    assert [(p.grade_id, p.score, p.stage) for p in parts] == [
        (grade_id, points, "passed") for grade_id, points in grade_cells(assignment).items()]


# --- arbitrary JSON ----------------------------------------------------------------------

HUGE_INTS = st.sampled_from([10**400, -10**400, 2**1024, 10**4000, 2**63, -(2**63) - 1])
NAN_SPELLINGS = st.sampled_from(["nan", "inf", "-inf", "NaN", "Infinity", "-Infinity", "1e999",
                                 "1e400", " nan", "", "\x1b]52;c;aGk=\x07", "\ud800"])
KNOWN_NAMES = st.sampled_from(sorted(
    {name for assignment in ASSIGNMENTS for spec in registry.parts(assignment).values()
     for name in (spec.name, spec.grade_id, spec.key)}
    | {"runs", "W", "b", "loss", "error", "values", "shape", "tensor", "case", "outputs"}))
LEAVES = (st.none() | st.booleans() | st.integers() | HUGE_INTS | st.floats()
          | st.text(max_size=12) | NAN_SPELLINGS | KNOWN_NAMES)
JSON = st.recursive(LEAVES, lambda inner: st.lists(inner, max_size=4)
                    | st.dictionaries(st.text(max_size=6) | KNOWN_NAMES, inner, max_size=4),
                    max_leaves=12)


def _paths(value, prefix=()) -> list[tuple]:
    """Every place in a JSON value: dict keys and list indices, outermost first."""
    found = [prefix]
    if isinstance(value, dict):
        items = value.items()
    elif isinstance(value, list):
        items = enumerate(value)
    else:
        return found
    for key, item in items:
        found += _paths(item, (*prefix, key))
    return found


def _mutated(value, path, replacement, delete: bool):
    """A deep copy of ``value`` with the item at ``path`` replaced (or deleted)."""
    copy = json.loads(json.dumps(value))
    if not path:
        return replacement
    parent = copy
    for key in path[:-1]:
        parent = parent[key]
    if delete:
        del parent[path[-1]]
    else:
        parent[path[-1]] = replacement
    return copy


@st.composite
def mutations(draw, value):
    path = draw(st.sampled_from(_paths(value)))
    delete = bool(path) and draw(st.booleans())
    return path, _mutated(value, path, None if delete else draw(JSON), delete)


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
@FAST
@given(data=st.data())
def test_any_json_in_any_field_costs_only_its_own_part(assignment, data):
    records = HONEST[assignment]
    index = data.draw(st.integers(0, len(records) - 1), label="record")
    path, forged = data.draw(mutations(records[index]), label="mutation")
    lines = [forged if k == index else record for k, record in enumerate(records)]
    # json.dumps writes a float NaN as a bare NaN token: an unreadable line, also input.
    parts = _judged(assignment, "".join(json.dumps(line) + "\n" for line in lines))

    honest = _honest_parts(assignment)
    assert [p.grade_id for p in parts] == list(grade_cells(assignment))
    claimed = forged.get("grade_id") if isinstance(forged, dict) else None
    for part in parts:
        assert part.stage in STAGES
        assert 0 <= part.score <= part.max_score
        assert not part.grader_error, part.message  # refused as input, not a grader crash
        assert isinstance(part.message, str) and is_plain(part.message)
        if part.grade_id == records[index]["grade_id"]:
            continue
        if part.grade_id == claimed:  # the forged line claims this part: reported twice
            assert (part.score, part.stage) == (0, "error") and "more than once" in part.message
            continue
        assert (part.score, part.stage, part.message) == (
            honest[part.grade_id].score, honest[part.grade_id].stage,
            honest[part.grade_id].message)


@FAST
@given(data=st.binary(max_size=300))
def test_any_bytes_as_a_report_are_judged_or_refused(data):
    with tempfile.TemporaryDirectory() as folder:
        report = Path(folder) / "report.jsonl"
        report.write_bytes(data)
        parts = verdict.judge("linear_fit", report, SEED)
    assert len(parts) == len(grade_cells("linear_fit"))
    assert all(p.stage in STAGES and not p.grader_error for p in parts)


@pytest.mark.parametrize("value, reason", [
    (10**400, "out of range"), ([1.0], "expected a number"), ("1e999", "found a string"),
    (True, "found bool"), (float("inf"), "non-finite")])
def test_number_refuses_what_is_no_plain_number(value, reason):
    with pytest.raises(report_values.MalformedReport, match=reason):
        report_values.number(value)


def test_a_huge_integer_in_one_part_leaves_the_other_parts_their_points():
    records = json.loads(json.dumps(HONEST["linear_fit"]))
    records[1]["runs"][0]["W"][0] = 10**400  # was OverflowError: every part zeroed
    records[2]["runs"][0]["error"] = ["a list", "where text belongs"]
    parts = _judged("linear_fit", _lines(records))
    assert [(p.score, p.stage) for p in parts] == [(4, "passed"), (0, "error"), (0, "error")] + [
        (points, "passed") for points in LINEAR_FIT_POINTS[3:]]
    assert all("could not be read" in p.message for p in parts[1:3])


@pytest.mark.parametrize("assignment", ["tensors", "tapes", "variables"])
def test_more_outputs_than_a_case_records_could_not_be_read(assignment):
    # The probe records what the case's template says; an extra array was forged. (In a
    # part whose cases record different numbers, it once made the grader fail: StopIteration.)
    for k, record in enumerate(HONEST[assignment]):
        records = json.loads(json.dumps(HONEST[assignment]))
        last = records[k]["runs"][-1]
        last["outputs"].append(last["outputs"][0])
        parts = _judged(assignment, _lines(records))
        assert (parts[k].score, parts[k].stage, parts[k].grader_error) == (0, "error", False)
        assert "could not be read (too many outputs)" in parts[k].message
        assert all(p.score == p.max_score for j, p in enumerate(parts) if j != k)


def test_a_failing_judge_costs_only_its_own_part(monkeypatch):
    def broken(record, seed):
        raise ZeroDivisionError("a bug \x1b[2J in the grader")

    spec = registry.part("linear_fit", "train_step_tf")
    monkeypatch.setitem(registry.parts("linear_fit"), "train_step_tf",
                        dataclasses.replace(spec, judge_record=broken))
    parts = _judged("linear_fit", _lines(HONEST["linear_fit"]))
    assert [(p.score, p.stage, p.grader_error) for p in parts] == [
        (4, "passed", False), (0, "error", True)] + [
        (points, "passed", False) for points in LINEAR_FIT_POINTS[2:]]
    assert "ZeroDivisionError: a bug \\x1b[2J in the grader" in parts[1].message


# --- the runner's summary line -----------------------------------------------------------

ANSWER_IDS = {"train_step_numpy", "train_step_tf"}
HONEST_SUMMARY = {
    "outcome": "completed",
    "cells": [
        {"index": 0, "grade_id": None, "status": "ok", "ename": "", "evalue": "",
         "raised_in": None},
        {"index": 3, "grade_id": "train_step_numpy", "status": "error", "ename": "ValueError",
         "evalue": "shapes differ", "raised_in": 3},
        {"index": 4, "grade_id": "test_train_step_numpy", "status": "error",
         "ename": "ZeroDivisionError", "evalue": "division by zero", "raised_in": 3},
        {"index": 6, "grade_id": "test_train_step_tf", "status": "timeout",
         "ename": "CellTimeoutError", "evalue": "", "raised_in": None},
    ],
    "not_confined": ["seccomp"],
    "report": _lines(HONEST["linear_fit"]),
}


def _judge_summary(summary):
    outcome = watchdog.Outcome(returncode=0, limit=None, peak_rss=0, seconds=1.0,
                               output=json.dumps(summary).encode("utf-8", "surrogatepass"))
    with tempfile.TemporaryDirectory() as folder:
        parsed = runner_outcome.parse_runner_output(outcome)
        report = parsed.pop("report", None) if parsed else None
        path = Path(folder) / "report.jsonl"
        path.write_text(report if isinstance(report, str) else "", encoding="utf-8")
        run = batch.Run("ada", SEED, ran=Ran(outcome, parsed, path))
        return batch.judge_run(assignments.get("linear_fit"), Limits(), run)


def test_the_honest_summary_lists_the_learners_errors():
    result = _judge_summary(HONEST_SUMMARY)
    # The report is honest, so every point stays; the timeout is only told.
    assert result.score == sum(LINEAR_FIT_POINTS)
    assert "cell 6 (test_train_step_tf) timed out" in result.status
    assert result.learner_errors == [
        "cell 3 (train_step_numpy): ValueError: shapes differ",
        "cell 4 (test_train_step_numpy), a test, stopped: ZeroDivisionError: division by zero"]


@FAST
@given(data=st.data())
def test_any_json_in_the_runner_summary_is_refused_or_shown_plainly(data):
    path, forged = data.draw(mutations(HONEST_SUMMARY), label="mutation")
    result = _judge_summary(forged)
    assert "grader error" not in result.status, result.status
    for text in (result.status, *result.learner_errors, *(p.message for p in result.parts)):
        assert isinstance(text, str) and is_plain(text), text
    assert len(result.learner_errors) <= runner_outcome.MAX_LISTED
    assert all(part.stage in STAGES for part in result.parts)
    if path and path[:1] != ("report",) and isinstance(forged.get("cells"), list):
        # A well-formed line whose report was not touched: the points stay.
        assert [p.score for p in result.parts] == LINEAR_FIT_POINTS


def test_cells_of_the_summary_come_back_typed():
    summary = json.loads(json.dumps(HONEST_SUMMARY))
    summary["cells"][1] |= {"index": 10**400, "grade_id": ["train_step_numpy"], "ename": {},
                            "evalue": "\x1b]0;pwned\x07\x9b31m", "raised_in": True}
    summary["not_confined"] = [10**400]
    parsed = runner_outcome.parse_runner_output(watchdog.Outcome(
        returncode=0, limit=None, peak_rss=0, seconds=1.0, output=json.dumps(summary).encode()))
    assert parsed["cells"][1] == {"index": None, "grade_id": None, "status": "error",
                                  "ename": "", "evalue": "\\x1b]0;pwned\\x07\\x9b31m",
                                  "raised_in": None}
    assert parsed["not_confined"] == ["unreadable"]
