"""The data linear_fit's checks run on, drawn at grading time from one seed.

Pure functions of the seed: the probe (inside the learner's kernel) and the verdict
(outside it) call the same function with the same seed and get the same arrays, so only
the seed crosses between them, never the data. A fresh seed per grading run means a
learner cannot hard-code answers.

(The other parts draw theirs from the case recipes of their specs: :mod:`autograder.cases`.)

Imported inside the learner's kernel: depends on NumPy, :mod:`ttt.data` and
:mod:`autograder.cases` only.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from autograder.cases import generator
from ttt.data import make_linear_data


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
    rng = generator(seed, "linear_fit/steps")
    return tuple(
        _linear_fit_scenario(rng, f"start {k + 1}", TRAJECTORY_STEPS,
                             lr_fraction=fraction, num_examples=int(rng.integers(60, 200)))
        for k, fraction in enumerate((0.3, 0.5, 0.8))
    )


def linear_fit_convergence(seed: int) -> LinearFitScenario:
    """One long run: after CONVERGENCE_STEPS steps the fit must sit at the least-squares optimum."""
    rng = generator(seed, "linear_fit/convergence")
    # Milder off-centre inputs than the short runs: the loss is then well conditioned, and
    # even a step half as long as the reference's gets there (a slow step is not wrong).
    return _linear_fit_scenario(rng, "convergence", CONVERGENCE_STEPS, lr_fraction=0.9,
                                num_examples=500, mean_range=(0.8, 1.2), std_range=(0.8, 1.2))
