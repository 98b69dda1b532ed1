# expect bug: batch gradient summed, not averaged
# expect test_minibatch_sgd 0 one step | if Part 1 lost points, fix that first
def minibatch_sgd_epoch(W, b, X, y, learning_rate, batch_size, permutation):
    for start in range(0, len(permutation), batch_size):
        batch = permutation[start:start + batch_size]
        residual = X[batch] @ W + b - y[batch]
        W, b = (W - learning_rate * 2 * X[batch].T @ residual,
                b - learning_rate * 2 * np.sum(residual))
    return W, b
