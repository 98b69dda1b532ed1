"""Part 4 of minibatch: a TensorFlow step with momentum, written without a Keras optimizer."""

from __future__ import annotations

import numpy as np

from autograder.cases import case, normal, rounded, uniform
from autograder.parts._first_step import half_for_a_right_first_step
from autograder.parts.spec import ArrayPart, Bug, Hint
from autograder.source_rules import SourceRule
from ttt import optim

STEPS = 4  # calls per case, one per learning rate of the schedule
MOMENTUM = "minibatch/optimizers.md#momentum"


def trajectory(case, *, slip: str | None = None) -> list:
    """[loss, W, b] of each step: the loss before the step, W and b after it."""
    W, b = case.arrays["W"].astype(np.float64), np.float64(case.arrays["b"])
    velocity_W = case.arrays["velocity_W"].astype(np.float64)
    velocity_b = np.float64(case.arrays["velocity_b"])
    X, y = case.arrays["X"].astype(np.float64), case.arrays["y"].astype(np.float64)
    momentum = case.settings["momentum"]
    scale = len(y) if slip == "summed" else 1  # a summed loss: n times the mean's gradient
    outputs = []
    for rate in case.arrays["learning_rates"].astype(np.float64):
        loss = scale * np.mean((X @ W + b - y) ** 2)
        dW, db = (scale * g for g in optim.mse_gradients(W, b, X, y))
        (W, velocity_W), (b, velocity_b) = (
            _moved(param, grad, velocity, rate, momentum, slip)
            for param, grad, velocity in ((W, dW, velocity_W), (b, db, velocity_b)))
        outputs += [loss, W, b]
    return outputs


def _moved(param, grad, velocity, rate, momentum, slip):
    """(param, velocity) after one step, Keras's or with the named slip."""
    if slip == "sign":
        velocity = momentum * velocity + rate * grad
        return param + velocity, velocity
    if slip == "twice":
        velocity = momentum * velocity - rate * grad
        return param + velocity - rate * grad, velocity
    if slip == "chapter 3":
        velocity = momentum * velocity + grad
        return param - rate * velocity, velocity
    if slip == "old velocity":
        return param + velocity, momentum * velocity - rate * grad
    if slip == "no momentum":
        return param - rate * grad, velocity
    return optim.momentum_step(param, grad, velocity, rate, momentum)


def _run(name: str):
    return case(name, dims={"n": [4, 9], "d": [2, 4]},
                arrays={"W": normal("d"), "b": normal(), "velocity_W": normal("d", scale=0.1),
                        "velocity_b": normal(scale=0.1), "X": normal("n", "d"),
                        "y": normal("n"),
                        "learning_rates": uniform(STEPS, low=0.01, high=0.1)},
                settings={"momentum": rounded(0.5, 0.95, 2)})


def _slip(name):
    return lambda case: trajectory(case, slip=name)


PART = ArrayPart(
    number=4, points=3, summary="`momentum_step_tf` (TensorFlow, no Keras optimizer)",
    functions=("momentum_step_tf",),
    cases=[_run("run 1"), _run("run 2")],
    call={"function": "momentum_step_tf", "repeat": "learning_rates",
          "args": [["variable", "W"], ["variable", "b"], ["variable", "velocity_W"],
                   ["variable", "velocity_b"], ["tensor", "X"], ["tensor", "y"],
                   ["tensor", "learning_rates[]"], ["setting", "momentum"]],
          "record": [["result"], ["arg", "W"], ["arg", "b"]]},
    reference=trajectory,
    bugs=(
        Bug("velocity_wrong_sign", _slip("sign"), section=MOMENTUM),
        Bug("gradient_twice", _slip("twice"), section=MOMENTUM),
        Bug("chapter_3_velocity", _slip("chapter 3"), section=MOMENTUM),
        Bug("moved_by_old_velocity", _slip("old velocity"), section=MOMENTUM),
        Bug("no_momentum", _slip("no momentum"), section=MOMENTUM),
        Bug("loss_summed", _slip("summed"),
            section="minibatch/minibatches.md#one-epoch-of-minibatch-gradient-descent"),
    ),
    hints=(
        Hint("NoneType", "gradient_none"),
        Hint("object does not support item assignment", "variable_methods"),
    ),
    passed="momentum_step_tf",
    rule=half_for_a_right_first_step(trajectory, outputs_per_step=3, steps=STEPS),
    stages=("one step", "trajectory"),
    # tf.compat.v1.train has the old optimizers; keras also its losses (tf.reduce_mean does).
    source_rule=SourceRule(
        "momentum", forbidden=("keras", "optimizers", "raw_ops", "apply_gradients", "compat"),
        required=("GradientTape",), section=MOMENTUM),
)
