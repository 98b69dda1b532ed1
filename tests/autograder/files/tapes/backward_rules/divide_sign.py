# expect bug: sign of y's gradient flipped
def multiply_backward(grad, x, y):
    return grad * y, grad * x


def divide_backward(grad, x, y):
    return grad / y, grad * x / y**2


def exp_backward(grad, x):
    return grad * np.exp(x)
