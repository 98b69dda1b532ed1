# expect bug: no update at all
def momentum_step(W, velocity, gradient, learning_rate, momentum):
    velocity = momentum * velocity + gradient
    W = W - learning_rate * velocity
