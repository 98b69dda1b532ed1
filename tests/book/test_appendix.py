"""The appendix (book/appendix/tf1_to_tf2.md) migrates the TF1 tutorial correctly.

- every TF1 call of the TF1 tutorial is named in the page, is gone from TensorFlow 2's top level,
  and is still reachable under tf.compat.v1, as the page states;
- the page's TF2 program (its `teaches` cells: Model, loss, data, train, the loop) follows
  ttt.reference's NumPy trajectory and ttt.reference_tf's TF trajectory on the same data;
- its data is what the TF1 tutorial drew: inputs and noise from the unit normal, y = 3x + 2 + noise,
  and exactly chapter 4's draw (ttt.data.ORIGIN_SEED);
- the log it prints reproduces the tutorial's printed log within the tolerance the page
  states;
- it opens with what the reader will be able to do and ends with a Summary.

The page imports TensorFlow, so every test here is slow.
"""

from __future__ import annotations

import contextlib
import io
import re
from pathlib import Path

import numpy as np
import pytest
import pages
from pages import page_cells

from ttt import reference
from ttt.data import (EPOCHS, LEARNING_RATE, NUM_EXAMPLES, ORIGIN_LOSS_LOG, ORIGIN_SEED,
                      ORIGIN_W_LOG, ORIGIN_b_LOG, TRUE_W, TRUE_b, W0, b0, make_linear_data)

PAGE = Path(__file__).resolve().parents[2] / "book" / "appendix" / "tf1_to_tf2.md"

# The TF1 calls the TF1 tutorial uses or names (its setup, data, variables and training).
TUTORIAL_TF1_CALLS = [
    "tf.enable_eager_execution",
    "tf.random_normal",
    "tf.assign_sub",
    "tf.scatter_update",
    "tf.train.Optimizer",
    "tf.train.GradientDescentOptimizer",
]

pytestmark = pytest.mark.slow


# The agreement the page states between its printed log and the TF1 tutorial's: "every printed W
# and b is within 0.01 (one unit of the last printed digit) of the tutorial's, and every loss
# within 0.025". Its data are a draw chosen to match, not the tutorial's own.
PRINTED_W_b_TOLERANCE = 0.01
LOSS_TOLERANCE = 0.025
# The TF1 tutorial's format: 'Epoch %2d: W=%1.2f b=%1.2f, loss=%2.5f'.
LOG_LINE = re.compile(r"^Epoch +(\d+): W=(-?\d+\.\d{2}) b=(-?\d+\.\d{2}), loss=(\d+\.\d{5})$")


@pytest.fixture(scope="module")
def run():
    """The page's Setup and `teaches` cells, run once: (namespace, what they printed)."""
    with contextlib.redirect_stdout(io.StringIO()) as printed:
        namespace = pages.taught(PAGE)
    return namespace, printed.getvalue()


@pytest.fixture(scope="module")
def page(run):
    return run[0]


@pytest.fixture(scope="module")
def printed_log(run):
    """The per-epoch lines the training loop printed, parsed: (epoch, W, b, loss)."""
    return [(int(m[1]), float(m[2]), float(m[3]), float(m[4]))
            for m in map(LOG_LINE.match, run[1].splitlines()) if m]


def test_page_names_every_tf1_call_of_the_tutorial():
    prose = "\n".join(cell.source for cell in page_cells(PAGE) if cell.cell_type == "markdown")
    missing = [call for call in TUTORIAL_TF1_CALLS if f"`{call}" not in prose]
    assert missing == []


@pytest.mark.parametrize("call", TUTORIAL_TF1_CALLS)
def test_tf1_call_is_gone_from_tf2_and_kept_in_compat_v1(tf, call):
    *modules, name = call.split(".")[1:]
    tf2_home, v1_home = tf, tf.compat.v1
    for module in modules:
        tf2_home, v1_home = getattr(tf2_home, module), getattr(v1_home, module)
    assert not hasattr(tf2_home, name), f"{call} still exists in TensorFlow 2"
    assert hasattr(v1_home, name), f"tf.compat.v1 lacks {call}"


def _table_tf1_names() -> set[str]:
    """The TF1 calls in the first column of the page's table of calls, old and new."""
    prose = "\n".join(cell.source for cell in page_cells(PAGE) if cell.cell_type == "markdown")
    rows = [line.split("|")[1] for line in prose.splitlines()
            if line.startswith("| `tf.") and line.count("|") >= 4]
    return {name for first in rows for name in re.findall(r"`(tf\.[\w.]+)", first)}


def test_page_checks_the_same_names_it_lists(tf):
    # What the reader sees checked: the lines the check cell prints, one per name.
    cell = next(c for c in pages.tagged_cells(PAGE, ("teaches",)) if "TF1_NAMES" in c.source)
    with contextlib.redirect_stdout(io.StringIO()) as printed:
        exec(cell.source, {"tf": tf})
    checked = {line.split()[0] for line in printed.getvalue().splitlines() if line.strip()}
    listed = _table_tf1_names()
    assert listed == set(TUTORIAL_TF1_CALLS)  # the table is the tutorial's calls, all of them
    assert checked == listed


def test_data_is_the_tutorials_line_with_unit_noise(page):
    inputs, outputs = page.inputs.numpy(), page.outputs.numpy()
    assert inputs.shape == outputs.shape == (NUM_EXAMPLES,)
    assert abs(inputs.mean()) < 0.15 and 0.9 < inputs.std() < 1.1
    noise = outputs - (inputs * TRUE_W + TRUE_b)
    assert abs(noise.mean()) < 0.15 and 0.9 < noise.std() < 1.1


def test_data_is_chapter_4s_draw(page):
    inputs, outputs = make_linear_data(seed=ORIGIN_SEED)
    np.testing.assert_array_equal(page.inputs.numpy(), inputs)
    np.testing.assert_array_equal(page.outputs.numpy(), outputs)


def test_printed_log_reproduces_the_tutorials_log(printed_log):
    assert [line[0] for line in printed_log] == list(range(EPOCHS))
    _, Ws, bs, losses = map(np.array, zip(*printed_log))
    slack = 1e-9  # the printed decimals, read back as floats
    np.testing.assert_allclose(Ws, ORIGIN_W_LOG, rtol=0, atol=PRINTED_W_b_TOLERANCE + slack)
    np.testing.assert_allclose(bs, ORIGIN_b_LOG, rtol=0, atol=PRINTED_W_b_TOLERANCE + slack)
    np.testing.assert_allclose(losses, ORIGIN_LOSS_LOG, rtol=0, atol=LOSS_TOLERANCE)
    # "the loss falls from 7.93 to 1.14 in both"; the first and last W and b print alike.
    for log in (losses, ORIGIN_LOSS_LOG):
        assert (f"{log[0]:.2f}", f"{log[-1]:.2f}") == ("7.93", "1.14")
    assert (Ws[0], bs[0], Ws[-1], bs[-1]) == (ORIGIN_W_LOG[0], ORIGIN_b_LOG[0],
                                              ORIGIN_W_LOG[-1], ORIGIN_b_LOG[-1])


def test_page_states_the_tolerance_the_test_checks():
    prose = " ".join(" ".join(cell.source.split()) for cell in page_cells(PAGE)
                     if cell.cell_type == "markdown")
    assert f"within {PRINTED_W_b_TOLERANCE}" in prose and f"within {LOSS_TOLERANCE}" in prose


def test_model_and_loss_match_the_reference(page, tf):
    from ttt import reference_tf

    model = page.Model()
    assert [float(v.numpy()) for v in model.trainable_variables] == [W0, b0]
    assert float(model(3.0)) == 15.0
    rng = np.random.default_rng(5)
    predicted_y, desired_y = rng.normal(size=(2, 30)).astype(np.float32)
    np.testing.assert_allclose(float(page.loss(predicted_y, desired_y)),
                               float(reference_tf.loss(predicted_y, desired_y)), rtol=1e-6)


def test_training_log_follows_the_numpy_reference(page):
    expected = reference.fit_numpy(W0, b0, page.inputs.numpy(), page.outputs.numpy(),
                                   LEARNING_RATE, EPOCHS)
    assert len(page.losses) == len(expected) == EPOCHS
    np.testing.assert_allclose(page.Ws, expected.W, rtol=1e-5)
    np.testing.assert_allclose(page.bs, expected.b, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(page.losses, expected.loss, rtol=1e-5)


def test_training_log_follows_the_tensorflow_reference(page):
    from ttt import reference_tf

    expected = reference_tf.fit_tf(reference_tf.Model(), page.inputs, page.outputs, LEARNING_RATE, EPOCHS)
    np.testing.assert_allclose(page.Ws, expected.W, rtol=1e-6)
    np.testing.assert_allclose(page.bs, expected.b, rtol=1e-6, atol=1e-7)
    np.testing.assert_allclose(page.losses, expected.loss, rtol=1e-6)


def test_training_behaves_like_the_tutorials_run(page):
    losses = np.asarray(page.losses)
    assert np.all(np.diff(losses) < 0)
    assert 1.0 < losses[-1] < 1.3  # the tutorial ended at 1.14, near the noise variance
    assert page.Ws[-1] < page.Ws[0] and page.bs[-1] > page.bs[0]
    assert TRUE_W < page.Ws[-1] < 3.5 and 1.5 < page.bs[-1] < TRUE_b


def test_page_opens_with_its_goals_and_ends_with_a_summary():
    text = PAGE.read_text(encoding="utf-8")
    headings = re.findall(r"^## (.+)$", text, re.M)
    assert headings[-1] == "Summary"
    intro = text[:text.index("## Setup")]
    assert "you will be able to" in intro
    # The table names the tutorial, not "the origin", which reads like the point (0, 0).
    assert "| TensorFlow 1 (the original tutorial) |" in text
