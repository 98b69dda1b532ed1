"""Call templates: how a graded part calls the learner's functions on one case, and what it
records, written as data (like the case recipes of :mod:`autograder.cases`)::

    {"function": "with_row_replaced",
     "args": [["tensor", "t"], ["setting", "i"], ["tensor", "row"]],
     "record": [["result"], ["arg", "t"]]}

Arguments, each ``[kind, name]``: ``numpy`` (a copy of the case's array), ``float64`` (a
float64 copy), ``tensor`` (a ``tf.constant``), ``variable`` (a ``tf.Variable``), ``setting``
(a plain number of the case), ``function_of_x`` (the TensorFlow function named like the
case, from :data:`FUNCTIONS_OF_X`). With ``"repeat": "g"`` the function is called once per
row of array ``g``; an argument named ``"g[]"`` is that row.

Records, after each call, in order: ``["result"]`` (the returned array), ``["pair", what]``
(the two arrays of a returned pair, ``what`` naming them in the error when it is not one),
``["arg", name]`` (the object made for argument ``name``: a variable or array the function
should have changed, or a tensor it must have left alone).

``{"by_case": {case name: template, ...}}`` gives each case its own template.

Imported inside the learner's kernel: NumPy, TensorFlow (lazily) and the standard library.
"""

from __future__ import annotations

import math

import numpy as np

from autograder.protocol import MAX_ERROR_CHARS, MAX_VALUES, RETURNED_NONE

ARGUMENT_KINDS = ("numpy", "float64", "tensor", "variable", "setting", "function_of_x")


class TemplateError(ValueError):
    """A call template the probe cannot follow: the message says which entry."""


def describe(error: BaseException) -> str:
    """An exception as the report carries it: ``"Type: message"``, capped. An exception
    whose message cannot be made (its ``__str__`` raises) is reported without one."""
    try:
        text = f"{type(error).__name__}: {error}"
    except Exception:
        text = f"{type(error).__name__}: (its message could not be read)"
    return text if len(text) <= MAX_ERROR_CHARS else text[: MAX_ERROR_CHARS - 3] + "..."


def recorded_array(value) -> dict:
    """An array output as plain data: shape, flat values, and whether it is a TF object."""
    if value is None:
        raise TypeError(RETURNED_NONE)
    module = type(value).__module__ or ""
    array = np.asarray(value, dtype=np.float64)
    if array.size > MAX_VALUES:
        raise ValueError(f"expected a small array, got shape {array.shape}")
    values = [number if math.isfinite(number) else str(number)
              for number in (float(v) for v in array.ravel())]
    return {"shape": list(array.shape), "values": values,
            "tensor": module.startswith("tensorflow")}


# --- functions a part may pass in --------------------------------------------------------

def _x_sin_x_registered_gradient():
    """x * sin(x), value for value, whose registered gradient is its slope plus 2 + x**2.

    A tape does not measure slopes: it replays the gradient each operation registers, and a
    function built with tf.custom_gradient registers whatever rule its author chose. This
    one is a twin of the ordinary ``x * sin(x)`` case (the same values: no probe of values
    tells them apart), so a tape returns sin(x) + x cos(x) + 2 + x**2, while finite
    differences, whatever their precision or step, only see the smooth values and return
    the slope sin(x) + x cos(x). The two differ by at least 2 at every x: the verdict tells a
    tape from an approximation.
    """
    import tensorflow as tf

    @tf.custom_gradient
    def forward(x):
        def gradient(upstream):
            return upstream * (tf.sin(x) + x * tf.cos(x) + 2 + x**2)
        return x * tf.sin(x), gradient
    return forward


def _sin_times_squares_registered_hessian():
    """sum(sin(x)) * sum(x**2), value for value, whose gradient registers its own Jacobian:
    the true Hessian H plus 2I + 11ᵀ (every entry at least 1 away from H's).

    The second-order counterpart of :func:`_x_sin_x_registered_gradient`, and a twin of an
    ordinary case: its values and its gradient are those of ``sum(sin(x)) * sum(x**2)``, so
    no probe of values tells the two apart. Nested tapes return the registered Hessian;
    finite differences of the values or of the gradient see only smooth numbers and return H.
    """
    import tensorflow as tf

    def true_hessian(x):
        u, v, n = tf.reduce_sum(tf.sin(x)), tf.reduce_sum(x**2), tf.size(x)
        cos_x = tf.cos(x)
        return (-v * tf.linalg.diag(tf.sin(x)) + 2 * tf.tensordot(cos_x, x, axes=0)
                + 2 * tf.tensordot(x, cos_x, axes=0) + 2 * u * tf.eye(n, dtype=x.dtype))

    @tf.custom_gradient
    def slope(x):
        u, v = tf.reduce_sum(tf.sin(x)), tf.reduce_sum(x**2)
        n = tf.size(x)
        registered = (true_hessian(x) + 2 * tf.eye(n, dtype=x.dtype)
                      + tf.ones([n, n], dtype=x.dtype))

        def second(upstream):  # a vector-Jacobian product with the registered Jacobian
            return tf.linalg.matvec(registered, upstream, transpose_a=True)
        return v * tf.cos(x) + 2 * u * x, second

    @tf.custom_gradient
    def forward(x):
        def first(upstream):
            return upstream * slope(x)
        return tf.reduce_sum(tf.sin(x)) * tf.reduce_sum(x**2), first
    return forward


def _alike(forward):
    """``forward`` behind a plain function like every other one's: its type and name do
    not say which function it is. (Code that reads closures or the probe's frames still
    can: the check is against honest approximations, not code written against it.)"""
    def function_of_x(x):
        return forward(x)
    return function_of_x


def _functions_of_x() -> dict:
    import tensorflow as tf

    return {name: _alike(forward) for name, forward in {
        "x * sin(x)": lambda x: x * tf.sin(x),
        "exp(-x**2)": lambda x: tf.exp(-x**2),
        "x**3 - 2*x": lambda x: x**3 - 2 * x,
        "log(1 + x**2)": lambda x: tf.math.log(1 + x**2),
        "x * sin(x), registered gradient": _x_sin_x_registered_gradient(),
        "logsumexp(x)": tf.math.reduce_logsumexp,
        "sqrt(1 + sum(x**2))": lambda x: tf.sqrt(1 + tf.reduce_sum(x**2)),
        "sum(sin(x)) * sum(x**2)": lambda x: tf.reduce_sum(tf.sin(x)) * tf.reduce_sum(x**2),
        "sum(x**4)/4 + sum(x[:-1] * x[1:])":
            lambda x: tf.reduce_sum(x**4) / 4 + tf.reduce_sum(x[:-1] * x[1:]),
        "sum(sin(x)) * sum(x**2), registered Hessian": _sin_times_squares_registered_hessian(),
    }.items()}


# The TensorFlow functions a ``function_of_x`` argument names (the verdicts hold their
# derivatives). Element-wise ones, the last of which registers its own gradient (only a tape
# returns it), and scalar functions of a vector, most with Hessians that are not diagonal,
# the last registering its own second derivative (only nested tapes return it).
FUNCTIONS_OF_X = ("x * sin(x)", "exp(-x**2)", "x**3 - 2*x", "log(1 + x**2)",
                  "x * sin(x), registered gradient")
SCALAR_FUNCTIONS_OF_X = ("logsumexp(x)", "sqrt(1 + sum(x**2))", "sum(sin(x)) * sum(x**2)",
                         "sum(x**4)/4 + sum(x[:-1] * x[1:])",
                         "sum(sin(x)) * sum(x**2), registered Hessian")


# --- calling -----------------------------------------------------------------------------

def check_template(call: dict, cases, functions) -> None:
    """Raise :class:`TemplateError` naming the entry when ``call`` cannot run on ``cases``
    with ``functions`` (names): an author's slip shows before any learner's code runs."""
    for case in cases:
        where = f"case {case.name!r}"
        template = template_for(call, case.name)
        if not isinstance(template, dict) or not {"function", "args", "record"} <= set(template):
            raise TemplateError(f"{where}: a template has function, args and record")
        if template["function"] not in functions:
            raise TemplateError(f"{where}: it calls {template['function']!r}, which is not "
                                f"one of the part's functions {sorted(functions)}")
        repeat = template.get("repeat")
        if repeat is not None and repeat not in case.arrays:
            raise TemplateError(f"{where}: it repeats over {repeat!r}, not one of its arrays")
        for entry in template["args"]:
            if not (isinstance(entry, (list, tuple)) and len(entry) == 2
                    and entry[0] in ARGUMENT_KINDS):
                raise TemplateError(f"{where}: argument {entry!r} is not [kind, name] with a "
                                    f"kind among {', '.join(ARGUMENT_KINDS)}")
            kind, name = entry
            if kind == "setting" and name not in case.settings:
                raise TemplateError(f"{where}: no setting {name!r}")
            if kind == "function_of_x" and case.name not in FUNCTIONS_OF_X + SCALAR_FUNCTIONS_OF_X:
                raise TemplateError(f"{where}: function_of_x needs a case named like one of "
                                    f"{FUNCTIONS_OF_X + SCALAR_FUNCTIONS_OF_X}")
            if kind not in ("setting", "function_of_x"):
                if name.endswith("[]") and name[:-2] != repeat:
                    raise TemplateError(f"{where}: {name!r} needs \"repeat\": {name[:-2]!r}")
                if not name.endswith("[]") and name not in case.arrays:
                    raise TemplateError(f"{where}: no array {name!r}")
        names = [name for _, name in template["args"]]
        if len(set(names)) != len(names):
            raise TemplateError(f"{where}: each argument names a different array or setting, "
                                f"not {names}")
        for entry in template["record"]:
            if not (isinstance(entry, (list, tuple)) and entry and (
                    entry[0] == "result" and len(entry) == 1
                    or entry[0] == "pair" and len(entry) == 2
                    or entry[0] == "arg" and len(entry) == 2 and entry[1] in names
                    and not entry[1].endswith("[]"))):
                raise TemplateError(f"{where}: record entry {entry!r} is not [\"result\"], "
                                    "[\"pair\", what] or [\"arg\", one of the args other "
                                    "than a repeated row]")


def recorded_count(call: dict, case) -> int:
    """How many arrays a run of ``case`` records when nothing fails."""
    template = template_for(call, case.name)
    per_call = sum(2 if entry[0] == "pair" else 1 for entry in template["record"])
    repeat = template.get("repeat")
    return per_call * (1 if repeat is None else len(case.arrays[repeat]))


def template_for(call: dict, case_name: str) -> dict:
    """The template of one case: ``call`` itself, or its ``by_case`` entry."""
    if "by_case" in call:
        if case_name not in call["by_case"]:
            raise TemplateError(f"no template for case {case_name!r} in by_case")
        return call["by_case"][case_name]
    return call


def _argument(kind: str, name: str, case, row):
    import tensorflow as tf

    if kind == "setting":
        if name not in case.settings:
            raise TemplateError(f"the case has no setting {name!r}")
        return case.settings[name]
    if kind == "function_of_x":
        return _functions_of_x()[case.name]
    if name.endswith("[]"):
        value = row
    elif name in case.arrays:
        value = case.arrays[name]
    else:
        raise TemplateError(f"the case has no array {name!r}")
    if kind == "numpy":
        return np.array(value, copy=True)
    if kind == "float64":
        return np.array(value, dtype=np.float64)
    if kind == "tensor":
        return tf.constant(value)
    if kind == "variable":
        return tf.Variable(value)
    raise TemplateError(f"unknown argument kind {kind!r}; use one of {', '.join(ARGUMENT_KINDS)}")


def _record(entries, result, arguments: dict, record) -> None:
    for entry in entries:
        if entry[0] == "result":
            record(result)
        elif entry[0] == "pair":
            if not isinstance(result, (tuple, list)) or len(result) != 2:
                raise TypeError(f"expected {entry[1]}, got {type(result).__name__}")
            record(result[0])
            record(result[1])
        elif entry[0] == "arg":
            record(arguments[entry[1]])
        else:
            raise TemplateError(f"unknown record entry {entry!r}; use result, pair or arg")


def _calls(template: dict, case, functions: dict, record) -> None:
    name = template["function"]
    if name not in functions:
        raise TemplateError(f"the template calls {name!r}, which was not passed to the check")
    function = functions[name]
    repeat = template.get("repeat")
    rows = [None] if repeat is None else list(case.arrays[repeat])
    arguments = {}
    for row in rows:
        values = []
        for kind, argument in template["args"]:
            # Variables and arrays the function changes in place keep one object throughout.
            if kind in ("variable", "numpy") and argument in arguments:
                values.append(arguments[argument])
                continue
            value = _argument(kind, argument, case, row)
            if not argument.endswith("[]"):
                arguments[argument] = value
            values.append(value)
        _record(template["record"], function(*values), arguments, record)


def run_case(functions: dict, case, call: dict) -> dict:
    """Call the learner's functions on one case as ``call`` says; what they returned.

    Run fields: ``case``, ``outputs`` (list of {shape, values, tensor}), ``error`` (``None``
    or the first exception's ``"Type: message"``: the case stops there).
    """
    run = {"case": case.name, "outputs": [], "error": None}
    template = template_for(call, case.name)
    try:
        _calls(template, case, functions, lambda value: run["outputs"].append(
            recorded_array(value)))
    except Exception as error:  # the learner's code may raise anything
        run["error"] = describe(error)
    return run
