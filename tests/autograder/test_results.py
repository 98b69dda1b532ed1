"""A graded part's record: what it carries besides the score (named bugs, a picture's data)
survives the journal's JSON, and journal lines written before those fields still read."""

from __future__ import annotations

import json

import pytest

from autograder.results import PartResult


def _part(**changes) -> PartResult:
    fields = dict(grade_id="test_train_step_numpy", score=0.0, max_score=4.0,
                  stage="one step", message="Bug: sign flipped. ...",
                  bugs=[("sign flipped", "linear_fit/numpy.md#one-train-step")],
                  figure={"kind": "steps", "start": [1.0, 2.0]})
    return PartResult(**{**fields, **changes})


def test_bugs_and_figure_survive_the_round_trip_through_json():
    part = _part()
    assert PartResult.from_dict(json.loads(json.dumps(part.to_dict()))) == part


def test_a_line_from_before_bugs_and_figures_reads_with_neither():
    data = _part().to_dict()
    del data["bugs"], data["figure"]
    part = PartResult.from_dict(data)
    assert (part.bugs, part.figure) == ([], None)


@pytest.mark.parametrize("damage", [
    lambda d: d.update(bugs="sign flipped"),
    lambda d: d.update(bugs=[["only a name"]]),
    lambda d: d.update(bugs=[["name", 3]]),
    lambda d: d.update(figure=[1, 2]),
    lambda d: d.update(unknown=1),
])
def test_damaged_bugs_or_figures_are_refused(damage):
    data = _part().to_dict()
    damage(data)
    with pytest.raises(ValueError):
        PartResult.from_dict(data)
