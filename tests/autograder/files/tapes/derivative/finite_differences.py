# expect bug: finite differences instead of the tape
def derivative(f, x):
    h = 1e-3
    return (f(x + h) - f(x - h)) / (2 * h)
