"""Part 4 of tapes: the Hessian of a scalar function of a vector, from nested tf.GradientTapes.

The chapter (book/tapes/custom_gradients.md) shows a tape inside a tape for a second
derivative of a scalar, and book/tapes/jacobians.md shows `tape.jacobian`; chapter 4 takes the
Hessian of the line fit's loss with respect to two variables. A Hessian with respect to one
watched vector, the two tapes combined, is left to the learner.
"""

from __future__ import annotations

import numpy as np

from autograder.calling import HESSIAN_TWIN, HESSIAN_TWINS, SCALAR_FUNCTIONS_OF_X
from autograder.cases import case, uniform
from autograder.parts.spec import ArrayPart, Bug, Hint
from autograder.parts.tapes._method import method_first


def _logsumexp(x):
    p = np.exp(x - x.max())
    p /= p.sum()
    return p, np.diag(p) - np.outer(p, p)


def _norm_like(x):
    r = np.sqrt(1 + x @ x)
    return x / r, np.eye(x.size) / r - np.outer(x, x) / r**3


def _sin_times_squares(x):
    u, v = np.sin(x).sum(), (x**2).sum()
    gradient = v * np.cos(x) + 2 * u * x
    hessian = (-v * np.diag(np.sin(x)) + 2 * np.outer(np.cos(x), x)
               + 2 * np.outer(x, np.cos(x)) + 2 * u * np.eye(x.size))
    return gradient, hessian


def _quartic_chain(x):
    gradient = x**3
    gradient[:-1] += x[1:]
    gradient[1:] += x[:-1]
    neighbours = np.eye(x.size, k=1) + np.eye(x.size, k=-1)
    return gradient, np.diag(3 * x**2) + neighbours


def _registered(derivatives, extra):
    """What nested tapes return for a twin: its partner's gradient, and its Hessian plus
    a*I + b*11ᵀ + c*xxᵀ (see autograder.calling.HESSIAN_TWINS)."""
    a, b, c = extra

    def twin(x):
        gradient, hessian = derivatives(x)
        return gradient, hessian + a * np.eye(x.size) + b + c * np.outer(x, x)
    return twin


# The gradient and the Hessian of each ordinary function, in float64.
TRUE = dict(zip(SCALAR_FUNCTIONS_OF_X[:4], (_logsumexp, _norm_like, _sin_times_squares,
                                            _quartic_chain)))
# The gradient and the Hessian each function registers, in float64: for an ordinary
# function the true ones, for a twin the same gradient and another Hessian.
DERIVATIVES = {**TRUE, **{name + HESSIAN_TWIN: _registered(TRUE[name], extra)
                          for name, extra in HESSIAN_TWINS.items()}}
assert set(TRUE) == set(HESSIAN_TWINS) and set(DERIVATIVES) == set(SCALAR_FUNCTIONS_OF_X)
# The true curvature of each twin: what finite differences return, and nested tapes never.
CURVATURES = {name + HESSIAN_TWIN: TRUE[name] for name in HESSIAN_TWINS}


def _at(case):
    return DERIVATIVES[case.name](case.arrays["x"].astype(np.float64))


def hessian(case):
    return [_at(case)[1]]


def _gradient_only(case):
    return [_at(case)[0]]


def _row_sums(case):
    """What `outer.gradient(g, x)` returns: the gradient of sum(g), the Hessian's row sums."""
    return [_at(case)[1].sum(axis=0)]


FINITE_DIFFERENCES = Bug(  # named by the part's rule, which also takes its points
    "finite_differences_hessian",
    lambda case: [CURVATURES[case.name](case.arrays["x"].astype(np.float64))[1]]
    if case.name in CURVATURES else [],
    section="tapes/custom_gradients.md#second-derivatives-a-tape-inside-a-tape")


PART = ArrayPart(
    number=4, points=3, summary="`hessian`, with nested `tf.GradientTape`s",
    functions=("hessian",),
    cases=[case(name, dims={"n": [3, 6]}, arrays={"x": uniform("n", low=-1.5, high=1.5)})
           for name in SCALAR_FUNCTIONS_OF_X],
    call={"function": "hessian", "args": [["function_of_x", "f"], ["tensor", "x"]],
          "record": [["result"]]},
    reference=hessian,
    bugs=(
        Bug("hessian_is_gradient", _gradient_only,
            section="tapes/custom_gradients.md#second-derivatives-a-tape-inside-a-tape"),
        Bug("hessian_row_sums", _row_sums,
            section="tapes/jacobians.md#every-derivative-tape-jacobian"),
        FINITE_DIFFERENCES,
    ),
    hints=(
        Hint("returned None", "tapes_not_watching"),
        Hint("NotImplementedError", "write_function"),
    ),
    passed="hessian",
    require_tensor=True,
    near_miss="hessian",
    rule=method_first(FINITE_DIFFERENCES, "nested_hessian"),
)
