# expect bug: finite differences instead of the tape
def derivative(f, x):
    # Central differences in float64 with a tiny step: accurate to about 1e-8, so the
    # ordinary functions pass; only the custom-gradient one shows it is not a tape.
    x64 = x.numpy().astype(np.float64)
    h = 1e-7
    return (f(tf.constant(x64 + h)) - f(tf.constant(x64 - h))) / (2 * h)
