# expect test_train_step_tf 0 one step | variables rebound instead of assigned
# expect test_convergence 1 convergence | variables rebound instead of assigned
def train_step_tf(model, inputs, outputs, learning_rate):
    with tf.GradientTape() as tape:
        current_loss = loss(model(inputs), outputs)
    dW, db = tape.gradient(current_loss, [model.W, model.b])
    model.W = model.W - learning_rate * dW
    model.b = model.b - learning_rate * db
    return current_loss
