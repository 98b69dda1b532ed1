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
    label="backward_rule",
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
        Bug("upstream_left_out", lambda case: backward(case, no_grad=True),
            section="tapes/numpy_tape.md#replaying-the-tape-backward"),
        Bug("xy_gradients_swapped",
            lambda case: backward(case, swapped=True) if case.name == "multiply" else [],
            section="tapes/numpy_tape.md#more-operations"),
        Bug("divide_sign_flipped",
            lambda case: backward(case, sign=1.0) if case.name == "divide" else [],
            section="tapes/numpy_tape.md#more-operations"),
        Bug("divide_power_missing",
            lambda case: backward(case, square=False) if case.name == "divide" else [],
            section="tapes/numpy_tape.md#more-operations"),
    ),
    hints=(
        Hint("expected (grad_x, grad_y)", "return_pair"),
        Hint("NotImplementedError", "write_rule"),
    ),
    passed="backward_rules",
)
