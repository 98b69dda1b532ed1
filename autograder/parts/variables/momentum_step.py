"""Part 1 of variables: a momentum step that changes two tf.Variables in place."""

from __future__ import annotations

import numpy as np

from autograder.cases import case, normal, rounded
from autograder.parts._first_step import half_for_a_right_first_step
from autograder.parts.spec import ArrayPart, Bug, Hint

STEPS = 4  # calls per case, one per row of "gradients"
UPDATING = "variables/index.md#updating-a-variable"


def momentum(case, *, old_velocity=False, sign=-1.0, no_update=False):
    """[W, velocity] after each step, flattened the way the probe records them."""
    W = case.arrays["W"].astype(np.float64)
    velocity = case.arrays["velocity"].astype(np.float64)
    lr, beta = case.settings["learning_rate"], case.settings["momentum"]
    outputs = []
    for gradient in case.arrays["gradients"].astype(np.float64):
        if not no_update:
            new_velocity = beta * velocity + gradient
            W = W + sign * lr * (velocity if old_velocity else new_velocity)
            velocity = new_velocity
        outputs += [W, velocity]
    return outputs


def _run(name):
    return case(name, dims={"size": [3, 6]},
                arrays={"W": normal("size"), "velocity": normal("size"),
                        "gradients": normal(STEPS, "size")},
                settings={"learning_rate": rounded(0.05, 0.3), "momentum": rounded(0.5, 0.95)})


PART = ArrayPart(
    number=1, points=3, summary="`momentum_step` (TensorFlow variables)",
    functions=("momentum_step",),
    cases=[_run("run 1"), _run("run 2")],
    call={"function": "momentum_step", "repeat": "gradients",
          "args": [["variable", "W"], ["variable", "velocity"], ["tensor", "gradients[]"],
                   ["setting", "learning_rate"], ["setting", "momentum"]],
          "record": [["arg", "W"], ["arg", "velocity"]]},
    reference=momentum,
    bugs=(
        Bug("momentum_old_velocity", lambda case: momentum(case, old_velocity=True),
            section=UPDATING),
        Bug("momentum_sign_flipped", lambda case: momentum(case, sign=1.0), section=UPDATING),
        Bug("momentum_no_update", lambda case: momentum(case, no_update=True),
            section=UPDATING),
    ),
    hints=(Hint("object does not support item assignment", "variable_methods"),),
    passed="momentum_step",
    rule=half_for_a_right_first_step(momentum, outputs_per_step=2, steps=STEPS),
    stages=("one step", "trajectory"),
)
