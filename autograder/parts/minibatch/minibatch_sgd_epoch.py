"""Part 1 of minibatch: one epoch of minibatch gradient descent, in NumPy."""

from __future__ import annotations

import numpy as np

from autograder.cases import case, normal, permutation, rounded
from autograder.parts.minibatch._sgd import EPOCH, epoch_bugs, inputs
from autograder.parts.spec import ArrayPart, Hint
from autograder.source_rules import NUMPY_ONLY, SourceRule
from ttt import optim


def _epoch(n: int, batch_size: int):
    """n examples in batches of batch_size: a short last batch unless batch_size divides n."""
    return case("{n} examples in batches of {batch_size}", dims={"n": n, "d": [2, 5]},
                arrays={"W": normal("d"), "X": normal("n", "d"), "y": normal("n"),
                        "permutation": permutation("n")},
                settings={"b": rounded(-1.0, 1.0), "learning_rate": rounded(0.02, 0.1),
                          "batch_size": batch_size})


PART = ArrayPart(
    number=1, points=3, summary="`minibatch_sgd_epoch` (NumPy)",
    functions=("minibatch_sgd_epoch",),
    cases=[_epoch(10, 4), _epoch(11, 3), _epoch(12, 4)],
    call={"function": "minibatch_sgd_epoch",
          "args": [["float64", "W"], ["setting", "b"], ["float64", "X"], ["float64", "y"],
                   ["setting", "learning_rate"], ["setting", "batch_size"],
                   ["numpy", "permutation"]],
          "record": [["pair", "(new_W, new_b)"]]},
    reference=lambda case: [np.asarray(value) for value in optim.minibatch_sgd_epoch(
        *inputs(case), case.arrays["permutation"])],
    bugs=epoch_bugs(),
    hints=(
        Hint("only integers, slices", "index_rows"),
        Hint("matmul", "matmul_shapes"),
    ),
    passed="minibatch_sgd_epoch",
    source_rule=SourceRule("epoch", forbidden=NUMPY_ONLY, section=EPOCH),
)
