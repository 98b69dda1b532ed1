# expect bug: Hessian without the factor 2
def fastest_learning_rate(inputs):
    x = np.asarray(inputs, dtype=np.float64)
    hessian = np.array([[np.mean(x * x), np.mean(x)], [np.mean(x), 1.0]])
    smallest, largest = np.linalg.eigvalsh(hessian)
    return 2 / (smallest + largest)
