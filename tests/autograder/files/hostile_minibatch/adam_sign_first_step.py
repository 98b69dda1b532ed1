# Part 3 without bias correction, its first step replaced by the sign step: before the fix
# the bug "no bias correction" showed in one case of three (t from 2 to 4), and the late case
# (t >= 20000, where the correction is 1) and the first step passed. Now the first step fails.
# earned before the fix: test_adam_step 2 one step (sandbox)
# earns: test_adam_step 1 one step | Bug: no bias correction
# fixed by: as adam_sign_step.py; "no bias correction" alone now shows in the first step too.
def adam_step(param, grad, m, v, t, learning_rate, beta_1=0.9, beta_2=0.999, epsilon=1e-7):
    m = beta_1 * m + (1 - beta_1) * grad
    v = beta_2 * v + (1 - beta_2) * grad**2
    if t == 1:
        return param - learning_rate * np.sign(grad), m, v
    return param - learning_rate * m / (np.sqrt(v) + epsilon), m, v
