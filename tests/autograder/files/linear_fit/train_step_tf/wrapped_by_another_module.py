# expect test_train_step_tf 4 passed
# expect test_convergence 2 passed
# An honest tape step under a decorator from another module (its wrapper's namespace is
# TensorFlow's, not the notebook's): still judged on the notebook's `loss`.
@tf.autograph.experimental.do_not_convert
def train_step_tf(model, inputs, outputs, learning_rate):
    with tf.GradientTape() as tape:
        current_loss = loss(model(inputs), outputs)
    dW, db = tape.gradient(current_loss, [model.W, model.b])
    model.W.assign_sub(learning_rate * dW)
    model.b.assign_sub(learning_rate * db)
    return current_loss
