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
        Bug("square_root_taken", lambda case: [np.sqrt(squared_distances(case))],
            section="tensors/broadcasting.md#the-broadcasting-rule"),
        Bug("distances_transposed", lambda case: [squared_distances(case).T],
            section="tensors/broadcasting.md#the-broadcasting-rule"),
        Bug("summed_before_squaring",
            lambda case: [((case.arrays["a"].astype(float)[:, None, :]
                            - case.arrays["b"].astype(float)[None, :, :]).sum(-1)) ** 2],
            section="tensors/broadcasting.md#reductions-along-an-axis"),
    ),
    hints=(Hint("Incompatible shapes", "new_axes"),),
    passed="pairwise_squared_distances",
    require_tensor=True,
)
