# Not an attack: an honest tape inside a compiled helper that takes the variables. Its trace,
# made with the notebook's loss, must not be mistaken for a step that ignores the tape.
SOLUTION
FIXTURE linear_fit/train_step_tf/inner_tf_function.py
