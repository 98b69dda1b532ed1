"""ttt.optim in stages: batches, one step by hand, then trajectories against Keras.

Oracles: the update rules written out by hand for one step; central finite differences for
the batch gradient; Keras's own SGD(momentum) and Adam, on float64 tf.Variables with
tf.GradientTape gradients, for a short trajectory (rtol 1e-10: both sides run the same
float64 operations, so only rounding order can differ).

Keras keeps the learning rate in a float32 variable and casts momentum through float32
before the float64 update; ttt.optim is handed the same float32-rounded numbers
(:func:`as_keras_holds`). Adam is not so consistent: Keras takes β₁ᵗ and β₂ᵗ from float32
betas but (1 − β) from the float64 ones, so the tight Adam runs use betas float32 holds
exactly; Keras's defaults (0.9, 0.999) are checked to 1e-5, where that rounding shows.
"""

from __future__ import annotations

import numpy as np
import pytest

from ttt import optim


def linear_data(seed, num_examples=23, features=3):
    """Features of unequal scale (an ill-conditioned loss) and a noisy linear target."""
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(num_examples, features)) * np.array([1.0, 3.0, 0.3])[:features]
    y = X @ np.array([2.0, -1.0, 0.5])[:features] + 0.7 + 0.1 * rng.normal(size=num_examples)
    return X, y


def mse64(W, b, X, y) -> float:
    """The batch loss written here: no ttt code in the oracle."""
    return float(np.mean((X @ W + b - y) ** 2))


# --- batches ------------------------------------------------------------------------------------

@pytest.mark.parametrize("num_examples, batch_size", [(10, 3), (12, 4), (5, 5), (4, 7), (1, 1)])
def test_batches_cover_every_index_once_in_permutation_order(num_examples, batch_size):
    permutation = np.random.default_rng(num_examples).permutation(num_examples)
    cut = optim.batches(permutation, batch_size)
    np.testing.assert_array_equal(np.concatenate(cut), permutation)
    assert all(len(batch) == batch_size for batch in cut[:-1])
    assert len(cut) == -(-num_examples // batch_size)  # ceil: the partial batch is there


def test_last_partial_batch_is_kept_and_short():
    cut = optim.batches(np.array([4, 0, 3, 1, 2]), 2)
    assert [batch.tolist() for batch in cut] == [[4, 0], [3, 1], [2]]


@pytest.mark.parametrize("permutation, batch_size, error", [
    (np.arange(4), 0, ValueError), (np.arange(4), 2.0, TypeError), (np.arange(4), True, TypeError),
    (np.linspace(0, 1, 4), 2, ValueError), (np.arange(4).reshape(2, 2), 2, ValueError)])
def test_batches_reject_bad_input_with_a_clear_message(permutation, batch_size, error):
    with pytest.raises(error, match="batch_size|permutation"):
        optim.batches(permutation, batch_size)


# --- one step by hand ----------------------------------------------------------------------------

@pytest.mark.parametrize("seed", [0, 1, 2])
def test_batch_gradients_equal_central_finite_differences(seed):
    X, y = linear_data(seed)
    W, b, h = np.array([0.5, -2.0, 1.0]), 0.3, 1e-6
    unit = np.eye(3)
    numeric_W = [(mse64(W + h * e, b, X, y) - mse64(W - h * e, b, X, y)) / (2 * h) for e in unit]
    numeric_b = (mse64(W, b + h, X, y) - mse64(W, b - h, X, y)) / (2 * h)
    dW, db = optim.mse_gradients(W, b, X, y)
    np.testing.assert_allclose(dW, numeric_W, rtol=1e-6)
    assert db == pytest.approx(numeric_b, rel=1e-6)


def test_epoch_is_one_step_per_batch_in_permutation_order():
    X, y = linear_data(3, num_examples=7)
    permutation = np.array([6, 2, 0, 5, 1, 3, 4])
    W, b, lr = np.zeros(3), 0.0, 0.05
    want_W, want_b = W, b
    for batch in ([6, 2, 0], [5, 1, 3], [4]):  # the last, partial batch is a step too
        dW, db = optim.mse_gradients(want_W, want_b, X[batch], y[batch])
        want_W, want_b = want_W - lr * dW, want_b - lr * db
    new_W, new_b = optim.minibatch_sgd_epoch(W, b, X, y, lr, 3, permutation)
    np.testing.assert_allclose(new_W, want_W, rtol=1e-14)
    assert new_b == pytest.approx(want_b, rel=1e-14)
    assert np.all(W == 0)  # the caller's W is left alone


def test_epoch_with_one_batch_is_a_full_batch_step_and_order_then_does_not_matter():
    X, y = linear_data(4, num_examples=9)
    W, b = np.array([1.0, 1.0, 1.0]), -0.5
    dW, db = optim.mse_gradients(W, b, X, y)
    for permutation in (np.arange(9), np.arange(9)[::-1]):
        new_W, new_b = optim.minibatch_sgd_epoch(W, b, X, y, 0.1, 9, permutation)
        np.testing.assert_allclose(new_W, W - 0.1 * dW, rtol=1e-12)
        assert new_b == pytest.approx(b - 0.1 * db, rel=1e-12)


def test_epoch_rejects_a_permutation_of_the_wrong_length():
    X, y = linear_data(0, num_examples=6)
    with pytest.raises(ValueError, match="5 indices for 6 examples"):
        optim.minibatch_sgd_epoch(np.zeros(3), 0.0, X, y, 0.1, 2, np.arange(5))


def test_minibatch_sgd_draws_one_fresh_permutation_per_epoch():
    X, y = linear_data(8, num_examples=10)
    W, b = np.zeros(3), 0.0
    want_W, want_b, rng = W, b, np.random.default_rng(42)
    for _ in range(3):
        want_W, want_b = optim.minibatch_sgd_epoch(want_W, want_b, X, y, 0.05, 4,
                                                   rng.permutation(10))
    for seed in (42, np.random.default_rng(42)):  # a seed, or the generator itself
        new_W, new_b = optim.minibatch_sgd(W, b, X, y, 0.05, 4, 3, seed)
        np.testing.assert_array_equal(new_W, want_W)
        assert new_b == want_b
    # The same permutation every epoch is another run: the reshuffle matters.
    same = np.random.default_rng(42).permutation(10)
    stale_W, stale_b = W, b
    for _ in range(3):
        stale_W, stale_b = optim.minibatch_sgd_epoch(stale_W, stale_b, X, y, 0.05, 4, same)
    assert not np.allclose(stale_W, want_W)


@pytest.mark.parametrize("epochs", [-1, 1.5, True])
def test_minibatch_sgd_rejects_bad_epochs(epochs):
    X, y = linear_data(0, num_examples=4)
    with pytest.raises(ValueError, match="epochs must be a whole number"):
        optim.minibatch_sgd(np.zeros(3), 0.0, X, y, 0.1, 2, epochs, 0)


def test_momentum_step_by_hand():
    param, velocity = np.array([1.0, -2.0]), np.array([0.5, 0.25])
    new_param, new_velocity = optim.momentum_step(param, np.array([4.0, -8.0]), velocity, 0.1, 0.9)
    np.testing.assert_allclose(new_velocity, [0.9 * 0.5 - 0.4, 0.9 * 0.25 + 0.8])
    np.testing.assert_allclose(new_param, [1.0 + 0.05, -2.0 + 1.025])


def test_first_adam_step_moves_each_coordinate_by_about_the_learning_rate():
    # After bias correction, m̂ = g and v̂ = g² at t = 1: the step is lr·g/(|g| + ε̂).
    grad = np.array([3.0, -0.02, 1e3])
    new_param, m, v = optim.adam_step(np.zeros(3), grad, np.zeros(3), np.zeros(3), 1, 0.01)
    np.testing.assert_allclose(m, 0.1 * grad)
    np.testing.assert_allclose(v, 0.001 * grad**2)
    eps_hat = 1e-7 / np.sqrt(1 - 0.999)  # Keras adds epsilon to √v, not to √v̂
    np.testing.assert_allclose(new_param, -0.01 * grad / (np.abs(grad) + eps_hat), rtol=1e-12)


@pytest.mark.parametrize("t", [0, -1, 1.0, True])
def test_adam_step_counts_from_one(t):
    with pytest.raises(ValueError, match="counts Adam steps from 1"):
        optim.adam_step(0.0, 1.0, 0.0, 0.0, t, 0.1)


# --- trajectories against Keras ------------------------------------------------------------------

STEPS = 12
RTOL = 1e-10


def as_keras_holds(value: float) -> float:
    """The hyperparameter as Keras uses it: rounded to float32 (see the module docstring)."""
    return float(np.float32(value))


def keras_trajectory(tf, optimizer, X, y, batch_indices, W, b):
    """(W, b) after each step of ``optimizer`` on the batch MSE, gradients by GradientTape."""
    W_var, b_var = tf.Variable(W, dtype=tf.float64), tf.Variable(b, dtype=tf.float64)
    path = []
    for batch in batch_indices:
        with tf.GradientTape() as tape:
            loss = tf.reduce_mean(tf.square(tf.linalg.matvec(X[batch], W_var) + b_var - y[batch]))
        optimizer.apply_gradients(zip(tape.gradient(loss, [W_var, b_var]), [W_var, b_var]))
        path.append(np.append(W_var.numpy(), b_var.numpy()))
    return np.array(path)


def numpy_trajectory(step, X, y, batch_indices, W, b):
    """The same run with ttt.optim: ``step(params, grad, state, t) -> (params, state)``."""
    params, state, path = np.append(W, b), None, []
    for t, batch in enumerate(batch_indices, start=1):
        dW, db = optim.mse_gradients(params[:-1], params[-1], X[batch], y[batch])
        params, state = step(params, np.append(dW, db), state, t)
        path.append(params)
    return np.array(path)


def epoch_batches(seed, num_examples, batch_size, steps):
    """Batches from fresh permutations, epoch after epoch, until there are ``steps`` of them."""
    rng, cut = np.random.default_rng(seed), []
    while len(cut) < steps:
        cut += optim.batches(rng.permutation(num_examples), batch_size)
    return cut[:steps]


@pytest.mark.slow
@pytest.mark.parametrize("learning_rate, momentum", [(0.02, 0.9), (0.05, 0.5)])
def test_momentum_trajectory_equals_keras_sgd_with_momentum(tf, learning_rate, momentum):
    X, y = linear_data(5)
    cut = epoch_batches(5, len(X), 5, STEPS)
    W, b = np.array([0.0, 0.5, -1.0]), 0.0

    def step(params, grad, velocity, t):
        velocity = np.zeros_like(params) if velocity is None else velocity
        return optim.momentum_step(params, grad, velocity, as_keras_holds(learning_rate),
                                   as_keras_holds(momentum))

    keras = tf.keras.optimizers.SGD(learning_rate=learning_rate, momentum=momentum)
    np.testing.assert_allclose(numpy_trajectory(step, X, y, cut, W, b),
                               keras_trajectory(tf, keras, X, y, cut, W, b), rtol=RTOL)


@pytest.mark.slow
@pytest.mark.parametrize("kwargs, tolerance", [
    ({"beta_1": 0.875, "beta_2": 1 - 2**-10}, {"rtol": RTOL}),
    ({"beta_1": 0.75, "beta_2": 0.984375, "epsilon": 1e-3}, {"rtol": RTOL}),
    ({}, {"rtol": 1e-5, "atol": 1e-5})])  # Keras's defaults: see the module docstring
def test_adam_trajectory_equals_keras_adam(tf, kwargs, tolerance):
    X, y = linear_data(6)
    cut = epoch_batches(6, len(X), 4, STEPS)
    W, b = np.array([1.0, -0.5, 2.0]), 0.4
    keras = tf.keras.optimizers.Adam(learning_rate=0.1, **kwargs)

    def step(params, grad, moments, t):
        m, v = (np.zeros_like(params),) * 2 if moments is None else moments
        params, m, v = optim.adam_step(params, grad, m, v, t, as_keras_holds(0.1), keras.beta_1,
                                       keras.beta_2, keras.epsilon)
        return params, (m, v)

    np.testing.assert_allclose(numpy_trajectory(step, X, y, cut, W, b),
                               keras_trajectory(tf, keras, X, y, cut, W, b), **tolerance)


@pytest.mark.slow
def test_minibatch_epochs_equal_keras_plain_sgd(tf):
    X, y = linear_data(7)
    rng, W, b = np.random.default_rng(7), np.array([0.2, 0.2, 0.2]), 1.0
    permutations = [rng.permutation(len(X)) for _ in range(2)]
    cut = [batch for permutation in permutations for batch in optim.batches(permutation, 6)]
    keras = keras_trajectory(tf, tf.keras.optimizers.SGD(learning_rate=0.03), X, y, cut, W, b)
    for permutation in permutations:
        W, b = optim.minibatch_sgd_epoch(W, b, X, y, as_keras_holds(0.03), 6, permutation)
    np.testing.assert_allclose(np.append(W, b), keras[-1], rtol=RTOL)
