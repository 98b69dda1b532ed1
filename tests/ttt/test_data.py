"""ttt.data: the synthetic linear-fit data are reproducible, well-typed and checked."""

from __future__ import annotations

import numpy as np
import pytest

from ttt import data


def test_same_seed_gives_the_same_data_and_another_seed_does_not():
    first = data.make_linear_data(seed=7)
    again = data.make_linear_data(seed=7)
    other = data.make_linear_data(seed=8)
    np.testing.assert_array_equal(first[0], again[0])
    np.testing.assert_array_equal(first[1], again[1])
    assert not np.array_equal(first[0], other[0])


def test_defaults_are_the_origin_experiment():
    # The origin: 1,000 unit-normal inputs on the line y = 3x + 2 with unit-normal noise.
    inputs, outputs = data.make_linear_data(seed=0)
    assert inputs.shape == outputs.shape == (1000,)
    assert inputs.dtype == outputs.dtype == np.float32
    x, y = inputs.astype(np.float64), outputs.astype(np.float64)
    W, b = np.polyfit(x, y, 1)
    assert abs(W - 3) < 0.15 and abs(b - 2) < 0.15
    assert abs(np.std(y - (W * x + b)) - 1) < 0.1
    assert abs(np.mean(x)) < 0.1 and abs(np.std(x) - 1) < 0.1


def test_dtype_changes_only_the_precision_of_the_same_draw():
    single = data.make_linear_data(50, seed=3)
    double = data.make_linear_data(50, seed=3, dtype=np.float64)
    assert double[0].dtype == np.float64
    np.testing.assert_allclose(double[0], single[0], rtol=1e-6)
    np.testing.assert_allclose(double[1], single[1], rtol=1e-6)


def test_outputs_are_the_line_plus_noise_of_the_requested_size():
    inputs, outputs = data.make_linear_data(100_000, true_W=-1.5, true_b=4.0, noise_std=0.5,
                                            seed=1, dtype=np.float64)
    noise = outputs - (inputs * -1.5 + 4.0)
    assert abs(np.mean(inputs)) < 0.02 and abs(np.std(inputs) - 1) < 0.02
    assert abs(np.mean(noise)) < 0.01 and abs(np.std(noise) - 0.5) < 0.01


def test_no_noise_puts_every_point_on_the_line():
    inputs, outputs = data.make_linear_data(20, noise_std=0.0, seed=2, dtype=np.float64)
    np.testing.assert_allclose(outputs, inputs * data.TRUE_W + data.TRUE_b)


def test_input_mean_and_std_shift_and_scale_the_inputs():
    inputs, _ = data.make_linear_data(100_000, input_mean=5.0, input_std=3.0, seed=4)
    assert abs(np.mean(inputs) - 5.0) < 0.05 and abs(np.std(inputs) - 3.0) < 0.05


def test_origin_seed_draw_starts_at_the_origin_loss():
    inputs, outputs = data.make_linear_data(seed=data.ORIGIN_SEED)
    initial_loss = np.mean((inputs * data.W0 + data.b0 - outputs) ** 2)
    assert round(float(initial_loss), 2) == round(data.ORIGIN_LOSS_LOG[0], 2) == 7.93


def test_origin_logs_have_one_entry_per_epoch():
    # The origin's run, redone with the training defaults and a loop written here: its log
    # has one line per epoch, the first loss 7.93 and the last 1.14, as the origin printed.
    inputs, outputs = data.make_linear_data(seed=data.ORIGIN_SEED, dtype=np.float64)
    W, b, log = data.W0, data.b0, []
    for _ in range(data.EPOCHS):
        residual = W * inputs + b - outputs
        log.append((W, b, np.mean(residual**2)))
        W, b = (W - data.LEARNING_RATE * 2 * np.mean(residual * inputs),
                b - data.LEARNING_RATE * 2 * np.mean(residual))
    assert len(log) == len(data.ORIGIN_LOSS_LOG) == len(data.ORIGIN_W_LOG) \
        == len(data.ORIGIN_b_LOG) == 10
    assert (round(log[0][2], 2), round(log[-1][2], 2)) == (7.93, 1.14)
    assert (round(data.ORIGIN_LOSS_LOG[0], 2), round(data.ORIGIN_LOSS_LOG[-1], 2)) == (7.93, 1.14)
    np.testing.assert_allclose([entry[0] for entry in log], data.ORIGIN_W_LOG, atol=0.0101)
    np.testing.assert_allclose([entry[1] for entry in log], data.ORIGIN_b_LOG, atol=0.0101)


@pytest.mark.parametrize("bad, error, message", [
    (dict(num_examples=0), ValueError, "at least 1"),
    (dict(num_examples=-5), ValueError, "at least 1"),
    (dict(num_examples=10.0), TypeError, "whole number"),
    (dict(num_examples=True), TypeError, "whole number"),
    (dict(noise_std=-1.0), ValueError, "noise_std"),
    (dict(noise_std=float("nan")), ValueError, "noise_std"),
    (dict(input_std=float("inf")), ValueError, "input_std"),
    (dict(true_W=float("nan")), ValueError, "true_W"),
    (dict(true_b="2"), ValueError, "true_b"),
    (dict(input_mean=None), ValueError, "input_mean"),
    (dict(dtype=np.int32), TypeError, "floating-point"),
])
def test_bad_arguments_get_a_specific_error(bad, error, message):
    with pytest.raises(error, match=message):
        data.make_linear_data(**bad)


# --- the many-feature data of chapter 5 (book/minibatch/features.md) ----------------------

def test_feature_data_is_reproducible_and_shaped_by_the_weights():
    X, y = data.make_feature_data(50, true_W=(1.0, 2.0, 3.0), means=(0, 0, 0), stds=(1, 1, 1),
                                  seed=3)
    again = data.make_feature_data(50, true_W=(1.0, 2.0, 3.0), means=(0, 0, 0),
                                   stds=(1, 1, 1), seed=3)
    assert X.shape == (50, 3) and y.shape == (50,) and X.dtype == y.dtype == np.float64
    np.testing.assert_array_equal(X, again[0])
    np.testing.assert_array_equal(y, again[1])
    assert not np.array_equal(X, data.make_feature_data(50, true_W=(1.0, 2.0, 3.0),
                                                        means=(0, 0, 0), stds=(1, 1, 1),
                                                        seed=4)[0])


def test_feature_data_columns_have_the_requested_means_and_spreads():
    X, y = data.make_feature_data(100_000, seed=5)
    np.testing.assert_allclose(X.mean(axis=0), data.FEATURE_MEANS, atol=0.03)
    np.testing.assert_allclose(X.std(axis=0), data.FEATURE_STDS, rtol=0.01)
    assert abs(np.corrcoef(X.T)[0, 1]) < 0.01  # independent columns
    # y is the plane plus unit noise: least squares recovers it
    X1 = np.column_stack([X, np.ones(len(X))])
    fit = np.linalg.lstsq(X1, y, rcond=None)[0]
    np.testing.assert_allclose(fit, [*data.FEATURE_W, data.FEATURE_b], atol=0.02)
    assert np.std(y - X1 @ fit) == pytest.approx(1.0, abs=0.01)


def test_feature_data_without_noise_lies_on_the_plane():
    X, y = data.make_feature_data(30, noise_std=0.0, seed=6, dtype=np.float32)
    assert X.dtype == y.dtype == np.float32
    np.testing.assert_allclose(y, X @ np.array(data.FEATURE_W, np.float32) + data.FEATURE_b,
                               rtol=1e-5)


@pytest.mark.parametrize("bad, error, message", [
    (dict(num_examples=0), ValueError, "num_examples"),
    (dict(num_examples=2.5), ValueError, "num_examples"),
    (dict(true_W=(1.0, 2.0, 3.0)), ValueError, "one length"),
    (dict(true_W=[[1.0, 2.0]]), ValueError, "1-D"),
    (dict(stds=(1.0, -1.0)), ValueError, "stds"),
    (dict(means=(0.0, float("nan"))), ValueError, "means"),
    (dict(true_b=float("inf")), ValueError, "true_b"),
    (dict(noise_std=-0.5), ValueError, "noise_std"),
    (dict(dtype=np.int64), TypeError, "floating-point"),
])
def test_feature_data_bad_arguments_get_a_specific_error(bad, error, message):
    with pytest.raises(error, match=message):
        data.make_feature_data(**bad)


def test_standardize_gives_mean_0_spread_1_and_what_undoes_it():
    X, _ = data.make_feature_data(200, seed=7)
    scaled, mean, std = data.standardize(X)
    np.testing.assert_allclose(scaled.mean(axis=0), 0.0, atol=1e-12)
    np.testing.assert_allclose(scaled.std(axis=0), 1.0, rtol=1e-12)
    np.testing.assert_allclose(scaled * std + mean, X, rtol=1e-12)
    np.testing.assert_allclose(mean, X.mean(axis=0), rtol=1e-12)


@pytest.mark.parametrize("bad, message", [
    (np.ones(5), r"shape \(N, d\)"),
    (np.ones((1, 3)), r"N >= 2"),
    (np.column_stack([np.arange(4.0), np.ones(4)]), r"columns \[1\] of X are constant"),
])
def test_standardize_refuses_what_it_cannot_scale(bad, message):
    with pytest.raises(ValueError, match=message):
        data.standardize(bad)


# --- the wave of chapter 5's network (book/minibatch/network.md) ----------------------

def test_wave_data_are_columns_of_a_noisy_sine():
    inputs, outputs = data.make_wave_data(seed=data.WAVE_SEED)
    assert inputs.shape == outputs.shape == (128, 1) and inputs.dtype == np.float32
    assert np.all(np.abs(inputs) <= 3.0)
    noise = (outputs - np.sin(inputs)).astype(np.float64)
    assert 0.07 < noise.std() < 0.13
    again = data.make_wave_data(seed=data.WAVE_SEED)
    np.testing.assert_array_equal(again[0], inputs)
    assert not np.array_equal(data.make_wave_data(seed=1)[0], inputs)


@pytest.mark.parametrize("kwargs, message", [
    ({"num_examples": 0}, "num_examples"), ({"num_examples": 2.5}, "num_examples"),
    ({"noise_std": -1.0}, "noise_std"), ({"x_max": float("nan")}, "x_max")])
def test_wave_data_reject_bad_arguments(kwargs, message):
    with pytest.raises(ValueError, match=message):
        data.make_wave_data(**kwargs)
