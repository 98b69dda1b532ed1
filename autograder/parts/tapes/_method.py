"""A rule shared by the tapes parts that ask for a tape's answer, not an approximation of it.

Each ordinary function such a part passes in has a twin with the same values that
registers another rule with `tf.custom_gradient` (autograder.calling): a tape returns the
registered rule, while finite differences, at any precision or step, return the slope of the
function's values. A run that returns that slope on a twin, and comes close to the tape on
an ordinary function, used an approximation: the part asks for a method, so the
approximation earns nothing, even where it came close. A tape treats a twin and its partner
alike, so the two earn their points together: code that tells them apart and answers only
the ordinary one earns nothing for it.
"""

from __future__ import annotations

from dataclasses import replace

from autograder.calling import partner_of
from autograder.judging.arrays import CaseVerdict, all_match, summarize
from autograder.judging.wording import named_bug, where
from autograder.messages import say
from autograder.parts.spec import Bug

# An approximation comes this close; the slope and the registered rule are far further apart.
LOOSE_RTOL, LOOSE_ATOL = 1e-2, 1e-3


def method_first(approximation: Bug, method: str):
    """The part's rule: ``approximation`` (a bug whose outputs are the numerical slope on
    the functions that register their own rule, and nothing on the others) earns nothing,
    and its hint says that the part asks for ``method`` (the catalogue's ``method.<key>``);
    otherwise the cases are judged as usual, with the part's other bugs, each twin together
    with its partner (:func:`paired`)."""

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
            advice = say("judging.method_only", advice=approximation.advice,
                         method=say(f"method.{method}"))
            return (0.0, "one step", where(part.function_label, [caught.case.name],
                                           named_bug(approximation, advice)))
        return summarize(paired(part.verdicts(
            runs, bugs=tuple(b for b in part.bugs if b is not approximation))),
            part.passed_message)

    return rule


def paired(verdicts: list[CaseVerdict]) -> list[CaseVerdict]:
    """Each twin and its partner with the lower of their two credits."""
    by_name = {verdict.run.case.name: verdict for verdict in verdicts}
    partners = {}
    for name in by_name:
        if partner_of(name) in by_name:
            partners[name], partners[partner_of(name)] = partner_of(name), name
    result = []
    for verdict in verdicts:
        other = by_name.get(partners.get(verdict.run.case.name))
        if other is None or other.credit >= verdict.credit:
            result.append(verdict)
        elif verdict.problem:
            result.append(replace(verdict, credit=other.credit))
        else:
            unpaired = say("judging.unpaired")
            result.append(replace(verdict, credit=other.credit, cause=unpaired, problem=where(
                verdict.function, [verdict.run.case.name], unpaired)))
    return result
