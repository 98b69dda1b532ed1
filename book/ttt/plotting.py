"""Figures for the book, in one colour-blind-safe palette (Okabe & Ito).

Every chapter draws through these helpers so that colours mean the same thing everywhere:
data in blue, the model in vermilion, true values in black dashes.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np

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


def plot_fit(inputs, outputs, W, b, ax=None, label="model"):
    """Scatter the data and draw the line x·W + b over it."""
    ax = ax or plt.gca()
    ax.scatter(inputs, outputs, s=6, alpha=0.4, color=PALETTE["data"], label="data")
    xs = np.linspace(np.min(inputs), np.max(inputs), 2)
    ax.plot(xs, xs * W + b, color=PALETTE["model"], linewidth=2, label=f"{label}: W={W:.2f}, b={b:.2f}")
    ax.set_xlabel("x")
    ax.set_ylabel("y")
    ax.legend(loc="upper left")
    return ax


def plot_trajectory(trajectory, true_W, true_b, ax=None):
    """W and b per epoch against their true values, as in the origin's figure."""
    ax = ax or plt.gca()
    epochs = np.arange(len(trajectory.W))
    ax.plot(epochs, trajectory.W, color=PALETTE["W"], marker="o", label="W")
    ax.plot(epochs, trajectory.b, color=PALETTE["b"], marker="s", label="b")
    ax.axhline(true_W, color=PALETTE["W"], linestyle="--", label="true W")
    ax.axhline(true_b, color=PALETTE["b"], linestyle=":", label="true b")
    ax.set_xlabel("epoch")
    ax.legend()
    return ax
