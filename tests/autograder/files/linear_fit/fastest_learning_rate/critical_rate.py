# expect bug: the critical rate 2/λ_max, not the fastest
def fastest_learning_rate(inputs):
    # The chapter's critical_learning_rate: where the steps start to diverge.
    x = np.asarray(inputs, dtype=np.float64)
    hessian = 2 * np.array([[np.mean(x * x), np.mean(x)], [np.mean(x), 1.0]])
    return 2 / np.linalg.eigvalsh(hessian).max()
