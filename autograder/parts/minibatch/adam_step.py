"""Part 3 of minibatch: one Adam step in NumPy, as Keras takes it."""

from __future__ import annotations

import numpy as np

from autograder.cases import away_from_zero, case, integer, normal, rounded, uniform
from autograder.parts.spec import ArrayPart, Bug
from autograder.source_rules import NUMPY_ONLY, SourceRule
from ttt import optim

ADAM = "minibatch/optimizers.md#adam"
KERAS = {"beta_1": 0.9, "beta_2": 0.999, "epsilon": 1e-7}  # Keras's defaults


def _arguments(case):
    arrays = {name: case.arrays[name].astype(np.float64) for name in ("param", "grad", "m", "v")}
    settings = case.settings
    return (arrays["param"], arrays["grad"], arrays["m"], arrays["v"], settings["t"],
            settings["learning_rate"], settings["beta_1"], settings["beta_2"],
            settings["epsilon"])


def reference(case) -> list:
    """(new_param, new_m, new_v) as the one (3, d) array the probe records."""
    return [np.stack(optim.adam_step(*_arguments(case)))]


def slipped(case, *, corrected=True, t_shift=0, epsilon_inside=False, root=True) -> list:
    """A step with one slip in the bias correction, the epsilon or the square root."""
    param, grad, m, v, t, rate, beta_1, beta_2, epsilon = _arguments(case)
    m = beta_1 * m + (1 - beta_1) * grad
    v = beta_2 * v + (1 - beta_2) * grad**2
    t = t + t_shift
    correction = np.sqrt(1 - beta_2**t) / (1 - beta_1**t) if corrected else 1.0
    if epsilon_inside:  # the paper's form: m̂ / (√v̂ + ε)
        step = (m / (1 - beta_1**t)) / (np.sqrt(v / (1 - beta_2**t)) + epsilon)
    elif root:  # Keras's form: m·correction / (√v + ε)
        step = m * correction / (np.sqrt(v) + epsilon)
    else:
        step = m * correction / (v + epsilon)
    return [np.stack([param - rate * step, m, v])]


def _late_or_empty(make):
    """A slip in the bias correction cannot show late in training, where it is 1."""
    return lambda case: [] if case.settings["t"] > 1000 else make(case)


def _step(name: str, t, *, first=False, **settings):
    """One step at t; the first from zero moments, the others from drawn ones."""
    moments = ({"m": normal("d", scale=0.0), "v": normal("d", scale=0.0)} if first else
               {"m": normal("d", scale=0.1), "v": uniform("d", low=0.001, high=0.05)})
    return case(name, dims={"d": [2, 6]},
                arrays={"param": normal("d"), "grad": away_from_zero("d", low=0.5, high=2.0),
                        **moments},
                settings={"t": t, "learning_rate": rounded(0.01, 0.1),
                          **{**KERAS, **settings}})


PART = ArrayPart(
    number=3, points=3, summary="`adam_step` (NumPy)", functions=("adam_step",),
    cases=[
        # From zero moments Adam's first step is learning_rate * sign(grad) to within
        # epsilon / sqrt(1 - beta_2) of |grad|: an epsilon that shows tells a sign step,
        # and a step without bias correction, from Adam's.
        _step("the first step", 1, first=True, epsilon=0.01),
        # A large epsilon and small moments: where epsilon is added shows.
        _step("step {t}", integer(2, 4), beta_1=rounded(0.88, 0.95, 2),
              beta_2=rounded(0.99, 0.999, 3), epsilon=0.01),
        _step("step {t}, late in training", integer(20_000, 50_000)),
    ],
    call={"function": "adam_step",
          "args": [["float64", "param"], ["float64", "grad"], ["float64", "m"],
                   ["float64", "v"], ["setting", "t"], ["setting", "learning_rate"],
                   ["setting", "beta_1"], ["setting", "beta_2"], ["setting", "epsilon"]],
          "record": [["result"]]},
    reference=reference,
    bugs=(
        Bug("adam_no_bias_correction",
            _late_or_empty(lambda case: slipped(case, corrected=False)), section=ADAM),
        Bug("adam_correction_late", _late_or_empty(lambda case: slipped(case, t_shift=1)),
            section=ADAM),
        Bug("adam_epsilon_inside", lambda case: slipped(case, epsilon_inside=True)
            if case.settings["epsilon"] > 1e-6 else [], section=ADAM),
        Bug("adam_no_root", lambda case: slipped(case, root=False), section=ADAM),
    ),
    passed="adam_step",
    source_rule=SourceRule("adam", forbidden=NUMPY_ONLY, section=ADAM),
)
