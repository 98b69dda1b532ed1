"""Judging the tensors report: a row-wise softmax, pairwise distances, a replaced row."""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from autograder import scenarios
from autograder.judging.arrays import (Bug, Hint, grade_cases, judge_cases, parse_runs,
                                      summarize)


def softmax(logits, axis=1):
    x = np.asarray(logits, dtype=np.float64)
    shifted = np.exp(x - x.max(axis=axis, keepdims=True))
    return shifted / shifted.sum(axis=axis, keepdims=True)


SOFTMAX_BUGS = (
    Bug("normalised down the columns instead of along the rows",
        "Each row is one example: reduce with axis=1 (or -1).",
        lambda case: [softmax(case.arrays["logits"], axis=0)]),
    Bug("normalised over the whole array",
        "Each row must sum to 1 on its own: reduce along axis 1 only.",
        lambda case: [softmax(case.arrays["logits"].reshape(1, -1)).reshape(
            case.arrays["logits"].shape)]),
)
SOFTMAX_HINTS = (
    Hint("broadcast", "A reduction along axis 1 drops that axis, so (N, K) and (N,) do not "
                      "broadcast. Keep it with keepdims=True."),
)


OVERFLOW = ("softmax_rows, case \u201clarge logits\u201d: Bug: exp overflows. exp(1000) is "
            "inf in floating point. Subtract each row's maximum before exp: the softmax does "
            "not change, and the largest exponent becomes 0.")


def judge_softmax_rows(record, seed):
    runs = parse_runs(record, scenarios.softmax_cases(seed), max_outputs=1)
    verdicts = judge_cases(runs, lambda case: [softmax(case.arrays["logits"])], SOFTMAX_BUGS,
                           SOFTMAX_HINTS, function="softmax_rows")
    large = verdicts[-1]  # the case whose logits are far from zero
    if large.credit == 0 and large.run.outputs and \
            not np.all(np.isfinite(large.run.outputs[0].values)):
        verdicts[-1] = replace(large, problem=OVERFLOW)  # name the overflow
    return summarize(verdicts, passed="softmax_rows is right, large logits included.")


def squared_distances(case):
    a, b = (case.arrays[k].astype(np.float64) for k in ("a", "b"))
    return ((a[:, None, :] - b[None, :, :]) ** 2).sum(axis=-1)


DISTANCE_BUGS = (
    Bug("square root taken", "The exercise asks for squared distances: leave out the square root.",
        lambda case: [np.sqrt(squared_distances(case))]),
    Bug("rows and columns swapped", "Entry [i, j] belongs to a[i] and b[j]: the result has "
                                     "shape (len(a), len(b)).",
        lambda case: [squared_distances(case).T]),
    Bug("the differences summed before squaring",
        "Square each coordinate's difference first, then sum over the last axis.",
        lambda case: [((case.arrays["a"].astype(float)[:, None, :]
                        - case.arrays["b"].astype(float)[None, :, :]).sum(-1)) ** 2]),
)
DISTANCE_HINTS = (
    Hint("Incompatible shapes", "Give a and b different new axes (a[:, None, :] and "
                                "b[None, :, :]) so that they broadcast to (N, M, D)."),
)


def judge_pairwise_squared_distances(record, seed):
    runs = parse_runs(record, scenarios.distance_cases(seed), max_outputs=1)
    return grade_cases(runs, lambda case: [squared_distances(case)], DISTANCE_BUGS, DISTANCE_HINTS,
                       function="pairwise_squared_distances", require_tensor=True,
                       passed="pairwise_squared_distances is right for every shape tried.")


def replaced(case, i):
    t = case.arrays["t"].astype(np.float64).copy()
    t[i] = case.arrays["row"]
    return t


def original(case):
    return case.arrays["t"].astype(np.float64)


REPLACE_BUGS = (
    Bug("the row after i replaced", "Python slices stop before their end: t[:i] keeps rows "
                                    "0 to i-1, and t[i + 1:] starts after row i.",
        lambda case: [replaced(case, case.settings["i"] + 1), original(case)]),
    Bug("the row before i replaced", "Python slices stop before their end: t[:i] keeps rows "
                                     "0 to i-1, and t[i + 1:] starts after row i.",
        lambda case: [replaced(case, case.settings["i"] - 1), original(case)]),
    Bug("nothing replaced", "Return the new tensor, with row i taken from `row`.",
        lambda case: [original(case), original(case)]),
)
REPLACE_HINTS = (
    Hint("does not support item assignment",
         "A tf.Tensor is immutable: build a new one instead, e.g. with "
         "tf.tensor_scatter_nd_update or by stacking slices with tf.concat."),
)


def judge_with_row_replaced(record, seed):
    runs = parse_runs(record, scenarios.replace_row_cases(seed), max_outputs=2)
    return grade_cases(
        runs, lambda case: [replaced(case, case.settings["i"]), original(case)],
        [bug for bug in REPLACE_BUGS], REPLACE_HINTS, function="with_row_replaced",
        require_tensor=True,
        passed="with_row_replaced builds a new tensor and leaves the original alone.")


JUDGES = {
    "softmax_rows": judge_softmax_rows,
    "pairwise_squared_distances": judge_pairwise_squared_distances,
    "with_row_replaced": judge_with_row_replaced,
}
