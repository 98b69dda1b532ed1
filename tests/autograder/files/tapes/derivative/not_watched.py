# expect test_derivative 0 error | tape.watch(x)
def derivative(f, x):
    with tf.GradientTape() as tape:
        y = f(x)
    return tape.gradient(y, x)
