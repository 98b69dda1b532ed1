# expect test_train_step_tf 0 one step | sign flipped
# expect test_convergence 1 convergence | sign flipped
def train_step_tf(model, inputs, outputs, learning_rate):
    with tf.GradientTape() as tape:
        current_loss = loss(model(inputs), outputs)
    dW, db = tape.gradient(current_loss, [model.W, model.b])
    model.W.assign_add(learning_rate * dW)
    model.b.assign_add(learning_rate * db)
    return current_loss
