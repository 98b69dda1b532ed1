"""Judging, outside the sandbox, what a learner's kernel reported: points and feedback.

The parts' specs (:mod:`autograder.parts`) judge with these, and :mod:`autograder.verdict`
dispatches each report line to its spec. Every value read from a report goes through
:mod:`.report_values` first. :mod:`.arrays` judges parts that call functions on arrays (a
case at a time, naming known bugs); :mod:`.linear_fit` judges linear_fit's steps (one step,
trajectory, convergence; its known bugs in :mod:`.linear_fit_bugs`). :mod:`.wording` words
what the learner's code did. A judge returns ``(fraction, stage, message)``.
"""
