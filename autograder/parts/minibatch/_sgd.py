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
        Bug("last partial batch dropped",
            "Your epoch took one step too few: the examples at the end of the permutation, "
            "the short last batch, never made a step. Every example is in exactly one batch "
            "of an epoch.", slipped("dropped", needs_partial=True),
            fix="`for start in range(0, len(permutation), batch_size)`, which keeps the short "
                "last batch", section=LAST_BATCH),
        Bug("last partial batch filled up",
            "Your last batch had batch_size examples although fewer were left: it was filled "
            "up with examples from the start of the permutation, which then count twice in "
            "the epoch.", slipped("filled", needs_partial=True),
            fix="`permutation[start:start + batch_size]` and nothing more: the last slice is "
                "simply shorter", section=LAST_BATCH),
        Bug("last batch averaged over batch_size",
            "Your short last batch made a step that was too short: its gradient was divided "
            "by batch_size, but it has fewer examples than that.",
            slipped(gradient="over batch_size", needs_partial=True),
            fix="average over the batch's own rows: `np.mean` or `/ len(batch)`",
            section=LAST_BATCH),
        Bug("permutation ignored",
            "Your batches took the rows in their stored order (rows 0, 1, 2, ...), not in the "
            "order of the permutation you were given.", slipped("index order"),
            fix="`batch = permutation[start:start + batch_size]`, then `X[batch]`, `y[batch]`",
            section=BATCHING),
        Bug("batch gradient summed, not averaged",
            "Your steps grew with the batch: the gradient of a batch is the gradient of its "
            "mean squared error, a mean over its examples.", slipped(gradient="summed"),
            fix="`2 * X_batch.T @ residual / len(residual)` and `2 * np.mean(residual)`",
            section=EPOCH),
        Bug("gradient of all the data in every step",
            "Every step used the gradient over all of X: that is full-batch gradient descent "
            "run several times, not minibatch descent. Each step sees only its batch's rows.",
            slipped(gradient="all data"),
            fix="`gradients(W, b, X[batch], y[batch])`", section=EPOCH),
        Bug("b updated with the new W",
            "b's gradient was taken after W had already moved: both gradients of a step "
            "belong to the same, old (W, b).", slipped(gradient="new W"),
            fix="compute dW and db first, then update both",
            section="minibatch/features.md#the-gradients"),
    )
