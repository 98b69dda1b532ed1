# expect bug: W updated with the old velocity
def momentum_step(W, velocity, gradient, learning_rate, momentum):
    W.assign_sub(learning_rate * velocity)
    velocity.assign(momentum * velocity + gradient)
