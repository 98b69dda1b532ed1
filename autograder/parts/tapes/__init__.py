"""The tapes assignment (chapter 2): backward rules of the NumPy tape, tf.GradientTape."""

CHAPTER = 2
