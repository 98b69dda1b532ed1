"""Part 2 of minibatch: several epochs, each in a fresh order drawn from a seeded generator."""

from __future__ import annotations

import numpy as np

from autograder.cases import case, integer, normal, rounded
from autograder.judging.arrays import all_match
from autograder.messages import say
from autograder.parts.minibatch._sgd import BATCHING, cut, epoch, inputs
from autograder.parts.spec import ArrayPart, Bug
from autograder.source_rules import NUMPY_ONLY, SourceRule
from ttt import optim


def reference(case) -> list:
    return [np.asarray(value) for value in optim.minibatch_sgd(
        *inputs(case), case.settings["epochs"], case.settings["seed"])]


def _with_orders(case, orders) -> list:
    """The run with the epochs' orders given (a slip in drawing them)."""
    W, b, X, y, rate, size = inputs(case)
    for order in orders:
        W, b = epoch(W, b, X, y, rate, size, cut(order, size))
    return [W, np.float64(b)]


def one_permutation(case) -> list:
    if case.settings["epochs"] < 2:
        return []  # one epoch: nothing to reshuffle
    order = np.random.default_rng(case.settings["seed"]).permutation(len(case.arrays["X"]))
    return _with_orders(case, [order] * case.settings["epochs"])


def no_shuffle(case) -> list:
    return _with_orders(case, [np.arange(len(case.arrays["X"]))] * case.settings["epochs"])


def point_to_part_1(part, runs):
    """The default judging; where a wrong run matches no named bug, the likelier cause is
    the learner's epoch of Part 1, which this part calls: say so."""
    fraction, stage, message = part.grade(runs)
    unexplained = [run for run, verdict in zip(runs, part.verdicts(runs))
                   if verdict.problem and not run.error
                   and not any(all_match(run.outputs, bug.outputs(run.case))
                               for bug in part.bugs)]
    return fraction, stage, f"{message}\n{say('minibatch.part_1_first')}" if unexplained \
        else message


def _run(epochs: int, n: int, batch_size: int, rate=(0.02, 0.1)):
    return case("{epochs} epochs of {n} examples" if epochs > 1 else "1 epoch of {n} examples",
                dims={"n": n, "d": [2, 5]},
                arrays={"W": normal("d"), "X": normal("n", "d"), "y": normal("n")},
                settings={"b": rounded(-1.0, 1.0), "learning_rate": rounded(*rate),
                          "batch_size": batch_size, "epochs": epochs,
                          "seed": integer(0, 2**31)})


PART = ArrayPart(
    number=2, points=2, summary="`minibatch_sgd` (NumPy, several epochs)",
    functions=("minibatch_sgd",),
    cases=[_run(1, 10, 4), _run(3, 11, 3), _run(10, 12, 5, rate=(0.01, 0.05))],
    call={"function": "minibatch_sgd",
          "args": [["float64", "W"], ["setting", "b"], ["float64", "X"], ["float64", "y"],
                   ["setting", "learning_rate"], ["setting", "batch_size"],
                   ["setting", "epochs"], ["setting", "seed"]],
          "record": [["pair", "(new_W, new_b)"]]},
    reference=reference,
    bugs=(
        Bug("no_reshuffle", one_permutation, section=BATCHING),
        Bug("no_shuffling", no_shuffle, section=BATCHING),
    ),
    passed="minibatch_sgd",
    rule=point_to_part_1,
    source_rule=SourceRule("epochs", forbidden=NUMPY_ONLY, section=BATCHING),
)
