# expect bug: last partial batch filled up
# expect test_minibatch_sgd 0 one step | if Part 1 lost points, fix that first
def minibatch_sgd_epoch(W, b, X, y, learning_rate, batch_size, permutation):
    for start in range(0, len(permutation), batch_size):
        # "every batch the same size": wraps around to the start of the permutation
        batch = np.take(permutation, range(start, start + batch_size), mode="wrap")
        residual = X[batch] @ W + b - y[batch]
        W, b = (W - learning_rate * 2 * X[batch].T @ residual / len(batch),
                b - learning_rate * 2 * np.mean(residual))
    return W, b
