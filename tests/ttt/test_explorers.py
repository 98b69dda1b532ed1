"""The explorers: every frame is precomputed, frames differ, and each slider is linked to
its Stack in the browser (jslink), so the static book responds without a kernel."""

from __future__ import annotations

import math
import re

import ipywidgets as widgets
import numpy as np
import pytest

from ttt import explorers, reference, tape
from ttt.data import ORIGIN_SEED, W0, b0, make_linear_data

IMG = re.compile(r'<img src="data:image/png;base64,[A-Za-z0-9+/=]+" alt="([^"]+)"')


@pytest.fixture(scope="module")
def data():
    return make_linear_data(seed=7)


@pytest.fixture(scope="module")
def fit(data):
    return explorers.fit_explorer(*data)


@pytest.fixture(scope="module")
def learning_rate(data):
    return explorers.learning_rate_explorer(*data)


@pytest.fixture(scope="module")
def book_data():
    """The data of book/linear_fit/learning_rate.md, which shows the explorer: float64."""
    return tuple(array.astype(np.float64) for array in make_linear_data(seed=ORIGIN_SEED))


@pytest.fixture(scope="module")
def book_learning_rate(book_data):
    """The learning-rate explorer exactly as the book calls it."""
    return explorers.learning_rate_explorer(*book_data)


def frames(explorer) -> dict:
    return {key: explorer.frame(*key).value for key in explorer._frames}


def assert_linked(explorer):
    """Every slider drives, in the browser, the selected_index of the stacks at its depth."""
    stacks_by_depth, level = [], [explorer.stack]
    while level and isinstance(level[0], widgets.Stack):
        stacks_by_depth.append(level)
        level = [child for stack in level for child in stack.children]
    assert len(stacks_by_depth) == len(explorer.sliders)
    for slider, stacks in zip(explorer.sliders, stacks_by_depth):
        targets = [link.target[0] for link in explorer.links
                   if link.source == (slider, "index") and link.target[1] == "selected_index"]
        # A LinkModel: the browser runs it, kernel or not.
        assert all(link._model_name == "LinkModel" for link in explorer.links)
        assert {id(t) for t in targets} == {id(s) for s in stacks}
        for stack in stacks:
            assert len(stack.children) == len(slider.options)
            assert stack.selected_index == slider.index


# What a fit frame says, parsed: "W = 2, b = 1: loss 4.56 (3.1 times the floor; the
# least-squares line W = 3.01, b = 1.98 reaches 1.02)."
FIT_TEXT = re.compile(r"W = (\S+), b = (\S+): loss (\S+) \((at the floor|(\S+) times the floor); "
                      r"the least-squares line W = (\S+), b = (\S+) reaches (\S+)\)")


def same_to_3_figures(shown: float, exact: float) -> bool:
    """Is ``shown`` ``exact`` rounded to 3 significant figures (half a unit in the 3rd)?"""
    unit = 10.0 ** (math.floor(math.log10(abs(exact))) - 2)
    return abs(shown - exact) <= 0.5 * unit * (1 + 1e-9)


def test_fit_explorer_precomputes_a_distinct_frame_for_every_slider_position(fit, data):
    shown = frames(fit)
    assert len(shown) == len(explorers.W_VALUES) * len(explorers.B_VALUES)
    assert len(set(shown.values())) == len(shown)
    x, y = (np.asarray(a, dtype=np.float64) for a in data)
    best_W, best_b = np.polyfit(x, y, 1)
    floor = np.mean((best_W * x + best_b - y) ** 2)
    for (i, j), html in shown.items():
        assert len(IMG.findall(html)) == 1, "one described image per frame"
        W, b = explorers.W_VALUES[i], explorers.B_VALUES[j]
        text = FIT_TEXT.search(html)
        assert text, html[-400:]
        assert (float(text[1]), float(text[2])) == (W, b)
        loss = np.mean((W * x + b - y) ** 2)
        assert same_to_3_figures(float(text[3]), loss), (text[0], loss)
        assert same_to_3_figures(float(text[8]), floor), (text[0], floor)
        assert abs(float(text[6]) - best_W) <= 0.005 + 1e-9
        assert abs(float(text[7]) - best_b) <= 0.005 + 1e-9
        ratio = loss / floor
        if ratio < 1.019:  # within 2% of the optimum: said to be at it
            assert text[4] == "at the floor", text[0]
        elif ratio > 1.021:
            assert same_to_3_figures(float(text[5]), ratio), (text[0], ratio)
        assert f"{W:g} plus {b:g}" in IMG.search(html).group(1)
    assert_linked(fit)
    assert [s.description for s in fit.sliders] == ["W", "b"]
    assert [s.value for s in fit.sliders] == ["5", "0"]  # the origin's start, W0 and b0


def simulated_regime(x, y, learning_rate, W=5.0, b=0.0, steps=8) -> str:
    """How gradient descent on the MSE actually moves, from the explorer's start: along the
    loss's steepest direction (the Hessian's top eigenvector) the error keeps its sign
    (stable), flips each step and shrinks (oscillating), or flips and grows (divergent)."""
    design = np.stack([x, np.ones_like(x)], axis=1)
    hessian = 2 * design.T @ design / len(x)
    top = np.linalg.eigh(hessian)[1][:, -1]
    best = np.linalg.lstsq(design, y, rcond=None)[0]
    point, along = np.array([W, b]), []
    for _ in range(steps + 1):
        along.append((point - best) @ top)
        point = point - learning_rate * 2 * design.T @ (design @ point - y) / len(x)
    signs = np.sign(along)
    if np.all(signs[1:] == signs[:-1]):
        return "stable"
    assert np.all(signs[1:] == -signs[:-1]), along  # no mixed paths at these rates
    return "divergent" if abs(along[-1]) > abs(along[0]) else "oscillating"


def shown_losses(x, y, rate, epochs) -> np.ndarray:
    """The losses a frame plots: the start and after each of `epochs` epochs, from (W0, b0)."""
    with np.errstate(over="ignore", invalid="ignore"):
        return np.asarray(reference.fit_numpy(W0, b0, x, y, rate, epochs + 1).loss)


def expected_badge(x, y, rate, epochs) -> str:
    """The simulated regime, with a divergent run whose shown loss still falls at its last
    epoch called what it is: it diverges eventually."""
    regime = simulated_regime(x, y, rate)
    losses = shown_losses(x, y, rate, epochs)
    if regime == "divergent" and np.all(np.isfinite(losses)) and np.argmin(losses) == epochs:
        return "diverges eventually"
    return regime


def test_learning_rate_explorer_marks_the_regimes(learning_rate, data):
    shown = frames(learning_rate)
    assert len(set(shown.values())) == len(shown) == (
        len(explorers.LEARNING_RATES) * len(explorers.EPOCH_COUNTS))
    x, y = (np.asarray(a, dtype=np.float64) for a in data)
    design = np.stack([x, np.ones_like(x)], axis=1)
    critical = 2 / np.linalg.eigvalsh(2 * design.T @ design / len(x)).max()
    for (i, j), html in shown.items():
        rate, epochs = explorers.LEARNING_RATES[i], explorers.EPOCH_COUNTS[j]
        badge = expected_badge(x, y, rate, epochs)
        assert f">{badge.upper()}</strong>" in html, (rate, epochs, badge)
        assert f"regime: {badge}." in IMG.search(html).group(1)
        shown_critical = float(re.search(r"critical rate 2/λ_max = ([0-9.]+)", html)[1])
        assert abs(shown_critical - critical) <= 0.0005 + 1e-9
    regimes = {simulated_regime(x, y, rate) for rate in explorers.LEARNING_RATES}
    assert regimes == {"stable", "oscillating", "divergent"}, "the defaults show all three"
    assert_linked(learning_rate)
    assert learning_rate.sliders[0].value == "0.1"  # the origin's learning rate


BADGE = re.compile(r">([A-Z ]+)</strong> — learning rate (\S+) is .*?: (.*?)</p>")


def test_learning_rate_badge_agrees_with_the_loss_curve_it_shows(book_learning_rate, book_data):
    """Issue 13: at rate 1.0 and 10 epochs the book's explorer said "DIVERGENT ... the loss
    explodes" next to a loss curve that was still falling. A badge may say the loss grows
    only where the curve beside it has risen, and says "diverges eventually" where a rate
    beyond 2/λ_max has not yet shown it."""
    x, y = book_data
    critical = reference.critical_learning_rate(x)
    for (i, j), html in frames(book_learning_rate).items():
        rate, epochs = explorers.LEARNING_RATES[i], explorers.EPOCH_COUNTS[j]
        badge = BADGE.search(html)
        assert badge and float(badge[2]) == rate, html[-600:]
        losses = shown_losses(x, y, rate, epochs)
        still_falling = np.all(np.isfinite(losses)) and np.argmin(losses) == epochs
        assert "explodes" not in badge[3]
        if rate < critical:
            assert badge[1] in {"STABLE", "OSCILLATING"}
            assert np.all(np.diff(losses) < 1e-12), (rate, epochs)  # never rises (to rounding)
        elif still_falling:
            assert badge[1] == "DIVERGES EVENTUALLY", (rate, epochs, badge[0])
            assert f"still falling after {epochs} epochs" in badge[3]
        else:
            assert badge[1] == "DIVERGENT", (rate, epochs, badge[0])
            assert "grew" in badge[3] or "grows" in badge[3]


def test_the_case_of_issue_13_is_called_eventual_divergence(book_learning_rate, book_data):
    x, y = book_data
    i, j = explorers.LEARNING_RATES.index(1.0), explorers.EPOCH_COUNTS.index(10)
    html = book_learning_rate.frame(i, j).value
    assert np.all(np.diff(shown_losses(x, y, 1.0, 10)) < 0)  # the curve shown falls throughout
    assert 1.0 > reference.critical_learning_rate(x)  # and theory says it must diverge
    assert ">DIVERGES EVENTUALLY</strong>" in html and ">DIVERGENT</strong>" not in html
    assert "still falling after 10 epochs" in html and "explodes" not in html
    # Where it turns, as the badge says: the lowest loss of a long run, then growth.
    long_run = shown_losses(x, y, 1.0, 40)
    turn = int(np.argmin(long_run))
    assert f"its lowest is at epoch {turn}, and from then on it grows" in html
    assert np.all(np.diff(long_run[turn:]) > 0) and long_run[-1] > long_run[0]
    # Twenty epochs show the rise: then it is called divergent, with the turn in its text.
    twenty = book_learning_rate.frame(i, explorers.EPOCH_COUNTS.index(20)).value
    assert ">DIVERGENT</strong>" in twenty and f"by epoch {turn}, then grew" in twenty


def test_learning_rate_verdict_reads_theory_and_the_run_together(book_data):
    x, _ = book_data
    falling, risen = [7.9, 5.9, 4.5], [7.9, 5.9, 6.5]
    assert explorers.learning_rate_verdict(1.0, x, falling) == "diverges eventually"
    assert explorers.learning_rate_verdict(1.0, x, risen) == "divergent"
    assert explorers.learning_rate_verdict(1.0, x, [7.9, np.inf]) == "divergent"
    # Below the critical rate theory decides: the loss cannot rise there.
    assert explorers.learning_rate_verdict(0.1, x, falling) == "stable"
    assert explorers.learning_rate_verdict(0.9, x, falling) == "oscillating"
    with pytest.raises(ValueError, match="at least 2 epochs"):
        explorers.learning_rate_verdict(1.0, x, [7.9])


def test_learning_rate_regime_follows_the_critical_rate(data):
    critical = reference.critical_learning_rate(data[0])
    assert explorers.learning_rate_regime(0.4 * critical, data[0]) == "stable"
    assert explorers.learning_rate_regime(0.5 * critical, data[0]) == "stable"
    assert explorers.learning_rate_regime(0.7 * critical, data[0]) == "oscillating"
    assert explorers.learning_rate_regime(1.01 * critical, data[0]) == "divergent"
    # What the regimes claim is what gradient descent does, along the Hessian's top direction.
    top = np.linalg.eigh(reference.loss_hessian(data[0]))[1][:, -1]
    best = np.array(reference.least_squares(*data))
    for fraction, regime in [(0.3, "stable"), (0.8, "oscillating"), (1.2, "divergent")]:
        path = reference.fit_numpy(5.0, 0.0, *data, fraction * critical, 12)
        along = (np.stack([path.W, path.b], axis=1) - best) @ top
        flips = np.sign(along[1:]) != np.sign(along[:-1])
        assert explorers.learning_rate_regime(fraction * critical, data[0]) == regime
        assert flips.all() if regime != "stable" else not flips.any()
        assert (abs(along[-1]) > abs(along[0])) == (regime == "divergent")
    with pytest.raises(ValueError, match="learning_rate"):
        explorers.learning_rate_regime(0.0, data[0])


def test_embedded_frames_stay_small(fit, learning_rate):
    # Every frame ships inside the page: keep a page's widget state well under a megabyte.
    for explorer, budget in [(fit, 400_000), (learning_rate, 800_000)]:
        assert sum(len(html) for html in frames(explorer).values()) < budget


def test_tape_explorer_steps_forward_then_backward():
    explorer = explorers.tape_explorer()
    values = explorers.DEFAULT_TAPE_VALUES
    with tape.Tape() as recorder:
        tensors = {name: tape.Tensor(value) for name, value in values.items()}
        loss = explorers._default_tape_function(**tensors)
    n = len(recorder.records)
    slider = explorer.sliders[0]
    assert len(slider.options) == 2 * n + 1
    shown = [explorer.frame(k).value for k in range(2 * n + 1)]
    assert len(set(shown)) == len(shown)
    assert "the tape is empty" in shown[0]
    for k, record in enumerate(recorder.records, start=1):
        assert f"step {k} of {n}" in shown[k] and f"= {record.op}(" in shown[k]
    assert "Backward pass, step 1 of" in shown[n + 1] and "seeded with ones" in shown[n + 1]
    # The last frame shows the tape's own gradients: dW = 4 and db = -2 on this data.
    dW, db = recorder.gradient(loss, [tensors["W"], tensors["b"]])
    assert (float(dW), float(db)) == (4.0, -2.0)
    assert "<td><code>W</code></td><td><code>5.</code></td><td><code>4.</code></td>" in shown[-1]
    assert "<td><code>b</code></td><td><code>0.</code></td><td><code>-2.</code></td>" in shown[-1]
    assert "…" in shown[n]  # gradients are pending until the backward pass reaches them
    assert_linked(explorer)


def test_tape_explorer_takes_any_expression():
    explorer = explorers.tape_explorer(lambda x, y: tape.exp(x) * x, title="x·exp(x)", x=1.0, y=2.0)
    last = explorer.frame(len(explorer.sliders[0].options) - 1).value
    # d/dx x·e^x = (1 + x)·e^x = 2e at x = 1; y is not used: None, as tf.GradientTape says.
    assert f"<code>{2 * np.e:.3f}</code>" in last
    assert "<td><code>y</code></td><td><code>2.</code></td><td>None</td>" in last


def test_tape_explorer_skips_what_does_not_lead_to_the_target():
    # t1 = x * 2 is recorded but unused: the backward pass passes over it, as Tape.gradient does.
    explorer = explorers.tape_explorer(lambda x: (x * 2.0, tape.exp(x))[1], x=0.0)
    assert "t2 = exp(x)</code>, receives <code>1.</code> (the target" in explorer.frame(3).value
    assert "t1 = mul(x, c1)</code>, does not lead to the target" in explorer.frame(4).value


def test_lazy_explorers_draw_a_frame_when_it_is_first_shown(data):
    explorer = explorers.fit_explorer(*data, W_values=(1.0, 2.0), b_values=(0.0, 1.0), lazy=True)
    drawn = {key for key, widget in explorer._frames.items() if widget.value}
    assert drawn == {(1, 0)}  # W0 = 5 is nearest 2; b0 = 0
    explorer.sliders[1].index = 1  # with a kernel: the observer draws the new frame
    assert explorer._frames[(1, 1)].value


@pytest.mark.parametrize("call, error, message", [
    (lambda: explorers.tape_explorer(x=1.0), ValueError, "without a function"),
    (lambda: explorers.tape_explorer(lambda x: 3.0, x=1.0), TypeError, "must return the Tensor"),
    (lambda: explorers.tape_explorer(lambda: tape.Tensor(1.0)), ValueError, "name the function's inputs"),
    (lambda: explorers.tape_explorer(lambda x: x, x=1.0), ValueError, "recorded no operation"),
    (lambda: explorers.tape_explorer("x*x", x=1.0), TypeError, "callable"),
    (lambda: explorers.fit_explorer([1.0, 2.0], [1.0]), ValueError, "1-D arrays of one length"),
    (lambda: explorers.fit_explorer([1.0, np.nan], [1.0, 2.0]), ValueError, "finite"),
    (lambda: explorers.fit_explorer([1.0, 2.0], [1.0, 2.0], W_values=(2.0, 1.0)), ValueError, "increasing"),
    (lambda: explorers.learning_rate_explorer([1.0, 2.0], [1.0, 2.0], learning_rates=(-0.1, 0.1)),
     ValueError, "> 0"),
    (lambda: explorers.learning_rate_explorer([1.0, 2.0], [1.0, 2.0], epoch_counts=(2.5,)),
     ValueError, "whole numbers"),
])
def test_bad_input_gets_a_clear_error(call, error, message):
    with pytest.raises(error, match=message):
        call()


# --- the minibatch explorer (book/minibatch/minibatches.md) ----------------------------

from ttt import optim  # noqa: E402  (kept with the tests that use it)
from ttt.data import make_feature_data, standardize  # noqa: E402

SMALL_BATCHES, SMALL_RATES, SMALL_EPOCHS = (1, 8, 200), (0.03, 0.3), 3
# "Batch size 8, learning rate 0.3: 25 steps per epoch, 75 in all; final loss 1.02; ..."
MINIBATCH_TEXT = re.compile(r"Batch size (\d+), learning rate (\S+): (\d+) steps? per epoch, "
                            r"(\d+) in all; final loss ([^;]+);")


@pytest.fixture(scope="module")
def feature_data():
    X, y = make_feature_data(200, seed=11)
    return standardize(X)[0], y


@pytest.fixture(scope="module")
def minibatch(feature_data):
    return explorers.minibatch_explorer(*feature_data, batch_sizes=SMALL_BATCHES,
                                        learning_rates=SMALL_RATES, epochs=SMALL_EPOCHS)


def test_minibatch_explorer_precomputes_a_distinct_frame_for_every_position(minibatch,
                                                                           feature_data):
    shown = frames(minibatch)
    assert len(shown) == len(SMALL_BATCHES) * len(SMALL_RATES)
    assert len(set(shown.values())) == len(shown)
    for (i, j), html in shown.items():
        assert len(IMG.findall(html)) == 1, "one described image per frame"
        text = MINIBATCH_TEXT.search(html)
        assert text, html[-500:]
        size, rate = SMALL_BATCHES[i], SMALL_RATES[j]
        assert (int(text[1]), float(text[2])) == (size, rate)
        steps = -(-200 // size)
        assert (int(text[3]), int(text[4])) == (steps, steps * SMALL_EPOCHS)
        _, full, _, _ = explorers.minibatch_losses(*feature_data, rate, size, SMALL_EPOCHS,
                                                   seed=0)
        assert same_to_3_figures(float(text[5]), full[-1])
        assert f"batch size {size} and learning rate {rate:g}" in IMG.search(html).group(1)
    assert_linked(minibatch)
    assert [s.description for s in minibatch.sliders] == ["batch size", "learning rate"]
    assert [s.value for s in minibatch.sliders] == ["8", "0.03"]  # nearest to 16 and 0.1


def test_minibatch_losses_log_every_step_of_ttt_optims_epochs(feature_data):
    X, y = feature_data
    batch_losses, full_losses, W, b = explorers.minibatch_losses(X, y, 0.1, 16, 3, seed=4)
    assert len(batch_losses) == len(full_losses) == 3 * 13
    rng, W_ref, b_ref = np.random.default_rng(4), np.zeros(2), 0.0
    first = None
    for epoch in range(3):
        order = rng.permutation(len(y))
        first = first if first is not None else optim.batches(order, 16)[0]
        W_ref, b_ref = optim.minibatch_sgd_epoch(W_ref, b_ref, X, y, 0.1, 16, order)
        # the loss on all the data after the epoch's last step
        assert full_losses[13 * (epoch + 1) - 1] == pytest.approx(
            np.mean((X @ W_ref + b_ref - y) ** 2), rel=1e-12)
    np.testing.assert_allclose(W, W_ref, rtol=1e-12)
    assert b == pytest.approx(b_ref, rel=1e-12)
    # the first logged batch loss is that batch's loss at the start, W = 0 and b = 0
    assert batch_losses[0] == pytest.approx(np.mean(y[first] ** 2), rel=1e-12)


def test_noise_excess_predicts_where_the_loss_hovers(feature_data):
    X, y = feature_data
    X1 = np.column_stack([X, np.ones(len(X))])
    best = np.linalg.lstsq(X1, y, rcond=None)[0]
    floor = np.mean((X1 @ best - y) ** 2)
    assert explorers.noise_excess(X, y, 0.1, len(y)) == 0.0  # a full batch has no noise
    assert explorers.noise_excess(X, y, 0.2, 4) == pytest.approx(
        2 * explorers.noise_excess(X, y, 0.1, 4))
    # A long run at a small rate hovers where the formula says, when an epoch is long
    # against the 1/(ηλ) ≈ 25 steps the error takes to forget a kick (here 200 steps).
    _, full, _, _ = explorers.minibatch_losses(X, y, 0.02, 1, 30, seed=1)
    hover = np.mean(full[len(full) // 2:]) - floor
    assert hover == pytest.approx(explorers.noise_excess(X, y, 0.02, 1), rel=0.2)


@pytest.mark.parametrize("losses, verdict", [
    ([5.0, 2.0, np.inf, 1.0], "overflowed"),
    ([5.0, 2.0, 1.01, 1.02], "at the noise level"),
    ([5.0, 4.0, 3.0, 2.0], "still descending"),
    ([5.0, 1.5, 1.2, 50.0], "unstable"),
])
def test_minibatch_verdict_reads_the_last_epoch(losses, verdict):
    # two steps per epoch, floor 1, predicted excess 0.02
    assert explorers.minibatch_verdict(losses, 2, 1.0, 0.02) == verdict


def test_the_book_explorer_names_each_regime(feature_data):
    # On the book's scale of data: single examples at rate 0.3 are unstable, the full batch
    # in five steps is still descending, batches of 16 at rate 0.1 hover at the noise level.
    X, y = feature_data
    explorer = explorers.minibatch_explorer(X, y, batch_sizes=(1, 16, 200),
                                            learning_rates=(0.1, 0.3), epochs=5, lazy=True)
    text = {key: explorer.frame(*key).value for key in [(0, 1), (1, 0), (2, 0)]}
    assert "far above the noise level" in text[(0, 1)] or "overflowed" in text[(0, 1)]
    assert "it hovers at the noise level" in text[(1, 0)]
    assert "still on its way down" in text[(2, 0)]


def test_minibatch_frames_stay_small(minibatch):
    assert sum(len(html) for html in frames(minibatch).values()) < 300_000


@pytest.mark.parametrize("call, error, message", [
    (lambda: explorers.minibatch_explorer(np.ones(5), np.ones(5)), ValueError, r"shape \(N, d\)"),
    (lambda: explorers.minibatch_explorer(np.ones((5, 2)), np.ones(5), batch_sizes=(2, 8)),
     ValueError, "must not exceed the 5 examples"),
    (lambda: explorers.minibatch_explorer(np.ones((5, 2)), np.ones(5), batch_sizes=(1.5,)),
     ValueError, "whole numbers"),
    (lambda: explorers.minibatch_explorer(np.ones((5, 2)), np.ones(5), batch_sizes=(1, 2),
                                          learning_rates=(0.0,)), ValueError, "> 0"),
    (lambda: explorers.noise_excess(np.ones((5, 2)), np.ones(5), 0.1, 6), ValueError,
     "between 1 and 5"),
    (lambda: explorers.minibatch_losses(np.ones((5, 2)), np.ones(4), 0.1, 2, 1, 0), ValueError,
     "shape"),
])
def test_minibatch_bad_input_gets_a_clear_error(call, error, message):
    with pytest.raises(error, match=message):
        call()


# --- both languages (ttt.labels) ------------------------------------------------------------

from ttt import labels  # noqa: E402  (kept with the tests that use it)

from ttt.labels import CJK  # noqa: E402


def words_left(markup: str) -> list[str]:
    """The English words a reader of `markup` sees or hears: its text and its images' alt
    text (code and math aside)."""
    markup = re.sub(r"<code>.*?</code>", " ", markup, flags=re.S)
    alts = " ".join(re.findall(r'alt="([^"]*)"', markup))
    text = re.sub(r"<[^>]+>", " ", markup)
    return labels.untranslated(f"{text} {alts}")


@pytest.fixture(scope="module")
def bilingual(data, feature_data):
    """One small explorer of each kind, built as the book's build builds them: with every
    figure drawn in both languages."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv(labels.EVERY_LANGUAGE, "1")
        return {
            "fit": explorers.fit_explorer(*data, W_values=(2.0, 5.0), b_values=(0.0, 2.0)),
            "learning rate": explorers.learning_rate_explorer(
                *data, learning_rates=(0.1, 1.1), epoch_counts=(3,)),
            "minibatch": explorers.minibatch_explorer(*feature_data, batch_sizes=(1, 200),
                                                      learning_rates=(0.3,), epochs=2),
            "tape": explorers.tape_explorer(),
        }


def shown(explorer) -> list[str]:
    """The heading and every frame, as the widget state holds them."""
    return [explorer.children[0].value, *frames(explorer).values()]


@pytest.mark.parametrize("kind", ["fit", "learning rate", "minibatch", "tape"])
def test_each_edition_keeps_its_own_language_and_no_other(bilingual, kind):
    for markup in shown(bilingual[kind]):
        english, chinese = labels.keep(markup, "en"), labels.keep(markup, "zh-CN")
        assert labels.MARK not in english + chinese
        assert not CJK.search(english), english[:300]
        assert CJK.search(chinese) and not words_left(chinese), (words_left(chinese), chinese[:300])
        # Each language has its own picture (its words drawn in it) with its own alt text.
        for kept in (english, chinese):
            assert len(IMG.findall(kept)) == (0 if kind == "tape" or "<img" not in markup else 1)
        if "<img" in markup:
            png = re.compile(r"base64,([^\"]+)")
            assert png.search(english)[1] != png.search(chinese)[1]
            assert CJK.search(IMG.search(chinese)[1]) and not CJK.search(IMG.search(english)[1])


@pytest.mark.parametrize("kind", ["fit", "learning rate", "minibatch", "tape"])
def test_slider_labels_are_plain_words_the_table_translates(bilingual, kind):
    for slider in bilingual[kind].sliders:
        for words in (slider.description, slider.tooltip, *slider.options):
            assert not labels.untranslated(labels.translate(words)), words
    if kind == "tape":
        assert [labels.translate(o) for o in bilingual[kind].sliders[0].options[:2]] == [
            "起点", "前向 1"]


def test_outside_the_book_an_explorer_draws_english_only(fit):
    for markup in shown(fit):
        assert "zh-CN" not in IMG.pattern and len(IMG.findall(markup)) <= 1
        assert not CJK.search(re.sub(r'<(span|div) class="ttt-l10n" lang="zh-CN".*?</\1>', "",
                                     markup, flags=re.S))


def test_each_editions_frames_stay_small(book_data):
    # What one edition's page carries: its language's frames, pictures included.
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv(labels.EVERY_LANGUAGE, "1")
        explorer = explorers.fit_explorer(*book_data)
    for language in labels.LANGUAGES:
        assert sum(len(labels.keep(html, language)) for html in frames(explorer).values()) \
            < 400_000
