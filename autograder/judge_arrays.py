"""Judging calls that return arrays (tensors, tapes, variables): parse, compare, name the bug.

Each judge gives a reference (float64 NumPy, computed here from the seed's cases) and a
few known-wrong variants; :func:`grade_cases` scores the share of cases that match the
reference and, for the first case that does not, says what went wrong.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Callable

import numpy as np

from autograder.scenarios import ArrayCase
from autograder.verdict import MalformedReport, field, flags, numbers, raised, text_or_none

RTOL, ATOL = 1e-4, 1e-5  # float32 results against a float64 reference
MAX_VALUES = 10_000


@dataclass
class Output:
    values: np.ndarray  # float64, in the recorded shape
    tensor: bool


@dataclass
class CaseRun:
    case: ArrayCase
    outputs: list[Output]
    error: str | None


def _output(raw) -> Output:
    shape = field(raw, "shape")
    if (not isinstance(shape, list) or len(shape) > 4
            or not all(isinstance(n, int) and not isinstance(n, bool) and 0 <= n <= MAX_VALUES
                       for n in shape)):
        raise MalformedReport("bad shape")
    values = numbers(field(raw, "values"), max_length=MAX_VALUES)
    if len(values) != math.prod(shape):
        raise MalformedReport("shape and values disagree")
    tensor = flags([field(raw, "tensor")], max_length=1)[0]
    return Output(np.array(values, dtype=np.float64).reshape(shape), tensor)


def parse_runs(record, cases, max_outputs: int) -> list[CaseRun]:
    raw_runs = field(record, "runs")
    if not isinstance(raw_runs, list) or len(raw_runs) != len(cases):
        raise MalformedReport("wrong number of runs")
    runs = []
    for raw, case in zip(raw_runs, cases):
        if field(raw, "case") != case.name:
            raise MalformedReport("runs out of order")
        outputs = field(raw, "outputs")
        if not isinstance(outputs, list) or len(outputs) > max_outputs:
            raise MalformedReport("too many outputs")
        runs.append(CaseRun(case, [_output(o) for o in outputs], text_or_none(field(raw, "error"))))
    return runs


def matches(output: Output, expected, rtol=RTOL, atol=ATOL) -> bool:
    expected = np.asarray(expected, dtype=np.float64)
    return (output.values.shape == expected.shape and bool(np.all(np.isfinite(output.values)))
            and np.allclose(output.values, expected, rtol=rtol, atol=atol))


def all_match(outputs: list[Output], expected: list, rtol=RTOL, atol=ATOL) -> bool:
    return len(outputs) == len(expected) and all(
        matches(output, want, rtol, atol) for output, want in zip(outputs, expected))


def difference(output: Output, expected) -> str:
    """How a recorded array differs from the expected one, in a phrase."""
    expected = np.asarray(expected)
    if output.values.shape != expected.shape:
        return (f"the result has shape {tuple(output.values.shape)}, but "
                f"{tuple(expected.shape)} was expected")
    if not np.all(np.isfinite(output.values)):
        return "the result contains inf or NaN"
    index = np.unravel_index(np.argmax(np.abs(output.values - expected)), expected.shape)
    return (f"at index {tuple(int(i) for i in index)} the result is "
            f"{output.values[index]:.4g}, but {expected[index]:.4g} was expected")


@dataclass(frozen=True)
class Bug:
    name: str
    advice: str
    outputs: Callable[[ArrayCase], list]  # what this bug would have produced


@dataclass(frozen=True)
class Hint:
    """Advice for an error message that contains ``fragment``."""

    fragment: str
    advice: str


def case_problem(run: CaseRun, expected: list, bugs, hints, function: str,
                 require_tensor: bool = False, rtol=RTOL, atol=ATOL,
                 near_miss: str | None = None) -> str | None:
    """Feedback for one case, or None when the case is right."""
    where = f"{function}, case \u201c{run.case.name}\u201d"
    if run.error or len(run.outputs) < len(expected):
        advice = next((h.advice for h in hints if run.error and h.fragment in run.error), "")
        what = raised(function, run.error) if run.error else f"{function} returned too few results"
        return f"{where}: {what}. {advice}".strip()
    if all_match(run.outputs, expected, rtol, atol):
        if require_tensor and not all(o.tensor for o in run.outputs[:1]):
            return (f"{where}: the numbers are right, but the result is not a tf.Tensor. "
                    "Compute it with TensorFlow operations.")
        return None
    for bug in bugs:
        try:
            guess = bug.outputs(run.case)
        except (ValueError, IndexError, FloatingPointError):
            continue
        if all_match(run.outputs, guess):
            return f"{where}: Bug: {bug.name}. {bug.advice}"
    if near_miss and all_match(run.outputs, expected, 1e-2, 1e-3):
        return f"{where}: {near_miss}"
    first_wrong = next(k for k, (o, e) in enumerate(zip(run.outputs, expected)) if not matches(o, e))
    return (f"{where}: {difference(run.outputs[first_wrong], expected[first_wrong])}. "
            "No common mistake matches; check the formula step by step.")


def grade_cases(runs: list[CaseRun], reference, bugs=(), hints=(), *, function: str,
                require_tensor: bool = False, passed: str, rtol=RTOL, atol=ATOL,
                near_miss: str | None = None):
    """(fraction right, stage, message) over the cases; half credit for a right non-tensor."""
    earned, problems, errored = 0.0, [], []
    for run in runs:
        problem = case_problem(run, reference(run.case), bugs, hints, function, require_tensor,
                               rtol, atol, near_miss)
        if problem is None:
            earned += 1
        elif "is not a tf.Tensor" in problem:
            earned += 0.5
            problems.append(problem)
        else:
            problems.append(problem)
            errored.append(bool(run.error))
    if not problems:
        return 1.0, "passed", passed
    fraction = earned / len(runs)
    stage = "error" if errored and all(errored) else "one step"
    message = problems[0]
    if fraction:
        message += f" ({int(earned) if earned == int(earned) else earned} of {len(runs)} cases right.)"
    return fraction, stage, message
