"""Part 4 of linear_fit: the learning rate of fastest convergence, read off the MSE's Hessian.

book/linear_fit/learning_rate.md prints the Hessian and the critical rate 2 / λ_max; the
fastest rate 2 / (λ_min + λ_max), where both directions shrink equally fast, it explains
and leaves to the learner. An array part: one number per case, judged with a relative
tolerance.
"""

from __future__ import annotations

import numpy as np

from autograder.cases import case, normal, uniform
from autograder.parts.spec import ArrayPart, Bug, Hint


def hessian(case, factor=2.0):
    """factor * [[mean(x²), mean(x)], [mean(x), 1]]: the MSE's Hessian in (W, b) for
    factor 2, constant."""
    x = case.arrays["inputs"].astype(np.float64)
    return factor * np.array([[np.mean(x * x), np.mean(x)], [np.mean(x), 1.0]])


def eigenvalues(case, factor=2.0):
    return np.linalg.eigvalsh(hessian(case, factor))


def fastest(case):
    return [np.array(2 / eigenvalues(case).sum())]


def _mean_square(case):
    return float(np.mean(case.arrays["inputs"].astype(np.float64) ** 2))


# Inputs of various means and spreads: centred ones, whose eigenvalues sit near 2 mean(x²)
# and 2, and shifted ones, whose mean couples W and b and pulls the eigenvalues apart. No
# case's mean(x²) comes near 1/3 or 1, where a bug's number would equal another's.
_N = {"n": [10, 60]}
HESSIAN = "linear_fit/learning_rate.md#the-hessian-every-curvature-in-one-matrix"
ONE_STEP = "linear_fit/learning_rate.md#what-one-step-does-to-the-error"

PART = ArrayPart(
    number=4, points=2, summary="`fastest_learning_rate`, from the loss's Hessian",
    functions=("fastest_learning_rate",),
    cases=[
        case("{n} centred inputs, spread 0.2", dims=_N, arrays={"inputs": normal("n", scale=0.2)}),
        case("{n} centred inputs, spread 3", dims=_N, arrays={"inputs": normal("n", scale=3.0)}),
        case("{n} inputs in [1, 3)", dims=_N, arrays={"inputs": uniform("n", low=1.0, high=3.0)}),
        case("{n} inputs in [-4, -1)", dims=_N,
             arrays={"inputs": uniform("n", low=-4.0, high=-1.0)}),
        case("{n} inputs in [-1, 4)", dims=_N, arrays={"inputs": uniform("n", low=-1.0, high=4.0)}),
    ],
    call={"function": "fastest_learning_rate", "args": [["numpy", "inputs"]],
          "record": [["result"]]},
    reference=fastest,
    bugs=(
        Bug("hessian_without_2", lambda case: [np.array(2 / eigenvalues(case, factor=1.0).sum())],
            section=HESSIAN),
        Bug("one_over_sum", lambda case: [np.array(1 / eigenvalues(case).sum())],
            section=ONE_STEP),
        Bug("critical_rate", lambda case: [np.array(2 / eigenvalues(case).max())],
            section=ONE_STEP),
        Bug("bias_ignored", lambda case: [np.array(1 / (2 * _mean_square(case)))],
            section=HESSIAN),
    ),
    hints=(Hint("NotImplementedError", "write_function"),),
    passed="fastest_learning_rate",
    # The answer is one number from float32 inputs: judged relative to its size.
    rtol=1e-5, atol=0.0,
)
