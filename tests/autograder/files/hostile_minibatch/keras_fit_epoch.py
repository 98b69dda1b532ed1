# Parts 1 and 2 "(NumPy)" without a gradient written: a Dense(1) layer trained by Keras's
# fit, SGD, shuffle=False on the rows in the permutation's order (Keras averages the short
# last batch over its own size, as the exercise asks).
# earned before the fix: test_minibatch_sgd_epoch 3 passed (sandbox)
# earned before the fix: test_minibatch_sgd 2 passed (sandbox)
# earns: test_minibatch_sgd_epoch 0 error | Bug: a shortcut the part rules out
# earns: test_minibatch_sgd 0 error | Bug: a shortcut the part rules out
# fixed by: the parts' source rules: no tf/keras in a NumPy part; Part 2's code includes the
#   minibatch_sgd_epoch it calls.
def minibatch_sgd_epoch(W, b, X, y, learning_rate, batch_size, permutation):
    tf.keras.backend.set_floatx("float64")
    model = tf.keras.Sequential([tf.keras.Input((X.shape[1],)), tf.keras.layers.Dense(1)])
    model.layers[0].set_weights([np.reshape(W, (-1, 1)), np.array([b])])
    model.compile(tf.keras.optimizers.SGD(learning_rate), "mse")
    model.fit(X[permutation], y[permutation], batch_size=batch_size, epochs=1,
              shuffle=False, verbose=0)
    kernel, bias = model.layers[0].get_weights()
    return kernel[:, 0], float(bias[0])


def minibatch_sgd(W, b, X, y, learning_rate, batch_size, epochs, seed):
    rng = np.random.default_rng(seed)
    for _ in range(epochs):
        W, b = minibatch_sgd_epoch(W, b, X, y, learning_rate, batch_size,
                                   rng.permutation(len(X)))
    return W, b
