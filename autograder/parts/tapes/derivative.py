"""Part 2 of tapes: a derivative taken with tf.GradientTape, custom gradients included."""

from __future__ import annotations

import numpy as np

from autograder.calling import FUNCTIONS_OF_X
from autograder.cases import case, uniform
from autograder.parts.spec import ArrayPart, Bug, Hint
from autograder.parts.tapes._method import method_first

# What a tape returns for each function: the gradient it registers. For TensorFlow's own
# operations that is the true derivative; the custom-gradient twin of x * sin(x) registers
# its slope plus 2 + x**2 (see autograder.calling._x_sin_x_registered_gradient).
DERIVATIVES = {
    "x * sin(x)": lambda x: np.sin(x) + x * np.cos(x),
    "exp(-x**2)": lambda x: -2 * x * np.exp(-x**2),
    "x**3 - 2*x": lambda x: 3 * x**2 - 2,
    "log(1 + x**2)": lambda x: 2 * x / (1 + x**2),
    "x * sin(x), registered gradient": lambda x: np.sin(x) + x * np.cos(x) + 2 + x**2,
}
assert set(DERIVATIVES) == set(FUNCTIONS_OF_X)

# The true slope of each function whose registered gradient is something else: what finite
# differences return, at any precision and step, and what a tape never does.
NUMERICAL_SLOPES = {
    "x * sin(x), registered gradient": lambda x: np.sin(x) + x * np.cos(x),
}
assert set(NUMERICAL_SLOPES) <= set(DERIVATIVES)


def inputs(case):
    return case.arrays["x"].astype(np.float64)


def tape_gradient(case):
    return [DERIVATIVES[case.name](inputs(case))]


FINITE_DIFFERENCES = Bug(  # named by the part's rule, which also takes its points
    "finite differences instead of the tape",
    "The result is this function's numerical slope, which is what finite differences (a "
    "numerical approximation) give. This function registers its own gradient with "
    "tf.custom_gradient, and only a tape sees it: take the derivative from tf.GradientTape.",
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
    hints=(
        Hint("returned None", "The tape gave no gradient. A tf.constant is not watched by "
                              "itself: call tape.watch(x) inside the `with` block, before "
                              "computing f(x)."),
    ),
    passed="derivative returns the tape's gradient for every function tried, the custom "
           "gradient included.",
    require_tensor=True,
    # A tape's float32 gradient is exact to a few ulps; finite differences are not.
    rtol=1e-5, atol=1e-6,
    near_miss="close, but not exact: this looks like an approximation such as finite "
              "differences. Take the derivative from a tf.GradientTape.",
    rule=method_first(FINITE_DIFFERENCES, "the tape's gradient"),
)
