"""Part 3 of tensors: a new tensor with one row replaced; the original left alone."""

from __future__ import annotations

import numpy as np

from autograder.cases import case, integer, normal
from autograder.parts.spec import ArrayPart, Bug, Hint


def replaced(case, i):
    t = case.arrays["t"].astype(np.float64).copy()
    t[i] = case.arrays["row"]
    return t


def original(case):
    return case.arrays["t"].astype(np.float64)


def _row(name, i):
    return case(name, dims={"n": [4, 7], "k": 3}, settings={"i": i},
                arrays={"t": normal("n", "k"), "row": normal("k")})


SLICES = ("A different row than row i changed: your slices are off by one. Python slices "
          "stop before their end.")
SLICES_FIX = "`t[:i]` keeps rows 0 to i-1, and `t[i + 1:]` starts after row i"

PART = ArrayPart(
    number=3, points=2, summary="`with_row_replaced` (TensorFlow)",
    functions=("with_row_replaced",),
    cases=[_row("first row of {n}", 0), _row("row {i} of {n}", integer(1, "n-1")),
           _row("last row of {n}", "n-1")],
    call={"function": "with_row_replaced",
          "args": [["tensor", "t"], ["setting", "i"], ["tensor", "row"]],
          "record": [["result"], ["arg", "t"]]},  # the original, which must be unchanged
    reference=lambda case: [replaced(case, case.settings["i"]), original(case)],
    bugs=(
        Bug("the row after i replaced", SLICES,
            lambda case: [replaced(case, case.settings["i"] + 1), original(case)],
            fix=SLICES_FIX, section="tensors/indexing.md#elements-and-slices"),
        Bug("the row before i replaced", SLICES,
            lambda case: [replaced(case, case.settings["i"] - 1), original(case)],
            fix=SLICES_FIX, section="tensors/indexing.md#elements-and-slices"),
        Bug("nothing replaced", "The tensor you returned is the one you were given: a "
                                "tf.Tensor cannot change, so the change must be a new tensor.",
            lambda case: [original(case), original(case)],
            fix="return the new tensor, with row i taken from `row`",
            section="tensors/assembling.md#a-copy-with-some-entries-changed"),
    ),
    hints=(
        Hint("does not support item assignment",
             "A tf.Tensor is immutable: build a new one instead, e.g. with "
             "tf.tensor_scatter_nd_update or by stacking slices with tf.concat."),
    ),
    passed="with_row_replaced builds a new tensor and leaves the original alone.",
    require_tensor=True,
)
