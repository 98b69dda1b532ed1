"""Part 2 of tapes: a derivative taken with tf.GradientTape, custom gradients included."""

from __future__ import annotations

import numpy as np

from autograder.calling import FUNCTIONS_OF_X, GRADIENT_TWIN, GRADIENT_TWINS
from autograder.cases import case, uniform
from autograder.parts.spec import ArrayPart, Bug, Hint
from autograder.parts.tapes._method import method_first

# The true slope of each ordinary function, in float64.
SLOPES = {
    "x * sin(x)": lambda x: np.sin(x) + x * np.cos(x),
    "exp(-x**2)": lambda x: -2 * x * np.exp(-x**2),
    "x**3 - 2*x": lambda x: 3 * x**2 - 2,
    "log(1 + x**2)": lambda x: 2 * x / (1 + x**2),
}


def _registered(slope, extra):
    c0, c1, c2 = extra
    return lambda x: slope(x) + c0 + c1 * x + c2 * x**2


# What a tape returns for each function: the gradient it registers. An ordinary function
# registers its slope; its twin the slope plus the extra term of
# autograder.calling.GRADIENT_TWINS.
DERIVATIVES = {**SLOPES, **{name + GRADIENT_TWIN: _registered(SLOPES[name], extra)
                            for name, extra in GRADIENT_TWINS.items()}}
assert set(DERIVATIVES) == set(FUNCTIONS_OF_X)

# The true slope of each twin: what finite differences return, at any precision and step,
# and what a tape never does.
NUMERICAL_SLOPES = {name + GRADIENT_TWIN: SLOPES[name] for name in GRADIENT_TWINS}


def inputs(case):
    return case.arrays["x"].astype(np.float64)


def tape_gradient(case):
    return [DERIVATIVES[case.name](inputs(case))]


FINITE_DIFFERENCES = Bug(  # named by the part's rule, which also takes its points
    "finite_differences_derivative",
    lambda case: [NUMERICAL_SLOPES[case.name](inputs(case))] if case.name in NUMERICAL_SLOPES else [],
    section="tapes/custom_gradients.md#writing-the-backward-rule-yourself-tf-custom-gradient")


PART = ArrayPart(
    number=2, points=3, summary="`derivative`, with `tf.GradientTape`",
    functions=("derivative",),
    cases=[case(name, arrays={"x": uniform(7, low=-2, high=2)}) for name in FUNCTIONS_OF_X],
    call={"function": "derivative", "args": [["function_of_x", "f"], ["tensor", "x"]],
          "record": [["result"]]},
    reference=tape_gradient,
    bugs=(FINITE_DIFFERENCES,),
    hints=(Hint("returned None", "tape_not_watching"),),
    passed="derivative",
    require_tensor=True,
    # A tape's float32 gradient is exact to a few ulps; finite differences are not.
    rtol=1e-5, atol=1e-6,
    near_miss="derivative",
    rule=method_first(FINITE_DIFFERENCES, "tape_gradient"),
)
