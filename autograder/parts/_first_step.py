"""A partial-credit rule shared by parts whose function is called step after step, carrying
state (momentum's velocity, Adam's moments): a right first step earns half of the part.

Only runs that took every step count: code that raises after its first step (or records
fewer steps) has no trajectory to slip in, and earns what its cases earn.
"""

from __future__ import annotations

from typing import Callable

from autograder.judging.arrays import all_match, summarize
from autograder.messages import say


def half_for_a_right_first_step(reference: Callable, outputs_per_step: int, steps: int):
    """The rule: when every case's first step (its first ``outputs_per_step`` recorded
    arrays) equals ``reference(case)``'s and every run took all ``steps``, a part that went
    wrong later earns half; otherwise the share of cases right."""

    def rule(part, runs):
        verdicts = part.verdicts(runs)
        fraction, stage, message = summarize(verdicts, part.passed_message)
        first_steps_right = all(
            run.error is None and len(run.outputs) == outputs_per_step * steps
            and all_match(run.outputs[:outputs_per_step],
                          reference(run.case)[:outputs_per_step])
            for run in runs)
        if stage != "passed" and first_steps_right:
            problem = next(verdict.problem for verdict in verdicts if verdict.problem)
            return 0.5, "trajectory", say("judging.first_step_right", problem=problem)
        return fraction, stage, message

    return rule
