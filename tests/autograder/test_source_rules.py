"""autograder.source_rules: which code is a part's, what its rule finds in it, and what a
breach costs. The minibatch notebook is the example (its parts have rules); nothing runs.
"""

from __future__ import annotations

import copy

import nbformat
import pytest

from autograder import assignments, parts, source_rules
from autograder.cell_names import cell_namer
from autograder.results import PartResult
from notebooks import load, nbgrader_meta, variants, with_solutions

NUMPY_ADAM = '''\
def adam_step(param, grad, m, v, t, learning_rate, beta_1=0.9, beta_2=0.999, epsilon=1e-7):
    m = beta_1 * m + (1 - beta_1) * grad
    v = beta_2 * v + (1 - beta_2) * grad**2
    step_size = learning_rate * np.sqrt(1 - beta_2**t) / (1 - beta_1**t)
    return param - step_size * m / (np.sqrt(v) + epsilon), m, v
'''


def _breaches(notebook: dict) -> dict[str, str]:
    """{test grade_id: message} of the notebook's breaches."""
    rebuilt = nbformat.from_dict(copy.deepcopy(notebook))
    names = cell_namer(rebuilt, assignments.get("minibatch").part_titles)
    return {found.grade_id: found.message for found in
            source_rules.breaches(rebuilt, parts.parts("minibatch").values(), names)}


def _added_after(notebook: dict, grade_id: str, source: str) -> dict:
    """The notebook with a learner's own code cell right after the cell ``grade_id``."""
    notebook = copy.deepcopy(notebook)
    index = next(i for i, cell in enumerate(notebook["cells"])
                 if nbgrader_meta(cell).get("grade_id") == grade_id)
    notebook["cells"].insert(index + 1, nbformat.v4.new_code_cell(source))
    return notebook


def test_the_solution_and_every_honest_mistake_of_the_corpus_break_no_rule():
    assert _breaches(load("minibatch")) == {}
    for variant in variants("minibatch"):
        notebook = with_solutions(load("minibatch"), {variant.grade_id: variant.code})
        assert _breaches(notebook) == {}, variant.name


def test_a_forbidden_use_names_itself_its_cell_and_line():
    code = NUMPY_ADAM.replace("    m = beta_1",
                              "    tf.keras.backend.clear_session()\n    m = beta_1")
    message = _breaches(with_solutions(load("minibatch"), {"adam_step": code}))[
        "test_adam_step"]
    assert message.startswith(f"Bug: {source_rules.BUG_NAME}. Part 3 asks you to write Adam's")
    assert "`tf.keras.backend.clear_session` (your answer cell of “Part 3: " in message
    assert ", line 2), so this part earns no points." in message
    assert "Read: minibatch/optimizers.md#adam" in message


def test_comments_strings_and_locals_named_alike_are_not_uses():
    code = NUMPY_ADAM.replace(
        "    m = beta_1",
        '    """Not tf.keras.optimizers.Adam."""\n    # tf.keras would do this\n'
        '    keras_like = "tf"\n    m = beta_1')
    assert _breaches(with_solutions(load("minibatch"), {"adam_step": code})) == {}


def test_an_alias_imported_in_another_cell_is_followed():
    notebook = _added_after(load("minibatch"), "check_data", "import tensorflow.keras as K\n")
    code = NUMPY_ADAM.replace("    m = beta_1", "    K.backend.clear_session()\n    m = beta_1")
    message = _breaches(with_solutions(notebook, {"adam_step": code}))["test_adam_step"]
    assert ("`import tensorflow.keras` (code cell 3 (`import tensorflow.keras as K`), "
            "line 1)") in message


def test_a_helper_defined_after_another_test_cell_is_followed():
    notebook = _added_after(load("minibatch"), "test_minibatch_sgd",
                            "def moments(m, v):\n    return tf.identity(m), v\n")
    code = NUMPY_ADAM.replace("    m = beta_1", "    m, v = moments(m, v)\n    m = beta_1")
    assert "`tf.identity`" in _breaches(with_solutions(notebook, {"adam_step": code}))[
        "test_adam_step"]


def test_the_part_function_defined_away_from_its_answer_cell_is_still_its_code():
    notebook = _added_after(load("minibatch"), "test_minibatch_sgd",
                            "def adam_step(*args):\n    return tf.raw_ops.ResourceApplyAdam\n")
    assert "`tf.raw_ops.ResourceApplyAdam`" in _breaches(
        with_solutions(notebook, {"adam_step": ""}))["test_adam_step"]


def test_an_unrelated_global_with_a_local_name_is_not_followed():
    # Part 4's scratch binds a global W with TensorFlow; Part 1's W is its own parameter.
    notebook = _added_after(load("minibatch"), "momentum_step_tf", "W = tf.Variable([1.0])\n")
    assert _breaches(notebook) == {}


def test_a_cell_that_does_not_parse_is_left_out_but_magics_are_read_around():
    broken = "def adam_step(:\n    return tf.keras\n"
    assert _breaches(with_solutions(load("minibatch"), {"adam_step": broken})) == {}
    magic = "%load_ext autoreload\n" + NUMPY_ADAM.replace(
        "    m = beta_1", "    !echo hi\n    tf.print(m)\n    m = beta_1")
    assert "`tf.print`" in _breaches(with_solutions(load("minibatch"), {"adam_step": magic}))[
        "test_adam_step"]


def test_code_nested_deeper_than_the_readers_recursion_is_still_read():
    deep = "+".join(["m"] * 2000)  # compiles; reading it by scope exceeds the recursion limit
    code = NUMPY_ADAM.replace("    m = beta_1", f"    tf.print({deep})\n    m = beta_1")
    assert "`tf.print`" in _breaches(with_solutions(load("minibatch"), {"adam_step": code}))[
        "test_adam_step"]


def test_a_required_name_missing_is_a_breach():
    code = ("def momentum_step_tf(W, b, velocity_W, velocity_b, X, y, learning_rate,\n"
            "                     momentum):\n"
            "    return tf.reduce_mean(tf.square(tf.linalg.matvec(X, W) + b - y))\n")
    message = _breaches(with_solutions(load("minibatch"), {"momentum_step_tf": code}))[
        "test_momentum_step_tf"]
    assert "Part 4 asks you" in message and "never uses `GradientTape`" in message


@pytest.mark.parametrize("code", ["opt = tf.keras.optimizers.SGD(0.1, momentum=0.9)\n",
                                  "from tensorflow.keras import optimizers\n",
                                  "tf.compat.v1.train.MomentumOptimizer\n",
                                  "model.apply_gradients(pairs)\n"])
def test_part_4_rules_out_keras_and_the_optimizers(code):
    notebook = _added_after(load("minibatch"), "momentum_step_tf", code)
    assert "test_momentum_step_tf" in _breaches(notebook)


def test_a_breach_costs_its_part_only_and_names_its_section():
    kept = PartResult("test_minibatch_sgd", 2.0, 2.0, "passed", "right")
    judged = [PartResult("test_adam_step", 3.0, 3.0, "passed", "right"), kept]
    breach = source_rules.Breach("test_adam_step", lambda: "Bug: the message",
                                 "minibatch/optimizers.md#adam")
    zeroed, same = source_rules.applied(judged, [breach])
    assert (zeroed.score, zeroed.max_score, zeroed.stage, zeroed.message) == (
        0.0, 3.0, "error", "Bug: the message")
    assert zeroed.bugs == [(source_rules.BUG_NAME, "minibatch/optimizers.md#adam")]
    assert same is kept
