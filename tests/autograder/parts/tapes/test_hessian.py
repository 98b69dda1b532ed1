"""The hessian part of tapes: nested tapes pass; the gradient, the row sums (outer.gradient)
and finite differences are named; the judge's tables agree with TensorFlow's own tapes and
with finite differences of the probe's functions in float64."""

from __future__ import annotations

import numpy as np
import pytest

from autograder import calling, parts, protocol
from autograder.calling import SCALAR_FUNCTIONS_OF_X
from autograder.cases import ArrayCase
from autograder.parts.tapes import hessian

CUSTOM = hessian.CUSTOM
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
    """What finite differences return on the custom function: its values' true Hessian."""
    return hessian._sin_times_squares(_x(case))[1]


def test_every_scalar_function_is_a_case_and_one_registers_its_own_hessian():
    assert [case.name for case in PART.draw(0)] == list(SCALAR_FUNCTIONS_OF_X)
    assert CUSTOM in SCALAR_FUNCTIONS_OF_X


@pytest.mark.parametrize("seed", range(0, 300, 7))
def test_the_registered_hessian_is_far_from_the_true_one_everywhere(seed):
    """Every entry differs by at least 1, far beyond any tolerance the judge uses, so nested
    tapes are never taken for an approximation, nor the other way round."""
    case = next(c for c in PART.draw(seed) if c.name == CUSTOM)
    assert np.min(np.abs(_tapes(case) - _curvature(case))) >= 1 - 1e-9


@pytest.mark.slow
def test_the_custom_function_cannot_be_told_from_its_twin_by_its_values(tf):
    """Its values and gradient are those of the ordinary sum(sin(x)) * sum(x**2) case."""
    x = tf.constant(np.linspace(-1.4, 1.3, 5))
    twin = _probes_function(CUSTOM, np.linspace(-1.4, 1.3, 5))
    plain = _probes_function("sum(sin(x)) * sum(x**2)", np.linspace(-1.4, 1.3, 5))
    with tf.GradientTape(persistent=True) as tape:
        tape.watch(x)
        values = twin(x), plain(x)
    assert float(values[0]) == float(values[1])
    np.testing.assert_array_equal(tape.gradient(values[0], x), tape.gradient(values[1], x))


@pytest.mark.parametrize("seed", [0, 1, 977])
def test_the_tapes_hessian_passes(seed):
    fraction, stage, message = PART.judge(_record(seed), seed)
    assert (fraction, stage) == (1.0, "passed"), message


@pytest.mark.parametrize("seed", [0, 5])
def test_finite_differences_are_named_and_cost_the_whole_part(seed):
    fraction, stage, message = PART.judge(_record(seed, {CUSTOM: _curvature}), seed)
    assert (fraction, stage) == (0.0, "one step")
    assert "finite differences instead of the tapes" in message and f"\u201c{CUSTOM}\u201d" in message


def test_row_sums_are_named():
    rows = {name: (lambda case: _tapes(case).sum(axis=0)) for name in SCALAR_FUNCTIONS_OF_X}
    fraction, _, message = PART.judge(_record(2, rows), 2)
    assert fraction == 0.0 and "outer.gradient instead of outer.jacobian" in message


def test_a_wrong_custom_case_alone_costs_its_share_and_is_not_called_an_approximation():
    fraction, _, message = PART.judge(_record(3, {CUSTOM: lambda case: 3 * _tapes(case)}), 3)
    assert fraction == pytest.approx(4 / 5) and "finite differences" not in message


def test_an_unwatched_constant_gets_the_watch_hint():
    fraction, stage, message = PART.judge(
        _record(4, error=f"TypeError: {protocol.RETURNED_NONE}"), 4)
    assert (fraction, stage) == (0.0, "error") and "tape.watch(x)" in message


@pytest.mark.parametrize("seed", range(0, 200, 9))
def test_the_off_diagonal_entries_matter_on_every_draw(seed):
    """Every function but the custom one has a Hessian far from diagonal on every draw: an
    answer built from second derivatives one element at a time is never right by chance."""
    for case in PART.draw(seed):
        if case.name != CUSTOM:
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
    curvature = _curvature(case) if name == CUSTOM else expected
    np.testing.assert_allclose(numeric, curvature, rtol=1e-5, atol=1e-5)
