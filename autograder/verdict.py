"""Outside the kernel: read a probe report, compare it with the reference, award points.

:func:`judge` is what the grading command calls after a learner's notebook ran::

    parts = verdict.judge(assignments.get("linear_fit"), scratch / "report.jsonl", seed)

It returns one :class:`autograder.results.PartResult` per autograded test cell of the
assignment, in notebook order. The report is untrusted JSON written inside the learner's
kernel, read by :mod:`autograder.judging.report_values`; a line that is malformed,
duplicated, for another seed or missing earns 0 for its cell with a message that says so.
Each part is judged by its spec (:mod:`autograder.parts`), which recomputes the reference
from the seed, in float64 NumPy, never reading it from the report.
An exception other than :class:`~autograder.judging.report_values.MalformedReport` while
judging is a bug of the grader's: it costs only its own part, which says so
(``PartResult.grader_error``), and the other parts keep their points.
"""

from __future__ import annotations

import math
from pathlib import Path

from autograder import assignments, parts
from autograder.assignments import Assignment
from autograder.messages import joined, say
from autograder.plain_text import plain
from autograder.judging import findings
from autograder.judging.report_values import MalformedReport, field, read_report
from autograder.results import STAGES, PartResult, rounded


def _resolved(assignment: Assignment | str) -> Assignment:
    return assignments.get(assignment) if isinstance(assignment, str) else assignment


def judge_record(assignment: Assignment | str, record: dict, seed: int) -> PartResult:
    """Judge one report line (the probe's plain mode calls this in the kernel)."""
    assignment = _resolved(assignment)
    cells = assignment.grade_cells
    grade_id = record.get("grade_id") if isinstance(record, dict) else None
    if grade_id not in cells:
        raise ValueError(f"{assignment.name} has no graded cell {grade_id!r}")
    max_score = cells[grade_id]
    specs = parts.parts(assignment.name)
    import numpy as np  # here, not at the top: importing this module stays cheap

    try:
        if type(record.get("seed")) is not int or record["seed"] != seed:
            return PartResult(grade_id, 0.0, max_score, "error", say("verdict.other_seed"))
        check = field(record, "check")
        if not isinstance(check, str):
            raise MalformedReport("the check is not named by a string")
        if check not in specs or specs[check].grade_id != grade_id:
            raise MalformedReport(f"unknown check {check[:40]!r}")
        # Learner values may be huge: overflow to inf is an expected outcome, not news.
        with np.errstate(all="ignore"), findings.collecting() as found:
            fraction, stage, message = specs[check].judge(record, seed)
        if stage not in STAGES or not isinstance(message, str) \
                or not isinstance(fraction, (int, float)) or not math.isfinite(fraction):
            raise AssertionError(f"judge {check} returned ({fraction!r}, {stage!r}, ...)")
    except MalformedReport as error:
        return PartResult(grade_id, 0.0, max_score, "error",
                          say("verdict.unreadable", error=error))
    except Exception as error:  # a grader bug: this part only, and never silently
        return PartResult(grade_id, 0.0, max_score, "error",
                          say("verdict.grader_failed",
                              error=plain(f"{type(error).__name__}: {error}")[:300]),
                          grader_error=True)
    score = rounded(max_score * min(max(fraction, 0.0), 1.0))
    return PartResult(grade_id, score, max_score, stage, message,
                      bugs=found.bugs_in(message), figure=found.figure)


def judge(assignment: Assignment | str, report_path: Path, seed: int) -> list[PartResult]:
    """One :class:`PartResult` per graded test cell of ``assignment``, in notebook order,
    their messages in the language being spoken (:func:`autograder.messages.speaking`: the
    submission's); the bugs' names stay English."""
    return _judge(_resolved(assignment), report_path, seed)


def _judge(assignment: Assignment, report_path: Path, seed: int) -> list[PartResult]:
    records, unreadable = read_report(Path(report_path))
    results = []
    for grade_id, max_score in assignment.grade_cells.items():
        found = records.get(grade_id, [])
        if len(found) > 1:
            results.append(PartResult(grade_id, 0.0, max_score, "error",
                                      say("verdict.reported_twice")))
        elif not found:
            extra = say("verdict.unreadable_lines", count=unreadable) if unreadable else ""
            results.append(PartResult(grade_id, 0.0, max_score, "missing",
                                      joined([say("verdict.missing"), extra])))
        else:
            results.append(judge_record(assignment, found[0], seed))
    return results
