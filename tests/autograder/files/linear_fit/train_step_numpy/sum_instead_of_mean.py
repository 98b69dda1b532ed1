# expect test_train_step_numpy 0 one step | sum instead of mean
# expect test_convergence 1 convergence | sum instead of mean
def train_step_numpy(W, b, inputs, outputs, learning_rate):
    residual = inputs * W + b - outputs
    dW = 2 * np.sum(residual * inputs)
    db = 2 * np.sum(residual)
    return W - learning_rate * dW, b - learning_rate * db
