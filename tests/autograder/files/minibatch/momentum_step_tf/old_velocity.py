# expect bug: parameters moved by the old velocity
def momentum_step_tf(W, b, velocity_W, velocity_b, X, y, learning_rate, momentum):
    with tf.GradientTape() as tape:
        loss = tf.reduce_mean(tf.square(tf.linalg.matvec(X, W) + b - y))
    dW, db = tape.gradient(loss, [W, b])
    W.assign_add(velocity_W)
    b.assign_add(velocity_b)
    velocity_W.assign(momentum * velocity_W - learning_rate * dW)
    velocity_b.assign(momentum * velocity_b - learning_rate * db)
    return loss
