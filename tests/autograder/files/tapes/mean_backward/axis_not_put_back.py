# expect test_mean_backward 1.43 one step | Bug: the reduced axis not put back
def mean_backward(grad, x, axis=None):
    # NumPy's broadcasting lines grad up with x's last axes, not with the averaged one: on
    # the square matrix the gradient is spread along the wrong axis (the bug named), on the
    # 3-D array it cannot be broadcast at all (an error, which the simulation leaves out).
    count = x.size if axis is None else x.shape[axis]
    return np.broadcast_to(grad, x.shape) / count
