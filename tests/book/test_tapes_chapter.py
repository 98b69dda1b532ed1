"""The tape taught in book/tapes/numpy_tape.md gives the same gradients as ttt.tape;
book/tapes/finite_differences.md's finite differences of the linear-fit loss behave as it says;
and what the TensorFlow pages (gradient_tape, jacobians, none_gradients, custom_gradients)
teach and state agrees with NumPy and with finite differences.

The page's `## Setup` cell and its cells tagged `teaches` are run in a fresh namespace; the
tape they define and ttt.tape then differentiate the same functions from the same inputs.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import pages

from ttt import tape as reference

PAGE = Path(__file__).resolve().parents[2] / "book" / "tapes" / "numpy_tape.md"
CHAPTER = PAGE.parent
GRADIENT_TAPE_PAGE = CHAPTER / "finite_differences.md"


@pytest.fixture(scope="module")
def taught():
    return pages.taught(PAGE)


# name -> (function of (tape module, *inputs), input shapes); inputs are drawn in [0.5, 2].
FUNCTIONS = {
    "sum": (lambda t, x: t.reduce_sum(x), [(3, 4)]),
    "sum over an axis": (lambda t, x: t.reduce_sum(x, axis=0), [(3, 4)]),
    "product and reuse": (lambda t, x, y: t.reduce_sum(x * y * x + 3 * x), [(4,), (4,)]),
    "square and mean": (lambda t, x: t.reduce_mean(t.square(x)), [(5,)]),
    "mean over an axis": (lambda t, x, y: t.reduce_sum(t.reduce_mean(x, axis=1) * y), [(3, 4), (3,)]),
    "broadcast (3,1)+(1,4)": (lambda t, a, b: t.reduce_sum(t.square(a + b)), [(3, 1), (1, 4)]),
    "scalar times vector": (lambda t, s, v: t.reduce_sum(s * v - v / s), [(), (5,)]),
    "non-scalar target": (lambda t, x, y: x * y - x, [(2, 3), (3,)]),
    "division and negation": (lambda t, x, y: t.reduce_sum(-(x / y) + 1 / x), [(4,), (4,)]),
    "power": (lambda t, x: t.reduce_sum(x**3 - x**0.5), [(4,)]),
    "exp and log": (lambda t, x: t.reduce_sum(t.log(1 + t.exp(x))), [(5,)]),
    "linear-fit loss": (lambda t, W, b, x, y: t.reduce_mean(t.square(x * W + b - y)), [(), (), (40,), (40,)]),
}


def gradients(tape_module, function, arrays):
    sources = [tape_module.Tensor(a) for a in arrays]
    with tape_module.Tape() as tape:
        target = function(tape_module, *sources)
    return target.data, tape.gradient(target, sources)


@pytest.mark.parametrize("name", FUNCTIONS)
def test_taught_tape_matches_ttt_tape(taught, name):
    function, shapes = FUNCTIONS[name]
    rng = np.random.default_rng(7)
    arrays = [np.asarray(rng.uniform(0.5, 2.0, size=shape)) for shape in shapes]
    value, grads = gradients(taught, function, arrays)
    expected_value, expected_grads = gradients(reference, function, arrays)
    np.testing.assert_allclose(value, expected_value, rtol=1e-12)
    for got, expected in zip(grads, expected_grads):
        assert np.shape(got) == np.shape(expected)
        np.testing.assert_allclose(got, expected, rtol=1e-12, atol=1e-15)


def test_taught_tape_gives_none_for_an_unconnected_source(taught):
    x, unused = taught.Tensor([1.0, 2.0]), taught.Tensor(3.0)
    with taught.Tape() as tape:
        y = taught.reduce_sum(x * x)
    dx, dunused = tape.gradient(y, [x, unused])
    np.testing.assert_allclose(dx, [2.0, 4.0])
    assert dunused is None


def test_taught_tape_records_only_while_active(taught):
    x = taught.Tensor(2.0)
    with taught.Tape() as tape:
        y = x * x
    x * y  # after the block: not recorded
    assert [record.op for record in tape.records] == ["mul"]


def test_taught_tape_records_the_same_operations_as_ttt_tape(taught):
    def ops(module):
        x = module.Tensor([1.0, 2.0])
        with module.Tape() as tape:
            module.reduce_mean(module.square(module.log(1 + module.exp(x)) - 2.0 * x))
        return [record.op for record in tape.records]

    assert ops(taught) == ops(reference)


# --- finite_differences.md: the finite-difference step for a quadratic loss ----------------------

def central_difference_errors(page, h):
    """Relative errors of the page's central differences of its loss at (W0, b0), step h."""
    W0, b0, loss_at = page.W0, page.b0, page.loss_at
    estimate = [(loss_at(W0 + h, b0) - loss_at(W0 - h, b0)) / (2 * h),
                (loss_at(W0, b0 + h) - loss_at(W0, b0 - h)) / (2 * h)]
    return np.abs(np.subtract(estimate, page.hand_grads)) / np.abs(page.hand_grads)


@pytest.mark.slow
def test_a_large_step_suits_the_quadratic_loss_better_than_the_softplus_step():
    page = pages.taught(GRADIENT_TAPE_PAGE)
    # The page's table: the softplus step 1e-5 gives about ten significant digits, not more.
    borrowed = np.abs(np.subtract(page.fd_grads, page.hand_grads)) / np.abs(page.hand_grads)
    assert np.all(borrowed < 1e-9) and np.any(borrowed > 1e-12)
    np.testing.assert_allclose(central_difference_errors(page, 1e-5), borrowed)
    # No truncation error for a quadratic: with h = 1 only float64 rounding is left.
    assert np.all(central_difference_errors(page, 1.0) < 1e-14)
    assert np.all(central_difference_errors(page, 1e-2) < borrowed)


# --- the TensorFlow pages: each `teaches` cell against NumPy or finite differences ---------

def central(f, x, h=1e-4):
    """Central difference of a float64 function of one number."""
    return (f(x + h) - f(x - h)) / (2 * h)


# What each page's `teaches` cells define.
TAUGHT_NAMES = {
    "gradient_tape.md": {"f", "derivative_of_f", "loop_gradient", "paused_gradient"},
    "jacobians.md": {"jacobian", "full_jacobian", "per_example", "M"},
    "none_gradients.md": {"rebinding_gradients", "integer_gradient", "numpy_gradient",
                          "numpy_error", "flat_gradients"},
    "custom_gradients.md": {"reverse_gradient", "dy_dx", "d2y_dx2"},
    "finite_differences.md": {"loss_at", "fd_grads", "hand_grads"},
}


@pytest.fixture(scope="module")
def tf_pages():
    return {name: pages.taught(CHAPTER / name) for name in TAUGHT_NAMES}


@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(TAUGHT_NAMES))
def test_every_page_defines_what_it_teaches(tf_pages, name):
    missing = TAUGHT_NAMES[name] - set(vars(tf_pages[name]))
    assert not missing, f"{name}: the cells tagged `teaches` no longer define {sorted(missing)}"


@pytest.mark.slow
def test_control_flow_gives_the_derivative_of_the_branch_taken(tf_pages):
    page = tf_pages["gradient_tape.md"]
    # "the derivative 2x = 6 at x = 3 and -1 at x = -3"; f also runs on Python floats.
    assert float(page.derivative_of_f(3.0)) == 6.0 and float(page.derivative_of_f(-3.0)) == -1.0
    for value in (-2.5, -0.7, 0.4, 1.9, 3.0):
        assert float(page.derivative_of_f(value)) == pytest.approx(central(page.f, value), rel=1e-5)
    # "three turns ... y = x^4, and the gradient is 4x^3 = 32 at x = 2"
    assert float(page.loop_gradient) == 32.0 == pytest.approx(central(lambda x: x**4, 2.0), rel=1e-6)


@pytest.mark.slow
def test_stop_recording_leaves_the_block_out_of_the_gradient(tf_pages):
    # "the gradient is 2x = 6, not 2x + 3x^2 = 33"
    assert float(tf_pages["gradient_tape.md"].paused_gradient) == 6.0
    assert central(lambda x: x * x + x**3, 3.0) == pytest.approx(33.0)


@pytest.mark.slow
def test_jacobian_is_diagonal_2x_and_sums_to_the_gradient(tf_pages):
    page = tf_pages["jacobians.md"]
    x = np.array([1.0, 2.0, 3.0])
    assert page.jacobian.shape == (3, 3)
    np.testing.assert_allclose(page.jacobian.numpy(), np.diag(2 * x))
    np.testing.assert_allclose(page.jacobian.numpy().sum(axis=0), 2 * x)  # the gradient of the sum


@pytest.mark.slow
def test_batch_jacobian_holds_the_diagonal_blocks_of_the_full_one(tf_pages):
    page = tf_pages["jacobians.md"]
    M = page.M.numpy().astype(np.float64)
    x = np.arange(12, dtype=np.float64).reshape(4, 3)
    # Finite differences of x @ M in every input: the full (4, 2, 4, 3) Jacobian.
    expected = np.zeros((4, 2, 4, 3))
    for k in range(4):
        for l in range(3):
            step = np.zeros_like(x)
            step[k, l] = 1e-3
            expected[:, :, k, l] = ((x + step) @ M - (x - step) @ M) / 2e-3
    full, per_example = page.full_jacobian.numpy(), page.per_example.numpy()
    assert full.shape == (4, 2, 4, 3) and per_example.shape == (4, 2, 3)
    np.testing.assert_allclose(full, expected, atol=1e-9)
    np.testing.assert_allclose(per_example, [expected[i, :, i, :] for i in range(4)], atol=1e-9)
    np.testing.assert_array_equal(per_example, np.broadcast_to(M.T, (4, 2, 3)))  # "M^T"


@pytest.mark.slow
def test_none_catalogue_shows_the_results_the_page_states(tf_pages):
    page = tf_pages["none_gradients.md"]
    # "The first step gets 2x = 4, the second None."
    assert float(page.rebinding_gradients[0]) == 4.0 and page.rebinding_gradients[1] is None
    assert page.integer_gradient is None
    assert page.numpy_gradient is None
    assert page.numpy_error == "AttributeError: 'numpy.float32' object has no attribute '_id'"
    assert page.flat_gradients["argmax"] is None and page.flat_gradients["round"] is None
    np.testing.assert_array_equal(page.flat_gradients["reduce_max"], [0.0, 1.0, 0.0])
    # reduce_max's gradient is the finite difference of max at [1, 3, 2] in each input.
    x = np.array([1.0, 3.0, 2.0])
    np.testing.assert_allclose(
        [central(lambda t, i=i: np.max(np.where(np.arange(3) == i, t, x)), x[i]) for i in range(3)],
        [0.0, 1.0, 0.0])


@pytest.mark.slow
def test_an_integer_source_logs_the_warning_the_page_quotes():
    import logging
    import tensorflow as tf

    records = []
    handler = logging.Handler()
    handler.emit = records.append
    logger = tf.get_logger()
    logger.addHandler(handler)
    try:
        x = tf.constant(3)
        with tf.GradientTape() as tape:
            tape.watch(x)
            y = x * x
        assert tape.gradient(y, x) is None
    finally:
        logger.removeHandler(handler)
    assert ("The dtype of the watched tensor must be floating (e.g. tf.float32), got tf.int32"
            in [record.getMessage() for record in records])


@pytest.mark.slow
def test_stop_gradient_holds_the_value_as_the_page_says():
    import tensorflow as tf

    x = tf.constant(3.0)
    with tf.GradientTape(persistent=True) as tape:
        tape.watch(x)
        y = x * tf.stop_gradient(x)
        only_stopped = 2 * tf.stop_gradient(x)
    assert float(tape.gradient(y, x)) == 3.0  # "dy/dx = c = 3 instead of 2x = 6"
    assert tape.gradient(only_stopped, x) is None  # "gets None, like any unconnected source"


@pytest.mark.slow
def test_custom_gradient_reverses_what_finite_differences_see(tf_pages):
    import tensorflow as tf

    page = tf_pages["custom_gradients.md"]
    x = tf.constant(3.0)
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = page.reverse_gradient(x) ** 2
    # "9.0 and -6.0, not 6.0": the forward values are x^2, whose slope is 6.
    assert float(y) == 9.0 and float(tape.gradient(y, x)) == -6.0
    forward = lambda t: float(page.reverse_gradient(tf.constant(t, tf.float64)) ** 2)
    assert central(forward, 3.0) == pytest.approx(6.0, rel=1e-6)


@pytest.mark.slow
def test_nested_tapes_give_the_first_and_second_derivatives(tf_pages):
    page = tf_pages["custom_gradients.md"]
    # "dy/dx = 3x^2 = 12 and d^2y/dx^2 = 6x = 12 at x = 2"
    assert float(page.dy_dx) == 12.0 and float(page.d2y_dx2) == 12.0
    assert central(lambda x: x**3, 2.0) == pytest.approx(12.0, rel=1e-6)
    assert central(lambda x: central(lambda t: t**3, x), 2.0, h=1e-3) == pytest.approx(12.0, rel=1e-4)
