# expect bug: permutation ignored
# expect test_minibatch_sgd 0 one step | Bug: no shuffling
def minibatch_sgd_epoch(W, b, X, y, learning_rate, batch_size, permutation):
    for start in range(0, len(X), batch_size):
        X_batch, y_batch = X[start:start + batch_size], y[start:start + batch_size]
        residual = X_batch @ W + b - y_batch
        W, b = (W - learning_rate * 2 * X_batch.T @ residual / len(y_batch),
                b - learning_rate * 2 * np.mean(residual))
    return W, b
