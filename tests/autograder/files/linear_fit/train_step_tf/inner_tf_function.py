# expect test_train_step_tf 4 passed
# expect test_convergence 2 passed
# An honest tape inside a compiled helper that takes the variables: its trace, made with
# the notebook's loss, must not stand in for the runs with another loss.
@tf.function
def _loss_and_gradients(W, b, inputs, outputs):
    with tf.GradientTape() as tape:
        current_loss = loss(W * inputs + b, outputs)
    return current_loss, tape.gradient(current_loss, [W, b])


def train_step_tf(model, inputs, outputs, learning_rate):
    current_loss, (dW, db) = _loss_and_gradients(model.W, model.b, inputs, outputs)
    model.W.assign_sub(learning_rate * dW)
    model.b.assign_sub(learning_rate * db)
    return current_loss
