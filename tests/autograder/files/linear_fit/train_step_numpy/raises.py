# expect test_train_step_numpy 0 error
# expect test_convergence 1 convergence
def train_step_numpy(W, b, inputs, outputs, learning_rate):
    raise NotImplementedError()
