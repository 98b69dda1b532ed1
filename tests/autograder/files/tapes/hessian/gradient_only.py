# expect bug: the gradient, not the Hessian
def hessian(f, x):
    # One tape: the first derivative, returned as if it were the second.
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = f(x)
    return tape.gradient(y, x)
