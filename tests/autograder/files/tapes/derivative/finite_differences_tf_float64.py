# expect bug: finite differences instead of the tape
def derivative(f, x):
    # The same estimate with TensorFlow operations only, in float64.
    x = tf.cast(x, tf.float64)
    h = tf.constant(1e-5, dtype=tf.float64)
    return (f(x + h) - f(x - h)) / (2 * h)
