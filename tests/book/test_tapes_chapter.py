"""The tape taught in book/tapes/numpy_tape.md gives the same gradients as ttt.tape;
book/tapes/finite_differences.md's finite differences of the linear-fit loss behave as it says;
and what the TensorFlow pages (gradient_tape, jacobians, none_gradients, custom_gradients)
teach and state agrees with NumPy and with finite differences.

The page's `## Setup` cell and its cells tagged `teaches` are run in a fresh namespace; the
tape they define and ttt.tape then differentiate the same functions from the same inputs.
"""

from __future__ import annotations

import contextlib
import io
import re
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


# --- numpy_tape.md: the picture of the tape comes first, and says what the tape does ------------

FIGURE = CHAPTER / "tape_records.svg"


def test_the_picture_comes_before_the_machinery():
    cells = pages.page_cells(PAGE)
    figure = next(c.index for c in cells if c.cell_type == "markdown"
                  and "```{figure} tape_records.svg" in c.source)
    first_taught = next(c.index for c in cells if "teaches" in c.tags)
    assert figure < first_taught
    source = cells[figure].source
    assert ":alt:" in source and "3 + 2 + 2 = 7" in source


def figure_texts():
    import xml.etree.ElementTree as ElementTree

    svg = ElementTree.parse(FIGURE).getroot()
    ns = {"svg": "http://www.w3.org/2000/svg"}
    assert svg.find("svg:title", ns).text.strip() and svg.find("svg:desc", ns).text.strip()
    return [text.text for text in svg.iter("{http://www.w3.org/2000/svg}text")]


def test_the_picture_shows_what_the_taught_tape_records_and_sends_back(taught):
    x = taught.Tensor(2.0)
    with taught.Tape() as tape:
        y = x * x + 3 * x
    records = tape.records
    assert [r.op for r in records] == ["mul", "mul", "add"]
    assert [float(r.output.data) for r in records] == [4.0, 6.0, 10.0]
    assert [[float(t.data) for t in r.inputs] for r in records] == [[2, 2], [3, 2], [4, 6]]
    # The walk, step by step: what each record receives and sends, and x's running gradient.
    grads, walk = {id(y): np.ones(())}, []
    for r in reversed(records):
        received = grads[id(r.output)]
        sent = [float(g) for g in r.backward(received)]
        for t, g in zip(r.inputs, sent):
            grads[id(t)] = grads.get(id(t), 0.0) + g
        walk.append((r.op, float(received), sent, grads.get(id(x))))
    assert walk == [("add", 1.0, [1.0, 1.0], None), ("mul", 1.0, [2.0, 3.0], 3.0),
                    ("mul", 1.0, [2.0, 2.0], 7.0)]
    assert float(tape.gradient(y, [x])[0]) == 7.0 == 2 * 2 + 3
    texts = figure_texts()
    for expected in ["record 1: mul", "record 2: mul", "record 3: add",
                     "inputs: x = 2, x = 2", "inputs: c = 3, x = 2", "inputs: t1 = 4, t2 = 6",
                     "output: t1 = 4", "output: t2 = 6", "output: y = 10",
                     "sends t1: 1 and t2: 1", "sends c: 1·2 = 2 and x: 1·3 = 3",
                     "sends x: 1·2 = 2 and x: 1·2 = 2", "grad of x so far: 3",
                     "grad of x: 3 + 2 + 2 = 7", "x: 7", "c: 2"]:
        assert expected in texts, expected


# --- the self-checks: each answer the chapter's dropdowns state, computed ----------------------

def snippet(page_name, label):
    """The first ```python block after the self-check `label` (its exercise or solution)."""
    text = (CHAPTER / page_name).read_text(encoding="utf-8")
    rest = text[text.index(f":label: {label}"):]
    following = re.search(r"^`{3,4}\{exercise\}", rest[1:], re.MULTILINE)
    if following:
        rest = rest[:following.start() + 1]
    return re.search(r"^```python\n(.*?)^```", rest, re.MULTILINE | re.DOTALL).group(1)


def run_snippet(code, **names):
    """Run a self-check's code; return its namespace and what it printed."""
    namespace = dict(names)
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        exec(code, namespace)
    return namespace, printed.getvalue()


def test_index_check_compares_the_cost_of_the_two_methods():
    evaluations = 2 * 10**6  # two per parameter
    finite_differences_s = evaluations * 2e-3
    reverse_mode_s = 2e-3 + 2 * 2e-3  # a forward pass and a backward pass of twice its cost
    assert finite_differences_s == 4000.0 and reverse_mode_s == pytest.approx(6e-3)
    assert round(finite_differences_s / reverse_mode_s, -4) == 670_000


def test_derivatives_check_halving_the_step():
    def softplus(x):
        return np.log(1 + np.exp(x))

    exact = 1 / (1 + np.exp(-1.0))

    def central_error(h):
        return abs((softplus(1 + h) - softplus(1 - h)) / (2 * h) - exact)

    def forward_error(h):
        return abs((softplus(1 + h) - softplus(1)) / h - exact)

    # "off by about 1.5e-6 ... divides it by 4, to about 3.8e-7 ... only halves it"
    assert central_error(1e-2) == pytest.approx(1.5e-6, rel=0.02)
    assert central_error(5e-3) == pytest.approx(3.8e-7, rel=0.02)
    assert central_error(1e-2) / central_error(5e-3) == pytest.approx(4, rel=1e-3)
    assert forward_error(1e-2) / forward_error(5e-3) == pytest.approx(2, rel=1e-2)
    # "it grows from about 3e-8 to about 1e-6"
    assert central_error(1e-10) == pytest.approx(3e-8, rel=0.1)
    assert central_error(5e-11) == pytest.approx(1e-6, rel=0.1)


def test_numpy_tape_check_unbroadcast(taught):
    code = snippet("numpy_tape.md", "tapes-numpy-unbroadcast-check")
    _, printed = run_snippet(code, **vars(taught))
    assert printed.split("\n")[:2] == ["[3. 3. 3. 3.]", "[4. 4. 4.]"]
    X, c = taught.Tensor(np.ones((3, 4))), taught.Tensor(np.zeros((3, 1)))
    with taught.Tape() as tape:
        target = taught.reduce_sum(X + c)
    assert tape.gradient(target, c).shape == (3, 1)


def test_numpy_tape_check_overwriting_instead_of_adding(taught):
    def shortened_gradient(tape, target, source):
        grads = {id(target): np.ones_like(target.data)}
        for op, output, inputs, backward in reversed(tape.records):
            if id(output) in grads:
                for x, g in zip(inputs, backward(grads[id(output)])):
                    grads[id(x)] = g  # the reader's line
        return grads.get(id(source))

    x = taught.Tensor(1.0)
    with taught.Tape() as tape:
        y = (x + 1) ** 2 + x
    assert [r.op for r in tape.records] == ["add", "pow", "add"]
    assert [float(r.output.data) for r in tape.records] == [2.0, 4.0, 5.0]
    assert float(tape.gradient(y, x)) == 5.0 == 2 * (1 + 1) + 1
    assert float(shortened_gradient(tape, y, x)) == 4.0


@pytest.mark.slow
def test_gradient_tape_checks_watch_and_loop():
    import tensorflow as tf

    _, printed = run_snippet(snippet("gradient_tape.md", "tapes-gradient-tape-watch-check"),
                             tf=tf)
    # "[None, 2.0] (the 2.0 as a float32 tensor)"
    assert printed.strip() == "[None, <tf.Tensor: shape=(), dtype=float32, numpy=2.0>]"
    loop = snippet("gradient_tape.md", "tapes-gradient-tape-loop-check")
    assert "tf.constant(3.0)" in loop
    for value, answer, final in [("3.0", 108.0, 81.0), ("4.0", 48.0, 64.0)]:
        namespace, printed = run_snippet(loop.replace("tf.constant(3.0)", f"tf.constant({value})"),
                                         tf=tf)
        assert float(namespace["y"]) == final and f"({answer}, shape=()" in printed


@pytest.mark.slow
def test_jacobians_check_shapes_for_a_matrix_source():
    import tensorflow as tf

    namespace, _ = run_snippet(snippet("jacobians.md", "tapes-jacobians-shape-check"), tf=tf)
    tape, y, M = namespace["tape"], namespace["y"], namespace["M"]
    assert tape.jacobian(y, M).shape == (5, 2, 3, 2)
    assert tape.gradient(y, M).shape == (3, 2)
    with pytest.raises(ValueError) as error:
        tape.batch_jacobian(y, M)
    message = "Need first dimension of target shape ((5, 2)) and source shape ((3, 2)) to match."
    assert str(error.value) == message
    text = " ".join((CHAPTER / "jacobians.md").read_text(encoding="utf-8").split())
    assert f"`ValueError: {message}`" in text


@pytest.mark.slow
def test_none_gradients_checks():
    import tensorflow as tf

    code = snippet("none_gradients.md", "tapes-none-after-block-check")
    _, printed = run_snippet(code, tf=tf)
    assert printed.strip() == "None"
    # "Indent z = y + 1.0 into the block ... returns 4.0"; "tape.gradient(y, w) also gives 4.0"
    fixed = code.replace("\nz = y + 1.0", "\n    z = y + 1.0")
    asks_for_y = code.replace("tape.gradient(z, w)", "tape.gradient(y, w)")
    assert fixed != code != asks_for_y
    for variant in (fixed, asks_for_y):
        _, printed = run_snippet(variant, tf=tf)
        assert printed.startswith("tf.Tensor(4.0,")
    cast = snippet("none_gradients.md", "tapes-none-cast-check")
    for value, answer in [("2.0", "1.0"), ("0.5", "0.0")]:
        _, printed = run_snippet(cast.replace("tf.constant(2.0)", f"tf.constant({value})"), tf=tf)
        assert printed.startswith(f"tf.Tensor({answer},")


@pytest.mark.slow
def test_custom_gradients_check_outer_tape_must_record_the_inner_gradient():
    import tensorflow as tf

    x = tf.constant(2.0)
    with tf.GradientTape() as outer:
        outer.watch(x)
        with tf.GradientTape() as inner:
            inner.watch(x)
            y = x**3
    dy_dx = inner.gradient(y, x)  # moved out of the outer block
    assert float(dy_dx) == 12.0
    assert outer.gradient(dy_dx, x) is None
    assert "dy_dx = inner.gradient(y, x)" in (CHAPTER / "custom_gradients.md").read_text()


def test_finite_differences_check_cubic():
    def error(h):
        return abs(((1 + h) ** 3 - (1 - h) ** 3) / (2 * h) - 3)

    assert error(1.0) == 1.0 and error(0.5) == 0.25  # "exactly h^2", "off by 1"
    assert error(1e-2) / error(5e-3) == pytest.approx(4, rel=1e-6)
    best = (3 * np.finfo(np.float64).eps * 1 / 6) ** (1 / 3)
    assert best == pytest.approx(5e-6, rel=0.1)  # "near h = 5e-6"
    assert 1e-12 < best**2 < 1e-10 and error(best) < 1e-10  # "of the order of 1e-11"
