# expect bug: velocity in chapter 3's form
def momentum_step_tf(W, b, velocity_W, velocity_b, X, y, learning_rate, momentum):
    with tf.GradientTape() as tape:
        loss = tf.reduce_mean(tf.square(tf.linalg.matvec(X, W) + b - y))
    dW, db = tape.gradient(loss, [W, b])
    velocity_W.assign(momentum * velocity_W + dW)
    velocity_b.assign(momentum * velocity_b + db)
    W.assign_sub(learning_rate * velocity_W)
    b.assign_sub(learning_rate * velocity_b)
    return loss
