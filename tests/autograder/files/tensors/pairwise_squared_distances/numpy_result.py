# expect test_pairwise_squared_distances 1.5 one step | not a tf.Tensor
def pairwise_squared_distances(a, b):
    a, b = np.asarray(a), np.asarray(b)
    return ((a[:, None, :] - b[None, :, :]) ** 2).sum(axis=-1)
