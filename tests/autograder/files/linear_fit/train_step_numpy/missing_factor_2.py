# expect test_train_step_numpy 0 one step | missing factor 2
# expect test_convergence 2 passed
def train_step_numpy(W, b, inputs, outputs, learning_rate):
    residual = inputs * W + b - outputs
    dW = np.mean(residual * inputs)
    db = np.mean(residual)
    return W - learning_rate * dW, b - learning_rate * db
