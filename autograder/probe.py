"""Kernel side of grading: run the learner's code on fresh data and record what it did.

Hidden test cells call one check per graded cell; the release step writes them from the
part's spec (``autograder/parts/<assignment>/<part>.py``), e.g.::

    from autograder import probe
    _points = probe.check("tensors/softmax_rows", {"softmax_rows": softmax_rows},
                          cases=[...], call={...})

:func:`check` serves every part that calls functions on arrays; linear_fit's three parts
have their own checks (:func:`check_train_step_numpy`, :func:`check_train_step_tf`,
:func:`check_convergence`).

Each check draws its data (:mod:`autograder.cases`, :mod:`autograder.scenarios`) with the grading seed
(``TTT_GRADING_SEED``; a fresh random seed when unset), runs the learner's functions and
writes down the outcome as plain floats (errors as strings). It has two modes:

- **Sandbox mode** (``TTT_REPORT_DIR`` set, the ``python -m autograder grade`` command):
  append one JSON line to ``$TTT_REPORT_DIR/report.jsonl`` and return ``None``. The probe
  never judges here and never raises for a wrong answer: the grader, outside the kernel,
  reads the report with :func:`autograder.verdict.judge`.
- **Plain mode** (``TTT_REPORT_DIR`` unset: plain ``nbgrader autograde``, ``nbgrader
  validate``, a learner's own run): judge in the kernel with :mod:`autograder.judging`
  (imported lazily), print the feedback, raise ``AssertionError`` when the part earns
  nothing, otherwise return the points as a float, which nbgrader reads as a partial score
  when it is the cell's last value.

A report line is one JSON object (strict JSON: non-finite numbers are written as the
strings ``"nan"``, ``"inf"``, ``"-inf"``)::

    {"grade_id": str, "check": str, "seed": int, "runs": [run, ...]}

with one run per scenario or case, in the order they are drawn:

- linear_fit, NumPy step: ``{"scenario", "W": [...], "b": [...], "error"}`` -- W and b
  after each completed step;
- linear_fit, TensorFlow step: the same plus ``"loss_name"`` (one of
  :data:`autograder.scenarios.TF_LOSSES`: "mse", or "mae" / "reversed" when the notebook's
  ``loss`` was swapped), ``"loss"`` (the value returned by each step, ``null``
  when not a number) and ``"kept_variables"`` (per step: are ``model.W``/``model.b``
  still the variables the model was built with); the step check has one run per scenario
  and loss, the convergence check a NumPy run, a TensorFlow "mse" run and one-step "mae"
  and "reversed" runs from the same start;
- every other part: ``{"case", "outputs": [{"shape", "values", "tensor"}, ...], "error"}``
  -- each recorded array flattened, and whether it was a TensorFlow object
  (:func:`autograder.calling.run_case`).

``error`` is ``null`` or the first exception's ``"Type: message"`` (the run stops there).

In the sandbox the kernel sees only the files in
:data:`autograder.protocol.KERNEL_MODULES`: this module may import NumPy, TensorFlow,
:mod:`ttt.data` and the kernel-side modules of :mod:`autograder` listed there, never the
references (:mod:`ttt.reference`, :mod:`ttt.reference_tf`, :mod:`ttt.tape`), the parts'
specs (:mod:`autograder.parts`) nor :mod:`autograder.judging` at module level.
"""

from __future__ import annotations

import json
import math
import os
import secrets
import sys
import types
from contextlib import contextmanager
from functools import partial
from pathlib import Path

import numpy as np

from autograder import calling, scenarios
from autograder import cases as case_recipes
from autograder.calling import describe as _describe
from autograder.protocol import REPORT_DIR_VARIABLE, REPORT_NAME, SEED_VARIABLE

_fresh_seed: int | None = None


def grading_seed() -> int:
    """``TTT_GRADING_SEED`` when set, else one fresh random seed for this kernel."""
    global _fresh_seed
    value = os.environ.get(SEED_VARIABLE)
    if value is not None:
        return int(value)
    if _fresh_seed is None:
        _fresh_seed = secrets.randbits(31)
    return _fresh_seed


# --- recording ---------------------------------------------------------------------------

def record_number(value) -> float | str:
    """One plain number for the report; a rigged object only gets to say which number."""
    if value is None:  # np.asarray would quietly turn None into NaN
        raise TypeError("expected a number, got None")
    array = np.asarray(value, dtype=np.float64)
    if array.size != 1:
        raise ValueError(f"expected a single number, got an array of shape {array.shape}")
    number = float(array.reshape(()))
    return number if math.isfinite(number) else str(number)


def _copy(array):
    return np.array(array, copy=True)


def record_numpy_steps(step, scenario) -> dict:
    """Run ``step`` from the scenario's start; W and b after each step.

    Run fields: ``scenario``, ``W``, ``b`` (lists, one entry per completed step),
    ``error`` (``None`` or the first error, after which the run stops).
    """
    run = {"scenario": scenario.name, "W": [], "b": [], "error": None}
    W, b = scenario.W0, scenario.b0
    try:
        for _ in range(scenario.steps):
            result = step(W, b, _copy(scenario.inputs), _copy(scenario.outputs),
                          scenario.learning_rate)
            if not isinstance(result, (tuple, list)) or len(result) != 2:
                raise TypeError(f"expected (new_W, new_b), got {type(result).__name__}")
            W, b = record_number(result[0]), record_number(result[1])
            run["W"].append(W)
            run["b"].append(b)
            if isinstance(W, str) or isinstance(b, str):
                break  # diverged: nothing more to learn from further steps
    except Exception as error:  # the learner's code may raise anything
        run["error"] = _describe(error)
    return run


def _mean_absolute_error(predicted_y, desired_y):
    import tensorflow as tf

    return tf.reduce_mean(tf.abs(predicted_y - desired_y))


def reversed_mean_squared_error(predicted_y, desired_y):
    """The MSE, with minus its slope registered as its gradient.

    A tape returns the registered gradient, so a tape-based step climbs this loss; finite
    differences of its values, however precise, see only the slope and descend it. (This
    code runs as the notebook's ``loss``, in the notebook's namespace: it reaches the one
    compiled copy through this module.)
    """
    from autograder import probe

    return probe.reversed_mse()(predicted_y, desired_y)


_reversed_mse = None


def reversed_mse():
    """The reversed MSE as a ``tf.custom_gradient`` function, made once per kernel (before
    the runs that use it, so that making it says nothing about which run is which)."""
    global _reversed_mse
    if _reversed_mse is None:
        import tensorflow as tf

        @tf.custom_gradient
        def reversed_mse(predicted_y, desired_y):
            residual = predicted_y - desired_y

            def gradient(upstream):
                slope = 2 * residual / tf.cast(tf.size(residual), residual.dtype)
                return -upstream * slope, upstream * slope
            return tf.reduce_mean(tf.square(residual)), gradient
        _reversed_mse = reversed_mse
    return _reversed_mse


_SWAPPED_LOSSES = {"mae": _mean_absolute_error, "reversed": reversed_mean_squared_error}


@contextmanager
def _loss_swapped(step, loss_name: str, notebook: dict | None = None):
    """While the block runs, the ``loss`` that ``step`` calls computes ``loss_name``.

    The function object stays the notebook's own, with its name and place: only its code is
    swapped (and renamed like it), so a step cannot tell by identity, name or, for the
    reversed loss, by value that another loss is in place; a reference to ``loss`` saved
    earlier sees the swap too. A ``loss`` that is not a plain function is rebound instead.
    """
    if loss_name == "mse":
        yield
        return
    namespace = _function_globals(step, notebook)
    replacement = _SWAPPED_LOSSES[loss_name]
    missing = object()
    original = namespace.get("loss", missing)
    # `loss = tf.function(loss)`: every tf.function runs its Python body here, so swap that.
    original = getattr(original, "python_function", original)
    if isinstance(original, types.FunctionType) and not original.__code__.co_freevars:
        code, defaults = original.__code__, original.__defaults__
        original.__code__ = replacement.__code__.replace(
            co_name=code.co_name, co_qualname=code.co_qualname, co_filename=code.co_filename,
            co_firstlineno=code.co_firstlineno)
        original.__defaults__ = None
        try:
            yield
        finally:
            original.__code__, original.__defaults__ = code, defaults
        return
    namespace["loss"] = replacement
    try:
        yield
    finally:
        if original is missing:
            namespace.pop("loss", None)
        else:
            namespace["loss"] = original


def _function_globals(function, notebook: dict | None = None) -> dict:
    """The namespace where ``function`` looks up ``loss``: its own, through any wrappers
    (``tf.function``, ``functools.wraps`` decorators of other modules), else the notebook's."""
    seen = set()
    while id(function) not in seen:
        seen.add(id(function))
        inner = getattr(function, "python_function", None) or getattr(function, "__wrapped__",
                                                                       None)
        if inner is None:
            break
        function = inner
    namespace = getattr(function, "__globals__", None)
    if isinstance(namespace, dict) and "loss" in namespace:
        return namespace
    if notebook is not None:
        return notebook
    raise TypeError("train_step_tf should be a Python function defined with def")


def _notebook_namespace(model_class) -> dict | None:
    """The notebook's own namespace: where its Model class was defined."""
    module = sys.modules.get(getattr(model_class, "__module__", ""), None)
    return vars(module) if module is not None else None


def record_tf_steps(step, model_class, scenario, loss_name="mse", steps=None) -> dict:
    """Run ``step`` on a fresh ``model_class(W=W0, b=b0)``; W, b and the returned loss.

    With ``loss_name="mae"`` the notebook's ``loss`` is swapped for the mean absolute error
    while the step runs: a step that takes its gradients from a tape follows it, a step
    with hand-written mean-squared-error gradients does not. With ``"reversed"`` it is
    swapped for the MSE with a reversed registered gradient: a tape-based step follows that
    gradient, a step estimating gradients from loss values (finite differences) does not.

    Run fields: ``scenario``, ``loss_name``, ``W``, ``b`` (values of the model's original
    variables after each step), ``loss`` (returned value per
    step, ``None`` when it is not a number), ``kept_variables`` (per step: are
    ``model.W`` and ``model.b`` still the variables the model started with), ``error``.
    """
    import tensorflow as tf

    step = getattr(step, "python_function", step)
    steps = scenario.steps if steps is None else steps
    run = {"scenario": scenario.name, "loss_name": loss_name, "W": [], "b": [], "loss": [],
           "kept_variables": [], "error": None}
    # Every tf.function runs its Python body while the step is recorded: a graph traced
    # earlier (the step's, or a helper's it calls) would keep computing the old `loss`.
    compiled_before = tf.config.functions_run_eagerly()
    tf.config.run_functions_eagerly(True)
    try:
        with _loss_swapped(step, loss_name, _notebook_namespace(model_class)):
            _record_tf_run(run, step, model_class, scenario, steps)
    except Exception as error:
        run["error"] = _describe(error)
    finally:
        tf.config.run_functions_eagerly(compiled_before)
    # A run stopped by an error may have one more loss/flag than W/b entries: trim them.
    completed = min(len(run["W"]), len(run["b"]))
    for key in ("W", "b", "loss", "kept_variables"):
        del run[key][completed:]
    return run


def _record_tf_run(run: dict, step, model_class, scenario, steps: int) -> None:
    """Fill ``run`` with what ``steps`` calls of ``step`` did to a fresh model."""
    import tensorflow as tf

    model = model_class(W=scenario.W0, b=scenario.b0)
    W_variable, b_variable = model.W, model.b
    inputs = tf.constant(scenario.inputs)
    outputs = tf.constant(scenario.outputs)
    for _ in range(steps):
        returned = step(model, inputs, outputs, scenario.learning_rate)
        run["kept_variables"].append(model.W is W_variable and model.b is b_variable)
        try:
            run["loss"].append(record_number(returned))
        except (TypeError, ValueError):
            run["loss"].append(None)
        # Read the variables the model started with, not whatever model.W now names: a
        # step that rebinds instead of assigning then shows as no update at all, even if
        # the learner's code forges the flag above.
        run["W"].append(record_number(W_variable))
        run["b"].append(record_number(b_variable))
        if isinstance(run["W"][-1], str) or isinstance(run["b"][-1], str):
            break


# --- reporting or judging ----------------------------------------------------------------

def _finish(assignment: str, check: str, runs: list[dict]):
    record = {"grade_id": f"test_{check}", "check": check, "seed": grading_seed(),
              "runs": runs}
    report_dir = os.environ.get(REPORT_DIR_VARIABLE)
    if report_dir:
        line = json.dumps(record, allow_nan=False)
        with open(Path(report_dir) / REPORT_NAME, "a", encoding="utf-8") as report:
            report.write(line + "\n")
        return None
    from autograder import verdict  # plain mode only: outside the sandbox

    part = verdict.judge_record(assignment, record, grading_seed())
    print(f"[{part.stage}] {part.score:g} of {part.max_score:g} points. {part.message}")
    if part.score <= 0:
        raise AssertionError(part.message)
    return part.score


# --- linear_fit --------------------------------------------------------------------------

def check_train_step_numpy(train_step_numpy):
    """Short runs of the NumPy step from several starts and learning rates."""
    runs = [record_numpy_steps(train_step_numpy, scenario)
            for scenario in scenarios.linear_fit(grading_seed())]
    return _finish("linear_fit", "train_step_numpy", runs)


def _in_random_order(calls: list) -> list:
    """``[call() for call in calls]``, made in an order drawn from the operating system (not
    from the grading seed), so that no step can tell a run by its place in the sequence."""
    order = list(range(len(calls)))
    secrets.SystemRandom().shuffle(order)
    results = [None] * len(calls)
    for index in order:
        results[index] = calls[index]()
    return results


def check_train_step_tf(train_step_tf, Model):
    """Short runs of the TensorFlow step, with the notebook's loss and with swapped ones."""
    reversed_mse()  # made before any run, not at the first reversed one
    return _finish("linear_fit", "train_step_tf", _in_random_order([
        partial(record_tf_steps, train_step_tf, Model, scenario, loss_name)
        for scenario in scenarios.linear_fit(grading_seed())
        for loss_name in scenarios.TF_LOSSES]))


def check_convergence(train_step_numpy, train_step_tf, Model):
    """Many steps of both steps: each must end at the least-squares optimum."""
    scenario = scenarios.linear_fit_convergence(grading_seed())
    reversed_mse()
    tf_runs = _in_random_order([
        partial(record_tf_steps, train_step_tf, Model, scenario, "mse"),
        partial(record_tf_steps, train_step_tf, Model, scenario, "mae", steps=1),
        partial(record_tf_steps, train_step_tf, Model, scenario, "reversed", steps=1)])
    return _finish("linear_fit", "convergence",
                   [record_numpy_steps(train_step_numpy, scenario), *tf_runs])


# --- every other part: calls on arrays, as its spec says ----------------------------------

def check(part: str, functions: dict, cases: list, call: dict):
    """Run the learner's ``functions`` on the cases of ``part`` (``"<assignment>/<name>"``).

    ``cases`` is the part's recipe (:mod:`autograder.cases`) and ``call`` its call template
    (:mod:`autograder.calling`); the release step writes both into the part's hidden test
    block from the part's spec (``autograder/parts/<assignment>/<name>.py``).
    """
    assignment, name = part.split("/")
    drawn = case_recipes.draw(part, cases, grading_seed())
    calling.check_template(call, drawn, functions)
    # In an order of the operating system's: no call can tell its case by counting calls.
    return _finish(assignment, name, _in_random_order([
        partial(calling.run_case, functions, case, call) for case in drawn]))
