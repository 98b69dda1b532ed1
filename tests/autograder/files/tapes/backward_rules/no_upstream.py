# expect bug: upstream gradient left out
def multiply_backward(grad, x, y):
    return y, x


def divide_backward(grad, x, y):
    return 1 / y, -x / y**2


def exp_backward(grad, x):
    return np.exp(x)
