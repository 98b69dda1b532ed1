# expect test_train_step_numpy 0 one step | no update at all
# expect test_convergence 1 convergence | step 2 jumped to the least-squares optimum
# Unchanged on its first call with new data (a known slip), then straight to the
# least-squares line on every later call: it ends at the optimum without descending.
seen = set()


def train_step_numpy(W, b, inputs, outputs, learning_rate):
    key = (len(inputs), float(inputs[0]), float(outputs[0]))
    if key not in seen:
        seen.add(key)
        return W, b
    new_W, new_b = np.polyfit(inputs.astype(np.float64), outputs.astype(np.float64), 1)
    return float(new_W), float(new_b)
