"""Reference TensorFlow 2 model and train steps for f(x) = x·W + b.

Taught in book/linear_fit/tensorflow.md (and timed in book/linear_fit/speed.md). Kept
apart from :mod:`ttt.reference` because importing TensorFlow takes seconds.
"""

from __future__ import annotations

import numpy as np
import tensorflow as tf

from ttt.data import W0, b0
from ttt.reference import Trajectory, _check_epochs


class Model(tf.Module):
    """f(x) = x·W + b with two trainable ``tf.Variable``s, started at the origin's (5, 0)."""

    def __init__(self, W=W0, b=b0, **kwargs):
        super().__init__(**kwargs)
        self.W = tf.Variable(W, dtype=tf.float32, name="W")
        self.b = tf.Variable(b, dtype=tf.float32, name="b")

    def __call__(self, x):
        return self.W * x + self.b


def loss(predicted_y, desired_y):
    """Mean squared error, the origin's L2 loss."""
    return tf.reduce_mean(tf.square(predicted_y - desired_y))


def train_step_tf(model, inputs, outputs, learning_rate, loss_fn=loss):
    """One step: record the loss on a tape, then ``assign_sub`` on W and b.

    Returns the loss *before* the update. ``loss_fn`` defaults to the mean squared error.
    """
    with tf.GradientTape() as tape:
        current_loss = loss_fn(model(inputs), outputs)
    dW, db = tape.gradient(current_loss, [model.W, model.b])
    model.W.assign_sub(learning_rate * dW)
    model.b.assign_sub(learning_rate * db)
    return current_loss


def train_step_keras(model, inputs, outputs, optimizer, loss_fn=loss):
    """One step with a Keras optimizer doing the update (plain SGD: ``W -= rate·dW``).

    Returns the loss before the update, like :func:`train_step_tf`.
    """
    with tf.GradientTape() as tape:
        current_loss = loss_fn(model(inputs), outputs)
    gradients = tape.gradient(current_loss, [model.W, model.b])
    optimizer.apply_gradients(zip(gradients, [model.W, model.b]))
    return current_loss


def make_compiled_step():
    """A fresh ``tf.function`` of :func:`train_step_tf`: traced to a graph on first call.

    Fresh each time so that one caller's traces do not count against another's.
    """
    return tf.function(train_step_tf)


def fit_tf(model, inputs, outputs, learning_rate, epochs, step=train_step_tf) -> Trajectory:
    """Run ``epochs`` steps of ``step``, logging W, b and the loss before each."""
    _check_epochs(epochs)
    Ws, bs, losses = [], [], []
    for _ in range(epochs):
        Ws.append(float(model.W.numpy()))
        bs.append(float(model.b.numpy()))
        losses.append(float(step(model, inputs, outputs, learning_rate)))
    return Trajectory(np.array(Ws), np.array(bs), np.array(losses))


def fit_keras(model, inputs, outputs, learning_rate, epochs) -> Trajectory:
    """:func:`fit_tf` with ``tf.keras.optimizers.SGD(learning_rate)`` making the updates."""
    optimizer = tf.keras.optimizers.SGD(learning_rate=learning_rate)

    def step(model, inputs, outputs, _learning_rate):
        return train_step_keras(model, inputs, outputs, optimizer)

    return fit_tf(model, inputs, outputs, learning_rate, epochs, step=step)
