"""The tape taught in book/tapes/numpy_tape.md gives the same gradients as ttt.tape, and
book/tapes/gradient_tape.md's finite differences of the linear-fit loss behave as it says.

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
GRADIENT_TAPE_PAGE = PAGE.with_name("gradient_tape.md")


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


# --- gradient_tape.md: the finite-difference step for a quadratic loss ----------------------

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
