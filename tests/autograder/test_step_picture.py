"""The picture of a learner's first steps on the loss contours (feedback, linear_fit): drawn
from what judging recorded, correct in its geometry, described in words, and never a reason
for a page to fail."""

from __future__ import annotations

import functools
import json
import xml.etree.ElementTree as ElementTree

import numpy as np
import pytest

from autograder import feedback, probe, scenarios, step_picture, verdict
from autograder.judging import linear_fit_bugs
from autograder.results import Result

SEED = 7
SVG = "{http://www.w3.org/2000/svg}"


def _variant_step(name, W, b, inputs, outputs, learning_rate):
    return linear_fit_bugs.step(name, W, b, inputs, outputs, learning_rate)


def _judged(name: str | None):
    step = functools.partial(_variant_step, name or linear_fit_bugs.CORRECT)
    runs = [probe.record_numpy_steps(step, s) for s in scenarios.linear_fit(SEED)]
    record = {"grade_id": "test_train_step_numpy", "check": "train_step_numpy", "seed": SEED,
              "runs": runs}
    return verdict.judge_record("linear_fit", json.loads(json.dumps(record)), SEED)


def _excess(figure, point):
    d = np.asarray(point) - np.asarray(figure["optimum"])
    return 0.5 * d @ np.asarray(figure["hessian"]) @ d


def test_judging_records_the_steps_it_judged_and_the_bug_it_named():
    part = _judged("sign flipped")
    figure = part.figure
    assert part.bugs == [("sign flipped", "linear_fit/numpy.md#one-train-step")]
    start = figure["start"]
    assert len(figure["learner"]) == len(figure["reference"]) == scenarios.TRAJECTORY_STEPS
    # Uphill: each of the learner's steps raises the loss; each of the reference's lowers it.
    learner = [_excess(figure, p) for p in [start, *figure["learner"]]]
    reference = [_excess(figure, p) for p in [start, *figure["reference"]]]
    assert all(a < b for a, b in zip(learner, learner[1:]))
    assert all(a > b for a, b in zip(reference, reference[1:]))


def test_the_half_length_step_lands_halfway_to_the_references_first_step():
    figure = _judged("missing factor 2").figure
    start, mine, theirs = (np.array(p) for p in (figure["start"], figure["learner"][0],
                                                  figure["reference"][0]))
    np.testing.assert_allclose(mine - start, (theirs - start) / 2, rtol=1e-4)


def test_a_right_step_records_a_picture_but_the_page_shows_none():
    part = _judged(None)
    assert part.score == part.max_score and part.figure and part.bugs == []
    page = feedback.render(Result("ada", "linear_fit", 4, 4, "graded", [part]))
    assert "<svg" not in page


def test_each_contour_is_a_level_set_of_the_loss_around_the_optimum():
    data = step_picture._read(_judged("sign flipped").figure)
    for level in (0.5, 2.0):
        points = step_picture._ellipse(data, level)
        assert np.allclose([step_picture._excess(data, p) for p in points], level)


def _svg_of(figure, key="test_train_step_numpy"):
    html = step_picture.render(figure, key)
    start, end = html.index("<svg"), html.index("</svg>") + len("</svg>")
    return html, ElementTree.fromstring(html[start:end])


def test_the_svg_shows_each_step_and_says_in_words_where_the_first_landed():
    figure = _judged("sign flipped").figure
    html, svg = _svg_of(figure)
    dots = [c for c in svg.iter(f"{SVG}circle") if c.get("fill") == step_picture.LEARNER]
    squares = svg.findall(f".//{SVG}rect[@stroke='{step_picture.REFERENCE}']")
    assert len(dots) == len(figure["learner"]) and len(squares) == len(figure["reference"])
    desc = svg.find(f"{SVG}desc").text
    first = figure["learner"][0]
    assert f"W = {first[0]:.3g}, b = {first[1]:.3g}" in desc
    assert svg.get("role") == "img" and svg.find(f"{SVG}title").text
    assert "http" not in html.replace('xmlns="http://www.w3.org/2000/svg"', "")  # no fetches


def test_two_pictures_on_one_page_have_their_own_ids():
    figure = _judged("sign flipped").figure
    first, second = (_svg_of(figure, key)[0] for key in ("test_train_step_numpy",
                                                         "test_train_step_tf"))
    assert 'id="test-train-step-numpy-title"' in first
    assert 'id="test-train-step-tf-title"' in second


def test_a_diverging_path_leaves_the_picture_the_reference_stays_readable():
    figure = _judged("sign flipped").figure
    figure = {**figure, "learner": [[p[0] * 1e6, p[1] * 1e6] for p in figure["learner"]]}
    data = step_picture._read(figure)
    low, high = step_picture._bounds(data)
    core = np.vstack([data["start"], data["optimum"], data["reference"]])
    span = core.max(axis=0) - core.min(axis=0)
    assert np.all(high - low <= (1 + 2 * step_picture.MAX_ZOOM_OUT) * span * 1.3)


@pytest.mark.parametrize("damage", [
    lambda f: f.update(kind="histogram"),
    lambda f: f.update(hessian=[[1, 0], [0, -1]]),  # no bowl: no ellipses
    lambda f: f.update(hessian="flat"),
    lambda f: f.update(start=[float("nan"), 1.0]),
    lambda f: f.update(learner=[[1.0]]),
    lambda f: f.update(learner=[]),  # nothing of the learner's to show
    lambda f: f.update(reference=[[0.0, 0.0]] * 1000),
])
def test_an_unusable_record_draws_nothing_and_the_page_still_renders(damage):
    part = _judged("sign flipped")
    damage(part.figure)
    assert step_picture.render(part.figure) == ""
    page = feedback.render(Result("ada", "linear_fit", 0, 4, "graded", [part]))
    assert "Bug: sign flipped" in page and "<svg" not in page


def test_a_path_at_the_edge_of_floating_point_stays_a_small_picture():
    figure = _judged("sign flipped").figure
    figure["learner"] = [[1e308, -1e308]] * 5
    html = step_picture.render(figure)
    assert "<svg" in html and len(html) < 20_000
