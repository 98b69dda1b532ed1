"""The released notebook's visible checks catch what grading checks.

A learner runs the visible checks before handing in; if they pass while the grader then
takes points for the same mistake, the checks misled them. Every wrong submission of the
corpus (files/<assignment>/<part>/) that loses points at grading must fail at least one
visible check, unless it is listed below, with the reason, as deliberately invisible.
"""

from __future__ import annotations

import pytest

from autograder import parts
from notebooks import load, run_visible_checks, variants, with_solutions

ASSIGNMENTS = parts.assignments()
SEED = 7

# variant name -> why no visible check can or should catch it. (Empty today: a check that
# could be added belongs in the solution notebook, not here.)
DELIBERATELY_INVISIBLE: dict[str, str] = {}


@pytest.mark.slow
@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_the_solutions_pass_their_visible_checks(assignment):
    assert run_visible_checks(load(assignment)) == {
        spec.grade_id: None for spec in parts.parts(assignment).values()}


def _losing_variants():
    for assignment in ASSIGNMENTS:
        points = {spec.grade_id: spec.points for spec in parts.parts(assignment).values()}
        for variant in variants(assignment):
            losing = [e.grade_id for e in variant.expectations(SEED)
                      if e.score < points[e.grade_id]]
            if losing:
                yield variant


@pytest.mark.slow
@pytest.mark.parametrize("variant", list(_losing_variants()), ids=lambda v: v.name)
def test_a_submission_that_loses_points_fails_a_visible_check(variant):
    failures = run_visible_checks(with_solutions(load(variant.assignment),
                                                 {variant.grade_id: variant.code}))
    failed = {grade_id: error for grade_id, error in failures.items() if error}
    if variant.name in DELIBERATELY_INVISIBLE:
        assert not failed, f"{variant.name} is now caught: take it off the list"
        return
    assert failed, (f"{variant.name} loses points at grading, yet every visible check "
                    "passes: add a check to its test cell (or list it, with the reason)")
