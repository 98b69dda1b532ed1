# expect bug: no reshuffle between epochs
def minibatch_sgd(W, b, X, y, learning_rate, batch_size, epochs, seed):
    order = np.random.default_rng(seed).permutation(len(X))
    for _ in range(epochs):
        W, b = minibatch_sgd_epoch(W, b, X, y, learning_rate, batch_size, order)
    return W, b
