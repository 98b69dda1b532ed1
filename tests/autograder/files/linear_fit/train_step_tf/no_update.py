# expect test_train_step_tf 0 one step | no update at all
# expect test_convergence 1 convergence | no update at all
def train_step_tf(model, inputs, outputs, learning_rate):
    with tf.GradientTape() as tape:
        current_loss = loss(model(inputs), outputs)
    dW, db = tape.gradient(current_loss, [model.W, model.b])
    new_W = model.W - learning_rate * dW
    new_b = model.b - learning_rate * db
    return current_loss
