# expect test_hessian 0 error | inside the outer tape
def hessian(f, x):
    # The inner gradient is computed after the outer tape stopped recording.
    with tf.GradientTape() as outer:
        outer.watch(x)
        with tf.GradientTape() as inner:
            inner.watch(x)
            y = f(x)
    gradient = inner.gradient(y, x)
    return outer.jacobian(gradient, x)
