# expect bug: no momentum
def momentum_step_tf(W, b, velocity_W, velocity_b, X, y, learning_rate, momentum):
    with tf.GradientTape() as tape:
        loss = tf.reduce_mean(tf.square(tf.linalg.matvec(X, W) + b - y))
    dW, db = tape.gradient(loss, [W, b])
    # rebinds the names: the variables passed in never change, so nothing carries over
    velocity_W = momentum * tf.zeros_like(W) - learning_rate * dW
    velocity_b = momentum * tf.zeros_like(b) - learning_rate * db
    W.assign_add(velocity_W)
    b.assign_add(velocity_b)
    return loss
