"""Reference gradient descent for f(x) = x·W + b in plain NumPy.

Taught in book/linear_fit/numpy.md; the autograder compares learners' steps with these.
The loss is the mean squared error, mean((W·x + b − y)²), as in the origin tutorial.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


def predict(W, b, inputs):
    """The model's prediction ``inputs * W + b``."""
    return inputs * W + b


def mse(predicted_y, desired_y) -> float:
    """Mean squared error, the origin's L2 loss."""
    return float(np.mean(np.square(np.asarray(predicted_y) - np.asarray(desired_y))))


def mse_gradients(W, b, inputs, outputs) -> tuple[float, float]:
    """Hand-derived gradients of mean((W·x + b − y)²) with respect to W and b.

    With residual r = W·x + b − y:  ∂/∂W = 2·mean(r·x),  ∂/∂b = 2·mean(r).
    """
    residual = predict(W, b, inputs) - outputs
    return float(2 * np.mean(residual * inputs)), float(2 * np.mean(residual))


def train_step_numpy(W, b, inputs, outputs, learning_rate):
    """One gradient-descent step; returns ``(new_W, new_b)``.

    Both gradients are taken at the *old* (W, b): updating b with an already-updated W
    is a classic bug that the autograder names.
    """
    dW, db = mse_gradients(W, b, inputs, outputs)
    return W - learning_rate * dW, b - learning_rate * db


@dataclass(frozen=True)
class Trajectory:
    """W, b and the loss before each step, the origin's per-epoch log."""

    W: np.ndarray
    b: np.ndarray
    loss: np.ndarray

    def __len__(self) -> int:
        return len(self.loss)


def fit_numpy(W, b, inputs, outputs, learning_rate, epochs, step=train_step_numpy) -> Trajectory:
    """Run ``epochs`` full-batch steps of ``step`` from (W, b), logging before each step."""
    if epochs < 0:
        raise ValueError(f"epochs must be >= 0, got {epochs}")
    Ws, bs, losses = [], [], []
    for _ in range(epochs):
        Ws.append(float(W))
        bs.append(float(b))
        losses.append(mse(predict(W, b, inputs), outputs))
        W, b = step(W, b, inputs, outputs, learning_rate)
    return Trajectory(np.array(Ws), np.array(bs), np.array(losses))


def least_squares(inputs, outputs) -> tuple[float, float]:
    """The closed-form (W, b) that minimises the mean squared error: the floor of the fit."""
    x = np.asarray(inputs, dtype=np.float64)
    y = np.asarray(outputs, dtype=np.float64)
    design = np.stack([x, np.ones_like(x)], axis=1)
    (W, b), *_ = np.linalg.lstsq(design, y, rcond=None)
    return float(W), float(b)


def loss_hessian(inputs) -> np.ndarray:
    """The (constant) Hessian of the mean squared error in (W, b)."""
    x = np.asarray(inputs, dtype=np.float64)
    mean_x = np.mean(x)
    return 2 * np.array([[np.mean(x * x), mean_x], [mean_x, 1.0]])


def critical_learning_rate(inputs) -> float:
    """2 / L, L the largest eigenvalue of the Hessian: gradient descent diverges beyond it."""
    return float(2 / np.linalg.eigvalsh(loss_hessian(inputs)).max())
