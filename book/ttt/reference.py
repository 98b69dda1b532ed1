"""Reference gradient descent for f(x) = x·W + b in plain NumPy.

Taught in book/linear_fit/numpy.md (the steps), book/linear_fit/least_squares.md (the
floor) and book/linear_fit/learning_rate.md (the Hessian and 2/λ_max); the autograder compares
learners' steps with these. The loss is the mean squared error, mean((W·x + b − y)²), as in
the origin tutorial.
"""

from __future__ import annotations

import numbers
from dataclasses import dataclass

import numpy as np

from ttt import tape as _tape


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

    Both gradients are taken at the *old* (W, b). Updating b with an already-updated W
    would be alternating (block-coordinate) descent, another algorithm: the exercise asks
    for gradient descent, so the autograder names it as a bug.
    """
    dW, db = mse_gradients(W, b, inputs, outputs)
    return W - learning_rate * dW, b - learning_rate * db


def train_step_tape(W, b, inputs, outputs, learning_rate):
    """The same step, with the gradients from chapter 2's NumPy tape instead of by hand."""
    W_t, b_t = _tape.Tensor(W), _tape.Tensor(b)
    with _tape.Tape() as tape:
        current_loss = _tape.reduce_mean(_tape.square(W_t * inputs + b_t - outputs))
    dW, db = tape.gradient(current_loss, [W_t, b_t])
    return W - learning_rate * float(dW), b - learning_rate * float(db)


@dataclass(frozen=True)
class Trajectory:
    """W, b and the loss before each step, the origin's per-epoch log."""

    W: np.ndarray
    b: np.ndarray
    loss: np.ndarray

    def __len__(self) -> int:
        return len(self.loss)

    def first(self, epochs: int) -> "Trajectory":
        """The log of the first ``epochs`` epochs only."""
        return Trajectory(self.W[:epochs], self.b[:epochs], self.loss[:epochs])

    def log_lines(self) -> list[str]:
        """One line per epoch, in the origin's format."""
        return [f"Epoch {epoch:2d}: W={W:1.2f} b={b:1.2f}, loss={loss:2.5f}"
                for epoch, (W, b, loss) in enumerate(zip(self.W, self.b, self.loss))]


def fit_numpy(W, b, inputs, outputs, learning_rate, epochs, step=train_step_numpy) -> Trajectory:
    """Run ``epochs`` full-batch steps of ``step`` from (W, b), logging before each step."""
    _check_epochs(epochs)
    Ws, bs, losses = [], [], []
    for _ in range(epochs):
        Ws.append(float(W))
        bs.append(float(b))
        losses.append(mse(predict(W, b, inputs), outputs))
        W, b = step(W, b, inputs, outputs, learning_rate)
    return Trajectory(np.array(Ws), np.array(bs), np.array(losses))


def least_squares(inputs, outputs) -> tuple[float, float]:
    """The closed-form (W, b) that minimises the mean squared error: the floor of the fit."""
    x, y = _as_data(inputs, outputs)
    design = np.stack([x, np.ones_like(x)], axis=1)
    (W, b), *_ = np.linalg.lstsq(design, y, rcond=None)
    return float(W), float(b)


def loss_floor(inputs, outputs) -> float:
    """The smallest mean squared error any line reaches: the loss at :func:`least_squares`."""
    x, y = _as_data(inputs, outputs)
    W, b = least_squares(x, y)
    return mse(predict(W, b, x), y)


def loss_surface(inputs, outputs, Ws, bs) -> np.ndarray:
    """The loss at every (W, b) of a grid: ``result[i, j]`` is the loss at ``(Ws[j], bs[i])``.

    Rows follow ``bs`` and columns ``Ws``, the layout ``matplotlib.contour(Ws, bs, ...)`` wants.
    The loss is a quadratic in (W, b), so five averages of the data give all of it.
    """
    x, y = _as_data(inputs, outputs)
    W_grid, b_grid = np.meshgrid(np.asarray(Ws, float), np.asarray(bs, float))
    xx, x1, xy, y1, yy = (np.mean(x * x), np.mean(x), np.mean(x * y), np.mean(y),
                          np.mean(y * y))
    return (xx * W_grid**2 + 2 * x1 * W_grid * b_grid + b_grid**2
            - 2 * xy * W_grid - 2 * y1 * b_grid + yy)


def loss_hessian(inputs) -> np.ndarray:
    """The (constant) Hessian of the mean squared error in (W, b)."""
    x = _as_inputs(inputs)
    mean_x = np.mean(x)
    return 2 * np.array([[np.mean(x * x), mean_x], [mean_x, 1.0]])


def critical_learning_rate(inputs) -> float:
    """2 / λ_max, λ_max the largest eigenvalue of the Hessian: gradient descent diverges
    beyond it."""
    return float(2 / np.linalg.eigvalsh(loss_hessian(inputs)).max())


def contraction_factors(inputs, learning_rate) -> np.ndarray:
    """1 − learning_rate·λ for each Hessian eigenvalue λ, smallest λ first.

    One step multiplies the distance to the least-squares point along each eigenvector by
    its factor: |factor| < 1 shrinks it, a negative factor flips its sign (oscillation),
    |factor| > 1 grows it (divergence).
    """
    return 1 - learning_rate * np.linalg.eigvalsh(loss_hessian(inputs))


def learning_rate_study(inputs, outputs, learning_rates, epochs, W=None, b=None,
                        step=train_step_numpy) -> dict[float, Trajectory]:
    """Fit from the same start with each learning rate; ``{learning_rate: Trajectory}``.

    W and b default to the origin's start (W0, b0).
    """
    from ttt.data import W0, b0

    W = W0 if W is None else W
    b = b0 if b is None else b
    learning_rates = [float(rate) for rate in learning_rates]
    if not learning_rates:
        raise ValueError("learning_rates is empty: give at least one learning rate")
    # Diverging runs overflow on purpose; their inf/nan is the result, not an accident.
    with np.errstate(over="ignore", invalid="ignore"):
        return {rate: fit_numpy(W, b, inputs, outputs, rate, epochs, step=step)
                for rate in learning_rates}


def epochs_to_converge(trajectory: Trajectory, floor: float, tolerance: float) -> int | None:
    """The first epoch whose logged loss is within ``tolerance`` of ``floor``; None if none is."""
    close = np.flatnonzero(np.asarray(trajectory.loss) - floor <= tolerance)
    return int(close[0]) if close.size else None


def _check_epochs(epochs) -> None:
    if isinstance(epochs, bool) or not isinstance(epochs, numbers.Integral):
        raise TypeError(f"epochs must be a whole number, got {epochs!r}")
    if epochs < 0:
        raise ValueError(f"epochs must be >= 0, got {epochs}")


def _as_inputs(inputs) -> np.ndarray:
    x = np.asarray(inputs, dtype=np.float64)
    if x.ndim != 1 or x.size == 0:
        raise ValueError(f"inputs must be a non-empty 1-D array, got shape {x.shape}")
    return x


def _as_data(inputs, outputs) -> tuple[np.ndarray, np.ndarray]:
    x = _as_inputs(inputs)
    y = np.asarray(outputs, dtype=np.float64)
    if y.shape != x.shape:
        raise ValueError(f"inputs and outputs must have the same shape, got {x.shape} and {y.shape}")
    return x, y
