# expect test_train_step_tf 0 one step | gradients by finite differences, not from the tape
# expect test_convergence 1 convergence | gradients by finite differences, not from the tape
# Central differences of the notebook's `loss` in float64: as precise as the tape for the
# MSE, and it follows any swapped-in loss's values, but not a gradient a loss registers.
def train_step_tf(model, inputs, outputs, learning_rate):
    x = tf.cast(inputs, tf.float64)
    y = tf.cast(outputs, tf.float64)
    W = tf.cast(model.W, tf.float64)
    b = tf.cast(model.b, tf.float64)
    h = 1e-6

    def value(W, b):
        return loss(x * W + b, y)

    dW = (value(W + h, b) - value(W - h, b)) / (2 * h)
    db = (value(W, b + h) - value(W, b - h)) / (2 * h)
    current_loss = loss(model(inputs), outputs)
    model.W.assign_sub(tf.cast(learning_rate * dW, tf.float32))
    model.b.assign_sub(tf.cast(learning_rate * db, tf.float32))
    return current_loss
