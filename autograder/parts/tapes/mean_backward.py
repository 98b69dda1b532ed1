"""Part 3 of tapes: the backward rule of a mean over one axis or all of them, keepdims either way.

The chapter (book/tapes/numpy_tape.md, *Reductions*) prints the sum's rule and builds the
mean from it and a division; the mean's own rule, with ``keepdims``, is left to the learner.
"""

from __future__ import annotations

import numpy as np

from autograder.cases import case, normal
from autograder.parts.spec import ArrayPart, Bug, Hint


def _parts(case):
    """(grad, x, axis): float64 arrays and the case's axis (None: every axis)."""
    grad = case.arrays["grad"].astype(np.float64)
    x = case.arrays["x"].astype(np.float64)
    return grad, x, case.settings.get("axis")


def _count(x, axis) -> int:
    """How many elements each mean averages."""
    return x.size if axis is None else x.shape[axis]


def _with_reduced_axes(grad, x, axis):
    """grad with the reduced axes back (length 1), unless the mean kept them."""
    if grad.ndim == x.ndim:
        return grad
    return grad.reshape((1,) * x.ndim) if axis is None else np.expand_dims(grad, axis)


def mean_gradient(case, *, divide_by=None):
    grad, x, axis = _parts(case)
    spread = np.broadcast_to(_with_reduced_axes(grad, x, axis), x.shape)
    return [spread / (_count(x, axis) if divide_by is None else divide_by(x, axis))]


def _not_divided(case):
    return mean_gradient(case, divide_by=lambda x, axis: 1)


def _divided_by_the_size_of_x(case):
    if case.settings.get("axis") is None:
        return []  # the count is the size of x: the bug cannot happen
    return mean_gradient(case, divide_by=lambda x, axis: x.size)


def _axis_not_put_back(case):
    """np.broadcast_to(grad, x.shape) / count: NumPy aligns grad's axes with x's last ones."""
    grad, x, axis = _parts(case)
    if grad.ndim == x.ndim:
        return []  # keepdims: the axis is there already
    return [np.broadcast_to(grad, x.shape) / _count(x, axis)]  # ValueError: it raised instead


def _case(name, grad_shape, x_shape, dims, axis=None):
    return case(name, dims=dims, arrays={"grad": normal(*grad_shape), "x": normal(*x_shape)},
                settings=None if axis is None else {"axis": axis})


def _call(with_axis: bool) -> dict:
    args = [["float64", "grad"], ["float64", "x"]] + ([["setting", "axis"]] if with_axis else [])
    return {"function": "mean_backward", "args": args, "record": [["result"]]}


# The names are fixed (the call template is chosen by name); the shapes are drawn. Sizes
# differ where a forgotten axis would otherwise fail on some draws and not on others, and a
# square matrix shows it as a gradient spread along the wrong axis.
CASES = [
    _case("axis 0 of a matrix", ["m"], ["n", "m"],
          {"n": [2, 5], "m": "n+1"}, axis=0),
    _case("axis 1 of a matrix, keepdims", ["n", 1], ["n", "m"],
          {"n": [2, 5], "m": "n+2"}, axis=1),
    _case("axis -1 of a square matrix", ["n"], ["n", "n"], {"n": [3, 6]}, axis=-1),
    _case("axis 1 of a 3-D array", ["a", "c"], ["a", "b", "c"],
          {"a": [2, 4], "b": "a+1", "c": [2, 5]}, axis=1),
    _case("axis 2 of a 3-D array, keepdims", ["a", "b", 1], ["a", "b", "c"],
          {"a": [2, 4], "b": [2, 4], "c": [2, 5]}, axis=2),
    _case("every axis of a matrix", [], ["n", "m"], {"n": [2, 5], "m": [2, 5]}),
    _case("every axis of a matrix, keepdims", [1, 1], ["n", "m"],
          {"n": [2, 5], "m": [2, 5]}),
]

PART = ArrayPart(
    number=3, points=2, summary="`mean_backward`, the backward rule of a mean over an axis",
    functions=("mean_backward",),
    cases=CASES,
    call={"by_case": {entry["name"]: _call("settings" in entry) for entry in CASES}},
    reference=mean_gradient,
    bugs=(
        Bug("mean_not_divided", _not_divided, section="tapes/numpy_tape.md#reductions"),
        Bug("mean_divided_by_size", _divided_by_the_size_of_x,
            section="tapes/numpy_tape.md#reductions"),
        Bug("mean_axis_not_put_back", _axis_not_put_back,
            section="tapes/numpy_tape.md#broadcasting"),
    ),
    hints=(
        Hint("more dimensions", "keepdims_kept"),
        Hint("broadcast", "averaged_axis_lost"),
        Hint("required positional argument", "axis_default_none"),
        Hint("NotImplementedError", "write_rule"),
    ),
    passed="mean_backward",
)
