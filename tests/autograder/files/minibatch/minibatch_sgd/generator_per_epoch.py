# expect bug: no reshuffle between epochs
def minibatch_sgd(W, b, X, y, learning_rate, batch_size, epochs, seed):
    for _ in range(epochs):
        rng = np.random.default_rng(seed)  # the same first permutation, every epoch
        W, b = minibatch_sgd_epoch(W, b, X, y, learning_rate, batch_size,
                                   rng.permutation(len(X)))
    return W, b
