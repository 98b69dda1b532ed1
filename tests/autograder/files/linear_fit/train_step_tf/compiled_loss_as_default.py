# expect test_train_step_tf 4 passed
# expect test_convergence 2 passed
# An honest tape step that compiles the notebook's `loss` and takes it as a default
# argument: the object it holds is the one the grader's swap must reach.
loss = tf.function(loss)


def train_step_tf(model, inputs, outputs, learning_rate, loss_fn=loss):
    with tf.GradientTape() as tape:
        current_loss = loss_fn(model(inputs), outputs)
    dW, db = tape.gradient(current_loss, [model.W, model.b])
    model.W.assign_sub(learning_rate * dW)
    model.b.assign_sub(learning_rate * db)
    return current_loss
