"""Call templates (autograder/calling.py): an author's slip in a template is caught before
any learner's code runs, with a message naming the entry; a run records what the learner's
functions returned or changed, and the first error stops the case."""

from __future__ import annotations

import numpy as np
import pytest

from autograder import calling, protocol
from autograder.calling import TemplateError, check_template, recorded_array, run_case
from autograder.cases import ArrayCase

TABLE = np.arange(12, dtype=np.float32).reshape(4, 3)
ROWS = np.array([[1.0, 1.0, 1.0], [0.5, 0.5, 0.5], [2.0, 0.0, -2.0]], dtype=np.float32)
CASE = ArrayCase("a case", {"t": TABLE, "g": ROWS}, {"i": 2, "lr": 0.5})


def _template(**changes) -> dict:
    template = {"function": "f", "args": [["numpy", "t"], ["setting", "i"]],
                "record": [["result"]]}
    template.update(changes)
    return template


def _slip(template, *fragments, case=CASE, functions=("f",)):
    with pytest.raises(TemplateError) as error:
        check_template(template, [case], functions)
    for fragment in fragments:
        assert fragment in str(error.value), (fragment, str(error.value))


# --- check_template ----------------------------------------------------------------------

def test_a_sound_template_passes():
    check_template(_template(), [CASE], ("f",))
    check_template(_template(repeat="g", args=[["variable", "t"], ["tensor", "g[]"]],
                             record=[["arg", "t"], ["pair", "(a, b)"]]), [CASE], ("f",))


def test_an_unknown_function_is_named():
    _slip(_template(function="g"), "case 'a case'", "calls 'g'", "['f']")


def test_an_unknown_argument_kind_is_named():
    _slip(_template(args=[["tensr", "t"]]), "case 'a case'", "argument ['tensr', 't']",
          "numpy, float64, tensor, variable, setting, function_of_x")
    _slip(_template(args=[["numpy"]]), "argument ['numpy'] is not [kind, name]")
    _slip(_template(args=["t"]), "argument 't' is not [kind, name]")


def test_a_missing_array_or_setting_is_named():
    _slip(_template(args=[["tensor", "b"]]), "case 'a case'", "no array 'b'")
    _slip(_template(args=[["setting", "momentum"]]), "case 'a case'", "no setting 'momentum'")


def test_a_row_argument_needs_its_repeat():
    _slip(_template(args=[["tensor", "g[]"]]), "'g[]' needs \"repeat\": 'g'")
    _slip(_template(repeat="t", args=[["tensor", "g[]"]]), "'g[]' needs \"repeat\": 'g'")
    _slip(_template(repeat="h", args=[["tensor", "h[]"]]),
          "repeats over 'h', not one of its arrays")


def test_a_bad_record_entry_is_named():
    for entry in (["results"], ["result", "t"], ["pair"], ["arg", "g"], ["arg"], "result", []):
        _slip(_template(record=[["result"], entry]), "case 'a case'", f"record entry {entry!r}")


def test_a_repeated_row_cannot_be_recorded():
    # It is a fresh row each call: recording it would fail as if the learner's code had.
    _slip(_template(repeat="g", args=[["numpy", "g[]"]], record=[["arg", "g[]"]]),
          "record entry ['arg', 'g[]']", "other than a repeated row")


def test_two_arguments_cannot_name_the_same_array():
    # Otherwise the second would get the first's object: a "variable" that is a NumPy array.
    _slip(_template(args=[["numpy", "t"], ["variable", "t"]]),
          "each argument names a different array", "['t', 't']")


def test_a_template_needs_function_args_and_record():
    _slip({"function": "f", "args": []}, "a template has function, args and record")
    _slip("f", "a template has function, args and record")


def test_function_of_x_needs_a_case_named_like_a_function():
    _slip(_template(args=[["function_of_x", "f"]]), "function_of_x needs a case named like")
    named = ArrayCase(calling.FUNCTIONS_OF_X[0], {"x": TABLE[0]}, {})
    check_template(_template(args=[["function_of_x", "f"], ["tensor", "x"]]), [named], ("f",))


def test_by_case_templates_are_checked_case_by_case():
    other = ArrayCase("other", {"x": TABLE}, {})
    call = {"by_case": {"a case": _template(), "other": _template(args=[["numpy", "t"]])}}
    _slip(call, "case 'other'", "no array 't'", case=other)
    check_template(call, [CASE], ("f",))
    with pytest.raises(TemplateError, match="no template for case 'missing'"):
        check_template(call, [ArrayCase("missing", {}, {})], ("f",))


# --- recorded_array ----------------------------------------------------------------------

def test_an_array_is_recorded_as_plain_data():
    assert recorded_array(np.array([[1, 2]], dtype=np.int32)) == {
        "shape": [1, 2], "values": [1.0, 2.0], "tensor": False}
    assert recorded_array(np.array([np.inf, -np.inf, np.nan]))["values"] == ["inf", "-inf", "nan"]
    assert recorded_array(3.5) == {"shape": [], "values": [3.5], "tensor": False}
    with pytest.raises(TypeError, match=protocol.RETURNED_NONE):
        recorded_array(None)
    with pytest.raises(ValueError, match="expected a small array"):
        recorded_array(np.zeros(protocol.MAX_VALUES + 1))


# --- run_case (TensorFlow: the probe makes tensors and variables) -------------------------

def _values(output) -> np.ndarray:
    return np.array(output["values"]).reshape(output["shape"])


@pytest.mark.slow
def test_results_and_pairs_are_recorded_with_their_kind(tf):
    def f(t, i):
        return t[i] * 2

    run = run_case({"f": f}, CASE, _template())
    assert run["error"] is None and run["case"] == "a case"
    assert run["outputs"] == [{"shape": [3], "values": [12.0, 14.0, 16.0], "tensor": False}]

    def pair(t, row):
        return t + 1, tf.reduce_sum(t) + row[0]

    run = run_case({"pair": pair}, CASE, {"function": "pair",
                                          "args": [["tensor", "t"], ["float64", "g"]],
                                          "record": [["pair", "(a, b)"]]})
    assert run["error"] is None
    first, second = run["outputs"]
    np.testing.assert_array_equal(_values(first), TABLE + 1)
    assert first["tensor"] and second["tensor"]  # built from the tf.constant it was given
    np.testing.assert_allclose(_values(second), TABLE.sum() + ROWS[0])


@pytest.mark.slow
def test_a_result_that_is_not_a_pair_is_an_error(tf):
    run = run_case({"f": lambda t: t}, CASE, {"function": "f", "args": [["tensor", "t"]],
                                               "record": [["pair", "(grad_x, grad_y)"]]})
    assert run["outputs"] == []
    assert run["error"] == "TypeError: expected (grad_x, grad_y), got EagerTensor"


@pytest.mark.slow
def test_arguments_are_made_as_their_kind_says(tf):
    seen = {}

    def f(a, b, c, d, e):
        seen.update(a=a, b=b, c=c, d=d, e=e)
        return a

    case = ArrayCase("kinds", {name: TABLE for name in "abcd"}, {"lr": 0.5})
    run_case({"f": f}, case, {"function": "f", "record": [["result"]], "args": [
        ["numpy", "a"], ["float64", "b"], ["tensor", "c"], ["variable", "d"], ["setting", "lr"]]})
    assert isinstance(seen["a"], np.ndarray) and seen["a"].dtype == np.float32
    assert seen["a"] is not TABLE  # a copy: the learner cannot change the case's data
    assert isinstance(seen["b"], np.ndarray) and seen["b"].dtype == np.float64
    assert isinstance(seen["c"], tf.Tensor) and not isinstance(seen["c"], tf.Variable)
    assert isinstance(seen["d"], tf.Variable)
    assert seen["e"] == 0.5
    for value in (seen["a"], seen["b"], seen["c"], seen["d"]):
        np.testing.assert_array_equal(np.asarray(value), TABLE)


@pytest.mark.slow
def test_a_variable_is_the_same_object_across_repeated_calls(tf):
    ids = []

    def step(W, g, lr):
        ids.append(id(W))
        W.assign_sub(lr * g)

    case = ArrayCase("run", {"W": ROWS[0], "g": ROWS}, {"lr": 0.5})
    run = run_case({"step": step}, case, {
        "function": "step", "repeat": "g",
        "args": [["variable", "W"], ["tensor", "g[]"], ["setting", "lr"]],
        "record": [["arg", "W"]]})
    assert run["error"] is None
    assert len(ids) == len(ROWS) and len(set(ids)) == 1
    # W after each call: the updates accumulate on the one variable.
    expected = ROWS[0] - 0.5 * np.cumsum(ROWS, axis=0)
    assert [o["tensor"] for o in run["outputs"]] == [True] * len(ROWS)
    np.testing.assert_allclose([_values(o) for o in run["outputs"]], expected, rtol=1e-6)
    np.testing.assert_array_equal(case.arrays["W"], ROWS[0])  # the case itself unchanged


@pytest.mark.slow
def test_a_numpy_array_changed_in_place_is_recorded_changed(tf):
    def sparse_update(table, rows, updates):
        np.subtract.at(table, rows, updates)  # returns None: only the argument is recorded

    indices = np.array([1, 3, 1])
    case = ArrayCase("table", {"table": TABLE, "indices": indices, "updates": ROWS}, {})
    run = run_case({"sparse_update": sparse_update}, case, {
        "function": "sparse_update",
        "args": [["numpy", "table"], ["numpy", "indices"], ["numpy", "updates"]],
        "record": [["arg", "table"]]})
    assert run["error"] is None
    expected = TABLE.astype(np.float64).copy()
    np.subtract.at(expected, indices, ROWS)
    np.testing.assert_array_equal(_values(run["outputs"][0]), expected)
    np.testing.assert_array_equal(case.arrays["table"], np.arange(12).reshape(4, 3))


@pytest.mark.slow
def test_a_numpy_array_is_one_object_across_repeated_calls_too(tf):
    def accumulate(total, row):
        total += row

    case = ArrayCase("sum", {"total": np.zeros(3, np.float32), "g": ROWS}, {})
    run = run_case({"accumulate": accumulate}, case, {
        "function": "accumulate", "repeat": "g",
        "args": [["numpy", "total"], ["numpy", "g[]"]], "record": [["arg", "total"]]})
    np.testing.assert_allclose([_values(o) for o in run["outputs"]], np.cumsum(ROWS, axis=0))


@pytest.mark.slow
def test_a_learner_exception_is_recorded_and_stops_the_case(tf):
    calls = []

    def step(g):
        calls.append(g)
        if len(calls) == 2:
            raise ZeroDivisionError("oops")
        return g * 2

    case = ArrayCase("run", {"g": ROWS}, {})
    run = run_case({"step": step}, case, {"function": "step", "repeat": "g",
                                          "args": [["numpy", "g[]"]], "record": [["result"]]})
    assert run["error"] == "ZeroDivisionError: oops"
    assert len(calls) == 2  # the third row was never tried
    assert len(run["outputs"]) == 1
    np.testing.assert_array_equal(_values(run["outputs"][0]), ROWS[0] * 2)


@pytest.mark.slow
def test_a_long_error_is_capped(tf):
    def chatty(t, i):
        raise ValueError("x" * 1000)

    error = run_case({"f": chatty}, CASE, _template())["error"]
    assert len(error) == protocol.MAX_ERROR_CHARS
    assert error.startswith("ValueError: xxx") and error.endswith("...")


@pytest.mark.slow
def test_a_returned_none_is_the_returned_none_error(tf):
    run = run_case({"f": lambda t, i: None}, CASE, _template())
    assert run == {"case": "a case", "outputs": [],
                   "error": f"TypeError: {protocol.RETURNED_NONE}"}


@pytest.mark.slow
def test_function_of_x_passes_the_tensorflow_function_named_like_the_case(tf):
    given = {}

    def derivative(f, x):
        given["f"] = f
        return f(x)

    x = np.linspace(-1, 1, 5).astype(np.float32)
    for name, formula in zip(calling.FUNCTIONS_OF_X, (
            lambda x: x * np.sin(x), lambda x: np.exp(-x**2), lambda x: x**3 - 2 * x,
            lambda x: np.log(1 + x**2), lambda x: x * np.sin(x))):
        run = run_case({"derivative": derivative}, ArrayCase(name, {"x": x}, {}), {
            "function": "derivative", "args": [["function_of_x", "f"], ["tensor", "x"]],
            "record": [["result"]]})
        assert run["error"] is None, run["error"]
        np.testing.assert_allclose(_values(run["outputs"][0]), formula(x.astype(float)),
                                   rtol=1e-5, atol=1e-6)


@pytest.mark.slow
def test_scalar_functions_of_x_map_a_vector_to_one_number(tf):
    x = np.linspace(-1, 0.7, 4).astype(np.float32)  # not symmetric: no formula vanishes
    formulas = dict(zip(calling.SCALAR_FUNCTIONS_OF_X[:4], (
        lambda x: np.log(np.sum(np.exp(x))), lambda x: np.sqrt(1 + np.sum(x**2)),
        lambda x: np.sum(np.sin(x)) * np.sum(x**2),
        lambda x: np.sum(x**4) / 4 + np.sum(x[:-1] * x[1:]))))
    for name in calling.SCALAR_FUNCTIONS_OF_X:  # a twin has its partner's values
        formula = formulas[calling.partner_of(name) or name]
        run = run_case({"hessian": lambda f, x: f(x)}, ArrayCase(name, {"x": x}, {}), {
            "function": "hessian", "args": [["function_of_x", "f"], ["tensor", "x"]],
            "record": [["result"]]})
        assert run["error"] is None, run["error"]
        assert run["outputs"][0]["shape"] == []
        np.testing.assert_allclose(_values(run["outputs"][0]), formula(x.astype(float)),
                                   rtol=1e-5, atol=1e-6)


@pytest.mark.slow
def test_by_case_runs_each_case_with_its_own_template(tf):
    functions = {"double": lambda t: t * 2, "negate": lambda t: -t}
    call = {"by_case": {
        "one": {"function": "double", "args": [["numpy", "t"]], "record": [["result"]]},
        "two": {"function": "negate", "args": [["numpy", "t"]], "record": [["result"]]}}}
    one, two = (run_case(functions, ArrayCase(name, {"t": TABLE}, {}), call)
                for name in ("one", "two"))
    np.testing.assert_array_equal(_values(one["outputs"][0]), TABLE * 2)
    np.testing.assert_array_equal(_values(two["outputs"][0]), -TABLE)
