# expect bug: gradient of all the data in every step
# expect test_minibatch_sgd 0 one step | if Part 1 lost points, fix that first
def minibatch_sgd_epoch(W, b, X, y, learning_rate, batch_size, permutation):
    for start in range(0, len(permutation), batch_size):
        residual = X @ W + b - y
        W, b = (W - learning_rate * 2 * X.T @ residual / len(y),
                b - learning_rate * 2 * np.mean(residual))
    return W, b
