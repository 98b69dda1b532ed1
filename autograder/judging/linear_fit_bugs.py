"""The known-wrong linear_fit steps, in float64 NumPy: one copy, used to name a learner's bug.

Each variant is the reference step with one classic mistake. The verdict replays a
learner's recorded step against every variant; when one of them matches, the feedback
names it. The tests' corpus of wrong submissions (tests/autograder/files/linear_fit/)
holds one notebook cell per variant and expects exactly these names back.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np

from autograder.judging.wording import named_bug
from ttt.reference import mse_gradients

Gradients = Callable[..., tuple[float, float]]


def mae_gradients(W, b, inputs, outputs) -> tuple[float, float]:
    """Gradients of mean(|W·x + b − y|): the loss the TensorFlow check swaps in."""
    sign = np.sign(inputs * W + b - outputs)
    return float(np.mean(sign * inputs)), float(np.mean(sign))


def mae(W, b, inputs, outputs) -> float:
    return float(np.mean(np.abs(inputs * W + b - outputs)))


def mse(W, b, inputs, outputs) -> float:
    return float(np.mean(np.square(inputs * W + b - outputs)))


def reversed_mse_gradients(W, b, inputs, outputs) -> tuple[float, float]:
    """What a tape returns for a loss whose value is the MSE but whose registered gradient
    is minus its slope (the TensorFlow check swaps it in; finite differences see the slope)."""
    dW, db = mse_gradients(W, b, inputs, outputs)
    return -dW, -db


LOSSES: dict[str, tuple[Callable[..., float], Gradients]] = {
    "mse": (mse, mse_gradients),
    "mae": (mae, mae_gradients),
    "reversed": (mse, reversed_mse_gradients),
}


@dataclass(frozen=True)
class Variant:
    name: str  # what the feedback calls the bug
    advice: str  # the hint: what went wrong, in a sentence or two, not the formula
    tensorflow: bool  # whether a TensorFlow step can plausibly have this bug
    fix: str = ""  # the formula or call that fixes it (the feedback shows it on request)
    section: str = ""  # the book's section that teaches it: "linear_fit/numpy.md#..."

    def explanation(self) -> str:
        return named_bug(self.name, self.advice, self.fix, self.section)


def _correct(W, b, x, y, lr, grad):
    dW, db = grad(W, b, x, y)
    return W - lr * dW, b - lr * db


def _sign_flipped(W, b, x, y, lr, grad):
    dW, db = grad(W, b, x, y)
    return W + lr * dW, b + lr * db


def _missing_factor_2(W, b, x, y, lr, grad):
    dW, db = grad(W, b, x, y)
    return W - lr * dW / 2, b - lr * db / 2


def _sum_instead_of_mean(W, b, x, y, lr, grad):
    dW, db = grad(W, b, x, y)
    return W - lr * len(x) * dW, b - lr * len(x) * db


def _gradients_swapped(W, b, x, y, lr, grad):
    dW, db = grad(W, b, x, y)
    return W - lr * db, b - lr * dW


def _b_with_new_W(W, b, x, y, lr, grad):
    dW, _ = grad(W, b, x, y)
    new_W = W - lr * dW
    _, db = grad(new_W, b, x, y)
    return new_W, b - lr * db


def _no_update(W, b, x, y, lr, grad):
    return W, b


CORRECT = "correct"
NO_UPDATE = "no update at all"
STEPS: dict[str, Callable] = {
    CORRECT: _correct,
    "sign flipped": _sign_flipped,
    "missing factor 2": _missing_factor_2,
    "sum instead of mean": _sum_instead_of_mean,
    "W and b gradients swapped": _gradients_swapped,
    "b updated with the new W": _b_with_new_W,
    NO_UPDATE: _no_update,
}

STEP = "linear_fit/numpy.md#one-train-step"
HAND = "linear_fit/numpy.md#the-gradients-by-hand"
TF_STEP = "linear_fit/tensorflow.md#one-train-step-side-by-side"

VARIANTS: tuple[Variant, ...] = (
    Variant("sign flipped",
            "Your step moved W and b up the slope, so the loss grows. Which way does the "
            "gradient point, and which way must a step go?", tensorflow=True,
            fix="gradient descent subtracts: `new_W = W - learning_rate * dW`", section=STEP),
    Variant("missing factor 2",
            "Your steps are half as long as they should be. Differentiate the square once "
            "more by hand: what does it bring down?", tensorflow=False,
            fix="d/dW mean(r**2) = 2 * mean(r * x), with r = x * W + b - y", section=HAND),
    Variant("sum instead of mean",
            "Your steps are as many times too long as there are examples. The loss is a "
            "mean, so its gradient is a mean too.", tensorflow=False,
            fix="average over the examples (`np.mean`), do not add them up", section=HAND),
    Variant("W and b gradients swapped",
            "W moved by b's gradient and b by W's. Check which gradient updates which "
            "parameter.", tensorflow=True, section=STEP),
    Variant("b updated with the new W",
            "b was updated with a gradient computed after W had already changed: that is "
            "another algorithm (alternating descent), not this step.", tensorflow=True,
            fix="compute both gradients at the old (W, b) first, then update both",
            section="linear_fit/numpy.md#the-same-step-with-the-tape"),
    Variant("no update at all",
            "W and b did not change. The step must move them: return the new values "
            "(NumPy) or change the variables in place (TensorFlow).",
            tensorflow=True, fix="`model.W.assign_sub(learning_rate * dW)` in TensorFlow",
            section=STEP),
)

REBOUND = Variant(
    "variables rebound instead of assigned",
    "model.W or model.b was replaced by a new object (model.W = ...). A tf.Variable is "
    "state: it must be updated in place, so that the model keeps the same variables and the "
    "tape keeps watching them.", tensorflow=True,
    fix="`model.W.assign_sub(learning_rate * dW)`", section="variables/index.md#updating-a-variable")
NOT_THE_TAPE = Variant(
    "gradients not taken from the tape of `loss`",
    "When the grader swapped the notebook's `loss` for another loss (the mean absolute "
    "error), your step still moved W and b as if for the mean squared error. The step must "
    "follow whatever `loss` is.", tensorflow=True,
    fix="compute the loss by calling `loss(...)` under `tf.GradientTape` and take the "
        "gradients from the tape", section=TF_STEP)
FINITE_DIFFERENCES = Variant(
    "gradients by finite differences, not from the tape",
    "When the grader swapped in a `loss` whose registered gradient is not the slope of its "
    "values (made with tf.custom_gradient, like a gradient-reversal layer), your step still "
    "moved along the slope: it estimates the gradients from values of the loss instead of "
    "asking the tape.", tensorflow=True,
    fix="compute the loss under `tf.GradientTape` and use `tape.gradient(...)`: only the "
        "tape replays the gradient each operation registers",
    section="tapes/custom_gradients.md#writing-the-backward-rule-yourself-tf-custom-gradient")


def step(name: str, W, b, inputs, outputs, learning_rate, loss_name: str = "mse"):
    """One step of the variant ``name`` in float64, from plain floats."""
    x = np.asarray(inputs, dtype=np.float64)
    y = np.asarray(outputs, dtype=np.float64)
    new_W, new_b = STEPS[name](float(W), float(b), x, y, float(learning_rate),
                               LOSSES[loss_name][1])
    return float(new_W), float(new_b)
