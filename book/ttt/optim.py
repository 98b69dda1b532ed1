"""Minibatch gradient descent, momentum and Adam in plain NumPy (float64).

Taught in book/minibatch/minibatches.md (:func:`batches`, :func:`minibatch_sgd_epoch`,
:func:`minibatch_sgd`) and book/minibatch/optimizers.md (:func:`momentum_step`,
:func:`adam_step`); the autograder's assignment ``minibatch`` compares learners' code with
these. The model is ``X @ W + b``
(X of shape (N, d), W of shape (d,), b a number) and the loss the mean squared error over
a batch, the loss of chapter 4 with many features.

The optimizer steps follow Keras's update rules exactly (``tf.keras.optimizers.SGD`` with
``momentum`` and ``tf.keras.optimizers.Adam``), so the same gradients give the same
trajectory; tests/ttt/test_optim.py checks it. Randomness stays outside: the caller passes
the permutation (or the generator that draws one per epoch), so a run is a pure function of
its arguments.
"""

from __future__ import annotations

import numbers

import numpy as np


def predict(W, b, X) -> np.ndarray:
    """The model's prediction ``X @ W + b``."""
    return np.asarray(X, dtype=np.float64) @ np.asarray(W, dtype=np.float64) + b


def mse_gradients(W, b, X, y) -> tuple[np.ndarray, float]:
    """Gradients of mean((X @ W + b − y)²) with respect to W and b.

    With residual r = X @ W + b − y over N rows:  ∂/∂W = 2·Xᵀr / N,  ∂/∂b = 2·mean(r).
    """
    X = np.asarray(X, dtype=np.float64)
    residual = predict(W, b, X) - np.asarray(y, dtype=np.float64)
    return 2 * X.T @ residual / len(residual), float(2 * np.mean(residual))


def batches(permutation, batch_size) -> list[np.ndarray]:
    """The index arrays of one epoch: ``permutation`` cut into runs of ``batch_size``.

    The last batch is shorter when ``batch_size`` does not divide the number of examples;
    it is kept, so every example is seen exactly once per epoch.
    """
    order = _as_permutation(permutation)
    size = _check_batch_size(batch_size)
    return [order[start:start + size] for start in range(0, len(order), size)]


def minibatch_sgd_epoch(W, b, X, y, learning_rate, batch_size, permutation):
    """One epoch of minibatch gradient descent; returns ``(new_W, new_b)``.

    One step per batch of :func:`batches`, in permutation order, each on the mean squared
    error of that batch alone (a mean, so the step size does not grow with the batch).
    """
    W = np.array(W, dtype=np.float64)  # a copy: the caller's W is not changed
    b = float(b)
    X = np.asarray(X, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    if X.ndim != 2 or y.shape != (len(X),) or W.shape != (X.shape[1],):
        raise ValueError(f"expected X of shape (N, d), y of shape (N,), W of shape (d,); "
                         f"got {X.shape}, {y.shape}, {W.shape}")
    if len(_as_permutation(permutation)) != len(X):
        raise ValueError(f"permutation has {len(permutation)} indices for {len(X)} examples")
    for batch in batches(permutation, batch_size):
        dW, db = mse_gradients(W, b, X[batch], y[batch])
        W, b = W - learning_rate * dW, b - learning_rate * db
    return W, b


def minibatch_sgd(W, b, X, y, learning_rate, batch_size, epochs, rng):
    """``epochs`` epochs of :func:`minibatch_sgd_epoch`, each in a fresh order; ``(W, b)``.

    ``rng`` is a ``np.random.Generator`` or a seed for one; each epoch draws its order
    with one call of ``rng.permutation(len(X))``, so a seed fixes the whole run. Reusing
    one permutation for every epoch would repeat the same batches, with the same noise.
    """
    rng = np.random.default_rng(rng)  # a Generator passes through unchanged
    for _ in range(_check_epochs(epochs)):
        W, b = minibatch_sgd_epoch(W, b, X, y, learning_rate, batch_size,
                                   rng.permutation(len(X)))
    return np.array(W, dtype=np.float64), float(b)


def momentum_step(param, grad, velocity, learning_rate, momentum):
    """One step of gradient descent with momentum; returns ``(new_param, new_velocity)``.

    Keras's convention: the velocity holds the step itself, ``v ← momentum·v − lr·grad``,
    then ``param ← param + v``. Start with a velocity of zeros.
    """
    velocity = momentum * np.asarray(velocity, dtype=np.float64) - learning_rate * np.asarray(
        grad, dtype=np.float64)
    return np.asarray(param, dtype=np.float64) + velocity, velocity


def adam_step(param, grad, m, v, t, learning_rate, beta_1=0.9, beta_2=0.999, epsilon=1e-7):
    """One Adam step; returns ``(new_param, new_m, new_v)``. ``t`` counts steps from 1.

    Keras's form: the moving averages m and v start at zero; the bias correction is folded
    into the step size, ``lr·√(1 − β₂ᵗ)/(1 − β₁ᵗ)``, and epsilon is added to √v itself (not
    to the corrected √v̂), which is why Keras's default epsilon, 1e-7, differs from the
    paper's 1e-8.
    """
    if isinstance(t, bool) or not isinstance(t, numbers.Integral) or t < 1:
        raise ValueError(f"t counts Adam steps from 1, got {t!r}")
    grad = np.asarray(grad, dtype=np.float64)
    # Written as Keras writes them (m + (g − m)(1 − β₁)), so rounding matches too.
    m = np.asarray(m, dtype=np.float64)
    m = m + (grad - m) * (1 - beta_1)
    v = np.asarray(v, dtype=np.float64)
    v = v + (np.square(grad) - v) * (1 - beta_2)
    step_size = learning_rate * np.sqrt(1 - beta_2**t) / (1 - beta_1**t)
    return np.asarray(param, dtype=np.float64) - m * step_size / (np.sqrt(v) + epsilon), m, v


def _as_permutation(permutation) -> np.ndarray:
    order = np.asarray(permutation)
    if order.ndim != 1 or not np.issubdtype(order.dtype, np.integer):
        raise ValueError(f"permutation must be a 1-D array of integer indices, "
                         f"got dtype {order.dtype} and shape {order.shape}")
    return order


def _check_batch_size(batch_size) -> int:
    if isinstance(batch_size, bool) or not isinstance(batch_size, numbers.Integral):
        raise TypeError(f"batch_size must be a whole number, got {batch_size!r}")
    if batch_size < 1:
        raise ValueError(f"batch_size must be >= 1, got {batch_size}")
    return int(batch_size)


def _check_epochs(epochs) -> int:
    if isinstance(epochs, bool) or not isinstance(epochs, numbers.Integral) or epochs < 0:
        raise ValueError(f"epochs must be a whole number >= 0, got {epochs!r}")
    return int(epochs)
