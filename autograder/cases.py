"""Case recipes: how a graded part draws its inputs from the grading seed, written as data.

A part's recipe is a list of cases, each a plain dict (so that the release step can write it
into the part's hidden test block as a literal, and the kernel needs no grader file to read
it)::

    {"name": "{n} by {m} points",          # formatted with the case's dims and settings
     "dims": {"n": [2, 6], "m": 4},        # whole numbers: [low, high) drawn, or fixed
     "arrays": {"a": normal("n", 3), ...}, # drawn in this order, from the dims
     "settings": {"i": integer(1, "n-1")}} # plain numbers the call passes on

The helpers below (:func:`normal`, :func:`uniform`, ...) write the array and setting entries.
:func:`draw` turns a recipe into :class:`ArrayCase` objects. It is a pure function of the
seed and the part's name: the probe (inside the learner's kernel) and the verdict (outside
it) draw the same arrays, so only the seed crosses between them. Each part draws from its
own stream, derived from ``"<assignment>/<part>"`` (:func:`stream`), so two parts never
share data and adding one changes no other part's.

Imported inside the learner's kernel: NumPy and the standard library only.
"""

from __future__ import annotations

import hashlib
import numbers
import re
from dataclasses import dataclass

import numpy as np


class RecipeError(ValueError):
    """A case recipe that cannot be drawn: the message names the case and the entry."""


@dataclass(frozen=True)
class ArrayCase:
    """One call of a learner's function: named input arrays and scalar settings."""

    name: str
    arrays: dict
    settings: dict


def stream(name: str) -> int:
    """The random stream of ``name`` (e.g. ``"tensors/softmax_rows"``): a 63-bit number
    from its SHA-256, so distinct names never share a stream by a numbering slip."""
    return int.from_bytes(hashlib.sha256(name.encode("utf-8")).digest()[:8], "big") >> 1


def generator(seed: int, name: str) -> np.random.Generator:
    """The generator of stream ``name`` for one grading seed."""
    if isinstance(seed, bool) or not isinstance(seed, numbers.Integral) or seed < 0:
        raise ValueError(f"the grading seed must be a whole number >= 0, got {seed!r}")
    return np.random.default_rng([int(seed), stream(name)])


# --- what a recipe may say ---------------------------------------------------------------

def normal(*shape, scale=1.0, row_shift=0.0) -> dict:
    """float32 normal values times ``scale``; with ``row_shift``, each row moved by
    +row_shift or -row_shift (logits far from zero)."""
    entry = {"draw": "normal", "shape": list(shape)}
    if scale != 1.0:
        entry["scale"] = scale
    if row_shift:
        entry["row_shift"] = row_shift
    return entry


def uniform(*shape, low, high) -> dict:
    """float32 values uniform in [low, high)."""
    return {"draw": "uniform", "shape": list(shape), "low": low, "high": high}


def away_from_zero(*shape, low, high) -> dict:
    """float32 values whose size is uniform in [low, high), each with a random sign
    (divisors that stay clear of zero)."""
    return {"draw": "away_from_zero", "shape": list(shape), "low": low, "high": high}


def indices(count, below, *, repeated=True) -> dict:
    """int64 row indices in [0, below); with ``repeated``, the last repeats the first."""
    entry = {"draw": "indices", "count": count, "below": below}
    if not repeated:
        entry["repeated"] = False
    return entry


def permutation(size) -> dict:
    """int64: the numbers 0 .. size-1 in a random order (the order of one epoch)."""
    return {"draw": "permutation", "size": size}


def integer(low, high) -> dict:
    """A setting: a whole number in [low, high); either end may name a dim, e.g. ``"n-1"``."""
    return {"draw": "integer", "low": low, "high": high}


def rounded(low, high, digits=3) -> dict:
    """A setting: a number uniform in [low, high), rounded to ``digits`` decimals."""
    return {"draw": "rounded", "low": low, "high": high, "digits": digits}


def case(name: str, *, dims=None, arrays=None, settings=None) -> dict:
    """One case of a recipe (see the module's docstring)."""
    entry = {"name": name}
    for key, value in (("dims", dims), ("arrays", arrays), ("settings", settings)):
        if value:
            entry[key] = dict(value)
    return entry


# --- drawing -----------------------------------------------------------------------------

_SIZE = re.compile(r"^([A-Za-z_]\w*)\s*(?:([+-])\s*(\d+))?$")


def _size(value, dims: dict, where: str) -> int:
    """A whole number, a dim's name, or a dim plus or minus a whole number."""
    if isinstance(value, numbers.Integral) and not isinstance(value, bool):
        return int(value)
    match = _SIZE.match(value) if isinstance(value, str) else None
    if not match or match.group(1) not in dims:
        raise RecipeError(f"{where}: {value!r} is neither a whole number nor one of the "
                          f"case's dims {sorted(dims)} (optionally with + or - a number)")
    offset = int(match.group(3) or 0) * (-1 if match.group(2) == "-" else 1)
    return dims[match.group(1)] + offset


def _shape(entry: dict, dims: dict, where: str) -> tuple[int, ...]:
    shape = tuple(_size(n, dims, where) for n in entry.get("shape", ()))
    if any(n < 0 for n in shape):
        raise RecipeError(f"{where}: negative size in shape {shape}")
    return shape


def _array(rng, entry, dims: dict, where: str) -> np.ndarray:
    kind = entry.get("draw") if isinstance(entry, dict) else None
    if kind == "normal":
        shape = _shape(entry, dims, where)
        values = rng.normal(size=shape) * entry.get("scale", 1.0)
        if entry.get("row_shift"):
            if len(shape) != 2:
                raise RecipeError(f"{where}: row_shift needs a 2-D shape, not {shape}")
            values = values + rng.choice([-1.0, 1.0], size=(shape[0], 1)) * entry.get(
                "row_shift")
        return values.astype(np.float32)
    if kind == "uniform":
        return rng.uniform(entry["low"], entry["high"], size=_shape(entry, dims, where)).astype(
            np.float32)
    if kind == "away_from_zero":
        shape = _shape(entry, dims, where)
        sizes = rng.uniform(entry["low"], entry["high"], size=shape)
        return (sizes * rng.choice([-1.0, 1.0], size=shape)).astype(np.float32)
    if kind == "indices":
        count, below = _size(entry["count"], dims, where), _size(entry["below"], dims, where)
        repeated = entry.get("repeated", True)
        if below < 1 or count < (2 if repeated else 0):
            raise RecipeError(f"{where}: cannot draw {count} indices below {below}")
        drawn = rng.integers(0, below, size=count)
        if repeated:
            drawn[-1] = drawn[0]  # a repeated row: its updates must add up
        return drawn.astype(np.int64)
    if kind == "permutation":
        return rng.permutation(_size(entry["size"], dims, where)).astype(np.int64)
    raise RecipeError(f"{where}: unknown array entry {entry!r}; use normal, uniform, "
                      "away_from_zero, indices or permutation")


def _setting(rng, entry, dims: dict, where: str):
    if isinstance(entry, (numbers.Real, str)) and not isinstance(entry, bool):
        return _size(entry, dims, where) if isinstance(entry, str) else entry
    kind = entry.get("draw") if isinstance(entry, dict) else None
    if kind == "integer":
        low, high = _size(entry["low"], dims, where), _size(entry["high"], dims, where)
        if high <= low:
            raise RecipeError(f"{where}: empty range [{low}, {high})")
        return int(rng.integers(low, high))
    if kind == "rounded":
        return round(float(rng.uniform(entry["low"], entry["high"])), entry["digits"])
    raise RecipeError(f"{where}: unknown setting {entry!r}; use a number, a dim's name, "
                      "integer or rounded")


def _dims(rng, recipe: dict, where: str) -> dict:
    dims = {}
    for name, value in recipe.get("dims", {}).items():
        if isinstance(value, list) and len(value) == 2:
            low, high = (_size(v, dims, f"{where}, dim {name!r}") for v in value)
            if high <= low:
                raise RecipeError(f"{where}, dim {name!r}: empty range [{low}, {high})")
            dims[name] = int(rng.integers(low, high))
        else:
            dims[name] = _size(value, dims, f"{where}, dim {name!r}")
    return dims


def draw(name: str, recipe: list, seed: int) -> tuple[ArrayCase, ...]:
    """The cases of part ``name`` (``"<assignment>/<part>"``) for one grading seed."""
    rng = generator(seed, name)
    if not isinstance(recipe, (list, tuple)) or not recipe:
        raise RecipeError(f"{name}: a recipe is a non-empty list of cases")
    drawn = []
    for k, entry in enumerate(recipe):
        where = f"{name}, case {k + 1}"
        if not isinstance(entry, dict) or not isinstance(entry.get("name"), str):
            raise RecipeError(f"{where}: each case is a dict with a name (use cases.case)")
        dims = _dims(rng, entry, where)
        arrays = {key: _array(rng, value, dims, f"{where}, array {key!r}")
                  for key, value in entry.get("arrays", {}).items()}
        settings = {key: _setting(rng, value, dims, f"{where}, setting {key!r}")
                    for key, value in entry.get("settings", {}).items()}
        try:
            title = entry["name"].format(**dims, **settings)
        except (KeyError, IndexError, ValueError) as error:
            raise RecipeError(f"{where}: its name {entry['name']!r} names {error}, which is "
                              "neither a dim nor a setting") from None
        drawn.append(ArrayCase(title, arrays, settings))
    names = [c.name for c in drawn]
    if len(set(names)) != len(names):
        raise RecipeError(f"{name}: two cases are called the same ({names}); the verdict "
                          "matches runs to cases by name")
    return tuple(drawn)
