# Both steps leave W and b alone on their first call (a known slip), then jump to the
# least-squares line on every later call: at the optimum in the end, without descending.
FIXTURE linear_fit/train_step_numpy/jumps_after_first_call.py
FIXTURE linear_fit/train_step_tf/jumps_after_first_call.py
