"""Synthetic data of the linear fit, as in the origin tutorial.

Taught in book/linear_fit/data.md. The defaults are the origin's numbers: a line with
W = 3 and b = 2, 1,000 unit-normal inputs, unit-normal noise.
"""

from __future__ import annotations

import numbers

import numpy as np

TRUE_W = 3.0
TRUE_b = 2.0
NUM_EXAMPLES = 1000
W0 = 5.0
b0 = 0.0
LEARNING_RATE = 0.1
EPOCHS = 10


def make_linear_data(
    num_examples: int = NUM_EXAMPLES,
    true_W: float = TRUE_W,
    true_b: float = TRUE_b,
    *,
    noise_std: float = 1.0,
    input_mean: float = 0.0,
    input_std: float = 1.0,
    seed=None,
    dtype=np.float32,
) -> tuple[np.ndarray, np.ndarray]:
    """Draw ``inputs`` and ``outputs = inputs * true_W + true_b + noise``.

    ``seed`` is anything :func:`numpy.random.default_rng` accepts; the same seed gives the
    same data. Returns two 1-D arrays of ``dtype`` (float32 by default, TensorFlow's
    default, so the NumPy and TensorFlow fits see the very same numbers).
    """
    if isinstance(num_examples, bool) or not isinstance(num_examples, numbers.Integral):
        raise TypeError(f"num_examples must be a whole number, got {num_examples!r}")
    if num_examples < 1:
        raise ValueError(f"num_examples must be at least 1, got {num_examples}")
    for name, value in (("noise_std", noise_std), ("input_std", input_std)):
        if not np.isfinite(value) or value < 0:
            raise ValueError(f"{name} must be a finite number >= 0, got {value!r}")
    rng = np.random.default_rng(seed)
    inputs = rng.normal(input_mean, input_std, size=num_examples)
    noise = rng.normal(0.0, noise_std, size=num_examples)
    outputs = inputs * true_W + true_b + noise
    return inputs.astype(dtype), outputs.astype(dtype)
