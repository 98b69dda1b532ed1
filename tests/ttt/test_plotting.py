"""ttt.plotting: what its figures show, read back from the matplotlib artists.

plot_curvature_directions (book/linear_fit/learning_rate.md) draws the Hessian's
eigenvectors as arrows through the least-squares point: the tests check that the arrows are
those eigenvectors of ttt.reference.loss_hessian, centred on ttt.reference.least_squares,
ending on one contour of the loss, and labelled steep (λ_max) and flat (λ_min).
"""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pytest
from matplotlib.contour import ContourSet
from matplotlib.text import Annotation

from ttt import reference
from ttt.data import ORIGIN_SEED, make_linear_data
from ttt.plotting import PALETTE, plot_curvature_directions

STEEP, FLAT = "steep direction (λ_max)", "flat direction (λ_min)"
# (input_mean, input_std): the book's data, the book's "moved up by 1", and wide inputs
# whose steep direction is nearly the W axis.
DATA_SETS = [(0.0, 1.0), (1.0, 1.0), (0.5, 3.0)]


@pytest.fixture
def ax():
    fig, ax = plt.subplots()
    yield ax
    plt.close(fig)


def book_data(input_mean=0.0, input_std=1.0):
    return make_linear_data(seed=ORIGIN_SEED, input_mean=input_mean, input_std=input_std,
                            dtype=np.float64)


def arrows(ax) -> dict[str, Annotation]:
    """The arrows drawn, by their gid."""
    return {text.get_gid(): text for text in ax.texts
            if isinstance(text, Annotation) and text.arrow_patch is not None}


def labels(ax) -> list[str]:
    """Every piece of text on the axes (line breaks as spaces)."""
    return [" ".join(text.get_text().split()) for text in ax.texts if text.get_text()]


def loss_at(inputs, outputs, point) -> float:
    W, b = point
    return reference.mse(reference.predict(W, b, inputs), outputs)


@pytest.mark.parametrize("input_mean, input_std", DATA_SETS)
def test_arrows_are_the_hessians_eigenvectors_through_the_optimum(ax, input_mean, input_std):
    inputs, outputs = book_data(input_mean, input_std)
    plot_curvature_directions(inputs, outputs, ax=ax)
    eigenvalues, eigenvectors = np.linalg.eigh(reference.loss_hessian(inputs))
    best = np.array(reference.least_squares(inputs, outputs))
    drawn = arrows(ax)
    assert set(drawn) == {STEEP, FLAT}
    for name, vector in ((FLAT, eigenvectors[:, 0]), (STEEP, eigenvectors[:, 1])):
        tip, tail = np.array(drawn[name].xy), np.array(drawn[name].xyann)
        # Centred on the least-squares point...
        np.testing.assert_allclose((tip + tail) / 2, best, atol=1e-12)
        # ...along the eigenvector (either sign), which points up so the label sits above.
        direction = (tip - tail) / np.linalg.norm(tip - tail)
        assert abs(direction @ vector) == pytest.approx(1, abs=1e-12)
        assert direction[1] > 0
        # Both heads drawn, in the arrow's own colour, and the label beside it.
        assert drawn[name].arrow_patch.get_arrowstyle().__class__.__name__ == "CurveAB"
        assert drawn[name].arrow_patch.get_edgecolor() == pytest.approx(
            matplotlib.colors.to_rgba(PALETTE["extra" if name == STEEP else "accent"]))
    assert set(labels(ax)) == {STEEP, FLAT}
    # The two directions are at right angles.
    steep = np.subtract(drawn[STEEP].xy, drawn[STEEP].xyann)
    flat = np.subtract(drawn[FLAT].xy, drawn[FLAT].xyann)
    assert steep @ flat == pytest.approx(0, abs=1e-12)


@pytest.mark.parametrize("input_mean, input_std", DATA_SETS)
def test_both_arrows_end_on_the_dashed_contour(ax, input_mean, input_std):
    inputs, outputs = book_data(input_mean, input_std)
    plot_curvature_directions(inputs, outputs, ax=ax, W_range=(1, 5.5), b_range=(-0.5, 4))
    drawn = arrows(ax)
    ends = {name: [loss_at(inputs, outputs, drawn[name].xy),
                   loss_at(inputs, outputs, drawn[name].xyann)] for name in drawn}
    single = [c for c in ax.findobj(ContourSet) if len(c.levels) == 1]
    assert len(single) == 1
    level = single[0].levels[0]
    np.testing.assert_allclose(ends[STEEP] + ends[FLAT], level, rtol=1e-10)
    # The steep arrow is shorter, by sqrt(λ_min/λ_max); the flat one is `reach` (0.3) of
    # the smaller side of the box from the optimum.
    eigenvalues = np.linalg.eigvalsh(reference.loss_hessian(inputs))
    half = {name: np.linalg.norm(np.subtract(drawn[name].xy, drawn[name].xyann)) / 2
            for name in drawn}
    assert half[FLAT] == pytest.approx(0.3 * 4.5)
    assert half[STEEP] / half[FLAT] == pytest.approx(np.sqrt(eigenvalues[0] / eigenvalues[1]))


def test_the_path_is_the_trajectory_given_and_the_box_is_to_scale(ax):
    inputs, outputs = book_data(1.0)
    path = reference.learning_rate_study(inputs, outputs, [0.3], epochs=9)[0.3]
    plot_curvature_directions(inputs, outputs, path, ax=ax, label="learning rate 0.3",
                              W_range=(1, 5.5), b_range=(-0.5, 4))
    [line] = [line for line in ax.get_lines() if line.get_label() == "learning rate 0.3"]
    np.testing.assert_array_equal(line.get_xdata(), path.W)
    np.testing.assert_array_equal(line.get_ydata(), path.b)
    [star] = [line for line in ax.get_lines() if line.get_label() == "least squares"]
    np.testing.assert_allclose([star.get_xdata()[0], star.get_ydata()[0]],
                               reference.least_squares(inputs, outputs))
    assert ax.get_xlim() == (1, 5.5) and ax.get_ylim() == (-0.5, 4)
    assert ax.get_aspect() == 1.0  # "equal": a right angle looks like one
    assert (ax.get_xlabel(), ax.get_ylabel()) == ("W", "b")
    legend = [text.get_text() for text in ax.get_legend().get_texts()]
    assert legend == ["learning rate 0.3", "least squares"]


def test_default_box_holds_the_path_and_the_optimum(ax):
    inputs, outputs = book_data()
    path = reference.learning_rate_study(inputs, outputs, [0.3], epochs=5)[0.3]
    plot_curvature_directions(inputs, outputs, path, ax=ax)
    (W_low, W_high), (b_low, b_high) = ax.get_xlim(), ax.get_ylim()
    best = reference.least_squares(inputs, outputs)
    for W, b in [best, *zip(path.W, path.b)]:
        assert W_low < W < W_high and b_low < b < b_high


def test_draws_without_a_path_and_on_the_current_axes():
    fig, ax = plt.subplots()
    try:
        inputs, outputs = book_data()
        assert plot_curvature_directions(inputs, outputs) is ax
        assert set(arrows(ax)) == {STEEP, FLAT}
        assert [line.get_label() for line in ax.get_lines()] == ["least squares"]
    finally:
        plt.close(fig)


# --- plot_minibatch_losses (book/minibatch/minibatches.md) -----------------------------

def test_minibatch_losses_are_drawn_against_epochs_with_the_floor(ax):
    from ttt.plotting import plot_minibatch_losses

    batch = np.array([5.0, 0.2, 3.0, 1.5, 0.9, 1.2])
    full = np.array([4.0, 2.0, 1.5, 1.1, 1.0, 0.95])
    plot_minibatch_losses(batch, full, steps_per_epoch=3, floor=0.9, ax=ax)
    lines = {line.get_label(): line for line in ax.get_lines()}
    logged, real = lines["loss on each step's batch"], lines["loss on all the data"]
    np.testing.assert_allclose(logged.get_xdata(), [1 / 3, 2 / 3, 1, 4 / 3, 5 / 3, 2])
    np.testing.assert_allclose(logged.get_ydata(), batch)
    np.testing.assert_allclose(real.get_ydata(), full)
    floor = lines["least-squares floor 0.900"]
    assert set(floor.get_ydata()) == {0.9}
    assert ax.get_yscale() == "log" and ax.get_xlabel() == "epoch"
    # the bottom is a third of the floor, so the batch loss of 0.2 stays in view
    assert ax.get_ylim()[0] == pytest.approx(0.3)
    assert ax.get_ylim()[1] >= full.max()


@pytest.mark.parametrize("batch, full, steps, message", [
    (np.ones(3), np.ones(4), 1, "one length"),
    (np.ones((2, 2)), np.ones((2, 2)), 1, "1-D"),
    (np.ones(3), np.ones(3), 0, "steps_per_epoch"),
])
def test_minibatch_losses_refuse_mismatched_input(ax, batch, full, steps, message):
    from ttt.plotting import plot_minibatch_losses

    with pytest.raises(ValueError, match=message):
        plot_minibatch_losses(batch, full, steps, ax=ax)


# --- figures in Chinese (ttt.labels; the book's build) --------------------------------------

import base64  # noqa: E402  (kept with the tests that use it)
import re  # noqa: E402
import warnings  # noqa: E402

from ttt import labels as table  # noqa: E402  (labels() reads an axes' texts)
from ttt import plotting  # noqa: E402

from ttt.labels import CJK  # noqa: E402


def every_helpers_figure():
    """One figure per helper, with every word it can draw (a page's own labels aside)."""
    inputs, outputs = book_data()
    path = reference.learning_rate_study(inputs, outputs, [0.1, 0.3], epochs=4)
    floor = reference.loss_floor(inputs, outputs)
    critical = reference.critical_learning_rate(inputs)
    drawings = [
        lambda ax: plotting.plot_fit(inputs, outputs, 5.0, 0.0, ax=ax, true_W=3.0, true_b=2.0),
        lambda ax: plotting.plot_trajectory(path[0.1], 3.0, 2.0, ax=ax),
        lambda ax: plotting.plot_loss_curves({"gradient descent": path[0.1]}, floor=floor, ax=ax),
        lambda ax: plotting.plot_loss_contours(inputs, outputs, {"rate 0.3": path[0.3]}, ax=ax),
        lambda ax: plotting.plot_learning_rate_study(path, critical=critical, floor=floor, ax=ax),
        lambda ax: plotting.plot_curvature_directions(inputs, outputs, path[0.3], ax=ax),
        lambda ax: plotting.plot_minibatch_losses([3.0, 2.0, 1.5], [2.5, 1.8, 1.2], 3,
                                                  floor=1.0, ax=ax, label="B=1"),
    ]
    for draw in drawings:
        fig, ax = plt.subplots()
        draw(ax)
        yield fig
        plt.close(fig)


def texts(fig) -> list[str]:
    return [text.get_text() for text in fig.findobj(matplotlib.text.Text) if text.get_text()]


def test_every_word_the_helpers_draw_has_chinese_and_is_drawn_without_tofu(caplog):
    # matplotlib logs a missing weight or glyph: a kernel shows that as the cell's stderr.
    caplog.set_level("WARNING", logger="matplotlib")
    for fig in every_helpers_figure():
        fig.canvas.draw()  # the tick labels too
        english = texts(fig)
        with plotting.translated(fig) as (changed, left):
            assert changed and left == [], (english, left)
            chinese = texts(fig)
            assert any(CJK.search(text) for text in chinese)
            assert not table.untranslated(" ".join(chinese))
            with warnings.catch_warnings():
                warnings.simplefilter("error")  # "Glyph ... missing from font" would raise
                fig.canvas.draw()
        assert texts(fig) == english, "the English words are back after the block"
    assert not caplog.records, [record.getMessage() for record in caplog.records]


def test_a_figure_that_cannot_be_drawn_in_chinese_keeps_its_english(monkeypatch):
    def no_font(words):
        raise RuntimeError("no font with Chinese glyphs")

    monkeypatch.setattr(plotting, "_font_for", no_font)
    fig = next(every_helpers_figure())
    english = texts(fig)
    with pytest.raises(RuntimeError, match="no font"):
        with plotting.translated(fig):
            pass
    assert texts(fig) == english


def test_a_figure_shown_in_the_books_build_carries_its_chinese_copy(monkeypatch):
    from IPython.core.interactiveshell import InteractiveShell
    from IPython.core.pylabtools import select_figure_formats

    monkeypatch.setenv(table.EVERY_LANGUAGE, "1")
    shell = InteractiveShell.instance()
    try:
        select_figure_formats(shell, {"png"})
        plotting._show_chinese_copies()
        fig, ax = plt.subplots()
        plotting.plot_fit(*book_data(), 5.0, 0.0, ax=ax, label="start")
        data, metadata = shell.display_formatter.format(fig)
        assert metadata[table.FIGURE_METADATA] == {"translated": True, "untranslated": []}
        english, chinese = (base64.b64decode(data[key])
                            for key in ("image/png", table.CHINESE_FIGURE))
        assert english.startswith(b"\x89PNG") and chinese.startswith(b"\x89PNG")
        assert english != chinese
        # Words the table lacks are named; a figure with no words has no copy.
        ax.set_title("frobnicate")
        data, metadata = shell.display_formatter.format(fig)
        assert metadata[table.FIGURE_METADATA]["untranslated"] == ["frobnicate"]
        bare, _ = plt.subplots()
        data, metadata = shell.display_formatter.format(bare)
        assert table.CHINESE_FIGURE not in data and "image/png" in data
        assert metadata[table.FIGURE_METADATA] == {"translated": False, "untranslated": []}
        plt.close("all")
    finally:
        InteractiveShell.clear_instance()


def test_outside_the_books_build_figures_are_left_alone(monkeypatch):
    from IPython.core.interactiveshell import InteractiveShell

    monkeypatch.delenv(table.EVERY_LANGUAGE, raising=False)
    shell = InteractiveShell.instance()
    try:
        plotting._show_chinese_copies()
        fig, _ = plt.subplots()
        with pytest.raises(KeyError):
            shell.display_formatter.mimebundle_formatter.lookup(fig)
        plt.close(fig)
    finally:
        InteractiveShell.clear_instance()
