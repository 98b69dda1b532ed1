"""The linear_fit assignment (chapter 4): a NumPy step, a TensorFlow step, convergence.

Its parts are :class:`~autograder.parts.spec.CustomPart`: their checks follow whole
trajectories (:func:`autograder.probe.check_train_step_numpy` and the others) and their
judging lives in :mod:`autograder.judging.linear_fit`.
"""

CHAPTER = 4
