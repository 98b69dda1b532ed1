# expect bug: no square root of v
def adam_step(param, grad, m, v, t, learning_rate, beta_1=0.9, beta_2=0.999, epsilon=1e-7):
    m = beta_1 * m + (1 - beta_1) * grad
    v = beta_2 * v + (1 - beta_2) * grad**2
    step_size = learning_rate * np.sqrt(1 - beta_2**t) / (1 - beta_1**t)
    return param - step_size * m / (v + epsilon), m, v
