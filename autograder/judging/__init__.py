"""Judging, outside the sandbox, what a learner's kernel reported: points and feedback.

:mod:`.verdict` dispatches each report line to its assignment's judge; every value it reads
goes through :mod:`.report_values` first. One module per assignment holds its judges
(``JUDGES``: check name -> judge): :mod:`.linear_fit` (one step, trajectory, convergence;
its known bugs in :mod:`.linear_fit_bugs`), and :mod:`.tensors`, :mod:`.tapes` and
:mod:`.variables`, built on the array judging of :mod:`.arrays`. :mod:`.wording` words
what the learner's code did. A judge returns ``(fraction, stage, message)``.
"""
