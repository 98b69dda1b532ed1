# expect test_train_step_numpy 0 one step | W and b gradients swapped
# expect test_convergence 1 convergence | W and b gradients swapped
def train_step_numpy(W, b, inputs, outputs, learning_rate):
    residual = inputs * W + b - outputs
    dW = 2 * np.mean(residual * inputs)
    db = 2 * np.mean(residual)
    return W - learning_rate * db, b - learning_rate * dW
