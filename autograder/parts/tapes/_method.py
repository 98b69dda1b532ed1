"""A rule shared by the tapes parts that ask for a tape's answer, not an approximation of it.

Such a part includes a function that registers its own rule with `tf.custom_gradient`: a
tape returns the registered rule, while finite differences, at any precision or step, return
the slope of the function's values. A run that returns that slope on such a function, and
comes close to the tape on an ordinary one, used an approximation: the part asks for a
method, so the approximation earns nothing, even where it came close.
"""

from __future__ import annotations

from autograder.judging.arrays import all_match
from autograder.judging.wording import case_names, named_bug
from autograder.parts.spec import Bug

# An approximation comes this close; the slope and the registered rule are far further apart.
LOOSE_RTOL, LOOSE_ATOL = 1e-2, 1e-3


def method_first(approximation: Bug, method: str):
    """The part's rule: ``approximation`` (a bug whose outputs are the numerical slope on
    the functions that register their own rule, and nothing on the others) earns nothing;
    otherwise the cases are judged as usual, with the part's other bugs."""

    def _slope_taken(run) -> bool:
        slope = approximation.outputs(run.case)
        return (bool(slope) and not run.error and bool(run.outputs)
                and all_match(run.outputs[:len(slope)], slope, LOOSE_RTOL, LOOSE_ATOL))

    def rule(part, runs):
        caught = next((run for run in runs if _slope_taken(run)), None)
        ordinary = [run for run in runs if not approximation.outputs(run.case)]
        # One such function is enough: an approximation that spoils some ordinary cases on
        # purpose must not keep the others' points.
        if caught is not None and any(
                not run.error and run.outputs
                and all_match(run.outputs, part.reference(run.case), LOOSE_RTOL, LOOSE_ATOL)
                for run in ordinary):
            advice = (f"{approximation.advice} This part asks for {method}, so it earns no "
                      "points, even for the functions where the approximation came close.")
            return (0.0, "one step",
                    f"{part.function_label}, {case_names([caught.case.name])}: "
                    + named_bug(approximation.name, advice, approximation.fix,
                                approximation.section))
        return part.grade(runs, bugs=tuple(b for b in part.bugs if b is not approximation))

    return rule
