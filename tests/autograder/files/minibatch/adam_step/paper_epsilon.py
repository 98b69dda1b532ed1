# expect bug: epsilon added to the corrected root
def adam_step(param, grad, m, v, t, learning_rate, beta_1=0.9, beta_2=0.999, epsilon=1e-7):
    m = beta_1 * m + (1 - beta_1) * grad
    v = beta_2 * v + (1 - beta_2) * grad**2
    m_hat, v_hat = m / (1 - beta_1**t), v / (1 - beta_2**t)
    return param - learning_rate * m_hat / (np.sqrt(v_hat) + epsilon), m, v
