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
