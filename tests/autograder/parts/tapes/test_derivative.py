"""The derivative part of tapes: the tape's gradient passes, and finite differences, however
precise, are caught on the function that registers its own gradient and named as such."""

from __future__ import annotations

import numpy as np
import pytest

from autograder import calling, parts, protocol
from autograder.calling import FUNCTIONS_OF_X
from autograder.cases import ArrayCase
from autograder.judging.arrays import Output, matches
from autograder.parts.tapes import derivative

CUSTOM = "x * sin(x), registered gradient"
PART = parts.part("tapes", "derivative")


def _judge(record, seed):
    """(fraction of the points, stage, message), as the part's spec judges the report."""
    return PART.judge(record, seed)


def _record(seed, values_by_case=None, error=None):
    """A derivative report whose outputs are ``values_by_case[name](case)`` (default: the
    registered gradient), or ``error`` for every case."""
    runs = []
    for case in PART.draw(seed):
        make = (values_by_case or {}).get(case.name, _registered)
        values = [] if error else [make(case)]
        runs.append({"case": case.name, "error": error, "outputs": [
            {"shape": list(v.shape), "values": [float(n) for n in v.ravel()], "tensor": True}
            for v in values]})
    return {"grade_id": "test_derivative", "check": "derivative", "seed": seed, "runs": runs}


def _x(case):
    return case.arrays["x"].astype(np.float64)


# NumPy forms of the probe's functions: their derivatives come from central differences
# here, not from the judge's table.
_FUNCTIONS = {
    "x * sin(x)": lambda x: x * np.sin(x),
    "exp(-x**2)": lambda x: np.exp(-x**2),
    "x**3 - 2*x": lambda x: x**3 - 2 * x,
    "log(1 + x**2)": lambda x: np.log1p(x**2),
    CUSTOM: lambda x: x * np.sin(x),
}


def _central(case, h=1e-6):
    x = _x(case)
    f = _FUNCTIONS[case.name]
    return (f(x + h) - f(x - h)) / (2 * h)


def _registered(case):
    # What a float32 tape returns, rounded to float32: the slope, except where the probe
    # registers its own gradient: the slope plus 2 + x**2 for the custom-gradient twin.
    gradient = _central(case) + (2 + _x(case) ** 2 if case.name == CUSTOM else 0)
    return gradient.astype(np.float32)


def _slope(case):
    return _central(case)


def test_the_case_list_holds_a_custom_gradient():
    assert CUSTOM in FUNCTIONS_OF_X
    assert set(derivative.NUMERICAL_SLOPES) == {CUSTOM}
    # One case per function of x, named like it: the probe passes the function by that name.
    assert [case.name for case in PART.draw(0)] == list(FUNCTIONS_OF_X)
    assert set(_FUNCTIONS) == set(FUNCTIONS_OF_X) == set(derivative.DERIVATIVES)


@pytest.mark.parametrize("seed", [0, 1, 977])
def test_the_tapes_gradient_passes(seed):
    fraction, stage, message = _judge(_record(seed), seed)
    assert (fraction, stage) == (1.0, "passed"), message


@pytest.mark.parametrize("seed", [0, 1, 977])
def test_the_numerical_slope_is_named_and_costs_the_whole_part(seed):
    # The four ordinary functions get the right numbers; the method is still wrong.
    fraction, stage, message = _judge(_record(seed, {CUSTOM: _slope}), seed)
    assert (fraction, stage) == (0.0, "one step")
    assert f"\u201c{CUSTOM}\u201d" in message
    assert "finite differences" in message and "tf.GradientTape" in message


def test_an_approximation_that_spoils_some_functions_on_purpose_earns_nothing():
    # Wrong on purpose where the slope is not caught: per-case credit would keep 3 of 5.
    spoiled = {CUSTOM: _slope, "x * sin(x)": lambda case: 0 * _slope(case),
               "exp(-x**2)": lambda case: _central(case) + 1}
    fraction, _, message = _judge(_record(5, spoiled), 5)
    assert fraction == 0.0 and "finite differences instead of the tape" in message


def test_a_coarse_estimate_of_the_slope_is_caught_too():
    fraction, _, message = _judge(_record(3, {CUSTOM: lambda case: _slope(case) * 1.005}), 3)
    assert fraction == 0.0 and "finite differences instead of the tape" in message


def test_a_sign_flipped_tape_is_not_taken_for_finite_differences():
    # A tape with its sign flipped is wrong everywhere, and not an approximation.
    flipped = {name: (lambda case: -_registered(case)) for name in FUNCTIONS_OF_X}
    fraction, _, message = _judge(_record(4, flipped), 4)
    assert fraction == 0.0 and "finite differences instead" not in message


def test_a_wrong_answer_on_the_custom_case_is_not_taken_for_finite_differences():
    fraction, _, message = _judge(_record(3, {CUSTOM: lambda case: _slope(case) * 3}), 3)
    assert fraction == 4 / 5 and "finite differences instead" not in message


@pytest.mark.parametrize("seed", range(0, 400, 7))
def test_registered_gradient_and_slope_are_far_apart_everywhere(seed):
    """At every point the two differ by far more than any tolerance the judge uses, so a
    tape is never taken for finite differences, nor the other way round."""
    case = next(c for c in PART.draw(seed) if c.name == CUSTOM)
    registered, slope = derivative.DERIVATIVES[CUSTOM](_x(case)), _slope(case)
    assert np.min(np.abs(registered - slope)) >= 2.0
    assert not matches(Output(slope, True), registered, rtol=1e-2, atol=1e-3)


def test_an_unwatched_constant_gets_the_watch_hint():
    fraction, stage, message = _judge(
        _record(5, error=f"TypeError: {protocol.RETURNED_NONE}"), 5)
    assert (fraction, stage) == (0.0, "error")
    assert "tape.watch(x)" in message


def test_the_registered_gradient_as_numpy_earns_half():
    seed = 8
    record = _record(seed)
    for run in record["runs"]:
        run["outputs"][0]["tensor"] = False
    fraction, stage, message = _judge(record, seed)
    assert (fraction, stage) == (0.5, "one step") and "not a tf.Tensor" in message


def _probes_function(name, x):
    """The TensorFlow function the probe passes to ``derivative`` on case ``name``, taken
    from a run of the part's own call template."""
    given = {}

    def grab(f, x):
        given["f"] = f
        return x

    run = calling.run_case({"derivative": grab}, ArrayCase(name, {"x": x}, {}),
                           PART.call)
    assert run["error"] is None, run["error"]
    return given["f"]


@pytest.mark.slow
@pytest.mark.parametrize("name", FUNCTIONS_OF_X)
def test_the_judges_tables_describe_the_probes_functions(name, tf):
    """The TensorFlow forms live in the probe, the derivatives in the judge: a tape on the
    probe's function gives DERIVATIVES, central differences give the numerical slope."""
    case = next(c for c in PART.draw(11) if c.name == name)
    f, x = _probes_function(name, case.arrays["x"]), tf.constant(_x(case))
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = f(x)
    np.testing.assert_allclose(tape.gradient(y, x).numpy(), derivative.DERIVATIVES[name](_x(case)),
                               rtol=1e-12)
    slope = derivative.NUMERICAL_SLOPES.get(name, derivative.DERIVATIVES[name])
    for h in (1e-4, 1e-6):  # any step: finite differences only ever see the slope
        estimate = ((f(x + h) - f(x - h)) / (2 * h)).numpy()
        np.testing.assert_allclose(estimate, slope(_x(case)), rtol=1e-5, atol=1e-6)
