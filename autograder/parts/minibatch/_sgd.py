"""What the two minibatch-epoch parts share: an epoch with a named slip, and the slips.

The right epoch is :func:`ttt.optim.minibatch_sgd_epoch`'s; :func:`epoch` replays the
same loop with one thing changed (which batches, which gradient), so each named bug is
the reference with exactly that slip.
"""

from __future__ import annotations

import numpy as np

from autograder.parts.spec import Bug
from ttt import optim

BATCHING = "minibatch/minibatches.md#shuffling-and-batching"
LAST_BATCH = "minibatch/minibatches.md#the-last-partial-batch"
EPOCH = "minibatch/minibatches.md#one-epoch-of-minibatch-gradient-descent"


def inputs(case) -> tuple:
    """The case's (W, b, X, y, learning_rate, batch_size) as the learner gets them."""
    return (case.arrays["W"].astype(np.float64), float(case.settings["b"]),
            case.arrays["X"].astype(np.float64), case.arrays["y"].astype(np.float64),
            case.settings["learning_rate"], case.settings["batch_size"])


def partial(case) -> bool:
    """Whether the case's last batch is short (the last-batch slips show only then)."""
    return len(case.arrays["X"]) % case.settings["batch_size"] != 0


def cut(order, batch_size, slip: str | None = None) -> list[np.ndarray]:
    """The batches of ``order``, or those of a slip in cutting it."""
    batches = optim.batches(order, batch_size)
    if slip == "dropped" and len(batches[-1]) < batch_size:
        batches = batches[:-1]
    elif slip == "filled" and len(batches[-1]) < batch_size:
        batches[-1] = np.concatenate([batches[-1], order[:batch_size - len(batches[-1])]])
    return batches


def epoch(W, b, X, y, learning_rate, batch_size, batches, slip: str | None = None):
    """One step per batch, as the reference steps, but with the gradient ``slip`` names:
    "summed" (not averaged), "over batch_size" (a short batch's sum divided by the full
    size), "all data" (every step's gradient on all of X), "new W" (b's gradient at the
    new W)."""
    for batch in batches:
        rows = np.arange(len(X)) if slip == "all data" else batch
        dW, db = optim.mse_gradients(W, b, X[rows], y[rows])
        scale = {"summed": len(rows), "over batch_size": len(rows) / batch_size}.get(slip, 1)
        new_W = W - learning_rate * scale * dW
        if slip == "new W":
            db = optim.mse_gradients(new_W, b, X[rows], y[rows])[1]
        W, b = new_W, b - learning_rate * scale * db
    return [W, np.float64(b)]


def epoch_bugs() -> tuple[Bug, ...]:
    """The slips of one epoch: which examples form the batches, and how a batch's gradient
    is made."""
    def slipped(cutting=None, gradient=None, needs_partial=False):
        def outputs(case):
            if needs_partial and not partial(case):
                return []  # the slip cannot show: every batch is full
            W, b, X, y, rate, size = inputs(case)
            order = np.arange(len(X)) if cutting == "index order" else case.arrays["permutation"]
            return epoch(W, b, X, y, rate, size, cut(order, size, cutting), gradient)
        return outputs

    return (
        Bug("last_batch_dropped", slipped("dropped", needs_partial=True), section=LAST_BATCH),
        Bug("last_batch_filled", slipped("filled", needs_partial=True), section=LAST_BATCH),
        Bug("last_batch_over_batch_size", slipped(gradient="over batch_size", needs_partial=True),
            section=LAST_BATCH),
        Bug("permutation_ignored", slipped("index order"), section=BATCHING),
        Bug("batch_gradient_summed", slipped(gradient="summed"), section=EPOCH),
        Bug("all_data_gradient", slipped(gradient="all data"), section=EPOCH),
        Bug("minibatch_b_with_new_W", slipped(gradient="new W"),
            section="minibatch/features.md#the-gradients"),
    )
