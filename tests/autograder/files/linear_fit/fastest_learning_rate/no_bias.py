# expect bug: ignored the bias term (used 2·mean(x²) only)
def fastest_learning_rate(inputs):
    # A model with W only: one curvature, 2 mean(x²), and the rate that settles it at once.
    curvature = 2 * np.mean(np.asarray(inputs, dtype=np.float64) ** 2)
    return 2 / (curvature + curvature)
