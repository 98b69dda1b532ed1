# Part 3 with no Adam step at all: param - learning_rate * sign(grad), the moments updated.
# Adam's first step from zero moments is that sign step to within epsilon / sqrt(1 - beta_2)
# of |grad| (6e-6 relative with Keras's epsilon): the case "the first step" passed.
# earned before the fix: test_adam_step 1 one step (sandbox)
# earns: test_adam_step 0 one step | “the first step”
# fixed by: the case "the first step" draws with epsilon 0.01 (as "step {t}"), where
#   epsilon / sqrt(1 - beta_2) is about 0.3: a sign step is then 20-60 % too long.
def adam_step(param, grad, m, v, t, learning_rate, beta_1=0.9, beta_2=0.999, epsilon=1e-7):
    return (param - learning_rate * np.sign(grad), beta_1 * m + (1 - beta_1) * grad,
            beta_2 * v + (1 - beta_2) * grad**2)
