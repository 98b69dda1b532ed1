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
#
# A tape does not measure slopes: it replays the derivative each operation registers, and a
# function built with tf.custom_gradient registers whatever rule its author chose. Every
# function a part passes in is built by one factory, with tf.custom_gradient: it registers
# the true derivative plus an extra term whose coefficients the factory captures, zero for
# an ordinary function and not zero for its twin. A twin has its partner's values, and the
# two share their code, type, name, graph operations and calls, so nothing but reading the
# captured numbers (closures, frames: always possible in one's own process) tells them
# apart. A tape returns the registered rule; finite differences, at any precision or step,
# only see the values and return the true slope, at least 1 away on every case's range
# (the parts' tests prove it): the verdict tells a tape from an approximation. Every
# ordinary function has a twin, so code that skips a kind of value loses both.

# Coefficients (c0, c1, c2) of the extra term c0 + c1*x + c2*x**2 a twin adds to the slope
# of an element-wise function: at least 1 in size for x in [-2, 2].
GRADIENT_TWINS = {
    "x * sin(x)": (2.0, 0.0, 1.0),
    "exp(-x**2)": (-1.5, -0.25, -0.5),
    "x**3 - 2*x": (3.5, -1.0, 0.0),
    "log(1 + x**2)": (-2.5, 0.5, 0.0),
}
# Coefficients (a, b, c) of the extra term a*I + b*11ᵀ + c*xxᵀ a twin adds to the Hessian of
# a scalar function of a vector: every entry at least 1 in size for x in [-1.5, 1.5]. The
# twin's gradient is its partner's: only a second tape sees the difference.
HESSIAN_TWINS = {
    "sum(sin(x)) * sum(x**2)": (2.0, 1.0, 0.0),
    "logsumexp(x)": (-1.0, -1.5, 0.0),
    "sqrt(1 + sum(x**2))": (2.0, 1.5, -0.2),
    "sum(x**4)/4 + sum(x[:-1] * x[1:])": (-0.5, -2.0, 0.4),
}
GRADIENT_TWIN, HESSIAN_TWIN = ", registered gradient", ", registered Hessian"


def partner_of(name: str) -> str | None:
    """The ordinary function whose twin ``name`` is, or ``None`` when it is no twin."""
    for suffix in (GRADIENT_TWIN, HESSIAN_TWIN):
        if name.endswith(suffix):
            return name[: -len(suffix)]
    return None


def _elementwise(name: str):
    """(values, slope) of an element-wise function, in TensorFlow."""
    import tensorflow as tf

    return {
        "x * sin(x)": (lambda x: x * tf.sin(x), lambda x: tf.sin(x) + x * tf.cos(x)),
        "exp(-x**2)": (lambda x: tf.exp(-x**2), lambda x: -2 * x * tf.exp(-x**2)),
        "x**3 - 2*x": (lambda x: x**3 - 2 * x, lambda x: 3 * x**2 - 2),
        "log(1 + x**2)": (lambda x: tf.math.log(1 + x**2), lambda x: 2 * x / (1 + x**2)),
    }[name]


def _scalar(name: str):
    """(value, gradient, Hessian) of a scalar function of a vector, in TensorFlow."""
    import tensorflow as tf

    def sin_times_squares(x):
        u, v, cos_x = tf.reduce_sum(tf.sin(x)), tf.reduce_sum(x**2), tf.cos(x)
        eye = tf.eye(tf.size(x), dtype=u.dtype)
        return (u * v, v * cos_x + 2 * u * x,
                lambda: (-v * tf.linalg.diag(tf.sin(x)) + 2 * tf.tensordot(cos_x, x, axes=0)
                         + 2 * tf.tensordot(x, cos_x, axes=0) + 2 * u * eye))

    def logsumexp(x):
        p = tf.nn.softmax(x)
        return (tf.math.reduce_logsumexp(x), p,
                lambda: tf.linalg.diag(p) - tf.tensordot(p, p, axes=0))

    def norm_like(x):
        r = tf.sqrt(1 + tf.reduce_sum(x**2))
        return (r, x / r, lambda: (tf.eye(tf.size(x), dtype=r.dtype) / r
                                   - tf.tensordot(x, x, axes=0) / r**3))

    def quartic_chain(x):
        pad = tf.zeros_like(x[:1])
        ones = tf.ones_like(tf.tensordot(x, x, axes=0))
        return (tf.reduce_sum(x**4) / 4 + tf.reduce_sum(x[:-1] * x[1:]),
                x**3 + tf.concat([x[1:], pad], 0) + tf.concat([pad, x[:-1]], 0),
                lambda: (tf.linalg.diag(3 * x**2) + tf.linalg.band_part(ones, 1, 1)
                         - tf.linalg.band_part(ones, 0, 0)))

    return {"sum(sin(x)) * sum(x**2)": sin_times_squares, "logsumexp(x)": logsumexp,
            "sqrt(1 + sum(x**2))": norm_like,
            "sum(x**4)/4 + sum(x[:-1] * x[1:])": quartic_chain}[name]


def _with_registered_gradient(values, slope, extra):
    """``values``, registering ``slope`` plus c0 + c1*x + c2*x**2 as its derivative."""
    import tensorflow as tf

    c0, c1, c2 = extra

    @tf.custom_gradient
    def forward(x):
        def gradient(upstream):
            return upstream * (slope(x) + (c0 + c1 * x + c2 * x**2))
        return values(x), gradient
    return forward


def _with_registered_hessian(parts, extra):
    """The scalar function ``parts`` describes, registering its true gradient, and as the
    gradient's Jacobian its Hessian H plus a*I + b*11ᵀ + c*xxᵀ."""
    import tensorflow as tf

    a, b, c = extra

    @tf.custom_gradient
    def slope(x):
        _, gradient, hessian = parts(x)
        registered = (hessian() + a * tf.eye(tf.size(x), dtype=gradient.dtype) + b
                      + c * tf.tensordot(x, x, axes=0))

        def second(upstream):  # one operation: tape.jacobian vectorizes it, per operation
            return tf.linalg.matvec(registered, upstream, transpose_a=True)
        return gradient, second

    @tf.custom_gradient
    def forward(x):
        def first(upstream):
            return upstream * slope(x)
        return parts(x)[0], first
    return forward


def _alike(forward):
    """``forward`` behind a plain function like every other one's: its type, name and code
    do not say which function it is."""
    def function_of_x(x):
        return forward(x)
    return function_of_x


def _function_of_x(name: str):
    partner = partner_of(name) or name
    if partner in GRADIENT_TWINS:
        extra = GRADIENT_TWINS[partner] if name != partner else (0.0, 0.0, 0.0)
        return _alike(_with_registered_gradient(*_elementwise(partner), extra))
    extra = HESSIAN_TWINS[partner] if name != partner else (0.0, 0.0, 0.0)
    return _alike(_with_registered_hessian(_scalar(partner), extra))


def _functions_of_x() -> dict:
    """Every function of x by name, built afresh: no state is kept from one case to the next."""
    return {name: _function_of_x(name) for name in FUNCTIONS_OF_X + SCALAR_FUNCTIONS_OF_X}


# The TensorFlow functions a ``function_of_x`` argument names (the verdicts hold their
# derivatives): element-wise ones, then their twins (only a tape returns what those
# register), and scalar functions of a vector, most with Hessians that are not diagonal,
# then their twins (only nested tapes return what those register).
FUNCTIONS_OF_X = ("x * sin(x)", "exp(-x**2)", "x**3 - 2*x", "log(1 + x**2)") + tuple(
    name + GRADIENT_TWIN for name in GRADIENT_TWINS)
SCALAR_FUNCTIONS_OF_X = ("logsumexp(x)", "sqrt(1 + sum(x**2))", "sum(sin(x)) * sum(x**2)",
                         "sum(x**4)/4 + sum(x[:-1] * x[1:])") + tuple(
    name + HESSIAN_TWIN for name in HESSIAN_TWINS)
assert set(FUNCTIONS_OF_X[:4]) == set(GRADIENT_TWINS) and set(SCALAR_FUNCTIONS_OF_X[:4]) == set(
    HESSIAN_TWINS)


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
