# expect bug: loss summed, not averaged
def momentum_step_tf(W, b, velocity_W, velocity_b, X, y, learning_rate, momentum):
    with tf.GradientTape() as tape:
        loss = tf.reduce_sum(tf.square(tf.linalg.matvec(X, W) + b - y))
    dW, db = tape.gradient(loss, [W, b])
    velocity_W.assign(momentum * velocity_W - learning_rate * dW)
    velocity_b.assign(momentum * velocity_b - learning_rate * db)
    W.assign_add(velocity_W)
    b.assign_add(velocity_b)
    return loss
