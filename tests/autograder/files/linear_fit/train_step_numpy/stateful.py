# expect test_train_step_numpy 2 trajectory
# expect test_convergence 1 convergence | step 2 was a step with a known slip (missing factor 2)
# Right on the first call of each run, then the learning rate silently shrinks: a step
# that changes what it does part-way earns no convergence points, though it gets there.
calls = []


def train_step_numpy(W, b, inputs, outputs, learning_rate):
    calls.append(1)
    rate = learning_rate if len(calls) % 5 == 1 else learning_rate / 2
    residual = inputs * W + b - outputs
    return W - rate * 2 * np.mean(residual * inputs), b - rate * 2 * np.mean(residual)
