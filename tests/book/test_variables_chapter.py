"""Chapter 3 (book/variables/) teaches code that agrees with the ttt reference.

- index.md: the chain of assign/assign_add/assign_sub ends where the comments say, the tape
  gives a gradient for the trainable variable only, and `tape.watch` gives one to a
  `trainable=False` variable too;
- modules.md: the taught `Model` behaves like ttt.reference_tf.Model, and the taught
  `train_step_module` follows ttt.reference_tf.train_step_tf step for step;
- sparse.md: the taught sparse updates (np.subtract.at and Variable.scatter_sub on an
  IndexedSlices gradient) equal a dense gradient-descent step, repeated ids included, and
  leave the rows that were not looked up untouched.

The pages import TensorFlow, so every test here is slow.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import pages

from ttt.data import EPOCHS, LEARNING_RATE, W0, b0, make_linear_data

CHAPTER = Path(__file__).resolve().parents[2] / "book" / "variables"

pytestmark = pytest.mark.slow


def taught(page: str):
    return pages.taught(CHAPTER / page)


# --- index.md --------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def index():
    return taught("index.md")


def test_assign_methods_end_where_the_comments_say(index):
    assert index.counter.numpy() == 6.0


def test_tape_watches_the_trainable_variable_only(index):
    assert index.grad_W.numpy() == pytest.approx(10.0)  # d(W²)/dW at W = 5
    assert index.grad_frozen is None
    assert index.grad_constant is None


def test_tape_watch_gives_a_frozen_variable_its_gradient(index):
    assert not index.frozen.trainable
    assert index.grad_frozen_watched is not None
    assert index.grad_frozen_watched.numpy() == pytest.approx(10.0)  # d(frozen²)/d frozen at 5


# --- modules.md ------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def modules():
    return taught("modules.md")


def test_taught_model_has_the_reference_models_variables(modules, reference_tf):
    ours, theirs = modules.Model(), reference_tf.Model()
    assert [v.name for v in ours.trainable_variables] == [v.name for v in theirs.trainable_variables]
    assert [v.dtype for v in ours.trainable_variables] == [v.dtype for v in theirs.trainable_variables]
    assert [float(v.numpy()) for v in ours.trainable_variables] == [W0, b0]
    assert [float(v.numpy()) for v in theirs.trainable_variables] == [W0, b0]


def test_taught_model_predicts_like_the_reference(modules, reference_tf):
    inputs, _ = make_linear_data(50, seed=3)
    for W, b in [(W0, b0), (-1.5, 0.25)]:
        ours, theirs = modules.Model(W=W, b=b), reference_tf.Model(W=W, b=b)
        np.testing.assert_array_equal(ours(inputs).numpy(), theirs(inputs).numpy())
    assert float(modules.Model()(3.0)) == 15.0


def test_taught_model_keeps_float32_for_float64_arguments(modules, tf):
    model = modules.Model(W=np.float64(1.0), b=np.float64(2.0))
    assert model.W.dtype == tf.float32 and model.b.dtype == tf.float32


def test_train_step_module_follows_the_reference_step(modules, reference_tf):
    inputs, outputs = make_linear_data(seed=11)
    ours, theirs = modules.Model(), reference_tf.Model()
    for _ in range(EPOCHS):
        our_loss = modules.train_step_module(ours, inputs, outputs, LEARNING_RATE)
        their_loss = reference_tf.train_step_tf(theirs, inputs, outputs, LEARNING_RATE)
        np.testing.assert_allclose(float(our_loss), float(their_loss), rtol=1e-6)
        np.testing.assert_allclose(ours.W.numpy(), theirs.W.numpy(), rtol=1e-6)
        np.testing.assert_allclose(ours.b.numpy(), theirs.b.numpy(), rtol=1e-6)


def test_train_step_module_updates_every_trainable_variable_and_nothing_else(modules, tf):
    class Quadratic(tf.Module):
        def __init__(self):
            super().__init__()
            self.coefficients = [tf.Variable(1.0), tf.Variable(1.0), tf.Variable(1.0)]
            self.calls = tf.Variable(7.0, trainable=False)

        def __call__(self, x):
            a, b, c = self.coefficients
            return a * x * x + b * x + c

    model = Quadratic()
    inputs = np.linspace(-1, 1, 9).astype(np.float32)
    modules.train_step_module(model, inputs, 2 * inputs**2, learning_rate=0.1)
    assert all(float(v.numpy()) != 1.0 for v in model.coefficients)
    assert float(model.calls.numpy()) == 7.0


# --- sparse.md -------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def sparse():
    return taught("sparse.md")


def random_lookup(sparse, seed):
    """A random table and a batch of ids with a repeat, sized for the page's toy loss."""
    rng = np.random.default_rng(seed)
    table = rng.normal(size=(8, 3)).astype(np.float32)
    first = int(rng.integers(8))
    ids = np.array([first, int(rng.integers(8)), first, int(rng.integers(8))])
    assert len(ids) == len(sparse.row_weights)
    return table, ids


def test_embedding_gradient_is_indexed_slices_with_one_row_per_lookup(sparse, tf):
    assert isinstance(sparse.gradient, tf.IndexedSlices)
    np.testing.assert_array_equal(sparse.gradient.indices.numpy(), sparse.ids)
    np.testing.assert_allclose(sparse.gradient.values.numpy(),
                               sparse.row_gradients(sparse.initial_table, sparse.ids), rtol=1e-6)


def test_fancy_index_increment_loses_a_repeat_and_add_at_does_not(sparse, tf):
    dense = tf.convert_to_tensor(sparse.gradient).numpy()
    np.testing.assert_allclose(sparse.accumulated, dense, rtol=1e-6)
    repeated = 4
    assert not np.allclose(sparse.buffered[repeated], dense[repeated])


@pytest.mark.parametrize("seed", range(5))
def test_sparse_steps_equal_a_dense_gradient_step(sparse, tf, seed):
    table, ids = random_lookup(sparse, seed)
    variable = tf.Variable(table)
    with tf.GradientTape() as tape:
        loss = sparse.toy_loss(tf.nn.embedding_lookup(variable, ids))
    gradient = tape.gradient(loss, variable)
    dense_step = table - LEARNING_RATE * tf.convert_to_tensor(gradient).numpy()

    sparse.sparse_sgd_tf(variable, gradient, LEARNING_RATE)
    numpy_table = table.copy()
    sparse.sparse_sgd_numpy(numpy_table, ids, sparse.row_gradients(table, ids), LEARNING_RATE)

    np.testing.assert_allclose(variable.numpy(), dense_step, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(numpy_table, dense_step, rtol=1e-5, atol=1e-6)
    untouched = np.setdiff1d(np.arange(len(table)), ids)
    np.testing.assert_array_equal(variable.numpy()[untouched], table[untouched])
    np.testing.assert_array_equal(numpy_table[untouched], table[untouched])
