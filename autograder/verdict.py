"""Outside the kernel: read a probe report, compare it with the reference, award points.

:func:`judge` is what the grading command calls after a learner's notebook ran::

    parts = verdict.judge("linear_fit", scratch / "report.jsonl", seed)

It returns one :class:`PartResult` per autograded test cell of the assignment
(:func:`autograder.assignments.grade_cells`, in notebook order). The report is untrusted
JSON written inside the learner's kernel (format: :mod:`autograder.probe`): only finite
plain numbers count (or the strings "nan"/"inf"/"-inf" for values that blew up), and a
line that is malformed, duplicated, for another seed or missing earns 0 for its cell with
a message that says so. The reference values are recomputed here from the seed, in
float64 NumPy, never read from the report.

Every value of the report is learner input, checked by the readers below (:func:`number`,
:func:`numbers`, :func:`flags`, :func:`text_or_none`, :func:`field`) before a judge uses
it: a value of the wrong type or out of range (a 400-digit integer, a list where a string
belongs) raises :class:`MalformedReport`, and only its own part "could not be read". An
exception of any other kind while judging is a bug of the grader's: it, too, costs only
its own part, which says so (``PartResult.grader_error``), and the other parts keep
their points.

``stage`` names how far the learner's code got: "one step", "trajectory",
"convergence" (the stage that failed), "passed", "missing" (no result) or "error" (the
code raised, or the report is unusable). For the assignments other than linear_fit,
"one step" means a single call gave a wrong result and "trajectory" that state carried
from call to call went wrong (the momentum step). ``message`` is the learner's feedback: it names
the stage and the bug, never the hidden test code.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from pathlib import Path

from autograder.assignments import check_assignment, grade_cells
from autograder.plain_text import plain
from autograder.probe import CHECKS, RETURNED_NONE

STAGES = ("one step", "trajectory", "convergence", "passed", "missing", "error")
MAX_REPORT_BYTES = 4_000_000
NON_FINITE = {"nan": math.nan, "inf": math.inf, "-inf": -math.inf}


@dataclass
class PartResult:
    grade_id: str
    score: float
    max_score: float
    stage: str
    message: str
    grader_error: bool = False  # the grader failed on this part: a bug to fix, said aloud


class MalformedReport(ValueError):
    """The report does not have the shape the probe writes."""


# --- reading untrusted values ------------------------------------------------------------

def number(value) -> float:
    """A finite JSON number, or a non-finite one spelled as the probe spells it."""
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        raise MalformedReport(f"expected a number, found {type(value).__name__}")
    if isinstance(value, str):
        if value not in NON_FINITE:
            raise MalformedReport("expected a number, found a string")
        return NON_FINITE[value]
    try:
        result = float(value)
    except OverflowError:  # an integer beyond float range, e.g. 10**400
        raise MalformedReport("a number out of range") from None
    if not math.isfinite(result):
        raise MalformedReport("non-finite number")
    return result


def numbers(value, *, max_length: int, allow_none: bool = False) -> list:
    if not isinstance(value, list) or len(value) > max_length:
        raise MalformedReport("expected a list of at most %d numbers" % max_length)
    return [None if (item is None and allow_none) else number(item) for item in value]


def flags(value, *, max_length: int) -> list[bool]:
    if not isinstance(value, list) or len(value) > max_length:
        raise MalformedReport("expected a list of flags")
    if not all(isinstance(item, bool) for item in value):
        raise MalformedReport("expected true/false flags")
    return value


def text_or_none(value) -> str | None:
    """An error message: at most 300 characters, terminal control characters escaped."""
    if value is None:
        return None
    if not isinstance(value, str):
        raise MalformedReport("expected an error message")
    return plain(value[:300])


def field(mapping, key):
    if not isinstance(mapping, dict) or key not in mapping:
        raise MalformedReport(f"missing field {key!r}")
    return mapping[key]


def _reject_constant(name):
    raise MalformedReport(f"bare {name} is not valid JSON")


def read_report(report_path: Path) -> tuple[dict[str, list[dict]], int]:
    """``({grade_id: [records]}, number of unreadable lines)``, without judging anything."""
    records: dict[str, list[dict]] = {}
    unreadable = 0
    try:
        with open(report_path, "rb") as handle:
            data = handle.read(MAX_REPORT_BYTES + 1)
    except FileNotFoundError:
        return records, 0
    if len(data) > MAX_REPORT_BYTES:
        return records, 1
    for line in data.decode("utf-8", errors="replace").splitlines():
        if not line.strip():
            continue
        try:
            record = json.loads(line, parse_constant=_reject_constant)
        except (ValueError, MalformedReport, RecursionError):
            unreadable += 1
            continue
        if not isinstance(record, dict) or not isinstance(record.get("grade_id"), str):
            unreadable += 1
            continue
        records.setdefault(record["grade_id"], []).append(record)
    return records, unreadable


# --- judging -----------------------------------------------------------------------------

def _judges():
    # Imported here so that `import autograder.verdict` stays cheap for every assignment.
    from autograder import judge_linear_fit, judge_tapes, judge_tensors, judge_variables

    return {
        "linear_fit": judge_linear_fit.JUDGES,
        "tensors": judge_tensors.JUDGES,
        "tapes": judge_tapes.JUDGES,
        "variables": judge_variables.JUDGES,
    }


def judge_record(assignment: str, record: dict, seed: int) -> PartResult:
    """Judge one report line (the probe's plain mode calls this in the kernel)."""
    check_assignment(assignment)
    cells = grade_cells(assignment)
    grade_id = record.get("grade_id") if isinstance(record, dict) else None
    if grade_id not in cells:
        raise ValueError(f"{assignment} has no graded cell {grade_id!r}")
    max_score = cells[grade_id]
    judges = _judges()[assignment]
    import numpy as np  # here, not at the top: see _judges

    try:
        if type(record.get("seed")) is not int or record["seed"] != seed:
            return PartResult(grade_id, 0.0, max_score, "error",
                              "These results were not produced on this grading run's data, "
                              "so they earn no points.")
        check = field(record, "check")
        if not isinstance(check, str):
            raise MalformedReport("the check is not named by a string")
        if check not in judges or CHECKS[assignment].get(check) != grade_id:
            raise MalformedReport(f"unknown check {check[:40]!r}")
        # Learner values may be huge: overflow to inf is an expected outcome, not news.
        with np.errstate(all="ignore"):
            fraction, stage, message = judges[check](record, seed)
        if stage not in STAGES or not isinstance(message, str) \
                or not isinstance(fraction, (int, float)) or not math.isfinite(fraction):
            raise AssertionError(f"judge {check} returned ({fraction!r}, {stage!r}, ...)")
    except MalformedReport as error:
        return PartResult(grade_id, 0.0, max_score, "error",
                          f"The results of this part could not be read ({error}), so it "
                          "earns no points. Did something in the notebook change the tests?")
    except Exception as error:  # a grader bug: this part only, and never silently
        return PartResult(grade_id, 0.0, max_score, "error",
                          "The grader failed while judging this part, a bug in the grader "
                          "and not in your code: "
                          + plain(f"{type(error).__name__}: {error}")[:300],
                          grader_error=True)
    score = round(max_score * min(max(fraction, 0.0), 1.0), 4)
    return PartResult(grade_id, score, max_score, stage, message)


def judge(assignment: str, report_path: Path, seed: int) -> list[PartResult]:
    """One :class:`PartResult` per graded test cell of ``assignment``, in notebook order."""
    check_assignment(assignment)
    records, unreadable = read_report(Path(report_path))
    results = []
    for grade_id, max_score in grade_cells(assignment).items():
        found = records.get(grade_id, [])
        if len(found) > 1:
            results.append(PartResult(
                grade_id, 0.0, max_score, "error",
                "This part reported results more than once, so none of them count. "
                "Run each test cell once, and do not call the grader's checks yourself."))
        elif not found:
            extra = (f" ({unreadable} unreadable line(s) were found in the results.)"
                     if unreadable else "")
            results.append(PartResult(
                grade_id, 0.0, max_score, "missing",
                "The grader got no result for this part: its test cell did not run to the "
                "end. Did an earlier cell fail, or did the notebook time out?" + extra))
        else:
            results.append(judge_record(assignment, found[0], seed))
    return results


def raised(function: str, error: str) -> str:
    """How feedback reports an error the learner's code raised."""
    if error.startswith("NotImplementedError"):
        return f"{function} is not written yet (it still raises NotImplementedError)"
    if error == f"TypeError: {RETURNED_NONE}":
        return f"{function} returned None"
    return f"{function} raised {error}"


def format_number(value: float) -> str:
    """A number as feedback shows it: four significant digits."""
    return f"{value:.4g}"
