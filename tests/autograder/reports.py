"""Honest report values, built from the reference outside any kernel, for the judging tests."""

from __future__ import annotations

import numpy as np

from autograder import calling
from autograder.judging import linear_fit_bugs


def trajectory(name: str, W, b, inputs, outputs, learning_rate, steps: int, loss_name="mse"):
    """W and b after each of ``steps`` steps of the step ``name`` of linear_fit_bugs.STEPS
    (the reference is ``linear_fit_bugs.CORRECT``), in float64."""
    Ws, bs = [], []
    for _ in range(steps):
        W, b = linear_fit_bugs.step(name, W, b, inputs, outputs, learning_rate, loss_name)
        Ws.append(W)
        bs.append(b)
    return Ws, bs


def _recorded(value, tensor: bool) -> dict:
    """One output as the probe records it, claiming to be a TF object or not."""
    return {**calling.recorded_array(np.asarray(value, dtype=np.float64)), "tensor": tensor}


def array_record(spec, seed: int, bug=None, *, tensor: bool | None = None) -> dict:
    """The report line an array part's probe would write for code that computes the
    reference, or ``bug`` (a :class:`~autograder.judging.arrays.Bug` of the spec) where it
    applies (a case where the bug's outputs are empty gets the reference's).

    ``tensor``: whether the outputs are TensorFlow objects (default: as the part requires).
    """
    tensor = spec.require_tensor if tensor is None else tensor
    runs = []
    with np.errstate(all="ignore"):
        for case in spec.draw(seed):
            try:
                outputs = bug.outputs(case) if bug is not None else []
            except (ValueError, IndexError):  # the bug cannot happen in this case
                outputs = []
            if not outputs:
                outputs = spec.reference(case)
            runs.append({"case": case.name, "outputs": [_recorded(o, tensor) for o in outputs],
                         "error": None})
    return {"grade_id": spec.grade_id, "check": spec.name, "seed": seed, "runs": runs}
