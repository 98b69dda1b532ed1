"""The derivative part of tapes: the tape's gradient passes; finite differences, however
precise, are caught on the twins that register their own gradient and named as such; a twin
cannot be told from its ordinary partner, and the two earn their points together."""

from __future__ import annotations


import numpy as np
import pytest

from autograder import calling, parts, protocol
from autograder.calling import FUNCTIONS_OF_X, GRADIENT_TWIN, GRADIENT_TWINS, partner_of
from autograder.cases import ArrayCase
from autograder.judging.arrays import Output, matches
from autograder.messages import english
from autograder.parts.tapes import derivative
from traced_ops import op_types

ORDINARY = [name for name in FUNCTIONS_OF_X if partner_of(name) is None]
TWINS = [name for name in FUNCTIONS_OF_X if partner_of(name) is not None]
CUSTOM = "x * sin(x)" + GRADIENT_TWIN  # one twin, for the tests that need only one
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


# NumPy forms of the probe's ordinary functions: their derivatives come from central
# differences here, not from the judge's table.
_FUNCTIONS = {
    "x * sin(x)": lambda x: x * np.sin(x),
    "exp(-x**2)": lambda x: np.exp(-x**2),
    "x**3 - 2*x": lambda x: x**3 - 2 * x,
    "log(1 + x**2)": lambda x: np.log1p(x**2),
}


def _central(case, h=1e-6):
    x = _x(case)
    f = _FUNCTIONS[partner_of(case.name) or case.name]
    return (f(x + h) - f(x - h)) / (2 * h)


def _extra(case):
    """The term the probe adds to a twin's registered gradient (zero for the others)."""
    c0, c1, c2 = GRADIENT_TWINS[partner_of(case.name)] if partner_of(case.name) else (0, 0, 0)
    x = _x(case)
    return c0 + c1 * x + c2 * x**2


def _registered(case):
    # What a float32 tape returns, rounded to float32: the slope plus the twin's extra term.
    return (_central(case) + _extra(case)).astype(np.float32)


def _slope(case):
    return _central(case)


def _range(name):
    recipe = next(c for c in PART.cases if c["name"] == name)["arrays"]["x"]
    return recipe["low"], recipe["high"]


def test_every_ordinary_function_has_a_twin():
    assert len(ORDINARY) == len(TWINS) == 4
    assert sorted(partner_of(name) for name in TWINS) == sorted(ORDINARY) == sorted(_FUNCTIONS)
    assert set(derivative.NUMERICAL_SLOPES) == set(TWINS)
    # One case per function of x, named like it: the probe passes the function by that name.
    assert [case.name for case in PART.draw(0)] == list(FUNCTIONS_OF_X)
    assert set(FUNCTIONS_OF_X) == set(derivative.DERIVATIVES)
    # Each twin adds a term of its own.
    assert len(set(GRADIENT_TWINS.values())) == len(GRADIENT_TWINS)


@pytest.mark.parametrize("twin", TWINS)
def test_each_twins_registered_gradient_is_at_least_1_from_its_slope_on_its_range(twin):
    """The judge's tables differ by an extra term c0 + c1*x + c2*x**2. A quadratic's values
    on an interval lie between those at its ends and at its vertex: when all of those have
    one sign and are at least 1 in size, so is the term everywhere on the interval."""
    low, high = _range(twin)
    c0, c1, c2 = GRADIENT_TWINS[partner_of(twin)]
    at = [low, high] + ([-c1 / (2 * c2)] if c2 and low < -c1 / (2 * c2) < high else [])
    difference = (derivative.DERIVATIVES[twin](np.array(at, dtype=float))
                  - derivative.NUMERICAL_SLOPES[twin](np.array(at, dtype=float)))
    assert np.all(difference >= 1) or np.all(difference <= -1), (twin, at, difference)
    # The same, seen on a fine grid and on drawn cases, through the tolerances the judge uses.
    grid = np.linspace(low, high, 4001)
    assert np.min(np.abs(derivative.DERIVATIVES[twin](grid)
                         - derivative.NUMERICAL_SLOPES[twin](grid))) >= 1
    for seed in range(0, 200, 13):
        case = next(c for c in PART.draw(seed) if c.name == twin)
        assert not matches(Output(_slope(case), True), derivative.DERIVATIVES[twin](_x(case)),
                           rtol=1e-2, atol=1e-3)


@pytest.mark.parametrize("seed", [0, 1, 977])
def test_the_tapes_gradient_passes(seed):
    fraction, stage, message = _judge(_record(seed), seed)
    assert (fraction, stage) == (1.0, "passed"), message


@pytest.mark.parametrize("twin", TWINS)
def test_the_numerical_slope_on_any_twin_is_named_and_costs_the_whole_part(twin):
    # The other functions get the right numbers; the method is still wrong.
    fraction, stage, message = _judge(_record(6, {twin: _slope}), 6)
    assert (fraction, stage) == (0.0, "one step")
    assert f"\u201c{twin}\u201d" in message
    assert "finite differences" in message and "tf.GradientTape" in message


def test_an_approximation_that_spoils_some_functions_on_purpose_earns_nothing():
    # Wrong on purpose where the slope is not caught: per-case credit would keep some.
    spoiled = {**{twin: _slope for twin in TWINS}, "x * sin(x)": lambda case: 0 * _slope(case),
               "exp(-x**2)": lambda case: _central(case) + 1}
    fraction, _, message = _judge(_record(5, spoiled), 5)
    assert fraction == 0.0 and "finite differences instead of the tape" in message


def test_skipping_the_twins_earns_nothing():
    """Code that could tell the twins apart (by reading the probe's closures) and answered
    only the ordinary functions, with a precise approximation: no twin is caught returning
    the slope, and each ordinary function counts only together with its twin."""
    skipped = {twin: (lambda case: np.zeros_like(_x(case))) for twin in TWINS}
    fraction, stage, message = _judge(_record(7, skipped), 7)
    assert (fraction, stage) == (0.0, "one step")
    assert english("judging.unpaired") in message and "finite differences" not in message


def test_a_coarse_estimate_of_the_slope_is_caught_too():
    fraction, _, message = _judge(_record(3, {CUSTOM: lambda case: _slope(case) * 1.005}), 3)
    assert fraction == 0.0 and "finite differences instead of the tape" in message


def test_a_sign_flipped_tape_is_not_taken_for_finite_differences():
    # A tape with its sign flipped is wrong everywhere, and not an approximation.
    flipped = {name: (lambda case: -_registered(case)) for name in FUNCTIONS_OF_X}
    fraction, _, message = _judge(_record(4, flipped), 4)
    assert fraction == 0.0 and "finite differences instead" not in message


def test_a_wrong_answer_on_one_twin_costs_it_and_its_partner_and_is_no_approximation():
    fraction, _, message = _judge(_record(3, {CUSTOM: lambda case: _slope(case) * 3}), 3)
    assert fraction == 6 / 8 and "finite differences instead" not in message
    assert f"\u201cx * sin(x)\u201d: {english('judging.unpaired')}" in message


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


# --- the probe's TensorFlow functions ----------------------------------------------------

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


@pytest.mark.slow
@pytest.mark.parametrize("twin", TWINS)
def test_a_twin_cannot_be_told_from_its_partner_but_by_its_registered_gradient(twin, tf):
    x = np.random.default_rng(0).uniform(-2, 2, 7).astype(np.float32)
    f, g = _probes_function(twin, x), _probes_function(partner_of(twin), x)
    assert (type(f), f.__name__, f.__qualname__, f.__code__) == (
        type(g), g.__name__, g.__qualname__, g.__code__)
    spec = tf.TensorSpec([7], tf.float32)
    assert op_types(tf, f, spec) == op_types(tf, g, spec)
    assert "IdentityN" in op_types(tf, g, spec)[0]  # both are custom-gradient functions
    np.testing.assert_array_equal(f(tf.constant(x)).numpy(), g(tf.constant(x)).numpy())
    np.testing.assert_array_equal(f(x.astype(np.float64)), g(x.astype(np.float64)))


# --- whole answers, through the probe and the judge --------------------------------------

def _tape(tf):
    def derivative_(f, x):
        with tf.GradientTape() as tape:
            tape.watch(x)
            y = f(x)
        return tape.gradient(y, x)
    return derivative_


def _finite_differences(tf, h):
    def derivative_(f, x):
        x = tf.cast(x, tf.float64)
        return (f(x + h) - f(x - h)) / (2 * h)
    return derivative_


def _graded(answer, seed):
    runs = [calling.run_case({"derivative": answer}, case, PART.call)
            for case in PART.draw(seed)]
    return _judge({"grade_id": "test_derivative", "check": "derivative", "seed": seed,
                   "runs": runs}, seed)


@pytest.mark.slow
def test_a_tape_earns_everything_and_finite_differences_of_any_step_nothing(tf):
    fraction, stage, message = _graded(_tape(tf), 21)
    assert (fraction, stage) == (1.0, "passed"), message
    for h in (1e-2, 1e-4, 1e-7):
        fraction, _, message = _graded(_finite_differences(tf, h), 21)
        assert fraction == 0.0 and "finite differences instead of the tape" in message, h
