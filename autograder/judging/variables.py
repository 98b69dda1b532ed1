"""Judging the variables report: a momentum step in place, sparse updates of a table."""

from __future__ import annotations

import numpy as np

from autograder import scenarios
from autograder.judging.arrays import (Bug, Hint, all_match, grade_cases, judge_case,
                                     parse_runs)


def momentum(case, *, old_velocity=False, sign=-1.0, no_update=False):
    """[W, velocity] after each step, flattened the way the probe records them."""
    W = case.arrays["W"].astype(np.float64)
    velocity = case.arrays["velocity"].astype(np.float64)
    lr, beta = case.settings["learning_rate"], case.settings["momentum"]
    outputs = []
    for gradient in case.arrays["gradients"].astype(np.float64):
        if not no_update:
            new_velocity = beta * velocity + gradient
            W = W + sign * lr * (velocity if old_velocity else new_velocity)
            velocity = new_velocity
        outputs += [W, velocity]
    return outputs


MOMENTUM_BUGS = (
    Bug("W updated with the old velocity", "Update the velocity first, then move W by the new "
        "velocity.", lambda case: momentum(case, old_velocity=True)),
    Bug("sign flipped", "W moves against the velocity: W.assign_sub(learning_rate * velocity).",
        lambda case: momentum(case, sign=1.0)),
    Bug("no update at all", "The variables did not change. `W = W - ...` only rebinds a local "
        "name; change the variables in place with assign and assign_sub.",
        lambda case: momentum(case, no_update=True)),
)
MOMENTUM_HINTS = (
    Hint("object does not support item assignment",
         "Variables change through their methods: assign, assign_add, assign_sub."),
)


def judge_momentum_step(record, seed):
    cases = scenarios.momentum_cases(seed)
    runs = parse_runs(record, cases, max_outputs=2 * scenarios.MOMENTUM_STEPS)
    first_steps_right = all(
        len(run.outputs) >= 2 and all_match(run.outputs[:2], momentum(run.case)[:2])
        for run in runs)
    fraction, stage, message = grade_cases(runs, momentum, MOMENTUM_BUGS, MOMENTUM_HINTS,
                                           function="momentum_step",
                                           passed="momentum_step keeps its state right, step "
                                                  "after step.")
    if stage != "passed" and first_steps_right:
        # One step is right everywhere: the slip is in how state carries over.
        problem = next(p for p in (judge_case(run, momentum(run.case), MOMENTUM_BUGS,
                                              MOMENTUM_HINTS, "momentum_step").problem
                                   for run in runs) if p)
        return 0.5, "trajectory", (f"{problem} Your first step was right, so half of this "
                                   "part's points are yours.")
    return fraction, stage, message


def sparse(case, *, buffered=False, sign=-1.0, no_update=False):
    table = case.arrays["table"].astype(np.float64).copy()
    indices, updates = case.arrays["indices"], case.arrays["updates"].astype(np.float64)
    if no_update:
        return [table]
    if buffered:
        table[indices] = table[indices] + sign * updates  # a repeated row: the last one wins
    else:
        np.add.at(table, indices, sign * updates)
    return [table]


SPARSE_BUGS = (
    Bug("repeated indices applied once",
        "With fancy indexing, table[indices] -= updates writes a repeated row only once. "
        "Updates of the same row must add up: np.subtract.at in NumPy, scatter_sub "
        "(or tf.tensor_scatter_nd_sub) in TensorFlow.",
        lambda case: sparse(case, buffered=True)),
    Bug("added instead of subtracted", "The updates are subtracted from the rows.",
        lambda case: sparse(case, sign=1.0)),
    Bug("no update at all", "The table did not change. Change it in place (NumPy: write into "
        "the array you were given; TensorFlow: a method of the variable), do not build a new one.",
        lambda case: sparse(case, no_update=True)),
)


def _judge_sparse(function):
    def judge(record, seed):
        runs = parse_runs(record, scenarios.sparse_update_cases(seed), max_outputs=1)
        return grade_cases(runs, sparse, SPARSE_BUGS, (), function=function,
                           passed=f"{function} updates the table in place, repeated rows too.")
    return judge


JUDGES = {
    "momentum_step": judge_momentum_step,
    "sparse_update_numpy": _judge_sparse("sparse_update_numpy"),
    "sparse_update_tf": _judge_sparse("sparse_update_tf"),
}
