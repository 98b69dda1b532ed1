# expect test_mean_backward 1.43 error | put an axis back only when grad has fewer
def mean_backward(grad, x, axis=None):
    # Always puts an axis back, even when the mean kept it: the two keepdims cases over one
    # axis raise (the one over every axis reshapes to the same shape and passes).
    count = x.size if axis is None else x.shape[axis]
    grad = grad.reshape((1,) * x.ndim) if axis is None else np.expand_dims(grad, axis)
    return np.broadcast_to(grad, x.shape) / count
