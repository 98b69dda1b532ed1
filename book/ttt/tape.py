"""A small reverse-mode tape in NumPy, built step by step in book/tapes/numpy_tape.md.

While a :class:`Tape` is active, every operation on :class:`Tensor`s appends one record to
it: the output, the inputs, and a function that turns the output's gradient into the
inputs' gradients (a vector-Jacobian product). :meth:`Tape.gradient` replays the records
backward. Like ``tf.GradientTape`` it returns ``None`` for a source the target does not
depend on, and sums gradients over broadcast dimensions.
"""

from __future__ import annotations

import numpy as np

_active_tapes: list["Tape"] = []


class Tensor:
    """An array that records the operations applied to it on every active tape."""

    __array_priority__ = 100  # so ndarray * Tensor calls Tensor.__rmul__

    def __init__(self, data):
        self.data = np.asarray(data, dtype=np.float64)

    @property
    def shape(self):
        return self.data.shape

    def __repr__(self):
        return f"Tensor({self.data!r})"

    def __add__(self, other):
        other = as_tensor(other)
        return record(self.data + other.data, (self, other), lambda g: (g, g))

    def __sub__(self, other):
        other = as_tensor(other)
        return record(self.data - other.data, (self, other), lambda g: (g, -g))

    def __mul__(self, other):
        other = as_tensor(other)
        return record(self.data * other.data, (self, other),
                      lambda g: (g * other.data, g * self.data))

    def __truediv__(self, other):
        other = as_tensor(other)
        return record(self.data / other.data, (self, other),
                      lambda g: (g / other.data, -g * self.data / other.data**2))

    def __pow__(self, exponent: float):
        return record(self.data**exponent, (self,),
                      lambda g: (g * exponent * self.data ** (exponent - 1),))

    def __neg__(self):
        return record(-self.data, (self,), lambda g: (-g,))

    def __radd__(self, other):
        return as_tensor(other) + self

    def __rsub__(self, other):
        return as_tensor(other) - self

    def __rmul__(self, other):
        return as_tensor(other) * self

    def __rtruediv__(self, other):
        return as_tensor(other) / self


def as_tensor(value) -> Tensor:
    """Wrap a number or array as a constant Tensor; leave a Tensor as it is."""
    return value if isinstance(value, Tensor) else Tensor(value)


def record(data, inputs, backward) -> Tensor:
    """Make the output Tensor and note how to send its gradient back to ``inputs``."""
    output = Tensor(data)
    for tape in _active_tapes:
        tape.records.append((output, inputs, backward))
    return output


def square(x):
    return as_tensor(x) ** 2


def exp(x):
    x = as_tensor(x)
    result = np.exp(x.data)
    return record(result, (x,), lambda g: (g * result,))


def log(x):
    x = as_tensor(x)
    return record(np.log(x.data), (x,), lambda g: (g / x.data,))


def reduce_sum(x, axis=None):
    x = as_tensor(x)
    return record(np.sum(x.data, axis=axis), (x,),
                  lambda g: (np.broadcast_to(_keep_dims(g, axis, x.data.ndim), x.shape),))


def reduce_mean(x, axis=None):
    x = as_tensor(x)
    count = x.data.size if axis is None else np.prod([x.shape[a] for a in np.atleast_1d(axis)])
    return reduce_sum(x, axis) / count


def _keep_dims(g, axis, ndim):
    """Re-insert the axes a reduction removed, so ``g`` broadcasts back over them."""
    if axis is None:
        return np.reshape(g, (1,) * ndim)
    return np.expand_dims(g, tuple(a % ndim for a in np.atleast_1d(axis)))


def _unbroadcast(g, shape):
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
        self.records = []

    def __enter__(self):
        _active_tapes.append(self)
        return self

    def __exit__(self, *exc_info):
        _active_tapes.remove(self)

    def gradient(self, target: Tensor, sources):
        """d target / d source for each source; ``None`` where target does not depend on it."""
        single = isinstance(sources, Tensor)
        sources = [sources] if single else list(sources)
        grads = {id(target): np.ones_like(target.data)}
        for output, inputs, backward in reversed(self.records):
            g = grads.get(id(output))
            if g is None:  # this record does not lead to the target
                continue
            for x, gx in zip(inputs, backward(g)):
                gx = _unbroadcast(np.asarray(gx, dtype=np.float64), x.shape)
                grads[id(x)] = grads[id(x)] + gx if id(x) in grads else gx
        result = [grads.get(id(s)) for s in sources]
        return result[0] if single else result
