# Part 4 "in TensorFlow, under tf.GradientTape" done in NumPy with hand-written gradients;
# the variables are only assigned the results, the loss returned is a Python float.
# earned before the fix: test_momentum_step_tf 3 passed (sandbox)
# earns: test_momentum_step_tf 0 error | Bug: a shortcut the part rules out
# fixed by: the part's source rule requires `GradientTape` in the part's code.
def momentum_step_tf(W, b, velocity_W, velocity_b, X, y, learning_rate, momentum):
    Xn, yn, Wn, bn = X.numpy(), y.numpy(), W.numpy(), b.numpy()
    residual = Xn @ Wn + bn - yn
    dW, db = 2 * Xn.T @ residual / len(yn), 2 * residual.mean()
    velocity_W.assign(momentum * velocity_W.numpy() - float(learning_rate) * dW)
    velocity_b.assign(momentum * velocity_b.numpy() - float(learning_rate) * db)
    W.assign(Wn + velocity_W.numpy())
    b.assign(bn + velocity_b.numpy())
    return float(np.mean(residual**2))
