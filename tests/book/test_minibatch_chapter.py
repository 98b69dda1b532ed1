"""The code taught in book/minibatch/features.md and minibatches.md agrees with ttt, and
the numbers their prose states are what the code computes.

Each page's `## Setup` cells and its cells tagged `teaches` run in a fresh namespace (see
pages.run_cells). The taught functions are compared with ttt.optim and ttt.data on data
drawn here, the TensorFlow versions with the NumPy ones, the Hessian with nested tapes and
finite differences; then each claim of the prose is recomputed (numbers quoted in the prose
are read from the page, not repeated here).
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest
import pages

from ttt import data, optim, reference

CHAPTER = Path(__file__).resolve().parents[2] / "book" / "minibatch"
pytestmark = pytest.mark.slow  # every test runs a page's cells (and TensorFlow)


@pytest.fixture(scope="module")
def features():
    return pages.taught(CHAPTER / "features.md")


@pytest.fixture(scope="module")
def minibatches():
    return pages.taught(CHAPTER / "minibatches.md")


def prose(page: str) -> str:
    """The page's text with whitespace squeezed, to find quoted numbers in."""
    return " ".join((CHAPTER / page).read_text(encoding="utf-8").split())


def random_problem(n, d, seed):
    rng = np.random.default_rng(seed)
    return (rng.normal(size=d), float(rng.normal()), rng.normal(2.0, 3.0, size=(n, d)),
            rng.normal(size=n))


# What each page's `teaches` cells define.
TAUGHT_NAMES = {
    "features.md": {"predict", "predict_tf", "gradients", "loss_hessian", "loss_hessian_tf",
                    "condition", "critical", "epochs_to_floor", "standardize"},
    "minibatches.md": {"batches", "gradients", "minibatch_sgd_epoch", "minibatch_sgd_epoch_tf",
                       "minibatch_sgd", "gradient_variance", "sigma2", "noise_level",
                       "sgd_path", "excess"},
}


@pytest.mark.parametrize("page", sorted(TAUGHT_NAMES))
def test_every_page_defines_what_it_teaches(page, features, minibatches):
    namespace = vars({"features.md": features, "minibatches.md": minibatches}[page])
    missing = TAUGHT_NAMES[page] - set(namespace)
    assert not missing, f"{page}: the cells tagged `teaches` no longer define {sorted(missing)}"


# --- features.md ----------------------------------------------------------------------

@pytest.mark.parametrize("n, d, seed", [(7, 1, 0), (50, 2, 1), (33, 5, 2)])
def test_model_and_gradients_match_ttt_optim_and_tensorflow(features, n, d, seed):
    import tensorflow as tf

    W, b, X, y = random_problem(n, d, seed)
    np.testing.assert_allclose(features.predict(W, b, X), optim.predict(W, b, X), rtol=1e-13)
    np.testing.assert_allclose(features.predict_tf(W, b, X).numpy(), optim.predict(W, b, X),
                               rtol=1e-12)
    dW, db = features.gradients(W, b, X, y)
    ref_dW, ref_db = optim.mse_gradients(W, b, X, y)
    np.testing.assert_allclose(dW, ref_dW, rtol=1e-12)
    assert db == pytest.approx(ref_db, rel=1e-12)
    # and against tf.GradientTape, independently of ttt
    W_t, b_t = tf.Variable(W), tf.Variable(b, dtype=tf.float64)
    with tf.GradientTape() as tape:
        loss = tf.reduce_mean(tf.square(tf.linalg.matvec(X, W_t) + b_t - y))
    tf_dW, tf_db = tape.gradient(loss, [W_t, b_t])
    np.testing.assert_allclose(dW, tf_dW.numpy(), rtol=1e-10)
    assert db == pytest.approx(tf_db.numpy(), rel=1e-10)


@pytest.mark.parametrize("n, d, seed", [(40, 1, 3), (60, 2, 4), (25, 4, 5)])
def test_hessian_is_the_tapes_and_the_finite_differences(features, n, d, seed):
    _, _, X, y = random_problem(n, d, seed)
    hessian = features.loss_hessian(X)
    assert hessian.shape == (d + 1, d + 1)
    np.testing.assert_allclose(features.loss_hessian_tf(X, y), hessian, rtol=1e-10, atol=1e-12)
    # Central differences of the gradient (exact for a quadratic, up to rounding).
    h, theta = 1e-3, np.random.default_rng(seed).normal(size=d + 1)
    columns = []
    for k in range(d + 1):
        step = np.eye(d + 1)[k] * h
        plus = np.append(*optim.mse_gradients((theta + step)[:-1], (theta + step)[-1], X, y))
        minus = np.append(*optim.mse_gradients((theta - step)[:-1], (theta - step)[-1], X, y))
        columns.append((plus - minus) / (2 * h))
    np.testing.assert_allclose(np.column_stack(columns), hessian, rtol=1e-7, atol=1e-9)
    if d == 1:  # chapter 4's matrix
        np.testing.assert_allclose(hessian, reference.loss_hessian(X[:, 0]), rtol=1e-12)


def test_standardize_is_ttt_datas(features):
    X, _ = data.make_feature_data(100, seed=9)
    for ours, theirs in zip(features.standardize(X), data.standardize(X)):
        np.testing.assert_allclose(ours, theirs, rtol=1e-13)


def test_slow_directions_are_as_the_page_says(features):
    text = prose("features.md")
    # "A condition number of about 130", "caps the learning rate at 2/70 ≈ 0.029"
    assert round(features.condition, -1) == float(re.search(r"condition number of about (\d+)",
                                                            text)[1])
    assert features.critical == pytest.approx(0.029, abs=5e-4)
    # "the flattest direction, mostly b with a little of W2 against it"
    flat = features.eigenvectors[:, 0]
    assert abs(flat[2]) > 0.95 and 0.05 < abs(flat[1]) < 0.3 and flat[1] * flat[2] < 0
    # "shrinks by a factor 1 − ηλ_min ≥ 1 − 0.029 · 0.54 ≈ 0.985"
    assert features.eigenvalues.min() == pytest.approx(0.54, abs=0.005)
    assert 1 - features.critical * features.eigenvalues.min() == pytest.approx(0.985, abs=5e-4)


def test_feature_scaling_turns_hundreds_of_epochs_into_two(features):
    X, y = data.make_feature_data(seed=data.FEATURE_SEED)
    raw = features.epochs_to_floor(X, y, 0.028)
    scaled = features.epochs_to_floor(data.standardize(X)[0], y, 0.5)
    text = prose("features.md")
    # "Two epochs instead of 462": both numbers are what the code computes
    assert f"Two epochs instead of {raw}" in text and scaled == 2
    assert raw > 450  # "training needs over 450 epochs"
    # "Even just below the critical rate": 0.028 is below it, and slower rates take longer
    assert 0.028 < features.critical
    assert features.epochs_to_floor(X, y, 0.01) > features.epochs_to_floor(X, y, 0.02) > raw
    # at a rate beyond 2/λ_max the raw features never get there
    assert features.epochs_to_floor(X, y, 1.05 * features.critical, max_epochs=600) is None
    # "A condition number of 1.02"
    eigenvalues = np.linalg.eigvalsh(features.loss_hessian(data.standardize(X)[0]))
    assert round(eigenvalues.max() / eigenvalues.min(), 2) == 1.02


def test_scaled_weights_convert_back_to_the_raw_least_squares_fit():
    namespace = pages.run_cells(CHAPTER / "features.md", tags=("teaches",))
    X, y, mean, std, Z = (namespace[k] for k in ("X", "y", "mean", "std", "Z"))
    Z1 = np.hstack([Z, np.ones((len(Z), 1))])
    W_z, b_z = np.split(np.linalg.lstsq(Z1, y, rcond=None)[0], [2])
    X1 = np.hstack([X, np.ones((len(X), 1))])
    raw = np.linalg.lstsq(X1, y, rcond=None)[0]
    np.testing.assert_allclose(W_z / std, raw[:2], rtol=1e-10)
    assert b_z[0] - mean @ (W_z / std) == pytest.approx(raw[2], rel=1e-10)


# --- minibatches.md -------------------------------------------------------------------

@pytest.mark.parametrize("n, batch_size", [(10, 4), (1000, 64), (64, 64), (5, 7), (9, 1)])
def test_batches_are_ttt_optims(minibatches, n, batch_size):
    order = np.random.default_rng(n).permutation(n)
    ours, theirs = minibatches.batches(order, batch_size), optim.batches(order, batch_size)
    assert len(ours) == len(theirs) == -(-n // batch_size)
    for mine, reference_batch in zip(ours, theirs):
        np.testing.assert_array_equal(mine, reference_batch)


@pytest.mark.parametrize("n, d, batch_size, seed", [(100, 2, 16, 0), (37, 5, 10, 1),
                                                    (20, 3, 20, 2)])
def test_epoch_matches_ttt_optim_and_the_tensorflow_epoch(minibatches, n, d, batch_size, seed):
    import tensorflow as tf

    W, b, X, y = random_problem(n, d, seed)
    X = X / 3  # a rate of 0.05 must not diverge on these scales
    order = np.random.default_rng(seed).permutation(n)
    ours = minibatches.minibatch_sgd_epoch(W, b, X, y, 0.05, batch_size, order)
    theirs = optim.minibatch_sgd_epoch(W, b, X, y, 0.05, batch_size, order)
    np.testing.assert_allclose(ours[0], theirs[0], rtol=1e-12)
    assert ours[1] == pytest.approx(theirs[1], rel=1e-12)
    W_t, b_t = tf.Variable(W), tf.Variable(b, dtype=tf.float64)
    minibatches.minibatch_sgd_epoch_tf(W_t, b_t, X, y, 0.05, batch_size, order)
    np.testing.assert_allclose(W_t.numpy(), theirs[0], rtol=1e-10)
    assert b_t.numpy() == pytest.approx(theirs[1], rel=1e-10)


@pytest.mark.parametrize("epochs, seed", [(1, 3), (4, 11)])
def test_run_of_epochs_matches_ttt_optim(minibatches, epochs, seed):
    W, b, X, y = random_problem(50, 3, seed)
    X = X / 3
    ours = minibatches.minibatch_sgd(W, b, X, y, 0.05, 8, epochs, seed)
    theirs = optim.minibatch_sgd(W, b, X, y, 0.05, 8, epochs, seed)
    np.testing.assert_allclose(ours[0], theirs[0], rtol=1e-12)
    assert ours[1] == pytest.approx(theirs[1], rel=1e-12)


def test_one_epoch_of_minibatches_does_what_many_full_batch_epochs_do(features, minibatches):
    X, y, floor = minibatches.X, minibatches.y, minibatches.floor
    # "Full-batch gradient descent at this rate, 0.1, needed 37 epochs"
    quoted = int(re.search(r"at this rate, 0\.1, needed (\d+) epochs", prose("minibatches.md"))[1])
    assert features.epochs_to_floor(X, y, 0.1) == quoted
    # "After one epoch, 16 steps, the loss is already within about a hundredth of the floor"
    order = np.random.default_rng(2).permutation(len(y))
    W, b = optim.minibatch_sgd_epoch(np.zeros(2), 0.0, X, y, 0.1, 64, order)
    assert len(optim.batches(order, 64)) == 16
    assert 0.005 < np.mean((X @ W + b - y) ** 2) - floor < 0.015


def test_dropping_the_last_batch_with_one_shuffle_never_uses_40_examples(minibatches):
    # Check yourself 1: 80 steps in five epochs; 40 examples never used.
    order = np.random.default_rng(0).permutation(1000)
    epoch = minibatches.batches(order, 64)
    assert 5 * len(epoch) == 80
    used = np.unique(np.concatenate([batch for batch in epoch if len(batch) == 64]))
    assert 1000 - len(used) == 40


def test_gradient_variance_falls_as_one_over_b(minibatches):
    # The page's measured variances follow σ²/B·(N−B)/(N−1) within sampling error.
    for measured, predicted in zip(minibatches.measured, minibatches.predicted):
        assert measured == pytest.approx(predicted, rel=0.15)
    # and σ² is the per-example gradients' total variance, computed independently
    X, y, X1 = minibatches.X, minibatches.y, minibatches.X1
    best = np.linalg.lstsq(X1, y, rcond=None)[0]
    per_example = [np.append(*optim.mse_gradients(best[:2], best[2], X[i:i + 1], y[i:i + 1]))
                   for i in range(len(y))]
    assert minibatches.sigma2 == pytest.approx(np.var(per_example, axis=0).sum(), rel=1e-10)


def test_the_ratio_of_rate_to_batch_size_sets_the_noise_level(minibatches):
    level = {(size, rate): minibatches.noise_level(size, rate)
             for size, rate in ((4, 0.01), (16, 0.04), (4, 0.04), (16, 0.16), (64, 0.01),
                                (16, 0.1), (64, 0.1))}
    for small, large in (((4, 0.01), (16, 0.04)), ((4, 0.04), (16, 0.16))):
        assert level[small][0] == pytest.approx(level[large][0], rel=0.25)  # same η/B
        for key in (small, large):
            measured, expected = level[key]
            assert measured == pytest.approx(expected, rel=0.3)
    assert level[(4, 0.04)][0] > 3 * level[(4, 0.01)][0]
    # "16 steps per epoch at rate 0.01 are too few to arrive in ten epochs at all"
    assert level[(64, 0.01)][0] > 100 * level[(64, 0.01)][1]
    # Check yourself 2: "hovers 0.016 above the floor"; batch 64 "about 0.004"
    assert level[(16, 0.1)][0] == pytest.approx(0.016, abs=0.004)
    assert level[(64, 0.1)][0] == pytest.approx(0.004, abs=0.002)


def test_averaging_and_a_decaying_rate_reach_the_floor(minibatches):
    constant = minibatches.sgd_path(lambda t: 0.16, 4, 10, seed=6)
    decaying = minibatches.sgd_path(lambda t: 0.16 / (1 + t / 50), 4, 10, seed=6)
    last, averaged = minibatches.excess(constant[-1]), minibatches.excess(constant[-250:].mean(0))
    # "a few hundredths above the floor", "hundreds of times closer", "about as close"
    assert 0.01 < last < 0.1
    assert last > 100 * averaged
    assert minibatches.excess(decaying[-1]) < 5 * averaged
    # and sgd_path is minibatch gradient descent: its epochs are ttt.optim's
    rng, theta = np.random.default_rng(6), np.zeros(3)
    X, y = minibatches.X, minibatches.y
    for epoch in range(2):
        W, b = optim.minibatch_sgd_epoch(theta[:2], theta[2], X, y, 0.16, 4,
                                         rng.permutation(len(y)))
        theta = np.append(W, b)
        np.testing.assert_allclose(constant[250 * (epoch + 1) - 1], theta, rtol=1e-10)


def test_a_summed_gradient_multiplies_the_rate_by_the_batch_size(minibatches):
    # Check yourself 3: with np.sum the step is B times longer; at B = 256 it diverges.
    X, y = minibatches.X, minibatches.y

    def summed_epoch(W, b, batch_size, order):
        for batch in optim.batches(order, batch_size):
            dW, db = optim.mse_gradients(W, b, X[batch], y[batch])
            W, b = W - 0.1 * len(batch) * dW, b - 0.1 * len(batch) * db
        return W, b

    order = np.random.default_rng(0).permutation(len(y))
    np.testing.assert_allclose(np.append(*summed_epoch(np.zeros(2), 0.0, 1, order)),
                               np.append(*optim.minibatch_sgd_epoch(np.zeros(2), 0.0, X, y,
                                                                    0.1, 1, order)))
    with np.errstate(over="ignore", invalid="ignore"):
        W, b = summed_epoch(np.zeros(2), 0.0, 256, order)
        W, b = summed_epoch(W, b, 256, order)
        assert not np.all(np.isfinite(W)) or np.mean((X @ W + b - y) ** 2) > 1e6


def test_pages_quote_the_headings_the_grader_links_to():
    headings = re.findall(r"^## (.+?)\s*$", (CHAPTER / "minibatches.md").read_text(), re.M)
    assert {"Shuffling and batching", "The last partial batch"} <= set(headings)
