# Shared tail of the hostile cells: steps that do nothing (they earn no points).
def train_step_numpy(W, b, inputs, outputs, learning_rate):
    return W, b


def train_step_tf(model, inputs, outputs, learning_rate):
    return 0.0
