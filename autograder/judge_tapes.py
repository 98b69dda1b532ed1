"""Judging the tapes report: three backward rules of the NumPy tape, a derivative by tape."""

from __future__ import annotations

import numpy as np

from autograder import scenarios
from autograder.judge_arrays import Bug, Hint, grade_cases, parse_runs


def _arrays(case):
    return {key: value.astype(np.float64) for key, value in case.arrays.items()}


def _backward(case, *, swapped=False, no_grad=False, sign=-1.0, square=True):
    a = _arrays(case)
    g = np.ones_like(a["grad"]) if no_grad else a["grad"]
    if case.name == "multiply":
        return [g * a["x"], g * a["y"]] if swapped else [g * a["y"], g * a["x"]]
    if case.name == "divide":
        return [g / a["y"], sign * g * a["x"] / (a["y"] ** 2 if square else a["y"])]
    return [g * np.exp(a["x"])]


BACKWARD_BUGS = (
    Bug("upstream gradient left out", "A backward rule receives the gradient of the output "
        "and must multiply it in (the chain rule): e.g. grad * y, not y.",
        lambda case: _backward(case, no_grad=True)),
    Bug("x and y gradients swapped", "d(x * y)/dx is y, so x's gradient is grad * y.",
        lambda case: _backward(case, swapped=True) if case.name == "multiply" else []),
    Bug("sign of y's gradient flipped", "d(x / y)/dy = -x / y**2: note the minus sign.",
        lambda case: _backward(case, sign=1.0) if case.name == "divide" else []),
    Bug("y's gradient missing a power of y", "d(x / y)/dy = -x / y**2, with y squared.",
        lambda case: _backward(case, square=False) if case.name == "divide" else []),
)
BACKWARD_HINTS = (
    Hint("expected (grad_x, grad_y)", "Return a pair: (grad_x, grad_y)."),
    Hint("NotImplementedError", "Write this rule's body."),
)


def judge_backward_rules(record, seed):
    runs = parse_runs(record, scenarios.backward_cases(seed), max_outputs=2)
    return grade_cases(runs, _backward, BACKWARD_BUGS, BACKWARD_HINTS,
                       function="backward rule",
                       passed="All three backward rules are right.")


DERIVATIVES = {
    "x * sin(x)": lambda x: np.sin(x) + x * np.cos(x),
    "exp(-x**2)": lambda x: -2 * x * np.exp(-x**2),
    "x**3 - 2*x": lambda x: 3 * x**2 - 2,
    "log(1 + x**2)": lambda x: 2 * x / (1 + x**2),
}
assert set(DERIVATIVES) == set(scenarios.DERIVATIVE_FUNCTIONS)

DERIVATIVE_HINTS = (
    Hint("returned None", "The tape gave no gradient. A tf.constant is not watched by itself: "
                     "call tape.watch(x) inside the `with` block, before computing f(x)."),
)


def judge_derivative(record, seed):
    runs = parse_runs(record, scenarios.derivative_cases(seed), max_outputs=1)
    return grade_cases(runs, lambda case: [DERIVATIVES[case.name](case.arrays["x"].astype(float))],
                       (), DERIVATIVE_HINTS, function="derivative", require_tensor=True,
                       passed="derivative is exact for every function tried.",
                       # A tape's float32 gradient is exact to a few ulps; finite
                       # differences are not.
                       rtol=1e-5, atol=1e-6,
                       near_miss="close, but not exact: this looks like an approximation "
                                 "such as finite differences. Take the derivative from a "
                                 "tf.GradientTape.")


JUDGES = {"backward_rules": judge_backward_rules, "derivative": judge_derivative}
