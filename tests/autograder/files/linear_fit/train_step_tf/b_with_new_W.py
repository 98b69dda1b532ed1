# expect test_train_step_tf 0 one step | b updated with the new W
# expect test_convergence 2 passed
def train_step_tf(model, inputs, outputs, learning_rate):
    with tf.GradientTape() as tape:
        current_loss = loss(model(inputs), outputs)
    model.W.assign_sub(learning_rate * tape.gradient(current_loss, model.W))
    with tf.GradientTape() as tape:
        loss_after_W = loss(model(inputs), outputs)
    model.b.assign_sub(learning_rate * tape.gradient(loss_after_W, model.b))
    return current_loss
