"""The verdict: right code gets full marks, each known bug its score and its name, and a
report that is forged, malformed, duplicated or missing earns nothing.

Most tests run the notebook's cells in this process (tests/autograder/notebooks.py), with
the probe in sandbox mode, then judge the report as the grading command does.
"""

from __future__ import annotations

import dataclasses
import itertools
import json
import zlib

import pytest

import reports
from autograder import parts as registry, probe, scenarios
from autograder import verdict
from autograder.judging import linear_fit_bugs as diagnosis
from autograder.assignments import ASSIGNMENTS, grade_cells
from autograder.judging.linear_fit import OPTIMUM_TOLERANCE, STEP_TOLERANCE, close
from notebooks import load, nbgrader_meta, run_in_process, variants, with_solutions

CORPUS = [variant for name in ASSIGNMENTS for variant in variants(name)]


def _seed_for(text: str) -> int:
    return zlib.crc32(text.encode())  # a different, fixed seed per case


@pytest.mark.slow
@pytest.mark.parametrize("name", ASSIGNMENTS)
def test_the_solution_earns_full_marks(name, tmp_path):
    seed = _seed_for(name)
    parts = verdict.judge(name, run_in_process(load(name), tmp_path, seed), seed)
    assert [(p.grade_id, p.score, p.stage) for p in parts] == [
        (grade_id, points, "passed") for grade_id, points in grade_cells(name).items()]


@pytest.mark.slow
@pytest.mark.parametrize("variant", CORPUS, ids=lambda v: v.name)
def test_each_wrong_submission_gets_its_score_and_diagnosis(variant, tmp_path):
    notebook = with_solutions(load(variant.assignment), {variant.grade_id: variant.code})
    seed = _seed_for(variant.name)
    parts = {p.grade_id: p for p in verdict.judge(
        variant.assignment, run_in_process(notebook, tmp_path, seed), seed)}
    expected = {e.grade_id: e for e in variant.expectations(seed)}
    for grade_id, part in parts.items():
        if grade_id not in expected:  # the parts this variant leaves alone stay right
            assert (part.score, part.stage) == (part.max_score, "passed"), part.message
            continue
        want = expected[grade_id]
        assert (part.score, part.stage) == (want.score, want.stage), part.message
        if want.bug:
            assert want.bug in part.message
        assert part.message and "probe" not in part.message and "HIDDEN" not in part.message


def test_the_corpus_names_every_bug_for_both_steps():
    named = {(v.grade_id, e.bug) for v in CORPUS if v.assignment == "linear_fit"
             for e in v.expected}
    for variant in diagnosis.VARIANTS:
        assert ("train_step_numpy", variant.name) in named
        if variant.tensorflow:
            assert ("train_step_tf", variant.name) in named
    for special in (diagnosis.REBOUND, diagnosis.NOT_THE_TAPE, diagnosis.FINITE_DIFFERENCES):
        assert ("train_step_tf", special.name) in named


def _gap(first, second):
    (W1, b1), (W2, b2) = first, second
    return max(abs(W1 - W2) / (1 + abs(W2)), abs(b1 - b2) / (1 + abs(b2)))


@pytest.mark.parametrize("seed", range(0, 400, 7))
def test_every_bug_lands_far_outside_the_tolerance(seed):
    """No two variants (the correct step included) are ever confused on a first step, and
    a step that ignores the swapped-in loss is never mistaken for one that follows it."""
    for scenario in scenarios.linear_fit(seed) + (scenarios.linear_fit_convergence(seed),):
        start = (scenario.W0, scenario.b0, scenario.inputs, scenario.outputs,
                 scenario.learning_rate)
        ends = {name: diagnosis.step(name, *start) for name in diagnosis.STEPS}
        for first, second in itertools.combinations(ends, 2):
            assert _gap(ends[first], ends[second]) > 20 * STEP_TOLERANCE, (first, second)
        mae_end = diagnosis.step(diagnosis.CORRECT, *start, loss_name="mae")
        assert _gap(mae_end, ends[diagnosis.CORRECT]) > 20 * STEP_TOLERANCE
        # Any step that moves, taken along the reversed registered gradient (a tape), is
        # never mistaken for the same step along the slope (finite differences).
        for name in set(diagnosis.STEPS) - {diagnosis.NO_UPDATE}:
            along_the_tape = diagnosis.step(name, *start, loss_name="reversed")
            assert _gap(along_the_tape, ends[name]) > 20 * STEP_TOLERANCE, name


@pytest.mark.parametrize("seed", range(0, 400, 13))
def test_the_convergence_scenario_is_reached_by_the_reference(seed):
    from ttt.reference import least_squares

    scenario = scenarios.linear_fit_convergence(seed)
    W, b = reports.trajectory(diagnosis.CORRECT, scenario.W0, scenario.b0, scenario.inputs,
                                scenario.outputs, scenario.learning_rate, scenario.steps)
    best = least_squares(scenario.inputs, scenario.outputs)
    assert close(W[-1], best[0], 1e-8) and close(b[-1], best[1], 1e-8)
    # A step half as long (missing factor 2) converges too, well within the tolerance.
    W, b = reports.trajectory("missing factor 2", scenario.W0, scenario.b0, scenario.inputs,
                                scenario.outputs, scenario.learning_rate, scenario.steps)
    assert close(W[-1], best[0], 1e-5) and close(b[-1], best[1], 1e-5)
    assert abs(scenario.inputs.mean()) > 0.6  # not centred: b-with-new-W must show
    # The start is far from the optimum: a step that never moves cannot end there, so "no
    # update at all" as the kind of every step never earns convergence points.
    assert not (close(scenario.W0, best[0], 100 * OPTIMUM_TOLERANCE)
                and close(scenario.b0, best[1], 100 * OPTIMUM_TOLERANCE))


# --- convergence only by descent, tape points only for a tape (no TensorFlow needed) ------

def _variant_step(name, scenario, loss_name="mse"):
    return lambda k, W, b: diagnosis.step(name, W, b, scenario.inputs, scenario.outputs,
                                          scenario.learning_rate, loss_name)


def _jump(scenario):
    from ttt.reference import least_squares

    optimum = least_squares(scenario.inputs, scenario.outputs)
    return lambda k, W, b: optimum


def _switch(at, before, after):
    """Step ``before`` for the first ``at`` steps, ``after`` from then on."""
    return lambda k, W, b: (before if k < at else after)(k, W, b)


def _made_run(scenario, step_at, loss_name="mse", steps=None, tensorflow=False) -> dict:
    """A run as the probe reports it, for a step that does ``step_at(k, W, b)``."""
    W, b, Ws, bs, losses = scenario.W0, scenario.b0, [], [], []
    for k in range(steps or scenario.steps):
        losses.append(diagnosis.LOSSES[loss_name][0](W, b, scenario.inputs.astype(float),
                                                     scenario.outputs.astype(float)))
        W, b = step_at(k, W, b)
        Ws.append(W)
        bs.append(b)
    run = {"scenario": scenario.name, "W": Ws, "b": bs, "error": None}
    if tensorflow:
        run.update(loss_name=loss_name, loss=losses, kept_variables=[True] * len(Ws))
    return run


def _convergence_part(seed, numpy_step=None, tf_step=None, reversed_step=None):
    s = scenarios.linear_fit_convergence(seed)
    correct = _variant_step(diagnosis.CORRECT, s)
    runs = [_made_run(s, numpy_step or correct),
            _made_run(s, tf_step or correct, tensorflow=True),
            _made_run(s, _variant_step(diagnosis.CORRECT, s, "mae"), "mae", 1, True),
            _made_run(s, reversed_step or _variant_step(diagnosis.CORRECT, s, "reversed"),
                      "reversed", 1, True)]
    record = {"grade_id": "test_convergence", "check": "convergence", "seed": seed,
              "runs": runs}
    return verdict.judge_record("linear_fit", json.loads(json.dumps(record)), seed)


@pytest.mark.parametrize("kind", [diagnosis.CORRECT, "missing factor 2",
                                  "b updated with the new W"])
def test_the_same_gradient_step_all_the_way_earns_convergence(kind):
    s = scenarios.linear_fit_convergence(11)
    part = _convergence_part(11, numpy_step=_variant_step(kind, s))
    assert (part.score, part.stage) == (2, "passed"), part.message


@pytest.mark.parametrize("seed", [4, 23])
@pytest.mark.parametrize("first, at, then, words", [
    ("no update at all", 1, "jump", "step 2 jumped to the least-squares optimum"),
    ("correct", 1, "jump", "step 2 jumped to the least-squares optimum"),
    ("correct", 5, "jump", "step 6 jumped to the least-squares optimum"),
    ("correct", 3, "missing factor 2", "step 4 was a step with a known slip (missing factor 2)"),
    ("missing factor 2", 2, "correct", "step 3 was the reference step"),
])
def test_a_step_that_changes_part_way_earns_no_convergence(seed, first, at, then, words):
    s = scenarios.linear_fit_convergence(seed)
    later = _jump(s) if then == "jump" else _variant_step(then, s)
    step = _switch(at, _variant_step(first, s), later)
    for part in (_convergence_part(seed, numpy_step=step), _convergence_part(seed, tf_step=step)):
        assert (part.score, part.stage) == (1, "convergence"), part.message
        assert "not by gradient descent all the way" in part.message and words in part.message


@pytest.mark.parametrize("kind", [diagnosis.CORRECT, "missing factor 2"])
def test_a_tf_step_along_the_slope_of_a_registered_gradient_loses_the_tape_points(kind):
    s = scenarios.linear_fit_convergence(17)
    tf_step = _variant_step(kind, s)
    tape = _convergence_part(17, tf_step=tf_step, reversed_step=_variant_step(kind, s, "reversed"))
    assert (tape.score, tape.stage) == (2, "passed"), tape.message
    slope = _convergence_part(17, tf_step=tf_step, reversed_step=_variant_step(kind, s, "mse"))
    assert (slope.score, slope.stage) == (1, "convergence")
    assert diagnosis.FINITE_DIFFERENCES.name in slope.message


@pytest.mark.slow
def test_the_reversed_loss_has_the_mse_value_and_minus_its_slope_as_gradient():
    import numpy as np
    import tensorflow as tf

    from ttt.reference import mse_gradients

    x, y = np.array([1.0, 2.0, 3.0, -1.5]), np.array([2.0, 3.0, 5.0, 0.5])
    for dtype in (tf.float32, tf.float64):
        W, b = tf.Variable(1.25, dtype=dtype), tf.Variable(-0.5, dtype=dtype)
        inputs, outputs = tf.constant(x, dtype), tf.constant(y, dtype)
        for arguments in (lambda: (W * inputs + b, outputs), lambda: (outputs, W * inputs + b)):
            with tf.GradientTape() as tape:
                value = probe.reversed_mean_squared_error(*arguments())
            dW, db = tape.gradient(value, [W, b])
            assert np.isclose(float(value), diagnosis.mse(1.25, -0.5, x, y), rtol=1e-6)
            assert np.allclose([float(dW), float(db)],
                               [-g for g in mse_gradients(1.25, -0.5, x, y)], rtol=1e-6)


# --- untrusted reports (NumPy part only: no TensorFlow needed) ---------------------------

def _numpy_record(seed, step=None):
    from ttt.reference import train_step_numpy

    runs = [probe.record_numpy_steps(step or train_step_numpy, scenario)
            for scenario in scenarios.linear_fit(seed)]
    return {"grade_id": "test_train_step_numpy", "check": "train_step_numpy", "seed": seed,
            "runs": runs}


def _judge_lines(tmp_path, lines, seed):
    report = tmp_path / "report.jsonl"
    report.write_text("".join(line + "\n" for line in lines), encoding="utf-8")
    return {p.grade_id: p for p in verdict.judge("linear_fit", report, seed)}


def test_an_honest_report_passes_and_absent_parts_are_missing(tmp_path):
    parts = _judge_lines(tmp_path, [json.dumps(_numpy_record(5))], 5)
    assert (parts["test_train_step_numpy"].score, parts["test_train_step_numpy"].stage) == (4, "passed")
    for grade_id in ("test_train_step_tf", "test_convergence"):
        assert (parts[grade_id].score, parts[grade_id].stage) == (0, "missing")


def test_no_report_at_all_is_missing_everywhere(tmp_path):
    parts = verdict.judge("linear_fit", tmp_path / "nothing.jsonl", 1)
    assert [(p.score, p.stage) for p in parts] == [(0.0, "missing")] * len(parts)
    assert len(parts) == len(grade_cells("linear_fit"))
    assert "did not run to the end" in parts[0].message


def test_a_report_made_for_another_seed_earns_nothing(tmp_path):
    record = _numpy_record(5)
    record["seed"] = 6
    part = _judge_lines(tmp_path, [json.dumps(record)], 6)["test_train_step_numpy"]
    assert (part.score, part.stage) == (0, "one step")  # its numbers fit seed 5, not 6
    part = _judge_lines(tmp_path, [json.dumps(_numpy_record(5))], 6)["test_train_step_numpy"]
    assert (part.score, part.stage) == (0, "error") and "this grading run" in part.message


def test_a_part_reported_twice_earns_nothing(tmp_path):
    line = json.dumps(_numpy_record(5))
    part = _judge_lines(tmp_path, [line, line], 5)["test_train_step_numpy"]
    assert (part.score, part.stage) == (0, "error") and "more than once" in part.message


@pytest.mark.parametrize("forge", [
    lambda r: r["runs"][0]["W"].__setitem__(0, "3.0"),          # a string, not a number
    lambda r: r["runs"][0]["W"].__setitem__(0, True),           # a bool is not a number
    lambda r: r["runs"][0]["W"].append(1.0),                    # more steps than were run
    lambda r: r["runs"][0]["b"].pop(),                          # W and b of unequal length
    lambda r: r["runs"].reverse(),                              # runs out of order
    lambda r: r["runs"].pop(),                                  # a run missing
    lambda r: r.__setitem__("check", "train_step_tf"),          # the wrong check
    lambda r: r["runs"][0].__setitem__("error", 42),            # an error that is no text
])
def test_malformed_reports_earn_nothing(tmp_path, forge):
    record = _numpy_record(5)
    forge(record)
    part = _judge_lines(tmp_path, [json.dumps(record)], 5)["test_train_step_numpy"]
    assert (part.score, part.stage) == (0, "error")
    assert "could not be read" in part.message


def test_unreadable_lines_are_not_json_and_do_not_count(tmp_path):
    honest = json.dumps(_numpy_record(5))
    parts = _judge_lines(tmp_path, [honest.replace("[", "[NaN, ", 1), "{not json", "[1, 2]"], 5)
    part = parts["test_train_step_numpy"]
    assert (part.score, part.stage) == (0, "missing") and "3 unreadable" in part.message


def test_plain_numbers_only_a_rigged_object_cannot_pass():
    class RiggedEq:
        def __eq__(self, other):
            return True

    with pytest.raises(TypeError):
        probe.record_number(RiggedEq())
    with pytest.raises(TypeError):
        probe.record_number(None)
    with pytest.raises(ValueError):
        probe.record_number([1.0, 2.0])
    assert probe.record_number(float("inf")) == "inf" and probe.record_number(2) == 2.0


def test_a_diverging_step_is_named_not_malformed(tmp_path):
    def sum_instead_of_mean(W, b, inputs, outputs, learning_rate):
        residual = inputs * W + b - outputs
        return (W - learning_rate * 2 * (residual * inputs).sum(),
                b - learning_rate * 2 * residual.sum())

    part = _judge_lines(tmp_path, [json.dumps(_numpy_record(9, sum_instead_of_mean))], 9)
    part = part["test_train_step_numpy"]
    assert (part.score, part.stage) == (0, "one step")
    assert "sum instead of mean" in part.message


def test_partial_credit_is_rounded_points(monkeypatch, tmp_path):
    record = _numpy_record(3)
    record["runs"][1]["W"][3] += 0.5  # one later step off: the trajectory stage fails
    part = verdict.judge_record("linear_fit", record, 3)
    assert (part.score, part.max_score, part.stage) == (2.0, 4.0, "trajectory")
    assert "step 4" in part.message and "start 2" in part.message
    # A share that is no short decimal: a third of 4 points is 1.33, here and in the CSV.
    from autograder.grades_csv import write_grades_csv
    from autograder.results import Result

    spec = registry.part("linear_fit", "train_step_numpy")
    monkeypatch.setitem(registry.parts("linear_fit"), "train_step_numpy", dataclasses.replace(
        spec, judge_record=lambda record, seed: (1 / 3, "trajectory", "a third")))
    part = verdict.judge_record("linear_fit", record, 3)
    assert (part.score, part.max_score) == (1.33, 4.0)
    write_grades_csv(tmp_path / "grades.csv",
                     [Result("ada", "linear_fit", part.score, 4.0, "graded", [part])],
                     [part.grade_id])
    row = (tmp_path / "grades.csv").read_text().splitlines()[1].split(",")
    assert row[2] == row[5] == "1.33"


@pytest.mark.slow
def test_a_rebinding_step_with_forged_flags_still_earns_nothing(tmp_path):
    # The flag that catches rebinding is recorded in the learner's kernel, so it can be
    # forged; the numbers come from the model's original variables and give it away.
    rebound = next(v for v in variants("linear_fit") if v.name.endswith("train_step_tf/rebound"))
    notebook = with_solutions(load("linear_fit"), {rebound.grade_id: rebound.code})
    seed = _seed_for("forged flags")
    report = run_in_process(notebook, tmp_path, seed)
    records = [json.loads(line) for line in report.read_text().splitlines()]
    for record in records:
        for run in record["runs"]:
            if "kept_variables" in run:
                run["kept_variables"] = [True] * len(run["kept_variables"])
    report.write_text("".join(json.dumps(record) + "\n" for record in records))
    parts = {p.grade_id: p for p in verdict.judge("linear_fit", report, seed)}
    assert parts["test_train_step_tf"].score == 0, parts["test_train_step_tf"].message
    assert parts["test_convergence"].score <= 1  # the NumPy half may still earn its point


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_every_graded_cell_has_its_spec_and_every_spec_its_cell(assignment):
    """The source notebook's autograded test cells and the registry's specs match one to
    one: the same grade ids, in the same order, with the same points."""
    in_notebook = [(nbgrader_meta(cell)["grade_id"], float(nbgrader_meta(cell)["points"]))
                   for cell in load(assignment)["cells"]
                   if nbgrader_meta(cell).get("grade") and not nbgrader_meta(cell).get("solution")]
    in_registry = [(spec.grade_id, float(spec.points))
                   for spec in registry.parts(assignment).values()]
    assert in_notebook == in_registry


@pytest.mark.parametrize("check", [
    "no_such_part",                       # names no part at all
    "pairwise_squared_distances",         # a part of this assignment, another cell's
    "momentum_step",                      # a part of another assignment
    "tensors/softmax_rows",               # the part's key, not its name
    "report_values",                      # a judging module, but no part
])
def test_a_record_that_names_no_part_of_its_assignment_could_not_be_read(check):
    spec = registry.part("tensors", "softmax_rows")
    record = reports.array_record(spec, 5)
    assert verdict.judge_record("tensors", record, 5).stage == "passed"  # as it was made
    record["check"] = check
    part = verdict.judge_record("tensors", record, 5)
    assert (part.score, part.stage) == (0, "error") and not part.grader_error
    assert "could not be read" in part.message
