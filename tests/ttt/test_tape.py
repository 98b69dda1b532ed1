"""The NumPy tape (ttt.tape) against two oracles: tf.GradientTape and central differences.

Each case is written once, against a small "ops" namespace, and evaluated three ways: on the
NumPy tape, on tf.GradientTape in float64, and with plain NumPy for finite differences (so
the difference oracle shares no code with the tape).
"""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pytest

from ttt import tape as tt

# --- the functions -----------------------------------------------------------------------------

NUMPY_OPS = SimpleNamespace(square=np.square, exp=np.exp, log=np.log, tanh=np.tanh,
                            relu=lambda x: np.maximum(x, 0.0),
                            reduce_sum=np.sum, reduce_mean=np.mean)
TAPE_OPS = SimpleNamespace(square=tt.square, exp=tt.exp, log=tt.log, tanh=tt.tanh, relu=tt.relu,
                           reduce_sum=tt.reduce_sum, reduce_mean=tt.reduce_mean)


def positive(*shape):
    """Inputs kept away from 0, for log, division and fractional powers."""
    return ("positive", shape)


def anywhere(*shape):
    return ("anywhere", shape)


# name -> (function of (ops, *inputs), input specs)
CASES = {
    "sum": (lambda o, x: o.reduce_sum(x), [anywhere(3, 4)]),
    "sum over an axis": (lambda o, x: o.reduce_sum(x, axis=1), [anywhere(3, 4)]),
    "sum over the last axis, negative index": (lambda o, x: o.reduce_sum(x * x, axis=-1), [anywhere(2, 3)]),
    "product": (lambda o, x, y: x * y, [anywhere(4), anywhere(4)]),
    "product of three": (lambda o, x, y, z: o.reduce_sum(x * y * z), [anywhere(5)] * 3),
    "square": (lambda o, x: o.reduce_sum(o.square(x)), [anywhere(6)]),
    "power": (lambda o, x: o.reduce_sum(x**3 - x**0.5), [positive(4)]),
    "mean": (lambda o, x: o.reduce_mean(x * x), [anywhere(3, 4)]),
    "mean over an axis": (lambda o, x, y: o.reduce_sum(o.reduce_mean(x, axis=0) * y), [anywhere(3, 4), anywhere(4)]),
    "broadcast (3,1)+(1,4)": (lambda o, a, b: o.reduce_sum(o.square(a + b)), [anywhere(3, 1), anywhere(1, 4)]),
    "broadcast (3,4)*(4,)": (lambda o, a, b: o.reduce_sum(a * b * b), [anywhere(3, 4), anywhere(4)]),
    "scalar times vector": (lambda o, s, v: o.reduce_sum(o.square(s * v)), [anywhere(), anywhere(5)]),
    "non-scalar target": (lambda o, x, y: x * y + x, [anywhere(2, 3), anywhere(3)]),
    "subtraction and negation": (lambda o, x, y: o.reduce_sum(-(x - 2.0 * y) * x), [anywhere(4), anywhere(4)]),
    "division": (lambda o, x, y: o.reduce_sum(x / y), [anywhere(5), positive(5)]),
    "number over tensor": (lambda o, x: o.reduce_sum(1.0 / x - x / 2.0), [positive(5)]),
    "exp": (lambda o, x: o.reduce_sum(o.exp(x)), [anywhere(5)]),
    "log": (lambda o, x: o.reduce_sum(o.log(x)), [positive(5)]),
    "log of sum of exps": (lambda o, x, y: o.log(o.reduce_sum(o.exp(x) * y)), [anywhere(5), positive(5)]),
    "abs": (lambda o, x: o.reduce_sum(abs(x) * x), [anywhere(6)]),
    "matmul": (lambda o, a, b: o.reduce_sum(o.square(a @ b)), [anywhere(3, 2), anywhere(2, 4)]),
    "linear-fit loss": (lambda o, W, b, x, y: o.reduce_mean(o.square(x * W + b - y)),
                        [anywhere(), anywhere(), anywhere(50), anywhere(50)]),
    "logistic loss": (lambda o, w, x, y: o.reduce_mean(o.log(1.0 + o.exp(-(x @ w) * y))),
                      [anywhere(3, 1), anywhere(8, 3), anywhere(8, 1)]),
    "tanh": (lambda o, x: o.reduce_sum(o.tanh(x) * x), [anywhere(6)]),
    "relu": (lambda o, x: o.reduce_sum(o.square(o.relu(x))), [anywhere(6)]),
    # The network of book/minibatch/network.md: one tanh hidden layer, mean squared error.
    "one hidden layer": (lambda o, W1, b1, W2, b2, x, y:
                         o.reduce_mean(o.square(o.tanh(x @ W1 + b1) @ W2 + b2 - y)),
                         [anywhere(1, 5), anywhere(5), anywhere(5, 1), anywhere(1),
                          anywhere(7, 1), anywhere(7, 1)]),
    "relu hidden layer": (lambda o, W1, b1, W2, x: o.reduce_sum(o.relu(x @ W1 + b1) @ W2),
                          [anywhere(2, 4), anywhere(4), anywhere(4, 1), anywhere(6, 2)]),
}


def make_inputs(specs, seed):
    rng = np.random.default_rng(seed)
    arrays = []
    for kind, shape in specs:
        if kind == "positive":
            arrays.append(np.asarray(rng.uniform(0.5, 2.0, size=shape)))
        else:
            # Keep away from 0 so that abs(x) is differentiable where we probe it.
            arrays.append(np.asarray(rng.choice([-1.0, 1.0], size=shape) * rng.uniform(0.2, 2.0, size=shape)))
    return arrays


def tape_gradients(function, arrays):
    sources = [tt.Tensor(a) for a in arrays]
    with tt.Tape() as tape:
        target = function(TAPE_OPS, *sources)
    return target.data, tape.gradient(target, sources)


def tf_gradients(function, arrays):
    import tensorflow as tf

    ops = SimpleNamespace(square=tf.square, exp=tf.exp, log=tf.math.log, tanh=tf.tanh,
                          relu=tf.nn.relu, reduce_sum=tf.reduce_sum, reduce_mean=tf.reduce_mean)
    sources = [tf.constant(a, dtype=tf.float64) for a in arrays]
    with tf.GradientTape() as tape:
        tape.watch(sources)
        target = function(ops, *sources)
    return target.numpy(), [g.numpy() for g in tape.gradient(target, sources)]


def finite_difference_gradients(function, arrays, step=1e-6):
    """Central differences of sum(function) for each element of each input."""
    def total(values):
        return float(np.sum(function(NUMPY_OPS, *values)))

    gradients = []
    for i, array in enumerate(arrays):
        gradient = np.zeros_like(array)
        for index in np.ndindex(array.shape):
            up = [a.copy() for a in arrays]
            down = [a.copy() for a in arrays]
            up[i][index] += step
            down[i][index] -= step
            gradient[index] = (total(up) - total(down)) / (2 * step)
        gradients.append(gradient)
    return gradients


# --- agreement with the oracles ----------------------------------------------------------------


@pytest.mark.parametrize("name", CASES)
def test_gradients_match_central_differences(name):
    function, specs = CASES[name]
    arrays = make_inputs(specs, seed=1)
    value, gradients = tape_gradients(function, arrays)
    np.testing.assert_allclose(value, function(NUMPY_OPS, *arrays), rtol=1e-12)
    for got, expected, array in zip(gradients, finite_difference_gradients(function, arrays), arrays):
        assert got.shape == array.shape
        np.testing.assert_allclose(got, expected, rtol=1e-5, atol=1e-7)


@pytest.mark.slow
@pytest.mark.parametrize("name", CASES)
def test_gradients_match_tf_gradient_tape(name):
    function, specs = CASES[name]
    for seed in (2, 3):
        arrays = make_inputs(specs, seed)
        value, gradients = tape_gradients(function, arrays)
        tf_value, tf_grads = tf_gradients(function, arrays)
        np.testing.assert_allclose(value, tf_value, rtol=1e-12)
        for got, expected in zip(gradients, tf_grads):
            assert got.shape == expected.shape
            np.testing.assert_allclose(got, expected, rtol=1e-6, atol=1e-12)


def test_the_difference_oracle_catches_a_wrong_rule():
    """Guard for the oracle itself: a deliberately wrong backward rule must fail the check."""
    def wrong_square(o, x):
        if o is TAPE_OPS:
            x = tt.as_tensor(x)
            return tt.reduce_sum(tt.record(x.data**2, (x,), lambda g: (g * x.data,)))  # factor 2 lost
        return o.reduce_sum(o.square(x))

    arrays = make_inputs([anywhere(4)], seed=4)
    _, (got,) = tape_gradients(wrong_square, arrays)
    (expected,) = finite_difference_gradients(wrong_square, arrays)
    assert not np.allclose(got, expected, rtol=1e-5, atol=1e-7)


# --- behaviour shared with tf.GradientTape ----------------------------------------------------


def test_unconnected_source_gives_none():
    x, unused = tt.Tensor([1.0, 2.0]), tt.Tensor(3.0)
    with tt.Tape() as tape:
        y = tt.reduce_sum(x * x)
    dx, dunused = tape.gradient(y, [x, unused])
    np.testing.assert_allclose(dx, [2.0, 4.0])
    assert dunused is None


@pytest.mark.slow
def test_unconnected_source_gives_none_in_tensorflow_too():
    import tensorflow as tf

    x, unused = tf.constant([1.0, 2.0], tf.float64), tf.constant(3.0, tf.float64)
    with tf.GradientTape() as tape:
        tape.watch([x, unused])
        y = tf.reduce_sum(x * x)
    assert tape.gradient(y, [x, unused])[1] is None


def test_a_tensor_used_twice_collects_both_gradients():
    x = tt.Tensor(3.0)
    with tt.Tape() as tape:
        y = x * x + x  # dy/dx = 2x + 1
    assert tape.gradient(y, x) == pytest.approx(7.0)


def test_a_single_source_gives_one_gradient_and_a_list_gives_a_list():
    x = tt.Tensor([1.0, 2.0])
    with tt.Tape() as tape:
        y = tt.reduce_sum(tt.square(x))
    assert isinstance(tape.gradient(y, x), np.ndarray)
    single, = tape.gradient(y, [x])
    from_tuple, = tape.gradient(y, (x,))
    np.testing.assert_allclose(single, [2.0, 4.0])
    np.testing.assert_allclose(from_tuple, single)


def test_gradient_of_the_target_itself_is_one():
    x = tt.Tensor([1.0, 5.0])
    with tt.Tape() as tape:
        pass
    np.testing.assert_array_equal(tape.gradient(x, x), [1.0, 1.0])


def test_non_scalar_target_gives_the_gradient_of_its_sum():
    x = tt.Tensor([1.0, 2.0, 3.0])
    with tt.Tape() as tape:
        y = x * x
    np.testing.assert_allclose(tape.gradient(y, x), [2.0, 4.0, 6.0])


# --- recording ----------------------------------------------------------------------------------


def test_records_only_while_active():
    x = tt.Tensor(2.0)
    before = x * 10  # no tape yet: not recorded anywhere
    with tt.Tape() as tape:
        y = x * x
    after = y * x  # the tape has stopped: not recorded either
    assert [r.op for r in tape.records] == ["mul"]
    assert tape.gradient(y, x) == pytest.approx(4.0)
    # What happened after the block is invisible, as with tf.GradientTape.
    assert tape.gradient(after, x) is None
    assert tape.gradient(before, x) is None


def test_records_name_each_operation_with_its_inputs_and_output():
    x, y = tt.Tensor(2.0), tt.Tensor(3.0)
    with tt.Tape() as tape:
        z = tt.exp(x * y)
    assert [r.op for r in tape.records] == ["mul", "exp"]
    assert tape.records[0].inputs == (x, y)
    assert tape.records[-1].output is z


def test_nested_tapes_both_record_while_both_are_active():
    x = tt.Tensor(2.0)
    with tt.Tape() as outer:
        a = x * x
        with tt.Tape() as inner:
            b = a * x
        c = b + a
    assert len(outer.records) == 3 and len(inner.records) == 1
    assert outer.gradient(c, x) == pytest.approx(3 * 4.0 + 2 * 2.0)  # d(x³ + x²)
    assert inner.gradient(b, a) == pytest.approx(2.0)
    assert inner.gradient(b, x) == pytest.approx(4.0)  # only b = a·x's direct use of x


def test_a_tape_left_by_an_exception_stops_recording():
    x = tt.Tensor(1.0)
    with pytest.raises(RuntimeError):
        with tt.Tape() as tape:
            raise RuntimeError("boom")
    x * x
    assert tape.records == []


def test_gradient_can_be_asked_twice_and_returns_fresh_arrays():
    x = tt.Tensor([1.0, 2.0])
    with tt.Tape() as tape:
        y = tt.reduce_sum(3.0 * x)
    first = tape.gradient(y, x)
    first += 100.0  # changing the answer must not change the tape
    np.testing.assert_array_equal(tape.gradient(y, x), [3.0, 3.0])


def test_ndarray_on_the_left_is_recorded():
    x = tt.Tensor([1.0, 2.0])
    with tt.Tape() as tape:
        y = tt.reduce_sum(np.array([3.0, 4.0]) * x + np.float64(1.0))
    assert isinstance(y, tt.Tensor)
    np.testing.assert_allclose(tape.gradient(y, x), [3.0, 4.0])


def test_record_extends_the_tape_with_a_new_operation():
    def sin(x):
        x = tt.as_tensor(x)
        return tt.record(np.sin(x.data), (x,), lambda g: (g * np.cos(x.data),), "sin")

    x = tt.Tensor([0.0, 1.0])
    with tt.Tape() as tape:
        y = tt.reduce_sum(sin(x) * 2.0)
    assert tape.records[0].op == "sin"
    np.testing.assert_allclose(tape.gradient(y, x), 2 * np.cos([0.0, 1.0]))


def test_data_is_float64():
    assert tt.Tensor([1, 2]).data.dtype == np.float64
    assert tt.as_tensor(np.float32(1.5)).data.dtype == np.float64


# --- misuse -------------------------------------------------------------------------------------


def test_target_must_be_a_tensor():
    x = tt.Tensor(1.0)
    with tt.Tape() as tape:
        y = x * 2
    with pytest.raises(TypeError, match="target must be a Tensor"):
        tape.gradient(y.data, x)


@pytest.mark.parametrize("sources", [np.array([1.0]), 3.0, "x"])
def test_sources_must_be_tensors(sources):
    x = tt.Tensor(1.0)
    with tt.Tape() as tape:
        y = x * 2
    with pytest.raises(TypeError, match="sources must be a Tensor"):
        tape.gradient(y, sources)


def test_a_plain_array_among_the_sources_is_named():
    x = tt.Tensor(1.0)
    with tt.Tape() as tape:
        y = x * 2
    with pytest.raises(TypeError, match=r"sources\[1\] must be a Tensor, got ndarray"):
        tape.gradient(y, [x, np.array(1.0)])


def test_exponent_must_be_a_number():
    with pytest.raises(TypeError, match="exponent must be a plain number"):
        tt.Tensor(2.0) ** tt.Tensor(3.0)


def test_matmul_takes_matrices():
    with pytest.raises(ValueError, match=r"@ takes two matrices, got shapes \(3,\) and \(3, 1\)"):
        tt.Tensor(np.ones(3)) @ tt.Tensor(np.ones((3, 1)))


def test_wrapping_a_tensor_again_is_refused():
    # A copy would be a new, unconnected Tensor: its gradient would silently be None.
    with pytest.raises(TypeError, match="got a Tensor"):
        tt.Tensor(tt.Tensor(1.0))
    x = tt.Tensor(1.0)
    assert tt.as_tensor(x) is x


def test_relu_slope_at_zero_is_zero_as_in_tensorflow():
    x = tt.Tensor([-1.0, 0.0, 2.0])
    with tt.Tape() as tape:
        y = tt.reduce_sum(tt.relu(x))
    np.testing.assert_array_equal(y.data, 2.0)
    np.testing.assert_array_equal(tape.gradient(y, x), [0.0, 0.0, 1.0])
