# expect test_train_step_tf 0 error
# expect test_convergence 1 convergence
def train_step_tf(model, inputs, outputs, learning_rate):
    raise NotImplementedError()
