# expect test_momentum_step_tf 0 error | tape.gradient returned None
def momentum_step_tf(W, b, velocity_W, velocity_b, X, y, learning_rate, momentum):
    loss = tf.reduce_mean(tf.square(tf.linalg.matvec(X, W) + b - y))
    with tf.GradientTape() as tape:
        pass
    dW, db = tape.gradient(loss, [W, b])
    velocity_W.assign(momentum * velocity_W - learning_rate * dW)
    velocity_b.assign(momentum * velocity_b - learning_rate * db)
    W.assign_add(velocity_W)
    b.assign_add(velocity_b)
    return loss
