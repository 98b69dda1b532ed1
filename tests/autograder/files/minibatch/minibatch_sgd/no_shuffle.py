# expect bug: no shuffling
def minibatch_sgd(W, b, X, y, learning_rate, batch_size, epochs, seed):
    for _ in range(epochs):
        W, b = minibatch_sgd_epoch(W, b, X, y, learning_rate, batch_size, np.arange(len(X)))
    return W, b
