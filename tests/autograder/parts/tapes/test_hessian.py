"""The hessian part of tapes: nested tapes pass; the gradient, the row sums (outer.gradient)
and finite differences are named; a twin cannot be told from its partner, and the two earn
their points together; the judge's tables agree with TensorFlow's own tapes and with finite
differences of the probe's functions in float64."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from autograder import calling, parts, protocol
from autograder.calling import HESSIAN_TWIN, HESSIAN_TWINS, SCALAR_FUNCTIONS_OF_X, partner_of
from autograder.cases import ArrayCase
from autograder.messages import english
from autograder.parts.tapes import hessian
from traced_ops import op_types

ORDINARY = [name for name in SCALAR_FUNCTIONS_OF_X if partner_of(name) is None]
TWINS = [name for name in SCALAR_FUNCTIONS_OF_X if partner_of(name) is not None]
CUSTOM = "sum(sin(x)) * sum(x**2)" + HESSIAN_TWIN  # one twin, for the tests that need one
PART = parts.part("tapes", "hessian")


def _x(case):
    return case.arrays["x"].astype(np.float64)


def _record(seed, values_by_case=None, error=None):
    """A hessian report whose outputs are ``values_by_case[name](case)`` (default: what
    nested float32 tapes return), or ``error`` for every case."""
    runs = []
    for case in PART.draw(seed):
        make = (values_by_case or {}).get(case.name, _tapes)
        values = [] if error else [np.asarray(make(case), dtype=np.float32)]
        runs.append({"case": case.name, "error": error, "outputs": [
            {"shape": list(v.shape), "values": [float(n) for n in v.ravel()], "tensor": True}
            for v in values]})
    return {"grade_id": "test_hessian", "check": "hessian", "seed": seed, "runs": runs}


def _tapes(case):
    return hessian.DERIVATIVES[case.name](_x(case))[1]


def _curvature(case):
    """What finite differences return on a twin: its values' true Hessian."""
    return hessian.DERIVATIVES[partner_of(case.name)](_x(case))[1]


def test_every_scalar_function_is_a_case_and_has_a_twin_that_registers_its_own_hessian():
    assert [case.name for case in PART.draw(0)] == list(SCALAR_FUNCTIONS_OF_X)
    assert len(ORDINARY) == len(TWINS) == 4
    assert sorted(partner_of(name) for name in TWINS) == sorted(ORDINARY)
    assert set(hessian.CURVATURES) == set(TWINS)
    assert len(set(HESSIAN_TWINS.values())) == len(HESSIAN_TWINS)  # a term of its own each


def _range(name):
    recipe = next(c for c in PART.cases if c["name"] == name)["arrays"]["x"]
    return recipe["low"], recipe["high"]


@pytest.mark.parametrize("twin", TWINS)
def test_each_twins_registered_hessian_is_at_least_1_from_the_true_one_on_its_range(twin):
    """The tables differ by a*I + b*11ᵀ + c*xxᵀ: its entries are a + b + c*x_i**2 and
    b + c*x_i*x_j, linear in x_i**2 and x_i*x_j, so on the case range they lie between
    their values at the ends of those products' ranges; all of those have one sign and are
    at least 1 in size. Checked through the judge's tables at a point that takes each."""
    low, high = _range(twin)
    top = max(low**2, high**2)
    a, b, c = HESSIAN_TWINS[partner_of(twin)]
    ends = {"diagonal": [a + b + c * s for s in (0, top)],
            "off the diagonal": [b + c * p for p in (min(low * high, 0), top)]}
    for where, values in ends.items():
        assert min(values) >= 1 or max(values) <= -1, (twin, where, values)
    for x in itertools.product([low, 0.0, high], repeat=3):  # every product's ends, and 0
        x = np.array(x)
        difference = hessian.DERIVATIVES[twin](x)[1] - hessian.CURVATURES[twin](x)[1]
        assert np.min(np.abs(difference)) >= 1 - 1e-9, (twin, x)
    for seed in range(0, 200, 13):  # on drawn cases, beyond every tolerance of the judge
        case = next(c for c in PART.draw(seed) if c.name == twin)
        assert np.min(np.abs(_tapes(case) - _curvature(case))) >= 1 - 1e-9


@pytest.mark.slow
@pytest.mark.parametrize("twin", TWINS)
def test_a_twin_cannot_be_told_from_its_partner_but_by_its_registered_hessian(twin, tf):
    """The same code, type and name, the same operations traced into a graph (for the
    function and its gradient), the same values and the same gradient."""
    at = np.linspace(-1.4, 1.3, 5)
    f, g = _probes_function(twin, at), _probes_function(partner_of(twin), at)
    assert (type(f), f.__name__, f.__qualname__, f.__code__) == (
        type(g), g.__name__, g.__qualname__, g.__code__)
    spec = tf.TensorSpec([5], tf.float32)
    assert op_types(tf, f, spec) == op_types(tf, g, spec)
    assert "IdentityN" in op_types(tf, g, spec)[0]  # both are custom-gradient functions
    x = tf.constant(at)
    with tf.GradientTape(persistent=True) as tape:
        tape.watch(x)
        values = f(x), g(x)
    assert float(values[0]) == float(values[1])
    np.testing.assert_array_equal(tape.gradient(values[0], x), tape.gradient(values[1], x))


@pytest.mark.parametrize("seed", [0, 1, 977])
def test_the_tapes_hessian_passes(seed):
    fraction, stage, message = PART.judge(_record(seed), seed)
    assert (fraction, stage) == (1.0, "passed"), message


@pytest.mark.parametrize("twin", TWINS)
def test_finite_differences_on_any_twin_are_named_and_cost_the_whole_part(twin):
    fraction, stage, message = PART.judge(_record(5, {twin: _curvature}), 5)
    assert (fraction, stage) == (0.0, "one step")
    assert "finite differences instead of the tapes" in message and f"\u201c{twin}\u201d" in message


def test_skipping_the_twins_earns_nothing():
    """Code that told the twins apart (by reading the probe's closures) and answered only
    the ordinary functions: each counts only together with its twin."""
    skipped = {twin: (lambda case: np.zeros((_x(case).size,) * 2)) for twin in TWINS}
    fraction, stage, message = PART.judge(_record(6, skipped), 6)
    assert (fraction, stage) == (0.0, "one step")
    assert english("judging.unpaired") in message and "finite differences" not in message


def test_row_sums_are_named():
    rows = {name: (lambda case: _tapes(case).sum(axis=0)) for name in SCALAR_FUNCTIONS_OF_X}
    fraction, _, message = PART.judge(_record(2, rows), 2)
    assert fraction == 0.0 and "outer.gradient instead of outer.jacobian" in message


def test_a_wrong_twin_costs_it_and_its_partner_and_is_not_called_an_approximation():
    fraction, _, message = PART.judge(_record(3, {CUSTOM: lambda case: 3 * _tapes(case)}), 3)
    assert fraction == pytest.approx(6 / 8) and "finite differences" not in message
    assert f"\u201csum(sin(x)) * sum(x**2)\u201d: {english('judging.unpaired')}" in message


def test_an_unwatched_constant_gets_the_watch_hint():
    fraction, stage, message = PART.judge(
        _record(4, error=f"TypeError: {protocol.RETURNED_NONE}"), 4)
    assert (fraction, stage) == (0.0, "error") and "tape.watch(x)" in message


@pytest.mark.parametrize("seed", range(0, 200, 9))
def test_the_off_diagonal_entries_matter_on_every_draw(seed):
    """Every function has a Hessian far from diagonal on every draw: an answer built from
    second derivatives one element at a time is never right by chance."""
    for case in PART.draw(seed):
        H = _tapes(case)
        assert np.abs(H - np.diag(np.diag(H))).max() > 1e-2, case.name


def _probes_function(name, x):
    """The TensorFlow function the probe passes on case ``name``, from the part's template."""
    given = {}

    def grab(f, x):
        given["f"] = f
        return x

    run = calling.run_case({"hessian": grab}, ArrayCase(name, {"x": x}, {}), PART.call)
    assert run["error"] is None, run["error"]
    return given["f"]


def _nested_tapes(tf, f, x):
    with tf.GradientTape() as outer:
        outer.watch(x)
        with tf.GradientTape() as inner:
            inner.watch(x)
            y = f(x)
        gradient = inner.gradient(y, x)
    return gradient, outer.jacobian(gradient, x)


@pytest.mark.slow
@pytest.mark.parametrize("name", SCALAR_FUNCTIONS_OF_X)
def test_the_judges_tables_describe_the_probes_functions(name, tf):
    """Nested float64 tapes on the probe's function give the table's gradient and Hessian;
    central differences of the values give the same (the true curvature on the custom
    function), so the table is checked by two methods that do not share code with it."""
    case = next(c for c in PART.draw(11) if c.name == name)
    f, x = _probes_function(name, case.arrays["x"]), tf.constant(_x(case))
    gradient, tapes = _nested_tapes(tf, f, x)
    expected_gradient, expected = hessian.DERIVATIVES[name](_x(case))
    np.testing.assert_allclose(gradient.numpy(), expected_gradient, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(tapes.numpy(), expected, rtol=1e-10, atol=1e-12)

    n, h = x.shape[0], 1e-4
    values = lambda at: float(f(tf.constant(at)))
    at = _x(case)
    numeric = np.empty((n, n))
    for i in range(n):
        for j in range(n):
            e_i, e_j = np.eye(n)[i] * h, np.eye(n)[j] * h
            numeric[i, j] = (values(at + e_i + e_j) - values(at + e_i - e_j)
                             - values(at - e_i + e_j) + values(at - e_i - e_j)) / (4 * h * h)
    curvature = _curvature(case) if name in TWINS else expected
    np.testing.assert_allclose(numeric, curvature, rtol=1e-5, atol=1e-5)


# --- whole answers, through the probe and the judge --------------------------------------

def _tapes_answer(tf):
    def hessian_(f, x):
        return _nested_tapes(tf, f, x)[1]
    return hessian_


def _differences_of_the_gradient(tf, h):
    """Central differences of the tape's gradient, in float64: one column per element."""
    def hessian_(f, x):
        x = tf.cast(x, tf.float64)

        def gradient(at):
            with tf.GradientTape() as tape:
                tape.watch(at)
                y = f(at)
            return tape.gradient(y, at)
        steps = tf.eye(x.shape[0], dtype=tf.float64) * h
        return tf.stack([(gradient(x + s) - gradient(x - s)) / (2 * h) for s in steps], axis=1)
    return hessian_


def _graded(answer, seed):
    runs = [calling.run_case({"hessian": answer}, case, PART.call) for case in PART.draw(seed)]
    return PART.judge({"grade_id": "test_hessian", "check": "hessian", "seed": seed,
                       "runs": runs}, seed)


@pytest.mark.slow
def test_nested_tapes_earn_everything_and_finite_differences_of_any_step_nothing(tf):
    fraction, stage, message = _graded(_tapes_answer(tf), 21)
    assert (fraction, stage) == (1.0, "passed"), message
    for h in (1e-2, 1e-5):
        fraction, _, message = _graded(_differences_of_the_gradient(tf, h), 21)
        assert fraction == 0.0 and "finite differences instead of the tapes" in message, h
