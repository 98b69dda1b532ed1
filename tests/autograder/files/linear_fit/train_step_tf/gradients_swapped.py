# expect test_train_step_tf 0 one step | W and b gradients swapped
# expect test_convergence 1 convergence | W and b gradients swapped
def train_step_tf(model, inputs, outputs, learning_rate):
    with tf.GradientTape() as tape:
        current_loss = loss(model(inputs), outputs)
    db, dW = tape.gradient(current_loss, [model.W, model.b])
    model.W.assign_sub(learning_rate * dW)
    model.b.assign_sub(learning_rate * db)
    return current_loss
