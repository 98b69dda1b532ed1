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


SLICES = "tensors/indexing.md#elements-and-slices"

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
        # Two ways of one slip, slices off by one: their hint and fix are one (texts=).
        Bug("row_after_i", lambda case: [replaced(case, case.settings["i"] + 1), original(case)],
            texts="slices_off_by_one", section=SLICES),
        Bug("row_before_i", lambda case: [replaced(case, case.settings["i"] - 1), original(case)],
            texts="slices_off_by_one", section=SLICES),
        Bug("nothing_replaced", lambda case: [original(case), original(case)],
            section="tensors/assembling.md#a-copy-with-some-entries-changed"),
    ),
    hints=(Hint("does not support item assignment", "tensor_immutable"),),
    passed="with_row_replaced",
    require_tensor=True,
)
