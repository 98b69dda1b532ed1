"""The minibatch assignment's own rules, beyond what tests/autograder/parts/test_parts.py
checks of every part: the permutation its cases draw, Adam's first step told from a sign
step, half the TensorFlow step's points for a right first step (of runs that took every
step), and Part 2 pointing to Part 1 when its epochs are wrong in no named way.

Reports are built outside any kernel and judged as the grader judges them.
"""

from __future__ import annotations

import numpy as np
import pytest

from autograder import calling, cases, parts
from autograder.judging.arrays import ATOL, RTOL
from autograder.messages import english
from autograder.parts.minibatch import adam_step, minibatch_sgd, momentum_step_tf
from autograder.parts.minibatch._sgd import cut, epoch, inputs
from ttt import optim

SEEDS = range(5)


def _record(spec, seed, outputs_of) -> dict:
    """A report of ``spec`` whose outputs on each case are ``outputs_of(case)``."""
    return {"grade_id": spec.grade_id, "check": spec.name, "seed": seed,
            "runs": [{"case": case.name, "error": None,
                      "outputs": [calling.recorded_array(np.asarray(o, dtype=np.float64))
                                  for o in outputs_of(case)]}
                     for case in spec.draw(seed)]}


# --- the permutation a case draws ---------------------------------------------------------

@pytest.mark.parametrize("seed", SEEDS)
def test_a_permutation_is_every_index_once_and_the_same_on_both_sides(seed):
    recipe = [cases.case("c", dims={"n": [5, 20]}, arrays={"order": cases.permutation("n")})]
    drawn = cases.draw("minibatch/test", recipe, seed)[0].arrays["order"]
    assert drawn.dtype == np.int64
    np.testing.assert_array_equal(np.sort(drawn), np.arange(len(drawn)))
    # The kernel and the grader draw it from the seed alone.
    np.testing.assert_array_equal(cases.draw("minibatch/test", recipe, seed)[0].arrays["order"],
                                  drawn)


def test_the_permutations_of_different_seeds_differ():
    recipe = [cases.case("c", arrays={"order": cases.permutation(12)})]
    orders = {tuple(cases.draw("minibatch/test", recipe, seed)[0].arrays["order"])
              for seed in range(10)}
    assert len(orders) == 10


# --- Part 3: the first step tells Adam from a sign step --------------------------------------

def _sign_step(case) -> list:
    """param - learning_rate * sign(grad): Adam's first step from zero moments, but for
    epsilon."""
    param, grad, m, v, _, rate, beta_1, beta_2, _ = adam_step._arguments(case)
    return [np.stack([param - rate * np.sign(grad), beta_1 * m + (1 - beta_1) * grad,
                      beta_2 * v + (1 - beta_2) * grad**2])]


@pytest.mark.parametrize("seed", SEEDS)
def test_the_first_step_is_adams_not_a_sign_step_nor_one_without_correction(seed):
    spec = adam_step.PART
    first = spec.draw(seed)[0]
    assert first.name == "the first step"
    right = spec.reference(first)
    for slipped in (_sign_step(first), adam_step.slipped(first, corrected=False)):
        assert not np.allclose(slipped[0], right[0], rtol=10 * RTOL, atol=10 * ATOL)


# --- Part 4: half the points for a right first step ----------------------------------------

def _velocity_never_kept(case) -> list:
    """Every call starts from the velocities it was given first: the first step is right,
    the later ones are not, and no named bug does this."""
    outputs, W, b = [], case.arrays["W"].astype(np.float64), np.float64(case.arrays["b"])
    X, y = case.arrays["X"].astype(np.float64), case.arrays["y"].astype(np.float64)
    for rate in case.arrays["learning_rates"].astype(np.float64):
        loss = np.mean((X @ W + b - y) ** 2)
        dW, db = optim.mse_gradients(W, b, X, y)
        W = optim.momentum_step(W, dW, case.arrays["velocity_W"], rate,
                                case.settings["momentum"])[0]
        b = optim.momentum_step(b, db, case.arrays["velocity_b"], rate,
                                case.settings["momentum"])[0]
        outputs += [loss, W, b]
    return outputs


@pytest.mark.parametrize("seed", SEEDS)
def test_a_right_first_step_then_a_slip_earns_half(seed):
    spec = momentum_step_tf.PART
    fraction, stage, message = spec.judge(_record(spec, seed, _velocity_never_kept), seed)
    assert (fraction, stage) == (0.5, "trajectory")
    assert "first step was right" in message and "Bug:" not in message


@pytest.mark.parametrize("seed", SEEDS)
def test_a_named_bug_in_the_first_step_earns_no_half(seed):
    spec = momentum_step_tf.PART
    fraction, stage, message = spec.judge(
        _record(spec, seed, lambda case: momentum_step_tf.trajectory(case, slip="twice")), seed)
    assert (fraction, stage) == (0.0, "one step")
    assert "Bug: gradient applied twice" in message and "first step was right" not in message


@pytest.mark.parametrize("seed", SEEDS)
def test_a_right_first_step_then_an_error_earns_no_half(seed):
    spec = momentum_step_tf.PART
    record = _record(spec, seed, lambda case: momentum_step_tf.trajectory(case)[:3])
    for run in record["runs"]:
        run["error"] = "RuntimeError: only one step"
    fraction, stage, message = spec.judge(record, seed)
    assert (fraction, stage) == (0.0, "error")
    assert "first step was right" not in message


# --- Part 2: wrong epochs of no named kind point to Part 1 ---------------------------------

def _runs_with_a_slipped_epoch(case) -> list:
    """Reshuffled right, but each epoch drops its short last batch (Part 1's bug)."""
    W, b, X, y, rate, size = inputs(case)
    rng = np.random.default_rng(case.settings["seed"])
    for _ in range(case.settings["epochs"]):
        W, b = epoch(W, b, X, y, rate, size, cut(rng.permutation(len(X)), size, "dropped"))
    return [W, b]


@pytest.mark.parametrize("seed", SEEDS)
def test_part_2_names_part_1_when_no_bug_of_its_own_matches(seed):
    spec = minibatch_sgd.PART
    fraction, _, message = spec.judge(_record(spec, seed, _runs_with_a_slipped_epoch), seed)
    assert fraction == 0.0 and message.endswith(english("minibatch.part_1_first"))


@pytest.mark.parametrize("seed", SEEDS)
def test_part_2_does_not_blame_part_1_for_its_own_bug(seed):
    spec = minibatch_sgd.PART

    def one_order(case):  # the bug, where it can show; one epoch has nothing to reshuffle
        return minibatch_sgd.one_permutation(case) if case.settings["epochs"] > 1 \
            else spec.reference(case)

    fraction, _, message = spec.judge(_record(spec, seed, one_order), seed)
    assert "Bug: no reshuffle between epochs" in message
    assert english("minibatch.part_1_first") not in message
    assert fraction == pytest.approx(1 / 3)  # the one-epoch case of three is right


def test_the_parts_are_numbered_in_the_notebooks_order():
    assert list(parts.parts("minibatch")) == ["minibatch_sgd_epoch", "minibatch_sgd",
                                              "adam_step", "momentum_step_tf"]
