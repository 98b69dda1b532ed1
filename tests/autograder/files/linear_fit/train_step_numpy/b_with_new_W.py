# expect test_train_step_numpy 0 one step | b updated with the new W
# expect test_convergence 2 passed
def train_step_numpy(W, b, inputs, outputs, learning_rate):
    W = W - learning_rate * 2 * np.mean((inputs * W + b - outputs) * inputs)
    b = b - learning_rate * 2 * np.mean(inputs * W + b - outputs)
    return W, b
