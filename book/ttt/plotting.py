"""Figures for the book, in one colour-blind-safe palette (Okabe & Ito).

Every chapter draws through these helpers so that colours mean the same thing everywhere:
data in blue, the model in vermilion, W in vermilion and b in green, true values dashed.
The linear-fit figures are drawn in book/linear_fit/, the minibatch loss curves in
book/minibatch/minibatches.md.

Figures speak both of the book's languages. In the book's build (where
``ttt.labels.EVERY_LANGUAGE`` is set), every figure a notebook shows also carries a
Chinese copy, its words (whoever wrote them: these helpers or the page) translated by the
table in :mod:`ttt.labels` and drawn in a CJK font (:func:`translated`); the Chinese
edition shows that copy. Elsewhere (Jupyter, Colab) nothing changes.
"""

from __future__ import annotations

import os
import sys
from contextlib import contextmanager
from functools import lru_cache

import matplotlib.pyplot as plt
import matplotlib.text
from matplotlib import patheffects
import matplotlib.ticker
import numpy as np
from matplotlib.figure import Figure

from ttt import labels

# Okabe–Ito: distinguishable with the common forms of colour blindness.
PALETTE = {
    "data": "#0072B2",  # blue
    "model": "#D55E00",  # vermilion
    "W": "#D55E00",
    "b": "#009E73",  # bluish green
    "true": "#000000",
    "accent": "#E69F00",  # orange
    "muted": "#999999",
    "extra": "#CC79A7",  # reddish purple
}

# For several curves on one figure (e.g. one per learning rate), in this order; each curve
# also gets its own marker, so that no two are told apart by colour alone.
CYCLE = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#D55E00", "#56B4E9", "#000000"]
MARKERS = ["o", "s", "^", "D", "v", "P", "X"]


def plot_fit(inputs, outputs, W, b, ax=None, label="model", true_W=None, true_b=None):
    """Scatter the data and draw the line x·W + b over it (and the true line, if given)."""
    ax = ax or plt.gca()
    ax.scatter(inputs, outputs, s=6, alpha=0.4, color=PALETTE["data"], label="data")
    xs = np.linspace(np.min(inputs), np.max(inputs), 2)
    ax.plot(xs, xs * W + b, color=PALETTE["model"], linewidth=2, label=f"{label}: W={W:.2f}, b={b:.2f}")
    if true_W is not None and true_b is not None:
        ax.plot(xs, xs * true_W + true_b, color=PALETTE["true"], linestyle="--", linewidth=1.5,
                label=f"true line: W={true_W:.2f}, b={true_b:.2f}")
    ax.set_xlabel("x")
    ax.set_ylabel("y")
    ax.legend(loc="upper left")
    return ax


def plot_trajectory(trajectory, true_W, true_b, ax=None, label=None, linestyle="-",
                    marker="o", show_true=True):
    """W and b per epoch against their true values, as in the origin's figure.

    Call it twice on one ``ax`` (the second time with another ``label``, ``linestyle`` or
    ``marker`` and ``show_true=False``) to lay two fits over each other.
    """
    ax = ax or plt.gca()
    epochs = np.arange(len(trajectory.W))
    prefix = f"{label}: " if label else ""
    ax.plot(epochs, trajectory.W, color=PALETTE["W"], marker=marker, linestyle=linestyle,
            label=f"{prefix}W")
    ax.plot(epochs, trajectory.b, color=PALETTE["b"], marker=marker, linestyle=linestyle,
            label=f"{prefix}b")
    if show_true:
        ax.axhline(true_W, color=PALETTE["W"], linestyle="--", linewidth=1, label="true W")
        ax.axhline(true_b, color=PALETTE["b"], linestyle=":", linewidth=1, label="true b")
    ax.set_xlabel("epoch")
    ax.legend()
    return ax


def plot_loss_curves(trajectories, floor=None, ax=None, log=True):
    """The loss per epoch of each ``{label: Trajectory}``, with the floor dashed if given."""
    ax = ax or plt.gca()
    for (label, trajectory), (color, marker) in zip(trajectories.items(), _cycle(len(trajectories))):
        ax.plot(np.arange(len(trajectory)), trajectory.loss, color=color, marker=marker,
                markersize=4, label=label)
    if floor is not None:
        ax.axhline(floor, color=PALETTE["true"], linestyle="--", linewidth=1,
                   label=f"least-squares floor {floor:.4f}")
    if log:
        ax.set_yscale("log")
    ax.set_xlabel("epoch")
    ax.set_ylabel("loss")
    ax.legend()
    return ax


def plot_loss_contours(inputs, outputs, trajectories, ax=None, W_range=None, b_range=None,
                       levels=20):
    """Contours of the loss over (W, b), each ``{label: Trajectory}`` drawn as a path on it.

    The least-squares point is marked with a star. The ranges default to a box around the
    paths and that point.
    """
    from ttt.reference import least_squares, loss_surface

    ax = ax or plt.gca()
    best_W, best_b = least_squares(inputs, outputs)
    finite = [t for t in trajectories.values() if np.all(np.isfinite(t.W))]
    W_range = W_range or _padded_range([best_W, *np.concatenate([t.W for t in finite] or [[]])])
    b_range = b_range or _padded_range([best_b, *np.concatenate([t.b for t in finite] or [[]])])
    Ws, bs = np.linspace(*W_range, 200), np.linspace(*b_range, 200)
    surface = loss_surface(inputs, outputs, Ws, bs)
    ax.contour(Ws, bs, surface, levels=np.geomspace(surface.min(), surface.max(), levels),
               colors=PALETTE["muted"], linewidths=0.8)
    for (label, trajectory), (color, marker) in zip(trajectories.items(), _cycle(len(trajectories))):
        ax.plot(trajectory.W, trajectory.b, color=color, marker=marker, markersize=4,
                linewidth=1.2, label=label)
    ax.plot(best_W, best_b, marker="*", markersize=14, color=PALETTE["true"], linestyle="none",
            label="least squares")
    ax.set_xlim(W_range)
    ax.set_ylim(b_range)
    ax.set_xlabel("W")
    ax.set_ylabel("b")
    ax.legend(loc="upper right")
    return ax


def plot_learning_rate_study(study, critical=None, floor=None, ax=None):
    """Loss per epoch for each ``{learning_rate: Trajectory}``, on a log scale.

    Labels give each rate as a fraction of the critical rate 2/λ_max when ``critical`` is given.
    Runs that overflow simply leave the top of the figure.
    """
    def describe(rate):
        return f"rate {rate:g}" + (f" ({rate / critical:.2f}·2/λ_max)" if critical else "")

    ax = ax or plt.gca()
    plot_loss_curves({describe(rate): t for rate, t in study.items()}, floor=floor, ax=ax)
    finite = np.concatenate([t.loss[np.isfinite(t.loss)] for t in study.values()])
    ax.set_ylim(min(finite.min(), floor or np.inf) * 0.8, np.max(next(iter(study.values())).loss) * 20)
    return ax


def plot_curvature_directions(inputs, outputs, trajectory=None, ax=None, W_range=None,
                              b_range=None, label="gradient descent", levels=20, reach=0.3):
    """Loss contours over (W, b) with the Hessian's eigenvectors as arrows through the optimum.

    Each eigenvector of :func:`ttt.reference.loss_hessian` is drawn as a double-headed arrow
    centred on the least-squares point (a star) and labelled "steep direction (λ_max)" or
    "flat direction (λ_min)"; the arrows carry those labels as their ``gid``. Both arrows
    end on one contour, ``reach`` times the smaller side of the box from the optimum along
    the flat direction (that contour is dashed): the loss climbs faster along the steep
    one, so its arrow is shorter by sqrt(λ_min/λ_max). A ``trajectory``, if given, is drawn as a path of dots. Both axes
    have the same scale, so that directions and lengths look as they are: pass ranges of
    equal span for a square box. Taught in book/linear_fit/learning_rate.md.
    """
    from ttt.reference import least_squares, loss_hessian, loss_surface

    ax = ax or plt.gca()
    best = np.array(least_squares(inputs, outputs))
    eigenvalues, eigenvectors = np.linalg.eigh(loss_hessian(inputs))
    points = [best[None, :]]
    if trajectory is not None and np.all(np.isfinite(trajectory.W)):
        points.append(np.column_stack([trajectory.W, trajectory.b]))
    points = np.concatenate(points)
    W_range = W_range or _padded_range(points[:, 0])
    b_range = b_range or _padded_range(points[:, 1])
    Ws, bs = np.linspace(*W_range, 200), np.linspace(*b_range, 200)
    surface = loss_surface(inputs, outputs, Ws, bs)
    ax.contour(Ws, bs, surface, levels=np.geomspace(surface.min(), surface.max(), levels),
               colors=PALETTE["muted"], linewidths=0.8)

    flat_length = reach * min(np.ptp(W_range), np.ptp(b_range))
    floor = loss_surface(inputs, outputs, best[:1], best[1:])[0, 0]
    # The one contour both arrows end on: the loss rises by λ·half²/2 along an eigenvector.
    ax.contour(Ws, bs, surface, levels=[floor + eigenvalues[0] * flat_length**2 / 2],
               colors=PALETTE["true"], linewidths=1, linestyles="--")
    directions = (("flat direction (λ_min)", eigenvalues[0], eigenvectors[:, 0],
                   PALETTE["accent"]),
                  ("steep direction (λ_max)", eigenvalues[1], eigenvectors[:, 1],
                   PALETTE["extra"]))
    for name, eigenvalue, vector, color in directions:
        # Point into the upper half-plane, so that each label sits above the star.
        vector = vector if (vector[1], vector[0]) > (0, 0) else -vector
        half = flat_length * np.sqrt(eigenvalues[0] / eigenvalue)
        tip, tail = best + half * vector, best - half * vector
        ax.annotate("", xy=tip, xytext=tail, gid=name,
                    arrowprops=dict(arrowstyle="<->", color=color, linewidth=2,
                                    shrinkA=0, shrinkB=0))
        ax.annotate(name.replace(" (", "\n("), xy=tip, xytext=(0, 5),
                    textcoords="offset points", color=color, fontsize=9,
                    fontweight="bold", ha="center", va="bottom",
                    bbox=dict(boxstyle="round,pad=0.1", facecolor="white", edgecolor="none",
                              alpha=0.8), zorder=2.5)  # over the contours, under the arrows
    if trajectory is not None:
        ax.plot(trajectory.W, trajectory.b, color=PALETTE["data"], marker="o", markersize=4,
                linewidth=1.2, label=label)
    ax.plot(*best, marker="*", markersize=14, color=PALETTE["true"], linestyle="none",
            label="least squares")
    ax.set_xlim(W_range)
    ax.set_ylim(b_range)
    ax.set_aspect("equal")
    ax.set_xlabel("W")
    ax.set_ylabel("b")
    ax.legend(loc="lower left")
    return ax


def plot_minibatch_losses(batch_losses, full_losses, steps_per_epoch, floor=None, ax=None,
                          label=""):
    """The loss at every step of minibatch training, against epochs (steps / steps per epoch).

    ``batch_losses`` are the losses of each step's own batch, before the step: what a training
    log prints, drawn light. ``full_losses`` are the losses on all the data after each step,
    drawn dark. The floor, if given, is dashed. Log scale, bottom at a third of the floor, so
    that a one-example batch's near-zero losses do not squash the rest. Taught in
    book/minibatch/minibatches.md.
    """
    batch_losses = np.asarray(batch_losses, dtype=np.float64)
    full_losses = np.asarray(full_losses, dtype=np.float64)
    if batch_losses.shape != full_losses.shape or batch_losses.ndim != 1:
        raise ValueError(f"batch_losses and full_losses must be 1-D and of one length, got "
                         f"shapes {batch_losses.shape} and {full_losses.shape}")
    if not steps_per_epoch > 0:
        raise ValueError(f"steps_per_epoch must be > 0, got {steps_per_epoch!r}")
    ax = ax or plt.gca()
    epochs = np.arange(1, len(full_losses) + 1) / steps_per_epoch
    prefix = f"{label}: " if label else ""
    ax.plot(epochs, batch_losses, color=PALETTE["muted"], linewidth=0.6, alpha=0.8,
            label=f"{prefix}loss on each step's batch")
    ax.plot(epochs, full_losses, color=PALETTE["data"], linewidth=1.5,
            label=f"{prefix}loss on all the data")
    if floor is not None:
        ax.axhline(floor, color=PALETTE["true"], linestyle="--", linewidth=1,
                   label=f"least-squares floor {floor:.3f}")
    ax.set_yscale("log")
    # Unlabelled minor ticks: labels on a log axis spanning one or two decades crowd it.
    ax.yaxis.set_minor_formatter(matplotlib.ticker.NullFormatter())
    if floor is not None:
        finite = full_losses[np.isfinite(full_losses)]
        top = max(np.max(finite, initial=floor), floor) * 2
        ax.set_ylim(floor / 3, top)
    ax.set_xlabel("epoch")
    ax.set_ylabel("loss")
    ax.legend(loc="upper right")
    return ax


def _cycle(count):
    """(colour, marker) pairs for ``count`` curves."""
    return [(CYCLE[i % len(CYCLE)], MARKERS[i % len(MARKERS)]) for i in range(count)]


def _padded_range(values, pad=0.15):
    low, high = float(np.min(values)), float(np.max(values))
    span = max(high - low, 1.0)
    return low - pad * span, high + pad * span


# --- figures in Chinese (the book's build) -----------------------------------------------

# Fonts with Simplified Chinese glyphs, in order of preference. The book's machines have
# the first (Debian's fonts-wqy-microhei, from tools/install-system-packages).
CJK_FONTS = ("WenQuanYi Micro Hei", "Noto Sans CJK SC", "Source Han Sans SC", "Noto Sans SC")
_CJK_FILES = ("wqy-microhei", "notosanscjk", "sourcehansans", "notosanssc")
_LATIN_FONT = "DejaVu Sans"  # matplotlib's own: the Latin letters look as in English


@lru_cache(maxsize=1)
def cjk_font() -> str | None:
    """The name of a font with Chinese glyphs that matplotlib can use, or None."""
    from matplotlib import font_manager

    def known():
        names = {font.name for font in font_manager.fontManager.ttflist}
        return next((name for name in CJK_FONTS if name in names), None)

    if known() is None:  # installed after matplotlib cached its list of fonts
        for path in font_manager.findSystemFonts():
            if any(key in os.path.basename(path).lower() for key in _CJK_FILES):
                font_manager.fontManager.addfont(path)
    return known()


@contextmanager
def translated(fig: Figure, language: str = labels.CHINESE):
    """Every text of ``fig`` in ``language`` (:func:`ttt.labels.translate`), in a font
    with its glyphs, until the block ends. Yields ``(changed, left)``: whether any text
    changed, and the English words the table lacks."""
    changed, left = [], []
    try:  # what was changed is put back, also when a text cannot be drawn (no font)
        for text in fig.findobj(matplotlib.text.Text):
            english = text.get_text()
            words = labels.translate(english, language)
            left += labels.untranslated(words)
            if words != english:
                changed.append((text, english, text.get_fontfamily(), text.get_fontweight(),
                                text.get_path_effects()))
                text.set_text(words)
                # Mathtext lays out the words around $...$ in the first font only.
                text.set_fontfamily([_font_for(words), _LATIN_FONT] if "$" in words
                                    else [_LATIN_FONT, _font_for(words)])
                if _weight(text.get_fontweight()) > 500:
                    # CJK fonts come in one weight: a stroke in the text's colour makes it
                    # bold (a bold face asked for would log a warning into the output).
                    text.set_fontweight("normal")
                    text.set_path_effects([patheffects.withStroke(
                        linewidth=0.8, foreground=text.get_color())])
        yield bool(changed), list(dict.fromkeys(left))
    finally:
        for text, english, family, weight, effects in changed:
            text.set_text(english)
            text.set_fontfamily(family)
            text.set_fontweight(weight)
            text.set_path_effects(effects)


def _weight(weight) -> int:
    from matplotlib.font_manager import weight_dict

    return weight if isinstance(weight, int) else weight_dict.get(weight, 400)


def _font_for(words: str) -> str:
    font = cjk_font()
    if font is None:
        raise RuntimeError(f"no font with Chinese glyphs for the figure text {words!r}: "
                           "install fonts-wqy-microhei (tools/install-system-packages)")
    return font


def _chinese_copy(fig: Figure):
    """The display data a figure gets in the book's build: its Chinese copy, drawn as the
    notebook draws the figure itself, when it has words to translate; and, in the
    output's metadata, whether it had and which words the table lacks."""
    from functools import partial

    from IPython import get_ipython
    from IPython.core.pylabtools import print_figure

    try:
        draw = get_ipython().display_formatter.formatters["image/png"].lookup(fig)
    except (AttributeError, KeyError):  # no inline backend: draw as it does by default
        draw = partial(print_figure, fmt="png", base64=True, bbox_inches="tight")
    with translated(fig) as (changed, left):
        data = {labels.CHINESE_FIGURE: draw(fig)} if changed else {}
    return data, {labels.FIGURE_METADATA: {"translated": changed, "untranslated": left}}


def _show_chinese_copies() -> None:
    """In a notebook of the book's build, give every figure shown its Chinese copy."""
    if not labels.every_language() or "IPython" not in sys.modules:
        return
    from IPython import get_ipython

    shell = get_ipython()
    formatter = getattr(getattr(shell, "display_formatter", None), "mimebundle_formatter", None)
    if formatter is not None:
        formatter.for_type(Figure, _chinese_copy)


_show_chinese_copies()
