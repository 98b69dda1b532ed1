"""A small reverse-mode tape in NumPy, built step by step in book/tapes/numpy_tape.md.

While a :class:`Tape` is active (``with Tape() as tape:``), every operation on
:class:`Tensor`s appends one :class:`Record` to it: the operation's name, its output, its
inputs, and a ``backward`` function that turns the output's gradient into one gradient per
input (a vector-Jacobian product). :meth:`Tape.gradient` replays the records backward.

Like ``tf.GradientTape`` it returns ``None`` for a source the target does not depend on,
seeds a non-scalar target with ones (the gradient of its sum), and sums gradients over the
dimensions that broadcasting stretched. Unlike it, there is nothing to ``watch``: every
Tensor is tracked, and the records stay until the tape is dropped.

To add an operation, compute the result from ``.data`` and hand it to :func:`record` with
its backward rule, e.g. ``record(np.sin(x.data), (x,), lambda g: (g * np.cos(x.data),), "sin")``.
"""

from __future__ import annotations

import numbers
from typing import Callable, NamedTuple

import numpy as np

# Tapes inside a `with` block; nested tapes each record every operation.
_active_tapes: list["Tape"] = []


class Record(NamedTuple):
    """One operation as the tape saw it."""

    op: str
    output: "Tensor"
    inputs: tuple["Tensor", ...]
    backward: Callable  # gradient of output -> one gradient per input


class Tensor:
    """A float64 array whose operations are recorded on every active tape."""

    # ndarray (op) Tensor returns NotImplemented, so Python calls Tensor's reflected method.
    __array_ufunc__ = None

    def __init__(self, data):
        if isinstance(data, Tensor):
            raise TypeError("Tensor(...) got a Tensor; use it as it is (or as_tensor)")
        self.data = np.asarray(data, dtype=np.float64)

    @property
    def shape(self):
        return self.data.shape

    def __repr__(self):
        return f"Tensor({self.data!r})"

    def __add__(self, other):
        other = as_tensor(other)
        return record(self.data + other.data, (self, other), lambda g: (g, g), "add")

    def __sub__(self, other):
        other = as_tensor(other)
        return record(self.data - other.data, (self, other), lambda g: (g, -g), "sub")

    def __mul__(self, other):
        other = as_tensor(other)
        return record(self.data * other.data, (self, other),
                      lambda g: (g * other.data, g * self.data), "mul")

    def __truediv__(self, other):
        other = as_tensor(other)
        return record(self.data / other.data, (self, other),
                      lambda g: (g / other.data, -g * self.data / other.data**2), "div")

    def __pow__(self, exponent):
        if isinstance(exponent, bool) or not isinstance(exponent, numbers.Real):
            raise TypeError(f"the exponent must be a plain number, got {type(exponent).__name__}")
        return record(self.data**exponent, (self,),
                      lambda g: (g * exponent * self.data ** (exponent - 1),), "pow")

    def __neg__(self):
        return record(-self.data, (self,), lambda g: (-g,), "neg")

    def __abs__(self):
        # The slope at 0 is taken as 0, as TensorFlow does.
        return record(np.abs(self.data), (self,), lambda g: (g * np.sign(self.data),), "abs")

    def __matmul__(self, other):
        other = as_tensor(other)
        if self.data.ndim != 2 or other.data.ndim != 2:
            raise ValueError(f"@ takes two matrices, got shapes {self.shape} and {other.shape}")
        return record(self.data @ other.data, (self, other),
                      lambda g: (g @ other.data.T, self.data.T @ g), "matmul")

    def __radd__(self, other):
        return as_tensor(other) + self

    def __rsub__(self, other):
        return as_tensor(other) - self

    def __rmul__(self, other):
        return as_tensor(other) * self

    def __rtruediv__(self, other):
        return as_tensor(other) / self

    def __rmatmul__(self, other):
        return as_tensor(other) @ self


def as_tensor(value) -> Tensor:
    """Wrap a number or array as a new Tensor; leave a Tensor as it is."""
    return value if isinstance(value, Tensor) else Tensor(value)


def record(data, inputs, backward, op: str = "op") -> Tensor:
    """Make the output Tensor and note, on every active tape, how to send its gradient back."""
    output = Tensor(data)
    for tape in _active_tapes:
        tape.records.append(Record(op, output, tuple(inputs), backward))
    return output


def square(x):
    return as_tensor(x) ** 2


def exp(x):
    x = as_tensor(x)
    result = np.exp(x.data)
    return record(result, (x,), lambda g: (g * result,), "exp")


def log(x):
    x = as_tensor(x)
    return record(np.log(x.data), (x,), lambda g: (g / x.data,), "log")


def tanh(x):
    x = as_tensor(x)
    result = np.tanh(x.data)
    # tanh' = 1 - tanh², so the rule reuses the forward result (book/minibatch/network.md).
    return record(result, (x,), lambda g: (g * (1 - result**2),), "tanh")


def relu(x):
    x = as_tensor(x)
    # The slope at 0 is taken as 0, as TensorFlow does.
    return record(np.maximum(x.data, 0.0), (x,), lambda g: (g * (x.data > 0),), "relu")


def reduce_sum(x, axis=None):
    x = as_tensor(x)
    # Each input element adds to the sum once: its gradient is the output's, spread back.
    return record(np.sum(x.data, axis=axis), (x,),
                  lambda g: (np.broadcast_to(_keep_dims(g, axis, x.data.ndim), x.shape),),
                  "sum")


def reduce_mean(x, axis=None):
    x = as_tensor(x)
    axes = range(x.data.ndim) if axis is None else np.atleast_1d(axis)
    count = int(np.prod([x.shape[a] for a in axes]))
    return reduce_sum(x, axis) / count


def _keep_dims(g, axis, ndim):
    """Re-insert the axes a reduction removed, so ``g`` broadcasts back over them."""
    if axis is None:
        return np.reshape(g, (1,) * ndim)
    return np.expand_dims(g, tuple(a % ndim for a in np.atleast_1d(axis)))


def unbroadcast(g, shape):
    """Sum ``g`` over the dimensions that broadcasting added or stretched to reach ``shape``."""
    while g.ndim > len(shape):
        g = g.sum(axis=0)
    for axis, size in enumerate(shape):
        if size == 1 and g.shape[axis] != 1:
            g = g.sum(axis=axis, keepdims=True)
    return g


class Tape:
    """Records operations while active (``with Tape() as tape:``) and replays them backward."""

    def __init__(self):
        self.records: list[Record] = []

    def __enter__(self):
        _active_tapes.append(self)
        return self

    def __exit__(self, *exc_info):
        _active_tapes.remove(self)

    def gradient(self, target, sources):
        """d sum(target) / d source for each source; ``None`` where target does not depend on it.

        ``sources`` is one Tensor (one gradient back) or a list or tuple of them (a list back).
        """
        if not isinstance(target, Tensor):
            raise TypeError(f"target must be a Tensor, got {type(target).__name__}")
        single = isinstance(sources, Tensor)
        sources = [sources] if single else _check_sources(sources)
        grads = {id(target): np.ones_like(target.data)}
        for op, output, inputs, backward in reversed(self.records):
            g = grads.get(id(output))
            if g is None:  # this operation does not lead to the target
                continue
            for x, gx in zip(inputs, backward(g)):
                gx = unbroadcast(np.asarray(gx, dtype=np.float64), x.shape)
                # A Tensor used twice collects a gradient from each use.
                grads[id(x)] = grads[id(x)] + gx if id(x) in grads else gx
        # Copies: the caller may change them in place without touching the tape's arrays.
        result = [None if id(s) not in grads else np.array(grads[id(s)]) for s in sources]
        return result[0] if single else result


def _check_sources(sources):
    if not isinstance(sources, (list, tuple)):
        raise TypeError(f"sources must be a Tensor or a list of Tensors, got {type(sources).__name__}")
    for i, source in enumerate(sources):
        if not isinstance(source, Tensor):
            raise TypeError(f"sources[{i}] must be a Tensor, got {type(source).__name__}"
                            " (wrap it with as_tensor before the tape records it)")
    return list(sources)
