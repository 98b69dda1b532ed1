"""The linear_fit assignment (chapter 4): a NumPy step, a TensorFlow step, convergence, and
the fastest learning rate from the Hessian.

Its first three parts are :class:`~autograder.parts.spec.CustomPart`: their checks follow
whole trajectories (:func:`autograder.probe.check_train_step_numpy` and the others) and
their judging lives in :mod:`autograder.judging.linear_fit`. The fourth is an ordinary
:class:`~autograder.parts.spec.ArrayPart`.
"""

CHAPTER = 4
