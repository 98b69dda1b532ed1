"""Judging the linear_fit report: one step, then the trajectory, then convergence.

Every comparison starts the reference where the learner started, on the same data drawn
from the seed, and runs it in float64. Tolerances are relative (``1e-4`` per value over a
few steps, ``1e-3`` at the optimum), loose enough for a float32 step and tight enough that
every known bug in :mod:`autograder.judging.linear_fit_bugs` is far outside them.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

from autograder import scenarios
from autograder.judging import findings, linear_fit_bugs as bugs
from autograder.judging.report_values import (MalformedReport, field, flags, numbers,
                                              text_or_none)
from autograder.judging.wording import format_number as fmt, raised, start_name
from autograder.messages import joined, say
from ttt.reference import least_squares

STEP_TOLERANCE = 1e-4
OPTIMUM_TOLERANCE = 1e-3


def close(value, expected, tolerance=STEP_TOLERANCE) -> bool:
    return (value is not None and math.isfinite(value)
            and abs(value - expected) <= tolerance * (1 + abs(expected)))


@dataclass
class Run:
    scenario: scenarios.LinearFitScenario
    loss_name: str
    W: list[float]
    b: list[float]
    loss: list  # returned losses (TensorFlow only)
    kept_variables: list[bool]
    error: str | None


def _parse_runs(record, expected: list[tuple[scenarios.LinearFitScenario, str, int]],
                tensorflow: bool) -> list[Run]:
    raw_runs = field(record, "runs")
    if not isinstance(raw_runs, list) or len(raw_runs) != len(expected):
        raise MalformedReport("wrong number of runs")
    runs = []
    for raw, (scenario, loss_name, steps) in zip(raw_runs, expected):
        if field(raw, "scenario") != scenario.name:
            raise MalformedReport("runs out of order")
        W = numbers(field(raw, "W"), max_length=steps)
        b = numbers(field(raw, "b"), max_length=steps)
        loss, kept = [], []
        if tensorflow:
            if field(raw, "loss_name") != loss_name:
                raise MalformedReport("runs out of order")
            loss = numbers(field(raw, "loss"), max_length=steps, allow_none=True)
            kept = flags(field(raw, "kept_variables"), max_length=steps)
        if len(b) != len(W) or (tensorflow and not len(loss) == len(kept) == len(W)):
            raise MalformedReport("lists of different lengths")
        runs.append(Run(scenario, loss_name, W, b, loss, kept, text_or_none(field(raw, "error"))))
    return runs


# The bug a TensorFlow step shows when, with `loss` swapped, it still takes the MSE step.
_IGNORED_SWAP = {"mae": bugs.NOT_THE_TAPE, "reversed": bugs.FINITE_DIFFERENCES}


def _name_the_bug(W, b, got_W, got_b, scenario, loss_name, *, tensorflow=False) -> str:
    """Which known-wrong step, started at (W, b), lands where the learner's did."""
    x, y, lr = scenario.inputs, scenario.outputs, scenario.learning_rate
    if tensorflow and loss_name in _IGNORED_SWAP:
        # The step moved as for the notebook's MSE: a hand-written MSE step ignores the mean
        # absolute error; a step estimating gradients from loss values ignores a registered
        # gradient. Say so before anything else.
        mse_W, mse_b = bugs.step(bugs.CORRECT, W, b, x, y, lr, "mse")
        if close(got_W, mse_W) and close(got_b, mse_b):
            bug = _IGNORED_SWAP[loss_name]
            return bug.explanation()
    for variant in bugs.VARIANTS:
        want_W, want_b = bugs.step(variant.name, W, b, x, y, lr, loss_name)
        if close(got_W, want_W) and close(got_b, want_b):
            return variant.explanation()
    if tensorflow and loss_name == "mae":
        return bugs.NOT_THE_TAPE.explanation()
    right_W, right_b = bugs.step(bugs.CORRECT, W, b, x, y, lr, loss_name)
    off = [name for name, got, right in (("W", got_W, right_W), ("b", got_b, right_b))
           if not close(got, right)]
    which = off[0] if len(off) == 1 else say("linear_fit.W_and_b")
    return say("linear_fit.no_match", which=which)


def _start(run: Run, k: int) -> tuple[float, float]:
    """(W, b) before step ``k`` (0-based): the learner's own state, not the reference's."""
    return (run.scenario.W0, run.scenario.b0) if k == 0 else (run.W[k - 1], run.b[k - 1])


def _is_step(run: Run, k: int, name: str) -> bool:
    """Is the learner's step ``k`` the step ``name`` of bugs.STEPS from its own state?"""
    s = run.scenario
    want_W, want_b = bugs.step(name, *_start(run, k), s.inputs, s.outputs,
                                    s.learning_rate, run.loss_name)
    return close(run.W[k], want_W) and close(run.b[k], want_b)


def _step_kind(run: Run, k: int) -> str | None:
    """Which step of bugs.STEPS (the reference or a known slip) step ``k`` was."""
    return next((name for name in bugs.STEPS if _is_step(run, k, name)), None)


def _compare_step(run: Run, k: int, tensorflow: bool) -> str | None:
    """Feedback when step ``k`` (0-based) of ``run`` differs from the reference, else None.

    The reference step starts from the learner's own state before step k, so one early
    slip does not make every later step look wrong.
    """
    mismatch = _step_mismatch(run, k, tensorflow)
    return None if mismatch is None else joined(list(mismatch))


def _step_mismatch(run: Run, k: int, tensorflow: bool) -> tuple[str, str] | None:
    """(what happened, which bug) when step ``k`` differs from the reference, else None."""
    scenario = run.scenario
    W, b = _start(run, k)
    want_W, want_b = bugs.step(bugs.CORRECT, W, b, scenario.inputs,
                                    scenario.outputs, scenario.learning_rate, run.loss_name)
    got_W, got_b = run.W[k], run.b[k]
    if close(got_W, want_W) and close(got_b, want_b):
        return None
    return (say(f"linear_fit.step_{run.loss_name}", W=fmt(W), b=fmt(b),
                rate=fmt(scenario.learning_rate), got_W=fmt(got_W), got_b=fmt(got_b),
                want_W=fmt(want_W), want_b=fmt(want_b)),
            _name_the_bug(W, b, got_W, got_b, scenario, run.loss_name, tensorflow=tensorflow))


def _compare_loss(run: Run, k: int) -> str | None:
    """Feedback when the loss returned by step ``k`` is not the loss before that step."""
    scenario = run.scenario
    loss_fn = bugs.LOSSES[run.loss_name][0]
    W, b = _start(run, k)
    want = loss_fn(W, b, scenario.inputs.astype(float), scenario.outputs.astype(float))
    got = run.loss[k]
    if close(got, want):
        return None
    if got is None:
        return say("linear_fit.loss_not_returned")
    after = loss_fn(run.W[k], run.b[k], scenario.inputs.astype(float),
                    scenario.outputs.astype(float))
    if close(got, after):
        return say("linear_fit.loss_after")
    return say("linear_fit.loss_wrong", got=fmt(got), step=k + 1, want=fmt(want))


def _stopped(run: Run, name: str, steps: int) -> str:
    """A run that ended before its last step: why, and where."""
    what = raised(name, run.error) if run.error else say("linear_fit.stopped_early", name=name)
    return say("linear_fit.stopped_at", what=what, step=len(run.W) + 1, steps=steps)


def _first_step_problem(runs: list[Run], tensorflow: bool, name: str):
    """(stage, message) for the first problem in anyone's first step, else None."""
    for run in runs:
        if not run.W:
            what = (raised(name, run.error) if run.error
                    else say("linear_fit.no_step", name=name))
            return "error", say("linear_fit.one_step",
                                what=say("linear_fit.sentence", text=what))
    if tensorflow and not all(run.kept_variables[0] for run in runs):
        return "one step", say("linear_fit.one_step", what=bugs.REBOUND.explanation())
    for run in runs:
        problem = _compare_step(run, 0, tensorflow)
        if problem:
            return "one step", say("linear_fit.one_step_at",
                                   start=start_name(run.scenario.name), what=problem)
    return None


def _trajectory_problem(runs: list[Run], tensorflow: bool, name: str):
    for run in runs:
        steps = run.scenario.steps
        for k in range(len(run.W)):
            if tensorflow and not run.kept_variables[k]:
                return say("linear_fit.trajectory", what=bugs.REBOUND.explanation())
            problem = _compare_step(run, k, tensorflow)
            if problem:
                return say("linear_fit.trajectory_step", start=start_name(run.scenario.name),
                           step=k + 1, what=problem)
            if tensorflow:
                problem = _compare_loss(run, k)
                if problem:
                    return say("linear_fit.trajectory_at", start=start_name(run.scenario.name),
                               what=problem)
        if len(run.W) < steps:
            return say("linear_fit.trajectory_at", start=start_name(run.scenario.name),
                       what=_stopped(run, name, steps))
    return None


def _half_for_the_first_steps(problem: str):
    """Right first steps, then a slip along the trajectory: half of the part."""
    return 0.5, "trajectory", joined([problem, say("linear_fit.first_steps_right")])


def _picture(runs: list[Run]) -> None:
    """Note the data of a picture of the learner's first steps against the reference's, on
    the loss contours, for the first start where a step went wrong (else the first start):
    a sign flip or a half-length step is seen before it is read."""
    drawn = next((run for run in runs if run.loss_name == "mse" and any(
        _compare_step(run, k, False) for k in range(len(run.W)))), runs[0])
    s = drawn.scenario
    x, y = s.inputs.astype(float), s.outputs.astype(float)
    reference, W, b = [], s.W0, s.b0
    for _ in range(s.steps):
        W, b = bugs.step(bugs.CORRECT, W, b, x, y, s.learning_rate, "mse")
        reference.append([float(W), float(b)])
    learner = []
    for W, b in zip(drawn.W, drawn.b):  # up to the first value that is not a number
        if not math.isfinite(W + b):
            break
        learner.append([float(W), float(b)])
    mean_x, mean_x2 = float(x.mean()), float((x * x).mean())
    findings.figure({
        "kind": "steps", "scenario": s.name, "learning_rate": s.learning_rate,
        "start": [s.W0, s.b0], "learner": learner, "reference": reference,
        "optimum": [float(v) for v in least_squares(x, y)],
        # The mean squared error's Hessian: constant, so the contours are ellipses.
        "hessian": [[2 * mean_x2, 2 * mean_x], [2 * mean_x, 2.0]],
    })


def judge_train_step_numpy(record, seed):
    scenario_list = scenarios.linear_fit(seed)
    runs = _parse_runs(record, [(s, "mse", s.steps) for s in scenario_list], tensorflow=False)
    _picture(runs)
    problem = _first_step_problem(runs, False, "train_step_numpy")
    if problem:
        return 0.0, *problem
    problem = _trajectory_problem(runs, False, "train_step_numpy")
    if problem:
        return _half_for_the_first_steps(problem)
    return 1.0, "passed", say("linear_fit.numpy_passed", steps=scenario_list[0].steps,
                              starts=len(runs))


def judge_train_step_tf(record, seed):
    scenario_list = scenarios.linear_fit(seed)
    expected = [(s, loss_name, s.steps) for s in scenario_list
                for loss_name in scenarios.TF_LOSSES]
    runs = _parse_runs(record, expected, tensorflow=True)
    _picture(runs)
    # First steps with the notebook's loss, then with each swapped loss: a step that gets
    # the MSE wrong is named for that, not for ignoring a swap.
    for loss_name in scenarios.TF_LOSSES:
        problem = _first_step_problem([run for run in runs if run.loss_name == loss_name],
                                      True, "train_step_tf")
        if problem:
            return 0.0, *problem
    problem = _trajectory_problem(runs, True, "train_step_tf")
    if problem:
        return _half_for_the_first_steps(problem)
    return 1.0, "passed", say("linear_fit.tf_passed", starts=len(scenario_list))


def _convergence_problem(run: Run, optimum, name: str, tensorflow: bool) -> str | None:
    scenario = run.scenario
    if tensorflow and not all(run.kept_variables):
        return say("linear_fit.named", name=name, what=bugs.REBOUND.explanation())
    if len(run.W) < scenario.steps and not (run.W and not math.isfinite(run.W[-1] + run.b[-1])):
        return _stopped(run, name, scenario.steps)
    W, b = run.W[-1], run.b[-1]
    if close(W, optimum[0], OPTIMUM_TOLERANCE) and close(b, optimum[1], OPTIMUM_TOLERANCE):
        return _descent_problem(run, optimum, name, tensorflow)
    if not math.isfinite(W + b):
        outcome = say("linear_fit.diverged", step=len(run.W))
    else:
        outcome = say("linear_fit.ended_at", W=fmt(W), b=fmt(b))
    mismatch = _step_mismatch(run, 0, tensorflow) if run.W else None
    return joined([say("linear_fit.not_converged", steps=scenario.steps, name=name,
                       outcome=outcome, W=fmt(optimum[0]), b=fmt(optimum[1])),
                   say("linear_fit.first_step_off") if mismatch else "",
                   mismatch[1] if mismatch else ""])


def _what_step_did(run: Run, k: int, optimum) -> str:
    kind = _step_kind(run, k)
    if kind is not None:
        return say("linear_fit.was", kind=_kind(kind))
    if close(run.W[k], optimum[0], OPTIMUM_TOLERANCE) and \
            close(run.b[k], optimum[1], OPTIMUM_TOLERANCE):
        return say("linear_fit.jumped")
    return say("linear_fit.no_gradient_step")


def _kind(kind: str) -> str:
    """A step of bugs.STEPS in words: the reference step, or a step with a known slip."""
    if kind == bugs.CORRECT:
        return say("linear_fit.reference_step")
    return say("linear_fit.slipped_step", slip=bugs.variant(kind).name)


def _descent_problem(run: Run, optimum, name: str, tensorflow: bool) -> str | None:
    """Feedback when a run that ended at the optimum did not get there by descending.

    Every step, each from the learner's own previous state, must be the step its first
    step was: the reference step or one known slip throughout (half-length steps are slow
    but honest). A step that changes what it does part-way trains nothing.
    """
    kind = _step_kind(run, 0)
    if kind is None:
        first = _step_mismatch(run, 0, tensorflow)
        return say("linear_fit.jumped_at_once", name=name, step=first[0])
    changed = next((k for k in range(1, len(run.W)) if not _is_step(run, k, kind)), None)
    if changed is not None:
        s = run.scenario
        W, b = _start(run, changed)
        want_W, want_b = bugs.step(kind, W, b, s.inputs, s.outputs, s.learning_rate,
                                        run.loss_name)
        return say("linear_fit.changed_step", name=name, first=_kind(kind),
                   step=changed + 1, did=_what_step_did(run, changed, optimum), W=fmt(W),
                   b=fmt(b), got_W=fmt(run.W[changed]), got_b=fmt(run.b[changed]),
                   want_W=fmt(want_W), want_b=fmt(want_b))
    # "No update at all" all the way cannot get here: the scenario starts far from the
    # optimum (the tests check it), so a run that never moves never ends there.
    return None


def _follows_the_loss(run: Run) -> bool:
    """Did the step, with the mean absolute error swapped into `loss`, move like some step
    on that loss (right or with a known bug), and not like a mean-squared-error step?"""
    if not run.W or not run.kept_variables[0]:
        return False
    s = run.scenario
    start = (s.W0, s.b0, s.inputs, s.outputs, s.learning_rate)
    landed = (run.W[0], run.b[0])

    def matches(end):
        return close(landed[0], end[0]) and close(landed[1], end[1])

    if matches(bugs.step(bugs.CORRECT, *start, loss_name="mse")):
        return False
    return any(matches(bugs.step(name, *start, loss_name="mae")) for name in bugs.STEPS)


def _tape_problem(mae_run: Run, reversed_run: Run, kind: str) -> str | None:
    """Feedback when a converging TensorFlow step did not take its gradients from the tape.

    ``kind`` is the step its converging run took; with `loss` swapped for the MSE with a
    reversed registered gradient, a tape-based step takes that kind of step on the reversed
    gradient, while finite differences of the loss's values take it along the slope.
    """
    lead = say("linear_fit.tape_lead")
    if not _follows_the_loss(mae_run):
        return joined([lead, bugs.NOT_THE_TAPE.explanation()])
    if reversed_run.W and reversed_run.kept_variables[0] and _is_step(reversed_run, 0, kind):
        return None
    if reversed_run.W and _is_step(replace(reversed_run, loss_name="mse"), 0, kind):
        return joined([lead, bugs.FINITE_DIFFERENCES.explanation()])
    what = raised("train_step_tf", reversed_run.error) if reversed_run.error else \
        say("linear_fit.not_along_it")
    return joined([lead, say("linear_fit.reversed", what=what)])


def judge_convergence(record, seed):
    scenario = scenarios.linear_fit_convergence(seed)
    raw_runs = field(record, "runs")
    if not isinstance(raw_runs, list) or len(raw_runs) != 4:
        raise MalformedReport("wrong number of runs")
    numpy_run = _parse_runs({"runs": raw_runs[:1]}, [(scenario, "mse", scenario.steps)], False)[0]
    tf_run, mae_run, reversed_run = _parse_runs(
        {"runs": raw_runs[1:]}, [(scenario, "mse", scenario.steps), (scenario, "mae", 1),
                                 (scenario, "reversed", 1)], True)
    optimum = least_squares(scenario.inputs, scenario.outputs)
    problems = [_convergence_problem(numpy_run, optimum, "train_step_numpy", False)]
    tf_problem = _convergence_problem(tf_run, optimum, "train_step_tf", True)
    # Converging is not enough for the TensorFlow step: the points are for a tape.
    if tf_problem is None:
        tf_problem = _tape_problem(mae_run, reversed_run, _step_kind(tf_run, 0))
    problems.append(tf_problem)
    fraction = 0.5 * (problems[0] is None) + 0.5 * (problems[1] is None)
    if fraction == 1.0:
        return 1.0, "passed", say("linear_fit.converged", steps=scenario.steps)
    found = [say("linear_fit.convergence", what=problem) for problem in problems if problem]
    if fraction:
        found.append(say("linear_fit.other_converged"))
    return fraction, "convergence", joined(found)

