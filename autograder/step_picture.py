"""A picture of a learner's first gradient steps against the reference's, on the contours of
the loss: inline SVG for the feedback page (no network, no matplotlib in the grader).

Drawn from a part's ``figure`` record (:func:`autograder.judging.linear_fit._picture` makes
it): the start, both paths of (W, b), the least-squares optimum and the loss's Hessian. The
mean squared error of a line is quadratic in (W, b), so its contours are ellipses around the
optimum whose axes are the Hessian's eigenvectors; they are computed here, not stored.

A record that is not what it should be (a foreign journal line) draws nothing rather than
failing the page: :func:`render` returns "" for it.
"""

from __future__ import annotations

from html import escape

import numpy as np

from autograder.judging.wording import start_name
from autograder.messages import joined, say

WIDTH, HEIGHT, MARGIN = 420, 300, 34
LEARNER, REFERENCE = "#d95f02", "#1f62a8"  # orange and blue: apart for colour-blind readers
CONTOURS = 5
# A diverging path leaves the picture at this many times the span of the reference's
# points: the reference's steps stay readable, the learner's path runs off the edge.
MAX_ZOOM_OUT = 3.0


class _Unreadable(ValueError):
    pass


def _point(value) -> np.ndarray:
    point = np.asarray(value, dtype=float)
    if point.shape != (2,) or not np.all(np.isfinite(point)):
        raise _Unreadable("a point is two finite numbers")
    return point


def _path(values) -> np.ndarray:
    if not isinstance(values, list) or len(values) > 100:
        raise _Unreadable("a path is a short list of points")
    return np.array([_point(v) for v in values]).reshape(-1, 2)


def _read(figure) -> dict:
    if not isinstance(figure, dict) or figure.get("kind") != "steps":
        raise _Unreadable("not a picture of steps")
    hessian = np.asarray(figure.get("hessian"), dtype=float)
    if hessian.shape != (2, 2) or not np.all(np.isfinite(hessian)):
        raise _Unreadable("the Hessian is a 2x2 matrix")
    curvatures, directions = np.linalg.eigh((hessian + hessian.T) / 2)
    if curvatures[0] <= 0:
        raise _Unreadable("the loss is not a bowl")
    return {"start": _point(figure.get("start")), "optimum": _point(figure.get("optimum")),
            "learner": _path(figure.get("learner")), "reference": _path(figure.get("reference")),
            "curvatures": curvatures, "directions": directions,
            "scenario": str(figure.get("scenario", "")),
            "learning_rate": figure.get("learning_rate")}


def _ellipse(data: dict, excess_loss: float, count: int = 72) -> np.ndarray:
    """Points (W, b) where the loss exceeds its minimum by ``excess_loss``:
    ½ dᵀHd = excess, i.e. d = Σ √(2·excess/λᵢ) cos/sin(θ) vᵢ."""
    theta = np.linspace(0, 2 * np.pi, count)
    radii = np.sqrt(2 * excess_loss / data["curvatures"])
    unit = np.stack([radii[0] * np.cos(theta), radii[1] * np.sin(theta)])
    return (data["directions"] @ unit).T + data["optimum"]


def _excess(data: dict, point: np.ndarray) -> float:
    d = data["directions"].T @ (point - data["optimum"])
    return float(0.5 * np.sum(data["curvatures"] * d * d))


def _bounds(data: dict) -> tuple[np.ndarray, np.ndarray]:
    """The (W, b) box shown: start, reference and optimum always; the learner's points as
    far as MAX_ZOOM_OUT times that span."""
    core = np.vstack([data["start"], data["optimum"], data["reference"]])
    low, high = core.min(axis=0), core.max(axis=0)
    span = np.maximum(high - low, 1e-6)
    if len(data["learner"]):
        limit_low, limit_high = low - MAX_ZOOM_OUT * span, high + MAX_ZOOM_OUT * span
        low = np.minimum(low, np.maximum(data["learner"].min(axis=0), limit_low))
        high = np.maximum(high, np.minimum(data["learner"].max(axis=0), limit_high))
    pad = 0.12 * np.maximum(high - low, 1e-6)
    return low - pad, high + pad


def _fmt(value: float) -> str:
    return f"{value:.3g}"


def _polyline(points: np.ndarray, to_screen, **attributes) -> str:
    coordinates = " ".join(f"{x:.1f},{y:.1f}" for x, y in map(to_screen, points))
    extra = " ".join(f'{key.replace("_", "-")}="{value}"' for key, value in attributes.items())
    return f'<polyline points="{coordinates}" fill="none" {extra}/>'


def _dots(points: np.ndarray, to_screen, colour: str, shape: str) -> str:
    marks = []
    for x, y in map(to_screen, points):
        if shape == "circle":
            marks.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3.5" fill="{colour}"/>')
        else:
            marks.append(f'<rect x="{x - 3.5:.1f}" y="{y - 3.5:.1f}" width="7" height="7" '
                         f'fill="none" stroke="{colour}" stroke-width="1.6"/>')
    return "".join(marks)


def description(data: dict) -> str:
    """The picture in words (its alt text): where each path's first step lands."""
    W0, b0 = data["start"]
    words = [say("picture.contours", W=_fmt(data["optimum"][0]), b=_fmt(data["optimum"][1]),
                 W0=_fmt(W0), b0=_fmt(b0))]
    reference = data["reference"]
    if len(reference):
        words.append(say("picture.reference", steps=len(reference), W=_fmt(reference[0][0]),
                         b=_fmt(reference[0][1])))
    learner = data["learner"]
    if len(learner):
        words.append(say("picture.learner", steps=len(learner), W=_fmt(learner[0][0]),
                         b=_fmt(learner[0][1])))
    else:
        words.append(say("picture.nothing"))
    return joined(words)


def render(figure, key: str = "steps") -> str:
    """The picture as an inline ``<figure>`` with an SVG, or "" if ``figure`` is unusable
    or has none of the learner's steps to show. ``key`` makes its ids unique in a page."""
    try:
        data = _read(figure)
        if not len(data["learner"]):
            return ""
        return _svg(data, "".join(c if c.isalnum() else "-" for c in key))
    except (_Unreadable, ValueError, TypeError, np.linalg.LinAlgError):
        return ""


def _svg(data: dict, key: str) -> str:
    low, high = _bounds(data)
    inner = np.array([WIDTH - 2 * MARGIN, HEIGHT - 2 * MARGIN], dtype=float)

    def to_screen(point) -> tuple[float, float]:  # W to the right, b upwards
        # Far-off points (a diverging path) are clamped well outside the frame: the line
        # leaves in the right direction without a 300-digit coordinate.
        u = np.clip((np.asarray(point) - low) / (high - low), -20, 20)
        return MARGIN + u[0] * inner[0], HEIGHT - MARGIN - u[1] * inner[1]

    start_excess = max(_excess(data, data["start"]), 1e-12)
    contours = "".join(
        _polyline(_ellipse(data, start_excess * (k / CONTOURS) ** 2), to_screen,
                  stroke="#b8b8b8", stroke_width="1")
        for k in range(1, CONTOURS + 2))
    start = data["start"][None, :]
    reference = np.vstack([start, data["reference"]])
    learner = np.vstack([start, data["learner"]])
    optimum_x, optimum_y = to_screen(data["optimum"])
    start_x, start_y = to_screen(data["start"])
    text = description(data)
    title = escape(say("picture.title", start=start_name(data["scenario"])))
    ids = {name: f"{key}-{name}" for name in ("title", "desc", "clip")}
    return f"""<figure class="steps">
<svg xmlns="http://www.w3.org/2000/svg" role="img" width="{WIDTH}" height="{HEIGHT}"
 viewBox="0 0 {WIDTH} {HEIGHT}" aria-labelledby="{ids['title']} {ids['desc']}">
<title id="{ids['title']}">{title}</title>
<desc id="{ids['desc']}">{escape(text)}</desc>
<defs><clipPath id="{ids['clip']}"><rect x="{MARGIN}" y="{MARGIN}" width="{inner[0]:.0f}"
 height="{inner[1]:.0f}"/></clipPath></defs>
<rect x="{MARGIN}" y="{MARGIN}" width="{inner[0]:.0f}" height="{inner[1]:.0f}" fill="#fff"
 stroke="#888"/>
<g clip-path="url(#{ids['clip']})">
{contours}
{_polyline(reference, to_screen, stroke=REFERENCE, stroke_width="1.6")}
{_dots(data["reference"], to_screen, REFERENCE, "square")}
{_polyline(learner, to_screen, stroke=LEARNER, stroke_width="1.6", stroke_dasharray="5 3")}
{_dots(data["learner"], to_screen, LEARNER, "circle")}
<path d="M{optimum_x - 6:.1f},{optimum_y - 6:.1f}l12,12m0,-12l-12,12" stroke="#000"
 stroke-width="2"/>
<circle cx="{start_x:.1f}" cy="{start_y:.1f}" r="5" fill="none" stroke="#000"/>
</g>
<text x="{WIDTH / 2:.0f}" y="{HEIGHT - 8}" text-anchor="middle" font-size="12">{escape(say(
    "picture.axis", name="W", low=_fmt(low[0]), high=_fmt(high[0])))}</text>
<text x="12" y="{HEIGHT / 2:.0f}" font-size="12" text-anchor="middle"
 transform="rotate(-90 12 {HEIGHT / 2:.0f})">{escape(say(
    "picture.axis", name="b", low=_fmt(low[1]), high=_fmt(high[1])))}</text>
</svg>
<figcaption>{escape(say("picture.caption"))}</figcaption>
</figure>"""
