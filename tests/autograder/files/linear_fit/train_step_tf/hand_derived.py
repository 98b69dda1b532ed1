# expect test_train_step_tf 0 one step | gradients not taken from the tape of `loss`
# expect test_convergence 1 convergence | gradients not taken from the tape of `loss`
def train_step_tf(model, inputs, outputs, learning_rate):
    residual = model(inputs) - outputs
    dW = 2 * tf.reduce_mean(residual * inputs)
    db = 2 * tf.reduce_mean(residual)
    current_loss = tf.reduce_mean(tf.square(residual))
    model.W.assign_sub(learning_rate * dW)
    model.b.assign_sub(learning_rate * db)
    return current_loss
