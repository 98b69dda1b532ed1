"""Part 1 of tapes: the backward rules of multiply, divide and exp on the NumPy tape."""

from __future__ import annotations

import numpy as np

from autograder.cases import away_from_zero, case, normal
from autograder.parts.spec import ArrayPart, Bug, Hint


def backward(case, *, swapped=False, no_grad=False, sign=-1.0, square=True):
    a = {key: value.astype(np.float64) for key, value in case.arrays.items()}
    g = np.ones_like(a["grad"]) if no_grad else a["grad"]
    if case.name == "multiply":
        return [g * a["x"], g * a["y"]] if swapped else [g * a["y"], g * a["x"]]
    if case.name == "divide":
        return [g / a["y"], sign * g * a["x"] / (a["y"] ** 2 if square else a["y"])]
    return [g * np.exp(a["x"])]


def _rule(function, *, unary=False):
    """The call of one backward rule on float64 arrays; binary rules return a pair."""
    args = [["float64", "grad"], ["float64", "x"]] + ([] if unary else [["float64", "y"]])
    return {"function": function, "args": args,
            "record": [["result"]] if unary else [["pair", "(grad_x, grad_y)"]]}


PART = ArrayPart(
    number=1, points=4, summary="the backward rules of three operations of a NumPy tape",
    functions=("multiply_backward", "divide_backward", "exp_backward"),
    label="backward rule",
    cases=[
        case("multiply", arrays={"grad": normal(3, 4), "x": normal(3, 4), "y": normal(3, 4)}),
        case("divide", arrays={"grad": normal(3, 4), "x": normal(3, 4),
                               "y": away_from_zero(3, 4, low=0.5, high=2.0)}),
        case("exp", arrays={"grad": normal(3, 4), "x": normal(3, 4)}),
    ],
    call={"by_case": {"multiply": _rule("multiply_backward"),
                      "divide": _rule("divide_backward"),
                      "exp": _rule("exp_backward", unary=True)}},
    reference=backward,
    bugs=(
        Bug("upstream gradient left out", "A backward rule receives the gradient of the output "
            "and must carry it on (the chain rule): your rule returns the local derivative "
            "alone.",
            lambda case: backward(case, no_grad=True),
            fix="multiply the local derivative by `grad` (for x * y, x's gradient is "
                "`grad * y`, not `y`)",
            section="tapes/numpy_tape.md#replaying-the-tape-backward"),
        Bug("x and y gradients swapped", "Each input's gradient went to the other input. "
            "Which input does x * y change fastest with when x moves?",
            lambda case: backward(case, swapped=True) if case.name == "multiply" else [],
            fix="d(x * y)/dx is y, so x's gradient is `grad * y` (and y's is `grad * x`)",
            section="tapes/numpy_tape.md#more-operations"),
        Bug("sign of y's gradient flipped", "y's gradient has the wrong sign: x / y falls as "
            "a positive y grows.",
            lambda case: backward(case, sign=1.0) if case.name == "divide" else [],
            fix="d(x / y)/dy = -x / y**2",
            section="tapes/numpy_tape.md#more-operations"),
        Bug("y's gradient missing a power of y", "y's gradient is off by a factor of y: "
            "differentiate x * y**-1 with respect to y.",
            lambda case: backward(case, square=False) if case.name == "divide" else [],
            fix="d(x / y)/dy = -x / y**2, with y squared",
            section="tapes/numpy_tape.md#more-operations"),
    ),
    hints=(
        Hint("expected (grad_x, grad_y)", "Return a pair: (grad_x, grad_y)."),
        Hint("NotImplementedError", "Write this rule's body."),
    ),
    passed="All three backward rules are right.",
)
