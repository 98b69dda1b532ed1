# The right NumPy step; a TensorFlow step whose gradients are central differences of the
# notebook's `loss` in float64: it follows any swapped-in loss's values, never the tape.
SOLUTION
FIXTURE linear_fit/train_step_tf/finite_differences.py
