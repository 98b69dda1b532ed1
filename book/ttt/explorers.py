"""Interactive explorers for the book and the notebooks (ipywidgets).

- :func:`fit_explorer` — sliders for ``W`` and ``b``: the line over the data, the loss
  (used in book/linear_fit/index.md);
- :func:`learning_rate_explorer` — sliders for the learning rate and the number of epochs:
  the descent path on the loss contours, the loss curve, and a verdict
  (:func:`learning_rate_verdict`) that joins the regime theory predicts from
  :func:`ttt.reference.critical_learning_rate` (stable, oscillating, divergent) with what
  the epochs shown did (a divergent run may still be falling: "diverges eventually")
  (book/linear_fit/learning_rate.md);
- :func:`tape_explorer` — an expression's records on the :mod:`ttt.tape` tape, then the
  backward pass through them, one step at a time (book/tapes/numpy_tape.md);
- :func:`minibatch_explorer` — sliders for the batch size and the learning rate of
  minibatch gradient descent: the loss on each step's batch and on all the data, against
  the noise level :func:`noise_excess` predicts (book/minibatch/minibatches.md).

Why frames: the static HTML book has no kernel, so a slider there cannot call Python.
Each explorer therefore renders one frame (an HTML snippet, with figures as PNG ``<img>``
carrying alt text) per slider position, puts them in a ``Stack``, and links the slider's
``index`` to the stack's ``selected_index`` with :func:`ipywidgets.jslink`, which the
browser runs by itself. With two sliders the stacks nest: the outer one follows the first
slider, every inner one the second. With a kernel the same widget works, and
``lazy=True`` renders each frame only when first shown (quicker to open in JupyterLab).

Everything drawn comes from :mod:`ttt.reference`, :mod:`ttt.optim`, :mod:`ttt.tape` and
:mod:`ttt.plotting` (its colour-blind-safe PALETTE); nothing here recomputes them.

Every word comes from the table in :mod:`ttt.labels`: frames, headings and notes carry
English and Chinese side by side (:func:`ttt.labels.say`, each edition of the book keeps
its own), and in the book's build each frame's figure is drawn in both
(:func:`ttt.plotting.translated`). Slider names, tooltips and positions are plain English
that the table covers (:func:`ttt.labels.require`); the Chinese build translates them.
"""

from __future__ import annotations

import base64
import html
import io
import math
import numbers
from typing import Callable, Sequence

import ipywidgets as widgets
import numpy as np
from matplotlib.figure import Figure

from ttt import labels, optim, reference, tape
from ttt.data import LEARNING_RATE, TRUE_W, W0, TRUE_b, b0
from ttt.labels import Text, say, sentences
from ttt.plotting import (PALETTE, plot_fit, plot_loss_contours, plot_loss_curves,
                          plot_minibatch_losses, translated)

__all__ = [
    "Explorer",
    "fit_explorer",
    "learning_rate_explorer",
    "learning_rate_regime",
    "learning_rate_verdict",
    "minibatch_explorer",
    "minibatch_losses",
    "minibatch_verdict",
    "noise_excess",
    "tape_explorer",
]

# Frames are embedded in every page that shows an explorer: keep each PNG small.
FRAME_DPI = 72
PNG_COLOURS = 64  # a palette PNG; the figures use a handful of flat colours
DISPLAY_POINTS = 200  # data points drawn (the loss always uses all of them)

LEARNING_RATES = (0.05, 0.1, 0.3, 0.5, 0.7, 0.9, 1.0, 1.1)
EPOCH_COUNTS = (5, 10, 20)
W_VALUES = (1.0, 2.0, 3.0, 4.0, 5.0)
B_VALUES = (0.0, 1.0, 2.0, 3.0, 4.0)

# The tape explorer's default: the linear fit's loss on four points of y = 3x + 2.
DEFAULT_TAPE_VALUES = {
    "W": W0,
    "b": b0,
    "inputs": np.array([-1.0, 0.0, 1.0, 2.0]),
    "outputs": np.array([-1.0, 2.0, 5.0, 8.0]),
}
DEFAULT_TAPE_TITLE = "loss = reduce_mean(square(W * inputs + b - outputs))"


def _default_tape_function(W, b, inputs, outputs):
    return tape.reduce_mean(tape.square(W * inputs + b - outputs))


class Explorer(widgets.VBox):
    """A titled box of sliders over a (possibly nested) ``Stack`` of precomputed frames.

    ``sliders`` are ``SelectionSlider``s; ``stack`` is the outermost Stack; ``links`` are the
    ``jslink``s tying each slider's ``index`` to the stacks' ``selected_index``;
    ``frame(i, j, ...)`` returns the HTML widget shown for those slider indices. ``title``
    and ``note`` are HTML in both languages (escaped by the caller).
    """

    def __init__(self, title: Text, sliders: Sequence[widgets.SelectionSlider],
                 render: Callable[..., str], *, lazy: bool = False, note: Text | None = None):
        self.sliders = list(sliders)
        self.links: list[widgets.widget_link.Link] = []
        self._render = render
        self._frames: dict[tuple[int, ...], widgets.HTML] = {}
        self.stack = self._nested_stack(())
        if lazy:
            # A kernel is there to draw each frame when it is first shown.
            for slider in self.sliders:
                slider.observe(lambda _change: self._fill_current(), names="index")
            self._fill_current()
        else:
            self.render_all()
        heading = widgets.HTML(("<strong>" + title + "</strong>"
                                + ("<br><small>" + note + "</small>" if note else "")).html())
        super().__init__([heading, *self.sliders, self.stack],
                         layout=widgets.Layout(width="100%", max_width="760px"))
        self.add_class("ttt-explorer")

    def _nested_stack(self, prefix: tuple[int, ...]) -> widgets.Stack:
        slider = self.sliders[len(prefix)]
        children = []
        for i in range(len(slider.options)):
            key = prefix + (i,)
            if len(key) == len(self.sliders):
                self._frames[key] = widgets.HTML("")
                children.append(self._frames[key])
            else:
                children.append(self._nested_stack(key))
        stack = widgets.Stack(children, selected_index=slider.index)
        # Runs in the browser, kernel or not: the static book stays responsive.
        self.links.append(widgets.jslink((slider, "index"), (stack, "selected_index")))
        return stack

    def frame(self, *indices: int) -> widgets.HTML:
        """The frame for these slider indices, rendered if it was not yet."""
        key = tuple(indices)
        if key not in self._frames:
            raise IndexError(f"no frame {key}; sliders have {[len(s.options) for s in self.sliders]} options")
        widget = self._frames[key]
        if not widget.value:
            widget.value = self._render(*key)
        return widget

    def _fill_current(self):
        self.frame(*(slider.index for slider in self.sliders))

    def render_all(self) -> "Explorer":
        for key in self._frames:
            self.frame(*key)
        return self


def _slider(description: str, options: Sequence[str], index: int, tooltip: str):
    """A keyboard-operable slider over labelled positions (arrow keys move it). Its words
    are plain text (a widget's label holds no HTML) that the table translates."""
    return widgets.SelectionSlider(
        options=[labels.require(option) for option in options], index=index,
        description=labels.require(description), tooltip=labels.require(tooltip),
        continuous_update=True, readout=True,
        style={"description_width": "initial"}, layout=widgets.Layout(width="420px"),
    )


def _png_img(fig: Figure, alt: Text) -> str:
    """The figure as a small palette PNG inside an <img> with alt text: in English, and
    in the book's build in Chinese too (its words translated, its own alt text)."""
    english = _img(fig, alt.en)
    if not labels.every_language():
        return english
    with translated(fig) as (_, left):
        if left:
            raise labels.MissingTranslation(f"no Chinese for {', '.join(left)} in an "
                                            "explorer's figure: add it to ttt/labels.py")
        chinese = _img(fig, alt.zh)
    return Text(english, chinese).html(block=True)


def _img(fig: Figure, alt: str) -> str:
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from PIL import Image  # a matplotlib dependency

    canvas = FigureCanvasAgg(fig)
    canvas.draw()
    image = Image.frombuffer("RGBA", canvas.get_width_height(), canvas.buffer_rgba())
    image = image.convert("RGB").quantize(PNG_COLOURS)
    small = io.BytesIO()
    image.save(small, format="png", optimize=True)
    data = base64.b64encode(small.getvalue()).decode("ascii")
    return (f'<img src="data:image/png;base64,{data}" alt="{html.escape(alt, quote=True)}" '
            f'width="{image.width}" height="{image.height}" style="max-width:100%;height:auto">')


def _paragraph(text: Text) -> str:
    return text.map(lambda words: f"<p>{words}</p>").html(block=True)


def _figure(width: float, height: float, ncols: int = 1):
    # A bare Figure: no pyplot state, nothing displayed twice in a notebook. Fixed margins:
    # an automatic layout would double the drawing time of every frame.
    fig = Figure(figsize=(width, height), dpi=FRAME_DPI)
    fig.subplots_adjust(left=0.1, right=0.98, bottom=0.15, top=0.9, wspace=0.3)
    return fig, fig.subplots(1, ncols)


def _check_data(inputs, outputs):
    inputs = np.asarray(inputs, dtype=np.float64)
    outputs = np.asarray(outputs, dtype=np.float64)
    if inputs.ndim != 1 or outputs.shape != inputs.shape:
        raise ValueError("inputs and outputs must be 1-D arrays of one length, got shapes "
                         f"{inputs.shape} and {outputs.shape}")
    if inputs.size < 2:
        raise ValueError(f"need at least 2 examples, got {inputs.size}")
    if not (np.all(np.isfinite(inputs)) and np.all(np.isfinite(outputs))):
        raise ValueError("inputs and outputs must be finite numbers")
    return inputs, outputs


def _check_values(name: str, values, *, positive=False, whole=False) -> tuple:
    values = tuple(values)
    if not values:
        raise ValueError(f"{name} must not be empty")
    for value in values:
        if isinstance(value, bool) or not isinstance(value, numbers.Real) or not math.isfinite(value):
            raise TypeError(f"{name} must hold finite numbers, got {value!r}")
        if whole and (value != int(value) or value < 1):
            raise ValueError(f"{name} must hold whole numbers >= 1, got {value!r}")
        if positive and value <= 0:
            raise ValueError(f"{name} must hold numbers > 0, got {value!r}")
    if len(set(values)) != len(values) or list(values) != sorted(values):
        raise ValueError(f"{name} must be increasing without repeats, got {values!r}")
    return values


def _nearest_index(values, wanted) -> int:
    return int(np.argmin([abs(v - wanted) for v in values]))


def _display_subset(inputs, outputs, count=DISPLAY_POINTS):
    """A fixed, evenly spread subset to draw: fewer points, same picture, smaller frames."""
    step = max(1, len(inputs) // count)
    return inputs[::step], outputs[::step]


def _fmt(value: float) -> str:
    return f"{value:.3g}" if abs(value) < 1e4 else f"{value:.2e}"


# --- the fit explorer ------------------------------------------------------------------


_USE_THE_SLIDERS = "Use the sliders, or focus one and press the arrow keys."


def fit_explorer(inputs, outputs, *, W_values=W_VALUES, b_values=B_VALUES,
                 lazy: bool = False) -> Explorer:
    """Sliders for ``W`` and ``b``; each position shows the line x·W + b over the data and
    its mean squared error, next to the least-squares floor."""
    inputs, outputs = _check_data(inputs, outputs)
    W_values = _check_values("W_values", W_values)
    b_values = _check_values("b_values", b_values)
    best_W, best_b = reference.least_squares(inputs, outputs)
    floor = reference.loss_floor(inputs, outputs)
    shown_x, shown_y = _display_subset(inputs, outputs)
    # Fixed axes, so that moving a slider moves the line, not the frame.
    y_pad = 0.1 * np.ptp(outputs)
    y_limits = (outputs.min() - y_pad, outputs.max() + y_pad)

    def render(i, j):
        W, b = W_values[i], b_values[j]
        loss = reference.mse(reference.predict(W, b, inputs), outputs)
        fig, ax = _figure(5.5, 3.2)
        plot_fit(shown_x, shown_y, W, b, ax=ax, true_W=TRUE_W, true_b=TRUE_b)
        ax.set_ylim(*y_limits)
        ax.legend(loc="upper left", fontsize="small")
        ax.set_title(f"loss = {_fmt(loss)}")
        alt = say("Scatter plot of the data with the line x times {W:g} plus {b:g} drawn over "
                  "it and the true line dashed; the mean squared error is {loss}.",
                  W=W, b=b, loss=_fmt(loss))
        verdict = (say("at the floor") if math.isclose(loss, floor, rel_tol=0.02)
                   else say("{ratio} times the floor", ratio=_fmt(loss / floor)))
        return _png_img(fig, alt) + _paragraph(say(
            "W = {W:g}, b = {b:g}: loss {loss} ({verdict}; the least-squares line "
            "W = {best_W:.2f}, b = {best_b:.2f} reaches {floor}).", W=W, b=b, loss=_fmt(loss),
            verdict=verdict, best_W=best_W, best_b=best_b, floor=_fmt(floor)))

    sliders = [
        _slider("W", [f"{v:g}" for v in W_values], _nearest_index(W_values, W0),
                "The slope W of the line x·W + b"),
        _slider("b", [f"{v:g}" for v in b_values], _nearest_index(b_values, b0),
                "The intercept b of the line x·W + b"),
    ]
    return Explorer(say("Fit explorer: move W and b, watch the line and the loss"), sliders,
                    render, lazy=lazy, note=say(_USE_THE_SLIDERS))


# --- the learning-rate explorer --------------------------------------------------------


def learning_rate_regime(learning_rate: float, inputs) -> str:
    """'stable', 'oscillating' or 'divergent': how full-batch gradient descent on the mean
    squared error behaves at this rate.

    Along the Hessian's top eigenvector, of eigenvalue λ_max, each step multiplies the error
    by 1 − rate·λ_max. Below 1/λ_max (half the critical rate 2/λ_max) that factor is
    positive: a steady approach. Between 1/λ_max and 2/λ_max it is negative but smaller than
    1 in size: the steps overshoot, alternate sides and still shrink. Beyond 2/λ_max the
    overshoot grows: divergence.
    """
    if isinstance(learning_rate, bool) or not isinstance(learning_rate, numbers.Real) \
            or not learning_rate > 0:
        raise ValueError(f"learning_rate must be a number > 0, got {learning_rate!r}")
    critical = reference.critical_learning_rate(inputs)
    if learning_rate <= critical / 2:
        return "stable"
    if learning_rate < critical:
        return "oscillating"
    return "divergent"


# How long to follow a divergent run whose shown losses still fall, to find where it turns.
TURN_SEARCH_EPOCHS = 2_000


def learning_rate_verdict(learning_rate: float, inputs, losses) -> str:
    """What a run at this rate is doing, from theory and from its logged ``losses`` together:
    'stable' or 'oscillating' (as :func:`learning_rate_regime`: the loss falls every epoch),
    'divergent' (beyond 2/λ_max, and the loss has already risen), or 'diverges eventually'
    (beyond 2/λ_max, but the loss is still falling at the last epoch logged).

    Beyond 2/λ_max only the error along the top eigenvector grows; the others still shrink.
    When the start lies mostly along the others, the loss falls for a while before the
    growing part takes over, and a short run shows only the fall.
    """
    regime = learning_rate_regime(learning_rate, inputs)
    if regime != "divergent":
        return regime
    losses = np.asarray(losses, dtype=np.float64)
    if losses.size < 2:
        raise ValueError(f"need the losses of at least 2 epochs, got {losses.size}")
    if np.all(np.isfinite(losses)) and int(np.argmin(losses)) == losses.size - 1:
        return "diverges eventually"
    return "divergent"


# What each regime means (keys of the table in ttt.labels, as are the regimes' names).
_REGIME_TEXT = {
    "stable": "stable: every step moves straight towards the minimum",
    "oscillating": "oscillating: each step overshoots the minimum, but by less each time",
}
_REGIME_COLOUR = {"stable": PALETTE["b"], "oscillating": PALETTE["accent"],
                  "divergent": PALETTE["extra"], "diverges eventually": PALETTE["extra"]}


def _turning_epoch(inputs, outputs, learning_rate, W, b, limit=TURN_SEARCH_EPOCHS) -> int | None:
    """The epoch of the lowest loss before a divergent run's loss starts to grow; None if it
    still falls after ``limit`` epochs."""
    path = reference.learning_rate_study(inputs, outputs, [learning_rate], limit + 1,
                                         W=W, b=b)[float(learning_rate)]
    with np.errstate(invalid="ignore"):
        rises = np.flatnonzero(~(np.diff(np.asarray(path.loss)) < 0))
    return int(rises[0]) if rises.size else None


def _verdict_text(verdict: str, losses, epochs: int, turn: int | None) -> Text:
    """The sentence after the badge: what the regime means and what the shown run did."""
    if verdict in _REGIME_TEXT:
        return say(_REGIME_TEXT[verdict])
    if verdict == "diverges eventually":
        later = (say("its lowest is at epoch {turn}, and from then on it grows without bound",
                     turn=turn) if turn is not None
                 else say("it is still falling after {count} epochs", count=TURN_SEARCH_EPOCHS))
        return say("diverges eventually (beyond 2/λ_max): the error along the steepest "
                   "direction grows at every step, but so far the shrinking error along the "
                   "other direction outweighs it, and the loss is still falling after {epochs} "
                   "epochs; {later}", epochs=epochs, later=later)
    losses = np.asarray(losses, dtype=np.float64)
    finite = losses[np.isfinite(losses)]
    low = int(np.argmin(finite))
    end = (say("to {loss}", loss=_fmt(losses[-1])) if np.isfinite(losses[-1])
           else say("until it overflows"))
    story = (say("grows from the first epoch on, {end}", end=end) if low == 0
             else say("fell to {loss} by epoch {epoch}, then grew {end}", loss=_fmt(finite[low]),
                      epoch=low, end=end))
    return say("divergent: each step overshoots by more than the last; the loss {story}",
               story=story)


def learning_rate_explorer(inputs, outputs, *, learning_rates=LEARNING_RATES,
                           epoch_counts=EPOCH_COUNTS, W=W0, b=b0, lazy: bool = False) -> Explorer:
    """Sliders for the learning rate and the number of epochs of gradient descent from
    (``W``, ``b``); each position shows the path over the loss contours, the loss per epoch,
    and the regime marked against the critical rate 2/λ_max."""
    inputs, outputs = _check_data(inputs, outputs)
    learning_rates = _check_values("learning_rates", learning_rates, positive=True)
    epoch_counts = _check_values("epoch_counts", epoch_counts, whole=True)
    critical = reference.critical_learning_rate(inputs)
    best_W, best_b = reference.least_squares(inputs, outputs)
    floor = reference.loss_floor(inputs, outputs)
    # One window for every frame, around the minimum, wide enough for the start and an
    # overshoot of it: frames differ only in the path.
    half_width = 1.6 * max(abs(W - best_W), abs(b - best_b), 0.5)
    W_range = (best_W - half_width, best_W + half_width)
    b_range = (best_b - half_width, best_b + half_width)

    def render(i, j):
        learning_rate, epochs = learning_rates[i], int(epoch_counts[j])
        # epochs + 1 logged points: the start and the position after each epoch.
        path = reference.learning_rate_study(inputs, outputs, [learning_rate], epochs + 1,
                                             W=W, b=b)[float(learning_rate)]
        # Theory and the shown run together: the badge never contradicts the loss curve.
        regime = learning_rate_verdict(learning_rate, inputs, path.loss)
        turn = (_turning_epoch(inputs, outputs, learning_rate, W, b)
                if regime == "diverges eventually" else None)
        label = f"rate {learning_rate:g}"
        fig, (ax_path, ax_loss) = _figure(8.0, 3.2, ncols=2)
        plot_loss_contours(inputs, outputs, {label: path}, ax=ax_path, W_range=W_range,
                           b_range=b_range, levels=12)
        ax_path.plot([W], [b], color=PALETTE["true"], marker="s", markersize=6, linestyle="none",
                     label="start")
        ax_path.legend(loc="upper left", fontsize="small")
        ax_path.set_title(f"learning rate {learning_rate:g}: {regime}")
        plot_loss_curves({label: path}, floor=floor, ax=ax_loss)
        ax_loss.legend(loc="upper right", fontsize="small")
        ax_loss.set_title(f"loss after {epochs} epochs: {_fmt(path.loss[-1])}")
        inside = np.all((W_range[0] <= path.W) & (path.W <= W_range[1])
                        & (b_range[0] <= path.b) & (path.b <= b_range[1]))
        alt = sentences(
            say("Left: loss contours over W and b with the gradient-descent path for learning "
                "rate {rate:g} over {epochs} epochs from W={W:g}, b={b:g}; regime: {regime}.",
                rate=learning_rate, epochs=epochs, W=W, b=b, regime=say(regime)),
            Text("", "") if inside else say("The path leaves the plotted window."),
            say("Right: the loss per epoch on a log scale, from {first} to {last}, against "
                "the floor {floor:.2f}.", first=_fmt(path.loss[0]), last=_fmt(path.loss[-1]),
                floor=floor))
        # Black on the palette colour: readable, and the word itself says the regime.
        badge = say(regime).map(lambda words: f'<strong style="background:'
                                f'{_REGIME_COLOUR[regime]};color:#000;padding:0 0.3em">'
                                f"{words.upper()}</strong> ")
        return _png_img(fig, alt) + _paragraph(badge + say(
            "— learning rate {rate:g} is {ratio:.2f} × the critical rate 2/λ_max = "
            "{critical:.3f}: {verdict}.", rate=learning_rate, ratio=learning_rate / critical,
            critical=critical, verdict=_verdict_text(regime, path.loss, epochs, turn)))

    sliders = [
        _slider("learning rate", [f"{v:g}" for v in learning_rates],
                _nearest_index(learning_rates, LEARNING_RATE), "The learning rate of every step"),
        _slider("epochs", [str(int(v)) for v in epoch_counts], len(epoch_counts) // 2,
                "How many gradient-descent steps (full-batch epochs) to take"),
    ]
    note = sentences(say("Stable up to 1/λ_max = {half:.3f}, oscillating up to 2/λ_max = "
                         "{critical:.3f}, divergent beyond.", half=critical / 2,
                         critical=critical),
                     say(_USE_THE_SLIDERS))
    return Explorer(say("Learning-rate explorer: gradient descent on the loss surface"),
                    sliders, render, lazy=lazy, note=note)


# --- the tape explorer -----------------------------------------------------------------


# Inline styles: a frame is a self-contained snippet (the book's theme centres tables).
_TABLE_STYLE = "style='border-collapse:collapse;margin:0.5em 0;text-align:left' cellpadding='4'"
_CAPTION_STYLE = "style='caption-side:top;text-align:left;font-weight:bold'"


def _array_html(value) -> str:
    # + 0.0 turns -0.0 into 0.0: a gradient of "-0." only puzzles a reader.
    text = np.array2string(np.asarray(value, dtype=np.float64) + 0.0, precision=3, threshold=8,
                           edgeitems=3, suppress_small=True)
    return f"<code>{html.escape(text)}</code>"


class _TapeWalk:
    """One recorded expression, and what each step of the walk through its tape shows.

    Steps: 0 (nothing recorded), 1..n (the forward pass: record k is added), n+1..2n (the
    backward pass: records n..1, one per step). The gradients are the tape's own, from one
    :meth:`ttt.tape.Tape.gradient` call; the walk only reveals them in the tape's order.
    """

    def __init__(self, recorder: tape.Tape, target: tape.Tensor, inputs: dict):
        self.records = list(recorder.records)
        self.target = target
        self.inputs = inputs
        # Names: inputs by their keywords, results t1, t2, ..., other constants c1, c2, ...
        self.names = {id(t): name for name, t in inputs.items()}
        for k, rec in enumerate(self.records, start=1):
            self.names[id(rec.output)] = f"t{k}"
        constants = 0
        tensors = {id(t): t for t in inputs.values()}
        for rec in self.records:
            tensors[id(rec.output)] = rec.output
            for x in rec.inputs:
                tensors[id(x)] = x
                if id(x) not in self.names:
                    constants += 1
                    self.names[id(x)] = f"c{constants}"
        ids = list(tensors)
        self.gradients = dict(zip(ids, recorder.gradient(target, [tensors[i] for i in ids])))

    @property
    def steps(self) -> int:
        return 2 * len(self.records)

    def describe(self, rec) -> str:
        arguments = ", ".join(self.names[id(x)] for x in rec.inputs)
        return html.escape(f"{self.names[id(rec.output)]} = {rec.op}({arguments})")

    def current(self, step: int) -> int | None:
        """The index of the record this step is about (None at the start)."""
        n = len(self.records)
        if step == 0:
            return None
        return step - 1 if step <= n else 2 * n - step

    def heading(self, step: int) -> Text:
        n, k = len(self.records), self.current(step)
        if k is None:
            return say("Start: the inputs are plain Tensors and the tape is empty. Move the "
                       "slider to run the forward pass.")
        rec = self.records[k]
        record = f"<code>{self.describe(rec)}</code>"
        if step <= n:
            return say("Forward pass, step {step} of {count}: the tape records {record}.",
                       step=step, count=n, record=record)
        where = dict(step=step - n, count=n, number=k + 1, record=record)
        g = self.gradients[id(rec.output)]
        if g is None:
            return say("Backward pass, step {step} of {count}: record {number}, {record}, "
                       "does not lead to the target: the tape skips it.", **where)
        sent = Text(", ", "，").join(
            # What this record adds to each input's gradient, summed back to the input's shape.
            say("{name} gets {gradient}", name=f"<code>{html.escape(self.names[id(x)])}</code>",
                gradient=_array_html(tape.unbroadcast(np.asarray(gx, dtype=np.float64), x.shape)))
            for x, gx in zip(rec.inputs, rec.backward(g)))
        if rec.output is self.target:
            return say("Backward pass, step {step} of {count}: record {number}, {record}, "
                       "receives {gradient} (the target: seeded with ones) and sends {sent}.",
                       gradient=_array_html(g), sent=sent, **where)
        return say("Backward pass, step {step} of {count}: record {number}, {record}, receives "
                   "{gradient} and sends {sent}.", gradient=_array_html(g), sent=sent, **where)

    def records_table(self, step: int) -> str:
        n, current = len(self.records), self.current(step)
        shown = self.records[:step] if step <= n else self.records
        rows = []
        for k, rec in enumerate(shown):
            revealed = step > n and k >= current
            g = self.gradients[id(rec.output)]
            gradient = ("None" if g is None else _array_html(g)) if revealed else "…"
            now = k == current
            # The current row: a marker as well as a colour, for readers who cannot see it.
            style = ' style="background:rgba(230,159,0,0.25);font-weight:bold"' if now else ""
            rows.append(f"<tr{style}><td>{'▶ ' if now else ''}{k + 1}</td>"
                        f"<td><code>{self.describe(rec)}</code></td>"
                        f"<td>{_array_html(rec.output.data)}</td><td>{gradient}</td></tr>")
        target = html.escape(self.names[id(self.target)])
        return _table(say("The tape's records (gradient: d {target} / d this result)",
                          target=target),
                      [Text("#", "#"), say("operation"), say("value"), say("gradient")], rows)

    def inputs_table(self, step: int) -> str:
        done = step == self.steps
        rows = []
        for name, t in self.inputs.items():
            g = self.gradients[id(t)]
            gradient = ("None" if g is None else _array_html(g)) if done else "…"
            rows.append(f"<tr><td><code>{html.escape(name)}</code></td>"
                        f"<td>{_array_html(t.data)}</td><td>{gradient}</td></tr>")
        return _table(say("The inputs and, once the backward pass ends, their gradients"),
                      [say("input"), say("value"), say("gradient")], rows)

    def frame(self, step: int) -> str:
        return _paragraph(self.heading(step)) + self.inputs_table(step) + self.records_table(step)


def _table(caption: Text, columns: Sequence[Text], rows: Sequence[str]) -> str:
    """A table whose caption and column names are in both languages (the rows hold
    numbers and code)."""
    head = "".join(f"<th scope='col'>{c.html()}</th>" for c in columns)
    return (f"<table {_TABLE_STYLE}><caption {_CAPTION_STYLE}>{caption.html()}</caption>"
            f"<thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>")


def tape_explorer(function: Callable | None = None, title: str | None = None, *,
                  lazy: bool = False, **values) -> Explorer:
    """Step through ``function(**values)`` on a :class:`ttt.tape.Tape`: first the forward
    pass, one recorded operation per step, then the backward pass through the records in
    reverse, each step showing the gradient arriving at an operation and what it sends to
    its inputs.

    ``values`` name the inputs (numbers or arrays; each becomes a :class:`ttt.tape.Tensor`
    and gets its gradient shown at the end). Without arguments: the linear fit's loss on
    four points, from W = 5, b = 0.
    """
    if function is None:
        if values:
            raise ValueError("values given without a function: pass the function they feed")
        function, values = _default_tape_function, dict(DEFAULT_TAPE_VALUES)
        title = title or DEFAULT_TAPE_TITLE
    if not callable(function):
        raise TypeError(f"function must be callable, got {type(function).__name__}")
    if not values:
        raise ValueError("name the function's inputs as keywords, e.g. tape_explorer(f, x=2.0)")
    title = title or getattr(function, "__name__", "expression")

    inputs = {name: tape.Tensor(value) for name, value in values.items()}
    with tape.Tape() as recorder:
        target = function(**inputs)
    if not isinstance(target, tape.Tensor):
        raise TypeError(f"function must return the Tensor it computed, got {type(target).__name__}")
    if not recorder.records:
        raise ValueError("the function recorded no operation on the tape")
    walk = _TapeWalk(recorder, target, inputs)

    n = len(walk.records)
    positions = ["start"] + [f"forward {k}" for k in range(1, n + 1)] + [
        f"backward {k}" for k in range(1, n + 1)]
    slider = _slider("step", positions, 0,
                     "Step through the forward pass, then the backward pass")
    return Explorer(say("Tape explorer: {title}", title=f"<code>{html.escape(title)}</code>"),
                    [slider], walk.frame, lazy=lazy,
                    note=say("Focus the slider and press the arrow keys to step."))


# --- the minibatch explorer ------------------------------------------------------------

BATCH_SIZES = (1, 4, 16, 64, 1000)
MINIBATCH_RATES = (0.01, 0.03, 0.1, 0.3)
MINIBATCH_EPOCHS = 5
MAX_DRAWN = 500


def minibatch_losses(X, y, learning_rate, batch_size, epochs, seed, W=None, b=0.0):
    """Minibatch gradient descent from (``W``, ``b``) (W of zeros by default), reshuffled
    every epoch by ``np.random.default_rng(seed)``, logged at every step.

    Returns ``(batch_losses, full_losses, W, b)``: per step, the loss on that step's batch
    before the step (what a training log prints) and the loss on all the data after it.
    Each epoch is :func:`ttt.optim.minibatch_sgd_epoch` taken one batch at a time, with the
    same :func:`ttt.optim.batches` and gradients (tests check the two agree).
    """
    X = np.asarray(X, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    if X.ndim != 2 or y.shape != (len(X),):
        raise ValueError(f"X must have shape (N, d) and y shape (N,), got {X.shape} and {y.shape}")
    _check_values("epochs", [epochs], whole=True)
    W = np.zeros(X.shape[1]) if W is None else np.array(W, dtype=np.float64)
    b = float(b)
    rng = np.random.default_rng(seed)
    batch_losses, path = [], []
    for _ in range(int(epochs)):
        for batch in optim.batches(rng.permutation(len(X)), batch_size):
            batch_losses.append(reference.mse(optim.predict(W, b, X[batch]), y[batch]))
            dW, db = optim.mse_gradients(W, b, X[batch], y[batch])
            W, b = W - learning_rate * dW, b - learning_rate * db
            path.append(np.append(W, b))
    # The loss on all the data after every step, in one product: (N, d+1) @ (d+1, steps).
    design = np.column_stack([X, np.ones(len(X))])
    full_losses = np.mean(np.square(design @ np.array(path).T - y[:, None]), axis=0)
    return np.array(batch_losses), full_losses, W, b


def noise_excess(X, y, learning_rate, batch_size) -> float:
    """The loss above the floor at which minibatch gradient descent hovers, for small rates:
    η·tr(Σ_B)/4.

    Σ_B is the covariance of the batch gradient at the least-squares point: the
    per-example gradients' total variance σ² over the batch size, times (N − B)/(N − 1)
    because a batch draws examples without replacement (a full batch has no noise). Near
    the optimum the error e follows e ← (I − ηH)e − η·noise, whose steady spread C solves
    HC + CH = η·Σ_B for small η; the excess loss ½·tr(HC) is then η·tr(Σ_B)/4, whatever H.
    It treats the kicks as independent: within an epoch they are not (at the optimum the
    batch gradients of one epoch sum to zero), so runs whose epochs are not much longer
    than the 1/(ηλ) steps the error needs to forget a kick hover somewhat lower.
    """
    X = np.asarray(X, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    n = len(X)
    if not 1 <= batch_size <= n:
        raise ValueError(f"batch_size must be between 1 and {n}, got {batch_size!r}")
    design = np.column_stack([X, np.ones(n)])
    best = np.linalg.lstsq(design, y, rcond=None)[0]
    per_example = 2 * design * (design @ best - y)[:, None]  # one gradient per row
    total_variance = per_example.var(axis=0).sum()
    if n == 1:
        return 0.0
    return learning_rate * total_variance / batch_size * (n - batch_size) / (n - 1) / 4


# What each verdict means (keys of the table in ttt.labels, as are the verdicts).
_MINIBATCH_TEXT = {
    "at the noise level": "it hovers at the noise level",
    "still descending": "it is still on its way down; it needs more steps or a larger rate",
    "unstable": ("it jumps far above the noise level; steps this long on batches this small "
                 "are unstable (the prediction holds for small rates only)"),
}


def minibatch_verdict(full_losses, steps_per_epoch, floor, predicted) -> str:
    """'overflowed', 'at the noise level', 'still descending' or 'unstable': what the
    loss on all the data did over a run's last epoch (``steps_per_epoch`` losses), judged
    against the ``floor`` and the ``predicted`` excess of :func:`noise_excess`.

    At the noise level: the last epoch's mean excess is within twice the prediction (plus
    a hair, for a full batch, whose prediction is 0). Still descending: not there, but the
    last epoch averaged lower than the one before and never rose above the loss after the
    first step. Unstable: otherwise (single steps throw the model far off).
    """
    losses = np.asarray(full_losses, dtype=np.float64)
    if not np.all(np.isfinite(losses)):
        return "overflowed"
    last = losses[-steps_per_epoch:]
    if np.mean(last) - floor <= 2 * predicted + 1e-3 * floor:
        return "at the noise level"
    before = losses[-2 * steps_per_epoch:-steps_per_epoch]
    if before.size and np.mean(last) < np.mean(before) and np.max(last) <= losses[0]:
        return "still descending"
    return "unstable"


def minibatch_explorer(X, y, *, batch_sizes=BATCH_SIZES, learning_rates=MINIBATCH_RATES,
                       epochs=MINIBATCH_EPOCHS, seed=0, lazy: bool = False) -> Explorer:
    """Sliders for the batch size and the learning rate of minibatch gradient descent on
    ``X @ W + b`` from zeros, for ``epochs`` epochs; each position shows the loss on each
    step's batch and on all the data, the floor, and the noise level predicted by
    :func:`noise_excess`. Every position uses the same shuffles (``seed``)."""
    X = np.asarray(X, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    if X.ndim != 2 or y.shape != (len(X),) or len(X) < 2:
        raise ValueError(f"X must have shape (N, d) with N >= 2 and y shape (N,), got "
                         f"{X.shape} and {y.shape}")
    batch_sizes = _check_values("batch_sizes", batch_sizes, whole=True)
    if batch_sizes[-1] > len(X):
        raise ValueError(f"batch_sizes must not exceed the {len(X)} examples, got {batch_sizes[-1]}")
    learning_rates = _check_values("learning_rates", learning_rates, positive=True)
    _check_values("epochs", [epochs], whole=True)
    design = np.column_stack([X, np.ones(len(X))])
    floor = reference.mse(design @ np.linalg.lstsq(design, y, rcond=None)[0], y)

    def render(i, j):
        batch_size, rate = int(batch_sizes[i]), learning_rates[j]
        with np.errstate(over="ignore", invalid="ignore"):
            batch_losses, full_losses, _, _ = minibatch_losses(X, y, rate, batch_size,
                                                               epochs, seed)
        steps = -(-len(X) // batch_size)
        final = full_losses[-1]
        last_epoch = full_losses[-steps:]
        predicted = noise_excess(X, y, rate, batch_size)
        fig, ax = _figure(6.5, 3.2)
        # At most ~MAX_DRAWN points per curve: a 5,000-step run draws no clearer, only slower.
        stride = max(1, len(full_losses) // MAX_DRAWN)
        plot_minibatch_losses(batch_losses[::stride], full_losses[::stride], steps / stride,
                              floor=floor, ax=ax)
        ax.legend(loc="upper right", fontsize="small")
        per = "step" if steps == 1 else "steps"
        ax.set_title(f"batch size {batch_size}, learning rate {rate:g}: "
                     f"{steps} {per} per epoch")
        alt = say("The loss over {epochs} epochs of minibatch gradient descent with batch size "
                  "{size} and learning rate {rate:g}, on a log scale: the loss on each step's "
                  "batch in grey, the loss on all the data in blue, from {first} after the "
                  "first step to {final}, against the floor {floor:.3f} dashed.",
                  epochs=epochs, size=batch_size, rate=rate, first=_fmt(full_losses[0]),
                  final=_fmt(final), floor=floor)
        verdict = minibatch_verdict(full_losses, steps, floor, predicted)
        if verdict == "overflowed":
            level = say("the loss overflowed: this rate is too large for this batch size")
        else:
            level = say("over the last epoch the loss on all the data averages {measured} "
                        "above the floor, where the noise alone would keep it about "
                        "{predicted} above (η·tr(Σ_B)/4): {verdict}",
                        measured=_fmt(float(np.mean(last_epoch) - floor)),
                        predicted=_fmt(predicted), verdict=say(_MINIBATCH_TEXT[verdict]))
        return _png_img(fig, alt) + _paragraph(say(
            "Batch size {size}, learning rate {rate:g}: {steps} " + per + " per epoch, "
            "{total} in all; final loss {final}; {level}.", size=batch_size, rate=rate,
            steps=steps, total=steps * epochs, final=_fmt(final), level=level))

    sliders = [
        _slider("batch size", [str(int(v)) for v in batch_sizes],
                _nearest_index(batch_sizes, 16), "Examples per step"),
        _slider("learning rate", [f"{v:g}" for v in learning_rates],
                _nearest_index(learning_rates, 0.1), "The learning rate of every step"),
    ]
    note = sentences(say("{epochs} epochs from W = 0, b = 0, the same shuffles at every "
                         "position.", epochs=epochs), say(_USE_THE_SLIDERS))
    return Explorer(say("Minibatch explorer: batch size, learning rate and the noisy loss"),
                    sliders, render, lazy=lazy, note=note)
