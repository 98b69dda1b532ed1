"""The data each check runs on, drawn at grading time from one seed.

Pure functions of the seed: the probe (inside the learner's kernel) and the verdict
(outside it) call the same function with the same seed and get the same arrays, so only
the seed crosses between them, never the data. A fresh seed per grading run means a
learner cannot hard-code answers.

Imported inside the learner's kernel: depends on NumPy, :mod:`ttt.data` and
:mod:`autograder.protocol` only.
"""

from __future__ import annotations

import numbers
from dataclasses import dataclass

import numpy as np

from autograder.protocol import STREAMS
from ttt.data import make_linear_data


def _rng(seed: int, assignment: str, *path: int) -> np.random.Generator:
    if isinstance(seed, bool) or not isinstance(seed, numbers.Integral) or seed < 0:
        raise ValueError(f"the grading seed must be a whole number >= 0, got {seed!r}")
    return np.random.default_rng([int(seed), STREAMS[assignment], *path])


# --- linear_fit ------------------------------------------------------------------------

TRAJECTORY_STEPS = 5
CONVERGENCE_STEPS = 300
# The `loss` each TensorFlow step runs with, per start, in this order: the notebook's own
# ("mse"), the mean absolute error ("mae": a step must follow `loss`), and the MSE whose
# registered gradient is minus its slope ("reversed": a step must take gradients from the tape).
TF_LOSSES = ("mse", "mae", "reversed")


@dataclass(frozen=True)
class LinearFitScenario:
    """One start of gradient descent: data, starting (W, b), learning rate, step count."""

    name: str
    inputs: np.ndarray  # float32, like the chapter's data
    outputs: np.ndarray
    W0: float
    b0: float
    learning_rate: float
    steps: int


def _linear_fit_scenario(rng, name, steps, lr_fraction, num_examples,
                         mean_range=(1.0, 2.0), std_range=(0.6, 1.2)) -> LinearFitScenario:
    true_W = rng.uniform(-4, 4)
    true_b = rng.uniform(-3, 3)
    # Inputs centred away from zero: then updating b with an already-updated W shows.
    input_mean = rng.choice([-1, 1]) * rng.uniform(*mean_range)
    inputs, outputs = make_linear_data(
        num_examples, true_W, true_b, noise_std=rng.uniform(0.5, 1.5),
        input_mean=input_mean, input_std=rng.uniform(*std_range), seed=rng.integers(2**63),
    )
    # Start a few units from the truth, so every step moves W and b visibly.
    W0 = round(true_W + rng.choice([-1, 1]) * rng.uniform(2, 4), 2)
    b0 = round(true_b + rng.choice([-1, 1]) * rng.uniform(2, 4), 2)
    # The largest curvature of the loss is at most 2 * (mean(x**2) + 1), so this learning
    # rate is at most lr_fraction times the critical one: gradient descent stays stable.
    bound = 1.0 / (float(np.mean(np.square(inputs.astype(np.float64)))) + 1.0)
    learning_rate = float(np.floor(lr_fraction * bound * 1000) / 1000)
    return LinearFitScenario(name, inputs, outputs, float(W0), float(b0), learning_rate, steps)


def linear_fit(seed: int) -> tuple[LinearFitScenario, ...]:
    """Three short runs (different data, starts and learning rates) for the step checks."""
    rng = _rng(seed, "linear_fit", 0)
    return tuple(
        _linear_fit_scenario(rng, f"start {k + 1}", TRAJECTORY_STEPS,
                             lr_fraction=fraction, num_examples=int(rng.integers(60, 200)))
        for k, fraction in enumerate((0.3, 0.5, 0.8))
    )


def linear_fit_convergence(seed: int) -> LinearFitScenario:
    """One long run: after CONVERGENCE_STEPS steps the fit must sit at the least-squares optimum."""
    rng = _rng(seed, "linear_fit", 1)
    # Milder off-centre inputs than the short runs: the loss is then well conditioned, and
    # even a step half as long as the reference's gets there (a slow step is not wrong).
    return _linear_fit_scenario(rng, "convergence", CONVERGENCE_STEPS, lr_fraction=0.9,
                                num_examples=500, mean_range=(0.8, 1.2), std_range=(0.8, 1.2))


# --- tensors, tapes, variables: calls on arrays ----------------------------------------

@dataclass(frozen=True)
class ArrayCase:
    """One call of a learner's function: named input arrays and scalar settings."""

    name: str
    arrays: dict
    settings: dict


def _normal(rng, *shape, scale=1.0):
    return (rng.normal(size=shape) * scale).astype(np.float32)


def softmax_cases(seed: int) -> tuple[ArrayCase, ...]:
    """Logits of several shapes (never square), the last far from zero."""
    rng = _rng(seed, "tensors", 0)
    n, k = int(rng.integers(4, 7)), int(rng.integers(2, 4))
    large = _normal(rng, 3, 6, scale=3.0) + rng.choice([-1000.0, 1000.0], size=(3, 1))
    return (
        ArrayCase("small logits", {"logits": _normal(rng, n, k, scale=2.0)}, {}),
        ArrayCase("one row", {"logits": _normal(rng, 1, 5, scale=2.0)}, {}),
        ArrayCase("large logits", {"logits": large.astype(np.float32)}, {}),
    )


def distance_cases(seed: int) -> tuple[ArrayCase, ...]:
    rng = _rng(seed, "tensors", 1)
    cases = []
    for k, (n, m, d) in enumerate(((4, 3, 2), (2, 5, 3), (1, 4, 4))):
        cases.append(ArrayCase(f"{n} by {m} points", {"a": _normal(rng, n, d), "b": _normal(rng, m, d)}, {}))
    return tuple(cases)


def replace_row_cases(seed: int) -> tuple[ArrayCase, ...]:
    rng = _rng(seed, "tensors", 2)
    n, k = int(rng.integers(4, 7)), 3
    return tuple(
        ArrayCase(f"row {i}", {"t": _normal(rng, n, k), "row": _normal(rng, k)}, {"i": i})
        for i in (0, int(rng.integers(1, n - 1)), n - 1)
    )


def backward_cases(seed: int) -> tuple[ArrayCase, ...]:
    """Inputs and an upstream gradient for each op whose backward rule the learner writes."""
    rng = _rng(seed, "tapes", 0)
    shape = (3, 4)
    y_away_from_zero = (rng.uniform(0.5, 2.0, size=shape) * rng.choice([-1, 1], size=shape))
    return (
        ArrayCase("multiply", {"grad": _normal(rng, *shape), "x": _normal(rng, *shape),
                               "y": _normal(rng, *shape)}, {}),
        ArrayCase("divide", {"grad": _normal(rng, *shape), "x": _normal(rng, *shape),
                             "y": y_away_from_zero.astype(np.float32)}, {}),
        ArrayCase("exp", {"grad": _normal(rng, *shape), "x": _normal(rng, *shape)}, {}),
    )


# Functions whose derivative the learner's tape code computes (TensorFlow forms live in
# the probe, derivatives in the verdict; this tuple is the one list of their names). The
# last registers its own gradient with tf.custom_gradient: only a tape returns it.
DERIVATIVE_FUNCTIONS = ("x * sin(x)", "exp(-x**2)", "x**3 - 2*x", "log(1 + x**2)",
                        "x + x**3/3 (custom gradient)")


def derivative_cases(seed: int) -> tuple[ArrayCase, ...]:
    rng = _rng(seed, "tapes", 1)
    return tuple(
        ArrayCase(name, {"x": rng.uniform(-2, 2, size=7).astype(np.float32)}, {})
        for name in DERIVATIVE_FUNCTIONS
    )


MOMENTUM_STEPS = 4


def momentum_cases(seed: int) -> tuple[ArrayCase, ...]:
    rng = _rng(seed, "variables", 0)
    cases = []
    for k in range(2):
        size = int(rng.integers(3, 6))
        cases.append(ArrayCase(
            f"run {k + 1}",
            {"W": _normal(rng, size), "velocity": _normal(rng, size),
             "gradients": _normal(rng, MOMENTUM_STEPS, size)},
            {"learning_rate": round(float(rng.uniform(0.05, 0.3)), 3),
             "momentum": round(float(rng.uniform(0.5, 0.95)), 3)},
        ))
    return tuple(cases)


def sparse_update_cases(seed: int) -> tuple[ArrayCase, ...]:
    """An embedding table, row indices with at least one repeat, and one update per index."""
    rng = _rng(seed, "variables", 1)
    cases = []
    for k in range(2):
        rows, width = int(rng.integers(5, 9)), int(rng.integers(2, 4))
        count = int(rng.integers(3, 6))
        indices = rng.integers(0, rows, size=count)
        indices[-1] = indices[0]  # a repeated row: its updates must add up
        cases.append(ArrayCase(
            f"table {k + 1}",
            {"table": _normal(rng, rows, width), "indices": indices.astype(np.int64),
             "updates": _normal(rng, count, width)}, {}))
    return tuple(cases)
