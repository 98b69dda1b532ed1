# Part 4: a right first step on each run, then an exception on every later call. The rule
# half_for_a_right_first_step (autograder/parts/_first_step.py) pays half for "a slip in
# how the state carries over"; before the fix it paid as well for a run that stopped with an
# error.
# earned before the fix: test_momentum_step_tf 1.5 trajectory (sandbox)
# earns: test_momentum_step_tf 0 error | raised RuntimeError
# fixed by: half_for_a_right_first_step counts only runs that took every step, without an
#   error (the half is for a slip in how the state carries over, not for stopping).
_stepped = []  # the runs' W variables, kept alive (an id alone may be reused)


def momentum_step_tf(W, b, velocity_W, velocity_b, X, y, learning_rate, momentum):
    if any(seen is W for seen in _stepped):
        raise RuntimeError("only one step")
    _stepped.append(W)
    with tf.GradientTape() as tape:
        loss = tf.reduce_mean(tf.square(tf.linalg.matvec(X, W) + b - y))
    dW, db = tape.gradient(loss, [W, b])
    W.assign_add(momentum * velocity_W - learning_rate * dW)
    b.assign_add(momentum * velocity_b - learning_rate * db)
    return loss
