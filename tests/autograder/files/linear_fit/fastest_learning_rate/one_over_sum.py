# expect bug: 1 instead of 2 over the sum of the eigenvalues
def fastest_learning_rate(inputs):
    x = np.asarray(inputs, dtype=np.float64)
    hessian = 2 * np.array([[np.mean(x * x), np.mean(x)], [np.mean(x), 1.0]])
    return 1 / np.linalg.eigvalsh(hessian).sum()
