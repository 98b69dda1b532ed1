# Part 4 by the Keras optimizer the part forbids ("no Keras optimizer"): SGD(momentum) with
# its slots loaded from the velocity variables and copied back after the step.
# earned before the fix: test_momentum_step_tf 3 passed (sandbox)
# earns: test_momentum_step_tf 0 error | Bug: a shortcut the part rules out
# fixed by: the part's source rule: no keras, optimizers, raw_ops or apply_gradients.
def momentum_step_tf(W, b, velocity_W, velocity_b, X, y, learning_rate, momentum):
    with tf.GradientTape() as tape:
        loss = tf.keras.losses.MeanSquaredError()(y, tf.linalg.matvec(X, W) + b)
    grads = tape.gradient(loss, [W, b])
    opt = tf.keras.optimizers.SGD(learning_rate=float(learning_rate), momentum=momentum)
    opt.build([W, b])
    for slot, velocity in zip(opt.momentums, (velocity_W, velocity_b)):
        slot.assign(velocity)
    opt.apply_gradients(zip(grads, [W, b]))
    for slot, velocity in zip(opt.momentums, (velocity_W, velocity_b)):
        velocity.assign(slot)
    return loss
