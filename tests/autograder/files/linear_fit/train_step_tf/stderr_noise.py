# expect test_train_step_tf 4 passed
# Warnings and prints on stderr are harmless: they cost no points.
import sys
import warnings

noted = []


def train_step_tf(model, inputs, outputs, learning_rate):
    if not noted:
        warnings.warn("a learner's warning")
        print("a note on stderr", file=sys.stderr)
        noted.append(True)
    with tf.GradientTape() as tape:
        current_loss = loss(model(inputs), outputs)
    dW, db = tape.gradient(current_loss, [model.W, model.b])
    model.W.assign_sub(learning_rate * dW)
    model.b.assign_sub(learning_rate * db)
    return current_loss
