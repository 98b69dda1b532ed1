"""Part 2 of tensors: all pairwise squared distances between two sets of points, in TF."""

from __future__ import annotations

import numpy as np

from autograder.cases import case, normal
from autograder.parts.spec import ArrayPart, Bug, Hint


def squared_distances(case):
    a, b = (case.arrays[k].astype(np.float64) for k in ("a", "b"))
    return ((a[:, None, :] - b[None, :, :]) ** 2).sum(axis=-1)


def _points(n, m, d):
    return case("{n} by {m} points", dims={"n": n, "m": m, "d": d},
                arrays={"a": normal("n", "d"), "b": normal("m", "d")})


PART = ArrayPart(
    number=2, points=3, summary="`pairwise_squared_distances` (TensorFlow)",
    functions=("pairwise_squared_distances",),
    cases=[_points(4, 3, 2), _points(2, 5, 3), _points(1, 4, 4)],
    call={"function": "pairwise_squared_distances", "args": [["tensor", "a"], ["tensor", "b"]],
          "record": [["result"]]},
    reference=lambda case: [squared_distances(case)],
    bugs=(
        Bug("square root taken",
            "The exercise asks for squared distances, and yours are their square roots.",
            lambda case: [np.sqrt(squared_distances(case))],
            fix="leave out the square root: sum the squared differences and stop there",
            section="tensors/broadcasting.md#the-broadcasting-rule"),
        Bug("rows and columns swapped", "Entry [i, j] belongs to a[i] and b[j], but your "
                                         "result is the transpose.",
            lambda case: [squared_distances(case).T],
            fix="give `a` the new axis in the middle and `b` the first one: "
                "`a[:, None, :] - b[None, :, :]`, shape (len(a), len(b), d)",
            section="tensors/broadcasting.md#the-broadcasting-rule"),
        Bug("the differences summed before squaring",
            "Your code squares the sum of the differences: a distance adds up squares.",
            lambda case: [((case.arrays["a"].astype(float)[:, None, :]
                            - case.arrays["b"].astype(float)[None, :, :]).sum(-1)) ** 2],
            fix="square each coordinate's difference first, then sum over the last axis",
            section="tensors/broadcasting.md#reductions-along-an-axis"),
    ),
    hints=(
        Hint("Incompatible shapes", "Give a and b different new axes (a[:, None, :] and "
                                    "b[None, :, :]) so that they broadcast to (N, M, D)."),
    ),
    passed="pairwise_squared_distances is right for every shape tried.",
    require_tensor=True,
)
