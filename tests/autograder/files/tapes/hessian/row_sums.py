# expect bug: outer.gradient instead of outer.jacobian
def hessian(f, x):
    # The outer tape's gradient of the vector `gradient` differentiates its sum.
    with tf.GradientTape() as outer:
        outer.watch(x)
        with tf.GradientTape() as inner:
            inner.watch(x)
            y = f(x)
        gradient = inner.gradient(y, x)
    return outer.gradient(gradient, x)
