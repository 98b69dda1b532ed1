"""Shared helpers for *Tensors, Tapes & Training*.

One copy of everything the book and the autograder both need:

- :mod:`ttt.data` — the synthetic data of the linear fit (chapter 4);
- :mod:`ttt.reference` — reference train steps in NumPy, the least-squares floor;
- :mod:`ttt.reference_tf` — the TensorFlow reference (imports TensorFlow, so kept apart);
- :mod:`ttt.tape` — the small NumPy reverse-mode tape of chapter 2;
- :mod:`ttt.optim` — minibatch SGD, momentum and Adam in NumPy, as Keras steps (chapter 5);
- :mod:`ttt.plotting` — figures with a colour-blind-safe palette.

Importing :mod:`ttt` itself is cheap: it imports neither TensorFlow nor matplotlib.

``__version__`` is the version of the book and of this package, kept here only: the
learners' wheel (``make dist``), the repository's own install, the set-up cell every
notebook starts with (:mod:`ttt.setup_cell`) and the book's front page all read it.
"""

__version__ = "0.1.0"

__all__ = ["data", "optim", "reference", "tape"]
