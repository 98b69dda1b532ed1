"""Judging the tapes report: three backward rules of the NumPy tape, a derivative by tape."""

from __future__ import annotations

import numpy as np

from autograder import scenarios
from autograder.judging.arrays import Bug, Hint, all_match, grade_cases, parse_runs


def _arrays(case):
    return {key: value.astype(np.float64) for key, value in case.arrays.items()}


def backward(case, *, swapped=False, no_grad=False, sign=-1.0, square=True):
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
        lambda case: backward(case, no_grad=True)),
    Bug("x and y gradients swapped", "d(x * y)/dx is y, so x's gradient is grad * y.",
        lambda case: backward(case, swapped=True) if case.name == "multiply" else []),
    Bug("sign of y's gradient flipped", "d(x / y)/dy = -x / y**2: note the minus sign.",
        lambda case: backward(case, sign=1.0) if case.name == "divide" else []),
    Bug("y's gradient missing a power of y", "d(x / y)/dy = -x / y**2, with y squared.",
        lambda case: backward(case, square=False) if case.name == "divide" else []),
)
BACKWARD_HINTS = (
    Hint("expected (grad_x, grad_y)", "Return a pair: (grad_x, grad_y)."),
    Hint("NotImplementedError", "Write this rule's body."),
)


def judge_backward_rules(record, seed):
    runs = parse_runs(record, scenarios.backward_cases(seed), max_outputs=2)
    return grade_cases(runs, backward, BACKWARD_BUGS, BACKWARD_HINTS,
                       function="backward rule",
                       passed="All three backward rules are right.")


# What a tape returns for each function: the gradient it registers. For TensorFlow's own
# operations that is the true derivative; the custom-gradient function registers minus its
# slope (see probe._reversed_gradient_cubic).
DERIVATIVES = {
    "x * sin(x)": lambda x: np.sin(x) + x * np.cos(x),
    "exp(-x**2)": lambda x: -2 * x * np.exp(-x**2),
    "x**3 - 2*x": lambda x: 3 * x**2 - 2,
    "log(1 + x**2)": lambda x: 2 * x / (1 + x**2),
    "x + x**3/3 (custom gradient)": lambda x: -(1 + x**2),
}
assert set(DERIVATIVES) == set(scenarios.DERIVATIVE_FUNCTIONS)

# The true slope of each function whose registered gradient is something else: what finite
# differences return, at any precision and step, and what a tape never does.
NUMERICAL_SLOPES = {
    "x + x**3/3 (custom gradient)": lambda x: 1 + x**2,
}
assert set(NUMERICAL_SLOPES) <= set(DERIVATIVES)


def inputs(case):
    return case.arrays["x"].astype(np.float64)


FINITE_DIFFERENCES = Bug(  # named by judge_derivative, which also takes the part's points
    "finite differences instead of the tape",
    "The result is this function's numerical slope, which is what finite differences (a "
    "numerical approximation) give. This function registers its own gradient with "
    "tf.custom_gradient, and only a tape sees it: take the derivative from tf.GradientTape.",
    lambda case: [NUMERICAL_SLOPES[case.name](inputs(case))] if case.name in NUMERICAL_SLOPES else [])

DERIVATIVE_HINTS = (
    Hint("returned None", "The tape gave no gradient. A tf.constant is not watched by itself: "
                     "call tape.watch(x) inside the `with` block, before computing f(x)."),
)


def _approximates_the_slope(run) -> bool:
    """Did this run return the numerical slope where a tape returns the registered gradient?
    The two are at least 2 apart, so a loose tolerance also catches a coarse estimate."""
    slope = FINITE_DIFFERENCES.outputs(run.case)
    return (bool(slope) and not run.error and bool(run.outputs)
            and all_match(run.outputs[:1], slope, 1e-2, 1e-3))


def _close_to_the_tape(run) -> bool:
    """Roughly the tape's answer on an ordinary function (an approximation is close)."""
    return (not run.error and bool(run.outputs)
            and all_match(run.outputs[:1], [DERIVATIVES[run.case.name](inputs(run.case))],
                          1e-2, 1e-3))


def judge_derivative(record, seed):
    runs = parse_runs(record, scenarios.derivative_cases(seed), max_outputs=1)
    caught = next((run for run in runs if _approximates_the_slope(run)), None)
    ordinary = [run for run in runs if run.case.name not in NUMERICAL_SLOPES]
    # Only an approximation gets the slope AND the ordinary functions about right: a tape
    # with its sign flipped also returns the slope on the reversed-gradient function.
    if caught is not None and all(_close_to_the_tape(run) for run in ordinary):
        # The part asks for a method, the tape; numbers that come close by another method
        # earn nothing, or float64 finite differences would keep most of the points.
        return (0.0, "one step",
                f"derivative, case \u201c{caught.case.name}\u201d: Bug: "
                f"{FINITE_DIFFERENCES.name}. {FINITE_DIFFERENCES.advice} This part asks for "
                "the tape's gradient, so it earns no points, even for the functions where "
                "the approximation came close.")
    return grade_cases(runs, lambda case: [DERIVATIVES[case.name](inputs(case))],
                       (), DERIVATIVE_HINTS, function="derivative",
                       require_tensor=True,
                       passed="derivative returns the tape's gradient for every function "
                              "tried, the custom gradient included.",
                       # A tape's float32 gradient is exact to a few ulps; finite
                       # differences are not.
                       rtol=1e-5, atol=1e-6,
                       near_miss="close, but not exact: this looks like an approximation "
                                 "such as finite differences. Take the derivative from a "
                                 "tf.GradientTape.")


JUDGES = {"backward_rules": judge_backward_rules, "derivative": judge_derivative}
