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

from autograder.judging.wording import Named
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
class Variant(Named):
    """A known-wrong step (its words: :class:`~autograder.judging.wording.Named`, the
    catalogue's ``bug.<key>``) and whether a TensorFlow step can plausibly have it."""

    tensorflow: bool


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


STEP = "linear_fit/numpy.md#one-train-step"
HAND = "linear_fit/numpy.md#the-gradients-by-hand"
TF_STEP = "linear_fit/tensorflow.md#one-train-step-side-by-side"

VARIANTS: tuple[Variant, ...] = (
    Variant("sign_flipped", tensorflow=True, section=STEP),
    Variant("missing_factor_2", tensorflow=False, section=HAND),
    Variant("sum_instead_of_mean", tensorflow=False, section=HAND),
    Variant("gradients_swapped", tensorflow=True, section=STEP),
    Variant("b_with_new_W", tensorflow=True,
            section="linear_fit/numpy.md#the-same-step-with-the-tape"),
    Variant("no_update", tensorflow=True, section=STEP),
)
REBOUND = Variant("variables_rebound", tensorflow=True,
                  section="variables/index.md#updating-a-variable")
NOT_THE_TAPE = Variant("not_the_tape", tensorflow=True, section=TF_STEP)
FINITE_DIFFERENCES = Variant(
    "finite_differences_not_the_tape", tensorflow=True,
    section="tapes/custom_gradients.md#writing-the-backward-rule-yourself-tf-custom-gradient")

# Every step, by the name the instructor's outputs give it (the bug's English name): the
# reference and each variant's slip, in the order of VARIANTS.
CORRECT = "correct"
STEPS: dict[str, Callable] = {CORRECT: _correct, **{
    variant.english_name: slip for variant, slip in zip(VARIANTS, (
        _sign_flipped, _missing_factor_2, _sum_instead_of_mean, _gradients_swapped,
        _b_with_new_W, _no_update))}}
NO_UPDATE = VARIANTS[-1].english_name
_BY_STEP = {variant.english_name: variant for variant in VARIANTS}


def variant(step_name: str) -> Variant:
    """The variant whose slip the step ``step_name`` of :data:`STEPS` is."""
    return _BY_STEP[step_name]


def step(name: str, W, b, inputs, outputs, learning_rate, loss_name: str = "mse"):
    """One step of the variant ``name`` in float64, from plain floats."""
    x = np.asarray(inputs, dtype=np.float64)
    y = np.asarray(outputs, dtype=np.float64)
    new_W, new_b = STEPS[name](float(W), float(b), x, y, float(learning_rate),
                               LOSSES[loss_name][1])
    return float(new_W), float(new_b)
