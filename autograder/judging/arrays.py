"""Judging calls that return arrays (tensors, tapes, variables): parse, compare, name the bug.

A part's spec gives a reference (float64 NumPy, computed from the seed's cases) and a few
known-wrong variants; :func:`judge_cases` judges each case (:class:`CaseVerdict`: its
credit and what went wrong), :func:`summarize` turns the verdicts into the part's share of
points and message. A part's spec (:class:`autograder.parts.spec.ArrayPart`) calls both.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Callable

import numpy as np

from autograder.cases import ArrayCase
from autograder.judging.report_values import (MalformedReport, field, flags, numbers,
                                              text_or_none)
from autograder.judging.wording import Named, raised, where
from autograder.messages import say
from autograder.protocol import MAX_VALUES

RTOL, ATOL = 1e-4, 1e-5  # float32 results against a float64 reference


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


def parse_runs(record, cases, max_outputs: Callable[[ArrayCase], int]) -> list[CaseRun]:
    """The report's runs, one per case in order, each with at most ``max_outputs(case)``
    arrays (the probe records no more than the case's template says: more were forged)."""
    raw_runs = field(record, "runs")
    if not isinstance(raw_runs, list) or len(raw_runs) != len(cases):
        raise MalformedReport("wrong number of runs")
    runs = []
    for raw, case in zip(raw_runs, cases):
        if field(raw, "case") != case.name:
            raise MalformedReport("runs out of order")
        outputs = field(raw, "outputs")
        if not isinstance(outputs, list) or len(outputs) > max_outputs(case):
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
        return say("judging.shape", got=tuple(output.values.shape),
                   expected=tuple(expected.shape))
    if not np.all(np.isfinite(output.values)):
        return say("judging.not_finite")
    index = np.unravel_index(np.argmax(np.abs(output.values - expected)), expected.shape)
    return say("judging.value", index=tuple(int(i) for i in index),
               got=f"{output.values[index]:.4g}", expected=f"{expected[index]:.4g}")


@dataclass(frozen=True)
class Bug(Named):
    """A named bug of an array part (its words: :class:`~.wording.Named`) and what code
    with it records: ``outputs(case)``, a list like the reference's."""

    outputs: Callable[[ArrayCase], list]


@dataclass(frozen=True)
class Hint:
    """Advice (the catalogue's ``hint.<key>``) for an error message that contains
    ``fragment``."""

    fragment: str
    key: str

    @property
    def advice(self) -> str:
        return say(f"hint.{self.key}")


NOT_A_TENSOR_CREDIT = 0.5  # the right numbers, computed outside TensorFlow


@dataclass(frozen=True)
class CaseVerdict:
    """One case judged: its credit (1 right, NOT_A_TENSOR_CREDIT, 0 wrong) and feedback."""

    run: CaseRun
    credit: float
    problem: str | None = None  # None when the case is right
    cause: str | None = None  # the problem without naming the case: cases group by it
    function: str = ""  # how the feedback names the learner's code


def judge_case(run: CaseRun, expected: list, bugs, hints, function: str,
               require_tensor: bool = False, rtol=RTOL, atol=ATOL,
               near_miss: str | None = None) -> CaseVerdict:
    """One case against the expected outputs: right, right but not a tensor, or which bug."""
    def wrong(cause: str, credit: float = 0.0) -> CaseVerdict:
        return CaseVerdict(run, credit, where(function, [run.case.name], cause), cause,
                           function)

    if run.error or len(run.outputs) < len(expected):
        advice = next((h.advice for h in hints if run.error and h.fragment in run.error), "")
        what = (raised(function, run.error) if run.error
                else say("judging.too_few", function=function))
        return wrong(say("judging.problem", what=what, advice=advice).strip())
    if all_match(run.outputs, expected, rtol, atol):
        if require_tensor and not all(o.tensor for o in run.outputs[:1]):
            return wrong(say("judging.not_a_tensor"), NOT_A_TENSOR_CREDIT)
        return CaseVerdict(run, 1.0, function=function)
    for bug in bugs:
        try:
            guess = bug.outputs(run.case)
        except (ValueError, IndexError, FloatingPointError):
            continue
        if all_match(run.outputs, guess):
            return wrong(bug.explanation())
    if near_miss and all_match(run.outputs, expected, 1e-2, 1e-3):
        return wrong(near_miss)
    first_wrong = next((k for k, (o, e) in enumerate(zip(run.outputs, expected))
                        if not matches(o, e)), len(expected) - 1)
    return wrong(say("judging.no_match",
                     difference=difference(run.outputs[first_wrong], expected[first_wrong])))


def judge_cases(runs: list[CaseRun], reference, bugs=(), hints=(), *, function: str,
                require_tensor: bool = False, rtol=RTOL, atol=ATOL,
                near_miss: str | None = None) -> list[CaseVerdict]:
    """Every case judged against ``reference(case)``."""
    return [judge_case(run, reference(run.case), bugs, hints, function, require_tensor,
                       rtol, atol, near_miss) for run in runs]


def explain_all(verdicts: list[CaseVerdict]) -> str:
    """Every case that went wrong, explained once per cause: cases with the same problem
    share one explanation ("cases “a” and “b”: Bug: ...")."""
    groups: dict[tuple[str, str], list[str]] = {}
    for verdict in verdicts:
        if verdict.problem:
            key = (verdict.function, verdict.cause) if verdict.cause else ("", verdict.problem)
            groups.setdefault(key, []).append(verdict.run.case.name)
    return "\n".join(where(function, names, cause) if function else cause
                     for (function, cause), names in groups.items())


def summarize(verdicts: list[CaseVerdict], passed: str):
    """(fraction of credit, stage, message): every problem, grouped by cause, and how many
    cases were right when some were."""
    if not any(verdict.problem for verdict in verdicts):
        return 1.0, "passed", passed
    earned = sum(verdict.credit for verdict in verdicts)
    wrong = [verdict for verdict in verdicts if verdict.credit == 0]
    stage = "error" if wrong and all(verdict.run.error for verdict in wrong) else "one step"
    message = explain_all(verdicts)
    if earned:
        first, _, rest = message.partition("\n")
        message = say("judging.cases_right", first=first, earned=f"{earned:g}",
                      total=len(verdicts)) + (f"\n{rest}" if rest else "")
    return earned / len(verdicts), stage, message
