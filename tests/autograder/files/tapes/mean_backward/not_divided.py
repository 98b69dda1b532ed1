# expect bug: the sum's rule (no division by the count)
def mean_backward(grad, x, axis=None):
    # The sum's backward rule: every element gets the output's gradient, undivided.
    if grad.ndim < x.ndim:
        grad = grad.reshape((1,) * x.ndim) if axis is None else np.expand_dims(grad, axis)
    return np.broadcast_to(grad, x.shape)
