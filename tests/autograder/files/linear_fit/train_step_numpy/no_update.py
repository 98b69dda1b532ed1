# expect test_train_step_numpy 0 one step | no update at all
# expect test_convergence 1 convergence | no update at all
def train_step_numpy(W, b, inputs, outputs, learning_rate):
    residual = inputs * W + b - outputs
    dW = 2 * np.mean(residual * inputs)
    db = 2 * np.mean(residual)
    W - learning_rate * dW
    b - learning_rate * db
    return W, b
