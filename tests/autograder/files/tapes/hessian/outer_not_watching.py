# expect test_hessian 0 error | each tape
def hessian(f, x):
    # Only the inner tape watches the constant x: the outer tape records nothing.
    with tf.GradientTape() as outer:
        with tf.GradientTape() as inner:
            inner.watch(x)
            y = f(x)
        gradient = inner.gradient(y, x)
    return outer.jacobian(gradient, x)
