# expect bug: x and y gradients swapped
def multiply_backward(grad, x, y):
    return grad * x, grad * y


def divide_backward(grad, x, y):
    return grad / y, -grad * x / y**2


def exp_backward(grad, x):
    return grad * np.exp(x)
