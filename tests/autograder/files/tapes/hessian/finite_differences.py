# expect test_hessian 0 one step | approximation
def hessian(f, x):
    # Central differences of the tape's gradient, one column per element of x (float32).
    def gradient(at):
        with tf.GradientTape() as tape:
            tape.watch(at)
            y = f(at)
        return tape.gradient(y, at)
    h = 1e-2
    columns = []
    for i in range(x.shape[0]):
        step = tf.one_hot(i, x.shape[0], dtype=x.dtype) * h
        columns.append((gradient(x + step) - gradient(x - step)) / (2 * h))
    return tf.stack(columns, axis=1)
