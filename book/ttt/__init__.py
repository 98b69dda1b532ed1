"""Shared helpers for *Tensors, Tapes & Training*.

One copy of everything the book and the autograder both need:

- :mod:`ttt.data` — the synthetic data of the linear fit (chapter 4);
- :mod:`ttt.reference` — reference train steps in NumPy, the least-squares floor;
- :mod:`ttt.reference_tf` — the TensorFlow reference (imports TensorFlow, so kept apart);
- :mod:`ttt.tape` — the small NumPy reverse-mode tape of chapter 2;
- :mod:`ttt.plotting` — figures with a colour-blind-safe palette.

Importing :mod:`ttt` itself is cheap: it imports neither TensorFlow nor matplotlib.
"""

__all__ = ["data", "reference", "tape"]
