# expect bug: divided by the size of x
def mean_backward(grad, x, axis=None):
    if grad.ndim < x.ndim:
        grad = grad.reshape((1,) * x.ndim) if axis is None else np.expand_dims(grad, axis)
    return np.broadcast_to(grad, x.shape) / x.size
