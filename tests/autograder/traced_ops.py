"""What a graph trace shows of a TensorFlow function: the tests of the tapes parts' twins
compare a twin with its partner by it (nothing there may tell them apart)."""

from __future__ import annotations

import collections


def op_types(tf, f, spec) -> list[collections.Counter]:
    """The multisets of operation types in ``f`` traced into a graph, and in its gradient."""
    def gradient(x):
        with tf.GradientTape() as tape:
            tape.watch(x)
            y = f(x)
        return tape.gradient(y, x)

    return [collections.Counter(op.type for op in
                                tf.function(g).get_concrete_function(spec).graph.get_operations())
            for g in (f, gradient)]
