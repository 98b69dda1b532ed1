"""ttt.reference and ttt.reference_tf, checked in stages: one step, a trajectory, convergence.

Oracles: tf.GradientTape in float64 and central finite differences for one step; the two
frameworks against each other for a trajectory; the closed-form least-squares line and the
Hessian's eigenvalues for where (and whether) many steps go.
"""

from __future__ import annotations

import numpy as np
import pytest

from ttt import data, reference

# (W, b, seed of the data): the origin's start and a few other points.
POINTS = [(5.0, 0.0, 0), (-1.3, 2.7, 1), (3.0, 2.0, 2), (0.0, -4.0, 3)]


def data64(seed, num_examples=200):
    return data.make_linear_data(num_examples, seed=seed, dtype=np.float64)


def mse64(W, b, inputs, outputs) -> float:
    """The mean squared error, written here: no ttt code in the oracles below."""
    return float(np.mean((W * inputs + b - outputs) ** 2))


def finite_difference_step(W, b, inputs, outputs, learning_rate, h=1e-6):
    """One gradient-descent step, both gradients by central differences at the old (W, b)."""
    dW = (mse64(W + h, b, inputs, outputs) - mse64(W - h, b, inputs, outputs)) / (2 * h)
    db = (mse64(W, b + h, inputs, outputs) - mse64(W, b - h, inputs, outputs)) / (2 * h)
    return W - learning_rate * dW, b - learning_rate * db


# --- stage 1: one step ---------------------------------------------------------------------------

@pytest.mark.parametrize("W, b, seed", POINTS)
def test_hand_gradients_equal_central_finite_differences(W, b, seed):
    inputs, outputs = data64(seed)

    def loss_at(W, b):
        return reference.mse(reference.predict(W, b, inputs), outputs)

    h = 1e-5
    numeric = ((loss_at(W + h, b) - loss_at(W - h, b)) / (2 * h),
               (loss_at(W, b + h) - loss_at(W, b - h)) / (2 * h))
    np.testing.assert_allclose(reference.mse_gradients(W, b, inputs, outputs), numeric,
                               rtol=1e-7, atol=1e-8)


@pytest.mark.slow
@pytest.mark.parametrize("W, b, seed", POINTS)
def test_hand_gradients_equal_tf_gradient_tape(tf, W, b, seed):
    inputs, outputs = data64(seed)
    W_var, b_var = tf.Variable(W, dtype=tf.float64), tf.Variable(b, dtype=tf.float64)
    with tf.GradientTape() as tape:
        loss = tf.reduce_mean(tf.square(W_var * inputs + b_var - outputs))
    expected = [g.numpy() for g in tape.gradient(loss, [W_var, b_var])]
    np.testing.assert_allclose(reference.mse_gradients(W, b, inputs, outputs), expected, rtol=1e-12)


@pytest.mark.parametrize("W, b, seed", POINTS)
def test_one_step_moves_both_parameters_from_the_old_point(W, b, seed):
    inputs, outputs = data64(seed)
    want_W, want_b = finite_difference_step(W, b, inputs, outputs, 0.3)
    new_W, new_b = reference.train_step_numpy(W, b, inputs, outputs, 0.3)
    assert new_W == pytest.approx(want_W, rel=1e-7, abs=1e-8)
    assert new_b == pytest.approx(want_b, rel=1e-7, abs=1e-8)  # not the gradient at new_W


@pytest.mark.parametrize("W, b, seed", POINTS)
def test_tape_step_equals_hand_step(W, b, seed):
    inputs, outputs = data64(seed)
    taped = reference.train_step_tape(W, b, inputs, outputs, 0.1)
    np.testing.assert_allclose(taped, reference.train_step_numpy(W, b, inputs, outputs, 0.1),
                               rtol=1e-12)
    # Both could share a slip: the step itself, against finite differences.
    np.testing.assert_allclose(taped, finite_difference_step(W, b, inputs, outputs, 0.1),
                               rtol=1e-7, atol=1e-8)


@pytest.mark.slow
@pytest.mark.parametrize("W, b, seed", POINTS)
def test_tf_step_equals_numpy_step_and_returns_the_old_loss(reference_tf, W, b, seed):
    inputs, outputs = data.make_linear_data(200, seed=seed)
    model = reference_tf.Model(W, b)
    returned = float(reference_tf.train_step_tf(model, inputs, outputs, 0.1))
    assert returned == pytest.approx(reference.mse(reference.predict(W, b, inputs), outputs), rel=1e-5)
    np.testing.assert_allclose([model.W.numpy(), model.b.numpy()],
                               reference.train_step_numpy(W, b, inputs, outputs, 0.1),
                               rtol=1e-5, atol=1e-6)


# --- stage 2: a trajectory -----------------------------------------------------------------------

@pytest.fixture(scope="module")
def origin_run():
    inputs, outputs = data.make_linear_data(seed=data.ORIGIN_SEED)
    return inputs, outputs, reference.fit_numpy(data.W0, data.b0, inputs, outputs,
                                                data.LEARNING_RATE, data.EPOCHS)


def test_origin_seed_reproduces_the_origin_log(origin_run):
    *_, run = origin_run
    assert len(run) == data.EPOCHS
    assert f"{run.loss[0]:.2f}" == "7.93"
    assert f"{run.loss[-1]:.2f}" == "1.14"
    np.testing.assert_allclose(run.loss, data.ORIGIN_LOSS_LOG, atol=0.025)
    assert (f"{run.W[-1]:.2f}", f"{run.b[-1]:.2f}") == ("3.35", "1.62")
    np.testing.assert_allclose(run.W, data.ORIGIN_W_LOG, atol=0.0101)
    np.testing.assert_allclose(run.b, data.ORIGIN_b_LOG, atol=0.0101)


def test_log_lines_use_the_origin_format(origin_run):
    *_, run = origin_run
    lines = run.log_lines()
    assert lines[0] == "Epoch  0: W=5.00 b=0.00, loss=7.93246"
    assert lines[9].startswith("Epoch  9: W=3.35 b=1.62, loss=1.14")
    assert run.first(3).log_lines() == lines[:3]


def test_tape_fit_follows_the_hand_fit(origin_run):
    inputs, outputs, run = origin_run
    taped = reference.fit_numpy(data.W0, data.b0, inputs, outputs, data.LEARNING_RATE,
                                data.EPOCHS, step=reference.train_step_tape)
    for key in ("W", "b", "loss"):
        np.testing.assert_allclose(getattr(taped, key), getattr(run, key), rtol=1e-6)
    # And the trajectory of finite-difference descent in float64 (float32 data: 1e-5).
    x, y = inputs.astype(np.float64), outputs.astype(np.float64)
    W, b, expected = data.W0, data.b0, []
    for _ in range(data.EPOCHS):
        expected.append((W, b, mse64(W, b, x, y)))
        W, b = finite_difference_step(W, b, x, y, data.LEARNING_RATE)
    np.testing.assert_allclose(np.column_stack([taped.W, taped.b, taped.loss]), expected,
                               rtol=1e-5, atol=1e-6)


@pytest.mark.slow
@pytest.mark.parametrize("fit", ["assign_sub", "keras SGD", "tf.function"])
def test_tf_fits_follow_the_numpy_trajectory(reference_tf, origin_run, fit):
    inputs, outputs, run = origin_run
    model = reference_tf.Model()
    if fit == "keras SGD":
        tf_run = reference_tf.fit_keras(model, inputs, outputs, data.LEARNING_RATE, data.EPOCHS)
    else:
        step = reference_tf.make_compiled_step() if fit == "tf.function" else reference_tf.train_step_tf
        tf_run = reference_tf.fit_tf(model, inputs, outputs, data.LEARNING_RATE, data.EPOCHS, step=step)
    for key in ("W", "b", "loss"):  # float32 tolerances
        np.testing.assert_allclose(getattr(tf_run, key), getattr(run, key), rtol=1e-5, atol=1e-6)


# --- stage 3: convergence ------------------------------------------------------------------------

@pytest.mark.parametrize("seed", [0, 1, data.ORIGIN_SEED])
def test_least_squares_is_the_line_numpy_fits(seed):
    inputs, outputs = data64(seed, 1000)
    np.testing.assert_allclose(reference.least_squares(inputs, outputs),
                               np.polyfit(inputs, outputs, deg=1), rtol=1e-10)


@pytest.mark.parametrize("seed", [0, 1, data.ORIGIN_SEED])
def test_many_steps_reach_least_squares_and_the_floor(seed):
    inputs, outputs = data64(seed, 1000)
    run = reference.fit_numpy(data.W0, data.b0, inputs, outputs, data.LEARNING_RATE, 150)
    W, b = reference.train_step_numpy(run.W[-1], run.b[-1], inputs, outputs, data.LEARNING_RATE)
    np.testing.assert_allclose((W, b), reference.least_squares(inputs, outputs), atol=1e-9)
    assert run.loss[-1] == pytest.approx(reference.loss_floor(inputs, outputs), abs=1e-12)


def test_floor_is_below_the_true_line_and_about_the_noise_variance():
    inputs, outputs = data64(5, 20_000)
    floor = reference.loss_floor(inputs, outputs)
    true_line = reference.mse(reference.predict(data.TRUE_W, data.TRUE_b, inputs), outputs)
    assert floor <= true_line
    assert floor == pytest.approx(1.0, abs=0.05)


def test_loss_surface_is_the_loss_at_each_grid_point():
    inputs, outputs = data64(6, 50)
    Ws, bs = np.array([-1.0, 0.5, 3.0]), np.array([0.0, 2.0])
    surface = reference.loss_surface(inputs, outputs, Ws, bs)
    assert surface.shape == (2, 3)
    for i, b in enumerate(bs):
        for j, W in enumerate(Ws):
            assert surface[i, j] == pytest.approx(reference.mse(W * inputs + b, outputs), rel=1e-12)


@pytest.mark.slow
def test_hessian_equals_tf_second_derivatives(tf):
    inputs, outputs = data.make_linear_data(100, input_mean=1.5, seed=7, dtype=np.float64)
    params = tf.Variable([0.5, -0.5], dtype=tf.float64)
    with tf.GradientTape() as outer:
        with tf.GradientTape() as inner:
            loss = tf.reduce_mean(tf.square(params[0] * inputs + params[1] - outputs))
        gradient = inner.gradient(loss, params)
    np.testing.assert_allclose(reference.loss_hessian(inputs), outer.jacobian(gradient, params).numpy(),
                               rtol=1e-12)


@pytest.mark.parametrize("seed, input_mean", [(0, 0.0), (1, 2.0), (2, -3.0)])
def test_critical_rate_separates_convergence_from_divergence(seed, input_mean):
    inputs, outputs = data.make_linear_data(500, input_mean=input_mean, seed=seed, dtype=np.float64)
    critical = reference.critical_learning_rate(inputs)
    floor = reference.loss_floor(inputs, outputs)
    study = reference.learning_rate_study(inputs, outputs, [0.9 * critical, 1.1 * critical], 600)
    below, above = study.values()
    assert below.loss[-1] == pytest.approx(floor, rel=1e-6)
    assert above.loss[-1] > 1e6 * above.loss[0] or not np.isfinite(above.loss[-1])


def test_contraction_factors_predict_the_per_direction_shrinkage():
    inputs, outputs = data64(8, 300)
    _, eigenvectors = np.linalg.eigh(reference.loss_hessian(inputs))
    best = np.array(reference.least_squares(inputs, outputs))
    W, b = 4.0, -1.0
    new = np.array(reference.train_step_numpy(W, b, inputs, outputs, 0.7))
    before = eigenvectors.T @ (np.array([W, b]) - best)
    after = eigenvectors.T @ (new - best)
    np.testing.assert_allclose(after, reference.contraction_factors(inputs, 0.7) * before, rtol=1e-8)
    # A known Hessian: inputs +1 and -1 in equal numbers give mean(x**2) = 1, mean(x) = 0,
    # so H = 2I and every direction shrinks by 1 - 2 * rate.
    symmetric = np.array([1.0, -1.0] * 50)
    for rate in (0.1, 0.7, 1.3):
        np.testing.assert_allclose(reference.contraction_factors(symmetric, rate),
                                   [1 - 2 * rate] * 2, rtol=1e-12)


def test_epochs_to_converge_counts_from_zero_and_says_none_when_never():
    run = reference.Trajectory(np.zeros(4), np.zeros(4), np.array([5.0, 2.0, 1.05, 1.0]))
    assert reference.epochs_to_converge(run, floor=1.0, tolerance=0.1) == 2
    assert reference.epochs_to_converge(run, floor=0.0, tolerance=0.1) is None


def test_learning_rate_study_keys_runs_by_rate_and_diverges_without_warnings():
    inputs, outputs = data64(9, 100)
    with np.errstate(all="raise"):  # the study itself must silence its overflow
        study = reference.learning_rate_study(inputs, outputs, [0.1, 50], epochs=300)
    assert list(study) == [0.1, 50.0]
    assert all(len(run) == 300 for run in study.values())
    assert not np.isfinite(study[50.0].loss[-1])


# --- clear errors --------------------------------------------------------------------------------

@pytest.mark.parametrize("epochs, error", [(-1, ValueError), (2.5, TypeError), (True, TypeError)])
def test_fit_rejects_bad_epochs(epochs, error):
    with pytest.raises(error, match="epochs"):
        reference.fit_numpy(5.0, 0.0, np.ones(3), np.ones(3), 0.1, epochs)


def test_bad_data_shapes_are_named():
    with pytest.raises(ValueError, match="same shape"):
        reference.least_squares(np.ones(3), np.ones(4))
    with pytest.raises(ValueError, match="non-empty 1-D"):
        reference.critical_learning_rate(np.ones((2, 2)))
    with pytest.raises(ValueError, match="at least one"):
        reference.learning_rate_study(np.ones(3), np.ones(3), [], epochs=1)
