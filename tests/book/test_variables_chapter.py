"""Chapter 3 (book/variables/) teaches code that agrees with the ttt reference.

- index.md: the chain of assign/assign_add/assign_sub ends where the comments say, the tape
  gives a gradient for the trainable variable only, and `tape.watch` gives one to a
  `trainable=False` variable too;
- modules.md: the taught `Model` behaves like ttt.reference_tf.Model, and the taught
  `train_step_module` follows ttt.reference_tf.train_step_tf step for step;
- sparse.md: the taught sparse updates (np.subtract.at and Variable.scatter_sub on an
  IndexedSlices gradient) equal a dense gradient-descent step, repeated ids included, and
  leave the rows that were not looked up untouched;
- every page's "Check yourself": the snippets it shows do what its solution says, and the
  numbers the solution states are the ones they produce.

The pages import TensorFlow, so every test here is slow.
"""

from __future__ import annotations

import contextlib
import io
import re
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


# --- Check yourself ---------------------------------------------------------------------------

def check_yourself(page: str) -> tuple[str, list[str]]:
    return pages.check_yourself(CHAPTER / page)


def printed_by(source: str, namespace: dict) -> list[str]:
    with contextlib.redirect_stdout(io.StringIO()) as out:
        exec(source, namespace)
    return out.getvalue().splitlines()


def test_index_check_aliasing_prints_what_the_solution_says(tf):
    prose, (aliasing, _) = check_yourself("index.md")
    assert printed_by(aliasing, {"np": np, "tf": tf}) == ["[4. 6.] [2. 3.]", "3.0 1.0"]
    assert "`[4. 6.] [2. 3.]`, then `3.0 1.0`" in prose


def test_index_check_numpy_value_breaks_the_tape_and_the_fix_steps_to_4(tf):
    prose, (_, bug) = check_yourself("index.md")
    namespace = {"tf": tf}
    with pytest.raises(TypeError, match="NoneType"):
        exec(bug, namespace)
    assert namespace["gradient"] is None
    fixed = {"tf": tf}
    exec(bug.replace("current * x", "W * x"), fixed)
    assert float(fixed["gradient"]) == pytest.approx(10.0)
    assert float(fixed["W"].numpy()) == pytest.approx(4.0)
    assert "= 10$" in prose and "0.1 \\cdot 10 = 4$" in prose


def test_modules_check_collections_and_their_order(tf):
    prose, (mixed_source, _) = check_yourself("modules.md")
    namespace = {"tf": tf}
    exec(mixed_source, namespace)
    mixed = namespace["mixed"]
    assert len(mixed.variables) == 3 and len(mixed.trainable_variables) == 2
    assert [float(v.numpy()) for v in mixed.trainable_variables] == [0.5, 1.0]
    assert ("`variables` has 3 entries and `trainable_variables` 2, with the values `0.5` "
            "and then `1.0`") in prose


def test_modules_check_a_constant_intercept_never_learns(modules, tf):
    prose, (_, line_source) = check_yourself("modules.md")
    namespace = {"tf": tf}
    exec(line_source, namespace)
    line = namespace["Line"]()
    assert [v.name for v in line.trainable_variables] == ["W:0"]
    inputs, outputs = make_linear_data(seed=0)  # "the data above (seed 0)"
    losses = [float(modules.train_step_module(line, inputs, outputs, LEARNING_RATE))
              for _ in range(100)]
    assert float(line.b.numpy()) == 0.0
    # "within a hundred steps it stops at 5.01, far above the 1.04 that the best line reaches"
    assert f"{losses[-1]:.2f}" == "5.01"
    x, y = inputs.astype(np.float64), outputs.astype(np.float64)
    assert f"{np.mean((np.polyval(np.polyfit(x, y, 1), x) - y) ** 2):.2f}" == "1.04"
    # "`W` goes to the best slope among those, mean(xy) / mean(x²) ≈ 2.96"
    through_zero = np.mean(x * y) / np.mean(x * x)
    assert f"{through_zero:.2f}" == f"{float(line.W.numpy()):.2f}" == "2.96"
    assert "stops at 5.01" in prose and "1.04" in prose and "\\approx 2.96" in prose


def test_sparse_check_gradient_and_step(sparse, tf):
    prose, (lookup, _) = check_yourself("sparse.md")
    namespace = {"tf": tf}
    exec(lookup, namespace)
    gradient, table = namespace["gradient"], namespace["table"]
    assert isinstance(gradient, tf.IndexedSlices)
    np.testing.assert_array_equal(gradient.indices.numpy(), [3, 3, 3, 1])
    np.testing.assert_array_equal(gradient.values.numpy(), np.ones((4, 2)))
    np.testing.assert_array_equal(tf.convert_to_tensor(gradient).numpy(),
                                  [[0, 0], [1, 1], [0, 0], [3, 3], [0, 0]])
    sparse.sparse_sgd_tf(table, gradient, 0.1)
    np.testing.assert_allclose(table.numpy(),
                               [[0, 0], [-0.1, -0.1], [0, 0], [-0.3, -0.3], [0, 0]])
    buffered = np.zeros((5, 2))
    buffered[[3, 3, 3, 1]] -= 0.1
    assert buffered[3, 0] == pytest.approx(-0.1)
    assert "`indices` is `[3 3 3 1]`" in prose and "`[-0.3, -0.3]`" in prose


def test_sparse_check_scatter_update_sets_the_rows_to_the_step(tf):
    prose, (lookup, buggy) = check_yourself("sparse.md")
    namespace = {"tf": tf}
    exec(lookup, namespace)
    namespace["table"] = tf.Variable(tf.ones([5, 2]))  # "a table that starts as all ones"
    exec(buggy, namespace)
    np.testing.assert_allclose(namespace["table"].numpy(),
                               [[1, 1], [0.1, 0.1], [1, 1], [0.1, 0.1], [1, 1]])
    assert "Rows 1 and 3 become `[0.1, 0.1]`" in prose


@pytest.mark.parametrize("page", ["index.md", "modules.md", "sparse.md"])
def test_page_opens_with_its_goals_and_ends_with_check_and_summary(page):
    text = (CHAPTER / page).read_text(encoding="utf-8")
    headings = re.findall(r"^## (.+)$", text, re.M)
    assert headings[-2:] == ["Check yourself", "Summary"]
    assert "you will be able to" in " ".join(text[:text.index("## Setup")].split())
